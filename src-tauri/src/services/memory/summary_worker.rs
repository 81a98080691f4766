//! The one task that writes summaries, a chat at a time, from the queue
//! (`summary_queue`), in the background: never inside a command's or a
//! reply's await. Started with the app ([`start`]; a request from the
//! memory panel starts it too).
//!
//! A reply always goes first. Before each summary, and while it runs, the
//! worker looks at the replies being written (`state.replies`): while one
//! runs on the summary model's provider (a local server runs one model at a
//! time; a remote one shares the person's rate limits) the summary waits,
//! and a reply starting there interrupts a running summary (its request is
//! dropped, which closes the connection) to run it again once the reply is
//! done. A failed summary keeps its reason for the memory panel, is logged
//! (provider errors carry no key), and is tried again after the queue's
//! backoff; after the last try it waits for the next reply or for the
//! person's "Re-summarize".

use std::time::{Duration, Instant};

use super::summarize::{self, Piece};
use super::summary_queue::{State, SummaryStatus};
use crate::error::{AppError, Result};
use crate::models::Id;
use crate::state::AppState;

/// How often a waiting or running summary looks at the replies.
const REPLY_POLL: Duration = Duration::from_millis(50);

/// Starts the worker (once per app).
pub fn start(state: &AppState) {
    let first = !std::mem::replace(&mut state.summaries.lock().worker, true);
    if first {
        tokio::spawn(worker(state.clone()));
    }
}

/// The person asks for summaries now: of one entry (`memory_id`), or of
/// whatever the chat needs. Failed tries start counting again.
pub fn resummarize(state: &AppState, chat_id: Id, memory_id: Option<Id>) {
    state.summaries.lock().tries.remove(&chat_id);
    state.summaries.enqueue(chat_id, memory_id);
    start(state);
}

/// The memory panel's "Re-summarize": the chat must be live, and the entry
/// (when one is named) one of its own. Returns the summaries' status.
pub async fn ask(state: &AppState, chat_id: Id, memory_id: Option<Id>) -> Result<SummaryStatus> {
    crate::services::message::live_chat(&state.pool, chat_id).await?;
    if let Some(id) = memory_id {
        let entry = crate::repos::chat_memory::get(&state.pool, id).await?;
        if entry.is_none_or(|e| e.chat_session_id != chat_id) {
            return Err(AppError::not_found("memory entry", id));
        }
    }
    resummarize(state, chat_id, memory_id);
    Ok(state.summaries.status(chat_id))
}

/// The one task that runs summaries, one chat at a time, for the app's life.
async fn worker(state: AppState) {
    loop {
        let next = state.summaries.lock().queue.pop_front();
        match next {
            Some(chat_id) => run_chat(&state, chat_id).await,
            None => state.summaries.wake.notified().await,
        }
    }
}

async fn run_chat(state: &AppState, chat_id: Id) {
    let q = &state.summaries;
    let asked = q.lock().asked.remove(&chat_id).unwrap_or_default();
    let plan = match summarize::plan(state, chat_id, &asked).await {
        Ok(Some(plan)) => plan,
        Ok(None) => {
            q.set(chat_id, None);
            return;
        }
        Err(e) => return failed(state, chat_id, &e, asked),
    };
    for piece in &plan.pieces {
        match one(state, &plan, piece).await {
            // The model answers: failures start counting again.
            Ok(true) => {
                q.lock().tries.remove(&chat_id);
            }
            // The chat went to the trash or away meanwhile.
            Ok(false) => break,
            Err(e) => return failed(state, chat_id, &e, asked),
        }
    }
    q.lock().tries.remove(&chat_id);
    q.set(chat_id, None);
}

/// One summary, after any reply on its provider, run again when a reply
/// interrupts it. `false` when the chat is no longer live.
async fn one(state: &AppState, plan: &summarize::Plan, piece: &Piece) -> Result<bool> {
    let q = &state.summaries;
    let provider = plan.model.provider_id;
    loop {
        if !crate::repos::exists_live(
            &state.pool,
            crate::repos::Table::ChatSessions,
            piece.chat_id,
        )
        .await?
        {
            return Ok(false);
        }
        if reply_on(state, provider).await? {
            q.set(
                piece.chat_id,
                Some(State::Waiting(piece.first_seq, piece.last_seq)),
            );
            while reply_on(state, provider).await? {
                tokio::time::sleep(REPLY_POLL).await;
            }
        }
        q.set(
            piece.chat_id,
            Some(State::Running(piece.first_seq, piece.last_seq)),
        );
        tokio::select! {
            r = summarize::write(state, &plan.model, piece, plan.range_tokens) => {
                r?;
                return Ok(true);
            }
            r = reply_starts(state, provider) => {
                r?;
                tracing::info!(chat_id = %piece.chat_id, first_seq = piece.first_seq, "a reply started on the summary's provider; the summary waits for it");
            }
        }
    }
}

/// Resolves once a reply is being written on `provider`.
async fn reply_starts(state: &AppState, provider: Id) -> Result<()> {
    loop {
        tokio::time::sleep(REPLY_POLL).await;
        if reply_on(state, provider).await? {
            return Ok(());
        }
    }
}

/// Whether a reply is being written (or starting) on `provider`.
async fn reply_on(state: &AppState, provider: Id) -> Result<bool> {
    for chat in state.replies.chats() {
        if crate::repos::chat_memory::reply_provider(&state.pool, chat).await? == Some(provider) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Keeps why a chat's summary failed, and tries again after the backoff.
fn failed(state: &AppState, chat_id: Id, e: &AppError, asked: Vec<Id>) {
    let q = &state.summaries;
    let tries = {
        let mut inner = q.lock();
        let t = inner.tries.entry(chat_id).or_insert(0);
        *t += 1;
        *t
    };
    let wait = usize::try_from(tries - 1)
        .ok()
        .and_then(|i| q.backoff.get(i))
        .copied();
    tracing::warn!(chat_id = %chat_id, tries, error = %e, retry_in_secs = wait.map(|w| w.as_secs()), "a summary failed");
    q.set(
        chat_id,
        Some(State::Failed {
            error: e.to_string(),
            tries,
            retry_at: wait.map(|w| Instant::now() + w),
        }),
    );
    if let Some(wait) = wait {
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            // A run since (the person asked again) settled it.
            let still_failed = matches!(
                state.summaries.lock().state.get(&chat_id),
                Some(State::Failed { .. })
            );
            if !still_failed {
                return;
            }
            if !asked.is_empty() {
                state
                    .summaries
                    .lock()
                    .asked
                    .entry(chat_id)
                    .or_default()
                    .extend(asked);
            }
            state.summaries.enqueue(chat_id, None);
        });
    }
}
