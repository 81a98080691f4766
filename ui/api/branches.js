// @ts-check
// Branches (`commands/branch.rs`): a new chat from a chat's history up to
// one of its messages, where a branch came from, and a chat's branches.

import { call } from '../api.js';

/**
 * @typedef {{parentChatId: string | null, parentTitle: string, parentMessageId: string | null,
 *   parentSeq: number, parentInTrash: boolean}} BranchOrigin
 *   `parentChatId` null: the parent was deleted for good (its title is the one it had);
 *   `parentMessageId` null: that message is gone from the parent; `parentSeq` counts from 0
 * @typedef {{id: string, title: string, parentSeq: number, createdAt: string, updatedAt: string}} BranchSummary
 */

export const branches = {
  /** A new chat with the history up to and including the message. @param {string} messageId @returns {Promise<import('../api.js').Chat>} */
  create: (messageId) => call('branch_create', { messageId }),
  /** Where a chat came from; null when it is not a branch. @param {string} chatId @returns {Promise<BranchOrigin | null>} */
  origin: (chatId) => call('branch_origin', { chatId }),
  /** A chat's branches, oldest first. @param {string} chatId @returns {Promise<BranchSummary[]>} */
  list: (chatId) => call('branch_list', { chatId }),
};
