//! Who a reply in a group chat is by, as the reply path carries it: the
//! member, the names its prompt uses, and how "Show prompt" came to it.
//! Choosing one is `generation::speaker`'s; the turn order is `turn.rs`'s.

use serde::Serialize;

use super::prompt::{self as group_prompt, Names};
use super::turn::Why;
use crate::models::{Id, Message};

/// The member a reply in a group chat is by.
#[derive(Debug, Clone)]
pub struct Speaker {
    pub character_id: Id,
    pub name: String,
    pub(crate) names: Names,
    /// The name for a reply that has no speaker.
    pub(crate) fallback: String,
}

/// How "Show prompt" came to its speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChosenBy {
    /// The caller named it.
    Picked,
    /// The turn order: named in the newest message (natural).
    Mentioned,
    /// The turn order: its talkativeness (natural; a reply rolls again).
    Talkative,
    /// The turn order drew it (natural or pooled; a reply draws again).
    Drawn,
    /// Next in member order (list).
    Next,
    /// Manual order (or all muted): the first member stands in.
    FirstMember,
}

impl From<Why> for ChosenBy {
    fn from(w: Why) -> Self {
        match w {
            Why::Mentioned => Self::Mentioned,
            Why::Talkative => Self::Talkative,
            Why::Drawn => Self::Drawn,
            Why::Next => Self::Next,
        }
    }
}

/// The speaker a prompt preview was made for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewSpeaker {
    pub character_id: Id,
    pub name: String,
    pub chosen_by: ChosenBy,
}

impl Speaker {
    /// The history as this speaker's prompt takes it: names in front of
    /// lines.
    pub fn named(&self, history: &[Message], user: &str) -> Vec<Message> {
        group_prompt::named_history(history, &self.names, user, &self.fallback)
    }
}
