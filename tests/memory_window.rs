//! The memory panel of a long chat, in the real window: opened from the
//! chat's header, it lists the chat's entries newest range first with their
//! ranges ("messages 22–31"), who wrote them and a stale entry marked; an
//! entry edited there becomes the person's, one pinned stays pinned; a bad
//! range is refused under its field; a re-summarize that fails says why,
//! and once the model answers the stale entry is written again.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, status, stream, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::{Client, Locator};
use parley::models::{ChatMemory, Id, MadeBy, MessageInput, MessageRole, Timestamp};
use parley::repos::chat_memory::{self as repo, NewMemory};
use serde_json::json;

/// Thirty messages after the greeting, and three entries: a model's summary
/// of messages 2–11, the person's of 12–21, a model's of 22–31 made stale
/// by an edit. Returns the three ids.
async fn long_chat_with_entries(data: &Path) -> [Id; 3] {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let chat: Id = sqlx::query_scalar("select id from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    let model: Id = sqlx::query_scalar("select id from ai_models")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 1..=30 {
        let role = if i % 2 == 1 {
            MessageRole::User
        } else {
            MessageRole::Assistant
        };
        let m = parley::services::message::add(
            &pool,
            chat,
            MessageInput {
                role,
                content: format!("Message {i}: the lighthouse keeper told another story."),
            },
        )
        .await
        .unwrap();
        ids.push(m.id);
    }
    let entry = |first: i64, last: i64, made_by: MadeBy, content: &'static str| {
        let pool = pool.clone();
        async move {
            repo::insert(
                &pool,
                &NewMemory {
                    id: parley::models::new_id(),
                    chat_session_id: chat,
                    first_seq: first,
                    last_seq: last,
                    made_by,
                    ai_model_id: (made_by == MadeBy::Model).then_some(model),
                    content,
                    now: Timestamp::now(),
                },
            )
            .await
            .unwrap()
            .id
        }
    };
    let a = entry(
        1,
        10,
        MadeBy::Model,
        "Sia met the lighthouse keeper, who told of the wreck.",
    )
    .await;
    let b = entry(
        11,
        20,
        MadeBy::Person,
        "The keeper's daughter <b>Ana</b> keeps the lamp.",
    )
    .await;
    let c = entry(21, 30, MadeBy::Model, "They rowed to the wreck at dawn.").await;
    // Message 25 edited: the entry over 22–31 is stale.
    parley::services::message::update(&pool, ids[24], "Message 25: they turned back instead.")
        .await
        .unwrap();
    pool.close().await;
    [a, b, c]
}

async fn entry_of(data: &Path, id: Id) -> ChatMemory {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let e = parley::services::chat_memory::get(&pool, id).await.unwrap();
    pool.close().await;
    e
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

/// The entries as the panel lists them: "range | by | badges | text".
async fn listed(app: &Client) -> Vec<String> {
    let v = js(
        app,
        "return [...document.querySelectorAll('#memory-list .memory-entry')].map(li => \
           [li.querySelector('.memory-range').textContent, li.querySelector('.memory-by').textContent, \
            [...li.querySelectorAll('.memory-badge')].map(b => b.textContent).join(','), \
            li.querySelector('.memory-text')?.textContent ?? ''].join(' | '))",
    )
    .await;
    serde_json::from_value(v).unwrap()
}

async fn until_db(what: &str, data: &Path, id: Id, cond: impl Fn(&ChatMemory) -> bool) {
    let started = Instant::now();
    loop {
        if cond(&entry_of(data, id).await) {
            return;
        }
        assert!(started.elapsed() < WAIT, "never saved: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn in_entry(id: Id, css: &str) -> String {
    format!("#memory-list li[data-id='{id}'] {css}")
}

#[tokio::test]
async fn the_memory_panel_lists_edits_pins_and_resummarizes_a_long_chats_entries() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![status(500, "{}")]).await;
    seed_chat_world(data.path(), &mock.base_url).await;
    let [a, b, c] = long_chat_with_entries(data.path()).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Message 30").await;

    click(&app, "#chat-memory").await;
    wait_for_text(&app, "#memory-list", "rowed to the wreck").await;
    assert_eq!(
        listed(&app).await,
        vec![
            "messages 22–31 | summary by the model | Stale | They rowed to the wreck at dawn.",
            "messages 12–21 | written by you |  | The keeper's daughter <b>Ana</b> keeps the lamp.",
            "messages 2–11 | summary by the model |  | Sia met the lighthouse keeper, who told of the wreck.",
        ],
        "newest range first, the markup shown as text"
    );
    assert_eq!(
        js(
            &app,
            "return document.querySelectorAll('#memory-list b').length"
        )
        .await,
        json!(0)
    );
    wait_for_text(&app, "#memory-status", "up to date").await;
    shot(&app, "memory-panel").await;

    // Edit the model's first summary: it becomes the person's.
    click(&app, &in_entry(a, ".memory-edit")).await;
    fill(
        &app,
        &in_entry(a, ".memory-editor"),
        "Sia met Tomas, the lighthouse keeper.",
    )
    .await;
    shot(&app, "memory-editing").await;
    click(&app, &in_entry(a, ".memory-save")).await;
    wait_for_text(&app, &in_entry(a, ".memory-by"), "written by you").await;
    until_db("the edit", data.path(), a, |e| {
        e.content == "Sia met Tomas, the lighthouse keeper." && e.made_by == MadeBy::Person
    })
    .await;

    // Pin the person's entry.
    click(&app, &in_entry(b, ".memory-pin")).await;
    wait_for_text(&app, &in_entry(b, ".memory-badge"), "Pinned").await;
    until_db("the pin", data.path(), b, |e| e.pinned).await;

    // A range that ends before it starts is refused under its field.
    // Open "Add an entry" and scroll to it, as a person does.
    js(
        &app,
        "const f = document.querySelector('#memory-add'); f.closest('details').open = true; \
         f.scrollIntoView({block: 'center'})",
    )
    .await;
    fill(&app, "#memory-add input[name='firstSeq']", "9").await;
    fill(&app, "#memory-add input[name='lastSeq']", "4").await;
    fill(&app, "#memory-add textarea[name='content']", "Backwards").await;
    click(&app, "#memory-add button[type='submit']").await;
    wait_for_text(&app, "#memory-add .field-error", "ends before it starts").await;
    shot(&app, "memory-bad-range").await;
    // Put right, the entry is added (the person's, over messages 4–9).
    fill(&app, "#memory-add input[name='firstSeq']", "4").await;
    fill(&app, "#memory-add input[name='lastSeq']", "9").await;
    click(&app, "#memory-add button[type='submit']").await;
    wait_for_text(&app, "#memory-list .memory-range", "messages 4–9").await;
    assert!(listed(&app)
        .await
        .contains(&"messages 4–9 | written by you |  | Backwards".to_string()));

    // Re-summarize the stale entry: the model fails first (no answer: 503),
    // and the panel says why.
    click(&app, &in_entry(c, ".memory-resummarize")).await;
    wait_for_text(&app, "#memory-status", "failed").await;
    wait_for_text(&app, "#memory-status", "503").await;
    shot(&app, "memory-failed").await;
    assert!(entry_of(data.path(), c).await.stale);

    // Then it answers, and the entry is written again, no longer stale.
    mock.answer_summary(stream(openai_tokens(&[
        "They turned ",
        "back before the wreck.",
    ])));
    click(&app, &in_entry(c, ".memory-resummarize")).await;
    wait_for_text(&app, "#memory-list", "They turned back before the wreck.").await;
    let c2 = entry_of(data.path(), c).await;
    assert!(!c2.stale);
    assert_eq!(
        (c2.first_seq, c2.last_seq, c2.made_by),
        (21, 30, MadeBy::Model)
    );
    let asked = &mock.summary_requests();
    let read = asked.last().unwrap().json()["messages"][1]["content"].clone();
    assert!(
        read.as_str()
            .unwrap()
            .contains("Message 25: they turned back instead."),
        "the model read the edited messages: {read}"
    );
    assert!(listed(&app).await[0].contains("messages 22–31 | summary by the model |  |"));
    wait_for_text(&app, "#memory-status", "up to date").await;
    shot(&app, "memory-resummarized").await;

    // The summary settings: another model chosen for summaries is kept.
    js(
        &app,
        "const f = document.querySelector('#memory-settings'); f.closest('details').open = true; \
         f.scrollIntoView({block: 'center'})",
    )
    .await;
    app.find(Locator::Css("#memory-settings select[name='summaryModel']"))
        .await
        .unwrap()
        .select_by_label("mock-1")
        .await
        .unwrap();
    click(&app, "#memory-settings button[type='submit']").await;
    shot(&app, "memory-settings").await;
    let started = Instant::now();
    loop {
        let (pool, _) = parley::db::open(&data.path().join("parley.db"))
            .await
            .unwrap();
        let chosen = parley::services::app_config::get_value(&pool, "memory.summary_model")
            .await
            .unwrap();
        let model: Id = sqlx::query_scalar("select id from ai_models")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        if chosen == json!(model.to_string()) {
            break;
        }
        assert!(
            started.elapsed() < WAIT,
            "the summary model was never saved: {chosen}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(app
        .find(Locator::Css("#error-banner:not([hidden])"))
        .await
        .is_err());
}
