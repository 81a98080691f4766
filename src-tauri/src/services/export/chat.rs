//! A chat out as SillyTavern `.jsonl`, read a page at a time; a group
//! chat with its group definition beside it (`group`).

use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sqlx::SqlitePool;

use super::{group, safe_file_stem, write_first_free, write_new};
use crate::cards::sillytavern::{self, LineSource, META_KEY};
use crate::error::{AppError, Result};
use crate::models::{Id, MessageRole};
use crate::repos;

/// Rows read per step while exporting a chat.
const EXPORT_PAGE: u32 = 2000;

/// The chat as SillyTavern `.jsonl` text: the header line, then every
/// message with its swipes, read a page at a time. A group chat's lines
/// name each speaker and its card file.
pub async fn chat_jsonl(pool: &SqlitePool, id: Id, out: &mut impl Write) -> Result<()> {
    let chat = crate::services::chat_session::get(pool, id).await?;
    let character_name = match chat.character_id {
        Some(cid) => repos::character::get(pool, cid).await?.map(|c| c.name),
        None => None,
    }
    .unwrap_or_else(|| "Assistant".into());
    let persona_name = match chat.user_profile_id {
        Some(pid) => repos::user_profile::get(pool, pid).await?.map(|p| p.name),
        None => None,
    };
    let metadata = repos::chat_session::metadata(pool, id)
        .await?
        .unwrap_or_default();
    let kept = metadata
        .get(META_KEY)
        .filter(|h| h.as_object().is_some_and(|o| !o.is_empty()));
    let mut group = group::GroupExport::of(pool, id, &metadata).await?;
    let mut header = kept.cloned().unwrap_or_else(|| match &group {
        Some(g) => g.new_header(),
        None => sillytavern::new_header(
            persona_name
                .as_deref()
                .unwrap_or(crate::services::prompt::DEFAULT_USER_NAME),
            &character_name,
            chat.created_at.millis(),
        ),
    });
    if let Some(g) = &group {
        g.put_scenario(&mut header);
    }
    // A branch names the chat it came from, as SillyTavern links them.
    if let Some(parent) = crate::services::branch::parent_file(pool, id).await? {
        let name = parent
            .sillytavern_file
            .unwrap_or_else(|| safe_file_stem(&parent.title));
        crate::services::branch::set_main_chat(&mut header, &name);
    }
    // The author's note and the variables as SillyTavern keeps them.
    sillytavern::set_authors_note(&mut header, &chat.authors_note);
    let variables = metadata.get("variables").filter(|v| v.is_object());
    if let (Some(v), Some(m)) = (
        variables,
        header
            .get_mut("chat_metadata")
            .and_then(Value::as_object_mut),
    ) {
        m.insert("variables".into(), v.clone());
    }
    let user_name = persona_name
        .or_else(|| {
            header
                .get("user_name")
                .and_then(Value::as_str)
                .filter(|n| *n != "unused")
                .map(str::to_string)
        })
        .unwrap_or_else(|| crate::services::prompt::DEFAULT_USER_NAME.into());
    let io = |e: std::io::Error| {
        AppError::internal(format!("the chat could not be written ({e})")).worded(
            "not_written",
            json!({ "entity": "chat", "reason": e.to_string() }),
        )
    };
    writeln!(out, "{header}").map_err(io)?;
    let mut from = 0;
    loop {
        let page = repos::message::page_from(pool, id, from, EXPORT_PAGE).await?;
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            break;
        };
        let swipes = repos::message::swipes_in_range(pool, id, first.seq, last.seq).await?;
        let mut by_message: HashMap<Id, Vec<&crate::models::MessageSwipe>> = HashMap::new();
        for s in &swipes {
            by_message.entry(s.message_id).or_default().push(s);
        }
        for m in &page {
            let (name, avatar) = match (m.role, group.as_mut()) {
                (MessageRole::User, _) => (user_name.clone(), None),
                (MessageRole::Assistant, Some(g)) => g.speaker(pool, m).await?,
                (MessageRole::Assistant, None) => (character_name.clone(), None),
                (MessageRole::System, _) => ("System".to_string(), None),
            };
            let line = sillytavern::to_line(&LineSource {
                role: m.role,
                content: &m.content,
                created_at: m.created_at.millis(),
                metadata: &m.metadata.0,
                swipes: by_message
                    .get(&m.id)
                    .map(|ws| {
                        ws.iter()
                            .map(|w| (w.content.as_str(), &w.metadata.0))
                            .collect()
                    })
                    .unwrap_or_default(),
                active_swipe: m.active_swipe.max(0) as usize,
                name: &name,
                avatar: avatar.as_deref(),
            });
            writeln!(out, "{line}").map_err(io)?;
        }
        from = last.seq + 1;
    }
    Ok(())
}

/// What a chat's export wrote.
#[derive(Debug, Clone)]
pub struct ChatExport {
    /// The chat's `.jsonl`.
    pub chat: PathBuf,
    /// A group chat's definition (`<id>.json`), beside it.
    pub group: Option<PathBuf>,
}

/// Writes the chat as a SillyTavern `.jsonl` into `dir`.
pub async fn export_chat(pool: &SqlitePool, id: Id, dir: &Path) -> Result<PathBuf> {
    Ok(export_chat_files(pool, id, dir).await?.chat)
}

/// Writes the chat as a SillyTavern `.jsonl` into `dir`, and for a group
/// chat its group definition `<id>.json` naming it (the id moved on past
/// any file already there, since SillyTavern reads the id from the file's
/// name and its contents alike).
pub async fn export_chat_files(pool: &SqlitePool, id: Id, dir: &Path) -> Result<ChatExport> {
    let chat = crate::services::chat_session::get(pool, id).await?;
    let metadata = repos::chat_session::metadata(pool, id)
        .await?
        .unwrap_or_default();
    let group = group::GroupExport::of(pool, id, &metadata).await?;
    let mut bytes = Vec::new();
    chat_jsonl(pool, id, &mut bytes).await?;
    // A group's chat keeps the file name SillyTavern gave it.
    let kept_file = metadata
        .get(crate::services::branch::FILE_KEY)
        .and_then(Value::as_str)
        .filter(|f| group.is_some() && !f.trim().is_empty());
    let stem = match kept_file {
        Some(f) => f,
        None if chat.title.trim().is_empty() => "chat",
        None => chat.title.as_str(),
    };
    let path = write_new(dir, stem, "jsonl", &bytes).await?;
    let mut group_path = None;
    if let Some(g) = group {
        let written = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let first = g.group_id(&chat);
        let ids: Vec<u64> = (0..1000).map(|n| first.saturating_add(n)).collect();
        let mut wrote = None;
        for gid in ids {
            let body =
                serde_json::to_vec_pretty(&g.definition(&chat, &written, gid)).map_err(|e| {
                    AppError::internal(format!("the group could not be written ({e})")).worded(
                        "not_written",
                        json!({ "entity": "group", "reason": e.to_string() }),
                    )
                })?;
            if let Some(p) = write_first_free(dir, vec![format!("{gid}.json")], &body).await? {
                wrote = Some(p);
                break;
            }
        }
        group_path = Some(wrote.ok_or_else(|| {
            AppError::internal(format!(
                "{} holds too many group files; choose another folder",
                dir.display()
            ))
            .worded(
                "too_many_group_files",
                json!({ "path": dir.display().to_string() }),
            )
        })?);
    }
    tracing::info!(chat_id = %id, group = group_path.is_some(), "chat exported");
    Ok(ChatExport {
        chat: path,
        group: group_path,
    })
}

/// A group chat's SillyTavern group definition naming the chat file
/// `chat_stem`; `None` for a one-character chat.
pub async fn group_json(pool: &SqlitePool, id: Id, chat_stem: &str) -> Result<Option<Value>> {
    let chat = crate::services::chat_session::get(pool, id).await?;
    let metadata = repos::chat_session::metadata(pool, id)
        .await?
        .unwrap_or_default();
    Ok(group::GroupExport::of(pool, id, &metadata)
        .await?
        .map(|g| g.definition(&chat, chat_stem, g.group_id(&chat))))
}
