//! A chat's memory entries, as the memory panel changes them: list (newest
//! range first), add (a person's own entry over a range of messages), edit
//! (the text becomes the person's and is no longer stale), pin, delete.
//!
//! The summarizer (`services::memory::summarize`) writes the model's
//! entries; stale marking is the migration's triggers'. Ranges are message
//! `seq`s; the window shows them counted from 1 ("messages 12–40"), and
//! the words here do too.

use serde_json::json;
use sqlx::SqlitePool;

use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, ChatMemory, ChatMemoryInput, Id, MadeBy, Timestamp};
use crate::repos::chat_memory::{self as repo, NewMemory};

/// Longest entry, as the table allows.
pub const CONTENT_MAX_CHARS: usize = 100_000;

/// The entry's text, trimmed, or why it cannot be one.
pub fn content(value: &str) -> Result<String> {
    let text = value.trim();
    if text.is_empty() {
        return Err(AppError::validation(
            "content",
            "a memory entry needs some text; write what should be remembered",
        )
        .worded("memory_empty", json!({})));
    }
    let chars = text.chars().count();
    if chars > CONTENT_MAX_CHARS {
        return Err(AppError::validation(
            "content",
            format!(
                "a memory entry can be at most {CONTENT_MAX_CHARS} characters; this one has {chars}"
            ),
        )
        .worded(
            "memory_too_long",
            json!({ "limit": CONTENT_MAX_CHARS, "length": chars }),
        ));
    }
    Ok(text.to_string())
}

/// The chat, which must exist (its entries are listed even in the trash).
async fn chat_exists(pool: &SqlitePool, chat_id: Id) -> Result<()> {
    crate::repos::chat_session::get(pool, chat_id)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::not_found("chat", chat_id))
}

/// A chat's entries, newest range first.
pub async fn list(pool: &SqlitePool, chat_id: Id) -> Result<Vec<ChatMemory>> {
    chat_exists(pool, chat_id).await?;
    repo::list(pool, chat_id).await
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<ChatMemory> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("memory entry", id))
}

/// Checks a range against the chat's messages: first before last, both
/// messages of the chat.
pub async fn check_range(pool: &SqlitePool, chat_id: Id, first: i64, last: i64) -> Result<()> {
    if first < 0 {
        return Err(AppError::validation(
            "first_seq",
            "the range starts at message 1 at the earliest",
        )
        .worded("range_start", json!({})));
    }
    if first > last {
        return Err(AppError::validation(
            "last_seq",
            format!(
                "the range ends before it starts (messages {}–{}); the last message comes after the first",
                first + 1,
                last + 1
            ),
        )
        .worded("range_backwards", json!({ "first": first + 1, "last": last + 1 })));
    }
    if repo::seqs_found(pool, chat_id, first, last).await? < if first == last { 1 } else { 2 } {
        return Err(AppError::validation(
            "first_seq",
            format!(
                "this chat has no message {} or {} (it may have been deleted); choose messages it has",
                first + 1,
                last + 1
            ),
        )
        .worded("range_missing", json!({ "first": first + 1, "last": last + 1 })));
    }
    Ok(())
}

/// Adds a person's entry over messages `first_seq..=last_seq` of a chat
/// that is not in the trash.
pub async fn add(pool: &SqlitePool, chat_id: Id, input: ChatMemoryInput) -> Result<ChatMemory> {
    let text = content(&input.content)?;
    crate::services::message::live_chat(pool, chat_id).await?;
    check_range(pool, chat_id, input.first_seq, input.last_seq).await?;
    repo::insert(
        pool,
        &NewMemory {
            id: new_id(),
            chat_session_id: chat_id,
            first_seq: input.first_seq,
            last_seq: input.last_seq,
            made_by: MadeBy::Person,
            ai_model_id: None,
            content: &text,
            now: Timestamp::now(),
        },
    )
    .await
    .context("save the memory entry")
}

/// Replaces an entry's text with the person's: it is theirs from now on
/// and no longer stale.
pub async fn update(pool: &SqlitePool, id: Id, text: &str) -> Result<ChatMemory> {
    let text = content(text)?;
    repo::rewrite(pool, id, &text, MadeBy::Person, None, Timestamp::now())
        .await
        .context("save the memory entry")?
        .ok_or_else(|| AppError::not_found("memory entry", id))
}

/// Pins or unpins an entry (a pinned entry goes into the prompt first).
pub async fn set_pinned(pool: &SqlitePool, id: Id, pinned: bool) -> Result<ChatMemory> {
    repo::set_pinned(pool, id, pinned, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("memory entry", id))
}

pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    if !repo::delete(pool, id)
        .await
        .context("delete the memory entry")?
    {
        return Err(AppError::not_found("memory entry", id));
    }
    Ok(())
}
