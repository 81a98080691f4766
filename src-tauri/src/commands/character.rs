//! Commands for characters, and the list's thumbnails.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{Character, CharacterInput, CharacterSummary, Id, ListQuery, Page};
use crate::services::character as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<CharacterSummary>> {
    service::list(&state.pool, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_get(state: State<'_, AppState>, id: Id) -> Result<Character> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_create(
    state: State<'_, AppState>,
    input: CharacterInput,
) -> Result<Character> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_update(
    state: State<'_, AppState>,
    id: Id,
    input: CharacterInput,
) -> Result<Character> {
    service::update(&state.pool, id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_restore(state: State<'_, AppState>, id: Id) -> Result<Character> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}

/// The list's pictures: character id -> `data:` URL, for those with one.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn character_thumbnails(
    state: State<'_, AppState>,
    ids: Vec<Id>,
) -> Result<service::Thumbnails> {
    service::thumbnails(&state.pool, &ids).await
}
