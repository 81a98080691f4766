//! Commands for chats.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{ChatSession, ChatSessionInput, ChatSessionSummary, Id, ListQuery, Page};
use crate::services::chat_session as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<ChatSessionSummary>> {
    service::list(&state.pool, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_get(state: State<'_, AppState>, id: Id) -> Result<ChatSession> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_create(
    state: State<'_, AppState>,
    input: ChatSessionInput,
) -> Result<ChatSession> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_update(
    state: State<'_, AppState>,
    id: Id,
    input: ChatSessionInput,
) -> Result<ChatSession> {
    service::update(&state.pool, id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_restore(state: State<'_, AppState>, id: Id) -> Result<ChatSession> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}

/// A new chat's title from its first exchange, asked of its model; the
/// chat as saved, or `None` when its title stays (see `services::chat_title`).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_make_title(state: State<'_, AppState>, id: Id) -> Result<Option<ChatSession>> {
    crate::services::chat_title::make(&state.pool, state.secrets.as_ref(), &state.http, id).await
}
