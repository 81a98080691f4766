//! Tasks in the real window: two tasks added in a chat's Tasks panel, one
//! ticked and shown done (struck through, below the open one), moved by the
//! keyboard, the objectives switch on and the open task in "Show prompt";
//! the Tasks screen lists them under the chat, and search finds one and
//! opens it there.

mod common;

use common::mock_llm::{status, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::Client;
use serde_json::json;

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

/// The rows of a task list: title and whether it shows done.
async fn rows(app: &Client, list: &str) -> Vec<(String, bool)> {
    let v = app
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' .task-row')]\
               .map(r => [r.querySelector('.task-title').textContent, r.classList.contains('is-done')])",
            vec![json!(list)],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn wait_rows(app: &Client, list: &str, want: &[(&str, bool)]) {
    let want: Vec<(String, bool)> = want.iter().map(|(t, d)| (t.to_string(), *d)).collect();
    let started = std::time::Instant::now();
    loop {
        let got = rows(app, list).await;
        if got == want {
            return;
        }
        assert!(
            started.elapsed() < WAIT,
            "{list} shows {got:?}, not {want:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn add_task(app: &Client, title: &str) {
    fill(app, "#chat-task-new", title).await;
    click(app, "#chat-task-add").await;
    wait_for_text(app, "#chat-tasks .task-list", title).await;
}

#[tokio::test]
async fn tasks_are_kept_beside_a_chat_and_listed_on_the_tasks_screen() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![status(500, "{}")]).await;
    seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, ".view-chat h1", "").await;

    // The panel opens from the header; an empty title is refused in words.
    click(&app, "#chat-tasks-btn").await;
    wait_for_text(&app, "#chat-tasks .task-empty", "No tasks yet").await;
    click(&app, "#chat-task-add").await;
    wait_for_text(&app, "#chat-tasks .field-error", "no title").await;

    add_task(&app, "Find the lighthouse keeper").await;
    add_task(&app, "Light the lamp before dusk").await;
    wait_rows(
        &app,
        "#chat-tasks",
        &[
            ("Find the lighthouse keeper", false),
            ("Light the lamp before dusk", false),
        ],
    )
    .await;
    shot(&app, "tasks-panel-two").await;

    // Ticked: it shows done, below the open one.
    js(
        &app,
        "[...document.querySelectorAll('#chat-tasks .task-row')].find(r => r.textContent.includes('keeper')).querySelector('.task-done').click(); return null",
    )
    .await;
    wait_rows(
        &app,
        "#chat-tasks",
        &[
            ("Light the lamp before dusk", false),
            ("Find the lighthouse keeper", true),
        ],
    )
    .await;
    let struck = js(
        &app,
        "const t = document.querySelector('#chat-tasks .task-row.is-done .task-title'); return getComputedStyle(t).textDecorationLine",
    )
    .await;
    assert_eq!(struck, json!("line-through"));

    // A third, moved up with Alt+Up from its row.
    add_task(&app, "Mend the net").await;
    js(
        &app,
        "const r = [...document.querySelectorAll('#chat-tasks .task-row')].find(r => r.textContent.includes('Mend')); r.focus(); \
         r.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowUp', altKey: true, bubbles: true})); return null",
    )
    .await;
    wait_rows(
        &app,
        "#chat-tasks",
        &[
            ("Mend the net", false),
            ("Light the lamp before dusk", false),
            ("Find the lighthouse keeper", true),
        ],
    )
    .await;

    // The objectives: the open tasks go into the prompt once switched on.
    click(&app, "#chat-objectives").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    shot(&app, "tasks-panel-ticked").await;
    no_error_banner(&app, "the tasks panel").await;
    js(
        &app,
        "document.getElementById('show-prompt').click(); return null",
    )
    .await;
    wait_for_text(
        &app,
        "#prompt-dialog .prompt-objectives",
        "Current objectives",
    )
    .await;
    let block = js(
        &app,
        "return document.querySelector('#prompt-dialog .prompt-objectives .prompt-text').textContent",
    )
    .await;
    assert_eq!(
        block,
        json!("Current objectives:\n- Mend the net\n- Light the lamp before dusk")
    );
    shot(&app, "tasks-show-prompt").await;
    click(&app, "#prompt-dialog .modal-x").await;

    // The Tasks screen lists them under the chat, open by default.
    click(&app, "#sidebar a[href='#/tasks']").await;
    wait_for_text(&app, ".view-tasks .task-group", "Light the lamp").await;
    let chat_group = "section.task-group[data-chat]:not([data-chat=''])";
    wait_rows(
        &app,
        chat_group,
        &[
            ("Mend the net", false),
            ("Light the lamp before dusk", false),
        ],
    )
    .await;
    wait_for_text(&app, &format!("{chat_group} a.btn"), "Open chat").await;
    shot(&app, "tasks-screen-open").await;
    click(&app, ".task-filter [data-filter='all']").await;
    wait_rows(
        &app,
        chat_group,
        &[
            ("Mend the net", false),
            ("Light the lamp before dusk", false),
            ("Find the lighthouse keeper", true),
        ],
    )
    .await;
    click(&app, ".task-filter [data-filter='done']").await;
    wait_rows(&app, chat_group, &[("Find the lighthouse keeper", true)]).await;
    shot(&app, "tasks-screen-done").await;
    no_error_banner(&app, "the Tasks screen").await;

    // Search finds a task and opens it on the Tasks screen.
    click(&app, "#sidebar a[href='#/search']").await;
    fill(&app, "#search-input", "lighthouse").await;
    wait_for_text(&app, ".task-hit", "Find the lighthouse keeper").await;
    shot(&app, "tasks-search").await;
    click(&app, ".task-hit a").await;
    wait_for_text(&app, ".task-row.is-target", "Find the lighthouse keeper").await;
    no_error_banner(&app, "a task opened from search").await;

    // "Open chat" goes back to the chat.
    click_containing(&app, &format!("{chat_group} a.btn"), "Open chat").await;
    wait_for_text(&app, "#chat-tasks-btn", "Tasks").await;
}
