//! Quick replies: which message templates show over a chat's composer.
//! A chat shows its own, then its character's (each template once); a
//! click sends the filled text or puts it in the composer (the entry's
//! mode). Templates in the trash do not show; purging one removes it.

use serde_json::json;
use std::collections::HashSet;

use sqlx::SqlitePool;

use crate::error::{AppError, Result, ResultExt};
use crate::models::{Id, QuickReply, QuickReplyInput, QuickReplyOwner, TemplateType, Timestamp};
use crate::repos::{self, quick_reply as repo, Table};

/// At most this many quick replies per chat or character.
pub const MAX: usize = 50;

/// Replaces the owner's quick replies with `items`, in order; returns them.
pub async fn set(
    pool: &SqlitePool,
    owner: QuickReplyOwner,
    items: Vec<QuickReplyInput>,
) -> Result<Vec<QuickReply>> {
    match owner {
        QuickReplyOwner::Chat(id) => {
            crate::services::require_live(pool, Table::ChatSessions, id, "chat", None).await?
        }
        QuickReplyOwner::Character(id) => {
            crate::services::require_live(pool, Table::Characters, id, "character", None).await?
        }
    }
    if items.len() > MAX {
        return Err(AppError::validation(
            "items",
            format!(
                "{} quick replies is too many; the limit is {MAX}",
                items.len()
            ),
        )
        .worded(
            "too_many_quick_replies",
            json!({ "count": items.len(), "limit": MAX }),
        ));
    }
    let mut seen = HashSet::new();
    let mut unique = Vec::with_capacity(items.len());
    for item in items {
        if !seen.insert(item.template_id) {
            continue;
        }
        let t = super::get(pool, item.template_id).await?;
        if t.deleted_at.is_some() {
            return Err(AppError::validation(
                "templateId",
                format!("\"{}\" is in the trash; restore it first", t.name),
            )
            .worded("named_in_trash", json!({ "name": t.name })));
        }
        if t.kind != TemplateType::Message {
            return Err(AppError::validation(
                "templateId",
                format!(
                    "\"{}\" is a {} template; quick replies are message templates",
                    t.name,
                    t.kind.label()
                ),
            )
            .worded("quick_reply_not_message", json!({ "name": t.name })));
        }
        unique.push(item);
    }
    let mut tx = pool.begin().await?;
    repo::replace(&mut tx, owner, &unique, Timestamp::now()).await?;
    tx.commit().await.context("save the quick replies")?;
    list(pool, owner).await
}

/// The owner's own quick replies, in order.
pub async fn list(pool: &SqlitePool, owner: QuickReplyOwner) -> Result<Vec<QuickReply>> {
    repo::list(pool, owner)
        .await
        .context("list the quick replies")
}

/// What a chat's bar shows: the chat's own, then its character's that the
/// chat does not already have.
pub async fn for_chat(pool: &SqlitePool, chat_id: Id) -> Result<Vec<QuickReply>> {
    let chat = repos::chat_session::get(pool, chat_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat", chat_id))?;
    let mut out = list(pool, QuickReplyOwner::Chat(chat_id)).await?;
    if let Some(character) = chat.character_id {
        let have: HashSet<Id> = out.iter().map(|q| q.template_id).collect();
        out.extend(
            list(pool, QuickReplyOwner::Character(character))
                .await?
                .into_iter()
                .filter(|q| !have.contains(&q.template_id)),
        );
    }
    Ok(out)
}
