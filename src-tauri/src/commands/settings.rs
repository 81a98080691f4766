//! Commands for the settings singleton.

use tauri::State;

use super::traced;
use crate::error::Result;
use crate::models::{Settings, SettingsInput};
use crate::services::settings as service;
use crate::state::AppState;

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<Settings> {
    traced("settings_get", service::get(&state.pool)).await
}

#[tauri::command]
pub async fn settings_update(state: State<'_, AppState>, input: SettingsInput) -> Result<Settings> {
    traced("settings_update", service::update(&state.pool, input)).await
}
