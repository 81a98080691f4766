//! The tour of Parley's screens (issue 17), in the real window: the
//! welcome screen (an empty data folder, with a SillyTavern folder to
//! offer), the import report, a chat mid-reply, its documents, tasks and
//! settings drawers, More menu, memory and the shortcut sheet, a group
//! chat, the character editor, search, Settings, and every other screen
//! the sidebar leads to (new chat, documents, tasks, personas, providers,
//! system prompts, templates, trash). On each, axe-core (the npm
//! devDependency in `node_modules/axe-core`, injected into the window)
//! checks the page, and the test fails on any serious or critical
//! violation, listing them all.
//!
//! `make test` tours the dark theme; `make screenshots` tours light and
//! dark (`PARLEY_TOUR_THEMES`) and writes each screen to
//! `docs/screenshots/<screen>-<theme>.png` (`PARLEY_SHOTS`): the main
//! screens the README shows, the others as `tour-<screen>-<theme>.png`.
//! Built only with `--features e2e`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::mock_llm::{openai_tokens, End, MockLlm, Reply};
use common::window::*;
use fantoccini::key::Key;
use fantoccini::Client;
use parley::models::GroupInput;
use parley::services::app_config::{self, THEME};
use parley::services::appearance::Theme;
use serde_json::Value;

/// axe-core's source, read from the lockfile's install.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (npm ci installs axe-core)", path.display()))
}

/// Runs axe on the page as it is; returns its serious and critical findings
/// as lines naming the screen, the rule and the elements.
async fn axe(app: &Client, source: &str, screen: &str) -> Vec<String> {
    app.execute(&format!("{source}\n;return typeof axe;"), vec![])
        .await
        .unwrap();
    let found: Value = app
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations \
               .filter((v) => v.impact === 'serious' || v.impact === 'critical') \
               .map((v) => `${v.impact} ${v.id}: ${v.help} [${v.nodes.slice(0, 4) \
                 .map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 160)) \
                 .join(' | ')}]`)), (e) => done([`axe failed: ${e}`]));",
            vec![],
        )
        .await
        .unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{screen}: {}", v.as_str().unwrap_or_default()))
        .collect()
}

/// A slow reply, so the chat can be seen mid-reply.
fn slow_reply() -> Reply {
    let words: Vec<String> =
        "The lighthouse stands on the last rock before the open sea, and its keeper \
         counts the waves each night. Tonight the tide is out, the lamp is trimmed, and a \
         ship's bell rings somewhere in the fog."
            .split(' ')
            .map(|w| format!("{w} "))
            .collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_millis(120),
        end: End::Close,
    }
}

async fn set_theme(data: &Path, theme: Theme) {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    app_config::write(&pool, &THEME, &theme).await.unwrap();
    pool.close().await;
}

async fn settle(app: &Client) {
    // Fonts and layout after a route change.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let _ = app
        .execute("return document.fonts.ready.then(() => true)", vec![])
        .await;
}

/// Opens `hash`, waits for an element matching `css` holding `needle`,
/// lets it settle, runs axe on it and photographs it as `shot_name`.
async fn look(
    app: &Client,
    source: &str,
    hash: &str,
    (css, needle): (&str, &str),
    shot_name: &str,
) -> Vec<String> {
    app.execute(&format!("location.hash = '{hash}'"), vec![])
        .await
        .unwrap();
    wait_for_text(app, css, needle).await;
    settle(app).await;
    let found = axe(app, source, hash).await;
    shot(app, shot_name).await;
    found
}

#[tokio::test]
async fn every_screen_passes_axe_and_is_photographed() {
    let _one = ONE_AT_A_TIME.lock().await;
    let source = axe_source();
    let themes = std::env::var("PARLEY_TOUR_THEMES").unwrap_or_else(|_| "dark".into());
    let mut problems = Vec::new();
    for theme in themes.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let which = match theme {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            other => panic!("PARLEY_TOUR_THEMES: unknown theme {other}"),
        };
        problems.extend(tour(&source, theme, which).await);
    }
    assert!(
        problems.is_empty(),
        "axe found {} serious or critical problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

async fn tour(source: &str, name: &str, theme: Theme) -> Vec<String> {
    let mut problems = Vec::new();
    let data = tempfile::tempdir().unwrap();
    common::plant_sillytavern(data.path());
    set_theme(data.path(), theme).await;
    // No server anywhere. Safe: the tests of this binary run one at a time
    // and only the app processes read it.
    std::env::set_var(
        "PARLEY_E2E_SCAN_PORTS",
        "8080=9,11434=9,1234=9,5001=9,1337=9",
    );

    // 1. Welcome, and the import report.
    {
        let driver = Driver::start(data.path());
        let app = driver.open_app().await;
        app.set_window_size(1280, 800).await.unwrap();
        wait_for_text(&app, "#first-run-sillytavern", "1 character").await;
        wait_for_text(&app, "#model-files-status", "No GGUF").await;
        settle(&app).await;
        problems.extend(axe(&app, source, "welcome").await);
        shot(&app, &format!("welcome-{name}")).await;
        click(
            &app,
            "#first-run-sillytavern button[aria-label^='Import from']",
        )
        .await;
        wait_for_text(&app, "#import-summary", "Imported 2").await;
        settle(&app).await;
        problems.extend(axe(&app, source, "import report").await);
        shot(&app, &format!("import-report-{name}")).await;
        app.close().await.unwrap();
    }

    // 2. With a model: a chat mid-reply, the editor, search, Settings.
    let mock = MockLlm::start(vec![slow_reply()]).await;
    let (pool, _) = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap();
    common::default_mock_model(&pool, &mock.base_url).await;
    let mira = parley::services::character::list(&pool, &Default::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let chat = parley::services::chat_session::list(&pool, &Default::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let mut cast = vec![mira];
    for name in ["Bram Osei", "Cora Lind"] {
        cast.push(common::new_character(&pool, name).await);
    }
    let scene = parley::services::group::create(
        &pool,
        GroupInput {
            character_ids: cast,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .chat
    .id;
    pool.close().await;

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.set_window_size(1280, 800).await.unwrap();
    app.execute(&format!("location.hash = '#/chat/{chat}'"), vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#messages", "Tools are in there.").await;
    fill(
        &app,
        "textarea#composer",
        "Where does the road go from here?",
    )
    .await;
    click(&app, "#send").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant']:last-child",
        "keeper",
    )
    .await;
    problems.extend(axe(&app, source, "chat mid-reply").await);
    shot(&app, &format!("chat-{name}")).await;
    wait_status(&app, "completed").await;

    // The chat's drawers, its More menu, Memory and the shortcut sheet.
    for (drawer, shown) in [
        ("chat-documents", "#chat-documents:not([hidden])"),
        ("chat-tasks", "#chat-tasks:not([hidden])"),
        ("chat-settings-form", "#chat-settings-form .overrides"),
    ] {
        click(&app, &format!("button[aria-controls='{drawer}']")).await;
        app.wait()
            .at_most(WAIT)
            .for_element(fantoccini::Locator::Css(shown))
            .await
            .unwrap();
        settle(&app).await;
        problems.extend(axe(&app, source, drawer).await);
    }
    // The More menu over the open settings drawer (it once opened behind).
    click(&app, "#chat-more").await;
    settle(&app).await;
    problems.extend(axe(&app, source, "More menu").await);
    shot(&app, &format!("tour-chat-settings-{name}")).await;
    click(&app, "#chat-memory").await;
    wait_for_text(&app, "#memory-dialog", "Memory").await;
    settle(&app).await;
    problems.extend(axe(&app, source, "memory").await);
    shot(&app, &format!("tour-memory-{name}")).await;
    press(&app, &[Key::Escape.into()]).await;
    app.execute("document.activeElement?.blur(); return null", vec![])
        .await
        .unwrap();
    press(&app, &[Key::F1.into()]).await;
    wait_for_text(&app, "#shortcut-sheet", "Keyboard shortcuts").await;
    settle(&app).await;
    problems.extend(axe(&app, source, "shortcut sheet").await);
    shot(&app, &format!("tour-shortcuts-{name}")).await;
    press(&app, &[Key::Escape.into()]).await;

    problems.extend(
        look(
            &app,
            source,
            &format!("#/character/{mira}"),
            ("#view", "Mira Vance"),
            &format!("character-{name}"),
        )
        .await,
    );

    app.execute("location.hash = '#/search'", vec![])
        .await
        .unwrap();
    fill(&app, "#view input[type='search']", "crate").await;
    wait_for_text(&app, "#view", "Tools are in there").await;
    settle(&app).await;
    problems.extend(axe(&app, source, "search").await);
    shot(&app, &format!("search-{name}")).await;

    problems.extend(
        look(
            &app,
            source,
            "#/settings",
            ("#appearance", "Theme"),
            &format!("settings-{name}"),
        )
        .await,
    );

    // A scene of three: the speaker bar under the messages.
    problems.extend(
        look(
            &app,
            source,
            &format!("#/chat/{scene}"),
            ("#group-speakers", "Cora Lind"),
            &format!("tour-group-{name}"),
        )
        .await,
    );

    // Every other screen the sidebar and the home screen lead to.
    for (route, heading) in [
        ("new-chat", "New chat"),
        ("documents", "Documents"),
        ("tasks", "Tasks"),
        ("personas", "Personas"),
        ("providers", "Providers & models"),
        ("prompts", "System prompts"),
        ("templates", "Templates"),
        ("trash", "Trash"),
    ] {
        problems.extend(
            look(
                &app,
                source,
                &format!("#/{route}"),
                ("#view h1", heading),
                &format!("tour-{route}-{name}"),
            )
            .await,
        );
    }
    no_error_banner(&app, "the tour").await;
    app.close().await.unwrap();
    problems
}
