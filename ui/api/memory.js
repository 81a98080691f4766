// @ts-check
// A chat's memory (`commands/chat_memory.rs`): its entries (summaries of
// ranges of messages), what its summarizer is doing, and the summary
// preferences (`services/app_config.rs`).

import { call } from '../api.js';

/**
 * @typedef {"model"|"person"} MadeBy
 * @typedef {{id: string, chatSessionId: string, firstSeq: number, lastSeq: number, madeBy: MadeBy,
 *   pinned: boolean, stale: boolean, aiModelId: string | null, createdAt: string, updatedAt: string,
 *   content: string}} ChatMemory
 *   `firstSeq`..`lastSeq`: the messages it covers (`seq`, counted from 0)
 * @typedef {{firstSeq: number, lastSeq: number, content: string}} ChatMemoryInput
 * @typedef {{state: "idle"} | {state: "queued"} | {state: "running", firstSeq: number, lastSeq: number}
 *   | {state: "waitingForReply", firstSeq: number, lastSeq: number}
 *   | {state: "failed", error: string, tries: number, retryInSecs: number | null}} SummaryStatus
 */

export const memory = {
  /** Newest range first. @param {string} chatId @returns {Promise<ChatMemory[]>} */
  list: (chatId) => call('chat_memory_list', { chatId }),
  /** @param {string} chatId @param {ChatMemoryInput} input @returns {Promise<ChatMemory>} */
  add: (chatId, input) => call('chat_memory_add', { chatId, input }),
  /** The text becomes the person's. @param {string} id @param {string} content @returns {Promise<ChatMemory>} */
  update: (id, content) => call('chat_memory_update', { id, content }),
  /** @param {string} id @param {boolean} pinned @returns {Promise<ChatMemory>} */
  pin: (id, pinned) => call('chat_memory_pin', { id, pinned }),
  /** @param {string} id @returns {Promise<void>} */
  remove: (id) => call('chat_memory_delete', { id }),
  /**
   * Summarizes one entry again, or whatever the chat needs, in the background.
   * @param {string} chatId @param {string | null} memoryId @returns {Promise<SummaryStatus>}
   */
  resummarize: (chatId, memoryId) => call('chat_memory_resummarize', { chatId, memoryId }),
  /** @param {string} chatId @returns {Promise<SummaryStatus>} */
  status: (chatId) => call('chat_memory_status', { chatId }),
  /** The model that writes summaries (null: each chat's own). @returns {Promise<string | null>} */
  summaryModel: () => call('config_get', { key: 'memory.summary_model' }),
  /** @param {string | null} id @returns {Promise<string | null>} */
  setSummaryModel: (id) => call('config_set', { key: 'memory.summary_model', value: id }),
  /** The summary instruction: the default `summary_instruction` template (docs/TEMPLATES.md). @returns {Promise<string>} */
  instruction: () => call('template_default_text', { kind: 'summary_instruction' }),
  /** Edits that template (empty: Parley's own text). @param {string} text @returns {Promise<unknown>} */
  setInstruction: (text) => call('template_set_default_text', { kind: 'summary_instruction', content: text }),
};
