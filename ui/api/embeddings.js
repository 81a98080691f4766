// @ts-check
// Embeddings for memory (`commands/embedding.rs`): the embedding model (or
// none: keywords alone), the vector weight, and how far the background
// indexer has come.

import { call } from '../api.js';

/**
 * @typedef {"off"|"indexing"|"paused"|"done"|"failed"} IndexState
 * @typedef {{state: IndexState, model: string | null, done: number, total: number, error: string | null}} IndexProgress
 *   `done` of `total` passages (document chunks and messages) have a vector
 * @typedef {{modelId: string | null, vectorWeight: number, progress: IndexProgress}} EmbeddingStatus
 */

/** @returns {Promise<EmbeddingStatus>} */
export const status = () => call('embedding_status');

/**
 * Chooses the embedding model; `null` turns vectors off (and deletes them).
 * @param {string | null} modelId @returns {Promise<EmbeddingStatus>}
 */
export const setModel = (modelId) => call('embedding_set_model', { modelId });

/** @param {number} weight 0 (keywords only) to 1 (meaning only) @returns {Promise<EmbeddingStatus>} */
export const setWeight = (weight) => call('embedding_set_weight', { weight });
