//! Rules, validation and transactions. Services take a `SqlitePool` (and a
//! secret store where keys are involved), validate input before any SQL,
//! and begin and commit the transactions the repos run in.
//!
//! Nothing here knows about Tauri, so every rule is testable without a
//! window.

pub mod ai_model;
pub mod app_config;
pub mod appearance;
pub mod avatar;
pub mod backup;
pub mod branch;
pub mod character;
pub mod chat_memory;
pub mod chat_session;
pub mod chat_title;
pub mod demo;
pub mod document;
pub mod embedding;
pub mod export;
pub mod generation;
pub mod generation_params;
pub mod group;
pub mod import;
pub mod link;
pub mod local_model;
pub mod local_servers;
pub mod lorebook;
pub mod macros;
pub mod markdown;
pub mod memory;
pub mod message;
pub mod model_download;
pub mod prompt;
pub mod provider;
pub mod search;
pub mod settings;
pub mod system_prompt;
pub mod task;
pub mod template;
pub mod tokens;
pub mod user_profile;
pub mod validate;

use crate::error::{AppError, Result};
use crate::models::Id;
use crate::repos::{self, Table};
use serde_json::json;

/// Fails with `NotFound` unless a live row of `table` has this id.
/// `field` names the input that referred to it, for references.
pub(crate) async fn require_live(
    pool: &sqlx::SqlitePool,
    table: Table,
    id: Id,
    entity: &'static str,
    field: Option<&str>,
) -> Result<()> {
    if repos::exists_live(pool, table, id).await? {
        return Ok(());
    }
    Err(match field {
        Some(f) => AppError::validation(
            f,
            format!("the chosen {entity} no longer exists; pick another"),
        )
        .worded("chosen_gone", json!({ "entity": entity })),
        None => AppError::not_found(entity, id),
    })
}
