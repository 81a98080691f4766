//! The app's one summary queue (in `AppState`): the chats waiting for
//! summaries, the entries the person asked for, and what each chat's
//! summaries are doing, for the memory panel. A reply's end only puts its
//! chat in line here ([`Summaries::after_reply`]); the worker
//! (`summary_worker`) takes chats from it one at a time.
//!
//! How the worker runs them: a reply always goes first. Before each summary, and while it runs, the
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

use crate::models::Id;

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
pub(super) enum State {
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
pub(super) struct Inner {
    pub(super) queue: VecDeque<Id>,
    /// Entries the person asked to re-summarize, by chat.
    pub(super) asked: HashMap<Id, Vec<Id>>,
    pub(super) state: HashMap<Id, State>,
    /// Failed tries in a row, by chat.
    pub(super) tries: HashMap<Id, u32>,
    pub(super) worker: bool,
}

/// The queue (one per app, in `AppState`).
pub struct Summaries {
    inner: Mutex<Inner>,
    pub(super) wake: Notify,
    /// Waits before the second, third, ... try of a failed summary.
    pub(super) backoff: Vec<Duration>,
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

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
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

    pub(super) fn set(&self, chat_id: Id, state: Option<State>) {
        let mut inner = self.lock();
        match state {
            Some(s) => inner.state.insert(chat_id, s),
            None => inner.state.remove(&chat_id),
        };
    }

    /// A reply in a chat has ended: its chat may need summaries now.
    pub fn after_reply(&self, chat_id: Id) {
        self.enqueue(chat_id, None);
    }

    /// Puts a chat in line (once), with an entry the person asked for.
    pub(super) fn enqueue(&self, chat_id: Id, memory_id: Option<Id>) {
        {
            let mut inner = self.lock();
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
        }
        self.wake.notify_one();
    }
}
