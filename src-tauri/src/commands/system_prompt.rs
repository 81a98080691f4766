//! Commands for system prompts.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{Id, ListQuery, Page, SystemPrompt, SystemPromptInput};
use crate::services::system_prompt as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<SystemPrompt>> {
    service::list(&state.pool, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_get(state: State<'_, AppState>, id: Id) -> Result<SystemPrompt> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_create(
    state: State<'_, AppState>,
    input: SystemPromptInput,
) -> Result<SystemPrompt> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_update(
    state: State<'_, AppState>,
    id: Id,
    input: SystemPromptInput,
) -> Result<SystemPrompt> {
    service::update(&state.pool, id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_restore(state: State<'_, AppState>, id: Id) -> Result<SystemPrompt> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn system_prompt_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}
