//! Shared helpers for the integration tests: a fresh database with the real
//! migrations for every test.

#![allow(dead_code)]

pub mod app;
pub mod cards;
pub mod gguf_writer;
pub mod mock_llm;
pub mod recorder;
#[cfg(feature = "e2e")]
pub mod window;
#[cfg(feature = "e2e")]
pub mod x11_close;

use parley::models::{CharacterInput, ChatSessionInput, Id, MessageInput, MessageRole};
use std::path::Path;

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

/// A provider (no key) at `base_url` with one model `model_id`: what every
/// test that talks to a model needs.
pub async fn provider_with_model(
    pool: &SqlitePool,
    name: &str,
    kind: parley::models::ProviderKind,
    base_url: &str,
    model_id: &str,
    context_length: Option<i64>,
) -> parley::models::AiModel {
    let secrets = parley::secrets::MemorySecretStore::default();
    let p = parley::services::provider::create(
        pool,
        &secrets,
        parley::models::ProviderInput {
            name: name.into(),
            kind,
            base_url: base_url.into(),
            api_key: None,
        },
    )
    .await
    .unwrap();
    parley::services::ai_model::create(
        pool,
        parley::models::AiModelInput {
            provider_id: Some(p.id),
            model_id: model_id.into(),
            context_length,
            max_output_tokens: context_length.map(|_| 256),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// "Mock AI" (OpenAI-compatible) at the mock's `base_url`, model "mock-1"
/// with 4,096 tokens of context and 256 of output.
pub async fn mock_model(pool: &SqlitePool, base_url: &str) -> parley::models::AiModel {
    provider_with_model(
        pool,
        "Mock AI",
        parley::models::ProviderKind::OpenaiCompatible,
        base_url,
        "mock-1",
        Some(4096),
    )
    .await
}

/// Settings' generation values changed, the rest kept.
pub async fn generation_settings(pool: &SqlitePool, temperature: f64, max: i64, ctx: i64) {
    let s = parley::services::settings::get(pool).await.unwrap();
    parley::services::settings::update(
        pool,
        parley::models::SettingsInput {
            default_character_id: s.default_character_id,
            default_user_profile_id: s.default_user_profile_id,
            default_ai_model_id: s.default_ai_model_id,
            default_system_prompt_id: s.default_system_prompt_id,
            temperature,
            max_output_tokens: max,
            context_length: ctx,
        },
    )
    .await
    .unwrap();
}

/// A provider "Mock AI" at `base_url` with the model "mock-1", made the
/// default model in Settings.
pub async fn default_mock_model(pool: &SqlitePool, base_url: &str) -> parley::models::AiModel {
    use parley::models::{ProviderKind, SettingsInput};
    use parley::services::settings;
    let model = provider_with_model(
        pool,
        "Mock AI",
        ProviderKind::OpenaiCompatible,
        base_url,
        "mock-1",
        None,
    )
    .await;
    let current = settings::get(pool).await.unwrap();
    settings::update(
        pool,
        SettingsInput {
            default_character_id: None,
            default_user_profile_id: None,
            default_ai_model_id: Some(model.id),
            default_system_prompt_id: None,
            temperature: current.temperature,
            max_output_tokens: current.max_output_tokens,
            context_length: current.context_length,
        },
    )
    .await
    .unwrap();
    model
}

/// A database with a character, a model on the mock provider (the default
/// model), and one chat, as the app will find it at start.
pub async fn seed_chat_world(data_dir: &Path, base_url: &str) {
    seed_chat_world_with(data_dir, base_url, "Shall I tell you a story?").await;
}

/// `seed_chat_world` with Sia's greeting; returns the chat's id.
pub async fn seed_chat_world_with(data_dir: &Path, base_url: &str, greeting: &str) -> Id {
    use parley::services::{character, chat_session};
    let (pool, _) = parley::db::open(&data_dir.join("parley.db")).await.unwrap();
    default_mock_model(&pool, base_url).await;
    let c = character::create(
        &pool,
        CharacterInput {
            name: "Storyteller Sia".into(),
            first_message: greeting.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(c.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    pool.close().await;
    chat.id
}

/// A chat with `character`, the persona `persona` and the model `model`
/// (each made here but the model); returns the chat's id.
pub async fn chat_with_persona(
    pool: &SqlitePool,
    character: CharacterInput,
    persona: &str,
    model: Id,
) -> Id {
    use parley::services::{character as characters, chat_session, user_profile};
    let c = characters::create(pool, character).await.unwrap();
    let me = user_profile::create(
        pool,
        parley::models::UserProfileInput {
            name: persona.into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    chat_session::create(
        pool,
        ChatSessionInput {
            character_id: Some(c.id),
            user_profile_id: Some(me.id),
            ai_model_id: Some(model),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

/// The app's context around a test database, with secrets in memory.
pub fn state(pool: SqlitePool) -> parley::state::AppState {
    parley::app::state(
        pool,
        std::sync::Arc::new(parley::secrets::MemorySecretStore::default()),
        parley::app::Opened {
            db_path: "unused.db".into(),
            log_dir: "unused-logs".into(),
            schema_version: 0,
        },
    )
}

/// A SillyTavern data folder where the app looks for one (`home/SillyTavern`
/// under `data_dir`, which `PARLEY_E2E_HOME` points at): one card and one
/// chat of it. Returns the user's data folder.
pub fn plant_sillytavern(data_dir: &Path) -> std::path::PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let user = data_dir.join("home/SillyTavern/data/default-user");
    std::fs::create_dir_all(user.join("characters")).unwrap();
    std::fs::create_dir_all(user.join("chats/Mira Vance")).unwrap();
    std::fs::copy(
        fixtures.join("cards/v2_full.json"),
        user.join("characters/Mira Vance.json"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("chats/st_modern.jsonl"),
        user.join("chats/Mira Vance/first.jsonl"),
    )
    .unwrap();
    user
}
