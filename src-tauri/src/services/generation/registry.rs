//! The replies being written, one per chat: reserve a chat, stop a reply,
//! let a window join it, pass on the window's "drawn" answers.
//!
//! The registry only holds handles; the reply's text and its listeners
//! belong to its task (`task.rs`), which a joining window reaches through a
//! queue, so it hears every delta after the text it was given.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::events::ReplySink;
use super::pacing::Shown;
use crate::error::{AppError, Result};
use crate::models::{new_id, Id};

struct Running {
    generation_id: Id,
    message_id: Id,
    cancel: CancellationToken,
    shown: Arc<Shown>,
    joins: mpsc::UnboundedSender<Box<dyn ReplySink>>,
}

/// The replies in flight, by chat.
#[derive(Default)]
pub struct Replies {
    running: Mutex<HashMap<Id, Running>>,
    /// Parley is closing: every reply saves what arrived and ends.
    closing: CancellationToken,
}

/// What a reply's task needs from its reservation.
pub struct Ticket {
    pub generation_id: Id,
    pub chat_id: Id,
    pub cancel: CancellationToken,
    /// Parley is closing.
    pub closing: CancellationToken,
    pub shown: Arc<Shown>,
    /// Windows joining the reply.
    pub joins: mpsc::UnboundedReceiver<Box<dyn ReplySink>>,
}

/// A chat reserved for one reply; released on drop unless launched.
pub struct Slot<'a> {
    replies: &'a Replies,
    ticket: Option<Ticket>,
}

impl Slot<'_> {
    pub fn generation_id(&self) -> Id {
        self.ticket
            .as_ref()
            .map_or_else(Id::nil, |t| t.generation_id)
    }

    /// Hands the reservation to the reply's task, which ends it.
    pub fn launch(mut self) -> Option<Ticket> {
        self.ticket.take()
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(t) = &self.ticket {
            self.replies.end(t.chat_id, t.generation_id);
        }
    }
}

fn busy() -> AppError {
    AppError::Conflict {
        field: None,
        message: "a reply is still being written in this chat; stop it or wait for it to finish"
            .into(),
        words: Some(Box::new(crate::error::Words {
            code: "reply_running",
            values: serde_json::json!({}),
        })),
    }
}

impl Replies {
    fn lock(&self) -> MutexGuard<'_, HashMap<Id, Running>> {
        // A panic while holding the lock leaves a usable map behind.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reserves the chat for a reply written into `message_id`.
    pub fn reserve(&self, chat_id: Id, message_id: Id) -> Result<Slot<'_>> {
        let mut running = self.lock();
        if running.contains_key(&chat_id) {
            return Err(busy());
        }
        let generation_id = new_id();
        let cancel = CancellationToken::new();
        let shown = Arc::new(Shown::default());
        let (tx, rx) = mpsc::unbounded_channel();
        running.insert(
            chat_id,
            Running {
                generation_id,
                message_id,
                cancel: cancel.clone(),
                shown: shown.clone(),
                joins: tx,
            },
        );
        Ok(Slot {
            replies: self,
            ticket: Some(Ticket {
                generation_id,
                chat_id,
                cancel,
                closing: self.closing.clone(),
                shown,
                joins: rx,
            }),
        })
    }

    /// The reply's task has finished.
    pub fn end(&self, chat_id: Id, generation_id: Id) {
        let mut running = self.lock();
        if running
            .get(&chat_id)
            .is_some_and(|r| r.generation_id == generation_id)
        {
            running.remove(&chat_id);
        }
    }

    fn with<T>(&self, generation_id: Id, f: impl FnOnce(&Running) -> T) -> Option<T> {
        let running = self.lock();
        running
            .values()
            .find(|r| r.generation_id == generation_id)
            .map(f)
    }

    /// Asks a reply to stop. Returns whether it was running.
    pub fn stop(&self, generation_id: Id) -> bool {
        self.with(generation_id, |r| r.cancel.cancel()).is_some()
    }

    /// Parley is closing: every reply ends as interrupted, its text saved.
    /// Resolves once all have ended, or after `wait` at most.
    pub async fn close(&self, wait: std::time::Duration) {
        self.closing.cancel();
        let deadline = tokio::time::Instant::now() + wait;
        while !self.lock().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// The window has drawn delta `seq` of a reply: the next one may go.
    /// Returns whether the reply was running.
    pub fn delta_shown(&self, generation_id: Id, seq: u64) -> bool {
        self.with(generation_id, |r| r.shown.drew(seq)).is_some()
    }

    /// Joins the reply being written in a chat: `sink` hears a `started`
    /// with the text so far, then the rest. `(generation, message)`, or
    /// `None` when no reply is being written there.
    pub fn attach(&self, chat_id: Id, sink: Box<dyn ReplySink>) -> Option<(Id, Id)> {
        let running = self.lock();
        let r = running.get(&chat_id)?;
        r.joins.send(sink).ok()?;
        Some((r.generation_id, r.message_id))
    }

    /// Whether any reply is being written.
    pub fn writing(&self) -> bool {
        !self.lock().is_empty()
    }

    /// The chats a reply is being written (or starting) in.
    pub fn chats(&self) -> Vec<Id> {
        self.lock().keys().copied().collect()
    }

    /// The reply being written in a chat: `(generation, message)`.
    pub fn in_chat(&self, chat_id: Id) -> Option<(Id, Id)> {
        self.lock()
            .get(&chat_id)
            .map(|r| (r.generation_id, r.message_id))
    }
}
