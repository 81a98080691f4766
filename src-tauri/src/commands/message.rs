//! Commands for a chat's messages.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{Id, Message, MessageInput, Page};
use crate::services::macros::{self, display};
use crate::services::message as service;
use crate::state::AppState;

/// Messages as the window shows them: macros replayed with the chat's
/// names (stored results for the rest), Markdown rendered and sanitised,
/// the results put in as text (`services::macros::display`).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_show(
    state: State<'_, AppState>,
    chat_id: Id,
    items: Vec<display::Item>,
) -> Result<Vec<display::Shown>> {
    macros::chat::show(&state.pool, chat_id, &items).await
}

/// The page ending before `before_id`, or the chat's last page.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_page(
    state: State<'_, AppState>,
    chat_id: Id,
    before_id: Option<Id>,
    limit: Option<u32>,
) -> Result<Page<Message>> {
    service::page(&state.pool, chat_id, before_id, limit).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_add(
    state: State<'_, AppState>,
    chat_id: Id,
    input: MessageInput,
) -> Result<Message> {
    service::add(&state.pool, chat_id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_update(
    state: State<'_, AppState>,
    id: Id,
    content: String,
) -> Result<Message> {
    service::update(&state.pool, id, &content).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

/// The page after `after_id`, oldest first.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_page_after(
    state: State<'_, AppState>,
    chat_id: Id,
    after_id: Id,
    limit: Option<u32>,
) -> Result<Page<Message>> {
    service::page_after(&state.pool, chat_id, after_id, limit).await
}

/// The messages around `message_id` (a jump from search).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_page_around(
    state: State<'_, AppState>,
    chat_id: Id,
    message_id: Id,
    limit: Option<u32>,
) -> Result<service::Window> {
    service::page_around(&state.pool, chat_id, message_id, limit).await
}
