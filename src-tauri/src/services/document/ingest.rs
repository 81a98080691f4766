//! Making a document's rows: the file's text extracted and chunked on the
//! blocking pool, under a time limit, with a parser's panic taken as a
//! refusal; then the row and every chunk written in one transaction, so a
//! refused or interrupted add leaves nothing behind. A re-chunk replaces
//! all the chunks in one transaction the same way.

use serde_json::json;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

use super::chunk;
use super::extract::{self, DocumentKind, Limits, Marks, Refusal};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, DocumentPlace, DocumentSummary, Id, Timestamp};
use crate::repos::document::{self as repo, NewChunk, NewDocument};

/// Chunk size and overlap, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    pub size: i64,
    pub overlap: i64,
}

/// A file's document, ready to be written.
struct Prepared {
    sha256: String,
    text: String,
    marks: Marks,
    chunks: Vec<NewChunk>,
}

/// A refusal said of the file: "{file}: {why}", worded by the refusal's
/// own code (`file_refused`).
pub(super) fn refused(file: &str, why: &Refusal) -> AppError {
    AppError::file_refused(file, why)
}

/// The chunk rows of a text: each chunk's place in the text and, when
/// known, its page or section.
fn chunk_rows(text: &str, marks: &Marks, chunking: Chunking) -> Vec<NewChunk> {
    chunk::split(text, chunking.size as usize, chunking.overlap as usize)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut metadata = serde_json::json!({ "start": piece.start, "end": piece.end });
            if let (Some(kind), Some(n)) = (&marks.kind, marks.at_offset(piece.start)) {
                metadata[kind.as_str()] = n.into();
            }
            NewChunk {
                chunk_index: i as i64,
                token_count: piece.token_count,
                metadata,
                text: piece.text,
            }
        })
        .collect()
}

/// Runs `work` on the blocking pool within `limit`; a panic or an overrun
/// is a refusal in words. (An overrun's thread finishes on its own; the
/// extractors also stop themselves at their deadline.)
async fn bounded<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> std::result::Result<T, Refusal> + Send + 'static,
) -> std::result::Result<T, Refusal> {
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) if e.is_panic() => Err(Refusal::new(
            "its reader failed on it (the file is damaged or built to break readers)",
        )
        .worded("doc_reader_failed", json!({}))),
        Ok(Err(_)) => {
            Err(Refusal::new("reading it was stopped").worded("doc_reading_stopped", json!({})))
        }
        Err(_) => Err(extract::stopped_after(limit.as_secs())),
    }
}

async fn prepare(
    kind: DocumentKind,
    bytes: Vec<u8>,
    chunking: Chunking,
    limits: &Limits,
) -> std::result::Result<Prepared, Refusal> {
    let limits = limits.clone();
    // A little past the extractors' own deadline, which they check between
    // pages and chapters.
    let limit = limits.max_time + Duration::from_secs(2);
    bounded(limit, move || {
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let extracted = extract::extract(kind, &bytes, &limits)?;
        drop(bytes);
        let chunks = chunk_rows(&extracted.text, &extracted.marks, chunking);
        Ok(Prepared {
            sha256,
            text: extracted.text,
            marks: extracted.marks,
            chunks,
        })
    })
    .await
}

/// Makes a document of a file's bytes in `place`, or refuses it in words
/// naming the file: a kind Parley does not read, a hostile or unreadable
/// file, no text, or the same file already there.
pub(super) async fn add(
    pool: &SqlitePool,
    place: DocumentPlace,
    file: &str,
    bytes: Vec<u8>,
    chunking: Chunking,
    limits: &Limits,
) -> Result<DocumentSummary> {
    let kind = DocumentKind::of_name(file).ok_or_else(|| {
        refused(
            file,
            &Refusal::new(format!(
                "Parley adds {} files as documents",
                extract::KINDS_IN_WORDS
            ))
            .worded("doc_kind_unknown", json!({})),
        )
    })?;
    extract::check_file_size(bytes.len() as u64, limits).map_err(|e| refused(file, &e))?;
    let byte_size = bytes.len() as i64;
    let prepared = prepare(kind, bytes, chunking, limits)
        .await
        .map_err(|e| refused(file, &e))?;
    if let Some((_, name, deleted)) = repo::find_same(pool, place, &prepared.sha256).await? {
        let cause = if deleted.is_some() {
            Refusal::new(format!(
                "the same file is in the trash as \u{201c}{name}\u{201d}; restore it from Documents"
            ))
            .worded("same_file_in_trash", json!({ "name": name }))
        } else {
            Refusal::new(format!(
                "the same file is already here as \u{201c}{name}\u{201d}"
            ))
            .worded("same_file_here", json!({ "name": name }))
        };
        // A conflict (not a refusal of the file's content), said of the file.
        return Err(AppError::conflict("file", format!("{file}: {cause}"))
            .worded("file_refused", cause.inside(json!({ "file": file }))));
    }
    let tokens = crate::services::tokens::estimate(&prepared.text);
    let marks = serde_json::to_value(&prepared.marks)?;
    let id = new_id();
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    repo::insert(
        &mut *tx,
        &NewDocument {
            id,
            place,
            name: file,
            kind,
            byte_size,
            sha256: &prepared.sha256,
            chunk_size: chunking.size,
            chunk_overlap: chunking.overlap,
            content: &prepared.text,
            marks: &marks,
        },
        now,
    )
    .await?;
    repo::insert_chunks(&mut tx, id, &prepared.chunks).await?;
    let count = prepared.chunks.len() as i64;
    let doc = repo::set_chunking(
        &mut *tx,
        id,
        (chunking.size, chunking.overlap),
        (count, tokens),
        now,
    )
    .await?
    .ok_or_else(|| AppError::not_found("document", id))?;
    tx.commit().await.context("save the document")?;
    tracing::info!(document_id = %id, chunks = count, "document added");
    Ok(doc)
}

/// Replaces a document's chunks with ones of a new size and overlap.
pub(super) async fn rechunk(
    pool: &SqlitePool,
    id: Id,
    chunking: Chunking,
) -> Result<DocumentSummary> {
    let (text, marks) = repo::content_and_marks(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("document", id))?;
    let marks: Marks = serde_json::from_value(marks.0).unwrap_or_default();
    let chunks = tokio::task::spawn_blocking(move || chunk_rows(&text, &marks, chunking))
        .await
        .map_err(|e| {
            AppError::internal(format!("the re-chunk stopped unexpectedly ({e})"))
                .worded("rechunk_stopped", json!({ "reason": e.to_string() }))
        })?;
    let count = chunks.len() as i64;
    let mut tx = pool.begin().await?;
    let tokens = repo::summary(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("document", id))?
        .token_count;
    repo::delete_chunks(&mut *tx, id).await?;
    repo::insert_chunks(&mut tx, id, &chunks).await?;
    let doc = repo::set_chunking(
        &mut *tx,
        id,
        (chunking.size, chunking.overlap),
        (count, tokens),
        Timestamp::now(),
    )
    .await?
    .ok_or_else(|| AppError::not_found("document", id))?;
    tx.commit().await.context("re-chunk the document")?;
    tracing::info!(document_id = %id, chunks = count, "document re-chunked");
    Ok(doc)
}
