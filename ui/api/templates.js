// @ts-check
// Templates and quick replies (`commands/template.rs`): the template
// library with fill-in variables (docs/TEMPLATES.md), and which message
// templates show in a chat's quick-reply bar.

import { call } from '../api.js';
import { t } from '../i18n.js';

/**
 * @typedef {"message"|"system_prompt"|"impersonation"|"summary_instruction"|"memory_documents"|
 *   "memory_summaries"|"memory_recall"|"instruct"} TemplateType
 * @typedef {"text"|"long_text"|"choice"|"number"} VarKind
 * @typedef {{name: string, kind: VarKind, options?: string[], default?: string, label?: string}} Variable
 *   `default` absent: the person must fill it in
 * @typedef {{type: TemplateType, name: string, content: string}} TemplateInput
 * @typedef {TemplateInput & {id: string, variables: Variable[], isDefault: boolean, createdAt: string,
 *   updatedAt: string, deletedAt: string | null}} Template
 * @typedef {{error: string, code: string | null, values: Record<string, unknown> | null}} Said
 *   a line in English with the code and values that word it (error.rs `Cause`)
 * @typedef {{imported: Template[], skipped: Said[], notes: Said[]}} ImportReport
 * @typedef {"send"|"fill"} QuickReplyMode
 * @typedef {{kind: "chat" | "character", id: string}} QuickReplyOwner
 * @typedef {{id: string, templateId: string, owner: "chat" | "character", position: number,
 *   mode: QuickReplyMode, name: string, content: string, variables: Variable[]}} QuickReply
 */

/**
 * The types, in the order the screen lists them, with their names for
 * people (read when shown: the language is chosen at boot).
 */
export const TYPES = /** @type {const} */ ([
  ['message', () => t('templatesApi.messages')],
  ['system_prompt', () => t('templatesApi.systemPrompts')],
  ['impersonation', () => t('templatesApi.impersonation')],
  ['summary_instruction', () => t('templatesApi.summaryInstruction')],
  ['memory_documents', () => t('templatesApi.memoryDocuments')],
  ['memory_summaries', () => t('templatesApi.memorySummaries')],
  ['memory_recall', () => t('templatesApi.memoryRecall')],
  ['instruct', () => t('templatesApi.instruct')],
]);

export const templates = {
  /** @param {TemplateType | null} kind @param {import('../api.js').ListQuery} [query] @returns {Promise<import('../api.js').Page<Template>>} */
  list: (kind, query) => call('template_list', { kind, query }),
  /** @param {string} id @returns {Promise<Template>} */
  get: (id) => call('template_get', { id }),
  /** @param {TemplateInput} input @returns {Promise<Template>} */
  create: (input) => call('template_create', { input }),
  /** @param {string} id @param {TemplateInput} input @returns {Promise<Template>} */
  update: (id, input) => call('template_update', { id, input }),
  /** To the trash. @param {string} id @returns {Promise<void>} */
  remove: (id) => call('template_delete', { id }),
  /** @param {string} id @returns {Promise<Template>} */
  restore: (id) => call('template_restore', { id }),
  /** @param {string} id @returns {Promise<void>} */
  purge: (id) => call('template_purge', { id }),
  /** @param {string} id @returns {Promise<Template>} */
  setDefault: (id) => call('template_set_default', { id }),
  /** The default's text of a type (Parley's own when none). @param {TemplateType} kind @returns {Promise<string>} */
  defaultText: (kind) => call('template_default_text', { kind }),
  /** @param {TemplateType} kind @param {string} content @returns {Promise<Template>} */
  setDefaultText: (kind, content) => call('template_set_default_text', { kind, content }),
  /** The variables a text would have (the editor's preview). @param {TemplateType} kind @param {string} content @returns {Promise<Variable[]>} */
  variables: (kind, content) => call('template_variables', { kind, content }),
  /** The text with its variables filled. @param {string} id @param {Record<string, string>} values @returns {Promise<string>} */
  render: (id, values) => call('template_render', { id, values }),
  /** Writes a JSON file to the exports folder. @param {TemplateType | null} kind @returns {Promise<{path: string}>} */
  exportFile: (kind) => call('template_export', { kind }),
  /** Parley's own templates JSON. @param {string} text @returns {Promise<ImportReport>} */
  importJson: (text) => call('template_import', { text }),
  /** A SillyTavern Quick Reply set's JSON. @param {string} text @returns {Promise<ImportReport>} */
  importStQuickReplies: (text) => call('template_import_st_quick_replies', { text }),
};

export const quickReplies = {
  /** The owner's own, in order. @param {QuickReplyOwner} owner @returns {Promise<QuickReply[]>} */
  list: (owner) => call('quick_reply_list', { owner }),
  /** Replaces the owner's list. @param {QuickReplyOwner} owner @param {{templateId: string, mode: QuickReplyMode}[]} items @returns {Promise<QuickReply[]>} */
  set: (owner, items) => call('quick_reply_set', { owner, items }),
  /** A chat's bar: its own, then its character's. @param {string} chatId @returns {Promise<QuickReply[]>} */
  forChat: (chatId) => call('quick_reply_for_chat', { chatId }),
};
