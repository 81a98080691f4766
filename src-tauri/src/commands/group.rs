//! Commands for group chats: create one, its members (add, remove, mute,
//! talkativeness, order), its settings, who speaks next, and a turn with
//! no message of the person's (force talk, auto-mode). Sending in a group
//! is `chat_send` with an optional `speakerId`.

use tauri::ipc::Channel;
use tauri::State;
use tracing::instrument;

use crate::error::Result;
use crate::models::{ChatMember, GroupChat, GroupInput, GroupSettings, Id, MemberUpdate};
use crate::services::generation::{self, ReplyEvent, Started};
use crate::services::group as service;
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_create(state: State<'_, AppState>, input: GroupInput) -> Result<GroupChat> {
    service::create(&state.pool, input).await
}

/// The chat's members in member order; empty for a one-character chat.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_members(state: State<'_, AppState>, chat_id: Id) -> Result<Vec<ChatMember>> {
    service::members(&state.pool, chat_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_member_add(
    state: State<'_, AppState>,
    chat_id: Id,
    character_id: Id,
) -> Result<Vec<ChatMember>> {
    service::add_member(&state.pool, chat_id, character_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_member_remove(
    state: State<'_, AppState>,
    chat_id: Id,
    character_id: Id,
) -> Result<Vec<ChatMember>> {
    service::remove_member(&state.pool, chat_id, character_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_member_update(
    state: State<'_, AppState>,
    chat_id: Id,
    character_id: Id,
    change: MemberUpdate,
) -> Result<Vec<ChatMember>> {
    service::update_member(&state.pool, chat_id, character_id, change).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_settings(state: State<'_, AppState>, chat_id: Id) -> Result<GroupSettings> {
    service::settings(&state.pool, chat_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_settings_set(
    state: State<'_, AppState>,
    chat_id: Id,
    settings: GroupSettings,
) -> Result<GroupSettings> {
    service::set_settings(&state.pool, chat_id, settings).await
}

/// Who the turn order would pick now; null in manual order or when every
/// member is muted.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_next_speaker(
    state: State<'_, AppState>,
    chat_id: Id,
) -> Result<Option<ChatMember>> {
    service::next_speaker(&state.pool, chat_id).await
}

/// A reply with no message of the person's, by `speaker_id` (force talk,
/// muted members too) or the turn order's pick (auto-mode); null when the
/// turn order picks nobody. Its events go over `on_event` like a send's.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn group_turn(
    state: State<'_, AppState>,
    chat_id: Id,
    speaker_id: Option<Id>,
    on_event: Channel<ReplyEvent>,
) -> Result<Option<Started>> {
    generation::turn(
        &state,
        chat_id,
        speaker_id,
        super::generation::sink(on_event),
    )
    .await
}
