//! A chat: who talks, with which model and prompt.

use serde::{Deserialize, Serialize};

use super::{Id, MessageRole, SamplingParams, Timestamp};

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
    /// The chat's author's note (`chat_sessions.authors_note`).
    #[sqlx(json)]
    pub authors_note: AuthorsNote,
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

/// A chat's author's note: `text` goes into the prompt `depth` messages
/// from the end of the history (0: after the last), as `role`, when the
/// person's message being answered is a multiple of `frequency` (1: every
/// time, 0: never), as SillyTavern places its note "in chat @ depth".
/// Empty text puts nothing in. Over IPC and in the database one camelCase
/// JSON object; a missing key takes its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorsNote {
    pub text: String,
    pub depth: i64,
    pub frequency: i64,
    pub role: MessageRole,
}

impl Default for AuthorsNote {
    /// SillyTavern's defaults: depth 4, every time, as the system.
    fn default() -> Self {
        AuthorsNote {
            text: String::new(),
            depth: 4,
            frequency: 1,
            role: MessageRole::System,
        }
    }
}

impl AuthorsNote {
    /// Whether the note goes into the prompt answering the person's
    /// `turn`-th message (counted from 1; 0 before they wrote any).
    pub fn applies(&self, turn: i64) -> bool {
        if self.text.trim().is_empty() {
            return false;
        }
        match self.frequency {
            1 => true,
            f if f <= 0 => false,
            f => turn > 0 && turn % f == 0,
        }
    }
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
    /// The chat's author's note, replaced as a whole; absent keeps what the
    /// chat has (a new chat then takes the default from Settings).
    pub authors_note: Option<AuthorsNote>,
}
