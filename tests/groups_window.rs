//! A group chat in the real window, as a person makes and uses one: "New
//! chat" with two more characters ticked makes a scene of three; a message
//! that names one of them makes that one answer (natural order); the
//! "talk" buttons make any member speak; in list order they take turns by
//! the list; auto-mode lets them go on among themselves and stops at its
//! turn limit, and stops at once when the person starts typing; a branch of
//! the scene opens with its members. Replies come from the mock provider.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, stream, MockLlm};
use common::window::*;
use fantoccini::Client;
use parley::models::CharacterInput;

const CAST: [&str; 3] = ["Alice Marsh", "Bram Osei", "Cora Lind"];

async fn seed(data: &Path, base_url: &str) {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    common::default_mock_model(&pool, base_url).await;
    for name in CAST {
        parley::services::character::create(
            &pool,
            CharacterInput {
                name: name.into(),
                first_message: format!("{name} looks up from the map."),
                ..Default::default()
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

/// The author shown on each message, in order.
async fn authors(app: &Client) -> Vec<String> {
    let v = js(
        app,
        "return [...document.querySelectorAll('#messages .message .message-author')].map(e => e.textContent.trim())",
    )
    .await;
    serde_json::from_value(v).unwrap()
}

/// Waits until `n` messages are shown and the reply is no longer written.
async fn wait_messages(app: &Client, n: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let now = authors(app).await;
        let busy = js(
            app,
            "return document.getElementById('messages')?.getAttribute('aria-busy') === 'true' \
             || document.querySelector('#messages .message .typing:not([hidden])') !== null",
        )
        .await;
        if now.len() >= n && busy == serde_json::json!(false) {
            return now;
        }
        assert!(
            started.elapsed() < WAIT,
            "never {n} messages (shows {now:?})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn send(app: &Client, text: &str) {
    fill(app, "#composer", text).await;
    click(app, "#send").await;
}

async fn set_group(app: &Client, order: &str, delay: &str, limit: &str) {
    click(app, "#chat-group-btn").await;
    wait_for_text(app, "#group-members", CAST[2]).await;
    js(
        app,
        &format!(
            "const s = document.getElementById('group-turn-order'); s.value = '{order}'; \
             s.dispatchEvent(new Event('change')); \
             document.getElementById('group-auto-delay').value = '{delay}'; \
             document.getElementById('group-auto-limit').value = '{limit}'; return true"
        ),
    )
    .await;
    click(app, "#group-settings-save").await;
    wait_for_text(app, "#toast", "Group settings saved").await;
    click(app, "#chat-group-btn").await;
}

#[tokio::test]
async fn a_scene_of_three_takes_turns_talks_by_itself_and_branches() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![stream(openai_tokens(&["The ", "wind ", "rises."]))]).await;
    seed(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;

    // New chat: Alice, with Bram and Cora ticked.
    click(&app, "#new-chat").await;
    wait_for_text(&app, "#new-chat-form", "Add more characters").await;
    let alice: String = serde_json::from_value(
        js(
            &app,
            &format!(
                "const s = document.querySelector('#new-chat-form [name=characterId]'); \
                 const o = [...s.options].find(o => o.textContent === '{}'); s.value = o.value; return o.value",
                CAST[0]
            ),
        )
        .await,
    )
    .unwrap();
    click(&app, "#new-chat-group summary").await;
    for name in &CAST[1..] {
        js(
            &app,
            &format!(
                "[...document.querySelectorAll('#new-chat-group label')].find(l => l.textContent.includes('{name}')).querySelector('input').click(); return true"
            ),
        )
        .await;
    }
    click(&app, "#create-chat").await;
    wait_for_text(&app, "#group-speakers", CAST[2]).await;
    let first = wait_messages(&app, 1).await;
    assert_eq!(first, vec![CAST[0].to_string()], "the first member greets");
    no_error_banner(&app, "the new group chat").await;
    assert!(!alice.is_empty());

    // Natural order: naming Cora makes Cora answer.
    send(&app, "Cora, what do you see on the horizon?").await;
    let now = wait_messages(&app, 3).await;
    assert_eq!(now[2], CAST[2], "the one named answers: {now:?}");
    shot(&app, "group-natural").await;

    // "Talk" on Bram: Bram speaks without a message from the person.
    js(
        &app,
        &format!(
            "[...document.querySelectorAll('#group-speakers .speaker-btn')].find(b => b.textContent.includes('{}')).click(); return true",
            CAST[1]
        ),
    )
    .await;
    let now = wait_messages(&app, 4).await;
    assert_eq!(now[3], CAST[1], "force talk: {now:?}");

    // List order with auto-mode: two turns by themselves, in list order
    // after Bram (Cora, then Alice), then auto-mode stops by its limit.
    set_group(&app, "list", "0.2", "2").await;
    click(&app, "#group-auto").await;
    wait_for_text(&app, "#group-auto-status", "after 2 turns").await;
    let now = wait_messages(&app, 6).await;
    assert_eq!(
        &now[4..],
        &[CAST[2].to_string(), CAST[0].to_string()],
        "list order after Bram: {now:?}"
    );
    assert_eq!(
        js(
            &app,
            "return document.getElementById('group-auto').getAttribute('aria-pressed')"
        )
        .await,
        serde_json::json!("false")
    );

    // Auto-mode with a long delay stops as soon as the person types.
    set_group(&app, "list", "30", "10").await;
    click(&app, "#group-auto").await;
    let now = wait_messages(&app, 7).await;
    fill(&app, "#composer", "Wait").await;
    wait_for_text(&app, "#group-auto-status", "you are writing").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        authors(&app).await.len(),
        now.len(),
        "no turn after the person typed"
    );
    shot(&app, "group-auto-stopped").await;

    // A branch from the last message opens with the same members.
    js(
        &app,
        "const all = document.querySelectorAll('#messages .message'); all[all.length - 1].id = 'branch-here'; return true",
    )
    .await;
    click(&app, "#branch-here .act-branch").await;
    wait_for_text(&app, "#branch-origin", "Branched from").await;
    wait_for_text(&app, "#group-speakers", CAST[1]).await;
    let branched = wait_messages(&app, now.len()).await;
    assert_eq!(
        branched, now,
        "the branch holds the scene with its speakers"
    );
    no_error_banner(&app, "the branch of the scene").await;
    shot(&app, "group-branch").await;
}
