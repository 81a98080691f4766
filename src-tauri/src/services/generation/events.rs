//! What the window hears about one reply: a tagged enum sent over the
//! reply's own channel, and the channels (sinks) listening to it.
//!
//! Every reply's channel hears `started` first, then `delta` / `reasoning`
//! as text arrives, then exactly one of `done`, `error` or `cancelled`.
//! A window that joins a running reply (a chat reopened) gets a `started`
//! carrying all the text written so far, then the same deltas. The
//! services know nothing of Tauri: a command wraps its `Channel` in a
//! [`ReplySink`].

use serde::Serialize;

use crate::error::AppError;
use crate::models::{Id, Message};

/// The reply has begun (or, for a window joining it, has come this far).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub generation_id: Id,
    pub message_id: Id,
    /// The person's message, for a send.
    pub user_message: Option<Message>,
    /// The reply as stored, its content being the text written so far.
    pub message: Message,
}

/// What a send began (`chat_send`): a reply, or in a group chat whose
/// turn order picks nobody, only the person's message. Untagged: a send
/// that starts a reply returns the same JSON as before group chats.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Sent {
    Started(Started),
    NoReply(NoReply),
}

/// The person's message was stored and no reply started: `noReply` says
/// why (`pickSpeaker`: manual turn order, the person picks who speaks
/// next and starts the turn with `group_turn`; `allMuted`). No event goes
/// over the channel. `generationId`, `messageId` and `message` are null,
/// so a window reading a `Started` sees there is no reply.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoReply {
    pub generation_id: Option<Id>,
    pub message_id: Option<Id>,
    pub user_message: Message,
    pub message: Option<Message>,
    pub no_reply: NoReplyReason,
}

/// New reply text, to append to what came before.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delta {
    pub text: String,
    /// Its number in the reply, from 1; the window answers with it once it
    /// has drawn it (`chat_delta_shown`, see `pacing`).
    pub seq: u64,
    /// When Parley sent it (Unix epoch, ms) and how long its oldest text
    /// waited in Parley (ms): only in builds for `make bench`.
    #[cfg(feature = "bench-timing")]
    pub emitted_at_ms: f64,
    #[cfg(feature = "bench-timing")]
    pub queued_ms: f64,
}

/// An event of one reply, as the window receives it:
/// `{"event": "delta", "data": {...}}`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum ReplyEvent {
    Started(Started),
    Delta(Delta),
    /// The model's thinking, shown apart from the reply.
    Reasoning {
        text: String,
    },
    /// The database did not take the finished reply (busy, locked, full):
    /// its text is kept in the journal and the save is tried again until it
    /// lands; the terminal event follows then. Not an end.
    NotSaved {
        error: AppError,
    },
    /// The reply is complete (or stopped at a length limit), as stored.
    Done {
        message: Message,
    },
    /// The reply failed; its text so far is kept in `message` when it
    /// could be read back.
    Error {
        message: Option<Message>,
        error: AppError,
    },
    /// The person stopped the reply; what arrived is kept.
    Cancelled {
        message: Message,
    },
}

/// Somewhere a reply's events go: a window's channel, or a test's recorder.
pub trait ReplySink: Send + Sync + 'static {
    /// Sends one event; `false` when nobody listens any more.
    fn send(&self, event: &ReplyEvent) -> bool;
}

/// The sinks of one reply: the one that started it and any that joined.
#[derive(Default)]
pub struct Listeners {
    sinks: Vec<Box<dyn ReplySink>>,
}

impl Listeners {
    pub fn add(&mut self, sink: Box<dyn ReplySink>) {
        self.sinks.push(sink);
    }

    /// Sends to every sink, dropping those nobody listens to any more.
    pub fn send(&mut self, event: &ReplyEvent) {
        self.sinks.retain(|s| s.send(event));
    }
}

/// Why nobody answers the person's message in a group chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NoReplyReason {
    /// Manual turn order: the person picks who speaks.
    PickSpeaker,
    /// Every member is muted.
    AllMuted,
}
