// @ts-check
// How a chat's stored text is shown: its macros expanded and its Markdown
// rendered, both in Rust (`message_show`, services/macros/display.rs), so
// the window has no copy of the macro rules. Names and other macro results
// go into the sanitised HTML as escaped text, never markup; messages above
// PLAIN_LIMIT characters come back as plain text only. No DOM here.

import { macros } from '../../api/macros.js';

/** Messages longer than this are shown as plain text, not Markdown (`display::PLAIN_LIMIT`). */
export const PLAIN_LIMIT = 100_000;

/** @typedef {import('../../api/macros.js').Shown} Shown */

/**
 * A message's text as stored, before Rust has shown it (a moment at most).
 * @param {{content: string}} m
 * @returns {Shown}
 */
export const unshown = (m) => ({ html: null, text: m.content });

/**
 * How each message shows; on a failure, its stored text as plain text.
 * @param {string} chatId
 * @param {{content: string, metadata?: Record<string, unknown> | null}[]} messages
 * @returns {Promise<Shown[]>}
 */
export async function showMessages(chatId, messages) {
  if (messages.length === 0) return [];
  const items = messages.map((m) => {
    const stored = m.metadata?.macros;
    return { text: m.content, macros: Array.isArray(stored) ? stored.map(String) : [] };
  });
  try {
    return await macros.show(chatId, items);
  } catch (e) {
    console.warn('message_show failed; showing plain text', e);
    return messages.map(unshown);
  }
}
