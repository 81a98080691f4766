// Fails when the window has words outside its catalogues, or a catalogue
// lacks what English has.
//
//   node scripts/check-i18n.mjs [ui-dir]      (default: ui)
//
// 1. Every catalogue in <ui>/locales has every key English has, no key
//    English lacks, each a non-empty string with English's {placeholders}.
// 2. Every t('key') / tn('key', n) in the UI names a key English has.
// 3. No words are written in the UI's JavaScript outside t(): a string is
//    words when it sits where a person reads it (h()'s children, title,
//    aria-label, placeholder, label, textContent, toast(), ...) and has a
//    letter, or anywhere else when it reads like prose (two words, or a
//    capitalised word). Code strings (class names, commands, selectors,
//    comparisons, object keys, imports) pass. A line that must keep a
//    literal (a product name) says `i18n-ignore` in a comment.
// 4. index.html's words carry data-i18n / data-i18n-<attribute> keys.
// 5. The Rust side (src-tauri/src beside <ui>, when there): every error
//    code it words (`.worded("code"`, `database("code"`, `code: "code"`)
//    is an `error.<code>` in locales/en.js, and every AppError it makes
//    outside the command line (src/cli*) is worded: its constructor is
//    followed by `.worded(`, carries words (not `words: None`), or sits
//    under a comment that says `worded by the caller` (a helper whose
//    callers word it), `worded below` or `command line only`.
//
// Run by `make lint` and by tests/i18n.rs (which also plants a stray
// string and a missing key and expects a failure).

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ui = path.resolve(process.argv[2] ?? 'ui');
const problems = [];
const say = (where, what) => problems.push(`${where}: ${what}`);

// ---------- catalogues ----------

/** A catalogue file is a comment header, `export default`, JSON, `;`. */
function readCatalogue(file) {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('export default');
  const body = text.slice(start + 'export default'.length).trim().replace(/;\s*$/, '');
  try {
    return JSON.parse(body);
  } catch (e) {
    say(path.relative(ui, file), `is not "export default <JSON>;": ${e.message}`);
    return {};
  }
}

const placeholders = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
const localesDir = path.join(ui, 'locales');
const en = readCatalogue(path.join(localesDir, 'en.js'));
const others = fs.readdirSync(localesDir).filter((f) => f.endsWith('.js') && f !== 'en.js');
for (const file of process.env.I18N_SKIP_TRANSLATIONS ? [] : others) {
  const cat = readCatalogue(path.join(localesDir, file));
  const where = `locales/${file}`;
  for (const [key, english] of Object.entries(en)) {
    const text = cat[key];
    if (typeof text !== 'string' || text.trim() === '') say(where, `lacks "${key}" (English: ${JSON.stringify(english)})`);
    else if (placeholders(text) !== placeholders(english)) say(where, `"${key}" has placeholders {${placeholders(text)}}, English has {${placeholders(english)}}`);
  }
  for (const key of Object.keys(cat)) if (!(key in en)) say(where, `has "${key}", which English lacks`);
}

// ---------- strings in the UI's JavaScript ----------

const TEXT_CALLS = new Set(['toast', 'showError', 'confirmDialog', 'announce', 'showBanner', 'alert', 'confirm', 'prompt']);
const KEY_CALLS = new Set(['t', 'tn', 'tMaybe']);
const CODE_CALLS = new Set([
  'call', 'invoke', 'listen', 'emit', 'once', 'querySelector', 'querySelectorAll', 'closest', 'getElementById', 'matches',
  'addEventListener', 'removeEventListener', 'getAttribute', 'removeAttribute', 'hasAttribute', 'toggleAttribute',
  'createElement', 'createElementNS', 'getItem', 'setItem', 'removeItem', 'add', 'remove', 'toggle', 'contains', 'replace',
  'matchMedia', 'setProperty', 'getPropertyValue', 'removeProperty', 'log', 'warn', 'error', 'debug', 'info', 'mark', 'measure',
  'getEntriesByName', 'split', 'join', 'startsWith', 'endsWith', 'includes', 'indexOf', 'padStart', 'padEnd', 'localeCompare',
  'NumberFormat', 'DateTimeFormat', 'RelativeTimeFormat', 'PluralRules', 'Intl', 'CustomEvent', 'Event', 'KeyboardEvent',
  'changed', 'subscribe', 'on', 'off', 'send', 'get', 'set', 'has', 'delete', 'focus', 'scrollIntoView', 'getContext',
  'RegExp', 'has', 'formatDate', 'newId', 'go', 'navigate', 'route', 'val', 'num', 'optId', 'checked', 'select',
]);
const TEXT_PROPS = new Set([
  'title', 'aria-label', 'ariaLabel', 'placeholder', 'alt', 'label', 'text', 'message', 'empty', 'hint', 'heading', 'caption',
  'description', 'aria-description', 'aria-valuetext', 'aria-roledescription', 'summary', 'confirm', 'confirmLabel', 'okLabel', 'cancelLabel',
  'emptyText', 'help', 'note', 'legend', 'subtitle', 'noun', 'done', 'question', 'body', 'detail', 'tip',
]);
const TEXT_TARGETS = new Set(['textContent', 'innerText', 'title', 'placeholder', 'ariaLabel', 'ariaDescription', 'ariaValueText', 'label']);
const CODE_PROPS = new Set([
  'class', 'className', 'id', 'type', 'role', 'name', 'for', 'href', 'key', 'autocomplete', 'inputmode', 'data', 'method', 'mode',
  'kind', 'topic', 'tag', 'variant', 'accept', 'pattern', 'step', 'min', 'max', 'rel', 'target', 'lang', 'dir', 'sort', 'status',
  'field', 'route', 'spellcheck', 'enterkeyhint', 'wrap', 'rows', 'cols', 'form', 'list', 'src', 'style', 'width', 'height',
  'aria-controls', 'aria-describedby', 'aria-labelledby', 'aria-live', 'aria-haspopup', 'aria-current', 'aria-expanded',
  'aria-orientation', 'aria-sort', 'aria-autocomplete', 'aria-pressed', 'aria-selected', 'aria-hidden', 'aria-busy',
  'aria-atomic', 'aria-relevant', 'aria-modal', 'aria-owns', 'aria-activedescendant', 'aria-checked', 'aria-level',
  'aria-valuemin', 'aria-valuemax', 'aria-valuenow', 'aria-invalid', 'aria-required', 'aria-multiselectable', 'draggable',
  'tabindex', 'scope', 'headers', 'loading', 'decoding', 'sandbox', 'download', 'icon', 'command', 'event', 'shortcut',
]);

const hasLetters = (s) => /\p{L}{2,}/u.test(s);
const readsLikeProse = (s) => /\p{L}{2,}\s+\p{L}/u.test(s) || /^\s*\p{Lu}\p{Ll}+/u.test(s) || /[\p{L}][.!?…]$/u.test(s.trim()) && /\s/.test(s.trim());

function calleeName(call) {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

function propName(name) {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return '';
}

/**
 * Where a string sits: 'key' (a catalogue key), 'code', 'text' (a person
 * reads it), or 'other' (judged by whether it reads like prose).
 */
function position(node) {
  let child = node;
  let parent = node.parent;
  // Climb through wrappers that keep the value the same.
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isConditionalExpression(parent) && parent.condition !== child
    || ts.isBinaryExpression(parent) && ['||', '??', '&&'].includes(ts.tokenToString(parent.operatorToken.kind) ?? '') && parent.right === child
    || ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.PlusToken
    || ts.isTemplateSpan(parent) || ts.isTemplateExpression(parent) || ts.isArrayLiteralExpression(parent)
    || ts.isAsExpression(parent) || ts.isSpreadElement(parent))) {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return 'other';
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isImportTypeNode?.(parent) || ts.isExternalModuleReference(parent)) return 'code';
  if (ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword) return 'code';
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const name = ts.isCallExpression(parent) ? calleeName(parent) : (ts.isIdentifier(parent.expression) ? parent.expression.text : ts.isPropertyAccessExpression(parent.expression) ? parent.expression.name.text : '');
    const index = (parent.arguments ?? []).indexOf(child);
    if (KEY_CALLS.has(name)) return index === 0 ? 'key' : 'other';
    if (name === 'h') return index === 0 ? 'code' : index >= 2 ? 'text' : 'other';
    // dom.js field(label, control, options): the label is words.
    if (name === 'field') return index === 0 ? 'text' : 'other';
    if (name === 'setAttribute') {
      if (index === 0) return 'code';
      const attr = parent.arguments[0];
      return ts.isStringLiteral(attr) && TEXT_PROPS.has(attr.text) ? 'text' : 'code';
    }
    if (TEXT_CALLS.has(name)) return 'text';
    if (CODE_CALLS.has(name)) return 'code';
    return 'other';
  }
  if (ts.isPropertyAssignment(parent)) {
    if (parent.name === child) return 'code';
    const name = propName(parent.name);
    if (TEXT_PROPS.has(name)) return 'text';
    if (CODE_PROPS.has(name) || name.startsWith('data-') || name.startsWith('on')) return 'code';
    return 'other';
  }
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    if ([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.InKeyword].includes(op)) return 'code';
    if (op === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(parent.left)) {
      return TEXT_TARGETS.has(parent.left.name.text) ? 'text' : 'code';
    }
    if (op === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(parent.left)) return 'code';
  }
  if (ts.isCaseClause(parent) || ts.isElementAccessExpression(parent) || ts.isPropertyDeclaration?.(parent) && parent.name === child) return 'code';
  if (ts.isLiteralTypeNode(parent)) return 'code';
  return 'other';
}

function insideFunction(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n) || ts.isGetAccessor(n) || ts.isClassStaticBlockDeclaration?.(n)) return true;
  }
  return false;
}

function ignored(sf, node) {
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const lines = sf.text.split('\n');
  return /i18n-ignore/.test(lines[line] ?? '') || /i18n-ignore/.test(lines[line - 1] ?? '');
}

function literalText(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return null;
}

function walkFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'locales') out.push(...walkFiles(full));
    } else if (entry.name.endsWith('.js') && entry.name !== 'i18n.js') out.push(full);
  }
  return out;
}

let keysUsed = 0;
const files = walkFiles(ui);
if (process.env.I18N_DEBUG) console.error(files.join("\n"));
for (const file of files) {
  const source = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const rel = path.relative(ui, file);
  const visit = (node) => {
    // t() at a module's top level runs at import, before the language is
    // loaded (ui/i18n.js setLanguage at boot): it would be English forever.
    if (ts.isCallExpression(node) && KEY_CALLS.has(calleeName(node)) && ts.isIdentifier(node.expression) && !insideFunction(node)) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      say(`${rel}:${line + 1}`, `${calleeName(node)}() at the module's top level runs before the language is chosen; call it when drawing`);
    }
    const text = literalText(node);
    if (text !== null) {
      const where = position(node);
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      if (where === 'key') {
        keysUsed += 1;
        const fn = ts.isCallExpression(node.parent) ? calleeName(node.parent) : '';
        if (ts.isStringLiteral(node) && fn === 't' && !(node.text in en)) say(`${rel}:${line + 1}`, `t("${node.text}") is not in locales/en.js`);
        if (ts.isStringLiteral(node) && fn === 'tn' && !(`${node.text}.other` in en)) say(`${rel}:${line + 1}`, `tn("${node.text}") has no "${node.text}.other" in locales/en.js`);
      } else if (hasLetters(text) && where !== 'code' && (where === 'text' || readsLikeProse(text)) && text.trim() !== 'Parley' && !ignored(sf, node)) {
        say(`${rel}:${line + 1}`, `words outside the catalogue: ${JSON.stringify(text.length > 70 ? `${text.slice(0, 67)}...` : text)}`);
      }
      if (!ts.isTemplateExpression(node)) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

// ---------- index.html ----------

const htmlFile = path.join(ui, 'index.html');
if (fs.existsSync(htmlFile)) {
  const html = fs.readFileSync(htmlFile, 'utf8');
  const lines = html.split('\n');
  lines.forEach((lineText, i) => {
    for (const m of lineText.matchAll(/<(\w+)([^>]*)>([^<]*)/g)) {
      const [, tag, attrs, inner] = m;
      if (tag === 'script' || tag === 'style' || tag === 'title') continue;
      const words = inner.replace(/&\w+;|&#\d+;/g, '').trim();
      if (hasLetters(words) && !/data-i18n="/.test(attrs)) say(`index.html:${i + 1}`, `<${tag}> text ${JSON.stringify(words)} has no data-i18n key`);
      for (const a of attrs.matchAll(/\s(aria-label|title|placeholder)="([^"]*)"/g)) {
        if (hasLetters(a[2]) && !new RegExp(`data-i18n-${a[1]}="`).test(attrs)) say(`index.html:${i + 1}`, `${a[1]}="${a[2]}" has no data-i18n-${a[1]} key`);
      }
      for (const k of attrs.matchAll(/data-i18n(?:-[\w-]+)?="([^"]+)"/g)) if (!(k[1] in en)) say(`index.html:${i + 1}`, `"${k[1]}" is not in locales/en.js`);
    }
  });
}

// ---------- the Rust side's error codes ----------

const rustDir = path.resolve(ui, '..', 'src-tauri', 'src');
let rustCodes = 0;
/** The Rust files of the app (not the command line's, not tests). */
function rustFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'tests' ? [] : rustFiles(full);
    return d.name.endsWith('.rs') && d.name !== 'tests.rs' ? [full] : [];
  });
}
/** Index just past the bracket that closes the one opened before `from`. */
function closing(text, from) {
  let depth = 1;
  let i = from;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    i += 1;
  }
  return i;
}
if (fs.existsSync(rustDir)) {
  for (const file of rustFiles(rustDir)) {
    const rel = path.relative(path.resolve(ui, '..'), file);
    const whole = fs.readFileSync(file, 'utf8');
    const cut = whole.indexOf('#[cfg(test)]');
    const text = cut < 0 ? whole : whole.slice(0, cut);
    const lineOf = (i) => text.slice(0, i).split('\n').length;
    for (const m of text.matchAll(/(?:\.worded|\bdatabase)\(\s*"([a-z0-9_]+)"|\bcode:\s*"([a-z0-9_]+)"/g)) {
      rustCodes += 1;
      const code = m[1] ?? m[2];
      if (!(`error.${code}` in en)) say(`${rel}:${lineOf(m.index)}`, `error code "${code}" is not "error.${code}" in locales/en.js`);
    }
    if (/src-tauri\/src\/cli/.test(rel.replace(/\\/g, '/'))) continue;
    for (const m of text.matchAll(/AppError::(?:validation|business|conflict|internal)\(|AppError::(?:Validation|Conflict|BusinessRule|Database|ExternalApi|Internal)\s*\{/g)) {
      const end = closing(text, m.index + m[0].length);
      const body = text.slice(m.index, end);
      if (m[0].endsWith('{') && (!/words:\s*None/.test(body) || !/message:/.test(body))) continue;
      if (/^\s*\.worded\(/.test(text.slice(end))) continue;
      // The comment may sit up to three lines above.
      let above = m.index;
      for (let n = 0; n < 4 && above > 0; n += 1) above = text.lastIndexOf('\n', above - 1);
      if (/worded by the caller|worded below|command line only/i.test(text.slice(above + 1, text.indexOf('\n', m.index)))) continue;
      say(`${rel}:${lineOf(m.index)}`, `${m[0].replace(/\s*[({]$/, '')} is not worded: add .worded("code", json!({...})) and "error.<code>" to the catalogues`);
    }
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} problem(s) with the window's words (scripts/check-i18n.mjs).`);
  process.exitCode = 1;
} else {
  console.log(`i18n: ${Object.keys(en).length} keys, ${others.length + 1} catalogues complete, ${keysUsed} uses, no words outside the catalogue, ${rustCodes} Rust error codes known.`);
}
