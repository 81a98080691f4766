//! The chat's controls at hand (issue 12), in the real window: the model is
//! switched from the chat's header and the next reply comes from it; the
//! version arrows show on the last reply even when it has one version; `?`
//! (when not typing) opens the sheet of shortcuts; Ctrl+R writes a new
//! version of the last reply, Alt+Left goes back to the first.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, stream, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use parley::models::{AiModelInput, Id};
use serde_json::json;

/// A second model, "mock-2", on the seeded provider; its id.
async fn second_model(data: &Path) -> Id {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let provider: Id = sqlx::query_scalar("select id from providers")
        .fetch_one(&pool)
        .await
        .unwrap();
    let m = parley::services::ai_model::create(
        &pool,
        AiModelInput {
            provider_id: Some(provider),
            model_id: "mock-2".into(),
            display_name: "Second Mock".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    pool.close().await;
    m.id
}

async fn chat_model(data: &Path) -> Option<Id> {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let id: Option<Id> = sqlx::query_scalar("select ai_model_id from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    id
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

async fn swipe_count(app: &Client) -> String {
    js(
        app,
        "return document.querySelector('.message.is-last .swipe-count')?.textContent ?? ''",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn wait_swipe(app: &Client, want: &str) {
    let started = Instant::now();
    while swipe_count(app).await != want {
        assert!(
            started.elapsed() < WAIT,
            "the last reply never showed version {want} (shows {:?})",
            swipe_count(app).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_model_is_switched_from_the_header_and_shortcuts_regenerate_swipe_and_list_themselves()
{
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    // The reply and the new version Ctrl+R asks for; the chat's title apart.
    let mock = MockLlm::start(vec![
        stream(openai_tokens(&["From ", "the ", "second."])),
        stream(openai_tokens(&["A ", "new ", "version."])),
    ])
    .await;
    mock.answer_title(stream(openai_tokens(&["Model ", "Talk"])));
    seed_chat_world(data.path(), &mock.base_url).await;
    let second = second_model(data.path()).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;

    // The header's select switches the chat's model; the next reply uses it.
    wait_for_text(&app, "#chat-model option", "Second Mock").await;
    app.find(Locator::Css("#chat-model"))
        .await
        .unwrap()
        .select_by_label("Second Mock")
        .await
        .unwrap();
    let started = Instant::now();
    while chat_model(data.path()).await != Some(second) {
        assert!(started.elapsed() < WAIT, "the chat's model was not saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    fill(&app, "textarea#composer", "Which model are you?").await;
    click(&app, "#send").await;
    wait_for_text(&app, ".message.is-last .message-body", "From the second.").await;
    let text = wait_status(&app, "completed").await;
    assert_eq!(text.trim(), "From the second.");
    assert_eq!(mock.requests()[0].json()["model"], json!("mock-2"));
    wait_for_text(&app, "#chat-title", "Model Talk").await;
    no_error_banner(&app, "chat").await;

    // One version, and the arrows are there on the last reply.
    let arrows = js(
        &app,
        "const s = document.querySelector('.message.is-last .swipes'); \
         const r = s.getBoundingClientRect(); return !s.hidden && r.width > 0;",
    )
    .await;
    assert_eq!(
        arrows,
        json!(true),
        "the version arrows show on the last reply"
    );
    wait_swipe(&app, "1/1").await;
    shot(&app, "controls-chat").await;

    // `?` outside a text box opens the sheet; Esc closes it.
    js(&app, "document.activeElement?.blur(); return true").await;
    press(&app, &['?']).await;
    wait_for_text(&app, "#shortcut-sheet", "Ctrl+R").await;
    wait_for_text(&app, "#shortcut-sheet", "Ctrl+N").await;
    shot(&app, "controls-shortcut-sheet").await;
    press(&app, &[Key::Escape.into()]).await;
    let gone = js(&app, "return !document.getElementById('shortcut-sheet')").await;
    assert_eq!(gone, json!(true), "Esc closes the sheet");

    // Ctrl+R writes a new version of the last reply.
    let before = mock.requests().len();
    press(&app, &[Key::Control.into(), 'r']).await;
    wait_swipe(&app, "2/2").await;
    wait_for_text(&app, ".message.is-last .message-body", "A new version.").await;
    let text = wait_status(&app, "completed").await;
    assert_eq!(text.trim(), "A new version.");
    assert!(mock.requests().len() > before);
    // The window was not reloaded by Ctrl+R: the chat is still open.
    wait_for_text(&app, "#messages", "Which model are you?").await;

    // Alt+Left goes back to the first version.
    press(&app, &[Key::Alt.into(), Key::Left.into()]).await;
    wait_swipe(&app, "1/2").await;
    wait_for_text(&app, ".message.is-last .message-body", "From the second.").await;

    // The chat's settings open in a drawer at the right, over the messages:
    // its persona, system prompt and its own sampling values.
    click(&app, "button[aria-controls='chat-settings-form']").await;
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#chat-settings-form .overrides"))
        .await
        .unwrap();
    let drawer = js(
        &app,
        "const f = document.getElementById('chat-settings-form');          const r = document.querySelector('.chat-settings').getBoundingClientRect();          return { persona: !!f.querySelector('[name=userProfileId]'), prompt: !!f.querySelector('[name=systemPromptId]'),                   sampling: !!f.querySelector('.overrides [name=temperature]'), right: Math.round(r.right) === innerWidth,                   composer: document.getElementById('composer').getBoundingClientRect().bottom <= innerHeight };",
    )
    .await;
    assert_eq!(
        drawer,
        json!({"persona": true, "prompt": true, "sampling": true, "right": true, "composer": true}),
        "the chat settings drawer"
    );
    shot(&app, "controls-settings-drawer").await;
    app.close().await.unwrap();
}
