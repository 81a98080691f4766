// @ts-check
// How a chat's stored text is shown: the chat's names in place of its
// macros, and Markdown (rendered and sanitised in Rust) for all but very
// long texts, which stay plain. A name is text, never markup: in rendered
// text it goes in after Markdown, escaped (`markdownWithNames`). No DOM here.

import * as api from '../../api.js';

/** Messages longer than this are shown as plain text, not Markdown. */
export const PLAIN_LIMIT = 100_000;

const MACRO = /\{\{(char|user)\}\}|<(BOT|USER)>/gi;

/**
 * Puts the chat's names in place of `{{char}}` / `<BOT>` and `{{user}}` /
 * `<USER>` (the braces in any case, the angle form as written), as prompt
 * assembly does for the model (`substitute` in services/prompt.rs).
 * Greetings are stored with their macros, so this runs at display, before
 * Markdown (which would drop `<BOT>` as markup). One pass: a name that itself
 * contains a macro stays as written.
 * @param {string} text
 * @param {{char: string, user: string}} names
 */
export function expandMacros(text, names) {
  if (!text.includes('{{') && !text.includes('<')) return text;
  return text.replace(MACRO, (match, /** @type {string | undefined} */ brace, /** @type {string | undefined} */ angle) => {
    if (brace) return brace.toLowerCase() === 'char' ? names.char : names.user;
    if (angle === 'BOT') return names.char;
    if (angle === 'USER') return names.user;
    return match; // <bot>, <User>: not macros
  });
}

// Stand-ins for the names while Markdown renders: private-use characters,
// which Markdown and the sanitiser leave alone.
const NAME_MARK = { char: '\uE000c\uE001', user: '\uE000u\uE001' };

/**
 * A name as HTML text: escaped, and without bidirectional controls or
 * zero-width characters (names saved before Parley removed them).
 * @param {string} name
 */
export function nameHtml(name) {
  return name
    .replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u2060\uFEFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Like `markdown(texts.map(expand))`, but a persona or character named
 * `**[x](https://e.com)**` or `# Big` shows that name as written: the macros
 * become stand-ins, Markdown renders around them, and the escaped names
 * take their place in the sanitised HTML.
 * @param {string[]} texts
 * @param {{char: string, user: string}} names
 */
export async function markdownWithNames(texts, names) {
  const html = await markdown(texts.map((t) => expandMacros(t, NAME_MARK)));
  const charHtml = nameHtml(names.char);
  const userHtml = nameHtml(names.user);
  return html.map((h) => (h === null ? null : h.replaceAll(NAME_MARK.char, charHtml).replaceAll(NAME_MARK.user, userHtml)));
}

/**
 * Sanitised HTML for each text, or nulls (the texts are then shown as plain
 * text) when rendering failed or the text is too long for it.
 * @param {string[]} texts
 * @returns {Promise<(string | null)[]>}
 */
export async function markdown(texts) {
  // Very long messages stay plain (block-split) text: laying out one huge
  // rendered paragraph would freeze the window for seconds.
  const wanted = texts.map((t, i) => (t.length <= PLAIN_LIMIT ? i : -1)).filter((i) => i >= 0);
  /** @type {(string | null)[]} */
  const out = texts.map(() => null);
  if (wanted.length === 0) return out;
  try {
    const html = await api.renderMarkdown(wanted.map((i) => texts[i]));
    wanted.forEach((i, k) => {
      out[i] = html[k] ?? null;
    });
  } catch (e) {
    console.warn('markdown_render failed; showing plain text', e);
  }
  return out;
}
