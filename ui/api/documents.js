// @ts-check
// Documents (services/document): files added to a chat, a character or the
// whole library, split into chunks that replies can draw on. The only
// module that knows the document commands' names and JSON shapes.

import { call } from '../api.js';

/**
 * @typedef {"text"|"markdown"|"html"|"pdf"|"epub"} DocumentKind
 * @typedef {{scope: "chat", id: string} | {scope: "character", id: string} | {scope: "library"}} DocumentPlace
 *   where a document applies
 * @typedef {{id: string, scope: "chat"|"character"|"library", chatSessionId: string | null,
 *   characterId: string | null, name: string, kind: DocumentKind, byteSize: number, chunkSize: number,
 *   chunkOverlap: number, chunkCount: number, tokenCount: number, createdAt: string, updatedAt: string,
 *   deletedAt: string | null}} DocumentSummary
 * @typedef {DocumentSummary & {enabled: boolean}} ChatDocument  a document as a chat sees it
 * @typedef {DocumentSummary & {content: string}} Document  with its extracted text
 * @typedef {{added: DocumentSummary[], skipped: import('../api.js').Skipped[]}} AddReport
 */

/** The file names a document can be made of. */
export const DOCUMENT_FILES = /\.(txt|text|md|markdown|html?|xhtml|pdf|epub)$/i;

/** What a file input offers. */
export const DOCUMENT_ACCEPT = '.txt,.md,.markdown,.html,.htm,.pdf,.epub';

export const documents = {
  /**
   * Adds a file the person picked to `place`, sent as raw bytes with its
   * name and place in headers. Rejects with the refusal in words.
   * @param {DocumentPlace} place @param {File} file @returns {Promise<DocumentSummary>}
   */
  add: async (place, file) =>
    call('document_add', new Uint8Array(await file.arrayBuffer()), {
      headers: {
        'x-file-name': encodeURIComponent(file.name),
        'x-document-place': encodeURIComponent(JSON.stringify(place)),
      },
    }),
  /** Files dropped on the window, by path. @param {DocumentPlace} place @param {string[]} paths @returns {Promise<AddReport>} */
  addPaths: (place, paths) => call('document_add_paths', { place, paths }),
  /** The chat's own, its character's and the library's documents. @param {string} chatId @returns {Promise<ChatDocument[]>} */
  forChat: (chatId) => call('document_list_chat', { chatId }),
  /** The live documents of one place. @param {DocumentPlace} place @returns {Promise<DocumentSummary[]>} */
  list: (place) => call('document_list', { place }),
  /** Every document in the trash. @returns {Promise<DocumentSummary[]>} */
  trash: () => call('document_trash'),
  /** @param {string} id @returns {Promise<Document>} */
  get: (id) => call('document_get', { id }),
  /** @param {string} id @param {string} name @returns {Promise<DocumentSummary>} */
  rename: (id, name) => call('document_rename', { id, name }),
  /** On or off for one chat. @param {string} chatId @param {string} id @param {boolean} enabled @returns {Promise<void>} */
  setEnabled: (chatId, id, enabled) => call('document_set_enabled', { chatId, id, enabled }),
  /** Splits it again. @param {string} id @param {number} size @param {number} overlap @returns {Promise<DocumentSummary>} */
  rechunk: (id, size, overlap) => call('document_rechunk', { id, size, overlap }),
  /** To the trash. @param {string} id @returns {Promise<void>} */
  remove: (id) => call('document_delete', { id }),
  /** @param {string} id @returns {Promise<DocumentSummary>} */
  restore: (id) => call('document_restore', { id }),
  /** For good, from the trash. @param {string} id @returns {Promise<void>} */
  purge: (id) => call('document_purge', { id }),
};
