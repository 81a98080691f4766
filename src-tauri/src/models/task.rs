//! Tasks: a short list beside a chat, or standing alone (`chat_session_id`
//! null), which a chat may give its character as the story's objectives.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

/// One task as stored, with the title of its chat when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: Id,
    pub chat_session_id: Option<Id>,
    /// The linked chat's title (`None` standing alone); read with the row.
    pub chat_title: Option<String>,
    /// Whether the linked chat is in the trash.
    pub chat_deleted: bool,
    pub title: String,
    pub description: String,
    pub done: bool,
    /// Order among the tasks of the same chat (or the standing-alone ones).
    pub position: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub done_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
}

/// A new task. `chat_session_id` `None` makes it stand alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskInput {
    pub chat_session_id: Option<Id>,
    pub title: String,
    pub description: String,
}

/// A change to a task: each field given is set, the others kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub done: Option<bool>,
}

/// Which tasks the Tasks screen lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not done (the default).
    #[default]
    Open,
    Done,
    /// Open and done.
    All,
    /// The trash.
    Deleted,
}

/// A page request for the Tasks screen (and the trash): most recently
/// changed first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskQuery {
    pub status: TaskStatus,
    /// Rows per page: default 50, at most 500.
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// Where a task moves, relative to another of its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Before,
    After,
}

/// A task that matched a search.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct TaskHit {
    pub id: Id,
    pub chat_session_id: Option<Id>,
    pub chat_title: Option<String>,
    pub title: String,
    pub done: bool,
    /// Title or description around the match, matches between U+0002 and
    /// U+0003.
    pub snippet: String,
}
