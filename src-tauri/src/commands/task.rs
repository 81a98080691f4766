//! Commands for tasks (`services::task`).

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{Id, Page, Place, Task, TaskInput, TaskPatch, TaskQuery};
use crate::services::task as service;
use crate::state::AppState;

/// A chat's tasks (open in order, then done); no chat: the standing-alone
/// ones.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_list_chat(state: State<'_, AppState>, chat_id: Option<Id>) -> Result<Vec<Task>> {
    service::for_chat(&state.pool, chat_id).await
}

/// The Tasks screen and the trash, in pages.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_list(state: State<'_, AppState>, query: Option<TaskQuery>) -> Result<Page<Task>> {
    service::list(&state.pool, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_create(state: State<'_, AppState>, input: TaskInput) -> Result<Task> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_update(state: State<'_, AppState>, id: Id, patch: TaskPatch) -> Result<Task> {
    service::update(&state.pool, id, patch).await
}

/// Moves an open task before or after another; returns the list's open
/// tasks in their new order.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_move(
    state: State<'_, AppState>,
    id: Id,
    target: Id,
    place: Place,
) -> Result<Vec<Task>> {
    service::move_to(&state.pool, id, target, place).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_restore(state: State<'_, AppState>, id: Id) -> Result<Task> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}

/// Whether the chat lets its open tasks into the prompt.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_objectives_get(state: State<'_, AppState>, chat_id: Id) -> Result<bool> {
    service::objectives_on(&state.pool, chat_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn task_objectives_set(state: State<'_, AppState>, chat_id: Id, on: bool) -> Result<()> {
    service::set_objectives(&state.pool, chat_id, on).await
}
