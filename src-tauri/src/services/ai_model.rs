//! Models on a provider: limits and sampling parameters in their documented
//! ranges, one row per model id on a provider. An empty limit or parameter
//! is stored as NULL and inherited (`services::generation_params`); a model
//! never invents a context length it was not given. The first model added
//! becomes the default, and deleting the default hands it to the newest
//! model left (`services::settings::default_model`).

use serde_json::json;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, AiModel, AiModelInput, Id, ListQuery, Page, Timestamp};
use crate::repos::ai_model::{self as repo, AiModelRow};
use crate::repos::{self, Table};

async fn validated(
    pool: &SqlitePool,
    mut input: AiModelInput,
    except: Option<Id>,
) -> Result<(AiModelInput, Id)> {
    let provider_id = input.provider_id.ok_or_else(|| {
        AppError::validation("provider_id", "choose the provider this model belongs to")
            .worded("provider_missing", json!({}))
    })?;
    if !repos::exists_live(pool, Table::Providers, provider_id).await? {
        return Err(
            AppError::validation("provider_id", "the chosen provider no longer exists")
                .worded("provider_gone", json!({})),
        );
    }
    input.model_id = input.model_id.trim().to_string();
    if input.model_id.is_empty() {
        return Err(AppError::validation(
            "model_id",
            "model id is required (for example gpt-4o-mini or llama3.1:8b)",
        )
        .worded("model_id_required", json!({})));
    }
    if input.model_id.chars().count() > 500 {
        return Err(
            AppError::validation("model_id", "model id is longer than 500 characters")
                .worded("model_id_too_long", json!({ "limit": 500 })),
        );
    }
    input.display_name = if input.display_name.trim().is_empty() {
        input.model_id.chars().take(validate::NAME_MAX).collect()
    } else {
        validate::name("display_name", &input.display_name)?
    };
    validate::limits(input.context_length, input.max_output_tokens)?;
    if input.context_length.is_some() || input.max_output_tokens.is_some() {
        // The pair as a reply would use it: the model's values, Settings'
        // for the one the model leaves empty.
        let settings = repos::settings::get(pool).await?;
        let whose = match (input.context_length, input.max_output_tokens) {
            (Some(_), Some(_)) => "this model",
            (Some(_), None) => "this model with the max output tokens from Settings",
            _ => "this model with the context length from Settings",
        };
        validate::output_fits(
            input
                .max_output_tokens
                .unwrap_or(settings.max_output_tokens),
            input.context_length.unwrap_or(settings.context_length),
            whose,
        )?;
    }
    validate::sampling(&input.params)?;
    if repo::find_on_provider(pool, provider_id, &input.model_id, except)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "model_id",
            format!("this provider already has the model \"{}\"", input.model_id),
        )
        .worded("model_taken", json!({ "model": input.model_id })));
    }
    Ok((input, provider_id))
}

pub async fn create(pool: &SqlitePool, input: AiModelInput) -> Result<AiModel> {
    let (input, provider_id) = validated(pool, input, None).await?;
    let id = new_id();
    let row = AiModelRow {
        provider_id,
        input: &input,
        context_length: input.context_length,
        max_output_tokens: input.max_output_tokens,
    };
    let model = repo::insert(pool, id, &row, Timestamp::now())
        .await
        .context("save the model")?;
    super::settings::default_model(pool).await?;
    Ok(model)
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<AiModel> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("model", id))
}

pub async fn list(pool: &SqlitePool, query: &ListQuery) -> Result<Page<AiModel>> {
    repo::list(pool, query).await.context("list the models")
}

pub async fn update(pool: &SqlitePool, id: Id, input: AiModelInput) -> Result<AiModel> {
    get(pool, id).await?;
    let (input, provider_id) = validated(pool, input, Some(id)).await?;
    let row = AiModelRow {
        provider_id,
        input: &input,
        context_length: input.context_length,
        max_output_tokens: input.max_output_tokens,
    };
    repo::update(pool, id, &row, Timestamp::now())
        .await
        .context("save the model")?
        .ok_or_else(|| AppError::not_found("model", id))
}

/// Deletes a model. Chats that used it keep working with the default
/// model; a deleted default is cleared by the foreign key and the newest
/// model left takes its place.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    if !repos::purge(pool, Table::AiModels, id)
        .await
        .context("delete the model")?
    {
        return Err(AppError::not_found("model", id));
    }
    super::settings::default_model(pool).await?;
    Ok(())
}
