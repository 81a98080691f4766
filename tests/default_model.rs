//! A model is always there when one exists: the first model added becomes
//! the default, new chats (with or without a character) take it, a deleted
//! default hands over to the newest model left, Settings cannot keep "None"
//! while a model exists, and a chat whose model was deleted falls back to
//! the default when a reply starts, says so in the reply, and keeps it.
//! "Connect" tests and lists before it saves a provider with its models;
//! the first-run screen's starter character is added once.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mock_llm::{openai_tokens, status, stream, MockLlm};
use parley::models::{
    ChatSessionInput, ChosenModel, ListQuery, ProviderInput, ProviderKind, SettingsInput,
};
use parley::secrets::MemorySecretStore;
use parley::services::generation::{self, ReplyEvent, ReplySink};
use parley::services::{ai_model, chat_session, demo, message, provider, settings};

#[tokio::test]
async fn the_first_model_added_becomes_the_default_and_a_later_one_does_not() {
    let pool = common::pool().await;
    assert_eq!(
        settings::get(&pool).await.unwrap().default_ai_model_id,
        None
    );
    let first = common::provider_with_model(
        &pool,
        "Local",
        ProviderKind::OpenaiCompatible,
        "http://127.0.0.1:9/v1",
        "first",
        None,
    )
    .await;
    assert_eq!(
        settings::get(&pool).await.unwrap().default_ai_model_id,
        Some(first.id)
    );
    common::provider_with_model(
        &pool,
        "Other",
        ProviderKind::OpenaiCompatible,
        "http://127.0.0.1:10/v1",
        "second",
        None,
    )
    .await;
    assert_eq!(
        settings::get(&pool).await.unwrap().default_ai_model_id,
        Some(first.id),
        "a chosen default is never replaced by a new model"
    );
}

#[tokio::test]
async fn new_chats_with_or_without_a_character_take_the_default_model() {
    let pool = common::pool().await;
    let model = common::mock_model(&pool, "http://127.0.0.1:9/v1").await;
    let character = common::new_character(&pool, "Mira").await;
    for character_id in [None, Some(character)] {
        let chat = chat_session::create(
            &pool,
            ChatSessionInput {
                character_id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(chat.ai_model_id, Some(model.id), "{character_id:?}");
    }
}

#[tokio::test]
async fn deleting_the_default_hands_it_to_the_newest_model_left() {
    let pool = common::pool().await;
    let a = common::provider_with_model(
        &pool,
        "A",
        ProviderKind::OpenaiCompatible,
        "http://127.0.0.1:9/v1",
        "a",
        None,
    )
    .await;
    let b = common::provider_with_model(
        &pool,
        "B",
        ProviderKind::OpenaiCompatible,
        "http://127.0.0.1:10/v1",
        "b",
        None,
    )
    .await;
    ai_model::delete(&pool, a.id).await.unwrap();
    assert_eq!(
        settings::get(&pool).await.unwrap().default_ai_model_id,
        Some(b.id)
    );
    // The provider goes with its models: no model, no default.
    provider::delete(&pool, &MemorySecretStore::default(), b.provider_id)
        .await
        .unwrap();
    assert_eq!(
        settings::get(&pool).await.unwrap().default_ai_model_id,
        None
    );
}

#[tokio::test]
async fn settings_cannot_keep_no_model_while_one_exists() {
    let pool = common::pool().await;
    let model = common::mock_model(&pool, "http://127.0.0.1:9/v1").await;
    let s = settings::get(&pool).await.unwrap();
    let saved = settings::update(
        &pool,
        SettingsInput {
            default_character_id: None,
            default_user_profile_id: None,
            default_ai_model_id: None,
            default_system_prompt_id: None,
            temperature: s.temperature,
            max_output_tokens: s.max_output_tokens,
            context_length: s.context_length,
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.default_ai_model_id, Some(model.id));
}

#[derive(Default)]
struct Recorder(Mutex<Vec<ReplyEvent>>);

struct Tap(Arc<Recorder>);

impl ReplySink for Tap {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0 .0.lock().unwrap().push(event.clone());
        true
    }
}

#[tokio::test]
async fn a_chat_whose_model_was_deleted_falls_back_to_the_default_and_says_so() {
    let pool = common::pool().await;
    let mock = MockLlm::start(vec![
        stream(openai_tokens(&["Still ", "here."])),
        stream(openai_tokens(&["Again."])),
    ])
    .await;
    let default = common::mock_model(&pool, &mock.base_url).await;
    let gone = common::provider_with_model(
        &pool,
        "Gone",
        ProviderKind::OpenaiCompatible,
        "http://127.0.0.1:9/v1",
        "gone-1",
        None,
    )
    .await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(gone.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    ai_model::delete(&pool, gone.id).await.unwrap();
    assert_eq!(
        settings::get(&pool).await.unwrap().default_ai_model_id,
        Some(default.id),
        "the default was never the deleted model"
    );

    let state = common::state(pool.clone());
    let rec = Arc::new(Recorder::default());
    let started = generation::send(&state, chat.id, "Hello?".into(), Box::new(Tap(rec.clone())))
        .await
        .expect("the default model answers");
    let note = started.message.metadata.0["modelNote"]
        .as_str()
        .expect("the reply says the default stood in")
        .to_string();
    assert!(
        note.contains("Mock AI") || note.contains("mock-1"),
        "{note}"
    );
    assert!(note.contains("default"), "{note}");
    for _ in 0..500 {
        let m = message::get(&pool, started.message.id).await.unwrap();
        if m.status == parley::models::MessageStatus::Completed {
            assert_eq!(m.content, "Still here.");
            assert_eq!(m.metadata.0["modelNote"], note.as_str(), "the note is kept");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        chat_session::get(&pool, chat.id).await.unwrap().ai_model_id,
        Some(default.id),
        "the chat keeps the model it fell back to"
    );
    assert_eq!(mock.requests()[0].json()["model"], "mock-1");

    // Once is enough: the next reply is the chat's own model's, no note.
    let m = message::get(&pool, started.message.id).await.unwrap();
    let again = generation::regenerate(&state, m.id, Box::new(Tap(Arc::new(Recorder::default()))))
        .await
        .unwrap();
    assert!(again.message.metadata.0.get("modelNote").is_none());
}

fn local_input(name: &str, base_url: &str) -> ProviderInput {
    ProviderInput {
        name: name.into(),
        kind: ProviderKind::OpenaiCompatible,
        base_url: base_url.into(),
        api_key: None,
    }
}

#[tokio::test]
async fn connect_tests_lists_and_saves_the_provider_with_the_picked_model() {
    let pool = common::pool().await;
    let mock = MockLlm::start(vec![status(
        200,
        r#"{"data":[{"id":"qwen-7b"},{"id":"llama-8b"}]}"#,
    )])
    .await;
    let http = reqwest::Client::new();
    let secrets = MemorySecretStore::default();
    let offered = provider::probe(&pool, &http, local_input("Server", &mock.base_url))
        .await
        .unwrap();
    let ids: Vec<&str> = offered.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["llama-8b", "qwen-7b"]);
    assert!(
        provider::list(&pool, &secrets, &ListQuery::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "testing saves nothing"
    );
    let saved = provider::connect(
        &pool,
        &secrets,
        local_input("Server", &mock.base_url),
        vec![ChosenModel {
            id: "qwen-7b".into(),
            name: None,
            context_length: Some(8192),
        }],
    )
    .await
    .unwrap();
    let default = settings::default_model(&pool).await.unwrap().unwrap();
    assert_eq!(default.provider_id, saved.id);
    assert_eq!(default.model_id, "qwen-7b");
    assert_eq!(default.context_length, Some(8192));
}

#[tokio::test]
async fn a_server_that_does_not_answer_or_no_model_picked_saves_nothing() {
    let pool = common::pool().await;
    let http = reqwest::Client::new();
    let secrets = MemorySecretStore::default();
    // Port 9 (discard) refuses on this machine: nothing listens there.
    let err = provider::probe(&pool, &http, local_input("Dead", "http://127.0.0.1:9/v1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "ExternalApiError", "{err}");
    let err = provider::connect(
        &pool,
        &secrets,
        local_input("Dead", "http://127.0.0.1:9/v1"),
        vec![],
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("pick at least one model"), "{err}");
    // A model the rules refuse takes the provider back out.
    let err = provider::connect(
        &pool,
        &secrets,
        local_input("Half", "http://127.0.0.1:9/v1"),
        vec![ChosenModel {
            id: "   ".into(),
            name: None,
            context_length: None,
        }],
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), "ValidationError");
    assert!(provider::list(&pool, &secrets, &ListQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(settings::default_model(&pool).await.unwrap().is_none());
}

#[tokio::test]
async fn the_starter_character_is_added_once_and_comes_back_from_the_trash() {
    let pool = common::pool().await;
    let first = demo::starter_character(&pool).await.unwrap();
    assert_eq!(first.name, "Captain Mira Voss");
    assert!(!first.first_message.is_empty());
    let again = demo::starter_character(&pool).await.unwrap();
    assert_eq!(again.id, first.id);
    parley::services::character::delete(&pool, first.id)
        .await
        .unwrap();
    let back = demo::starter_character(&pool).await.unwrap();
    assert_eq!(back.id, first.id);
    assert!(back.deleted_at.is_none());
    let all = parley::services::character::list(&pool, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1);
}
