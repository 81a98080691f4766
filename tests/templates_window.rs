//! Templates in the real window: a message template with a choice variable
//! made on the Templates screen (its form previewed as it is typed), used
//! with `/` in a chat (the menu filters, Enter chooses, the form asks for
//! the choice), the composer holding the filled text, which sends through
//! the mock provider; a quick reply added with the header's "Quick replies" sends its text
//! with one click.

mod common;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

async fn wait_js(app: &Client, script: &str, what: &str) {
    let started = std::time::Instant::now();
    while js(app, script).await != json!(true) {
        assert!(started.elapsed() < WAIT, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The text of the last user message the provider was sent.
fn last_user_text(mock: &MockLlm) -> String {
    let requests = mock.requests();
    let body = requests.last().expect("a request").json();
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_template_is_made_used_with_slash_and_a_quick_reply_sends() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![
        stream(openai_tokens(&["Casually ", "then."])),
        stream(openai_tokens(&["Going ", "on."])),
    ])
    .await;
    seed_chat_world(data.path(), &mock.base_url).await;
    // A second template, with no variables, for the quick reply.
    {
        let (pool, _) = parley::db::open(&data.path().join("parley.db"))
            .await
            .unwrap();
        parley::services::template::create(
            &pool,
            parley::models::TemplateInput {
                kind: parley::models::TemplateType::Message,
                name: "Go on".into(),
                content: "Go on, please.".into(),
            },
        )
        .await
        .unwrap();
        pool.close().await;
    }
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;

    // The Templates screen, from the sidebar.
    click_containing(&app, "#sidebar a", "Templates").await;
    wait_for_text(&app, "#template-list", "Go on").await;
    click(&app, "#new-template").await;
    fill(&app, "#template-name", "Tone check").await;
    fill(
        &app,
        "#template-content",
        "Answer {{tone:formal|casual}} about {{topic=owls}}.",
    )
    .await;
    // The form the variables make, previewed as typed: a choice and a text.
    wait_js(
        &app,
        "return !!document.querySelector('#template-preview select[name=tone]') \
         && !!document.querySelector('#template-preview input[name=topic]')",
        "the preview shows the tone choice and the topic field",
    )
    .await;
    assert_eq!(
        js(&app, "return [...document.querySelectorAll('#template-preview select[name=tone] option')].map(o => o.value)").await,
        json!(["formal", "casual"])
    );
    shot(&app, "templates-editor").await;
    click(&app, "#save").await;
    wait_for_text(&app, "#template-list", "Tone check").await;
    wait_for_text(&app, "#template-list", "2 variables").await;
    no_error_banner(&app, "the Templates screen").await;
    shot(&app, "templates-saved").await;

    // In the chat: `/` opens the menu, typing filters it.
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story").await;
    let composer = app.find(Locator::Css("#composer")).await.unwrap();
    composer.send_keys("/").await.unwrap();
    wait_for_text(&app, "#slash-menu", "Go on").await;
    wait_for_text(&app, "#slash-menu", "Tone check").await;
    assert_eq!(
        js(
            &app,
            "return document.getElementById('composer').getAttribute('aria-expanded')"
        )
        .await,
        json!("true")
    );
    shot(&app, "slash-menu").await;
    composer.send_keys("ton").await.unwrap();
    wait_js(
        &app,
        "return document.querySelectorAll('#slash-menu [role=option]').length === 1",
        "the menu keeps only Tone check",
    )
    .await;
    composer.send_keys(&Key::Enter.to_string()).await.unwrap();

    // The form asks for the choice; casual is picked.
    wait_js(
        &app,
        "return !!document.querySelector('#template-fill select[name=tone]')",
        "the fill form opens",
    )
    .await;
    js(
        &app,
        "const s = document.querySelector('#template-fill select[name=tone]'); s.value = 'casual'; \
         s.dispatchEvent(new Event('change')); return null",
    )
    .await;
    shot(&app, "slash-fill-form").await;
    click(&app, "#template-fill-use").await;
    wait_js(
        &app,
        "return document.getElementById('composer').value === 'Answer casual about owls.'",
        "the composer holds the filled text",
    )
    .await;
    assert!(js(&app, "return document.getElementById('slash-menu').hidden").await == json!(true));
    shot(&app, "slash-filled").await;

    // It sends through the mock provider: the reply is on the screen before
    // its status is read (the greeting is completed already).
    click(&app, "#send").await;
    wait_js(
        &app,
        "return document.querySelectorAll(\"#messages .message[data-role='assistant']\").length >= 2",
        "the reply is on the screen",
    )
    .await;
    assert_eq!(
        wait_status(&app, "completed").await.trim(),
        "Casually then."
    );
    assert_eq!(last_user_text(&mock), "Answer casual about owls.");

    // A quick reply: "Quick replies" in the header picks "Go on" for
    // this chat, to send; the bar, hidden while empty, then shows it.
    assert!(
        js(
            &app,
            "return document.getElementById('quick-replies').hidden"
        )
        .await
            == json!(true)
    );
    click(&app, "#quick-reply-add").await;
    wait_for_text(&app, "#quick-reply-dialog", "This chat").await;
    wait_for_text(
        &app,
        "#quick-reply-dialog",
        "Every chat with Storyteller Sia",
    )
    .await;
    js(
        &app,
        "const row = [...document.querySelectorAll('#quick-reply-dialog fieldset[data-owner=chat] label')].find(l => l.textContent.includes('Go on')); \
         const s = row.querySelector('select'); s.value = 'send'; return null",
    )
    .await;
    shot(&app, "quick-reply-dialog").await;
    click(&app, "#quick-reply-save").await;
    wait_for_text(&app, "#quick-replies button.quick-reply", "Go on").await;
    shot(&app, "quick-reply-bar").await;
    click_containing(&app, "#quick-replies button.quick-reply", "Go on").await;
    wait_for_text(&app, "#messages", "Going on.").await;
    assert_eq!(wait_status(&app, "completed").await.trim(), "Going on.");
    assert_eq!(last_user_text(&mock), "Go on, please.");
    wait_for_text(
        &app,
        "#messages .message[data-role='user']",
        "Go on, please.",
    )
    .await;
    no_error_banner(&app, "the chat after a quick reply").await;
    shot(&app, "quick-reply-sent").await;
}
