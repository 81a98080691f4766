//! Documents in the real window: a file added to a chat through the
//! Documents drawer's file input is listed with its chunk count beside the
//! character's and the library's documents, turned off for the chat (the
//! database says so), and viewed as text; a binary file posing as text is
//! refused in words; the library's Documents screen and the character
//! editor's Documents tab list theirs. `PARLEY_SHOTS` saves each screen.

mod common;

use common::window::*;
use fantoccini::{Client, Locator};
use parley::models::{ChatSessionInput, DocumentPlace};
use parley::services::document::{self as documents, Limits};
use parley::services::{character, chat_session};

struct World {
    chat: String,
    character: String,
}

/// A character with a document, a chat with her, and a library document.
async fn seed(data: &std::path::Path) -> World {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let c = character::create(&pool, common::character("Mira Kade"))
        .await
        .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(c.id),
            title: "Harbour talk".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for (place, name, text) in [
        (
            DocumentPlace::Character(c.id),
            "mira-notes.md",
            "# Mira\n\nMira fixed the Gull's engine twice.",
        ),
        (
            DocumentPlace::Library,
            "harbour-rules.txt",
            "No fires on the pier. Boats leave at dawn.",
        ),
    ] {
        documents::add(
            &pool,
            place,
            name,
            text.as_bytes().to_vec(),
            None,
            &Limits::default(),
        )
        .await
        .unwrap();
    }
    pool.close().await;
    World {
        chat: chat.id.to_string(),
        character: c.id.to_string(),
    }
}

async fn go(app: &Client, hash: &str) {
    app.execute(&format!("location.hash = {hash:?}; return true"), vec![])
        .await
        .unwrap();
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

async fn choose_file(app: &Client, css: &str, path: &std::path::Path) {
    let input = app
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();
}

/// The lighthouse log: 60 sentences, a few chunks at the default size.
fn lighthouse() -> String {
    (0..60)
        .map(|i| format!("Night {i}: the keeper lit the lamp and watched the sea for ships."))
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_document_added_to_a_chat_is_listed_switched_off_and_viewed() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let world = seed(data.path()).await;
    let log = files.path().join("lighthouse.txt");
    std::fs::write(&log, lighthouse()).unwrap();
    let noise = files.path().join("noise.txt");
    std::fs::write(&noise, (0u8..=255).cycle().take(4096).collect::<Vec<u8>>()).unwrap();

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.set_window_size(1280, 800).await.unwrap();

    go(&app, &format!("#/chat/{}", world.chat)).await;
    click(&app, "#chat-documents-btn").await;
    // The character's and the library's documents apply to the chat.
    wait_for_text(&app, "#chat-documents-list", "harbour-rules.txt").await;
    wait_for_text(&app, "#chat-documents-list", "mira-notes.md").await;

    choose_file(&app, "#chat-document-file", &log).await;
    wait_for_text(&app, "#chat-documents-list", "lighthouse.txt").await;
    let pool = parley::db::open_read_only(&data.path().join("parley.db"))
        .await
        .unwrap();
    let (id, chunks): (uuid::Uuid, i64) = sqlx::query_as(
        "select id, chunk_count from documents where name = 'lighthouse.txt' and scope = 'chat'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(chunks > 1, "{chunks}");
    let row = format!("#chat-documents-list li[data-id='{id}']");
    wait_for_text(&app, &row, &format!("{chunks} chunks")).await;
    let order = js(
        &app,
        "return document.getElementById('chat-documents-list').textContent",
    )
    .await;
    let order = order.as_str().unwrap_or_default();
    let at = |name: &str| {
        order
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {order}"))
    };
    assert!(
        at("lighthouse.txt") < at("mira-notes.md") && at("mira-notes.md") < at("harbour-rules.txt"),
        "{order}"
    );
    no_error_banner(&app, "the chat's documents").await;
    shot(&app, "documents-chat-drawer").await;

    // Off for this chat: the switch, the row, and the database agree.
    click(&app, &format!("{row} input.doc-switch")).await;
    wait_for_text(&app, &format!("{row} .switch-label"), "Off").await;
    let mut off = 0i64;
    for _ in 0..50 {
        off = sqlx::query_scalar("select count(*) from chat_documents_off where document_id = ?1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        if off == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(off, 1, "the chat turned it off");
    let dimmed = js(
        &app,
        &format!("return document.querySelector(\"{row}\").classList.contains('is-off')"),
    )
    .await;
    assert_eq!(dimmed, serde_json::json!(true));

    // View: the text, as text.
    click(&app, &format!("{row} .row-actions .btn")).await;
    wait_for_text(
        &app,
        "#document-view .document-text",
        "Night 59: the keeper lit the lamp",
    )
    .await;
    shot(&app, "documents-view").await;
    click(&app, "#document-view .modal-x").await;

    // A binary file posing as text: refused in words, nothing listed.
    choose_file(&app, "#chat-document-file", &noise).await;
    wait_for_text(&app, "#error-banner", "noise.txt: it is not text").await;
    let listed = js(
        &app,
        "return document.getElementById('chat-documents-list').textContent",
    )
    .await;
    let listed = listed.as_str().unwrap_or_default().to_string();
    assert!(!listed.contains("noise.txt"), "{listed}");
    shot(&app, "documents-refused").await;

    // The library's screen and the character's tab list their own.
    go(&app, "#/documents").await;
    wait_for_text(&app, "#library-docs-list", "harbour-rules.txt").await;
    let library = js(
        &app,
        "return document.getElementById('library-docs-list').textContent",
    )
    .await;
    let library = library.as_str().unwrap_or_default().to_string();
    assert!(
        !library.contains("lighthouse.txt") && !library.contains("mira-notes.md"),
        "{library}"
    );
    no_error_banner(&app, "the documents screen").await;
    shot(&app, "documents-library").await;

    go(&app, &format!("#/character/{}", world.character)).await;
    click(&app, "#tab-documents").await;
    wait_for_text(&app, "#character-docs-list", "mira-notes.md").await;
    no_error_banner(&app, "the character's documents").await;
    shot(&app, "documents-character-tab").await;
    pool.close().await;
}
