//! A connection to an AI provider. Its API key is never part of these rows.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};
use crate::secrets::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum ProviderKind {
    OpenaiCompatible,
    Openrouter,
    Anthropic,
    Glm,
    Ollama,
    /// "This computer": GGUF models run by Parley's built-in engine. The
    /// base URL is Parley's models folder; a model id is a file's path.
    Local,
    /// KoboldCpp's own generate API (text completion, instruct templates).
    Koboldcpp,
    /// llama.cpp server's `/completion` (text completion).
    Llamacpp,
    /// OpenAI-compatible `/v1/completions` (text completion).
    TextCompletion,
}

impl ProviderKind {
    /// The base URL a new provider of this kind starts with.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::OpenaiCompatible => "https://api.openai.com/v1",
            Self::Openrouter => "https://openrouter.ai/api/v1",
            Self::Anthropic => "https://api.anthropic.com/v1",
            Self::Glm => "https://open.bigmodel.cn/api/paas/v4",
            Self::Ollama => "http://localhost:11434/v1",
            // Set to the data folder's `models` by `services::local_model`.
            Self::Local => "",
            Self::Koboldcpp => "http://localhost:5001",
            Self::Llamacpp => "http://localhost:8080",
            Self::TextCompletion => "http://localhost:5000/v1",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    pub id: Id,
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Whether a key is stored for it (filled in by the service).
    #[sqlx(skip)]
    #[serde(default)]
    pub has_api_key: bool,
    /// Set on the reply to an update that moved the provider to another
    /// server (scheme, host or port) and so forgot its key.
    #[sqlx(skip)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_cleared: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInput {
    pub name: String,
    pub kind: ProviderKind,
    #[serde(default)]
    pub base_url: String,
    /// Write-only. Absent keeps the stored key; an empty string removes it.
    #[serde(default)]
    pub api_key: Option<Secret>,
}

/// A model picked from a provider's list, to be saved with it
/// (`services::provider::connect`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChosenModel {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub context_length: Option<i64>,
}
