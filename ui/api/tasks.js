// @ts-check
// Tasks (`commands/task.rs`): a short list beside a chat or standing alone,
// ticked when done, ordered by moves, deleted to the trash; and whether a
// chat gives its open tasks to the character as objectives. The only module
// that knows the task commands' names and JSON shapes.

import { call } from '../api.js';

/**
 * @typedef {{id: string, chatSessionId: string | null, chatTitle: string | null, chatDeleted: boolean,
 *   title: string, description: string, done: boolean, position: number, createdAt: string,
 *   updatedAt: string, doneAt: string | null, deletedAt: string | null}} Task
 *   `chatTitle` null: standing alone (or its chat was deleted for good)
 * @typedef {{chatSessionId?: string | null, title: string, description?: string}} TaskInput
 * @typedef {{title?: string, description?: string, done?: boolean}} TaskPatch  fields given are set
 * @typedef {"open"|"done"|"all"|"deleted"} TaskStatus
 * @typedef {{status?: TaskStatus, limit?: number, cursor?: string | null}} TaskQuery
 * @typedef {{id: string, chatSessionId: string | null, chatTitle: string | null, title: string,
 *   done: boolean, snippet: string}} TaskHit  a search hit; the snippet marks matches like the others
 */

export const tasks = {
  /** A chat's tasks, open in order then done; null: the standing-alone ones. @param {string | null} chatId @returns {Promise<Task[]>} */
  forChat: (chatId) => call('task_list_chat', { chatId }),
  /** Most recently changed first. @param {TaskQuery} query @returns {Promise<import('../api.js').Page<Task>>} */
  list: (query) => call('task_list', { query }),
  /** @param {TaskInput} input @returns {Promise<Task>} */
  create: (input) => call('task_create', { input }),
  /** @param {string} id @param {TaskPatch} patch @returns {Promise<Task>} */
  update: (id, patch) => call('task_update', { id, patch }),
  /**
   * Moves an open task just before or after another open task of its list.
   * @param {string} id @param {string} target @param {"before"|"after"} place
   * @returns {Promise<Task[]>} the list's open tasks in their new order
   */
  move: (id, target, place) => call('task_move', { id, target, place }),
  /** To the trash. @param {string} id @returns {Promise<void>} */
  remove: (id) => call('task_delete', { id }),
  /** @param {string} id @returns {Promise<Task>} */
  restore: (id) => call('task_restore', { id }),
  /** For good, from the trash. @param {string} id @returns {Promise<void>} */
  purge: (id) => call('task_purge', { id }),
  /** Whether the chat's open tasks go into its prompt. @param {string} chatId @returns {Promise<boolean>} */
  objectives: (chatId) => call('task_objectives_get', { chatId }),
  /** @param {string} chatId @param {boolean} on @returns {Promise<void>} */
  setObjectives: (chatId, on) => call('task_objectives_set', { chatId, on }),
};
