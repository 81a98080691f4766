//! Commands for branches: make one from a message, say where a chat came
//! from, list a chat's branches.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{BranchOrigin, BranchSummary, ChatSession, Id};
use crate::services::branch as service;
use crate::state::AppState;

/// A new chat with the history up to and including the message.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn branch_create(state: State<'_, AppState>, message_id: Id) -> Result<ChatSession> {
    service::create(&state.pool, message_id).await
}

/// Where a chat came from; `null` when it is not a branch.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn branch_origin(
    state: State<'_, AppState>,
    chat_id: Id,
) -> Result<Option<BranchOrigin>> {
    service::origin(&state.pool, chat_id).await
}

/// A chat's branches, oldest first.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn branch_list(state: State<'_, AppState>, chat_id: Id) -> Result<Vec<BranchSummary>> {
    service::list(&state.pool, chat_id).await
}
