//! Half a screen is enough (issue 12): the real app in its window, resized
//! through WebDriver to 1280x800, 800x600 and the minimum size in
//! `tauri.conf.json` (480x400). On every main screen nothing widens the page
//! past the window; in a chat with a long title the title stays on one line,
//! the composer is whole inside the window and the messages keep a usable
//! height; below the breakpoint the sidebar is a drawer opened by a button.
//!
//! With `PARLEY_SHOTS` set, each screen at each size is saved as
//! `layout-<screen>-<width>x<height>.png`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, MockLlm, Reply};
use common::seed_chat_world;
use common::window::*;
use fantoccini::Client;
use serde_json::{json, Value};

const LONG_TITLE: &str = "A very long chat title about the lighthouse keeper who counted every wave of the winter storm and wrote them all down";

/// The sizes looked at: the usual laptop, half a screen, the minimum.
const SIZES: [(u32, u32); 3] = [(1280, 800), (800, 600), (480, 400)];

/// Resizes the window and waits until the page has the new inner size
/// (the window manager-less X server applies it asynchronously).
async fn resize(app: &Client, width: u32, height: u32) {
    app.set_window_size(width, height).await.unwrap();
    let started = Instant::now();
    loop {
        let inner = app
            .execute("return [innerWidth, innerHeight]", vec![])
            .await
            .unwrap();
        let (w, h) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
        // The outer size includes no decorations under Xvfb; allow a few px.
        if w.abs_diff(u64::from(width)) <= 40 && h.abs_diff(u64::from(height)) <= 60 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            return;
        }
        assert!(
            started.elapsed() < WAIT,
            "the window did not become {width}x{height}; the page is {w}x{h}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Fails when the page or any element in the view is wider than the window
/// (what a person would see as a horizontal scrollbar or cut-off text).
async fn nothing_overflows(app: &Client, screen: &str) {
    let v: Value = app
        .execute(
            "const doc = document.scrollingElement; \
             const wide = [...document.querySelectorAll('#view *')] \
               .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 1) \
               .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)); \
             return { scroll: doc.scrollWidth, inner: innerWidth, view: document.getElementById('view').scrollWidth, \
                      viewClient: document.getElementById('view').clientWidth, wide };",
            vec![],
        )
        .await
        .unwrap();
    let n = |k: &str| v[k].as_u64().unwrap();
    assert!(
        n("scroll") <= n("inner") && n("view") <= n("viewClient"),
        "{screen}: the page is wider than the window: {v}"
    );
    assert!(
        v["wide"].as_array().unwrap().is_empty(),
        "{screen}: elements reach past the window's right edge: {v}"
    );
}

/// The chat at the current size: a one-line title, the composer whole in the
/// window, and the messages at least 40 % of its height.
async fn chat_is_usable(app: &Client, size: &str) {
    let v: Value = app
        .execute(
            "const h1 = document.querySelector('.view-chat .view-header h1'); \
             const line = parseFloat(getComputedStyle(h1).lineHeight); \
             const c = document.querySelector('form.composer').getBoundingClientRect(); \
             const box = document.getElementById('composer').getBoundingClientRect(); \
             const send = document.querySelector('#send, #stop').getBoundingClientRect(); \
             const list = document.querySelector('.chat-scroll').getBoundingClientRect(); \
             return { title: h1.getBoundingClientRect().height, line, titleText: h1.textContent, \
                      clipped: h1.scrollWidth > h1.clientWidth, \
                      composerTop: c.top, composerBottom: c.bottom, composerRight: c.right, \
                      boxWidth: box.width, sendRight: send.right, \
                      list: list.height, inner: innerHeight, innerW: innerWidth };",
            vec![],
        )
        .await
        .unwrap();
    let f = |k: &str| v[k].as_f64().unwrap();
    assert!(
        f("title") <= f("line") * 1.3,
        "{size}: the chat title takes more than one line: {v}"
    );
    assert!(
        v["clipped"].as_bool().unwrap(),
        "{size}: the long title should end in an ellipsis, not fit: {v}"
    );
    assert!(
        f("composerTop") >= 0.0
            && f("composerBottom") <= f("inner") + 0.5
            && f("composerRight") <= f("innerW") + 0.5
            && f("sendRight") <= f("innerW"),
        "{size}: the composer is not whole inside the window: {v}"
    );
    assert!(
        f("boxWidth") >= 150.0,
        "{size}: the message box is too narrow to write in: {v}"
    );
    assert!(
        f("list") >= 0.4 * f("inner"),
        "{size}: the messages have {} px of a {} px window",
        f("list"),
        f("inner")
    );
}

async fn seed(data: &Path, base_url: &str) {
    seed_chat_world(data, base_url).await;
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    sqlx::query("update chat_sessions set title = ?")
        .bind(LONG_TITLE)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Whether the sidebar is on screen (its right edge inside the window).
async fn sidebar_shown(app: &Client) -> bool {
    app.execute(
        "const r = document.getElementById('sidebar').getBoundingClientRect(); return r.right > 10 && r.left >= -1;",
        vec![],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap()
}

#[tokio::test]
async fn every_main_screen_fits_at_800x600_and_the_minimum_size_and_the_chat_stays_usable() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks: openai_tokens(&[
            "The ",
            "lighthouse ",
            "stood ",
            "against ",
            "the ",
            "storm.",
        ]),
        pause: Duration::from_millis(5),
        end: common::mock_llm::End::Close,
    }])
    .await;
    seed(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;

    // A chat with a reply in it, so the list holds both kinds of bubble.
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;
    fill(
        &app,
        "textarea#composer",
        "Tell me about the lighthouse, please, at some length.",
    )
    .await;
    click(&app, "#send").await;
    wait_status(&app, "completed").await;
    let chat_hash: String = app
        .execute("return location.hash", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    let character_hash: String = app
        .execute(
            "return document.querySelector('.view-chat .subtitle a')?.getAttribute('href') ?? ''",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        character_hash.starts_with("#/character/"),
        "{character_hash}"
    );

    let screens = [
        ("home", "#/".to_string()),
        ("chat", chat_hash.clone()),
        ("character", character_hash.clone()),
        ("settings", "#/settings".to_string()),
        ("providers", "#/providers".to_string()),
        ("search", "#/search".to_string()),
    ];
    for (width, height) in SIZES {
        resize(&app, width, height).await;
        let size = format!("{width}x{height}");
        for (name, hash) in &screens {
            app.execute(
                "location.hash = arguments[0]; \
                 window.dispatchEvent(new HashChangeEvent('hashchange'));",
                vec![json!(hash)],
            )
            .await
            .unwrap();
            app.wait()
                .at_most(WAIT)
                .for_element(fantoccini::Locator::Css(&format!(
                    ".view-root.view-{}:not([aria-busy])",
                    if *name == "home" { "home" } else { name }
                )))
                .await
                .unwrap_or_else(|e| panic!("{name} at {size} did not load: {e}"));
            tokio::time::sleep(Duration::from_millis(150)).await;
            no_error_banner(&app, name).await;
            nothing_overflows(&app, &format!("{name} at {size}")).await;
            if *name == "chat" {
                chat_is_usable(&app, &size).await;
            }
            shot(&app, &format!("layout-{name}-{size}")).await;
        }

        // The sidebar: beside the content when wide, a drawer when narrow.
        let narrow = width < 900;
        assert_eq!(
            sidebar_shown(&app).await,
            !narrow,
            "at {size} the sidebar should {}",
            if narrow { "be folded away" } else { "show" }
        );
        if narrow {
            click(&app, "#sidebar-toggle").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(
                sidebar_shown(&app).await,
                "the button opens the sidebar at {size}"
            );
            shot(&app, &format!("layout-drawer-{size}")).await;
            // A choice in it opens that screen and closes the drawer.
            click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
            wait_for_text(&app, "#messages", "lighthouse").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(
                !sidebar_shown(&app).await,
                "opening a chat closes the drawer at {size}"
            );
            // The chat's folded buttons are one click away.
            click(&app, "#chat-more").await;
            let shown = app
                .execute(
                    "const b = document.getElementById('show-prompt'); \
                     const r = b.getBoundingClientRect(); \
                     const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); \
                     return r.width > 0 && r.right <= innerWidth && r.bottom <= innerHeight && b.contains(top);",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(
                shown,
                json!(true),
                "More shows Show prompt on top, inside the window at {size}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
            shot(&app, &format!("layout-chat-more-{size}")).await;
            click(&app, "#chat-more").await;
        }
    }
    app.close().await.unwrap();
}
