//! Commands for system prompts.

use tauri::State;

use super::traced;
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, SystemPrompt, SystemPromptInput};
use crate::services::system_prompt as service;
use crate::state::AppState;

#[tauri::command]
pub async fn system_prompt_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<SystemPrompt>> {
    traced(
        "system_prompt_list",
        service::list(&state.pool, &query.unwrap_or_default()),
    )
    .await
}

#[tauri::command]
pub async fn system_prompt_get(state: State<'_, AppState>, id: Id) -> Result<SystemPrompt> {
    traced("system_prompt_get", service::get(&state.pool, id)).await
}

#[tauri::command]
pub async fn system_prompt_create(
    state: State<'_, AppState>,
    input: SystemPromptInput,
) -> Result<SystemPrompt> {
    traced("system_prompt_create", service::create(&state.pool, input)).await
}

#[tauri::command]
pub async fn system_prompt_update(
    state: State<'_, AppState>,
    id: Id,
    input: SystemPromptInput,
) -> Result<SystemPrompt> {
    traced(
        "system_prompt_update",
        service::update(&state.pool, id, input),
    )
    .await
}

#[tauri::command]
pub async fn system_prompt_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("system_prompt_delete", service::delete(&state.pool, id)).await
}

#[tauri::command]
pub async fn system_prompt_restore(state: State<'_, AppState>, id: Id) -> Result<SystemPrompt> {
    traced("system_prompt_restore", service::restore(&state.pool, id)).await
}

#[tauri::command]
pub async fn system_prompt_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("system_prompt_purge", service::purge(&state.pool, id)).await
}
