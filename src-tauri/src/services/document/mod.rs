//! Documents: files a person adds to a chat, a character or the whole
//! library, kept as their extracted text and split into chunks that the
//! full-text index (and retrieval, `services::memory`) reads.
//!
//! The rules: a document is added to a live chat or character, or to the
//! library; the same file twice in one place is a conflict; a chat sees its
//! own documents, its character's and the library's, and can turn any of
//! them off for itself; names are 1-300 characters; chunking is 16-8192
//! tokens with an overlap below the size. Deleting moves a document to the
//! trash (its chunks stay, unread by retrieval); purging, only from the
//! trash, removes it and its chunks for good, as characters do.
//! `extract` reads files, `chunk` splits text, `ingest` writes the rows.

pub mod chunk;
pub mod extract;
mod ingest;

use serde_json::json;
use std::path::Path;

use sqlx::SqlitePool;

pub use extract::Limits;
use extract::Refusal;
pub use ingest::Chunking;

use super::app_config::{self, CHUNK_OVERLAP, CHUNK_SIZE};
use super::import::display_name;
use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{ChatDocument, Document, DocumentPlace, DocumentSummary, Id, Timestamp};
use crate::repos::document as repo;
use crate::repos::{self, Table};
use ingest::refused;

/// Chunk sizes, in tokens (the schema's check).
pub const CHUNK_SIZE_RANGE: (i64, i64) = (16, 8192);

/// Checks a chunking: the size in range, the overlap below it.
pub fn validated_chunking(size: i64, overlap: i64) -> Result<Chunking> {
    let (lo, hi) = CHUNK_SIZE_RANGE;
    if !(lo..=hi).contains(&size) {
        return Err(AppError::validation(
            "chunk_size",
            format!("the chunk size must be {lo} to {hi} tokens"),
        )
        .worded("chunk_size_range", json!({ "min": lo, "max": hi })));
    }
    if overlap < 0 || overlap >= size {
        return Err(AppError::validation(
            "chunk_overlap",
            "the overlap must be 0 or more and less than the chunk size",
        )
        .worded("chunk_overlap_range", json!({})));
    }
    Ok(Chunking { size, overlap })
}

/// The chunking new documents get (the preferences, or their defaults when
/// they do not make a valid pair).
pub async fn default_chunking(pool: &SqlitePool) -> Result<Chunking> {
    let size = i64::from(app_config::read(pool, &CHUNK_SIZE).await?);
    let overlap = i64::from(app_config::read(pool, &CHUNK_OVERLAP).await?);
    Ok(validated_chunking(size, overlap).unwrap_or(Chunking {
        size: i64::from((CHUNK_SIZE.default)()),
        overlap: i64::from((CHUNK_OVERLAP.default)()),
    }))
}

/// Fails unless the place can take a document: a live chat or character.
async fn require_place(pool: &SqlitePool, place: DocumentPlace) -> Result<()> {
    match place {
        DocumentPlace::Chat(id) => {
            super::require_live(pool, Table::ChatSessions, id, "chat", None).await
        }
        DocumentPlace::Character(id) => {
            super::require_live(pool, Table::Characters, id, "character", None).await
        }
        DocumentPlace::Library => Ok(()),
    }
}

/// Adds a file's bytes as a document (`file_name` is shown, never used as
/// a path). `chunking` defaults to the preferences.
pub async fn add(
    pool: &SqlitePool,
    place: DocumentPlace,
    file_name: &str,
    bytes: Vec<u8>,
    chunking: Option<Chunking>,
    limits: &Limits,
) -> Result<DocumentSummary> {
    let file = display_name(file_name);
    require_place(pool, place).await?;
    let chunking = match chunking {
        Some(c) => validated_chunking(c.size, c.overlap)?,
        None => default_chunking(pool).await?,
    };
    ingest::add(pool, place, &file, bytes, chunking, limits).await
}

/// Adds a file on disk (a drop, `parley import`): its size is checked
/// before a byte is read.
pub async fn add_path(
    pool: &SqlitePool,
    place: DocumentPlace,
    path: &Path,
    limits: &Limits,
) -> Result<DocumentSummary> {
    let file = display_name(&path.to_string_lossy());
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => refused(
                &file,
                &Refusal::new("there is no such file").worded("doc_no_such_file", json!({})),
            ),
            _ => refused(&file, &unreadable(&e)),
        })?;
    if !meta.is_file() {
        return Err(refused(
            &file,
            &Refusal::new("it is a folder, not a file").worded("doc_is_folder", json!({})),
        ));
    }
    extract::check_file_size(meta.len(), limits).map_err(|e| refused(&file, &e))?;
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| refused(&file, &unreadable(&e)))?;
    add(pool, place, &file, bytes, None, limits).await
}

/// A file that could not be read, and why.
fn unreadable(e: &std::io::Error) -> Refusal {
    Refusal::new(format!("it could not be read ({e})"))
        .worded("doc_file_unreadable", json!({ "reason": e.to_string() }))
}

/// The documents that apply to a chat (its own, its character's, the
/// library's), each with whether it is on for the chat.
pub async fn for_chat(pool: &SqlitePool, chat_id: Id) -> Result<Vec<ChatDocument>> {
    let chat = repos::chat_session::get(pool, chat_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat", chat_id))?;
    repo::for_chat(pool, chat_id, chat.character_id)
        .await
        .context("list the chat's documents")
}

/// The documents of one place, live or in the trash.
pub async fn list(
    pool: &SqlitePool,
    place: DocumentPlace,
    deleted: bool,
) -> Result<Vec<DocumentSummary>> {
    repo::list(pool, place, deleted)
        .await
        .context("list the documents")
}

/// Every document in the trash.
pub async fn trash(pool: &SqlitePool) -> Result<Vec<DocumentSummary>> {
    repo::trash(pool).await.context("list the documents")
}

/// A document with its text.
pub async fn get(pool: &SqlitePool, id: Id) -> Result<Document> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("document", id))
}

async fn summary(pool: &SqlitePool, id: Id) -> Result<DocumentSummary> {
    repo::summary(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("document", id))
}

fn in_trash() -> AppError {
    AppError::business("this document is in the trash; restore it first")
        .worded("in_trash_first", json!({ "entity": "document" }))
}

pub async fn rename(pool: &SqlitePool, id: Id, name: &str) -> Result<DocumentSummary> {
    let name = validate::clean_label(name.trim());
    let chars = name.chars().count();
    if chars == 0 || chars > 300 {
        return Err(
            AppError::validation("name", "a document's name must be 1 to 300 characters")
                .worded("document_name_length", json!({ "min": 1, "max": 300 })),
        );
    }
    let current = summary(pool, id).await?;
    if current.deleted_at.is_some() {
        return Err(in_trash());
    }
    repo::rename(pool, id, &name, Timestamp::now())
        .await
        .context("rename the document")?
        .ok_or_else(|| AppError::not_found("document", id))
}

/// Turns a document on or off for one chat; it must be one that applies
/// to the chat.
pub async fn set_enabled(
    pool: &SqlitePool,
    chat_id: Id,
    document_id: Id,
    enabled: bool,
) -> Result<()> {
    let applies = for_chat(pool, chat_id)
        .await?
        .iter()
        .any(|d| d.document.id == document_id);
    if !applies {
        return Err(AppError::validation(
            "document",
            "this document does not apply to this chat (it belongs to another chat or character, or is in the trash)",
        )
        .worded("document_not_here", json!({})));
    }
    repo::set_off(pool, chat_id, document_id, !enabled)
        .await
        .context("change the document")
}

/// Splits a document again with a new chunk size and overlap.
pub async fn rechunk(
    pool: &SqlitePool,
    id: Id,
    size: i64,
    overlap: i64,
) -> Result<DocumentSummary> {
    let chunking = validated_chunking(size, overlap)?;
    if summary(pool, id).await?.deleted_at.is_some() {
        return Err(in_trash());
    }
    ingest::rechunk(pool, id, chunking).await
}

/// Moves a document to the trash.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    if !repo::soft_delete(pool, id, Timestamp::now())
        .await
        .context("delete the document")?
    {
        return Err(AppError::not_found("document", id));
    }
    Ok(())
}

pub async fn restore(pool: &SqlitePool, id: Id) -> Result<DocumentSummary> {
    repo::restore(pool, id, Timestamp::now())
        .await
        .context("restore the document")?
        .ok_or_else(|| AppError::not_found("document in the trash", id))
}

/// Deletes a document and its chunks for good; only from the trash.
pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    if summary(pool, id).await?.deleted_at.is_none() {
        return Err(AppError::business(
            "move the document to the trash before deleting it for good",
        )
        .worded("purge_from_trash", json!({ "entity": "document" })));
    }
    repo::purge(pool, id).await.context("delete the document")?;
    repo::optimize_index(pool)
        .await
        .context("erase the deleted text")?;
    repos::erase_deleted(pool)
        .await
        .context("erase the deleted text")?;
    Ok(())
}

/// What adding several files did: the documents made and the files refused.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddReport {
    pub added: Vec<DocumentSummary>,
    pub skipped: Vec<super::import::Skipped>,
}

impl AddReport {
    /// Records one file's outcome; a refusal's reason without the file's
    /// name, which the report shows beside it.
    pub fn add(&mut self, file: &str, result: Result<DocumentSummary>) {
        match result {
            Ok(d) => self.added.push(d),
            Err(e) => self.skipped.push(super::import::Skipped::of(file, &e)),
        }
    }
}

/// Adds files on disk (dropped on a chat), one after another; each is
/// added or refused on its own.
pub async fn add_paths(
    pool: &SqlitePool,
    place: DocumentPlace,
    paths: &[std::path::PathBuf],
    limits: &Limits,
) -> AddReport {
    let mut report = AddReport::default();
    for path in paths {
        let file = display_name(&path.to_string_lossy());
        report.add(&file, add_path(pool, place, path, limits).await);
    }
    report
}
