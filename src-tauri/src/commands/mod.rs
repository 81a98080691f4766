//! `#[tauri::command]` adapters: take the state, call one service, return
//! `Result<T, AppError>`. No rules here. Each command runs in a `command`
//! span with a request id, so its log lines can be told apart.
//!
//! Every command is declared in `src-tauri/build.rs` and granted in
//! `src-tauri/capabilities/default.json`.

pub mod ai_model;
pub mod app;
pub mod character;
pub mod chat_session;
pub mod generation;
pub mod message;
pub mod provider;
pub mod search;
pub mod settings;
pub mod system_prompt;
pub mod transfer;
pub mod user_profile;

use std::future::Future;
use std::time::Instant;

use tracing::Instrument;

use crate::error::Result;

/// Runs a command's work inside its span and logs how it ended.
pub async fn traced<T>(name: &'static str, work: impl Future<Output = Result<T>>) -> Result<T> {
    let request_id = crate::models::new_id();
    let span = tracing::info_span!("command", command = name, request_id = %request_id);
    async move {
        let started = Instant::now();
        let result = work.await;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match &result {
            Ok(_) => tracing::debug!(elapsed_ms, "command done"),
            Err(e) => tracing::warn!(elapsed_ms, kind = e.kind(), error = %e, "command failed"),
        }
        result
    }
    .instrument(span)
    .await
}

/// Every command, for `tauri::Builder::invoke_handler`.
#[macro_export]
macro_rules! all_commands {
    () => {
        tauri::generate_handler![
            $crate::commands::transfer::import_file,
            $crate::commands::transfer::import_paths,
            $crate::commands::transfer::export_character,
            $crate::commands::transfer::export_chat,
            $crate::commands::transfer::character_thumbnails,
            $crate::commands::message::message_page_after,
            $crate::commands::message::message_page_around,
            $crate::commands::search::search,
            $crate::commands::app::app_info,
            $crate::commands::character::character_list,
            $crate::commands::character::character_get,
            $crate::commands::character::character_create,
            $crate::commands::character::character_update,
            $crate::commands::character::character_delete,
            $crate::commands::character::character_restore,
            $crate::commands::character::character_purge,
            $crate::commands::user_profile::user_profile_list,
            $crate::commands::user_profile::user_profile_get,
            $crate::commands::user_profile::user_profile_create,
            $crate::commands::user_profile::user_profile_update,
            $crate::commands::user_profile::user_profile_delete,
            $crate::commands::user_profile::user_profile_restore,
            $crate::commands::user_profile::user_profile_purge,
            $crate::commands::provider::provider_list,
            $crate::commands::provider::provider_get,
            $crate::commands::provider::provider_create,
            $crate::commands::provider::provider_update,
            $crate::commands::provider::provider_delete,
            $crate::commands::ai_model::ai_model_list,
            $crate::commands::ai_model::ai_model_get,
            $crate::commands::ai_model::ai_model_create,
            $crate::commands::ai_model::ai_model_update,
            $crate::commands::ai_model::ai_model_delete,
            $crate::commands::system_prompt::system_prompt_list,
            $crate::commands::system_prompt::system_prompt_get,
            $crate::commands::system_prompt::system_prompt_create,
            $crate::commands::system_prompt::system_prompt_update,
            $crate::commands::system_prompt::system_prompt_delete,
            $crate::commands::system_prompt::system_prompt_restore,
            $crate::commands::system_prompt::system_prompt_purge,
            $crate::commands::chat_session::chat_list,
            $crate::commands::chat_session::chat_get,
            $crate::commands::chat_session::chat_create,
            $crate::commands::chat_session::chat_update,
            $crate::commands::chat_session::chat_delete,
            $crate::commands::chat_session::chat_restore,
            $crate::commands::chat_session::chat_purge,
            $crate::commands::message::message_page,
            $crate::commands::message::message_add,
            $crate::commands::message::message_update,
            $crate::commands::message::message_delete,
            $crate::commands::settings::settings_get,
            $crate::commands::settings::settings_update,
            $crate::commands::provider::provider_models,
            $crate::commands::generation::chat_send,
            $crate::commands::generation::chat_stop,
            $crate::commands::generation::chat_delta_shown,
            $crate::commands::generation::chat_regenerate,
            $crate::commands::generation::chat_continue,
            $crate::commands::generation::chat_attach,
            $crate::commands::generation::chat_prompt_preview,
            $crate::commands::generation::message_swipe,
            $crate::commands::generation::markdown_render,
        ]
    };
}
