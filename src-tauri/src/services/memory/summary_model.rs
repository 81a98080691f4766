//! The model that writes a chat's summaries: the one chosen in the memory
//! panel (`memory.summary_model`), else the chat's own, with its provider,
//! its limits and the instruction it is given.

use crate::ai::Endpoint;
use crate::error::{AppError, Result};
use crate::models::Id;
use crate::services::app_config::{self, SUMMARY_MODEL};
use crate::services::generation::ReplyContext;
use crate::state::AppState;

/// The longest summary asked for, in tokens.
pub const SUMMARY_MAX_TOKENS: i64 = 400;

/// The model that writes a chat's summaries, and its limits.
#[derive(Debug, Clone)]
pub struct SummaryModel {
    pub ai_model_id: Id,
    /// Its provider: replies on the same provider go first.
    pub provider_id: Id,
    pub model_id: String,
    pub endpoint: Endpoint,
    pub instruction: String,
    /// The reply budget of a summary.
    pub max_tokens: i64,
}

/// The summary model: the one chosen in the memory panel, else the chat's
/// own (also when the chosen one was deleted).
pub async fn summary_model(state: &AppState, cx: &ReplyContext) -> Result<SummaryModel> {
    let pool = &state.pool;
    let chosen = app_config::read(pool, &SUMMARY_MODEL)
        .await?
        .and_then(|s| s.parse::<Id>().ok());
    let mut model = None;
    if let Some(id) = chosen {
        model = crate::repos::ai_model::get(pool, id).await?;
        if model.is_none() {
            tracing::warn!(ai_model_id = %id, "the chosen summary model is gone; the chat's own writes summaries");
        }
    }
    let model = match model {
        Some(m) => m,
        None => crate::repos::ai_model::get(pool, cx.ai_model_id)
            .await?
            .ok_or_else(|| AppError::not_found("model", cx.ai_model_id))?,
    };
    let endpoint =
        crate::services::provider::endpoint(pool, state.secrets.as_ref(), model.provider_id)
            .await?;
    let instruction = crate::services::template::default_text(
        pool,
        crate::models::TemplateType::SummaryInstruction,
    )
    .await?;
    let settings = crate::repos::settings::get(pool).await?;
    let max_out = if model.id == cx.ai_model_id {
        cx.generation.max_output_tokens
    } else {
        model
            .max_output_tokens
            .unwrap_or(settings.max_output_tokens)
    };
    Ok(SummaryModel {
        ai_model_id: model.id,
        provider_id: model.provider_id,
        model_id: model.model_id,
        endpoint,
        instruction,
        max_tokens: max_out.clamp(1, SUMMARY_MAX_TOKENS),
    })
}

/// The summary model's context length: the chat's own values when it is
/// the chat's model, else the model's, else Settings'.
pub async fn context_of(state: &AppState, cx: &ReplyContext, model: Id) -> Result<i64> {
    if model == cx.ai_model_id {
        return Ok(cx.generation.context_length);
    }
    let settings = crate::repos::settings::get(&state.pool).await?;
    let m = crate::repos::ai_model::get(&state.pool, model).await?;
    Ok(m.and_then(|m| m.context_length)
        .unwrap_or(settings.context_length))
}
