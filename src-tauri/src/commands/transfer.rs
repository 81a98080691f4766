//! Commands for import and export, and the list thumbnails.

use std::path::PathBuf;

use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter, State};

use super::traced;
use crate::error::{AppError, Result};
use crate::models::Id;
use crate::services::transfer::{self as service, CardFormat, ImportReport, Thumbnails};
use crate::state::AppState;

/// Where an export was written.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub path: String,
}

/// One file the person picked, as raw bytes with its name in the
/// `x-file-name` header (URI-encoded).
#[tauri::command]
pub async fn import_file(state: State<'_, AppState>, request: Request<'_>) -> Result<ImportReport> {
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_else(|| "unnamed file".into());
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::validation(
            "file",
            "the file's contents did not arrive; try again",
        ));
    };
    let bytes = bytes.clone();
    traced("import_file", async {
        let mut report = ImportReport::default();
        let result = service::import_bytes(&state.pool, &name, bytes).await;
        report.add(&service::display_name(&name), result);
        Ok(report)
    })
    .await
}

/// Files and folders dropped on the window; `import://progress` after each.
#[tauri::command]
pub async fn import_paths(
    app: AppHandle,
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
) -> Result<ImportReport> {
    traced("import_paths", async {
        Ok(service::import_paths(&state.pool, &paths, |p| {
            let _ = app.emit("import://progress", p);
        })
        .await)
    })
    .await
}

#[tauri::command]
pub async fn export_character(
    state: State<'_, AppState>,
    id: Id,
    format: CardFormat,
) -> Result<Exported> {
    traced("export_character", async {
        let path =
            service::export_character(&state.pool, id, format, &service::exports_dir()).await?;
        Ok(Exported {
            path: path.display().to_string(),
        })
    })
    .await
}

#[tauri::command]
pub async fn export_chat(state: State<'_, AppState>, id: Id) -> Result<Exported> {
    traced("export_chat", async {
        let path = service::export_chat(&state.pool, id, &service::exports_dir()).await?;
        Ok(Exported {
            path: path.display().to_string(),
        })
    })
    .await
}

#[tauri::command]
pub async fn character_thumbnails(state: State<'_, AppState>, ids: Vec<Id>) -> Result<Thumbnails> {
    traced(
        "character_thumbnails",
        service::thumbnails(&state.pool, &ids),
    )
    .await
}
