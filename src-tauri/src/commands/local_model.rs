//! Models on this computer: the GGUF files found in the usual places, and
//! adding one (a found one, a chosen file, or a dropped file) to chat with.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::AiModel;
use crate::services::local_model::{self as service, FoundModel};
use crate::state::AppState;

/// The GGUF files found on this computer, and which are added already.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_found(state: State<'_, AppState>) -> Result<Vec<FoundModel>> {
    service::found(&state.pool, &state.db_path).await
}

/// Adds a GGUF file by its path as a model to chat with.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_add(state: State<'_, AppState>, path: String) -> Result<AiModel> {
    service::add(&state.pool, state.secrets.as_ref(), &state.db_path, &path).await
}
