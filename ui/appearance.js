// @ts-check
// How the window looks: the theme (light, dark, or the system's, followed
// when it changes), an accent colour, the text size and the chat layout,
// set on <html> as data attributes and CSS variables. They are kept in the
// `ui.*` preferences (services/appearance.rs checks each value), with a copy
// in localStorage so the next start paints with them at once. The person's
// own `custom.css` is applied as a stylesheet object (never as markup), so
// the CSP stays as it is.

import { call } from './api.js';

/**
 * @typedef {'system' | 'light' | 'dark'} Theme
 * @typedef {'bubbles' | 'document'} ChatLayout
 * @typedef {{theme: Theme, accent: string | null, textSize: number, chatLayout: ChatLayout}} Looks
 * @typedef {{path: string, css: string | null}} CustomCss
 */

/** @type {Record<keyof Looks, string>} */
export const KEYS = { theme: 'ui.theme', accent: 'ui.accent', textSize: 'ui.text_size', chatLayout: 'ui.chat_layout' };
/** @type {Looks} */
const DEFAULTS = { theme: 'system', accent: null, textSize: 100, chatLayout: 'bubbles' };
const CACHE = 'parley.looks';
const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

/** @type {Looks} */
let current = { ...DEFAULTS };

/** The looks in effect now. */
export const looks = () => current;

/** @param {string} hex "#rrggbb" @returns {[number, number, number]} */
function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The accent and the colours made from it: a stronger shade for pressed
 * buttons, a soft tint for backgrounds, and black or white text on it,
 * whichever reads better.
 * @param {string} hex
 */
function accentColours(hex) {
  const [r, g, b] = rgb(hex);
  const lin = (/** @type {number} */ c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const dim = (/** @type {number} */ c) => Math.round(c * 0.85);
  // Buttons are the stronger shade: the text on them is chosen against it.
  const luminance = 0.2126 * lin(dim(r)) + 0.7152 * lin(dim(g)) + 0.0722 * lin(dim(b));
  return {
    '--accent': hex,
    '--accent-strong': `rgb(${dim(r)}, ${dim(g)}, ${dim(b)})`,
    '--accent-soft': `rgba(${r}, ${g}, ${b}, 0.14)`,
    '--focus': hex,
    // White on the accent when it is dark enough for 4.5:1, else near-black.
    '--on-accent': 1.05 / (luminance + 0.05) >= 4.5 ? '#ffffff' : '#111318',
  };
}

/** @param {Looks} next */
export function apply(next) {
  current = next;
  const root = document.documentElement;
  root.dataset.theme = next.theme === 'system' ? (systemDark.matches ? 'dark' : 'light') : next.theme;
  root.dataset.themeChoice = next.theme;
  root.dataset.chatLayout = next.chatLayout;
  const accent = next.accent && /^#[0-9a-f]{6}$/i.test(next.accent) ? accentColours(next.accent) : null;
  for (const name of ['--accent', '--accent-strong', '--accent-soft', '--focus', '--on-accent']) {
    if (accent) root.style.setProperty(name, accent[/** @type {keyof typeof accent} */ (name)]);
    else root.style.removeProperty(name);
  }
  const size = Math.min(200, Math.max(80, Number(next.textSize) || 100));
  root.style.setProperty('--text-scale', String(size / 100));
  try {
    localStorage.setItem(CACHE, JSON.stringify(next));
  } catch {
    // A full or disabled store only costs the quick first paint.
  }
}

/**
 * Saves one look and applies it; a value the back end refuses is thrown.
 * @template {keyof Looks} K
 * @param {K} name @param {Looks[K]} value
 */
export async function setLook(name, value) {
  await call('config_set', { key: KEYS[name], value });
  apply({ ...current, [name]: value });
}

/** @type {CSSStyleSheet | null} */
let customSheet = null;

/**
 * Reads `custom.css` again and applies it (an empty sheet when there is
 * none). @returns {Promise<CustomCss>}
 */
export async function loadCustomCss() {
  /** @type {CustomCss} */
  const custom = await call('appearance_custom_css');
  if (!customSheet) {
    customSheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, customSheet];
  }
  customSheet.replaceSync(custom.css ?? '');
  return custom;
}

/** At boot: the saved copy at once, then the preferences and custom.css. */
export async function initAppearance() {
  let cached = null;
  try {
    cached = JSON.parse(localStorage.getItem(CACHE) ?? 'null');
  } catch {
    cached = null;
  }
  apply({ ...DEFAULTS, ...(cached && typeof cached === 'object' ? cached : {}) });
  systemDark.addEventListener('change', () => apply(current));
  const [theme, accent, textSize, chatLayout] = await Promise.all(Object.values(KEYS).map((key) => call('config_get', { key })));
  apply({ theme, accent, textSize, chatLayout });
  await loadCustomCss();
}
