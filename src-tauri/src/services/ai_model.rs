//! Models on a provider: limits and sampling parameters in their documented
//! ranges, one row per model id on a provider.

use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, AiModel, AiModelInput, Id, ListQuery, Page, Timestamp};
use crate::repos::ai_model::{self as repo, AiModelRow};
use crate::repos::{self, Table};

pub const DEFAULT_CONTEXT_LENGTH: i64 = 8192;
pub const DEFAULT_MAX_OUTPUT_TOKENS: i64 = 1024;

async fn validated(
    pool: &SqlitePool,
    mut input: AiModelInput,
    except: Option<Id>,
) -> Result<(AiModelInput, Id, i64, i64)> {
    let provider_id = input.provider_id.ok_or_else(|| {
        AppError::validation("provider_id", "choose the provider this model belongs to")
    })?;
    if !repos::exists_live(pool, Table::Providers, provider_id).await? {
        return Err(AppError::validation(
            "provider_id",
            "the chosen provider no longer exists",
        ));
    }
    input.model_id = input.model_id.trim().to_string();
    if input.model_id.is_empty() {
        return Err(AppError::validation(
            "model_id",
            "model id is required (for example gpt-4o-mini or llama3.1:8b)",
        ));
    }
    if input.model_id.chars().count() > 500 {
        return Err(AppError::validation(
            "model_id",
            "model id is longer than 500 characters",
        ));
    }
    input.display_name = if input.display_name.trim().is_empty() {
        input.model_id.chars().take(validate::NAME_MAX).collect()
    } else {
        validate::name("display_name", &input.display_name)?
    };
    let context = validate::int_range(
        "context_length",
        input.context_length.unwrap_or(DEFAULT_CONTEXT_LENGTH),
        256,
        10_000_000,
    )?;
    let max_out = validate::int_range(
        "max_output_tokens",
        input.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS),
        1,
        1_000_000,
    )?;
    if max_out >= context {
        return Err(AppError::validation(
            "max_output_tokens",
            format!(
                "max output tokens ({max_out}) must be smaller than the context length ({context})"
            ),
        ));
    }
    let p = &mut input.params;
    p.temperature = validate::opt_range("temperature", p.temperature, 0.0, 2.0)?;
    p.top_p = validate::opt_range("top_p", p.top_p, 0.0, 1.0)?;
    p.min_p = validate::opt_range("min_p", p.min_p, 0.0, 1.0)?;
    p.frequency_penalty = validate::opt_range("frequency_penalty", p.frequency_penalty, -2.0, 2.0)?;
    p.presence_penalty = validate::opt_range("presence_penalty", p.presence_penalty, -2.0, 2.0)?;
    p.repetition_penalty =
        validate::opt_range("repetition_penalty", p.repetition_penalty, 0.0, 10.0)?;
    if let Some(k) = p.top_k {
        validate::int_range("top_k", k, 0, 100_000)?;
    }
    if repo::find_on_provider(pool, provider_id, &input.model_id, except)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "model_id",
            format!("this provider already has the model \"{}\"", input.model_id),
        ));
    }
    Ok((input, provider_id, context, max_out))
}

pub async fn create(pool: &SqlitePool, input: AiModelInput) -> Result<AiModel> {
    let (input, provider_id, context_length, max_output_tokens) =
        validated(pool, input, None).await?;
    let id = new_id();
    let row = AiModelRow {
        provider_id,
        input: &input,
        context_length,
        max_output_tokens,
    };
    repo::insert(pool, id, &row, Timestamp::now())
        .await
        .context("save the model")?;
    get(pool, id).await
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
    let (input, provider_id, context_length, max_output_tokens) =
        validated(pool, input, Some(id)).await?;
    let row = AiModelRow {
        provider_id,
        input: &input,
        context_length,
        max_output_tokens,
    };
    repo::update(pool, id, &row, Timestamp::now())
        .await
        .context("save the model")?;
    get(pool, id).await
}

/// Deletes a model. Chats that used it keep working and ask for another
/// model; the default model is cleared by the foreign key.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    if !repos::purge(pool, Table::AiModels, id)
        .await
        .context("delete the model")?
    {
        return Err(AppError::not_found("model", id));
    }
    Ok(())
}
