//! Macros and the author's note in the real window: a greeting's
//! `{{roll}}`, evaluated when the chat was made, shows the same number
//! after the chat is opened again, with `{{user}}` as the name; an author's
//! note set in Chat settings is saved and shown in "Show prompt", marked as
//! the author's note with its macros expanded; Settings has the note new
//! chats start with. Screenshots with `PARLEY_SHOTS`.

mod common;

use common::mock_llm::{status, MockLlm};
use common::seed_chat_world_with;
use common::window::*;
use fantoccini::Client;
use serde_json::json;

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

async fn greeting(app: &Client) -> String {
    wait_for_text(app, "#messages .message-body", "Your number is").await;
    js(
        app,
        "return document.querySelector('#messages .message .message-body').textContent.trim()",
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

#[tokio::test]
async fn rolls_keep_their_number_and_the_authors_note_reaches_the_prompt() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![status(500, "{}")]).await;
    let rolls = "Your number is **{{roll:1d1000000}}**, {{user}}.";
    let chat = seed_chat_world_with(data.path(), &mock.base_url, rolls).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    let first = greeting(&app).await;
    let number = first
        .strip_prefix("Your number is ")
        .and_then(|r| r.strip_suffix(", User."))
        .unwrap_or_else(|| panic!("the greeting shows its roll and the name: {first:?}"));
    assert!(number.parse::<u32>().is_ok(), "{first:?}");
    assert_eq!(
        js(
            &app,
            "return document.querySelector('#messages .message .message-body strong')?.textContent"
        )
        .await,
        json!(number),
        "the roll sits in the Markdown as text"
    );
    // Opened again (another screen, then back): the same number.
    js(&app, "location.hash = '#/settings'; return null").await;
    wait_for_text(&app, "legend", "Author\u{2019}s note").await;
    js(
        &app,
        "document.querySelector('.authors-note').scrollIntoView({ block: 'center' }); return null",
    )
    .await;
    shot(&app, "settings-authors-note").await;
    js(
        &app,
        &format!("location.hash = '#/chat/{chat}'; return null"),
    )
    .await;
    assert_eq!(greeting(&app).await, first);
    no_error_banner(&app, "the chat").await;

    // The author's note, set in Chat settings.
    click(&app, "button[aria-controls=chat-settings-form]").await;
    fill(
        &app,
        "#chat-settings-form [name=authorsNoteText]",
        "Keep it brief, {{char}}; it is night.",
    )
    .await;
    fill(&app, "#chat-settings-form [name=authorsNoteDepth]", "0").await;
    fill(&app, "#chat-settings-form [name=authorsNoteFrequency]", "1").await;
    js(
        &app,
        "const s = document.querySelector('#chat-settings-form [name=authorsNoteRole]'); \
         s.value = 'user'; s.dispatchEvent(new Event('change')); \
         document.querySelector('#chat-settings-form .authors-note').scrollIntoView(); return null",
    )
    .await;
    shot(&app, "chat-settings-authors-note").await;
    click(&app, "#chat-settings-form button[type=submit]").await;
    wait_for_text(&app, ".toast, #toast", "Chat saved").await;
    let (pool, _) = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap();
    let stored = parley::services::chat_session::get(&pool, chat)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(
        stored.authors_note.text,
        "Keep it brief, {{char}}; it is night."
    );
    assert_eq!(
        (stored.authors_note.depth, stored.authors_note.frequency),
        (0, 1)
    );
    assert_eq!(stored.authors_note.role, parley::models::MessageRole::User);

    // "Show prompt" marks it and shows it expanded.
    click(&app, "#show-prompt").await;
    wait_for_text(&app, "#prompt-dialog .prompt-authors-note", "Keep it brief").await;
    let note = js(
        &app,
        "const li = document.querySelector('#prompt-dialog .prompt-authors-note'); \
         li.scrollIntoView(); \
         return { role: li.querySelector('.prompt-role').textContent, text: li.querySelector('.prompt-text').textContent }",
    )
    .await;
    assert_eq!(
        note,
        json!({ "role": "User \u{00b7} author\u{2019}s note", "text": "Keep it brief, Storyteller Sia; it is night." })
    );
    shot(&app, "show-prompt-authors-note").await;
}
