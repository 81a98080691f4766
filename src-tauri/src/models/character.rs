//! A character card as Parley stores it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;

use super::{Id, Timestamp};

/// A whole character, as the editor and prompt assembly need it.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Character {
    pub id: Id,
    pub name: String,
    pub creator: String,
    pub character_version: String,
    pub tags: Json<Vec<String>>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    pub description: String,
    pub personality: String,
    pub scenario: String,
    pub first_message: String,
    pub example_messages: String,
    pub alternate_greetings: Json<Vec<String>>,
    pub system_prompt: String,
    pub post_history_instructions: String,
    pub creator_notes: String,
    pub extensions: Json<Value>,
    pub character_book: Option<Json<Value>>,
}

/// A row of the character list: never the long text or the avatar.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct CharacterSummary {
    pub id: Id,
    pub name: String,
    pub creator: String,
    pub character_version: String,
    pub tags: Json<Vec<String>>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// What the editor sends to create or change a character. Absent fields are
/// empty; on update, absent `extensions` / `characterBook` keep what is stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CharacterInput {
    pub name: String,
    pub description: String,
    pub personality: String,
    pub scenario: String,
    pub first_message: String,
    pub example_messages: String,
    pub alternate_greetings: Vec<String>,
    pub system_prompt: String,
    pub post_history_instructions: String,
    pub creator_notes: String,
    pub tags: Vec<String>,
    pub creator: String,
    pub character_version: String,
    pub extensions: Option<Value>,
    pub character_book: Option<Value>,
}
