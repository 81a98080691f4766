//! Commands for providers. API keys go in through `ProviderInput.apiKey`
//! and never come back out: replies carry only `hasApiKey` (and
//! `keyCleared` when a move to another server forgot the key); no command
//! or event carries a key's value.

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{ChosenModel, Id, ListQuery, Page, Provider, ProviderInput};
use crate::services::provider as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<Provider>> {
    let query = query.unwrap_or_default();
    service::list(&state.pool, state.secrets.as_ref(), &query).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_get(state: State<'_, AppState>, id: Id) -> Result<Provider> {
    service::get(&state.pool, state.secrets.as_ref(), id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_create(state: State<'_, AppState>, input: ProviderInput) -> Result<Provider> {
    service::create(&state.pool, state.secrets.as_ref(), input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_update(
    state: State<'_, AppState>,
    id: Id,
    input: ProviderInput,
) -> Result<Provider> {
    service::update(&state.pool, state.secrets.as_ref(), id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, state.secrets.as_ref(), id).await
}

/// The models the provider offers; doubles as "test connection".
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_models(
    state: State<'_, AppState>,
    id: Id,
) -> Result<Vec<crate::ai::RemoteModel>> {
    service::remote_models(&state.pool, state.secrets.as_ref(), &state.http, id).await
}

/// What the person must be told about the key store, if anything (a key
/// file Parley could not read and set aside); words, never a key.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_key_notice(state: State<'_, AppState>) -> Result<Option<String>> {
    Ok(state.secrets.notice())
}

/// "Connect", first half: the models of a provider not saved yet.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_probe(
    state: State<'_, AppState>,
    input: ProviderInput,
) -> Result<Vec<crate::ai::RemoteModel>> {
    service::probe(&state.pool, &state.http, input).await
}

/// "Connect", second half: the provider and the models picked, saved together.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_connect(
    state: State<'_, AppState>,
    input: ProviderInput,
    models: Vec<ChosenModel>,
) -> Result<Provider> {
    service::connect(&state.pool, state.secrets.as_ref(), input, models).await
}

/// "Find a local server": the usual local servers that answer, with their models.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn provider_scan_local(
    state: State<'_, AppState>,
) -> Result<Vec<crate::services::local_servers::FoundServer>> {
    Ok(crate::services::local_servers::scan(&state.http).await)
}
