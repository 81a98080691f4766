//! A new chat's title from its first exchange (`services::chat_title`),
//! against real SQLite and the mock provider: the model's answer becomes the
//! title, asked with a small reply budget; a model that fails, or none at
//! all, gives the first message's words; a title a person chose is never
//! replaced, nor is a chat without a message touched.

mod common;

use common::mock_llm::{openai_tokens, status, stream, MockLlm};
use common::{mock_model, new_character, new_chat, pool, say};
use parley::models::{ChatSessionInput, MessageInput, MessageRole};
use parley::secrets::MemorySecretStore;
use parley::services::{chat_session, chat_title, message};
use sqlx::SqlitePool;

/// A chat with `Sia` on `model`, a first message and a completed reply.
async fn first_exchange(
    pool: &SqlitePool,
    model: Option<parley::models::Id>,
) -> parley::models::Id {
    let sia = new_character(pool, "Sia").await;
    let chat = new_chat(pool, Some(sia)).await;
    if model.is_some() {
        let c = chat_session::get(pool, chat).await.unwrap();
        chat_session::update(
            pool,
            chat,
            ChatSessionInput {
                title: c.title,
                character_id: c.character_id,
                ai_model_id: model,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    say(
        pool,
        chat,
        "Could you teach me to sail a small boat on the lake?",
    )
    .await;
    message::add(
        pool,
        chat,
        MessageInput {
            role: MessageRole::Assistant,
            content: "Of course, {{user}}! First, the wind.".into(),
        },
    )
    .await
    .unwrap();
    chat
}

#[tokio::test]
async fn the_models_answer_becomes_the_title_asked_with_a_small_budget() {
    let pool = pool().await;
    let mock = MockLlm::start(vec![status(500, "{}")]).await;
    mock.answer_title(stream(openai_tokens(&[
        "Title: ",
        "\"Sailing ",
        "Lessons\"",
    ])));
    let model = mock_model(&pool, &mock.base_url).await;
    let chat = first_exchange(&pool, Some(model.id)).await;
    assert_eq!(
        chat_session::get(&pool, chat).await.unwrap().title,
        "Chat with Sia"
    );

    let saved = chat_title::make(
        &pool,
        &MemorySecretStore::default(),
        &reqwest::Client::new(),
        chat,
    )
    .await
    .unwrap()
    .expect("a title was made");
    assert_eq!(saved.title, "Sailing Lessons");
    assert_eq!(
        chat_session::get(&pool, chat).await.unwrap().title,
        "Sailing Lessons"
    );

    let asked = mock.title_requests();
    assert_eq!(asked.len(), 1);
    let body = asked[0].json();
    assert_eq!(body["max_tokens"], chat_title::TITLE_MAX_TOKENS);
    let text = body["messages"].to_string();
    assert!(text.contains("teach me to sail"), "{text}");
    assert!(
        text.contains("Of course, User!"),
        "macros are expanded: {text}"
    );

    // Made once: the next reply asks nothing.
    assert!(chat_title::make(
        &pool,
        &MemorySecretStore::default(),
        &reqwest::Client::new(),
        chat
    )
    .await
    .unwrap()
    .is_none());
    assert_eq!(mock.title_requests().len(), 1);
}

#[tokio::test]
async fn a_failing_model_or_none_gives_the_first_messages_words() {
    let pool = pool().await;
    let mock = MockLlm::start(vec![status(500, "{}")]).await;
    mock.answer_title(status(500, "{\"error\":\"down\"}"));
    let model = mock_model(&pool, &mock.base_url).await;
    let failing = first_exchange(&pool, Some(model.id)).await;
    let none = first_exchange(&pool, None).await;
    let (secrets, http) = (MemorySecretStore::default(), reqwest::Client::new());
    for chat in [failing, none] {
        let saved = chat_title::make(&pool, &secrets, &http, chat)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(saved.title, "Could you teach me to sail\u{2026}");
    }
}

#[tokio::test]
async fn a_persons_title_stays_and_a_chat_without_messages_is_left_alone() {
    let pool = pool().await;
    let (secrets, http) = (MemorySecretStore::default(), reqwest::Client::new());
    let chat = first_exchange(&pool, None).await;
    let c = chat_session::get(&pool, chat).await.unwrap();
    chat_session::update(
        &pool,
        chat,
        ChatSessionInput {
            title: "Our boat trip".into(),
            character_id: c.character_id,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for (chat, title) in [
        (chat, "Our boat trip"),
        (new_chat(&pool, None).await, "New chat"),
    ] {
        let made = chat_title::make(&pool, &secrets, &http, chat)
            .await
            .unwrap();
        assert!(made.is_none(), "{title}");
        assert_eq!(chat_session::get(&pool, chat).await.unwrap().title, title);
    }
}
