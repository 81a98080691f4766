//! The settings singleton: defaults must point at live rows, generation
//! settings stay in range.

use sqlx::SqlitePool;

use super::{require_live, validate};
use crate::error::{Result, ResultExt};
use crate::models::{Settings, SettingsInput, Timestamp};
use crate::repos::{settings as repo, Table};

pub async fn get(pool: &SqlitePool) -> Result<Settings> {
    repo::get(pool).await.context("read the settings")
}

pub async fn update(pool: &SqlitePool, input: SettingsInput) -> Result<Settings> {
    for (id, table, entity, field) in [
        (
            input.default_character_id,
            Table::Characters,
            "character",
            "default_character_id",
        ),
        (
            input.default_user_profile_id,
            Table::UserProfiles,
            "persona",
            "default_user_profile_id",
        ),
        (
            input.default_ai_model_id,
            Table::AiModels,
            "model",
            "default_ai_model_id",
        ),
        (
            input.default_system_prompt_id,
            Table::SystemPrompts,
            "system prompt",
            "default_system_prompt_id",
        ),
    ] {
        if let Some(id) = id {
            require_live(pool, table, id, entity, Some(field)).await?;
        }
    }
    validate::opt_range("temperature", Some(input.temperature), 0.0, 2.0)?;
    validate::int_range("context_length", input.context_length, 256, 10_000_000)?;
    validate::int_range("max_output_tokens", input.max_output_tokens, 1, 1_000_000)?;
    repo::update(pool, &input, Timestamp::now())
        .await
        .context("save the settings")?;
    get(pool).await
}
