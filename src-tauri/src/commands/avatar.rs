//! Commands for the pictures of characters and personas.

use std::collections::HashMap;
use std::path::PathBuf;

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::Id;
use crate::services::avatar::{self as service, Owner};
use crate::state::AppState;

/// Sets a picture from a file's bytes as base64 (or a `data:` URL).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn avatar_set(
    state: State<'_, AppState>,
    owner: Owner,
    id: Id,
    data: String,
) -> Result<()> {
    service::set(&state.pool, owner, id, &data).await
}

/// Sets a picture from a file dropped on the window.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn avatar_set_path(
    state: State<'_, AppState>,
    owner: Owner,
    id: Id,
    path: PathBuf,
) -> Result<()> {
    service::set_from_path(&state.pool, owner, id, &path).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn avatar_clear(state: State<'_, AppState>, owner: Owner, id: Id) -> Result<()> {
    service::clear(&state.pool, owner, id).await
}

/// The whole picture as a `data:` URL, or null.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn avatar_get(
    state: State<'_, AppState>,
    owner: Owner,
    id: Id,
) -> Result<Option<String>> {
    service::get(&state.pool, owner, id).await
}

/// Small pictures: id -> `data:` URL, for those of `ids` that have one.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn avatar_small(
    state: State<'_, AppState>,
    owner: Owner,
    ids: Vec<Id>,
) -> Result<HashMap<String, String>> {
    service::small(&state.pool, owner, &ids).await
}
