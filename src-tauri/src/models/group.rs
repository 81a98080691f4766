//! Group chats: the characters of a chat and how they take turns.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

/// A character of a group chat (`chat_members`), with its name for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ChatMember {
    pub chat_session_id: Id,
    pub character_id: Id,
    /// The character's current name (live characters only are members).
    pub name: String,
    /// Member order, from 0.
    pub position: i64,
    /// 0..1: how likely the member speaks when not named.
    pub talkativeness: f64,
    /// A muted member is never chosen by a turn order; "force talk" still works.
    pub muted: bool,
    pub created_at: Timestamp,
}

/// How the next speaker of a group chat is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnOrder {
    /// The person picks who speaks next.
    Manual,
    /// Named in the last message first, then by talkativeness; never the
    /// same character twice in a row unless alone.
    #[default]
    Natural,
    /// In member order.
    List,
    /// Everyone once before anyone twice.
    Pooled,
}

/// A group chat's own settings (`chat_sessions.group_settings`, one JSON
/// object; a missing key takes its default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupSettings {
    pub turn_order: TurnOrder,
    /// Every member's card in the prompt (the speaker's last) instead of the
    /// speaker's alone.
    pub join_cards: bool,
    /// When not empty, replaces the members' scenarios.
    pub scenario: String,
    /// Seconds auto-mode waits between turns.
    pub auto_delay_secs: f64,
    /// Turns auto-mode takes before it stops by itself.
    pub auto_turn_limit: i64,
}

impl Default for GroupSettings {
    fn default() -> Self {
        Self {
            turn_order: TurnOrder::Natural,
            join_cards: false,
            scenario: String::new(),
            auto_delay_secs: 3.0,
            auto_turn_limit: 10,
        }
    }
}

/// A new group chat (`group_create`). Unset persona, model and prompt take
/// the defaults, as a one-character chat's do.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupInput {
    /// Two or more characters, in member order; the first one's greeting
    /// opens the chat.
    pub character_ids: Vec<Id>,
    /// Empty means "named after the members".
    pub title: String,
    pub user_profile_id: Option<Id>,
    pub ai_model_id: Option<Id>,
    pub system_prompt_id: Option<Id>,
    /// `None` takes the defaults (natural order).
    pub settings: Option<GroupSettings>,
}

/// A change to one member (`group_member_update`); `None` keeps the value.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MemberUpdate {
    pub muted: Option<bool>,
    /// 0..1.
    pub talkativeness: Option<f64>,
    /// The member's new place in member order, from 0; the others move up
    /// or down to make room.
    pub position: Option<i64>,
}

/// A group chat as `group_create` returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupChat {
    pub chat: super::ChatSession,
    pub members: Vec<ChatMember>,
    pub settings: GroupSettings,
}
