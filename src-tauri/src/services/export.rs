//! Export: a character as a card file (PNG, JSON V2 or V3), a chat as
//! SillyTavern `.jsonl`, written into a folder under a name that is new
//! there. Reading files in is `services::import`.
//!
//! Nothing exported carries a secret: cards hold the character, chats the
//! messages and their metadata.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::SqlitePool;

use super::character;
use crate::cards;
use crate::cards::card::{self, Avatar, Spec};
use crate::cards::sillytavern::{self, LineSource, META_KEY};
use crate::error::{AppError, Result};
use crate::models::{Id, MessageRole};
use crate::repos;

/// Card formats Parley writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardFormat {
    Png,
    JsonV2,
    JsonV3,
}

impl CardFormat {
    fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::JsonV2 | Self::JsonV3 => "json",
        }
    }
}

/// The character as a card file's bytes.
pub async fn card_bytes(pool: &SqlitePool, id: Id, format: CardFormat) -> Result<Vec<u8>> {
    let c = character::get(pool, id).await?;
    card_bytes_of(pool, c, format).await
}

async fn card_bytes_of(
    pool: &SqlitePool,
    c: crate::models::Character,
    format: CardFormat,
) -> Result<Vec<u8>> {
    let id = c.id;
    let parts = repos::character::card_parts(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("character", id))?;
    let card_json = parts.card_json.map(|j| j.0);
    match format {
        CardFormat::JsonV2 | CardFormat::JsonV3 => {
            let spec = if format == CardFormat::JsonV2 {
                Spec::V2
            } else {
                Spec::V3
            };
            let value = card::to_card_json(&c, card_json.as_ref(), spec);
            serde_json::to_vec_pretty(&value)
                .map_err(|e| AppError::internal(format!("the card could not be written ({e})")))
        }
        CardFormat::Png => {
            // The stored media type is a hint; the bytes say what they are.
            let avatar = parts.avatar.and_then(|bytes| {
                cards::image::sniff_mime(&bytes).map(|mime| Avatar { bytes, mime })
            });
            tokio::task::spawn_blocking(move || {
                card::to_png(&c, card_json.as_ref(), avatar.as_ref())
            })
            .await
            .map_err(|e| AppError::internal(format!("the export stopped unexpectedly ({e})")))?
            .map_err(|e| AppError::internal(format!("the card could not be written: {e}")))
        }
    }
}

/// Where exports go: `PARLEY_EXPORT_DIR`, else the Downloads folder, else home.
pub fn exports_dir() -> PathBuf {
    std::env::var_os("PARLEY_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A file name made from a display name: no separators, no leading dot,
/// no control characters, at most 100 characters.
pub fn safe_file_stem(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_()'.,!&+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        "export".into()
    } else {
        trimmed.to_string()
    }
}

/// A path in `dir` for `stem.ext` that does not exist yet ("name (2).ext").
fn free_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{stem} ({n}).{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

async fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| {
        AppError::internal(format!(
            "the folder {} could not be made ({e})",
            dir.display()
        ))
    })?;
    let path = free_path(dir, &safe_file_stem(stem), ext);
    tokio::fs::write(&path, bytes).await.map_err(|e| {
        AppError::internal(format!("{} could not be written ({e})", path.display()))
    })?;
    Ok(path)
}

/// Writes the character as a card into `dir`; returns the file's path.
pub async fn export_character(
    pool: &SqlitePool,
    id: Id,
    format: CardFormat,
    dir: &Path,
) -> Result<PathBuf> {
    let c = character::get(pool, id).await?;
    let name = c.name.clone();
    let bytes = card_bytes_of(pool, c, format).await?;
    let path = write_new(dir, &name, format.extension(), &bytes).await?;
    tracing::info!(character_id = %id, "character exported");
    Ok(path)
}

/// Rows read per step while exporting a chat.
const EXPORT_PAGE: u32 = 2000;

/// The chat as SillyTavern `.jsonl` text: the header line, then every
/// message with its swipes, read a page at a time.
pub async fn chat_jsonl(pool: &SqlitePool, id: Id, out: &mut impl Write) -> Result<()> {
    let chat = super::chat_session::get(pool, id).await?;
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
    let header = kept.cloned().unwrap_or_else(|| {
        sillytavern::new_header(
            persona_name
                .as_deref()
                .unwrap_or(super::prompt::DEFAULT_USER_NAME),
            &character_name,
            chat.created_at.millis(),
        )
    });
    let user_name = persona_name
        .or_else(|| {
            header
                .get("user_name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| super::prompt::DEFAULT_USER_NAME.into());
    let io = |e: std::io::Error| AppError::internal(format!("the chat could not be written ({e})"));
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
            let name = match m.role {
                MessageRole::User => user_name.as_str(),
                MessageRole::Assistant => character_name.as_str(),
                MessageRole::System => "System",
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
                name,
            });
            writeln!(out, "{line}").map_err(io)?;
        }
        from = last.seq + 1;
    }
    Ok(())
}

/// Writes the chat as a SillyTavern `.jsonl` into `dir`.
pub async fn export_chat(pool: &SqlitePool, id: Id, dir: &Path) -> Result<PathBuf> {
    let chat = super::chat_session::get(pool, id).await?;
    let mut bytes = Vec::new();
    chat_jsonl(pool, id, &mut bytes).await?;
    let stem = if chat.title.trim().is_empty() {
        "chat"
    } else {
        chat.title.as_str()
    };
    let path = write_new(dir, stem, "jsonl", &bytes).await?;
    tracing::info!(chat_id = %id, "chat exported");
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_cannot_climb_or_hide() {
        assert_eq!(safe_file_stem("../../etc/x"), "_.._etc_x");
        assert_eq!(safe_file_stem(".hidden"), "hidden");
        assert_eq!(safe_file_stem("Mira: the \"pilot\""), "Mira_ the _pilot_");
        assert_eq!(safe_file_stem("///"), "___");
        assert_eq!(safe_file_stem(""), "export");
    }
}
