// Temporary while the UI moves into the catalogue: writes ui/locales/en.js
// from ui/locales/parts/*.json (each a flat key -> English object).
import fs from 'node:fs';
import path from 'node:path';
const dir = 'ui/locales/parts';
const merged = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const part = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const [k, v] of Object.entries(part)) {
    if (k in merged && merged[k] !== v) console.error(`${f}: "${k}" differs from an earlier part`);
    merged[k] = v;
  }
}
const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const out = `// @ts-check\n// English, the reference catalogue: every other language has these keys\n// (ui/i18n.js, scripts/check-i18n.mjs). The body is JSON.\nexport default ${JSON.stringify(sorted, null, 2)};\n`;
const tmp = `ui/locales/.en.js.${process.pid}`;
fs.writeFileSync(tmp, out);
fs.renameSync(tmp, 'ui/locales/en.js');
console.log(`ui/locales/en.js: ${Object.keys(sorted).length} keys`);
