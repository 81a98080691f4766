//! Commands for a chat's memory panel: its entries, and what its summaries
//! are doing (the panel asks every second or so while it is open).

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{ChatMemory, ChatMemoryInput, Id};
use crate::services::chat_memory as service;
use crate::services::memory::summary_queue::SummaryStatus;
use crate::services::memory::summary_worker;
use crate::state::AppState;

/// A chat's entries, newest range first.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_list(state: State<'_, AppState>, chat_id: Id) -> Result<Vec<ChatMemory>> {
    service::list(&state.pool, chat_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_add(
    state: State<'_, AppState>,
    chat_id: Id,
    input: ChatMemoryInput,
) -> Result<ChatMemory> {
    service::add(&state.pool, chat_id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_update(
    state: State<'_, AppState>,
    id: Id,
    content: String,
) -> Result<ChatMemory> {
    service::update(&state.pool, id, &content).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_pin(
    state: State<'_, AppState>,
    id: Id,
    pinned: bool,
) -> Result<ChatMemory> {
    service::set_pinned(&state.pool, id, pinned).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

/// Summarizes one entry again (`memory_id`), or whatever the chat needs,
/// in the background; returns the summaries' status.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_resummarize(
    state: State<'_, AppState>,
    chat_id: Id,
    memory_id: Option<Id>,
) -> Result<SummaryStatus> {
    summary_worker::ask(&state, chat_id, memory_id).await
}

/// What a chat's summaries are doing: idle, queued, running, waiting for
/// a reply, or failed and why.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_memory_status(state: State<'_, AppState>, chat_id: Id) -> Result<SummaryStatus> {
    Ok(state.summaries.status(chat_id))
}
