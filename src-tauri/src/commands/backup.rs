//! Commands for backups: list, back up now, delete, and restore (after
//! which the app starts again on the restored file).

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tracing::instrument;

use crate::backup_folder::{self, BackupFile, Kind};
use crate::error::Result;
use crate::services::backup as service;
use crate::state::AppState;

/// The backup folder and what is in it, newest first.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backups {
    pub folder: String,
    pub backups: Vec<BackupFile>,
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn backup_list(state: State<'_, AppState>) -> Result<Backups> {
    Ok(Backups {
        folder: backup_folder::dir(&state.db_path).display().to_string(),
        backups: service::list(&state.db_path)?,
    })
}

/// "Back up now".
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn backup_create(state: State<'_, AppState>) -> Result<BackupFile> {
    service::make(&state.pool, &state.db_path, Kind::Manual).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn backup_delete(state: State<'_, AppState>, name: String) -> Result<()> {
    service::delete(&state.db_path, &name)
}

/// Deletes every backup made until now (they still hold what was deleted
/// forever); how many.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn backup_delete_all_before_now(state: State<'_, AppState>) -> Result<usize> {
    service::delete_older_than(&state.db_path, chrono::Utc::now())
}

/// Restores a backup; once the database has been closed for it, the app
/// lets go of its data folder and starts again (on the restored file, or on
/// the untouched one if putting the backup in place failed).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn backup_restore<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Result<()> {
    let restored = service::restore_open(&state.pool, &state.replies, &state.db_path, &name).await;
    if state.pool.is_closed() {
        if let Some(held) = app.try_state::<crate::instance::Held>() {
            held.release();
        }
        app.request_restart();
    }
    restored.map(drop)
}
