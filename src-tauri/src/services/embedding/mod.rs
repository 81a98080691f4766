//! Embeddings, when the person has them: the chosen embedding model and the
//! vector weight (Settings > Memory), vector scores for retrieval, and the
//! background indexer (`indexer`) that gives chunks and messages their
//! vectors.
//!
//! Everything here is optional. With no embedding model (the default),
//! [`scores`] and [`nearest`] answer `None` and memory ranks by BM25 alone,
//! offline; nothing is ever downloaded. An embedding model that fails or is
//! slow also gives `None`, never an error for the reply.
//!
//! Vectors of different models never mix: choosing another model deletes
//! the old one's vectors and the indexer starts over.

pub mod indexer;
pub mod shared;
pub mod standin;

pub use shared::Embeddings;

use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

use crate::ai::embeddings;
use crate::error::{AppError, Result};
use crate::models::{EmbeddingStatus, Id, IndexProgress, IndexState, Owner};
use crate::repos::embedding as repo;
use crate::services::app_config::{self, EMBEDDING_MODEL, VECTOR_WEIGHT};
use crate::services::memory::blend::{cosine, cosine_le_bytes, unit};
use crate::state::AppState;

/// How long a reply waits for its query's vector before going on without.
pub const QUERY_WAIT: Duration = Duration::from_secs(3);

/// The chosen embedding model, if it still exists.
pub async fn model(pool: &sqlx::SqlitePool) -> Result<Option<Id>> {
    let Some(id) = app_config::read(pool, &EMBEDDING_MODEL).await? else {
        return Ok(None);
    };
    Ok(crate::repos::ai_model::get(pool, id).await?.map(|m| m.id))
}

/// Settings > Memory: the model, the weight and the indexer's progress.
pub async fn status(state: &AppState) -> Result<EmbeddingStatus> {
    let model_id = model(&state.pool).await?;
    let mut progress = state.embeddings.progress();
    let live = progress.model == model_id
        && matches!(
            progress.state,
            IndexState::Indexing | IndexState::Paused | IndexState::Failed
        );
    if !live {
        // The indexer is not counting now: count here (passages may have
        // come or gone since it finished).
        progress = IndexProgress {
            model: model_id,
            ..Default::default()
        };
        if let Some(m) = model_id {
            let (done, total) = repo::progress(&state.pool, m).await?;
            progress.state = if done >= total {
                IndexState::Done
            } else {
                IndexState::Indexing
            };
            (progress.done, progress.total) = (done, total);
            if done < total {
                // New passages since its last look: the indexer counts
                // from here on.
                state.embeddings.wake();
            }
        }
    }
    Ok(EmbeddingStatus {
        model_id,
        vector_weight: app_config::read(&state.pool, &VECTOR_WEIGHT).await?,
        progress,
    })
}

/// Chooses the embedding model (`None`: off, keywords alone). The model
/// must be on a provider with an embeddings endpoint. Vectors of any other
/// model are deleted; the indexer starts on the new one.
pub async fn set_model(state: &AppState, model: Option<Id>) -> Result<EmbeddingStatus> {
    if let Some(id) = model {
        let m = crate::repos::ai_model::get(&state.pool, id)
            .await?
            .ok_or_else(|| {
                AppError::validation(
                    "embeddingModel",
                    "the chosen model no longer exists; pick another",
                )
                .worded("chosen_gone", json!({ "entity": "model" }))
            })?;
        let provider =
            crate::services::provider::get(&state.pool, &*state.secrets, m.provider_id).await?;
        embeddings::api_for(provider.kind, &provider.name)?;
    }
    // The setting first: a batch the indexer stores for the old model
    // after this sees it and deletes what it stored.
    app_config::write(&state.pool, &EMBEDDING_MODEL, &model).await?;
    let gone = repo::delete_other_models(&state.pool, model).await?;
    tracing::info!(
        vectors_deleted = gone,
        on = model.is_some(),
        "embedding model chosen"
    );
    state.embeddings.wake();
    status(state).await
}

/// Sets how much vector similarity counts against keywords (0..1).
pub async fn set_weight(state: &AppState, weight: f64) -> Result<EmbeddingStatus> {
    if !(0.0..=1.0).contains(&weight) {
        return Err(AppError::validation(
            "vectorWeight",
            "the vector weight is a number from 0 (keywords only) to 1 (meaning only)",
        )
        .worded("vector_weight_range", json!({})));
    }
    app_config::write(&state.pool, &VECTOR_WEIGHT, &weight).await?;
    status(state).await
}

/// The vector of `query` from `model`, within [`QUERY_WAIT`]; `None` when
/// the model fails or is slow (logged, never the reply's error).
async fn query_vector(state: &AppState, model: Id, query: &str) -> Option<Vec<f32>> {
    if let Some(v) = state.embeddings.remembered(model, query) {
        return Some(v);
    }
    let asked = async {
        let (endpoint, model_id) = indexer::endpoint(state, model).await?;
        embeddings::embed(&state.http, &endpoint, &model_id, &[query.to_string()]).await
    };
    let vector = match tokio::time::timeout(QUERY_WAIT, asked).await {
        Ok(Ok(mut v)) => v.pop()?,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "the embedding model did not give the query's vector; keywords alone");
            return None;
        }
        Err(_) => {
            tracing::warn!("the embedding model was too slow for the query; keywords alone");
            return None;
        }
    };
    state.embeddings.remember(model, query, &vector);
    Some(vector)
}

/// Cosine similarity of `query` to each of `candidates` (chunk ids or
/// message rowids, per `owner`) that has a vector, for
/// [`crate::services::memory::blend::blend`].
///
/// `Ok(None)`: no embedding model is chosen, or it failed or took longer
/// than [`QUERY_WAIT`]; rank by BM25 alone. Candidates without a vector
/// yet are left out of the map (the blend counts them by BM25). `Err` only
/// for a database failure.
pub async fn scores(
    state: &AppState,
    owner: Owner,
    query: &str,
    candidates: &[i64],
) -> Result<Option<HashMap<i64, f32>>> {
    let Some(model) = model(&state.pool).await? else {
        return Ok(None);
    };
    let Some(q) = query_vector(state, model, query).await else {
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await?;
    let found = repo::vectors(&mut conn, model, owner, candidates).await?;
    Ok(Some(
        found
            .into_iter()
            .map(|(id, v)| (id, cosine(&q, &v)))
            .collect(),
    ))
}

/// Where [`nearest`] looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The chunks of the documents that apply to a chat (its own, its
    /// character's, the library's, minus those it turned off).
    ChatDocuments { chat: Id },
    /// A chat's messages with `seq` below `before_seq` (those that fell out
    /// of the prompt's window).
    ChatMessages { chat: Id, before_seq: i64 },
}

impl Scope {
    /// What the ids [`nearest`] returns are: chunk ids or message rowids.
    pub fn owner(self) -> Owner {
        match self {
            Self::ChatDocuments { .. } => Owner::Chunk,
            Self::ChatMessages { .. } => Owner::Message,
        }
    }
}

/// The `k` items of `scope` whose vectors are nearest to `query`, best
/// first, with their cosine similarity: candidates BM25 did not find (a
/// question that shares no word with its answer). Ids are chunk ids or
/// message rowids ([`Scope::owner`]).
///
/// Brute force over the scope's stored vectors (measured for 100,000 chunks
/// of 384 numbers in docs/DATA_MODEL.md). `Ok(None)` as for [`scores`].
pub async fn nearest(
    state: &AppState,
    scope: Scope,
    query: &str,
    k: usize,
) -> Result<Option<Vec<(i64, f32)>>> {
    let Some(model) = model(&state.pool).await? else {
        return Ok(None);
    };
    let Some(q) = query_vector(state, model, query).await else {
        return Ok(None);
    };
    let rows = match scope {
        Scope::ChatDocuments { chat } => repo::chat_chunk_vectors(&state.pool, model, chat),
        Scope::ChatMessages { chat, before_seq } => {
            repo::chat_message_vectors(&state.pool, model, chat, before_seq)
        }
    };
    Ok(Some(top_k(&q, rows, k).await?))
}

/// The `k` rows nearest to `q`, best first (ties: smaller id first), read
/// one at a time: memory stays at a few `k` rows whatever the library.
pub async fn top_k(q: &[f32], mut rows: repo::VectorRows<'_>, k: usize) -> Result<Vec<(i64, f32)>> {
    use futures_util::TryStreamExt;
    let q = unit(q);
    let mut best: Vec<(i64, f32)> = Vec::with_capacity(4 * k + 1);
    let order = |a: &(i64, f32), b: &(i64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    while let Some((id, blob)) = rows.try_next().await? {
        best.push((id, cosine_le_bytes(&q, &blob)));
        if best.len() > 4 * k {
            best.sort_by(order);
            best.truncate(k);
        }
    }
    best.sort_by(order);
    best.truncate(k);
    Ok(best)
}
