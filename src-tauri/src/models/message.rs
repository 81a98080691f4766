//! Messages of a chat, in `seq` order, and their swipes (alternative replies).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;

use super::{Id, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum MessageRole {
    User,
    Assistant,
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum MessageStatus {
    Pending,
    Streaming,
    Completed,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: Id,
    pub chat_session_id: Id,
    pub seq: i64,
    pub role: MessageRole,
    pub status: MessageStatus,
    /// Index of the swipe shown; `content` is that swipe's text.
    pub active_swipe: i64,
    /// How many swipes the message has (0 when it never had alternatives).
    pub swipe_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Model, token counts, finish reason, latency, error.
    pub metadata: Json<Value>,
    pub content: String,
    /// The character who wrote it, in a group chat (`None` in one-character
    /// chats, on the person's messages, and once the character is purged).
    pub speaker_id: Option<Id>,
    /// The speaker's name when the message was written.
    pub speaker_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageInput {
    pub role: MessageRole,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct MessageSwipe {
    pub id: Id,
    pub message_id: Id,
    pub swipe_index: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub metadata: Json<Value>,
    pub content: String,
}
