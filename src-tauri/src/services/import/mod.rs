//! Import: character cards (PNG, JSON, CHARX), SillyTavern chats
//! (`.jsonl`), group chats and group definitions in, from bytes the window
//! sends or from files and folders (`files` finds and reads those; `group`
//! matches a group's members and writes its chats).
//!
//! Each file is one transaction: it arrives whole or not at all. Parsing
//! (and avatar thumbnails) run on the blocking pool, so a folder of large
//! PNGs never stalls the window. Every refusal names the file and says what
//! is wrong with it. Writing files out is `services::export`.
//!
//! One piece by design: one import's flow, its report and how a refusal is
//! said of its file are read together.

mod files;
pub mod found;
mod group;
mod store;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqlitePool;

use super::branch::FILE_KEY;
use super::character;
use crate::cards::sillytavern::{self, StChat, META_KEY};
use crate::cards::{self, FileKind, FormatError, Limits};
use crate::error::{AppError, Cause, Result, ResultExt};
use crate::models::{new_id, CharacterInput, Id, Timestamp};
use crate::repos;
use store::{chat_input, keep_header, rows_of, stem_of, store_chat, NewChat};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Character,
    Chat,
    /// A SillyTavern group definition; `id` is its first chat.
    Group,
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
    /// A group chat's members (card files or speakers' names) that matched
    /// no character: their lines keep the name, with no character behind it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_members: Vec<String>,
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
    /// Why, in English, without the file's name.
    pub reason: String,
    /// The code and values the window words the reason by (error.rs
    /// `Words`), when it has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub values: serde_json::Value,
}

impl Skipped {
    /// A file's refusal, said without the file's name (the report shows it
    /// beside the reason); a `file_refused` error gives its cause's words.
    pub fn of(file: &str, e: &AppError) -> Self {
        let text = e.to_string();
        let reason = text
            .strip_prefix(&format!("{file}: "))
            .map_or(text.clone(), str::to_string);
        let (code, values) = match e.words() {
            Some(w) if w.code == "file_refused" => {
                let cause = w.values.get("cause_code").and_then(|c| c.as_str());
                (cause.map(str::to_string), w.values.clone())
            }
            Some(w) => (Some(w.code.to_string()), w.values),
            None => (None, serde_json::Value::Null),
        };
        Self {
            file: file.to_string(),
            reason,
            code,
            values,
        }
    }
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
            Err(e) => self.skipped.push(Skipped::of(file, &e)),
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

/// A file refused, said of the file ("{file}: {cause}") and worded by the
/// cause's own code (error.rs `file_refused`).
fn refused(file: &str, cause: &Cause) -> AppError {
    AppError::file_refused(file, cause)
}

/// Validation errors from the services, said of the file.
fn of_file(file: &str, e: AppError) -> AppError {
    if matches!(e, AppError::Validation { .. }) {
        refused(file, &e.as_cause())
    } else {
        e
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::result::Result<T, FormatError> + Send + 'static,
) -> Result<std::result::Result<T, FormatError>> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        AppError::internal(format!("the import stopped unexpectedly ({e})"))
            .worded("import_stopped", json!({ "reason": e.to_string() }))
    })
}

/// Imports one file's bytes: a card, a SillyTavern chat or group chat, or
/// a SillyTavern group definition (alone, it becomes an empty group chat).
pub async fn import_bytes(pool: &SqlitePool, file_name: &str, bytes: Vec<u8>) -> Result<Imported> {
    let file = display_name(file_name);
    let mut run = group::Run::default();
    if let Some(done) = import_one(pool, &file, bytes, &Hints::default(), &mut run).await? {
        return Ok(done);
    }
    group::finish(pool, run).await.pop().map_or_else(
        || {
            let cause =
                Cause::new("nothing in it could be imported").worded("import_nothing", json!({}));
            Err(refused(&file, &cause))
        },
        |(_, r)| r,
    )
}

/// What a file's place in a folder says about it.
#[derive(Debug, Clone, Default)]
struct Hints {
    /// For `chats/<character>/x.jsonl`: the folder's name.
    character: Option<String>,
    /// The file is in a `group chats` folder.
    group_chat: bool,
}

/// One file: `None` for a group definition, which is imported with its
/// chats when the run ends ([`group::finish`]).
async fn import_one(
    pool: &SqlitePool,
    file: &str,
    bytes: Vec<u8>,
    hints: &Hints,
    run: &mut group::Run,
) -> Result<Option<Imported>> {
    match FileKind::detect(file, &bytes).map_err(|e| refused(file, &e))? {
        FileKind::SillyTavernChat => {
            let stem = stem_of(file).to_string();
            let in_group = run.group_for(&stem);
            let chat = blocking(move || sillytavern::parse(&bytes, &Limits::default()))
                .await?
                .map_err(|e| refused(file, &e))?;
            // A chat in `chats/<character>/` is that character's, whoever speaks.
            if in_group.is_some()
                || hints.group_chat
                || (hints.character.is_none() && sillytavern::group::is_group_chat(&chat))
            {
                group::import_chat(pool, file, &stem, chat, in_group, run)
                    .await
                    .map(Some)
            } else {
                import_parsed_chat(pool, file, chat, hints.character.clone())
                    .await
                    .map(Some)
            }
        }
        FileKind::SillyTavernGroup => {
            group::read(file, bytes, run).await?;
            Ok(None)
        }
        _ => {
            let imported = import_card(pool, file, bytes).await?;
            run.cards.insert(file.to_lowercase(), imported.id);
            Ok(Some(imported))
        }
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
    let (parsed, thumb) = parsed.map_err(|e| refused(file, &e))?;
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
        missing_members: Vec::new(),
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
        .map_err(|e| refused(file, &e))?;
    import_parsed_chat(pool, file, chat, character_hint).await
}

async fn import_parsed_chat(
    pool: &SqlitePool,
    file: &str,
    chat: StChat,
    character_hint: Option<String>,
) -> Result<Imported> {
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
    let stem = stem_of(file);
    let note = sillytavern::authors_note(&chat.header);
    let input = chat_input(pool, stem, character_id, chat.user_name(), note).await?;
    let mut header = json!({ FILE_KEY: stem });
    keep_header(&mut header, &chat.header);
    let (messages, swipes) = rows_of(chat, |_| (None, None));
    let id = store_chat(
        pool,
        NewChat {
            input: &input,
            metadata: &header,
            messages: &messages,
            swipes: &swipes,
            new_character: new_character.as_ref(),
            stem,
            members: &[],
            settings: None,
        },
    )
    .await?;
    Ok(Imported {
        file: file.to_string(),
        kind: ImportKind::Chat,
        id,
        name: input.title,
        created_character: new_character.map(|(id, c)| CreatedCharacter { id, name: c.name }),
        missing_members: Vec::new(),
    })
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
    let mut run = group::Run::default();
    for (i, job) in jobs.into_iter().enumerate() {
        let file = display_name(&job.path.to_string_lossy());
        let hints = Hints {
            character: job.character_hint,
            group_chat: job.in_group_chats,
        };
        let result = match files::read(&job.path, limit).await {
            Ok(bytes) => import_one(pool, &file, bytes, &hints, &mut run).await,
            Err(e) => Err(refused(&file, &e)),
        };
        match result {
            Ok(None) => {} // a group, reported with its chats at the end
            Ok(Some(done)) => report.add(&file, Ok(done)),
            Err(e) => report.add(&file, Err(e)),
        }
        progress(ImportProgress {
            done: i + 1,
            total,
            file,
        });
    }
    for (file, result) in group::finish(pool, run).await {
        report.add(&file, result);
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
