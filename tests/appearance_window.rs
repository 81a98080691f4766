//! Looks that last, and the keyboard (issue 17), in the real window:
//! - a person switches the theme, the accent colour, the text size and the
//!   chat layout in Settings; each applies at once, and after a restart the
//!   window opens with them and Settings shows them. The person's
//!   `custom.css` in the data folder is applied (and reloaded after an edit)
//!   without touching the CSP. A value out of range is refused in words;
//! - the shortcuts that work on every screen (next and previous chat,
//!   Settings, the message box, the sheet by F1, which lists every screen's
//!   keys), and Tab moving through controls with the focus always drawn.
//!
//! Built only with `--features e2e`.

mod common;

use common::mock_llm::MockLlm;
use common::seed_chat_world_with;
use common::window::*;
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};

async fn js(app: &Client, script: &str) -> Value {
    app.execute(script, vec![]).await.unwrap()
}

/// The looks as the page has them: theme, layout, body background, body
/// font size, accent variable, and the radio and select showing them.
async fn looks(app: &Client) -> Value {
    js(
        app,
        "const r = document.documentElement, cs = getComputedStyle(document.body); \
         return { theme: r.dataset.theme, layout: r.dataset.chatLayout, bg: cs.backgroundColor, \
                  font: cs.fontSize, accent: getComputedStyle(r).getPropertyValue('--accent').trim() };",
    )
    .await
}

async fn until_looks(app: &Client, key: &str, want: Value) -> Value {
    let started = std::time::Instant::now();
    loop {
        let v = looks(app).await;
        if v[key] == want {
            return v;
        }
        assert!(started.elapsed() < WAIT, "{key} never became {want}: {v}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn theme_accent_text_size_and_layout_apply_at_once_and_last_after_a_restart() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![]).await;
    let chat = seed_chat_world_with(data.path(), &mock.base_url, "The tide is out tonight.").await;
    std::fs::write(
        data.path().join("custom.css"),
        ".view-root { outline: 3px solid rgb(1, 2, 3); }",
    )
    .unwrap();

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.execute("location.hash = '#/settings'", vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#custom-css-status", "Applied").await;
    let outline = js(
        &app,
        "return getComputedStyle(document.querySelector('.view-root')).outlineColor",
    )
    .await;
    assert_eq!(outline, json!("rgb(1, 2, 3)"), "custom.css is applied");

    click(&app, "#theme-light").await;
    let v = until_looks(&app, "theme", json!("light")).await;
    assert_eq!(v["bg"], json!("rgb(245, 246, 250)"), "{v}");
    click(&app, "#theme-dark").await;
    let v = until_looks(&app, "theme", json!("dark")).await;
    assert_eq!(v["bg"], json!("rgb(15, 17, 22)"), "{v}");
    click(&app, "#theme-light").await;
    until_looks(&app, "theme", json!("light")).await;

    js(
        &app,
        "const a = document.getElementById('accent'); a.value = '#e0457b'; \
         a.dispatchEvent(new Event('change')); return null;",
    )
    .await;
    until_looks(&app, "accent", json!("#e0457b")).await;
    js(
        &app,
        "const s = document.getElementById('text-size'); s.value = '125'; \
         s.dispatchEvent(new Event('change')); return null;",
    )
    .await;
    until_looks(&app, "font", json!("18.75px")).await;
    click(&app, "#chat-layout-document").await;
    until_looks(&app, "layout", json!("document")).await;
    shot(&app, "appearance-settings-light").await;

    // A value out of range never reaches the window: the back end says why.
    let refused = app
        .execute_async(
            "const done = arguments[0]; window.__TAURI__.core.invoke('config_set', \
             { key: 'ui.text_size', value: 500 }).then(() => done('saved'), (e) => done(e.error));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        refused
            .as_str()
            .unwrap_or_default()
            .contains("does not fit"),
        "{refused}"
    );

    // The person edits custom.css; "Reload custom CSS" applies the new one.
    std::fs::write(
        data.path().join("custom.css"),
        ".view-root { outline: 3px solid rgb(4, 5, 6); }",
    )
    .unwrap();
    click(&app, "#reload-custom-css").await;
    let started = std::time::Instant::now();
    while js(
        &app,
        "return getComputedStyle(document.querySelector('.view-root')).outlineColor",
    )
    .await
        != json!("rgb(4, 5, 6)")
    {
        assert!(
            started.elapsed() < WAIT,
            "the edited custom.css was not applied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    no_error_banner(&app, "appearance settings").await;
    app.close().await.unwrap();
    drop(driver);

    // After a restart: the same looks, and Settings shows them.
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    let v = looks(&app).await;
    assert_eq!(
        (&v["theme"], &v["layout"], &v["font"], &v["accent"]),
        (
            &json!("light"),
            &json!("document"),
            &json!("18.75px"),
            &json!("#e0457b")
        ),
        "{v}"
    );
    app.execute(&format!("location.hash = '#/chat/{chat}'"), vec![])
        .await
        .unwrap();
    wait_for_text(&app, ".message", "The tide is out tonight.").await;
    let bubble = js(
        &app,
        "const m = document.querySelector('.message'); const cs = getComputedStyle(m); \
         return [cs.backgroundColor, m.getBoundingClientRect().width > document.querySelector('.chat-column').clientWidth * 0.9];",
    )
    .await;
    assert_eq!(
        bubble,
        json!(["rgba(0, 0, 0, 0)", true]),
        "document layout: no bubble, full width"
    );
    shot(&app, "appearance-chat-document-light").await;
    app.execute("location.hash = '#/settings'", vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#appearance", "Theme").await;
    let shown = js(
        &app,
        "return [document.getElementById('theme-light').checked, document.getElementById('chat-layout-document').checked, \
                 document.getElementById('text-size').value, document.getElementById('accent').value];",
    )
    .await;
    assert_eq!(shown, json!([true, true, "125", "#e0457b"]));
    drop(app);
}

async fn until_hash(app: &Client, want: &str) {
    let started = std::time::Instant::now();
    loop {
        let hash = js(app, "return location.hash").await;
        if hash.as_str() == Some(want) {
            return;
        }
        assert!(
            started.elapsed() < WAIT,
            "the route never became {want}: {hash}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn every_screen_answers_the_keyboard_with_the_focus_always_drawn() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![]).await;
    let first = seed_chat_world_with(data.path(), &mock.base_url, "First chat.").await;
    let (pool, _) = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap();
    let second = parley::services::chat_session::create(
        &pool,
        parley::models::ChatSessionInput {
            title: "Second chat".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    pool.close().await;

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.execute(&format!("location.hash = '#/chat/{first}'"), vec![])
        .await
        .unwrap();
    wait_for_text(&app, ".message", "First chat.").await;

    // The list is newest first: the second chat is above the first.
    js(&app, "document.activeElement?.blur(); return null").await;
    press(&app, &[Key::Alt.into(), Key::Up.into()]).await;
    until_hash(&app, &format!("#/chat/{second}")).await;
    press(&app, &[Key::Alt.into(), Key::Down.into()]).await;
    until_hash(&app, &format!("#/chat/{first}")).await;
    wait_for_text(&app, ".message", "First chat.").await;

    js(&app, "document.activeElement?.blur(); return null").await;
    press(&app, &['/']).await;
    let focused = js(&app, "return document.activeElement?.id").await;
    assert_eq!(focused, json!("composer"), "/ goes to the message box");

    press(&app, &[Key::F1.into()]).await;
    for words in [
        "Everywhere",
        "In a chat",
        "Lists, forms and dialogs",
        "Ctrl+,",
        "Alt+\u{2193}",
    ] {
        wait_for_text(&app, "#shortcut-sheet", words).await;
    }
    shot(&app, "keyboard-shortcut-sheet").await;
    press(&app, &[Key::Escape.into()]).await;

    js(&app, "document.activeElement?.blur(); return null").await;
    press(&app, &[Key::Control.into(), ',']).await;
    until_hash(&app, "#/settings").await;
    wait_for_text(&app, "#appearance", "Theme").await;

    // Tab through the first controls: each shows where the focus is.
    js(
        &app,
        "document.activeElement?.blur(); window.scrollTo(0, 0); return null",
    )
    .await;
    for n in 0..25 {
        press(&app, &[Key::Tab.into()]).await;
        let drawn = js(
            &app,
            "const e = document.activeElement; if (!e || e === document.body) return 'none'; \
             const cs = getComputedStyle(e); \
             return (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) || cs.boxShadow !== 'none' \
               ? 'drawn' : `${e.tagName}#${e.id}.${e.className} has no focus ring`;",
        )
        .await;
        assert_eq!(drawn, json!("drawn"), "Tab {n}");
    }
    no_error_banner(&app, "keyboard").await;
    drop(app);
}
