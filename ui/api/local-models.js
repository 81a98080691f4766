// @ts-check
// Models on this computer (`commands/local_model.rs`): the GGUF files found
// in the usual places and the folders the person named, and adding one by
// its path or the system's file chooser as a model to chat with.
// The only module that knows these commands' names and JSON shapes.

import { call } from '../api.js';

/**
 * @typedef {{path: string, name: string, source: string, architecture: string, sizeBytes: number,
 *   quantization: string | null, parameters: number, contextLength: number | null,
 *   hasChatTemplate: boolean, added: boolean}} FoundModel
 */

export const localModels = {
  /** The GGUF files on this computer, added ones marked. @returns {Promise<FoundModel[]>} */
  found: () => call('local_model_found'),
  /** Adds a file as a model (checked first). @param {string} path @returns {Promise<import('../api.js').AiModel>} */
  add: (path) => call('local_model_add', { path }),
  /** Asks with the system's file chooser and adds the file; null when cancelled. @returns {Promise<import('../api.js').AiModel | null>} */
  choose: () => call('local_model_choose'),
  /** The folders the person named. @returns {Promise<string[]>} */
  folders: () => call('local_model_folders'),
  /** Names a folder by its path; the list. @param {string} path @returns {Promise<string[]>} */
  folderAdd: (path) => call('local_model_folder_add', { path }),
  /** Asks for a folder with the system's chooser; the list, or null when cancelled. @returns {Promise<string[] | null>} */
  folderChoose: () => call('local_model_folder_choose'),
  /** @param {string} path @returns {Promise<string[]>} */
  folderRemove: (path) => call('local_model_folder_remove', { path }),
};

/** "4.1 GB", "120 MB". @param {number} bytes */
export function size(bytes) {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

/** "7.2B", "135M" parameters. @param {number} n */
export function params(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${Math.round(n / 1e6)}M`;
  return `${Math.round(n / 1e3)}K`;
}

/**
 * The built-in engine's settings (preferences `local.*`): minutes a model
 * stays loaded when idle, the most context a model gets, processor threads
 * (0: the cores less one). Each applies from the next reply.
 * @typedef {{idleMinutes: number, contextCap: number, threads: number}} EngineSettings
 */
const KEYS = { idleMinutes: 'local.idle_minutes', contextCap: 'local.context_cap', threads: 'local.threads' };

/** @returns {Promise<EngineSettings>} */
export async function engineSettings() {
  const [idleMinutes, contextCap, threads] = await Promise.all(Object.values(KEYS).map((key) => call('config_get', { key })));
  return { idleMinutes, contextCap, threads };
}

/** @param {keyof EngineSettings} name @param {number} value */
export const setEngineSetting = (name, value) => call('config_set', { key: KEYS[name], value });

/**
 * A model file being downloaded (`services/model_download.rs`).
 * @typedef {{id: string, url: string, file: string, received: number, total: number | null, speed: number,
 *   secondsLeft: number | null, resumedFrom: number, state: 'running'|'done'|'failed'|'cancelled',
 *   error: string | null, errorCode?: string | null, errorValues?: Record<string, unknown> | null,
 *   aiModelId: string | null}} Download
 *   `error` in English; `errorCode` and `errorValues` word it (errors.js)
 */
export const downloads = {
  /** @param {string} url @param {string | null} sha256 @returns {Promise<Download>} */
  start: (url, sha256) => call('local_model_download', { url, sha256 }),
  /** Newest first. @returns {Promise<Download[]>} */
  list: () => call('local_model_downloads'),
  /** @param {string} id @returns {Promise<boolean>} */
  cancel: (id) => call('local_model_download_cancel', { id }),
};
