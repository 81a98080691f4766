//! Chats first (issue 12), in the real window: the sidebar leads with the
//! recent chats, newest first, each with its last message as plain text
//! with the names filled in, then the characters; a character's click opens
//! its latest chat, or starts one when it has none (its editor is behind the
//! pencil); a new chat is titled from its first exchange by the model (the
//! mock answers the title request) and the title can be renamed in the
//! header; the welcome screen offers to continue the latest chats.

mod common;

use std::path::Path;
use std::time::Duration;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::{key::Key, Client};
use parley::models::{CharacterInput, ChatSessionInput, MessageInput, MessageRole};
use parley::services::{character, chat_session, message};
use serde_json::json;

/// Sia's chat (from `seed_chat_world`), then a newer chat with Odo whose
/// last message has Markdown and macros, and Bram, who has no chat.
async fn seed(data: &Path, base_url: &str) {
    seed_chat_world(data, base_url).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    for name in ["Odo the Gardener", "Bram"] {
        let c = character::create(
            &pool,
            CharacterInput {
                name: name.into(),
                first_message: format!("{name} waves."),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        if name == "Bram" {
            continue;
        }
        let chat = chat_session::create(
            &pool,
            ChatSessionInput {
                character_id: Some(c.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        message::add(
            &pool,
            chat.id,
            MessageInput {
                role: MessageRole::Assistant,
                content: "**Hello** {{user}}, says *{{char}}*. <b>Welcome</b>".into(),
            },
        )
        .await
        .unwrap();
    }
    pool.close().await;
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

async fn stored_title(data: &Path, character: &str) -> String {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let t: String = sqlx::query_scalar(
        "select s.title from chat_sessions s join characters c on c.id = s.character_id where c.name = ?",
    )
    .bind(character)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    t
}

#[tokio::test]
async fn the_sidebar_leads_with_chats_a_character_opens_its_chat_and_chats_are_titled_and_renamed()
{
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    // The reply; the title request's answer waits apart.
    let mock = MockLlm::start(vec![stream(openai_tokens(&[
        "Once ", "upon ", "a ", "tide...",
    ]))])
    .await;
    mock.answer_title(stream(openai_tokens(&[
        "Title: ",
        "\"The Tide ",
        "Story\"",
    ])));
    seed(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;

    // Chats before characters, the newest chat first, its preview plain.
    wait_for_text(&app, "#chat-list li", "Odo the Gardener").await;
    let order = js(
        &app,
        "const s = [...document.querySelectorAll('#sidebar .side-section')].map(e => e.querySelector('h2').textContent); \
         const chats = [...document.querySelectorAll('#chat-list li[data-id] .side-item-meta')].map(e => e.textContent); \
         const preview = document.querySelector('#chat-list li[data-id] .side-item-preview')?.textContent; \
         const html = document.querySelector('#chat-list li[data-id] .side-item-preview')?.innerHTML; \
         return { s, chats, preview, html };",
    )
    .await;
    assert_eq!(order["s"], json!(["Recent chats", "Characters"]), "{order}");
    assert_eq!(
        order["chats"],
        json!(["Odo the Gardener", "Storyteller Sia"]),
        "{order}"
    );
    assert_eq!(
        order["preview"],
        json!("Hello User, says Odo the Gardener. Welcome"),
        "{order}"
    );
    assert_eq!(
        order["html"], order["preview"],
        "the preview is text, not markup"
    );
    shot(&app, "chats-first-home").await;

    // The home screen offers to continue the latest chats, newest first.
    wait_for_text(&app, "#continue li", "Storyteller Sia").await;
    let first = js(
        &app,
        "return document.querySelector('#continue li a').textContent",
    )
    .await;
    assert!(first.as_str().unwrap().contains("Chat with Odo"), "{first}");

    // A character's click opens its latest chat.
    click_containing(
        &app,
        "#character-list li[data-id] > a.side-item",
        "Storyteller Sia",
    )
    .await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;
    wait_for_text(&app, "#chat-title", "Chat with Storyteller Sia").await;

    // ... and Bram, who has none, gets a new one on his greeting.
    click_containing(&app, "#character-list li[data-id] > a.side-item", "Bram").await;
    wait_for_text(&app, "#messages", "Bram waves.").await;
    wait_for_text(&app, "#chat-list li", "Bram").await;
    // His editor is behind the pencil.
    click_containing(&app, "#character-list li[data-id] a.side-edit", "Bram").await;
    wait_for_text(&app, "#character-form", "Name").await;

    // The first exchange titles Sia's chat: the model is asked after the reply.
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;
    fill(&app, "textarea#composer", "Tell me one about the tide.").await;
    click(&app, "#send").await;
    wait_status(&app, "completed").await;
    wait_for_text(&app, "#chat-title", "The Tide Story").await;
    wait_for_text(&app, "#chat-list li", "The Tide Story").await;
    assert_eq!(
        stored_title(data.path(), "Storyteller Sia").await,
        "The Tide Story"
    );
    assert_eq!(mock.requests().len(), 1, "one reply");
    let asked = mock.title_requests();
    assert_eq!(asked.len(), 1, "one title request");
    assert_eq!(
        asked[0].json()["max_tokens"],
        json!(parley::services::chat_title::TITLE_MAX_TOKENS)
    );
    assert!(asked[0].json()["messages"]
        .to_string()
        .contains("about the tide"));
    shot(&app, "chats-first-titled").await;

    // Rename in the header: click the title, type, Enter.
    click(&app, "#chat-title").await;
    // The box opens with the title selected: typing replaces it.
    app.find(fantoccini::Locator::Css("#chat-title-input"))
        .await
        .unwrap()
        .send_keys(&format!("Tides with Sia{}", Key::Enter))
        .await
        .unwrap();
    wait_for_text(&app, "#chat-title", "Tides with Sia").await;
    wait_for_text(&app, "#chat-list li", "Tides with Sia").await;
    assert_eq!(
        stored_title(data.path(), "Storyteller Sia").await,
        "Tides with Sia"
    );
    no_error_banner(&app, "chat").await;

    // Another completed reply asks no title again, and the rename stays.
    mock.push(stream(openai_tokens(&["More ", "tides."])));
    fill(&app, "textarea#composer", "And another?").await;
    click(&app, "#send").await;
    wait_status(&app, "completed").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mock.requests().len(), 2);
    assert_eq!(mock.title_requests().len(), 1, "no second title request");
    assert_eq!(
        stored_title(data.path(), "Storyteller Sia").await,
        "Tides with Sia"
    );
    app.close().await.unwrap();
}
