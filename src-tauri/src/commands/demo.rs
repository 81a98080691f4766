//! Commands for the demo library: the first-run screen's starter character.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::Character;
use crate::state::AppState;

/// The starter character, added (or taken out of the trash) if needed.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn demo_starter_character(state: State<'_, AppState>) -> Result<Character> {
    crate::services::demo::starter_character(&state.pool).await
}
