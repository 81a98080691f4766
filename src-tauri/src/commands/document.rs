//! Commands for documents: add (a picked file's bytes, or dropped paths),
//! the lists of a chat, a place and the trash, view, rename, on/off for a
//! chat, re-chunk, delete, restore and purge.

use serde_json::json;
use std::path::PathBuf;

use tauri::ipc::{InvokeBody, Request};
use tauri::State;
use tracing::instrument;

use crate::error::{AppError, Result};
use crate::models::{ChatDocument, Document, DocumentPlace, DocumentSummary, Id};
use crate::services::document::{self as service, AddReport, Limits};
use crate::state::AppState;

/// A header's value, URI-decoded.
fn header(request: &Request<'_>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
}

/// One file the person picked, as raw bytes; its name in `x-file-name`
/// and where it goes in `x-document-place` (JSON, as `DocumentPlace`),
/// both URI-encoded.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_add(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<DocumentSummary> {
    let name = header(&request, "x-file-name").unwrap_or_else(|| "unnamed file".into());
    let place: DocumentPlace = header(&request, "x-document-place")
        .and_then(|p| serde_json::from_str(&p).ok())
        .ok_or_else(|| {
            AppError::validation("place", "where the document goes is missing")
                .worded("document_place_missing", json!({}))
        })?;
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(
            AppError::validation("file", "the file's contents did not arrive; try again")
                .worded("file_not_arrived", json!({})),
        );
    };
    let added = service::add(
        &state.pool,
        place,
        &name,
        bytes.clone(),
        None,
        &Limits::default(),
    )
    .await?;
    // New passages for the embedding indexer, when one is on.
    state.embeddings.wake();
    Ok(added)
}

/// Files dropped on the window, added to `place` one after another.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_add_paths(
    state: State<'_, AppState>,
    place: DocumentPlace,
    paths: Vec<PathBuf>,
) -> Result<AddReport> {
    let report = service::add_paths(&state.pool, place, &paths, &Limits::default()).await;
    state.embeddings.wake();
    Ok(report)
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_list_chat(
    state: State<'_, AppState>,
    chat_id: Id,
) -> Result<Vec<ChatDocument>> {
    service::for_chat(&state.pool, chat_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_list(
    state: State<'_, AppState>,
    place: DocumentPlace,
) -> Result<Vec<DocumentSummary>> {
    service::list(&state.pool, place, false).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_trash(state: State<'_, AppState>) -> Result<Vec<DocumentSummary>> {
    service::trash(&state.pool).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_get(state: State<'_, AppState>, id: Id) -> Result<Document> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_rename(
    state: State<'_, AppState>,
    id: Id,
    name: String,
) -> Result<DocumentSummary> {
    service::rename(&state.pool, id, &name).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_set_enabled(
    state: State<'_, AppState>,
    chat_id: Id,
    id: Id,
    enabled: bool,
) -> Result<()> {
    service::set_enabled(&state.pool, chat_id, id, enabled).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_rechunk(
    state: State<'_, AppState>,
    id: Id,
    size: i64,
    overlap: i64,
) -> Result<DocumentSummary> {
    let rechunked = service::rechunk(&state.pool, id, size, overlap).await?;
    state.embeddings.wake();
    Ok(rechunked)
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_restore(state: State<'_, AppState>, id: Id) -> Result<DocumentSummary> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn document_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}
