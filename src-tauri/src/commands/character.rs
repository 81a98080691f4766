//! Commands for characters.

use tauri::State;

use super::traced;
use crate::error::Result;
use crate::models::{Character, CharacterInput, CharacterSummary, Id, ListQuery, Page};
use crate::services::character as service;
use crate::state::AppState;

#[tauri::command]
pub async fn character_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<CharacterSummary>> {
    traced(
        "character_list",
        service::list(&state.pool, &query.unwrap_or_default()),
    )
    .await
}

#[tauri::command]
pub async fn character_get(state: State<'_, AppState>, id: Id) -> Result<Character> {
    traced("character_get", service::get(&state.pool, id)).await
}

#[tauri::command]
pub async fn character_create(
    state: State<'_, AppState>,
    input: CharacterInput,
) -> Result<Character> {
    traced("character_create", service::create(&state.pool, input)).await
}

#[tauri::command]
pub async fn character_update(
    state: State<'_, AppState>,
    id: Id,
    input: CharacterInput,
) -> Result<Character> {
    traced("character_update", service::update(&state.pool, id, input)).await
}

#[tauri::command]
pub async fn character_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("character_delete", service::delete(&state.pool, id)).await
}

#[tauri::command]
pub async fn character_restore(state: State<'_, AppState>, id: Id) -> Result<Character> {
    traced("character_restore", service::restore(&state.pool, id)).await
}

#[tauri::command]
pub async fn character_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("character_purge", service::purge(&state.pool, id)).await
}
