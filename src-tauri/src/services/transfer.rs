//! Import and export: character cards (PNG, JSON, CHARX) and SillyTavern
//! chats (`.jsonl`) in, cards and chats out.
//!
//! Each file is one transaction: it arrives whole or not at all. Parsing
//! (and avatar thumbnails) run on the blocking pool, so a folder of large
//! PNGs never stalls the window. Every refusal names the file and says what
//! is wrong with it.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::SqlitePool;

use super::character;
use crate::cards::card::{self, Avatar, Spec};
use crate::cards::sillytavern::{self, LineSource, StChat, META_KEY, SWIPE_INFO_KEY};
use crate::cards::{self, FileKind, FormatError, Limits};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, CharacterInput, ChatSessionInput, Id, MessageRole, Timestamp};
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

/// The last part of a path-like name, for messages (never used as a path).
pub fn display_name(file_name: &str) -> String {
    let last = file_name
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(file_name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
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
            let made = character::create(pool, input)
                .await
                .map_err(|e| of_file(file, e))?;
            character_id = Some(made.id);
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
        title: title.trim().to_string(),
        character_id,
        user_profile_id: persona_id,
        ai_model_id: None,
        system_prompt_id: None,
        generation: None,
    };
    super::chat_session::with_defaults(pool, &mut input).await?;
    let header = json!({ META_KEY: chat.header });
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
    repos::chat_session::insert(&mut *tx, id, &input, created).await?;
    repos::soft_delete(&mut *tx, Table::ChatSessions, id, created).await?;
    repos::chat_session::set_metadata(&mut *tx, id, &header).await?;
    repos::message::insert_many(&mut tx, id, &messages).await?;
    repos::message::insert_swipes(&mut tx, &swipes).await?;
    repos::restore(&mut *tx, Table::ChatSessions, id, Timestamp::now()).await?;
    tx.commit().await.context("save the imported chat")?;
    tracing::info!(chat_id = %id, messages = messages.len(), "chat imported");
    Ok(Imported {
        file: file.to_string(),
        kind: ImportKind::Chat,
        id,
        name: input.title,
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
        });
    }
    (messages, swipes)
}

/// A file found under the paths given, with what its place says.
#[derive(Debug, Clone)]
struct Job {
    path: PathBuf,
    is_chat: bool,
    /// For `chats/<character>/x.jsonl`: the folder's name.
    character_hint: Option<String>,
}

/// Most files one import looks at.
const MAX_FILES: usize = 100_000;

/// The files to import under `paths`: cards first, then chats. A
/// SillyTavern data folder (one holding `characters` and `chats`) is read
/// through those two folders only, so its settings and secrets are never
/// opened.
fn collect(paths: &[PathBuf]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for p in paths {
        walk(p, 0, &mut jobs);
    }
    jobs.sort_by_key(|j| j.is_chat);
    jobs
}

fn walk(path: &Path, depth: usize, jobs: &mut Vec<Job>) {
    if jobs.len() >= MAX_FILES || depth > 8 {
        return;
    }
    // What the person named is followed (a symlink too) and, when it cannot
    // be read, reported; inside folders, symlinks are not followed.
    let meta = if depth == 0 {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let Ok(meta) = meta else {
        if depth == 0 {
            jobs.push(Job {
                path: path.to_path_buf(),
                is_chat: false,
                character_hint: None,
            });
        }
        return;
    };
    if meta.is_file() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if depth > 0 && !name.as_deref().is_some_and(FileKind::wanted) {
            return;
        }
        let is_chat = name
            .as_deref()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".jsonl"));
        let parent = path.parent();
        let in_chats = parent
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .is_some_and(|n| n.eq_ignore_ascii_case("chats"));
        let character_hint = (is_chat && in_chats)
            .then(|| parent.and_then(Path::file_name))
            .flatten()
            .map(|n| n.to_string_lossy().into_owned());
        jobs.push(Job {
            path: path.to_path_buf(),
            is_chat,
            character_hint,
        });
        return;
    }
    if !meta.is_dir() {
        return; // symlinks and devices are not followed
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    children.sort();
    let is_st_root = ["characters", "chats"].iter().all(|d| {
        children
            .iter()
            .any(|c| c.file_name().is_some_and(|n| n == *d) && c.is_dir())
    });
    for child in children {
        let keep = !is_st_root
            || child
                .file_name()
                .is_some_and(|n| n == "characters" || n == "chats");
        if keep {
            walk(&child, depth + 1, jobs);
        }
    }
}

/// Imports files and folders; `progress` hears after each file.
pub async fn import_paths(
    pool: &SqlitePool,
    paths: &[PathBuf],
    mut progress: impl FnMut(ImportProgress),
) -> ImportReport {
    let jobs = tokio::task::spawn_blocking({
        let paths = paths.to_vec();
        move || collect(&paths)
    })
    .await
    .unwrap_or_default();
    let mut report = ImportReport::default();
    let total = jobs.len();
    let limit = Limits::default().max_chat_bytes;
    for (i, job) in jobs.into_iter().enumerate() {
        let file = display_name(&job.path.to_string_lossy());
        let result = match read_file(&job.path, limit).await {
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

async fn read_file(path: &Path, limit: usize) -> std::result::Result<Vec<u8>, String> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "there is no such file or folder".to_string(),
            _ => format!("it could not be read ({e})"),
        })?;
    if meta.is_dir() {
        return Err("the folder could not be read".into());
    }
    if meta.len() > limit as u64 {
        return Err(format!(
            "the file is {} MB; the limit is {} MB",
            meta.len() / (1024 * 1024),
            limit / (1024 * 1024)
        ));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("it could not be read ({e})"))
}

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

/// List pictures: character id -> `data:` URL of its thumbnail.
pub type Thumbnails = HashMap<String, String>;

/// The thumbnails of those of `ids` that have an avatar.
pub async fn thumbnails(pool: &SqlitePool, ids: &[Id]) -> Result<Thumbnails> {
    let ids = &ids[..ids.len().min(500)];
    let rows = repos::character::thumbnails(pool, ids)
        .await
        .context("load the pictures")?;
    let engine = base64::engine::general_purpose::STANDARD;
    Ok(rows
        .into_iter()
        .map(|(id, png)| {
            (
                id.to_string(),
                format!("data:image/png;base64,{}", engine.encode(png)),
            )
        })
        .collect())
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
    }

    #[test]
    fn export_names_cannot_climb_or_hide() {
        assert_eq!(safe_file_stem("../../etc/x"), "_.._etc_x");
        assert_eq!(safe_file_stem(".hidden"), "hidden");
        assert_eq!(safe_file_stem("Mira: the \"pilot\""), "Mira_ the _pilot_");
        assert_eq!(safe_file_stem("///"), "___");
        assert_eq!(safe_file_stem(""), "export");
    }
}
