//! Writing replies: send, regenerate (a new swipe), continue, stop, a
//! window joining a running reply, "show prompt", and the startup sweep of
//! replies a crash interrupted. One reply per chat.
//!
//! One file per job:
//! - `start.rs`: the entry points; checks and writes go through
//!   `services::message`, which owns the rules about messages;
//! - `context.rs`: the reply's context (model, character, persona,
//!   history under the budget) and the prompt built from it;
//! - `speaker.rs`: in a group chat, who writes the reply and the context
//!   made for that member;
//! - `registry.rs`: the replies running, by chat (reserve, stop, join);
//! - `task.rs`: the streaming task;
//! - `save.rs`: its saves, beside the stream, and the final save that
//!   does not give up;
//! - `journal.rs`: the reply's text in a file while the database cannot
//!   take it, restored at the next start;
//! - `lifecycle.rs`: the reply's states and transitions, pure;
//! - `pacing.rs`: deltas paced by the window's frames;
//! - `events.rs`: what the window hears, over the reply's own channel.
//!
//! The text that arrived is saved at least every second while streaming
//! and always at the end (kept in the journal while the database cannot
//! take it), so nothing that arrived is lost; every reply ends with exactly
//! one terminal event.

mod context;
mod events;
pub mod journal;
mod lifecycle;
mod pacing;
pub mod registry;
mod save;
mod speaker;
mod start;
mod task;

pub use crate::services::group::speaker::{ChosenBy, PreviewSpeaker, Speaker};
pub use context::{preview, preview_by, preview_in, PromptPreview, ReplyContext};
pub use events::{Delta, NoReply, NoReplyReason, ReplyEvent, ReplySink, Sent, Started};
pub use lifecycle::{End, INTERRUPTED};
pub use pacing::SHOWN_WAIT;
pub use registry::Replies;
pub use start::{continue_reply, regenerate, send, send_as, turn};
pub use task::SAVE_INTERVAL;

use sqlx::SqlitePool;

use crate::error::Result;
use crate::models::Timestamp;

/// Restores replies kept in the journal beside the database at `db_path`
/// (their last save never landed), then marks replies left `pending` /
/// `streaming` by a crash as failed (`endReason` "interrupted"), keeping
/// their text. Run at startup, before the window opens.
pub async fn recover(pool: &SqlitePool, db_path: &std::path::Path) -> Result<u64> {
    // A journal that cannot be read back stays for the next start; the
    // sweep still runs.
    if let Err(e) = journal::recover(pool, &journal::dir(db_path)).await {
        tracing::error!(error = %e, "could not restore replies from the journal");
    }
    sweep_interrupted(pool).await
}

/// Marks replies left `pending` / `streaming` by a crash as failed
/// (`endReason` "interrupted"), keeping their text.
pub async fn sweep_interrupted(pool: &SqlitePool) -> Result<u64> {
    let n = crate::repos::message::fail_unfinished(pool, INTERRUPTED, Timestamp::now()).await?;
    if n > 0 {
        tracing::warn!(
            count = n,
            "replies interrupted by the last shutdown marked failed"
        );
    }
    Ok(n)
}
