//! The first run and the default model, in the real window (tauri-driver +
//! WebKitWebDriver under Xvfb), as a new person meets them:
//! - from an empty data folder with a local server running, at 800 x 600,
//!   the screen finds it as it opens; "Use", "Start a chat" and the message
//!   reach a streamed reply; every click, choice and typed field is counted
//!   (the message not) and must stay at 3 or fewer;
//! - with a GGUF file in LM Studio's folder and a server running, both are
//!   found; "Use" on the file, "Start a chat" and the message reach a reply
//!   from Parley's built-in engine, and Stop stops it, its words kept;
//! - with no model at all, a chat's "no model" error offers one button,
//!   and it opens Providers & models with the new-provider form, where a
//!   preset and "Connect" list the server's models and save it with one;
//! - "Start chat" on a character takes the default model, and a chat whose
//!   model was deleted answers with the default and says so in the reply;
//! - a SillyTavern data folder in the home folder is offered with its
//!   counts and imported in one click; a model file elsewhere is added with
//!   the file chooser, and a folder named in Settings (chooser, or a typed
//!   path refused in words when it is not there) is looked in. The chooser's
//!   answer is a file the test writes (`PARLEY_E2E_PICK`, e2e builds only).
//!
//! The mock provider stands in for a llama.cpp server: in `e2e` builds only,
//! `PARLEY_E2E_SCAN_PORTS` moves the presets' ports (llama.cpp's to the
//! mock, the others to a port nothing listens on).
//!
//! Built only with `--features e2e`; each test has its own data folder.

mod common;

use std::path::Path;

use common::mock_llm::{openai_tokens, status, stream, MockLlm, Reply};
use common::window::*;
use fantoccini::{Client, Locator};
use parley::models::{ChatSessionInput, ProviderKind};
use serde_json::json;

/// Points the preset scan at the mock (llama.cpp's port) and at nothing
/// (every other preset), for the app processes started after this.
fn scan_finds_only(mock: &MockLlm) {
    let port = mock
        .base_url
        .split(':')
        .nth(2)
        .unwrap()
        .trim_end_matches("/v1");
    let map = format!("8080={port},11434=9,1234=9,5001=9,1337=9");
    // Safe: the tests of this binary run one at a time (ONE_AT_A_TIME) and
    // only the child processes read it.
    std::env::set_var("PARLEY_E2E_SCAN_PORTS", map);
}

async fn window_size(app: &Client, width: u32, height: u32) {
    app.set_window_size(width, height).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

/// Counts what a person does: each click, choice and typed field.
#[derive(Default)]
struct Actions(u32);

impl Actions {
    async fn click(&mut self, app: &Client, css: &str) {
        click(app, css).await;
        self.0 += 1;
    }
}

async fn hash(app: &Client) -> String {
    app.execute("return location.hash", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Types the message and presses Enter (the message itself is not counted).
async fn send(app: &Client, text: &str) {
    fill(app, "textarea#composer", text).await;
    app.find(Locator::Css("textarea#composer"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
}

#[tokio::test]
async fn from_an_empty_data_folder_to_a_streamed_reply_in_at_most_three_actions() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let models = r#"{"object":"list","data":[{"id":"qwen2.5-7b-instruct","object":"model"}]}"#;
    let mock = MockLlm::start(vec![
        status(200, models),
        stream(openai_tokens(&["Hello ", "there, ", "new ", "friend!"])),
    ])
    .await;
    scan_finds_only(&mock);
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    window_size(&app, 800, 600).await;

    let mut actions = Actions::default();
    wait_for_text(&app, "h1", "Welcome to Parley").await;
    wait_for_text(&app, "#model-ready", "No model yet").await;
    shot(&app, "first-run-800").await;

    // Found as the screen opened: no click.
    wait_for_text(&app, "#scan-status", "Found 1 server").await;
    wait_for_text(&app, ".found-server", "llama.cpp server").await;
    let found = text_of(&app, ".found-servers").await;
    assert!(
        !found.contains("Ollama"),
        "only the server that answered: {found}"
    );
    shot(&app, "first-run-found-800").await;

    actions
        .click(&app, "button[aria-label='Use llama.cpp server']")
        .await;
    wait_for_text(&app, "#model-ready", "Ready: qwen2.5-7b-instruct").await;
    no_error_banner(&app, "the first-run screen").await;
    shot(&app, "first-run-ready-800").await;

    actions.click(&app, "#start-plain-chat").await;
    wait_for_text(&app, ".subtitle", "No character").await;
    send(&app, "Hi!").await;
    let reply = wait_status(&app, "completed").await.trim().to_string();
    assert_eq!(reply, "Hello there, new friend!");
    no_error_banner(&app, "the first chat").await;
    shot(&app, "first-run-reply-800").await;

    assert!(
        actions.0 <= 3,
        "a first reply took {} actions; at most 3",
        actions.0
    );
    // What reached the server: the model picked, streamed.
    let sent = mock.requests();
    let chat = sent.iter().find(|r| r.method == "POST").unwrap().json();
    assert_eq!(chat["model"], "qwen2.5-7b-instruct");
    assert_eq!(chat["stream"], true);
    drop(app);
}

#[tokio::test]
async fn a_model_file_on_disk_is_found_and_answers_from_this_computer_and_stops() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    // A model where LM Studio keeps them, and a server running too.
    let folder = data
        .path()
        .join("home/.lmstudio/models/lmstudio-community/Tiny-Tick-GGUF");
    std::fs::create_dir_all(&folder).unwrap();
    common::gguf_writer::write_model(
        &folder.join("tiny-tick-Q8_0.gguf"),
        "Tiny Tick",
        common::gguf_writer::Behaviour::Endless,
    );
    let models = r#"{"object":"list","data":[{"id":"qwen2.5-7b-instruct","object":"model"}]}"#;
    let mock = MockLlm::start(vec![status(200, models)]).await;
    scan_finds_only(&mock);
    // Safe as above: only the app processes read it.
    std::env::set_var("PARLEY_E2E_TOKEN_DELAY_MS", "15");
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    window_size(&app, 1000, 700).await;

    let mut actions = Actions::default();
    wait_for_text(&app, "#model-files-status", "Found 1 model file").await;
    wait_for_text(&app, ".found-model", "Tiny Tick").await;
    wait_for_text(&app, ".found-model", "LM Studio").await;
    wait_for_text(&app, "#scan-status", "Found 1 server").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    shot(&app, "first-run-found-file").await;

    actions
        .click(&app, "button[aria-label='Use Tiny Tick']")
        .await;
    wait_for_text(&app, "#model-ready", "Ready: Tiny Tick on this computer").await;
    actions.click(&app, "#start-plain-chat").await;
    wait_for_text(&app, ".subtitle", "No character").await;
    send(&app, "Count the waves.").await;
    let started = std::time::Instant::now();
    loop {
        let (_, text, _) = last_reply(&app).await;
        if text.split_whitespace().count() >= 6 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no words streamed: {text:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    shot(&app, "first-run-local-streaming").await;
    click(&app, "#stop").await;
    let kept = wait_status(&app, "cancelled").await;
    let words: Vec<&str> = kept.split_whitespace().collect();
    assert!(words.len() >= 6, "the words so far are kept: {kept:?}");
    assert!(
        words.iter().all(|w| *w == "tick" || *w == "tock"),
        "{kept:?}"
    );
    assert!(
        words.len() < 1000,
        "stopped before the reply's end: {} words",
        words.len()
    );
    no_error_banner(&app, "a local reply").await;
    assert!(
        actions.0 <= 3,
        "a first local reply took {} actions",
        actions.0
    );
    assert!(
        mock.requests().iter().all(|r| r.method == "GET"),
        "the reply came from this computer, not the server"
    );
    std::env::remove_var("PARLEY_E2E_TOKEN_DELAY_MS");
    drop(app);
}

#[tokio::test]
async fn with_no_model_the_error_leads_to_providers_and_models_in_one_click() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let models = r#"{"data":[{"id":"local-model"}]}"#;
    let mock = MockLlm::start(vec![status(200, models)]).await;
    scan_finds_only(&mock);
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    wait_for_text(&app, "#model-ready", "No model yet").await;
    // WebKit's screenshot can show the frame before the last one drawn.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    shot(&app, "first-run-1200").await;

    click(&app, "#start-plain-chat").await;
    wait_for_text(&app, ".subtitle", "No character").await;
    send(&app, "Anyone there?").await;
    wait_for_text(&app, "#error-banner", "Providers & models").await;
    shot(&app, "no-model-error").await;
    click_containing(&app, "#error-banner button", "Open Providers & models").await;
    wait_for_text(&app, "#provider-form h2", "New provider").await;
    assert_eq!(hash(&app).await, "#/providers/new");
    // The form offers the presets and tests before it saves.
    wait_for_text(&app, ".presets", "llama.cpp server (8080)").await;
    wait_for_text(&app, "#provider-form #save", "Connect").await;
    shot(&app, "no-model-providers").await;
    assert!(
        mock.requests().iter().all(|r| r.method == "GET"),
        "the first-run screen only asked which models there are; nothing was sent"
    );

    // A preset fills the form; "Connect" asks the server (here at the
    // mock's address) for its models before anything is saved.
    click_containing(&app, ".presets button", "llama.cpp server").await;
    fill(&app, "#provider-form [name='baseUrl']", &mock.base_url).await;
    click(&app, "#provider-form #save").await;
    wait_for_text(&app, "#connect-area", "Connected: 1 model").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    shot(&app, "connect-picker").await;
    click(&app, "#connect-save").await;
    wait_for_text(&app, ".models", "local-model").await;
    let at = hash(&app).await;
    assert!(
        at.starts_with("#/providers/") && at != "#/providers/new",
        "{at}"
    );
    no_error_banner(&app, "the provider after Connect").await;
    shot(&app, "connect-saved").await;
}

/// A data folder with a character, a default model on the mock, and a chat
/// whose model (on another provider) was then deleted.
async fn seed_fallback(data: &Path, base_url: &str) -> (parley::models::Id, parley::models::Id) {
    use parley::services::{ai_model, chat_session};
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let default = common::mock_model(&pool, base_url).await;
    let gone = common::provider_with_model(
        &pool,
        "Old server",
        ProviderKind::OpenaiCompatible,
        "http://127.0.0.1:9/v1",
        "old-model",
        None,
    )
    .await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            title: "Left behind".into(),
            ai_model_id: Some(gone.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    ai_model::delete(&pool, gone.id).await.unwrap();
    common::new_character(&pool, "Mira").await;
    pool.close().await;
    (default.id, chat.id)
}

#[tokio::test]
async fn start_chat_takes_the_default_and_a_chat_without_its_model_falls_back_and_says_so() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![
        stream(openai_tokens(&["Still ", "here."])),
        Reply::Status {
            code: 500,
            headers: Vec::new(),
            body: "unused".into(),
        },
    ])
    .await;
    scan_finds_only(&mock);
    let (default, chat) = seed_fallback(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;

    // The chat whose model was deleted answers with the default, and says so.
    app.execute(
        "location.hash = arguments[0]",
        vec![json!(format!("#/chat/{chat}"))],
    )
    .await
    .unwrap();
    wait_for_text(&app, "h1", "Left behind").await;
    send(&app, "Hello?").await;
    assert_eq!(wait_status(&app, "completed").await.trim(), "Still here.");
    wait_for_text(
        &app,
        "#messages .message[data-role='assistant'] .message-note",
        "now uses the default model, mock-1",
    )
    .await;
    // The header's model picker follows: the default is now in use.
    wait_for_text(&app, "#chat-model option:checked", "mock-1").await;
    no_error_banner(&app, "the fallen-back chat").await;
    shot(&app, "fallback-note").await;

    // "Start chat" on a character takes the default model.
    let pool = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap()
        .0;
    let mira = parley::services::character::list(&pool, &Default::default())
        .await
        .unwrap()
        .items[0]
        .id;
    app.execute(
        "location.hash = arguments[0]",
        vec![json!(format!("#/character/{mira}"))],
    )
    .await
    .unwrap();
    click_containing(&app, "button", "Start chat").await;
    wait_for_text(&app, ".subtitle", "Mira").await;
    let chats = parley::services::chat_session::list(&pool, &Default::default())
        .await
        .unwrap()
        .items;
    assert_eq!(chats.len(), 2);
    for c in &chats {
        let full = parley::services::chat_session::get(&pool, c.id)
            .await
            .unwrap();
        assert_eq!(full.ai_model_id, Some(default), "{}", full.title);
    }
}

#[tokio::test]
async fn sillytavern_data_a_chosen_file_and_a_named_folder_are_found() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let user = common::plant_sillytavern(data.path());
    std::fs::write(
        user.join("secrets.json"),
        r#"{"api_key_openai":"sk-never"}"#,
    )
    .unwrap();
    // A model where no app keeps them: only the chooser or a named folder
    // finds it.
    let elsewhere = data.path().join("my models");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let gguf = elsewhere.join("tiny-says.gguf");
    common::gguf_writer::write_model(&gguf, "Tiny Says", common::gguf_writer::Behaviour::Says);
    let picked = data.path().join("picked.txt");
    // No server anywhere. Safe as above: only the app processes read it.
    std::env::set_var(
        "PARLEY_E2E_SCAN_PORTS",
        "8080=9,11434=9,1234=9,5001=9,1337=9",
    );
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    window_size(&app, 1000, 700).await;

    wait_for_text(&app, "#first-run-sillytavern", "1 character, 1 chat").await;
    wait_for_text(&app, "#first-run-sillytavern", "default-user").await;
    wait_for_text(&app, "#model-files-status", "No GGUF model files found").await;
    shot(&app, "first-run-sillytavern").await;
    click(
        &app,
        "#first-run-sillytavern button[aria-label^='Import from']",
    )
    .await;
    wait_for_text(&app, "#import-summary", "Imported 2").await;
    wait_for_text(&app, "#import-imported", "Mira Vance").await;
    click(&app, ".modal-head button[aria-label='Close']").await;

    // Cancelled: nothing happens, nothing is said.
    std::fs::write(&picked, "").unwrap();
    click(&app, "#choose-model-file").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(text_of(&app, "#model-path-status").await, "");
    std::fs::write(&picked, gguf.display().to_string()).unwrap();
    click(&app, "#choose-model-file").await;
    wait_for_text(&app, "#model-path-status", "Added Tiny Says").await;
    wait_for_text(&app, "#model-ready", "Ready: Tiny Says on this computer").await;

    app.execute("location.hash = '#/settings'", vec![])
        .await
        .unwrap();
    wait_for_text(&app, ".model-folders", "None yet").await;
    fill(&app, "input[name='modelFolder']", "/no/such/folder").await;
    click(&app, "#add-model-folder").await;
    wait_for_text(
        &app,
        "#model-folder-status",
        "there is no folder at /no/such/folder",
    )
    .await;
    std::fs::write(&picked, elsewhere.display().to_string()).unwrap();
    click(&app, "#choose-model-folder").await;
    wait_for_text(&app, ".model-folders", "my models").await;
    shot(&app, "settings-model-folders").await;

    app.execute("location.hash = '#/providers/files'", vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#model-files-status", "Found 1 model file").await;
    wait_for_text(&app, ".found-model", "Your folder").await;
    wait_for_text(&app, ".found-model", "Added").await;
    no_error_banner(&app, "model folders").await;
    drop(app);

    let (pool, _) = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap();
    let names: Vec<String> = sqlx::query_scalar("select name from characters")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, vec!["Mira Vance".to_string()]);
    let messages: i64 = sqlx::query_scalar("select count(*) from messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(messages >= 4, "the chat came in: {messages} messages");
}
