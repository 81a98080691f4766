//! The app's one summary queue: chats wait in line and one summary runs at
//! a time, in a background task of its own, never inside a command's or a
//! reply's await.
//!
//! A reply always goes first. Before each summary, and while it runs, the
//! queue looks at the replies being written (`state.replies`): while one
//! runs on the summary model's provider (a local server runs one model at a
//! time; a remote one shares the person's rate limits) the summary waits,
//! and a reply starting there interrupts a running summary (its request is
//! dropped, which closes the connection) to run it again once the reply is
//! done. A failed summary keeps its reason for the memory panel, is logged
//! (provider errors carry no key), and is tried again after
//! [`Summaries::backoff`]; after the last try it waits for the next reply
//! or for the person's "Re-summarize".

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Notify;

use super::summarize::{self, Piece};
use crate::error::{AppError, Result};
use crate::models::Id;
use crate::state::AppState;

/// How often a waiting or running summary looks at the replies.
const REPLY_POLL: Duration = Duration::from_millis(50);

/// What a chat's summaries are doing, for the memory panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SummaryStatus {
    Idle,
    /// In line behind another chat's summaries.
    Queued,
    Running {
        first_seq: i64,
        last_seq: i64,
    },
    /// A reply on the same provider goes first.
    WaitingForReply {
        first_seq: i64,
        last_seq: i64,
    },
    /// The last try failed; `retry_in_secs` is when the next one runs
    /// (`None`: after the next reply, or when asked).
    Failed {
        error: String,
        tries: u32,
        retry_in_secs: Option<u64>,
    },
}

#[derive(Debug, Clone)]
enum State {
    Queued,
    Running(i64, i64),
    Waiting(i64, i64),
    Failed {
        error: String,
        tries: u32,
        retry_at: Option<Instant>,
    },
}

#[derive(Default)]
struct Inner {
    queue: VecDeque<Id>,
    /// Entries the person asked to re-summarize, by chat.
    asked: HashMap<Id, Vec<Id>>,
    state: HashMap<Id, State>,
    /// Failed tries in a row, by chat.
    tries: HashMap<Id, u32>,
    worker: bool,
}

/// The queue (one per app, in `AppState`).
pub struct Summaries {
    inner: Mutex<Inner>,
    wake: Notify,
    /// Waits before the second, third, ... try of a failed summary.
    backoff: Vec<Duration>,
}

impl Default for Summaries {
    fn default() -> Self {
        Self::with_backoff(vec![
            Duration::from_secs(5),
            Duration::from_secs(30),
            Duration::from_secs(120),
        ])
    }
}

impl Summaries {
    /// A queue whose failed summaries are tried again after these waits.
    pub fn with_backoff(backoff: Vec<Duration>) -> Self {
        Self {
            inner: Mutex::default(),
            wake: Notify::new(),
            backoff,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What a chat's summaries are doing.
    pub fn status(&self, chat_id: Id) -> SummaryStatus {
        match self.lock().state.get(&chat_id) {
            None => SummaryStatus::Idle,
            Some(State::Queued) => SummaryStatus::Queued,
            Some(&State::Running(first_seq, last_seq)) => SummaryStatus::Running {
                first_seq,
                last_seq,
            },
            Some(&State::Waiting(first_seq, last_seq)) => SummaryStatus::WaitingForReply {
                first_seq,
                last_seq,
            },
            Some(State::Failed {
                error,
                tries,
                retry_at,
            }) => SummaryStatus::Failed {
                error: error.clone(),
                tries: *tries,
                retry_in_secs: retry_at
                    .map(|at| at.saturating_duration_since(Instant::now()).as_secs()),
            },
        }
    }

    fn set(&self, chat_id: Id, state: Option<State>) {
        let mut inner = self.lock();
        match state {
            Some(s) => inner.state.insert(chat_id, s),
            None => inner.state.remove(&chat_id),
        };
    }
}

/// A reply in a chat has ended: its chat may need summaries now.
pub fn after_reply(state: &AppState, chat_id: Id) {
    enqueue(state, chat_id, None);
}

/// The person asks for summaries now: of one entry (`memory_id`), or of
/// whatever the chat needs. Failed tries start counting again.
pub fn resummarize(state: &AppState, chat_id: Id, memory_id: Option<Id>) {
    state.summaries.lock().tries.remove(&chat_id);
    enqueue(state, chat_id, memory_id);
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

fn enqueue(state: &AppState, chat_id: Id, memory_id: Option<Id>) {
    let q = &state.summaries;
    let start_worker = {
        let mut inner = q.lock();
        if let Some(id) = memory_id {
            inner.asked.entry(chat_id).or_default().push(id);
        }
        if !inner.queue.contains(&chat_id) {
            inner.queue.push_back(chat_id);
        }
        if !matches!(
            inner.state.get(&chat_id),
            Some(State::Running(..) | State::Waiting(..))
        ) {
            inner.state.insert(chat_id, State::Queued);
        }
        !std::mem::replace(&mut inner.worker, true)
    };
    q.wake.notify_one();
    if start_worker {
        tokio::spawn(worker(state.clone()));
    }
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
            enqueue(&state, chat_id, None);
        });
    }
}
