//! A chat: who talks, with which model and prompt.

use serde::{Deserialize, Serialize};

use super::{Id, SamplingParams, Timestamp};

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ChatSession {
    pub id: Id,
    pub title: String,
    pub character_id: Option<Id>,
    pub user_profile_id: Option<Id>,
    pub ai_model_id: Option<Id>,
    pub system_prompt_id: Option<Id>,
    /// The chat's own generation values (`chat_sessions.generation`).
    #[sqlx(json)]
    pub generation: ChatOverrides,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// A chat's own generation values, so one chat can differ from the model
/// other chats share. Each `None` inherits: the chat first, then its model,
/// then Settings (`services::generation_params::resolve`). Over IPC and in
/// the database it is one camelCase JSON object; a missing key is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatOverrides {
    pub context_length: Option<i64>,
    pub max_output_tokens: Option<i64>,
    #[serde(flatten)]
    pub params: SamplingParams,
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
    /// A group chat's live members' names, in member order; `None` for a
    /// one-character chat.
    #[sqlx(json(nullable))]
    pub member_names: Option<Vec<String>>,
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
    /// The chat's overrides, replaced as a whole; `{}` clears them. Absent
    /// (`None`) keeps what the chat has, so a caller that does not know
    /// about overrides never wipes them; a new chat then has none.
    pub generation: Option<ChatOverrides>,
}
