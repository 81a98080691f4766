//! The one row of application settings: defaults and generation settings.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub default_character_id: Option<Id>,
    pub default_user_profile_id: Option<Id>,
    pub default_ai_model_id: Option<Id>,
    pub default_system_prompt_id: Option<Id>,
    pub temperature: f64,
    pub max_output_tokens: i64,
    pub context_length: i64,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInput {
    pub default_character_id: Option<Id>,
    pub default_user_profile_id: Option<Id>,
    pub default_ai_model_id: Option<Id>,
    pub default_system_prompt_id: Option<Id>,
    pub temperature: f64,
    pub max_output_tokens: i64,
    pub context_length: i64,
}
