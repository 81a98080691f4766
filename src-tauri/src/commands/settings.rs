//! Commands for the settings singleton.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{Settings, SettingsInput};
use crate::services::settings as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn settings_get(state: State<'_, AppState>) -> Result<Settings> {
    service::get(&state.pool).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn settings_update(state: State<'_, AppState>, input: SettingsInput) -> Result<Settings> {
    service::update(&state.pool, input).await
}
