// @ts-check
// Macros (`services/macros`, docs/MACROS.md): how a chat's stored messages
// show, expanded in Rust (the window has no rule of its own).

import { call } from '../api.js';

/**
 * @typedef {{text: string, macros?: string[], speaker?: string | null}} ShowItem
 *   `macros`: the message's `metadata.macros` (the results stored when it was made)
 * @typedef {{html: string | null, text: string}} Shown
 *   `html`: sanitised Markdown with the macros' results in as text, null for a text too long
 *   for Markdown; `text`: the text with its macros expanded
 */

export const macros = {
  /** How messages of a chat show. @param {string} chatId @param {ShowItem[]} items @returns {Promise<Shown[]>} */
  show: (chatId, items) => call('message_show', { chatId, items }),
};
