//! Memory in the real window (issue 13): a chat with a document, a message
//! about something in it, and the reply's "remembered: ..." note naming the
//! passage; "Show prompt" shows the passage marked by its source. The
//! document is attached as a person does it: the chat's Documents drawer,
//! its file input.

mod common;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use common::seed_chat_world;
use common::window::*;
use fantoccini::Client;
use serde_json::json;

/// The notes a person attaches: a page about the house, then the passage
/// the question is about, in a later chunk.
fn lantern_notes() -> String {
    let house: Vec<String> = (1..=40)
        .map(|i| {
            format!("Room {i} of the old house by the sea has a blue door and a narrow window.")
        })
        .collect();
    format!(
        "{}\n\nThe zephyr lantern in the attic glows green when a storm is near.\n",
        house.join(" ")
    )
}

/// The label the reply's note gives the passage: the file's name and the
/// number of the chunk that holds it, as Parley chunked it.
async fn passage_label(data: &std::path::Path) -> String {
    let pool = parley::db::open_read_only(&data.join("parley.db"))
        .await
        .unwrap();
    let index: i64 = sqlx::query_scalar(
        "select chunk_index from document_chunks where text like '%zephyr lantern%' \
         order by chunk_index desc limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    format!("lantern.md §{}", index + 1)
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
    let files = tempfile::tempdir().unwrap();
    let notes = files.path().join("lantern.md");
    std::fs::write(&notes, lantern_notes()).unwrap();
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;

    // Attach the notes to the chat through its Documents drawer.
    click(&app, "#chat-documents-btn").await;
    app.wait()
        .at_most(WAIT)
        .for_element(fantoccini::Locator::Css("#chat-document-file"))
        .await
        .unwrap()
        .send_keys(&notes.display().to_string())
        .await
        .unwrap();
    wait_for_text(&app, "#chat-documents-list", "lantern.md").await;
    let label = passage_label(data.path()).await;
    click(&app, "#chat-documents-btn").await;

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
        &format!("remembered: {label}"),
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
        json!({"text": format!("remembered: {label}"), "shown": true, "html": 0}),
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
    wait_for_text(&app, "#prompt-dialog", &format!("Document: {label}")).await;
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
        .starts_with(&format!("Document: {label} · ")));
    assert!(
        shown["text"]
            .as_str()
            .unwrap()
            .contains(&format!("[{label}]\n")),
        "{shown}"
    );
    assert!(
        shown["text"]
            .as_str()
            .unwrap()
            .contains("The zephyr lantern in the attic glows green"),
        "{shown}"
    );
    wait_for_text(&app, "#prompt-dialog", "1 memory piece").await;
    shot(&app, "memory-show-prompt").await;
    app.close().await.unwrap();
}
