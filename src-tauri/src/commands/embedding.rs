//! Commands for Settings > Memory: the embedding model, the vector weight
//! and the indexer's progress.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{EmbeddingStatus, Id};
use crate::services::embedding as service;
use crate::state::AppState;

/// The embedding model (or none), the vector weight and how far indexing is.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn embedding_status(state: State<'_, AppState>) -> Result<EmbeddingStatus> {
    service::status(&state).await
}

/// Chooses the embedding model; `null` turns vectors off.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn embedding_set_model(
    state: State<'_, AppState>,
    model_id: Option<Id>,
) -> Result<EmbeddingStatus> {
    service::set_model(&state, model_id).await
}

/// Sets how much vector similarity counts (0..1).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn embedding_set_weight(
    state: State<'_, AppState>,
    weight: f64,
) -> Result<EmbeddingStatus> {
    service::set_weight(&state, weight).await
}
