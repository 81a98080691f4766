//! Commands for export: a character as a card, a chat as SillyTavern
//! `.jsonl`, written to the exports folder.

use serde::Serialize;
use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::Id;
use crate::services::export::{self as service, CardFormat};
use crate::state::AppState;

/// Where an export was written.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub path: String,
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
    })
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn export_chat(state: State<'_, AppState>, id: Id) -> Result<Exported> {
    let path = service::export_chat(&state.pool, id, &service::exports_dir()).await?;
    Ok(Exported {
        path: path.display().to_string(),
    })
}
