//! Commands for personas (user profiles).

use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{Id, ListQuery, Page, UserProfile, UserProfileInput};
use crate::services::user_profile as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<UserProfile>> {
    service::list(&state.pool, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_get(state: State<'_, AppState>, id: Id) -> Result<UserProfile> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_create(
    state: State<'_, AppState>,
    input: UserProfileInput,
) -> Result<UserProfile> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_update(
    state: State<'_, AppState>,
    id: Id,
    input: UserProfileInput,
) -> Result<UserProfile> {
    service::update(&state.pool, id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_restore(state: State<'_, AppState>, id: Id) -> Result<UserProfile> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn user_profile_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}
