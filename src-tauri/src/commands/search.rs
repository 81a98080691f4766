//! The search command.

use tauri::State;

use super::traced;
use crate::error::Result;
use crate::services::search::{self as service, SearchQuery, SearchResults};
use crate::state::AppState;

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: SearchQuery) -> Result<SearchResults> {
    traced("search", service::search(&state.pool, &query)).await
}
