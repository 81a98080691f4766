//! The settings singleton: defaults must point at live rows, generation
//! settings stay in range. Its generation values are the last layer:
//! used when neither the chat nor its model sets one
//! (`services::generation_params`).
//!
//! A model is always the default when one exists: the first model added
//! becomes it, and when the default is deleted (or was never set) the
//! newest remaining model takes its place (`default_model`).

use sqlx::SqlitePool;

use super::{require_live, validate};
use crate::error::{Result, ResultExt};
use crate::models::{AiModel, SamplingParams, Settings, SettingsInput, Timestamp};
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
    // "None" is no choice while a model exists: the newest fills it.
    default_model(pool).await?;
    get(pool).await
}

/// The default model, filling an empty default with the newest model
/// there is; `None` only when there is no model at all.
pub async fn default_model(pool: &SqlitePool) -> Result<Option<AiModel>> {
    let settings = get(pool).await?;
    if let Some(id) = settings.default_ai_model_id {
        if let Some(model) = crate::repos::ai_model::get(pool, id).await? {
            return Ok(Some(model));
        }
    }
    let Some(newest) = crate::repos::ai_model::newest(pool).await? else {
        return Ok(None);
    };
    // Only an empty default is filled: a default chosen meanwhile stays.
    if repo::fill_default_model(pool, newest.id, Timestamp::now()).await? {
        tracing::info!(ai_model_id = %newest.id, "default model set");
        return Ok(Some(newest));
    }
    let chosen = get(pool).await?.default_ai_model_id;
    match chosen {
        Some(id) => crate::repos::ai_model::get(pool, id)
            .await
            .map(|m| m.or(Some(newest))),
        None => Ok(Some(newest)),
    }
}
