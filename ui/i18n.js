// @ts-check
// Every word the window shows comes from one catalogue per language
// (`ui/locales/<code>.js`); English is the reference and the fallback, so a
// key a translation lacks still reads. The language is the person's choice
// (`ui.language`, checked by services/appearance.rs) or the system's, and
// it also sets how dates and numbers are written. Placeholders `{name}` are
// filled as text (never markup); numbers in them are written the locale's
// way. `tn` picks the plural form (`key.one`, `key.other`, ...) with
// Intl.PluralRules. `scripts/check-i18n.mjs` fails when a catalogue lacks a
// key English has, or when a UI string is written outside the catalogue.

import en from './locales/en.js';

/** @typedef {keyof typeof en} Key */
/** @typedef {Record<string, string | number | null | undefined>} Values */

/** The languages Parley speaks, each named in itself. */
export const LANGUAGES = /** @type {const} */ ([
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
  { code: 'ja', name: '日本語' },
  { code: 'ko', name: '한국어' },
  { code: 'es', name: 'Español' },
]);

/** @typedef {typeof LANGUAGES[number]['code']} Language */

/** @type {Record<Language, () => Promise<{default: Record<string, string>}>>} */
const LOADERS = {
  en: async () => ({ default: en }),
  'zh-CN': () => import('./locales/zh-CN.js'),
  ja: () => import('./locales/ja.js'),
  ko: () => import('./locales/ko.js'),
  es: () => import('./locales/es.js'),
};

/** @type {Record<string, string>} */
let catalogue = en;
/** @type {Language} */
let language = 'en';
let numbers = new Intl.NumberFormat('en');
let plurals = new Intl.PluralRules('en');
let relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
let absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** The language in effect. */
export const currentLanguage = () => language;

/**
 * The supported language closest to a BCP 47 tag: "zh-Hans-CN" and "zh"
 * are Simplified Chinese, "es-MX" is Spanish, anything unknown English.
 * @param {string | null | undefined} tag
 * @returns {Language}
 */
export function closest(tag) {
  const lower = (tag ?? '').toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  const base = lower.split(/[-_]/)[0];
  const hit = LANGUAGES.find((l) => l.code === base);
  return hit ? hit.code : 'en';
}

/**
 * Switches the window's language ('system' follows the system's). Words
 * already on screen change with the next render.
 * @param {string | null | undefined} choice
 */
export async function setLanguage(choice) {
  const next = !choice || choice === 'system' ? closest(navigator.language) : closest(choice);
  /** @type {Record<string, string>} */
  let loaded = en;
  try {
    loaded = (await LOADERS[next]()).default;
  } catch {
    // A catalogue that fails to load leaves English, which always reads.
  }
  catalogue = loaded;
  language = next;
  numbers = new Intl.NumberFormat(next);
  plurals = new Intl.PluralRules(next);
  relative = new Intl.RelativeTimeFormat(next, { numeric: 'auto' });
  absolute = new Intl.DateTimeFormat(next, { dateStyle: 'medium', timeStyle: 'short' });
  document.documentElement.lang = next;
  translateStatic(document);
}

/**
 * Fills `{name}` placeholders as text; numbers are written the locale's way.
 * @param {string} text @param {Values} [values]
 */
function fill(text, values) {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    const v = values[name];
    if (v === undefined || v === null) return whole;
    return typeof v === 'number' ? numbers.format(v) : String(v);
  });
}

/**
 * The words for a key in the person's language (English when the
 * translation lacks it), with its placeholders filled.
 * @param {Key} key @param {Values} [values]
 */
export function t(key, values) {
  return fill(catalogue[key] ?? en[key] ?? key, values);
}

/**
 * Like `t`, for a sentence with elements inside it (a link, a code span):
 * values that are Nodes are put in their place, the rest is text. Spread
 * the result into h()'s children.
 * @param {Key} key @param {Record<string, string | number | Node | null | undefined>} values
 * @returns {(string | Node)[]}
 */
export function tNodes(key, values) {
  const text = catalogue[key] ?? en[key] ?? key;
  /** @type {(string | Node)[]} */
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    const v = values[m[1]];
    if (v === undefined || v === null) continue;
    out.push(text.slice(last, m.index));
    out.push(typeof v === 'object' ? v : typeof v === 'number' ? numbers.format(v) : String(v));
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(text.slice(last));
  return out.filter((part) => part !== '');
}

/**
 * A key chosen at run time (an error code, an enum value); `fallback` when
 * no catalogue has it.
 * @param {string} key @param {Values} [values] @param {string} [fallback]
 */
export function tMaybe(key, values, fallback) {
  const text = catalogue[key] ?? /** @type {Record<string, string>} */ (en)[key];
  return text === undefined ? (fallback ?? key) : fill(text, values);
}

/**
 * The plural form of `base` for `count`: `base.one`, `base.other` (and
 * whatever forms the language has), `{count}` filled.
 * @param {string} base @param {number} count @param {Values} [values]
 */
export function tn(base, count, values) {
  const form = plurals.select(count);
  const table = /** @type {Record<string, string>} */ (en);
  const text = catalogue[`${base}.${form}`] ?? catalogue[`${base}.other`] ?? table[`${base}.${form}`] ?? table[`${base}.other`] ?? base;
  return fill(text, { count, ...values });
}

/** A number the locale's way. @param {number} n @param {Intl.NumberFormatOptions} [options] */
export function formatNumber(n, options) {
  return options ? new Intl.NumberFormat(language, options).format(n) : numbers.format(n);
}

/** "5 minutes ago", "yesterday", or a date for older times. @param {string} iso */
export function ago(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const secs = Math.round((at - Date.now()) / 1000);
  const abs = Math.abs(secs);
  if (abs < 45) return t('time.justNow');
  if (abs < 3600) return relative.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(secs / 3600), 'hour');
  if (abs < 86400 * 7) return relative.format(Math.round(secs / 86400), 'day');
  return absolute.format(at);
}

/** A full local date and time. @param {string | number | Date} at */
export function when(at) {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  return Number.isNaN(ms) ? '' : absolute.format(ms);
}

/** A date or time with options of one's own. @param {string | number | Date} at @param {Intl.DateTimeFormatOptions} options */
export function formatDate(at, options) {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  return Number.isNaN(ms) ? '' : new Intl.DateTimeFormat(language, options).format(ms);
}

/**
 * The words written in index.html: `data-i18n` is the text's key,
 * `data-i18n-<attr>` an attribute's (`data-i18n-aria-label="..."`).
 * @param {ParentNode} root
 */
export function translateStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n], [data-i18n-aria-label], [data-i18n-title]')) {
    const html = /** @type {HTMLElement} */ (el);
    if (html.dataset.i18n) html.textContent = tMaybe(html.dataset.i18n);
    if (html.dataset.i18nAriaLabel) html.setAttribute('aria-label', tMaybe(html.dataset.i18nAriaLabel));
    if (html.dataset.i18nTitle) html.setAttribute('title', tMaybe(html.dataset.i18nTitle));
  }
}
