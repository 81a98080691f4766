//! Branches: "Branch from here" on a message makes a new chat holding the
//! history up to and including that message, which remembers its parent
//! chat and message. A chat lists its branches; a branch says where it came
//! from, even after its parent was purged (the parent's title and the
//! message's place are kept as words). SillyTavern's `main_chat` links are
//! `sillytavern`.
//!
//! The copy is one transaction done inside SQLite (`repos::branch`): the
//! messages with their `seq`, role, status, metadata and shown swipe, their
//! swipes, the summaries whose range is copied whole, and the chat's
//! character, persona, model, prompt and generation overrides. Documents
//! attached to the parent stay with the parent.

mod sillytavern;

pub use sillytavern::{link_imported, parent_file, set_main_chat, ParentFile, FILE_KEY};

use serde_json::json;
use sqlx::SqlitePool;

use super::validate::TITLE_MAX;
use crate::cards::sillytavern::META_KEY;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, BranchOrigin, BranchSummary, ChatSession, Id, Timestamp};
use crate::repos::{self, branch as repo};

/// What a branch is called: "<parent title> (branch)", cut to fit.
pub fn branch_title(parent: &str) -> String {
    const SUFFIX: &str = " (branch)";
    let parent = parent.trim();
    let parent = if parent.is_empty() {
        "Untitled chat"
    } else {
        parent
    };
    let kept: String = parent
        .chars()
        .take(TITLE_MAX - SUFFIX.chars().count())
        .collect();
    format!("{}{SUFFIX}", kept.trim_end())
}

/// The parent's metadata for the branch: SillyTavern's header stays (so an
/// export still carries it), but not what names the parent's own file or
/// links the parent to its own main chat.
fn branch_metadata(parent: serde_json::Value) -> serde_json::Value {
    let mut metadata = parent;
    if let Some(obj) = metadata.as_object_mut() {
        obj.remove(FILE_KEY);
        if let Some(chat_meta) = obj
            .get_mut(META_KEY)
            .and_then(|h| h.get_mut("chat_metadata"))
            .and_then(serde_json::Value::as_object_mut)
        {
            chat_meta.remove("main_chat");
        }
    }
    metadata
}

/// Makes a branch of the message's chat from that message: a new chat with
/// every message up to and including it. Refused when the chat is in the
/// trash or a reply is being written at or before the message.
pub async fn create(pool: &SqlitePool, message_id: Id) -> Result<ChatSession> {
    let m = super::message::get(pool, message_id).await?;
    let parent = super::chat_session::get(pool, m.chat_session_id).await?;
    if parent.deleted_at.is_some() {
        return Err(AppError::business(
            "this chat is in the trash; restore it before branching from it",
        )
        .worded("branch_from_trash", json!({})));
    }
    let metadata = branch_metadata(
        repos::chat_session::metadata(pool, parent.id)
            .await?
            .unwrap_or_default(),
    );
    let id = new_id();
    let now = Timestamp::now();
    let title = branch_title(&parent.title);
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    // The first write takes the database's write lock, so what is read
    // after it cannot change before the commit: the parent still live, no
    // reply started at or before the message meanwhile.
    if !repo::insert_chat(&mut tx, id, parent.id, &title, &metadata, m.id, m.seq, now).await? {
        return Err(AppError::business(
            "this chat is in the trash; restore it before branching from it",
        )
        .worded("branch_from_trash", json!({})));
    }
    if repo::writing_up_to(&mut *tx, parent.id, m.seq).await? {
        return Err(AppError::business(
            "a reply is still being written at or before this message; stop it or wait for it to finish before branching",
        )
        .worded("branch_while_writing", json!({})));
    }
    let copied = repo::copy_history(&mut tx, parent.id, id, m.seq, now).await?;
    let chat = repos::restore::<ChatSession, _>(&mut *tx, id, now)
        .await?
        .ok_or_else(|| {
            AppError::internal("the new branch could not be opened")
                .worded("branch_not_opened", json!({}))
        })?;
    tx.commit().await.context("make the branch")?;
    tracing::info!(
        chat_id = %id,
        parent_id = %parent.id,
        messages = copied,
        ms = started.elapsed().as_millis() as u64,
        "branch made"
    );
    Ok(chat)
}

/// Where a chat came from; `None` when it is not a branch.
pub async fn origin(pool: &SqlitePool, chat_id: Id) -> Result<Option<BranchOrigin>> {
    super::chat_session::get(pool, chat_id).await?;
    repo::origin(pool, chat_id)
        .await
        .context("read where the chat came from")
}

/// A chat's branches that are not in the trash, oldest first.
pub async fn list(pool: &SqlitePool, chat_id: Id) -> Result<Vec<BranchSummary>> {
    super::chat_session::get(pool, chat_id).await?;
    repo::children(pool, chat_id)
        .await
        .context("list the chat's branches")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case::plain("Rainy night", "Rainy night (branch)")]
    #[case::empty("  ", "Untitled chat (branch)")]
    #[case::branch_of_a_branch("Rainy night (branch)", "Rainy night (branch) (branch)")]
    fn branch_titles(#[case] parent: &str, #[case] title: &str) {
        assert_eq!(branch_title(parent), title);
    }

    #[test]
    fn a_long_title_is_cut_to_fit_with_its_suffix() {
        let title = branch_title(&"月".repeat(600));
        assert_eq!(title.chars().count(), TITLE_MAX);
        assert!(title.ends_with(" (branch)"));
    }

    #[test]
    fn the_parents_own_file_and_main_chat_are_not_copied() {
        let parent = json!({
            FILE_KEY: "Mira - 2024-05-01@10h00m00s",
            META_KEY: { "user_name": "Alex", "chat_metadata": { "main_chat": "older", "note": "x" } },
        });
        assert_eq!(
            branch_metadata(parent),
            json!({ META_KEY: { "user_name": "Alex", "chat_metadata": { "note": "x" } } })
        );
    }
}
