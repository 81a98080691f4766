//! The background indexer: gives document chunks and messages their vectors
//! of the chosen embedding model, a batch at a time, one batch in flight.
//!
//! - **Resumable.** It asks the database what has no vector yet, so a
//!   restart, a new document or a new message just becomes more to do.
//! - **Replies first.** While a reply is being written it waits between
//!   batches (`state.replies`): the person's reply never queues behind
//!   vectors on a local server. (The registry knows chats, not providers,
//!   so it waits for any reply.)
//! - **Stops cleanly.** Before each batch it reads the setting again;
//!   turned off or changed, it stops, and a batch that was in flight is
//!   not stored for the old model.
//! - **Says how far it is** ([`super::Embeddings::progress`]) and, when a
//!   batch fails, why, in words; it tries again later.

use std::time::Duration;

use crate::ai::embeddings::{self, MAX_BATCH};
use crate::ai::Endpoint;
use crate::error::{AppError, Result};
use crate::models::{Id, IndexProgress, IndexState, Owner, Timestamp};
use crate::repos::embedding as repo;
use crate::state::AppState;

/// How often the indexer looks for new passages on its own (a new message
/// needs its vector only once it falls out of the prompt's window).
const IDLE_LOOK: Duration = Duration::from_secs(30);
/// How long it waits after a failed batch before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(60);
/// How often it looks whether a reply has finished.
const REPLY_POLL: Duration = Duration::from_millis(250);

/// The provider's endpoint and the model's id there, for `model`.
pub async fn endpoint(state: &AppState, model: Id) -> Result<(Endpoint, String)> {
    let m = crate::repos::ai_model::get(&state.pool, model)
        .await?
        .ok_or_else(|| AppError::not_found("model", model))?;
    let endpoint =
        crate::services::provider::endpoint(&state.pool, &*state.secrets, m.provider_id).await?;
    Ok((endpoint, m.model_id))
}

/// Runs for the app's life: a pass whenever woken or every [`IDLE_LOOK`].
pub async fn run(state: AppState) {
    loop {
        let wait = match pass(&state).await {
            Ok(_) => IDLE_LOOK,
            Err(e) => {
                tracing::warn!(error = %e, "embedding indexer: a batch failed; trying again later");
                let words = e.to_string();
                state.embeddings.update(|p| {
                    p.state = IndexState::Failed;
                    p.error = Some(words);
                });
                RETRY_AFTER
            }
        };
        let _ = tokio::time::timeout(wait, state.embeddings.wake.notified()).await;
    }
}

/// One pass: vectors for everything that has none, until done, the setting
/// changes, or a batch fails. Returns the progress it ended on.
pub async fn pass(state: &AppState) -> Result<IndexProgress> {
    let Some(model) = super::model(&state.pool).await? else {
        let off = IndexProgress::default();
        state.embeddings.update(|p| *p = off.clone());
        return Ok(off);
    };
    // Nothing new since the last pass: no counting (it reads every row).
    let known = state.embeddings.progress();
    if known.model == Some(model)
        && known.state == IndexState::Done
        && next_batch(state, model).await?.1.is_empty()
    {
        return Ok(known);
    }
    let (done, total) = repo::progress(&state.pool, model).await?;
    state.embeddings.update(|p| {
        *p = IndexProgress {
            state: if done >= total {
                IndexState::Done
            } else {
                IndexState::Indexing
            },
            model: Some(model),
            done,
            total,
            error: None,
        };
    });
    if done >= total {
        return Ok(state.embeddings.progress());
    }
    let (endpoint, model_id) = endpoint(state, model).await?;
    loop {
        if !still_chosen(state, model).await? {
            return Ok(state.embeddings.progress());
        }
        if state.replies.writing() {
            state.embeddings.update(|p| p.state = IndexState::Paused);
            tokio::time::sleep(REPLY_POLL).await;
            continue;
        }
        state.embeddings.update(|p| p.state = IndexState::Indexing);
        let (owner, batch) = next_batch(state, model).await?;
        if batch.is_empty() {
            state.embeddings.update(|p| {
                p.state = IndexState::Done;
                p.total = p.total.max(p.done);
                p.done = p.total;
            });
            return Ok(state.embeddings.progress());
        }
        let texts: Vec<String> = batch.iter().map(|(_, t)| t.clone()).collect();
        let vectors = embeddings::embed(&state.http, &endpoint, &model_id, &texts).await?;
        same_length_as_before(state, model, &endpoint, &vectors).await?;
        let rows: Vec<(i64, &str, Vec<f32>)> = batch
            .iter()
            .zip(vectors)
            .map(|((id, text), v)| (*id, text.as_str(), v))
            .collect();
        let mut tx = state.pool.begin().await?;
        let stored = repo::insert_many(&mut tx, model, owner, &rows, Timestamp::now()).await?;
        tx.commit().await?;
        if !still_chosen(state, model).await? {
            // Changed while the batch was out: what it stored is not wanted.
            let current = super::model(&state.pool).await?;
            repo::delete_other_models(&state.pool, current).await?;
            return Ok(state.embeddings.progress());
        }
        state.embeddings.update(|p| {
            p.done += stored;
            p.total = p.total.max(p.done);
        });
    }
}

/// Chunks first (documents are what a person adds on purpose), then
/// messages.
async fn next_batch(state: &AppState, model: Id) -> Result<(Owner, Vec<(i64, String)>)> {
    let limit = MAX_BATCH as i64;
    let chunks = repo::missing(&state.pool, model, Owner::Chunk, limit).await?;
    if !chunks.is_empty() {
        return Ok((Owner::Chunk, chunks));
    }
    Ok((
        Owner::Message,
        repo::missing(&state.pool, model, Owner::Message, limit).await?,
    ))
}

async fn still_chosen(state: &AppState, model: Id) -> Result<bool> {
    Ok(super::model(&state.pool).await? == Some(model))
}

/// A model that changes its vectors' length (another model loaded under
/// the same name) cannot be compared with what is stored: said in words.
async fn same_length_as_before(
    state: &AppState,
    model: Id,
    endpoint: &Endpoint,
    vectors: &[Vec<f32>],
) -> Result<()> {
    let Some(dims) = vectors.first().map(Vec::len) else {
        return Ok(());
    };
    match repo::dims(&state.pool, model).await? {
        Some(before) if before != dims as i64 => {
            Err(crate::ai::embeddings::dims_changed(endpoint, before, dims))
        }
        _ => Ok(()),
    }
}
