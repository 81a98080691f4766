//! Import: character cards (PNG, JSON, CHARX) and SillyTavern chats
//! (`.jsonl`) in, from bytes the window sends or from files and folders
//! (`files` finds and reads those).
//!
//! Each file is one transaction: it arrives whole or not at all. Parsing
//! (and avatar thumbnails) run on the blocking pool, so a folder of large
//! PNGs never stalls the window. Every refusal names the file and says what
//! is wrong with it. Writing files out is `services::export`.

mod files;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::SqlitePool;

use super::branch::FILE_KEY;
use super::character;
use crate::cards::sillytavern::{self, StChat, META_KEY, SWIPE_INFO_KEY};
use crate::cards::{self, FileKind, FormatError, Limits};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, CharacterInput, ChatSession, ChatSessionInput, Id, Timestamp};
use crate::repos::message::{BulkMessage, BulkSwipe};
use crate::repos::{self, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Character,
    Chat,
}

/// Something a file brought in.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub file: String,
    pub kind: ImportKind,
    pub id: Id,
    pub name: String,
    /// The character an imported chat made because none had its name
    /// (the report says so); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_character: Option<CreatedCharacter>,
}

/// A character made for an imported chat.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedCharacter {
    pub id: Id,
    pub name: String,
}

/// A file that was refused, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub imported: Vec<Imported>,
    pub skipped: Vec<Skipped>,
}

impl ImportReport {
    /// Records one file's outcome; a refusal's reason is said without the
    /// file's name, which the report shows beside it.
    pub fn add(&mut self, file: &str, result: Result<Imported>) {
        match result {
            Ok(i) => self.imported.push(i),
            Err(e) => {
                let text = e.to_string();
                let reason = text
                    .strip_prefix(&format!("{file}: "))
                    .map_or(text.clone(), str::to_string);
                self.skipped.push(Skipped {
                    file: file.to_string(),
                    reason,
                })
            }
        }
    }
}

/// Progress through a multi-file import.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    /// Files finished so far.
    pub done: usize,
    pub total: usize,
    /// The file just finished.
    pub file: String,
}

/// The last part of a path-like name, for messages (never used as a path),
/// without control, bidirectional or zero-width characters.
pub fn display_name(file_name: &str) -> String {
    let last = file_name
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(file_name);
    let clean: String = super::validate::clean_label(last)
        .chars()
        .take(200)
        .collect();
    if clean.is_empty() {
        "unnamed file".into()
    } else {
        clean
    }
}

fn refused(file: &str, e: impl std::fmt::Display) -> AppError {
    AppError::validation("file", format!("{file}: {e}"))
}

/// Validation errors from the services, said of the file.
fn of_file(file: &str, e: AppError) -> AppError {
    match e {
        AppError::Validation { message, .. } => refused(file, message),
        other => other,
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::result::Result<T, FormatError> + Send + 'static,
) -> Result<std::result::Result<T, FormatError>> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::internal(format!("the import stopped unexpectedly ({e})")))
}

/// Imports one file's bytes: a card, or a SillyTavern chat.
pub async fn import_bytes(pool: &SqlitePool, file_name: &str, bytes: Vec<u8>) -> Result<Imported> {
    import_one(pool, file_name, bytes, None).await
}

async fn import_one(
    pool: &SqlitePool,
    file_name: &str,
    bytes: Vec<u8>,
    character_hint: Option<String>,
) -> Result<Imported> {
    let file = display_name(file_name);
    match FileKind::detect(&file, &bytes).map_err(|e| refused(&file, e))? {
        FileKind::SillyTavernChat => import_chat(pool, &file, bytes, character_hint).await,
        _ => import_card(pool, &file, bytes).await,
    }
}

/// Imports a character card (PNG, JSON or CHARX).
pub async fn import_card(pool: &SqlitePool, file: &str, bytes: Vec<u8>) -> Result<Imported> {
    let name = file.to_string();
    let parsed = blocking(move || {
        let parsed = cards::parse_card(&name, &bytes, &Limits::default())?;
        let thumb = parsed
            .avatar
            .as_ref()
            .and_then(|a| cards::image::thumbnail(&a.bytes));
        Ok((parsed, thumb))
    })
    .await?;
    let (parsed, thumb) = parsed.map_err(|e| refused(file, e))?;
    let input = character::validated(parsed.input).map_err(|e| of_file(file, e))?;
    let id = new_id();
    let mut tx = pool.begin().await?;
    repos::character::insert(&mut *tx, id, &input, Timestamp::now()).await?;
    repos::character::set_card(
        &mut *tx,
        id,
        &parsed.card_json,
        parsed.avatar.as_ref().map(|a| (a.bytes.as_slice(), a.mime)),
        thumb.as_deref(),
    )
    .await?;
    tx.commit().await.context("save the imported character")?;
    tracing::info!(character_id = %id, "character imported");
    Ok(Imported {
        file: file.to_string(),
        kind: ImportKind::Character,
        id,
        created_character: None,
        name: input.name,
    })
}

/// Imports a SillyTavern chat. Its character is found by `character_hint`
/// (the chat's folder) or the file's `character_name`, among live
/// characters; when none has that name, a character with just the name is
/// made so the chat can go on.
pub async fn import_chat(
    pool: &SqlitePool,
    file: &str,
    bytes: Vec<u8>,
    character_hint: Option<String>,
) -> Result<Imported> {
    let chat = blocking(move || sillytavern::parse(&bytes, &Limits::default()))
        .await?
        .map_err(|e| refused(file, e))?;
    // The chat's folder (SillyTavern names it after the card's file, which
    // may differ: "Mira1"), then the name the chat itself gives; a new
    // character takes the chat's name.
    let mut character_id = None;
    for name in [character_hint.as_deref(), chat.character_name()]
        .into_iter()
        .flatten()
        .filter(|n| !n.trim().is_empty())
    {
        character_id = repos::character::find_live_by_name(pool, name).await?;
        if character_id.is_some() {
            break;
        }
    }
    // A character made for the chat is written in the chat's transaction:
    // a refused or interrupted import leaves neither behind.
    let mut new_character = None;
    if character_id.is_none() {
        if let Some(name) = chat
            .character_name()
            .or(character_hint.as_deref())
            .filter(|n| !n.trim().is_empty())
        {
            let input = CharacterInput {
                name: name.to_string(),
                ..CharacterInput::default()
            };
            let input = character::validated(input).map_err(|e| of_file(file, e))?;
            let id = new_id();
            character_id = Some(id);
            new_character = Some((id, input));
        }
    }
    let persona_id = match chat.user_name() {
        Some(name) => repos::find_by_name(pool, Table::UserProfiles, name, None).await?,
        None => None,
    };
    let stem = match file.len().checked_sub(".jsonl".len()) {
        Some(cut) if file.is_char_boundary(cut) && file[cut..].eq_ignore_ascii_case(".jsonl") => {
            &file[..cut]
        }
        _ => file,
    };
    let title: String = stem
        .chars()
        .take(crate::services::validate::TITLE_MAX)
        .collect();
    let mut input = ChatSessionInput {
        title: crate::services::validate::clean_label(&title),
        character_id,
        user_profile_id: persona_id,
        ai_model_id: None,
        system_prompt_id: None,
        generation: None,
        authors_note: sillytavern::authors_note(&chat.header),
    };
    super::chat_session::with_defaults(pool, &mut input).await?;
    // SillyTavern keeps a chat's variables in `chat_metadata.variables`,
    // as Parley does in `metadata.variables` (`services::macros::chat`).
    let variables = chat
        .header
        .get("chat_metadata")
        .and_then(|m| m.get("variables"))
        .filter(|v| v.is_object())
        .cloned();
    let mut header = json!({ META_KEY: chat.header, FILE_KEY: stem });
    if let Some(v) = variables {
        header["variables"] = v;
    }
    let (messages, swipes) = rows_of(chat);
    let created = header[META_KEY]
        .get("create_date")
        .and_then(sillytavern::parse_date)
        .or_else(|| messages.first().map(|m| m.created_at.millis()))
        .map_or_else(Timestamp::now, Timestamp::from_millis);

    // The chat is written as if in the trash and brought out at the end, so
    // the search index takes all its messages in one statement (the
    // restore trigger) rather than one trigger run per row: 1.9x faster
    // for 100,000 messages. Inside the transaction nobody else sees it.
    let id = new_id();
    let mut tx = pool.begin().await?;
    if let Some((character_id, character)) = &new_character {
        repos::character::insert(&mut *tx, *character_id, character, Timestamp::now()).await?;
    }
    repos::chat_session::insert(&mut *tx, id, &input, created).await?;
    repos::soft_delete(&mut *tx, Table::ChatSessions, id, created).await?;
    repos::chat_session::set_metadata(&mut *tx, id, &header).await?;
    repos::message::insert_many(&mut tx, id, &messages).await?;
    repos::message::insert_swipes(&mut tx, &swipes).await?;
    repos::restore::<ChatSession, _>(&mut *tx, id, Timestamp::now()).await?;
    super::branch::link_imported(&mut tx, id, character_id, stem, &header[META_KEY]).await?;
    tx.commit().await.context("save the imported chat")?;
    tracing::info!(chat_id = %id, messages = messages.len(), "chat imported");
    Ok(Imported {
        file: file.to_string(),
        kind: ImportKind::Chat,
        id,
        name: input.title,
        created_character: new_character.map(|(id, c)| CreatedCharacter { id, name: c.name }),
    })
}

/// A chat's messages and swipes as rows. A message with no readable date
/// takes the one before it.
fn rows_of(chat: StChat) -> (Vec<BulkMessage>, Vec<BulkSwipe>) {
    let mut messages = Vec::with_capacity(chat.messages.len());
    let mut swipes = Vec::new();
    let mut last = chat
        .header
        .get("create_date")
        .and_then(sillytavern::parse_date)
        .unwrap_or_else(|| Timestamp::now().millis());
    for (seq, m) in chat.messages.into_iter().enumerate() {
        let at = m.created_at.unwrap_or(last);
        last = at;
        let id = new_id();
        let fields = Value::Object(m.fields);
        for (index, s) in m.swipes.into_iter().enumerate() {
            // Each swipe carries the line's fields too: showing a swipe copies
            // its metadata onto the message, and the line must survive that.
            let mut metadata = json!({ META_KEY: fields });
            if let Some(info) = s.info {
                metadata[SWIPE_INFO_KEY] = info;
            }
            swipes.push(BulkSwipe {
                message_id: id,
                swipe_index: index as i64,
                content: s.content,
                metadata,
                created_at: Timestamp::from_millis(s.created_at.unwrap_or(at)),
            });
        }
        messages.push(BulkMessage {
            id,
            seq: seq as i64,
            role: m.role,
            content: m.content,
            metadata: json!({ META_KEY: fields }),
            created_at: Timestamp::from_millis(at),
            active_swipe: m.active_swipe as i64,
            speaker_id: None,
            speaker_name: None,
        });
    }
    (messages, swipes)
}

/// Imports files and folders; `progress` hears after each file.
pub async fn import_paths(
    pool: &SqlitePool,
    paths: &[PathBuf],
    mut progress: impl FnMut(ImportProgress),
) -> ImportReport {
    let jobs = tokio::task::spawn_blocking({
        let paths = paths.to_vec();
        move || files::collect(&paths)
    })
    .await
    .unwrap_or_default();
    let mut report = ImportReport::default();
    let total = jobs.len();
    let limit = Limits::default().max_chat_bytes;
    for (i, job) in jobs.into_iter().enumerate() {
        let file = display_name(&job.path.to_string_lossy());
        let result = match files::read(&job.path, limit).await {
            Ok(bytes) => import_one(pool, &file, bytes, job.character_hint).await,
            Err(e) => Err(refused(&file, e)),
        };
        report.add(&file, result);
        progress(ImportProgress {
            done: i + 1,
            total,
            file,
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_like_names_are_shown_by_their_last_part() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\cards\\Mira.png"), "Mira.png");
        assert_eq!(display_name("a\u{0}b.png"), "ab.png");
        assert_eq!(display_name("///"), "///");
        assert_eq!(display_name("cards/\u{202E}gnp.exe"), "gnp.exe");
    }
}
