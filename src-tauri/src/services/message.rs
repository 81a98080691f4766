//! Messages: appended in one transaction with the next `seq`, read a page
//! at a time, edited with the active swipe kept in step.

use serde_json::json;
use sqlx::{SqliteConnection, SqlitePool};

use super::{macros, validate};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, ChatSession, Id, Message, MessageInput, MessageRole, MessageStatus, Page, Timestamp,
};
use crate::repos::message::{self as repo, NewMessage};

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// The chat, if it is not in the trash: messages are only added to live
/// chats (by the person, an import into it, or a reply).
pub async fn live_chat(pool: &SqlitePool, chat_id: Id) -> Result<ChatSession> {
    let chat = crate::repos::chat_session::get(pool, chat_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat", chat_id))?;
    if chat.deleted_at.is_some() {
        return Err(
            AppError::business("this chat is in the trash; restore it first")
                .worded("in_trash_first", json!({ "entity": "chat" })),
        );
    }
    Ok(chat)
}

/// Appends a message written by the person (or a system note) to a chat.
pub async fn add(pool: &SqlitePool, chat_id: Id, input: MessageInput) -> Result<Message> {
    validate::message_content(&input.content, input.role == MessageRole::User)?;
    live_chat(pool, chat_id).await?;
    let mut tx = pool.begin().await?;
    let m = NewMessage::written(chat_id, input.role, &input.content, Timestamp::now());
    let mut m = repo::append(&mut tx, &m).await?;
    macros::chat::settle(&mut tx, &mut m).await?;
    tx.commit().await.context("save the message")?;
    Ok(m)
}

/// Appends the person's message and the reply that answers it (`pending`,
/// empty, with `metadata`) in one transaction: both or neither.
pub async fn add_exchange(
    pool: &SqlitePool,
    chat_id: Id,
    text: &str,
    reply_id: Id,
    metadata: &serde_json::Value,
) -> Result<(Message, Message)> {
    add_exchange_by(pool, chat_id, text, reply_id, metadata, None).await
}

/// `add_exchange` with the reply's speaker (a group member's id and name).
pub async fn add_exchange_by(
    pool: &SqlitePool,
    chat_id: Id,
    text: &str,
    reply_id: Id,
    metadata: &serde_json::Value,
    speaker: Option<(Id, &str)>,
) -> Result<(Message, Message)> {
    validate::message_content(text, true)?;
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    let user = NewMessage::written(chat_id, MessageRole::User, text, now);
    let mut user = repo::append(&mut tx, &user).await?;
    // The person's macros are evaluated once, as sent.
    macros::chat::settle(&mut tx, &mut user).await?;
    let reply = NewMessage::pending_reply(reply_id, chat_id, metadata, now, speaker);
    let reply = repo::append(&mut tx, &reply).await?;
    tx.commit().await.context("save the message")?;
    Ok((user, reply))
}

/// Appends a reply (`pending`, empty, with `metadata`) by a group member
/// with no message of the person's before it: a group's turn.
pub async fn add_reply(
    pool: &SqlitePool,
    chat_id: Id,
    reply_id: Id,
    metadata: &serde_json::Value,
    speaker: (Id, &str),
) -> Result<Message> {
    live_chat(pool, chat_id).await?;
    let mut tx = pool.begin().await?;
    let now = Timestamp::now();
    let reply = NewMessage::pending_reply(reply_id, chat_id, metadata, now, Some(speaker));
    let reply = repo::append(&mut tx, &reply).await?;
    tx.commit().await.context("save the reply")?;
    Ok(reply)
}

/// The chat's last message, if it is a character's reply: the one reply
/// that can be regenerated or continued.
pub async fn last_reply(pool: &SqlitePool, id: Id) -> Result<Message> {
    let m = get(pool, id).await?;
    if m.role != MessageRole::Assistant {
        return Err(
            AppError::business("only a character's reply can be regenerated or continued")
                .worded("only_replies_regenerate", json!({})),
        );
    }
    let (last, _) = repo::page(pool, m.chat_session_id, None, 1).await?;
    if last.first().map(|l| l.id) != Some(m.id) {
        return Err(AppError::business(
            "only the last reply can be regenerated or continued; delete the messages after it first",
        )
        .worded("only_last_regenerates", json!({})));
    }
    Ok(m)
}

/// Refuses `doing` to a reply still being written (or being saved): its
/// task writes the message until it ends, and would undo the change.
/// `code` words it in the window (`error.<code>`).
fn not_being_written(m: &Message, doing: &str, code: &'static str) -> Result<()> {
    if matches!(m.status, MessageStatus::Pending | MessageStatus::Streaming) {
        return Err(AppError::business(format!(
            "this reply is still being written; stop it or wait for it to finish before {doing}"
        ))
        .worded(code, json!({})));
    }
    Ok(())
}

/// A message about to get its first extra swipe keeps its current text as
/// swipe 0, so nothing it showed is lost.
async fn keep_first_swipe(conn: &mut SqliteConnection, m: &Message, now: Timestamp) -> Result<()> {
    if m.swipe_count == 0 {
        repo::add_swipe(conn, new_id(), m.id, &m.content, &m.metadata.0, now).await?;
    }
    Ok(())
}

/// Starts a new, empty swipe of a reply and shows it, `pending`, for a
/// regenerated reply; the old versions stay one swipe away. A version that
/// failed before any text arrived is replaced instead (a retry), so
/// failures never stack up as swipes; one that failed with text keeps it.
pub async fn begin_swipe(
    pool: &SqlitePool,
    m: &Message,
    metadata: &serde_json::Value,
) -> Result<Message> {
    not_being_written(m, "regenerating", "writing_then_regenerate")?;
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    if !(m.status == MessageStatus::Failed && m.content.trim().is_empty()) {
        keep_first_swipe(&mut tx, m, now).await?;
        let index = repo::add_swipe(&mut tx, new_id(), m.id, "", metadata, now).await?;
        repo::set_active_swipe(&mut *tx, m.id, index, now).await?;
    }
    let reply = repo::save_reply(&mut tx, m.id, "", MessageStatus::Pending, metadata, now).await?;
    tx.commit().await.context("start a new swipe")?;
    Ok(reply)
}

/// Opens a finished reply again to be continued: `pending`, its text kept,
/// its old error dropped.
pub async fn reopen(pool: &SqlitePool, m: &Message) -> Result<Message> {
    not_being_written(m, "continuing", "writing_then_continue")?;
    let mut metadata = m.metadata.0.clone();
    if let Some(obj) = metadata.as_object_mut() {
        obj.remove("error");
        obj.remove("endReason");
    }
    let mut conn = pool.acquire().await?;
    repo::save_reply(
        &mut conn,
        m.id,
        &m.content,
        MessageStatus::Pending,
        &metadata,
        Timestamp::now(),
    )
    .await
    .context("reopen the reply")
}

/// Saves a reply's text, status and metadata (and its shown swipe);
/// returns it as stored.
pub async fn save_reply(
    pool: &SqlitePool,
    id: Id,
    content: &str,
    status: MessageStatus,
    metadata: &serde_json::Value,
) -> Result<Message> {
    let mut conn = pool.acquire().await?;
    repo::save_reply(&mut conn, id, content, status, metadata, Timestamp::now()).await
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<Message> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("message", id))
}

/// The page of a chat ending just before `before` (a message id), or its
/// last page. `next_cursor` is the id to pass for the earlier page.
pub async fn page(
    pool: &SqlitePool,
    chat_id: Id,
    before: Option<Id>,
    limit: Option<u32>,
) -> Result<Page<Message>> {
    let n = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let before_seq = match before {
        Some(id) => {
            let m = get(pool, id).await?;
            if m.chat_session_id != chat_id {
                return Err(AppError::validation(
                    "before_id",
                    "that message belongs to another chat",
                )
                .worded("message_elsewhere", json!({})));
            }
            Some(m.seq)
        }
        None => {
            crate::repos::chat_session::get(pool, chat_id)
                .await?
                .ok_or_else(|| AppError::not_found("chat", chat_id))?;
            None
        }
    };
    let (items, more) = repo::page(pool, chat_id, before_seq, n)
        .await
        .context("load the messages")?;
    let next_cursor = if more {
        items.first().map(|m| m.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The message and that it belongs to the chat.
async fn in_chat(pool: &SqlitePool, chat_id: Id, id: Id, field: &str) -> Result<Message> {
    let m = get(pool, id).await?;
    if m.chat_session_id != chat_id {
        return Err(
            AppError::validation(field, "that message belongs to another chat")
                .worded("message_elsewhere", json!({})),
        );
    }
    Ok(m)
}

/// The page right after a message, oldest first; `next_cursor` is the id
/// to pass for the page after it, `None` at the chat's end.
pub async fn page_after(
    pool: &SqlitePool,
    chat_id: Id,
    after: Id,
    limit: Option<u32>,
) -> Result<Page<Message>> {
    let n = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let m = in_chat(pool, chat_id, after, "after_id").await?;
    let mut items = repo::page_from(pool, chat_id, m.seq + 1, n + 1)
        .await
        .context("load the messages")?;
    let more = items.len() > n as usize;
    items.truncate(n as usize);
    let next_cursor = if more {
        items.last().map(|m| m.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Messages around one (a jump from search): up to `limit`, about half
/// before it, oldest first, with whether more exist either side.
pub async fn page_around(
    pool: &SqlitePool,
    chat_id: Id,
    id: Id,
    limit: Option<u32>,
) -> Result<Window> {
    let n = limit.unwrap_or(DEFAULT_PAGE).clamp(2, MAX_PAGE);
    let m = in_chat(pool, chat_id, id, "message_id").await?;
    let half = n / 2;
    let (mut items, has_before) = repo::page(pool, chat_id, Some(m.seq), half)
        .await
        .context("load the messages")?;
    let after_n = n - half;
    let mut after = repo::page_from(pool, chat_id, m.seq, after_n + 1)
        .await
        .context("load the messages")?;
    let has_after = after.len() > after_n as usize;
    after.truncate(after_n as usize);
    items.extend(after);
    Ok(Window {
        items,
        has_before,
        has_after,
    })
}

/// A stretch of a chat that need not touch either end.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub items: Vec<Message>,
    pub has_before: bool,
    pub has_after: bool,
}

/// Replaces a message's text; the swipe it shows changes with it.
pub async fn update(pool: &SqlitePool, id: Id, content: &str) -> Result<Message> {
    let current = get(pool, id).await?;
    validate::message_content(content, current.role == MessageRole::User)?;
    not_being_written(&current, "editing", "writing_then_edit")?;
    let now = Timestamp::now();
    let status = current.status;
    let mut tx = pool.begin().await?;
    repo::update_content(&mut *tx, id, content, status, now).await?;
    if current.swipe_count > 0 {
        if let Some(swipe) = repo::swipes(&mut *tx, id)
            .await?
            .into_iter()
            .find(|s| s.swipe_index == current.active_swipe)
        {
            repo::update_swipe(&mut *tx, swipe.id, content, now).await?;
        }
    }
    // An edit makes the text anew: its macros are evaluated again, once.
    macros::chat::settle_text(&mut tx, &current, content).await?;
    tx.commit().await.context("save the message")?;
    get(pool, id).await
}

/// Deletes a message and its swipes; a reply still being written must be
/// stopped first.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    let current = get(pool, id).await?;
    not_being_written(&current, "deleting", "writing_then_delete")?;
    if !repo::delete(pool, id).await.context("delete the message")? {
        return Err(AppError::not_found("message", id));
    }
    Ok(())
}

/// Shows another swipe of a message (`index` from 0).
pub async fn set_swipe(pool: &SqlitePool, id: Id, index: i64) -> Result<Message> {
    let current = get(pool, id).await?;
    not_being_written(&current, "switching its version", "writing_then_switch")?;
    if index < 0 || index >= current.swipe_count {
        return Err(AppError::validation(
            "swipe",
            format!(
                "this message has {} swipes; there is no swipe {}",
                current.swipe_count,
                index + 1
            ),
        )
        .worded(
            "no_such_swipe",
            json!({ "count": current.swipe_count, "swipe": index + 1 }),
        ));
    }
    repo::set_active_swipe(pool, id, index, Timestamp::now())
        .await
        .context("switch the swipe")?;
    get(pool, id).await
}

/// Adds a new swipe and shows it; the first swipe keeps the current text.
pub async fn add_swipe(pool: &SqlitePool, id: Id, content: &str) -> Result<Message> {
    let current = get(pool, id).await?;
    not_being_written(&current, "adding a version", "writing_then_add_version")?;
    validate::message_content(content, false)?;
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    keep_first_swipe(&mut tx, &current, now).await?;
    let index = repo::add_swipe(&mut tx, new_id(), id, content, &json!({}), now).await?;
    repo::set_active_swipe(&mut *tx, id, index, now).await?;
    macros::chat::settle_text(&mut tx, &current, content).await?;
    tx.commit().await.context("save the swipe")?;
    get(pool, id).await
}
