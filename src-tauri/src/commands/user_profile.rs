//! Commands for personas (user profiles).

use tauri::State;

use super::traced;
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, UserProfile, UserProfileInput};
use crate::services::user_profile as service;
use crate::state::AppState;

#[tauri::command]
pub async fn user_profile_list(
    state: State<'_, AppState>,
    query: Option<ListQuery>,
) -> Result<Page<UserProfile>> {
    traced(
        "user_profile_list",
        service::list(&state.pool, &query.unwrap_or_default()),
    )
    .await
}

#[tauri::command]
pub async fn user_profile_get(state: State<'_, AppState>, id: Id) -> Result<UserProfile> {
    traced("user_profile_get", service::get(&state.pool, id)).await
}

#[tauri::command]
pub async fn user_profile_create(
    state: State<'_, AppState>,
    input: UserProfileInput,
) -> Result<UserProfile> {
    traced("user_profile_create", service::create(&state.pool, input)).await
}

#[tauri::command]
pub async fn user_profile_update(
    state: State<'_, AppState>,
    id: Id,
    input: UserProfileInput,
) -> Result<UserProfile> {
    traced(
        "user_profile_update",
        service::update(&state.pool, id, input),
    )
    .await
}

#[tauri::command]
pub async fn user_profile_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("user_profile_delete", service::delete(&state.pool, id)).await
}

#[tauri::command]
pub async fn user_profile_restore(state: State<'_, AppState>, id: Id) -> Result<UserProfile> {
    traced("user_profile_restore", service::restore(&state.pool, id)).await
}

#[tauri::command]
pub async fn user_profile_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    traced("user_profile_purge", service::purge(&state.pool, id)).await
}
