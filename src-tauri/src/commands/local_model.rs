//! Models on this computer: the GGUF files found in the usual places, and
//! adding one (a found one, a chosen file, or a dropped file) to chat with.

use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use super::pick::{pick, Pick};
use crate::error::Result;
use crate::models::{AiModel, Id};
use crate::services::local_model::{self as service, FoundModel};
use crate::services::model_download::{self, Download};
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

/// Starts downloading a `.gguf` from an address into the models folder;
/// it becomes a model when whole (and checked, with a checksum).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_download(
    state: State<'_, AppState>,
    url: String,
    sha256: Option<String>,
) -> Result<Download> {
    model_download::start(&state, &url, sha256).await
}

/// Every download since Parley started, with its progress, newest first.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_downloads(state: State<'_, AppState>) -> Result<Vec<Download>> {
    Ok(state.downloads.list())
}

/// Stops a download; what arrived is kept for a resume.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_download_cancel(state: State<'_, AppState>, id: Id) -> Result<bool> {
    Ok(state.downloads.cancel(id))
}

/// Asks for a `.gguf` file with the system's file chooser and adds it;
/// `None` when the person cancelled.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_choose<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<AiModel>> {
    let what = Pick::File {
        kind: "GGUF model",
        extensions: &["gguf"],
    };
    let Some(path) = pick(&app, what, "Choose a model file").await? else {
        return Ok(None);
    };
    let path = path.display().to_string();
    service::add(&state.pool, state.secrets.as_ref(), &state.db_path, &path)
        .await
        .map(Some)
}

/// The folders the person named for model files.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_folders(state: State<'_, AppState>) -> Result<Vec<String>> {
    service::folders(&state.pool).await
}

/// Names a folder, typed, to look for model files in; gives the list.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_folder_add(
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<String>> {
    service::add_folder(&state.pool, &path).await
}

/// Asks for a folder with the system's chooser and names it; `None` when
/// the person cancelled.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_folder_choose<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<Vec<String>>> {
    let Some(dir) = pick(&app, Pick::Folder, "Choose a folder of model files").await? else {
        return Ok(None);
    };
    service::add_folder(&state.pool, &dir.display().to_string())
        .await
        .map(Some)
}

/// Stops looking in a named folder; gives the list.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn local_model_folder_remove(
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<String>> {
    service::remove_folder(&state.pool, &path).await
}
