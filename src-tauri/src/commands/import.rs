//! Commands for import: a file the person picked, or files and folders
//! dropped on the window with progress over the call's own channel.

use serde_json::json;
use std::path::PathBuf;

use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;
use tracing::instrument;

use crate::error::{AppError, Result};
use crate::services::import::{self as service, ImportProgress, ImportReport};
use crate::state::AppState;

/// One file the person picked, as raw bytes with its name in the
/// `x-file-name` header (URI-encoded).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
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
        return Err(
            AppError::validation("file", "the file's contents did not arrive; try again")
                .worded("file_not_arrived", json!({})),
        );
    };
    let mut report = ImportReport::default();
    let result = service::import_bytes(&state.pool, &name, bytes.clone()).await;
    report.add(&service::display_name(&name), result);
    Ok(report)
}

/// Files and folders dropped on the window; `on_progress` hears
/// `{ done, total, file }` after each file.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn import_paths(
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
    on_progress: Channel<ImportProgress>,
) -> Result<ImportReport> {
    Ok(service::import_paths(&state.pool, &paths, |p| {
        if let Err(e) = on_progress.send(p) {
            tracing::debug!(error = %e, "the window stopped listening to import progress");
        }
    })
    .await)
}

/// SillyTavern data folders in their usual places, with what each holds,
/// for the first run to offer; importing one is `import_paths`.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn import_sillytavern_found() -> Result<Vec<service::found::FoundSillyTavern>> {
    tokio::task::spawn_blocking(|| service::found::found(&crate::paths::home()))
        .await
        .map_err(|e| {
            AppError::internal(format!("look for SillyTavern: {e}")).worded(
                "sillytavern_search_failed",
                json!({ "reason": e.to_string() }),
            )
        })
}
