//! Documents a person adds to a chat, a character or the whole library,
//! as the window sees them (their text only when viewed).

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

/// What a document's text was extracted from (`documents.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum DocumentKind {
    Text,
    Markdown,
    Html,
    Pdf,
    Epub,
}

/// Where a document applies: `{"scope": "chat", "id": ...}`,
/// `{"scope": "character", "id": ...}` or `{"scope": "library"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum DocumentPlace {
    Chat(Id),
    Character(Id),
    Library,
}

/// A document without its text: what lists show.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSummary {
    pub id: Id,
    /// `chat`, `character` or `library`.
    pub scope: String,
    pub chat_session_id: Option<Id>,
    pub character_id: Option<Id>,
    pub name: String,
    pub kind: DocumentKind,
    /// The original file's size in bytes.
    pub byte_size: i64,
    pub chunk_size: i64,
    pub chunk_overlap: i64,
    pub chunk_count: i64,
    pub token_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// A document in a chat's list: whether it is on for that chat.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ChatDocument {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub document: DocumentSummary,
    pub enabled: bool,
}

/// A document with its extracted text, to view it.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub document: DocumentSummary,
    pub content: String,
}
