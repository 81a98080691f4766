//! Commands for preferences (`app_config`): a known key's value, and
//! setting it.

use serde_json::{json, Value};
use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::services::app_config as service;
use crate::state::AppState;

/// The preference's value, or its default when it was never set.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn config_get(state: State<'_, AppState>, key: String) -> Result<Value> {
    service::get_value(&state.pool, &key).await
}

/// Sets the preference; returns the value stored.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn config_set(state: State<'_, AppState>, key: String, value: Value) -> Result<Value> {
    let value = service::set_value(&state.pool, &key, value).await?;
    if key.starts_with("local.") {
        crate::services::local_model::apply_settings(&state.pool).await?;
    }
    Ok(value)
}

/// The person's own stylesheet (`custom.css` in the data folder) and its
/// path; the window applies it as a stylesheet object.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn appearance_custom_css(
    state: State<'_, AppState>,
) -> Result<crate::services::appearance::CustomCss> {
    let db_path = state.db_path.clone();
    tokio::task::spawn_blocking(move || crate::services::appearance::custom_css(&db_path))
        .await
        .map_err(|e| {
            crate::error::AppError::internal(format!("read custom.css: {e}"))
                .worded("custom_css_failed", json!({ "reason": e.to_string() }))
        })?
}
