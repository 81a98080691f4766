//! Embedding vectors: what a vector belongs to, and how far the background
//! indexer has come (shown in Settings > Memory).

use serde::{Deserialize, Serialize};

use super::Id;

/// What a stored vector belongs to: a document chunk (`document_chunks.id`)
/// or a message (`messages.rowid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Owner {
    Chunk,
    Message,
}

/// What the indexer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IndexState {
    /// No embedding model is chosen: memory works on keywords alone.
    #[default]
    Off,
    /// Computing vectors.
    Indexing,
    /// Waiting while a reply is being written.
    Paused,
    /// Every passage has its vector.
    Done,
    /// The last batch failed; `error` says why. Retried later.
    Failed,
}

/// The indexer's progress: `done` of `total` passages (chunks and
/// messages) have a vector of `model`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexProgress {
    pub state: IndexState,
    pub model: Option<Id>,
    pub done: u64,
    pub total: u64,
    /// Why the last batch failed, in words.
    pub error: Option<String>,
}

/// Settings > Memory as the window shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddingStatus {
    /// The embedding model, or `None`: off (keywords alone).
    pub model_id: Option<Id>,
    /// How much vector similarity counts against keywords, 0..1.
    pub vector_weight: f64,
    pub progress: IndexProgress,
}
