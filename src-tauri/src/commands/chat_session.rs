//! Commands for chats.

use tauri::State;

use super::traced;
use crate::error::Result;
use crate::models::{ChatSession, ChatSessionInput, ChatSessionSummary, Id, ListQuery, Page};
use crate::services::chat_session as service;
use crate::state::AppState;

#[tauri::command]
pub async fn chat_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<ChatSessionSummary>> {
    traced(
        "chat_list",
        service::list(&state.pool, &query.unwrap_or_default()),
    )
    .await
}

#[tauri::command]
pub async fn chat_get(state: State<'_, AppState>, id: Id) -> Result<ChatSession> {
    traced("chat_get", service::get(&state.pool, id)).await
}

#[tauri::command]
pub async fn chat_create(
    state: State<'_, AppState>,
    input: ChatSessionInput,
) -> Result<ChatSession> {
    traced("chat_create", service::create(&state.pool, input)).await
}

#[tauri::command]
pub async fn chat_update(
    state: State<'_, AppState>,
    id: Id,
    input: ChatSessionInput,
) -> Result<ChatSession> {
    traced("chat_update", service::update(&state.pool, id, input)).await
}

#[tauri::command]
pub async fn chat_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("chat_delete", service::delete(&state.pool, id)).await
}

#[tauri::command]
pub async fn chat_restore(state: State<'_, AppState>, id: Id) -> Result<ChatSession> {
    traced("chat_restore", service::restore(&state.pool, id)).await
}

#[tauri::command]
pub async fn chat_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("chat_purge", service::purge(&state.pool, id)).await
}
