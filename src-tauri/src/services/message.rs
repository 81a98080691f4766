//! Messages: appended in one transaction with the next `seq`, read a page
//! at a time, edited with the active swipe kept in step.

use serde_json::json;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, Id, Message, MessageInput, MessageRole, MessageStatus, Page, Timestamp,
};
use crate::repos::message::{self as repo, NewMessage};

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

async fn live_chat(pool: &SqlitePool, chat_id: Id) -> Result<()> {
    let chat = crate::repos::chat_session::get(pool, chat_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat", chat_id))?;
    if chat.deleted_at.is_some() {
        return Err(AppError::BusinessRule(
            "this chat is in the trash; restore it before adding messages".into(),
        ));
    }
    Ok(())
}

/// Appends a message written by the person (or a system note) to a chat.
pub async fn add(pool: &SqlitePool, chat_id: Id, input: MessageInput) -> Result<Message> {
    validate::message_content(&input.content, input.role == MessageRole::User)?;
    live_chat(pool, chat_id).await?;
    let id = new_id();
    let metadata = json!({});
    let mut tx = pool.begin().await?;
    repo::append(
        &mut tx,
        &NewMessage {
            id,
            chat_session_id: chat_id,
            role: input.role,
            status: MessageStatus::Completed,
            content: &input.content,
            metadata: &metadata,
            created_at: Timestamp::now(),
        },
    )
    .await?;
    tx.commit().await.context("save the message")?;
    get(pool, id).await
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
                ));
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
        return Err(AppError::validation(
            field,
            "that message belongs to another chat",
        ));
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
    let now = Timestamp::now();
    let status = match current.status {
        MessageStatus::Pending | MessageStatus::Streaming => {
            return Err(AppError::BusinessRule(
                "this reply is still being written; stop it before editing".into(),
            ))
        }
        s => s,
    };
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
    tx.commit().await.context("save the message")?;
    get(pool, id).await
}

/// Deletes a message and its swipes; a reply still being written must be
/// stopped first.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    let current = get(pool, id).await?;
    if matches!(
        current.status,
        MessageStatus::Pending | MessageStatus::Streaming
    ) {
        return Err(AppError::BusinessRule(
            "this reply is still being written; stop it before deleting".into(),
        ));
    }
    if !repo::delete(pool, id).await.context("delete the message")? {
        return Err(AppError::not_found("message", id));
    }
    Ok(())
}

/// Shows another swipe of a message (`index` from 0).
pub async fn set_swipe(pool: &SqlitePool, id: Id, index: i64) -> Result<Message> {
    let current = get(pool, id).await?;
    if index < 0 || index >= current.swipe_count {
        return Err(AppError::validation(
            "swipe",
            format!(
                "this message has {} swipes; there is no swipe {}",
                current.swipe_count,
                index + 1
            ),
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
    validate::message_content(content, false)?;
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    if current.swipe_count == 0 {
        repo::add_swipe(
            &mut tx,
            new_id(),
            id,
            &current.content,
            &current.metadata.0,
            now,
        )
        .await?;
    }
    let index = repo::add_swipe(&mut tx, new_id(), id, content, &json!({}), now).await?;
    repo::set_active_swipe(&mut *tx, id, index, now).await?;
    tx.commit().await.context("save the swipe")?;
    get(pool, id).await
}
