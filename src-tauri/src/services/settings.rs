//! The settings singleton: defaults must point at live rows, generation
//! settings stay in range. Its generation values are the last layer:
//! used when neither the chat nor its model sets one
//! (`services::generation_params`).

use sqlx::SqlitePool;

use super::{require_live, validate};
use crate::error::{Result, ResultExt};
use crate::models::{SamplingParams, Settings, SettingsInput, Timestamp};
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
    validate::sampling(&SamplingParams {
        temperature: Some(input.temperature),
        ..Default::default()
    })?;
    validate::limits(Some(input.context_length), Some(input.max_output_tokens))?;
    validate::output_fits(input.max_output_tokens, input.context_length, "Settings")?;
    repo::update(pool, &input, Timestamp::now())
        .await
        .context("save the settings")?;
    get(pool).await
}
