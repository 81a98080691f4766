//! End-to-end: the real app in a real window, driven through WebDriver
//! (tauri-driver + WebKitWebDriver) as a person would use it.
//!
//! Built only with `--features e2e` and run by `make test` under Xvfb. Each
//! test gets its own data folder (`PARLEY_DATA_DIR`), its own driver ports,
//! and runs alone: two WebKit windows at once are too much for two cores.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, stream, End, MockLlm, Reply};
use common::seed_chat_world;
use common::window::*;
use fantoccini::Locator;

#[tokio::test]
async fn a_character_created_in_the_window_is_there_after_a_restart() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());

    let app = driver.open_app().await;
    click(&app, "#new-character").await;
    // Saving without a name shows the problem next to the field, in words.
    fill(&app, "#character-form [name='name']", "").await;
    click(&app, "#save").await;
    wait_for_text(&app, "#character-form .field-error", "name is required").await;

    fill(&app, "#character-form [name='name']", "Captain Ferris").await;
    fill(
        &app,
        "#character-form [name='description']",
        "Pilot of the Gull.",
    )
    .await;
    fill(
        &app,
        "#character-form [name='firstMessage']",
        "Welcome aboard the Gull.",
    )
    .await;
    click(&app, "#save").await;
    wait_for_text(&app, "#character-list li", "Captain Ferris").await;
    app.close().await.unwrap();

    // A new session starts the app again on the same data folder.
    let app = driver.open_app().await;
    wait_for_text(&app, "#character-list li", "Captain Ferris").await;
    click(&app, "#character-list li[data-id] a.side-edit").await;
    let name = app
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#character-form [name='name']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Captain Ferris"));
    app.close().await.unwrap();

    assert!(
        data.path().join("parley.db").exists(),
        "the data went to the test's folder"
    );
}

#[tokio::test]
async fn a_new_chat_greets_and_sending_without_a_model_says_what_to_do() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());

    let app = driver.open_app().await;
    click(&app, "#new-character").await;
    fill(&app, "#character-form [name='name']", "Professor Finch").await;
    fill(
        &app,
        "#character-form [name='firstMessage']",
        "Ah, a visitor! Tea?",
    )
    .await;
    click(&app, "#save").await;
    wait_for_text(&app, "#character-list li", "Professor Finch").await;
    click(&app, "#start-chat").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant']",
        "Ah, a visitor! Tea?",
    )
    .await;

    // No provider or model yet: the send is refused in words and the typed
    // text stays in the composer.
    fill(&app, "textarea#composer", "Yes please, something smoky.").await;
    click(&app, "#send").await;
    wait_for_text(
        &app,
        "#error-banner",
        "connect a local server or an API key",
    )
    .await;
    let kept = app
        .find(Locator::Css("textarea#composer"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Yes please, something smoky."));
    app.close().await.unwrap();

    // The chat and its greeting are there after a restart.
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Professor Finch").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant']",
        "Ah, a visitor! Tea?",
    )
    .await;
    wait_for_text(&app, ".composer-hint", "Enter to send").await;

    // Settings: Ctrl+Enter sends instead; kept across a restart, and Enter
    // then starts a new line in the composer.
    app.execute("location.hash = '#/settings'; return true;", vec![])
        .await
        .unwrap();
    click(&app, "#enter-sends").await;
    click(&app, "#save").await;
    wait_for_text(&app, "#toast", "Settings saved").await;
    app.close().await.unwrap();
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Professor Finch").await;
    wait_for_text(&app, ".composer-hint", "Ctrl+Enter to send").await;
    let composer = app.find(Locator::Css("textarea#composer")).await.unwrap();
    composer.send_keys("one\u{E007}two").await.unwrap();
    let typed = composer.prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("one\ntwo"), "Enter made a new line");
    app.close().await.unwrap();
}

#[tokio::test]
async fn every_screen_opens_on_the_demo_library_and_keys_stay_out_of_the_log() {
    const KEY: &str = "sk-or-v1-E2E-CANARY-do-not-log-4b1d";
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let seeded = Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(["db", "seed-demo"])
        .env("PARLEY_DATA_DIR", data.path())
        .env_remove("PARLEY_DB")
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    // The app writes JSON log lines to <data>/logs, at debug level.
    std::env::set_var("PARLEY_LOG_FORMAT", "json");
    std::env::set_var("RUST_LOG", "debug,parley=trace");
    let driver = Driver::start(data.path());
    std::env::remove_var("PARLEY_LOG_FORMAT");
    std::env::remove_var("RUST_LOG");
    let app = driver.open_app().await;

    wait_for_text(&app, "#character-list li", "Captain Mira Voss").await;
    wait_for_text(&app, "#chat-list li", "The dead liner").await;
    no_error_banner(&app, "home").await;
    shot(&app, "01-home").await;

    click_containing(
        &app,
        "#character-list li[data-id] a.side-edit",
        "Captain Mira Voss",
    )
    .await;
    wait_for_text(&app, "#character-form", "Greetings").await;
    no_error_banner(&app, "character editor").await;
    shot(&app, "02-character").await;

    click_containing(&app, "#chat-list li[data-id] a", "The dead liner").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant']",
        "Welcome to the Drift",
    )
    .await;
    no_error_banner(&app, "chat").await;
    shot(&app, "03-chat").await;

    for (href, expect, name) in [
        ("#/personas", "Alex", "04-personas"),
        ("#/prompts", "Roleplay", "05-prompts"),
        ("#/settings", "schema", "06-settings"),
        ("#/trash", "trash", "07-trash"),
        ("#/providers", "Local Ollama", "08-providers"),
    ] {
        click(&app, &format!("#sidebar a.nav-link[href='{href}']")).await;
        wait_for_text(&app, "#view", expect).await;
        no_error_banner(&app, name).await;
        shot(&app, name).await;
    }

    // Test connection against a server that is not running says so in words.
    click_containing(&app, "#view a, #view li, #view button", "Local Ollama").await;
    click(&app, "#test-connection").await;
    wait_for_text(&app, "#view", "could not connect to Local Ollama").await;
    shot(&app, "09-test-connection").await;

    // A key typed into the provider form is stored, shown only as "stored".
    click(&app, "#new-provider").await;
    fill(&app, "#provider-form [name='name']", "My OpenRouter").await;
    fill(&app, "#provider-form [name='apiKey']", KEY).await;
    // "Connect" would ask OpenRouter first; this machine is offline.
    click(&app, "#save-untested").await;
    wait_for_text(&app, "#view", "key stored").await;
    no_error_banner(&app, "provider with key").await;
    shot(&app, "10-provider-key").await;
    let page = app.source().await.unwrap();
    assert!(
        !page.contains(KEY),
        "the stored key came back to the window"
    );
    app.close().await.unwrap();
    drop(driver);

    let mut log = String::new();
    for entry in std::fs::read_dir(data.path().join("logs")).expect("a log folder") {
        log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(
        log.contains("provider_create"),
        "the log records the command: {log}"
    );
    assert!(!log.contains("CANARY"), "the API key reached the log");
    // The key itself sits in Parley's key file beside the database.
    let store = data.path().join("keys.json");
    let stored = std::fs::read_to_string(&store).unwrap();
    assert!(stored.contains(KEY), "the key was kept in the key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&store).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "keys.json is private");
    }
    let db = std::fs::read(data.path().join("parley.db")).unwrap();
    let wal = std::fs::read(data.path().join("parley.db-wal")).unwrap_or_default();
    let needle = KEY.as_bytes();
    for (name, bytes) in [("database", &db), ("WAL", &wal)] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the API key is in the {name} file"
        );
    }
}

/// The seeded chat world talking to `mock`, the app open on its chat and
/// the greeting shown. Keep all three until the test ends (the data folder
/// outlives the app).
async fn storyteller_chat(mock: &MockLlm) -> (tempfile::TempDir, Driver, fantoccini::Client) {
    let data = tempfile::tempdir().unwrap();
    seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(
        &app,
        "#messages .message:last-child",
        "Shall I tell you a story?",
    )
    .await;
    (data, driver, app)
}

#[tokio::test]
async fn a_reply_streams_in_stops_swipes_and_survives_a_reload() {
    let _one = ONE_AT_A_TIME.lock().await;
    let words: Vec<String> = (0..150).map(|i| format!("word{i} ")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let first_reply = words.concat();
    let mock = MockLlm::start(vec![
        // 150 tokens, 10 ms apart: a second and a half of streaming.
        Reply::Stream {
            chunks: openai_tokens(&refs),
            pause: Duration::from_millis(10),
            end: End::Close,
        },
        // A reply that starts and then hangs until it is stopped.
        Reply::Stream {
            chunks: openai_tokens(&["Once ", "upon ", "a "])[..3].to_vec(),
            pause: Duration::from_millis(5),
            end: End::Hang,
        },
        stream(openai_tokens(&["A ", "second ", "version."])),
    ])
    .await;
    let (_data, driver, app) = storyteller_chat(&mock).await;

    // Tokens arrive progressively: the reply is seen growing several times.
    let (greeting, _, _) = last_reply(&app).await;
    fill(&app, "textarea#composer", "Tell me about the sea.").await;
    click(&app, "#send").await;
    let mut lengths = Vec::new();
    let started = Instant::now();
    loop {
        let (id, text, status) = last_reply(&app).await;
        if id == greeting {
            // The new reply is not on screen yet.
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        if lengths.last() != Some(&text.len()) && !text.is_empty() {
            lengths.push(text.len());
            if lengths.len() == 4 {
                shot(&app, "09-chat-streaming").await;
            }
        }
        if status == "completed" {
            break;
        }
        assert!(started.elapsed() < WAIT, "the reply never completed");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(
        lengths.len() >= 4,
        "the reply grew in steps, not all at once: {lengths:?}"
    );
    let (_, text, _) = last_reply(&app).await;
    assert_eq!(text.trim(), first_reply.trim());

    // A second reply is stopped midway and keeps its text.
    fill(&app, "textarea#composer", "Another one, please.").await;
    click(&app, "#send").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant']",
        "Once upon a",
    )
    .await;
    click(&app, "#stop").await;
    let stopped = wait_status(&app, "cancelled").await;
    assert!(stopped.contains("Once upon a"), "{stopped}");
    shot(&app, "10-chat-stopped").await;

    // Regenerate makes a second swipe; swiping back shows the stopped text.
    click(&app, "#messages .message:last-child .act-regenerate").await;
    let regenerated = wait_status(&app, "completed").await;
    assert!(regenerated.contains("A second version."), "{regenerated}");
    wait_for_text(&app, "#messages .message:last-child .swipe-count", "2/2").await;
    click(&app, "#messages .message:last-child .swipe-prev").await;
    wait_for_text(&app, "#messages .message:last-child .swipe-count", "1/2").await;
    wait_for_text(&app, "#messages .message:last-child", "Once upon a").await;
    shot(&app, "11-chat-swiped").await;
    click(&app, "#show-prompt").await;
    wait_for_text(&app, "#prompt-dialog", "Another one, please.").await;
    shot(&app, "12-show-prompt").await;
    app.close().await.unwrap();

    // After a restart the chat is as it was left.
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages .message:last-child .swipe-count", "1/2").await;
    let all = chat_text(&app).await;
    let order = [
        "Shall I tell you a story?",
        "Tell me about the sea.",
        "word149",
        "Another one, please.",
        "Once upon a",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|t| all.find(t).unwrap_or_else(|| panic!("{t} missing: {all}")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "messages keep their order: {positions:?}"
    );
    app.close().await.unwrap();
    assert_eq!(mock.requests().len(), 3);
}

/// Clicks the first element matching `css` from the page itself (for
/// actions that show on hover).
async fn press(app: &fantoccini::Client, css: &str) {
    wait_for_element(app, css).await;
    app.execute(
        "document.querySelector(arguments[0]).click(); return true",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap();
}

async fn wait_for_element(app: &fantoccini::Client, css: &str) {
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
}

/// Every message's text, as the chat shows it.
async fn chat_text(app: &fantoccini::Client) -> String {
    app.execute(
        "return document.getElementById('messages').textContent",
        vec![],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[tokio::test]
async fn a_reply_continues_fails_in_words_retries_and_messages_are_edited_and_deleted() {
    let _one = ONE_AT_A_TIME.lock().await;
    let mock = MockLlm::start(vec![
        stream(openai_tokens(&["The tide ", "comes in."])),
        stream(openai_tokens(&[" And it ", "goes out."])),
        common::mock_llm::status(401, r#"{"error":{"message":"Incorrect API key provided"}}"#),
        stream(openai_tokens(&["Back ", "again."])),
    ])
    .await;
    let (_data, driver, app) = storyteller_chat(&mock).await;

    // Send, then continue the reply: the new text is appended to it.
    fill(&app, "textarea#composer", "Tell me about the tide.").await;
    click(&app, "#send").await;
    wait_for_text(&app, "#messages .message:last-child", "The tide comes in.").await;
    wait_status(&app, "completed").await;
    click(&app, "#messages .message:last-child .act-continue").await;
    wait_for_text(&app, "#messages .message:last-child", "And it goes out.").await;
    let continued = wait_status(&app, "completed").await;
    assert!(
        continued.contains("The tide comes in. And it goes out."),
        "{continued}"
    );

    // The provider refuses the key: the reply says so in words, with Retry.
    fill(&app, "textarea#composer", "And the moon?").await;
    click(&app, "#send").await;
    wait_for_text(
        &app,
        "#messages .message:last-child .message-error-text",
        "rejected the API key (401)",
    )
    .await;
    let (_, _, status) = last_reply(&app).await;
    assert_eq!(status, "failed");
    shot(&app, "13-chat-error").await;
    click(&app, "#messages .message:last-child .act-retry").await;
    wait_for_text(&app, "#messages .message:last-child", "Back again.").await;
    wait_status(&app, "completed").await;

    // Edit the person's first message in place.
    press(&app, "#messages .message[data-role='user'] .act-edit").await;
    fill(
        &app,
        "#messages textarea.message-edit",
        "Tell me about the tide, please.",
    )
    .await;
    press(&app, "#messages .message-editor .btn.primary").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='user']",
        "Tell me about the tide, please.",
    )
    .await;

    // Delete the last reply, after saying yes.
    press(&app, "#messages .message:last-child .act-delete").await;
    click(&app, "#confirm-ok").await;
    let started = Instant::now();
    while chat_text(&app).await.contains("Back again.") {
        assert!(
            started.elapsed() < WAIT,
            "the deleted reply stays on screen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    no_error_banner(&app, "chat after edit and delete").await;
    app.close().await.unwrap();

    // After a restart: the edit, the continued reply, no deleted reply.
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Tell me about the tide, please.").await;
    let all = chat_text(&app).await;
    assert!(all.contains("The tide comes in. And it goes out."), "{all}");
    assert!(all.contains("And the moon?"), "{all}");
    assert!(!all.contains("Back again."), "{all}");
    assert!(
        !all.contains("Tell me about the tide."),
        "the edit replaced the text: {all}"
    );
    app.close().await.unwrap();
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn a_png_card_imported_in_the_window_starts_a_chat_that_search_finds() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let cards = tempfile::tempdir().unwrap();
    let card = cards.path().join("Mira Vance.png");
    std::fs::write(&card, common::cards::png_card("cards/v2_full.json")).unwrap();
    let broken = cards.path().join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\ncut short").unwrap();
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;

    // The file picker: one good card, one refused with its reason.
    let input = app
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#import-input"))
        .await
        .unwrap();
    input
        .send_keys(&format!("{}\n{}", card.display(), broken.display()))
        .await
        .unwrap();
    wait_for_text(&app, "#import-summary", "Imported 1").await;
    wait_for_text(&app, "#import-skipped .skipped-file", "broken.png").await;
    wait_for_text(&app, "#import-skipped .skipped-reason", "truncated").await;
    shot(&app, "20-import-report").await;
    click_containing(&app, "#import-imported a", "Mira Vance").await;
    wait_for_text(&app, "#character-list li", "Mira Vance").await;
    // The lorebook's entries are in its editor (as field values).
    let lore = app
        .execute(
            "return Array.from(document.querySelectorAll('#lorebook .lore-content')).map(e => e.value)",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        lore.to_string().contains("patched-up Type-9 freighter"),
        "{lore}"
    );
    let has_avatar: bool = app
        .execute(
            "return !!document.querySelector('#character-list .avatar-img') \
                 && !!document.querySelector('img.character-avatar')",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false);
    assert!(
        has_avatar,
        "the card's picture shows in the list and editor"
    );
    no_error_banner(&app, "imported character").await;
    shot(&app, "21-imported-character").await;
    app.execute(
        "const v = document.getElementById('view'); \
         v.scrollTop = document.getElementById('lorebook').offsetTop; return v.scrollTop",
        vec![],
    )
    .await
    .unwrap();
    shot(&app, "21b-lorebook").await;
    app.execute("document.getElementById('view').scrollTop = 0", vec![])
        .await
        .unwrap();

    // Its greeting opens a new chat, with the alternates as swipes and
    // {{user}} shown as a name.
    click(&app, "#start-chat").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant'] .message-body",
        "Mira kicks a crate toward User",
    )
    .await;
    wait_for_text(&app, "#messages .swipe-count", "1/3").await;
    shot(&app, "22-greeting").await;

    // Search finds the greeting; the hit opens the chat at that message.
    click(&app, "#sidebar a.nav-link[href='#/search']").await;
    fill(&app, "#search-input", "crate").await;
    wait_for_text(&app, "#search-results .search-hit mark", "crate").await;
    shot(&app, "23-search").await;
    click(&app, "#search-results .search-hit .hit-link").await;
    wait_for_text(&app, "#messages .message.is-target", "Mira kicks a crate").await;
    no_error_banner(&app, "chat opened from search").await;

    // What a drop of a SillyTavern folder sends: the paths, to
    // `import_paths`, with progress per file over the call's channel.
    let st = cards.path().join("SillyTavern/data/default-user");
    std::fs::create_dir_all(st.join("characters")).unwrap();
    std::fs::create_dir_all(st.join("chats/Old Tom")).unwrap();
    std::fs::write(
        st.join("characters/Old Tom.json"),
        common::cards::fixture("cards/v1_tavern.json"),
    )
    .unwrap();
    std::fs::write(
        st.join("chats/Old Tom/first.jsonl"),
        common::cards::fixture("chats/st_old_dates.jsonl"),
    )
    .unwrap();
    let report = app
        .execute_async(
            r#"const [path, done] = arguments;
               const seen = [];
               const onProgress = new window.__TAURI__.core.Channel();
               onProgress.onmessage = (p) => seen.push(p.done);
               window.__TAURI__.core.invoke('import_paths', { paths: [path], onProgress })
                 .then((r) => setTimeout(() => done({ r, seen }), 200), (e) => done({ e }));"#,
            vec![serde_json::json!(cards
                .path()
                .join("SillyTavern")
                .display()
                .to_string())],
        )
        .await
        .unwrap();
    let names: Vec<&str> = report["r"]["imported"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Old Tom", "first"], "{report}");
    assert_eq!(report["seen"], serde_json::json!([1, 2]));
    app.execute("location.hash = '#/'", vec![]).await.unwrap();
    app.refresh().await.unwrap();
    wait_for_text(&app, "#chat-list li", "first").await;
    app.close().await.unwrap();
}

/// A long reply coming fast: while it is still written, the person scrolls
/// to its first line and reads it there (the blocks far from the screen,
/// held meanwhile, are filled as they come near), the reply goes on below,
/// and the text stays readable in the middle after it ends.
#[tokio::test]
async fn a_fast_long_reply_can_be_read_from_its_first_line_while_it_streams() {
    let _one = ONE_AT_A_TIME.lock().await;
    let words: Vec<String> = (0..40_000)
        .map(|i| {
            if i % 60 == 59 {
                format!("word{i}.\n\n")
            } else {
                format!("word{i} ")
            }
        })
        .collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut frames = openai_tokens(&refs);
    let end = frames.pop().unwrap();
    // 200 frames at a time, 25 ms apart: about 300,000 characters a second.
    let mut chunks: Vec<Vec<u8>> = frames.chunks(200).map(|c| c.concat()).collect();
    chunks.push(end);
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks,
        pause: Duration::from_millis(25),
        end: End::Close,
    }])
    .await;
    let (_data, _driver, app) = storyteller_chat(&mock).await;
    fill(&app, "textarea#composer", "Tell me a long one.").await;
    click(&app, "#send").await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    // What is on screen of the reply, and whether any of it is held.
    const ON_SCREEN: &str = "const s = document.querySelector('.chat-scroll'); const r = s.getBoundingClientRect(); \
        const m = document.querySelector('#messages .message:last-child'); \
        const seen = [...m.querySelectorAll('.stream-block')].filter(b => { const q = b.getBoundingClientRect(); return q.bottom > r.top && q.top < r.bottom; }); \
        return [m.dataset.status, seen.map(b => b.textContent).join(''), seen.filter(b => b.classList.contains('held')).length]";
    app.execute(
        "const s = document.querySelector('.chat-scroll'); s.scrollTop = document.querySelector('#messages .message:last-child').offsetTop; return true",
        vec![],
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = app.execute(ON_SCREEN, vec![]).await.unwrap();
    assert_eq!(first[0], "streaming", "still being written: {first}");
    assert!(
        first[1].as_str().unwrap().contains("word0 word1 word2"),
        "the first line is there to read: {first}"
    );
    assert_eq!(first[2], 0, "nothing on screen is left empty: {first}");
    wait_for_element(&app, "#jump-latest:not([hidden])").await;
    wait_status(&app, "completed").await;
    app.execute(
        "const s = document.querySelector('.chat-scroll'); s.scrollTop = document.querySelector('#messages .message:last-child').offsetTop + 30000; return true",
        vec![],
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let middle = app.execute(ON_SCREEN, vec![]).await.unwrap();
    assert!(
        middle[1].as_str().unwrap().contains("word"),
        "the middle is there to read after the end: {middle}"
    );
    assert_eq!(middle[2], 0, "{middle}");
    app.close().await.unwrap();
}
