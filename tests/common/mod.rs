//! Shared helpers for the integration tests: a fresh database with the real
//! migrations for every test.

#![allow(dead_code)]

pub mod mock_llm;

use parley::models::{CharacterInput, ChatSessionInput, Id, MessageInput, MessageRole};
use sqlx::SqlitePool;

/// A private in-memory database with every migration applied.
pub async fn pool() -> SqlitePool {
    parley::db::open_in_memory()
        .await
        .expect("in-memory database")
}

pub fn character(name: &str) -> CharacterInput {
    CharacterInput {
        name: name.into(),
        description: format!("{name} is a test character."),
        ..Default::default()
    }
}

pub async fn new_character(pool: &SqlitePool, name: &str) -> Id {
    parley::services::character::create(pool, character(name))
        .await
        .expect("create character")
        .id
}

pub async fn new_chat(pool: &SqlitePool, character_id: Option<Id>) -> Id {
    parley::services::chat_session::create(
        pool,
        ChatSessionInput {
            character_id,
            ..Default::default()
        },
    )
    .await
    .expect("create chat")
    .id
}

pub async fn say(pool: &SqlitePool, chat: Id, text: &str) -> Id {
    parley::services::message::add(
        pool,
        chat,
        MessageInput {
            role: MessageRole::User,
            content: text.into(),
        },
    )
    .await
    .expect("add message")
    .id
}
