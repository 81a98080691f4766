// @ts-check
// Models on this computer (`commands/local_model.rs`): the GGUF files found
// in the usual places, and adding one by its path as a model to chat with.
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
