//! Commands for models on a provider.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{AiModel, AiModelInput, Id, ListQuery, Page};
use crate::services::ai_model as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn ai_model_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<AiModel>> {
    service::list(&state.pool, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn ai_model_get(state: State<'_, AppState>, id: Id) -> Result<AiModel> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn ai_model_create(state: State<'_, AppState>, input: AiModelInput) -> Result<AiModel> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn ai_model_update(
    state: State<'_, AppState>,
    id: Id,
    input: AiModelInput,
) -> Result<AiModel> {
    service::update(&state.pool, id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn ai_model_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}
