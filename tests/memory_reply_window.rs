//! Memory in the real window (issue 13): a chat with a document, a message
//! about something in it, and the reply's "remembered: ..." note naming the
//! passage; "Show prompt" shows the passage marked by its source. The
//! document's rows are written into the database before the app starts
//! (the documents screens are tested on their own).

mod common;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::Client;
use parley::models::Id;
use serde_json::json;

/// A document of the seeded chat, "lantern.md", of two chunks.
async fn add_document(data: &std::path::Path) {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let chat: Id = sqlx::query_scalar("select id from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    let doc = parley::models::new_id();
    sqlx::query(
        r"insert into documents (id, scope, chat_session_id, name, kind, byte_size, sha256,
               chunk_size, chunk_overlap, chunk_count, token_count, created_at, updated_at,
               content)
          values (?1, 'chat', ?2, 'lantern.md', 'markdown', 0, '', 300, 40, 2, 30, 0, 0, '')",
    )
    .bind(doc)
    .bind(chat)
    .execute(&pool)
    .await
    .unwrap();
    for (i, text) in [
        "Notes on the old house by the sea.",
        "The zephyr lantern in the attic glows green when a storm is near.",
    ]
    .iter()
    .enumerate()
    {
        sqlx::query(
            r"insert into document_chunks (document_id, chunk_index, token_count, text)
              values (?1, ?2, 15, ?3)",
        )
        .bind(doc)
        .bind(i as i64)
        .bind(*text)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

#[tokio::test]
async fn a_reply_says_which_passage_it_remembered_and_show_prompt_marks_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![stream(openai_tokens(&[
        "The zephyr lantern ",
        "glows green before a storm.",
    ]))])
    .await;
    mock.answer_title(stream(openai_tokens(&["The ", "Lantern"])));
    seed_chat_world(data.path(), &mock.base_url).await;
    add_document(data.path()).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;

    fill(
        &app,
        "textarea#composer",
        "What does the zephyr lantern do?",
    )
    .await;
    click(&app, "#send").await;
    wait_for_text(&app, ".message.is-last .message-body", "before a storm.").await;
    let text = wait_status(&app, "completed").await;
    assert_eq!(
        text.trim(),
        "The zephyr lantern glows green before a storm."
    );
    wait_for_text(
        &app,
        ".message.is-last .message-note",
        "remembered: lantern.md §2",
    )
    .await;
    let note = js(
        &app,
        "const n = document.querySelector('.message.is-last .message-note'); \
         return { text: n.textContent, shown: !n.hidden && n.getBoundingClientRect().height > 0, \
                  html: n.children.length };",
    )
    .await;
    assert_eq!(
        note,
        json!({"text": "remembered: lantern.md §2", "shown": true, "html": 0}),
        "the note, as text"
    );
    // The model was given the passage, before the history.
    let sent = mock.requests()[0].json();
    let passage = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| {
            m["content"]
                .as_str()
                .unwrap()
                .contains("glows green when a storm is near")
        })
        .expect("the passage was sent");
    assert_eq!(sent["messages"][passage]["role"], json!("system"));
    assert_eq!(
        sent["messages"][passage + 1]["content"],
        json!("Shall I tell you a story?")
    );
    no_error_banner(&app, "chat").await;
    shot(&app, "memory-reply-note").await;

    // Show prompt: the passage in its memory message, marked as a document.
    click(&app, "#show-prompt").await;
    wait_for_text(&app, "#prompt-dialog", "Document: lantern.md §2").await;
    let shown = js(
        &app,
        "const m = document.querySelector('#prompt-dialog .prompt-memory'); \
         return { role: m.querySelector('.prompt-role').textContent, \
                  sources: [...m.querySelectorAll('.prompt-source')].map((s) => s.textContent), \
                  text: m.querySelector('.prompt-text').textContent };",
    )
    .await;
    assert_eq!(shown["role"], json!("System · memory"));
    assert_eq!(shown["sources"].as_array().unwrap().len(), 1);
    assert!(shown["sources"][0]
        .as_str()
        .unwrap()
        .starts_with("Document: lantern.md §2 · "));
    assert!(
        shown["text"]
            .as_str()
            .unwrap()
            .contains("[lantern.md §2]\nThe zephyr lantern in the attic glows green"),
        "{shown}"
    );
    wait_for_text(&app, "#prompt-dialog", "1 memory piece").await;
    shot(&app, "memory-show-prompt").await;
    app.close().await.unwrap();
}
