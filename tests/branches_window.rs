//! Branches in the real window: "Branch from here" on a message opens a new
//! chat holding the story up to that message; its header says where it came
//! from, and that line opens the parent at the message; the parent's
//! "Branches" lists it; moving the parent to the trash says its branch
//! stays, and once the parent is deleted for good the branch says so and
//! keeps its messages.

mod common;

use std::path::Path;

use common::mock_llm::{status, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::Client;
use parley::models::{Id, MessageInput, MessageRole};
use serde_json::json;

/// Six messages after the greeting ("Message 1: ..." to "Message 6: ...").
async fn six_messages(data: &Path) -> Id {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let chat: Id = sqlx::query_scalar("select id from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    for i in 1..=6 {
        let role = if i % 2 == 1 {
            MessageRole::User
        } else {
            MessageRole::Assistant
        };
        parley::services::message::add(
            &pool,
            chat,
            MessageInput {
                role,
                content: format!("Message {i}: the lighthouse keeper went on."),
            },
        )
        .await
        .unwrap();
    }
    pool.close().await;
    chat
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

/// The texts of the messages shown, in order.
async fn shown(app: &Client) -> Vec<String> {
    let v = js(
        app,
        "return [...document.querySelectorAll('#messages .message .message-body')].map(e => e.textContent.trim())",
    )
    .await;
    serde_json::from_value(v).unwrap()
}

async fn title(app: &Client) -> String {
    js(
        app,
        "return document.querySelector('.view-chat h1, main h1')?.textContent ?? ''",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn wait_title(app: &Client, want: &str) {
    let started = std::time::Instant::now();
    while title(app).await != want {
        assert!(
            started.elapsed() < WAIT,
            "the chat {want:?} never opened (shows {:?})",
            title(app).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_branch_is_made_opened_and_leads_back_to_its_parent() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![status(500, "{}")]).await;
    seed_chat_world(data.path(), &mock.base_url).await;
    let parent = six_messages(data.path()).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Message 6").await;
    let parent_title = title(&app).await;
    assert!(
        js(&app, "return document.getElementById('branch-origin')")
            .await
            .is_null(),
        "a chat that is not a branch says nothing of it"
    );

    // "Branch from here" on message 3 (the fourth, after the greeting).
    let at = js(
        &app,
        "const m = [...document.querySelectorAll('#messages .message')].find(e => e.textContent.includes('Message 3:')); \
         m.id = 'branch-here'; return m.dataset.id",
    )
    .await;
    click(&app, "#branch-here .act-branch").await;
    wait_title(&app, &format!("{parent_title} (branch)")).await;
    wait_for_text(&app, "#branch-origin", "Branched from").await;
    assert_eq!(
        js(
            &app,
            "return document.getElementById('branch-origin').textContent"
        )
        .await,
        json!(format!("Branched from {parent_title} at message 4"))
    );
    wait_for_text(&app, "#messages", "Message 3").await;
    let texts = shown(&app).await;
    assert_eq!(texts.len(), 4, "the greeting and messages 1-3: {texts:?}");
    assert!(texts[3].starts_with("Message 3:"), "{texts:?}");
    no_error_banner(&app, "the new branch").await;
    shot(&app, "branch-opened").await;

    // The database holds the branch with the history up to that message.
    let (pool, _) = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap();
    let (branch, n): (Id, i64) = sqlx::query_as(
        "select s.id, (select count(*) from messages m where m.chat_session_id = s.id) \
           from chat_sessions s where s.parent_chat_id = ?1",
    )
    .bind(parent)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(n, 4);

    // The line opens the parent at that message.
    click(&app, "#branch-parent").await;
    wait_title(&app, &parent_title).await;
    wait_for_text(&app, "#messages", "Message 6").await;
    let hash = js(&app, "return location.hash").await;
    assert_eq!(
        hash,
        json!(format!("#/chat/{parent}/{}", at.as_str().unwrap()))
    );

    // The parent lists its branch, which opens from there.
    wait_for_text(&app, "#chat-branches", "1 branch").await;
    shot(&app, "parent-at-message").await;
    click(&app, "#chat-branches").await;
    wait_for_text(&app, "#branch-list", "(branch)").await;
    wait_for_text(&app, "#branch-list", "from message 4").await;
    shot(&app, "branches-dialog").await;
    click_containing(&app, "#branch-list a", "(branch)").await;
    wait_title(&app, &format!("{parent_title} (branch)")).await;
    assert_eq!(
        js(&app, "return location.hash").await,
        json!(format!("#/chat/{branch}"))
    );

    // Moving the parent to the trash says its branch stays.
    click(&app, "#branch-parent").await;
    wait_title(&app, &parent_title).await;
    click_containing(&app, ".header-more button", "Delete").await;
    wait_for_text(&app, ".modal-text", "Its branch stays as it is").await;
    shot(&app, "delete-parent").await;
    click(&app, "#confirm-ok").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // Deleted for good, the parent is gone; the branch says so and keeps
    // every message.
    parley::services::chat_session::purge(&pool, parent)
        .await
        .unwrap();
    pool.close().await;
    js(
        &app,
        &format!("location.hash = '#/chat/{branch}'; return null"),
    )
    .await;
    wait_for_text(&app, "#branch-origin", "that chat was deleted").await;
    assert!(
        js(&app, "return document.getElementById('branch-parent')")
            .await
            .is_null(),
        "no link to a chat that is gone"
    );
    assert_eq!(shown(&app).await.len(), 4);
    no_error_banner(&app, "a branch whose parent was deleted").await;
    shot(&app, "branch-parent-deleted").await;
}
