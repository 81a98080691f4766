//! A chat's memory entries: summaries of a range of its messages (by `seq`),
//! written by a model in the background or by the person.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

/// Who wrote an entry's text last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum MadeBy {
    Model,
    Person,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ChatMemory {
    pub id: Id,
    pub chat_session_id: Id,
    /// The first and last message (`seq`) the entry covers, both included.
    pub first_seq: i64,
    pub last_seq: i64,
    pub made_by: MadeBy,
    pub pinned: bool,
    /// A message in the range was edited or deleted after it was written.
    pub stale: bool,
    /// The model that wrote it, when a model did.
    pub ai_model_id: Option<Id>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub content: String,
}

/// An entry a person adds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatMemoryInput {
    pub first_seq: i64,
    pub last_seq: i64,
    pub content: String,
}
