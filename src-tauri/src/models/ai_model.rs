//! A model offered by a provider, with its limits and sampling parameters.
//!
//! A `None` limit or parameter is inherited: the chat's overrides come first,
//! then the model, then Settings (`services::generation_params::resolve`).

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

/// Sampling parameters; `None` inherits (temperature from Settings) or, when
/// nothing sets it, is not sent and the provider's default applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase", default)]
pub struct SamplingParams {
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<i64>,
    pub min_p: Option<f64>,
    pub frequency_penalty: Option<f64>,
    pub presence_penalty: Option<f64>,
    pub repetition_penalty: Option<f64>,
    /// A fixed random seed: the same prompt and values give the same reply.
    pub seed: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct AiModel {
    pub id: Id,
    pub provider_id: Id,
    pub model_id: String,
    pub display_name: String,
    /// `None`: Settings' context length.
    pub context_length: Option<i64>,
    /// `None`: Settings' max output tokens.
    pub max_output_tokens: Option<i64>,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub params: SamplingParams,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AiModelInput {
    pub provider_id: Option<Id>,
    pub model_id: String,
    /// Defaults to the model id.
    pub display_name: String,
    /// Empty inherits from Settings.
    pub context_length: Option<i64>,
    /// Empty inherits from Settings.
    pub max_output_tokens: Option<i64>,
    #[serde(flatten)]
    pub params: SamplingParams,
}
