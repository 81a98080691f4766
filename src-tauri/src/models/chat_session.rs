//! A chat: who talks, with which model and prompt.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ChatSession {
    pub id: Id,
    pub title: String,
    pub character_id: Option<Id>,
    pub user_profile_id: Option<Id>,
    pub ai_model_id: Option<Id>,
    pub system_prompt_id: Option<Id>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// A row of the chat list, with the character's name and the last message.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ChatSessionSummary {
    pub id: Id,
    pub title: String,
    pub character_id: Option<Id>,
    pub character_name: Option<String>,
    /// The first 160 characters of the newest message.
    pub last_message: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatSessionInput {
    /// Empty means "named after the character".
    pub title: String,
    pub character_id: Option<Id>,
    pub user_profile_id: Option<Id>,
    pub ai_model_id: Option<Id>,
    pub system_prompt_id: Option<Id>,
}
