//! The search command.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::services::search::{self as service, SearchQuery, SearchResults};
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn search(state: State<'_, AppState>, query: SearchQuery) -> Result<SearchResults> {
    service::search(&state.pool, &query).await
}
