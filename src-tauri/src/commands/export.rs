//! Commands for export: a character as a card, a chat as SillyTavern
//! `.jsonl` (a group chat with its group file), written to the exports
//! folder.

use serde::Serialize;
use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::Id;
use crate::services::export::{self as service, CardFormat};
use crate::state::AppState;

/// Where an export was written.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
    /// A group chat's SillyTavern group file, written beside the chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_path: Option<String>,
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn export_character(
    state: State<'_, AppState>,
    id: Id,
    format: CardFormat,
) -> Result<Exported> {
    let path = service::export_character(&state.pool, id, format, &service::exports_dir()).await?;
    Ok(Exported {
        path: path.display().to_string(),
        group_path: None,
    })
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn export_chat(state: State<'_, AppState>, id: Id) -> Result<Exported> {
    let files = service::export_chat_files(&state.pool, id, &service::exports_dir()).await?;
    Ok(Exported {
        path: files.chat.display().to_string(),
        group_path: files.group.map(|p| p.display().to_string()),
    })
}
