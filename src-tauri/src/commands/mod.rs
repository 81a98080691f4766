//! `#[tauri::command]` adapters: take the state, call one service, return
//! `Result<T, AppError>`. No rules here.
//!
//! Each command runs in a span named after its function, with a request id
//! so its log lines can be told apart, and logs its error (with the
//! internals the window never sees) at warn:
//!
//! ```text
//! #[tauri::command]
//! #[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
//! pub async fn thing_get(state: State<'_, AppState>, id: Id) -> Result<Thing> { ... }
//! ```
//!
//! The names live in one list, [`names::COMMANDS`]: `build.rs` declares
//! them from it, `capabilities/default.json` grants each, and
//! `all_commands!` registers each (`tests/commands.rs` proves both).

pub mod ai_model;
pub mod app;
pub mod app_config;
pub mod avatar;
pub mod backup;
pub mod branch;
pub mod character;
pub mod chat_memory;
pub mod chat_session;
pub mod demo;
pub mod document;
pub mod embedding;
pub mod export;
pub mod generation;
pub mod group;
pub mod import;
pub mod link;
pub mod local_model;
pub mod message;
/// The command names, one list (also `include!`d by `build.rs`).
pub mod names;
mod pick;
pub mod provider;
pub mod search;
pub mod settings;
pub mod system_prompt;
pub mod task;
pub mod template;
pub mod tokens;
pub mod user_profile;

use crate::models::Id;

/// A fresh id for a command's span, so one call's log lines can be told
/// apart from another's.
pub fn request_id() -> Id {
    crate::models::new_id()
}

/// Every command, for `tauri::Builder::invoke_handler`: the handlers of
/// [`names::COMMANDS`], which `tests/commands.rs` holds in step.
#[macro_export]
macro_rules! all_commands {
    () => {
        tauri::generate_handler![
            $crate::commands::import::import_file,
            $crate::commands::import::import_paths,
            $crate::commands::export::export_character,
            $crate::commands::export::export_chat,
            $crate::commands::character::character_thumbnails,
            $crate::commands::avatar::avatar_set,
            $crate::commands::avatar::avatar_set_path,
            $crate::commands::avatar::avatar_clear,
            $crate::commands::avatar::avatar_get,
            $crate::commands::avatar::avatar_small,
            $crate::commands::tokens::tokens_count,
            $crate::commands::message::message_page_after,
            $crate::commands::message::message_page_around,
            $crate::commands::search::search,
            $crate::commands::app::app_info,
            $crate::commands::app_config::config_get,
            $crate::commands::app_config::config_set,
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
            $crate::commands::template::template_list,
            $crate::commands::template::template_get,
            $crate::commands::template::template_create,
            $crate::commands::template::template_update,
            $crate::commands::template::template_delete,
            $crate::commands::template::template_restore,
            $crate::commands::template::template_purge,
            $crate::commands::template::template_set_default,
            $crate::commands::template::template_default_text,
            $crate::commands::template::template_set_default_text,
            $crate::commands::template::template_variables,
            $crate::commands::template::template_render,
            $crate::commands::template::template_export,
            $crate::commands::template::template_import,
            $crate::commands::template::template_import_st_quick_replies,
            $crate::commands::template::quick_reply_list,
            $crate::commands::template::quick_reply_set,
            $crate::commands::template::quick_reply_for_chat,
            $crate::commands::chat_session::chat_list,
            $crate::commands::chat_session::chat_get,
            $crate::commands::chat_session::chat_create,
            $crate::commands::chat_session::chat_update,
            $crate::commands::chat_session::chat_delete,
            $crate::commands::chat_session::chat_restore,
            $crate::commands::chat_session::chat_purge,
            $crate::commands::chat_session::chat_make_title,
            $crate::commands::branch::branch_create,
            $crate::commands::branch::branch_origin,
            $crate::commands::branch::branch_list,
            $crate::commands::message::message_page,
            $crate::commands::message::message_add,
            $crate::commands::message::message_update,
            $crate::commands::message::message_delete,
            $crate::commands::settings::settings_get,
            $crate::commands::settings::settings_update,
            $crate::commands::provider::provider_models,
            $crate::commands::provider::provider_key_notice,
            $crate::commands::provider::provider_probe,
            $crate::commands::provider::provider_connect,
            $crate::commands::provider::provider_scan_local,
            $crate::commands::local_model::local_model_found,
            $crate::commands::local_model::local_model_add,
            $crate::commands::local_model::local_model_download,
            $crate::commands::local_model::local_model_downloads,
            $crate::commands::local_model::local_model_download_cancel,
            $crate::commands::local_model::local_model_choose,
            $crate::commands::local_model::local_model_folders,
            $crate::commands::local_model::local_model_folder_add,
            $crate::commands::local_model::local_model_folder_choose,
            $crate::commands::local_model::local_model_folder_remove,
            $crate::commands::import::import_sillytavern_found,
            $crate::commands::app_config::appearance_custom_css,
            $crate::commands::demo::demo_starter_character,
            $crate::commands::generation::chat_send,
            $crate::commands::generation::chat_stop,
            $crate::commands::generation::chat_delta_shown,
            $crate::commands::generation::chat_regenerate,
            $crate::commands::generation::chat_continue,
            $crate::commands::generation::chat_attach,
            $crate::commands::generation::chat_prompt_preview,
            $crate::commands::generation::message_swipe,
            $crate::commands::generation::markdown_render,
            $crate::commands::message::message_show,
            $crate::commands::link::open_link,
            $crate::commands::backup::backup_list,
            $crate::commands::backup::backup_create,
            $crate::commands::backup::backup_delete,
            $crate::commands::backup::backup_delete_all_before_now,
            $crate::commands::backup::backup_restore,
            $crate::commands::chat_memory::chat_memory_list,
            $crate::commands::chat_memory::chat_memory_add,
            $crate::commands::chat_memory::chat_memory_update,
            $crate::commands::chat_memory::chat_memory_pin,
            $crate::commands::chat_memory::chat_memory_delete,
            $crate::commands::chat_memory::chat_memory_resummarize,
            $crate::commands::chat_memory::chat_memory_status,
            $crate::commands::embedding::embedding_status,
            $crate::commands::embedding::embedding_set_model,
            $crate::commands::embedding::embedding_set_weight,
            $crate::commands::document::document_add,
            $crate::commands::document::document_add_paths,
            $crate::commands::document::document_list_chat,
            $crate::commands::document::document_list,
            $crate::commands::document::document_trash,
            $crate::commands::document::document_get,
            $crate::commands::document::document_rename,
            $crate::commands::document::document_set_enabled,
            $crate::commands::document::document_rechunk,
            $crate::commands::document::document_delete,
            $crate::commands::document::document_restore,
            $crate::commands::document::document_purge,
            $crate::commands::group::group_create,
            $crate::commands::group::group_members,
            $crate::commands::group::group_member_add,
            $crate::commands::group::group_member_remove,
            $crate::commands::group::group_member_update,
            $crate::commands::group::group_settings,
            $crate::commands::group::group_settings_set,
            $crate::commands::group::group_next_speaker,
            $crate::commands::group::group_turn,
            $crate::commands::task::task_list_chat,
            $crate::commands::task::task_list,
            $crate::commands::task::task_create,
            $crate::commands::task::task_update,
            $crate::commands::task::task_move,
            $crate::commands::task::task_delete,
            $crate::commands::task::task_restore,
            $crate::commands::task::task_purge,
            $crate::commands::task::task_objectives_get,
            $crate::commands::task::task_objectives_set,
        ]
    };
}
