//! Branches: a chat made from another chat's history up to one of its
//! messages, and the link between the two.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

/// Where a branch came from. The parent's id is `None` once the parent was
/// purged; its title and the message's place were kept as words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct BranchOrigin {
    /// The chat it was branched from; `None` when that chat was deleted for good.
    pub parent_chat_id: Option<Id>,
    /// The parent's title: its current one while it exists, else the one it
    /// had when the branch was made.
    pub parent_title: String,
    /// The message branched from, while it exists in the parent.
    pub parent_message_id: Option<Id>,
    /// That message's `seq` (counted from 0): the branch holds the messages
    /// up to and including it.
    pub parent_seq: i64,
    /// The parent is in the trash.
    pub parent_in_trash: bool,
}

/// A branch of a chat, for the chat's list of branches.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct BranchSummary {
    pub id: Id,
    pub title: String,
    /// The parent's message it was branched from (`seq`, from 0).
    pub parent_seq: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
