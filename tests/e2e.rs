//! End-to-end: the real app in a real window, driven through WebDriver
//! (tauri-driver + WebKitWebDriver) as a person would use it.
//!
//! Built only with `--features e2e` and run by `make test` under Xvfb. Each
//! test gets its own data folder (`PARLEY_DATA_DIR`), its own driver ports,
//! and runs alone: two WebKit windows at once are too much for two cores.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

static ONE_AT_A_TIME: LazyLock<tokio::sync::Mutex<()>> =
    LazyLock::new(|| tokio::sync::Mutex::new(()));

const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return p.into();
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_bin = Path::new(&home).join(".cargo/bin/tauri-driver");
    if cargo_bin.exists() {
        cargo_bin
    } else {
        "tauri-driver".into()
    }
}

/// A running tauri-driver; stopped with SIGTERM so it also stops its
/// WebKitWebDriver child (SIGKILL would orphan it and keep the port).
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(data_dir: &Path) -> Driver {
        let port = free_port();
        let native = free_port();
        let child = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("PARLEY_DATA_DIR", data_dir)
            .env_remove("PARLEY_DB")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver is installed (make test-deps)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < WAIT,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }

    /// Starts the app in a new WebDriver session and waits until its first
    /// screen has loaded its data.
    async fn open_app(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_parley") }),
        );
        let client = ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session with the app");
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("body[data-ready='true']"))
            .await
            .expect("the app finished loading");
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until some element matching `css` has text containing `needle`
/// (ignoring case, as the UI may capitalise a message).
async fn wait_for_text(client: &Client, css: &str, needle: &str) {
    let started = Instant::now();
    loop {
        let found = client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]))\
                   .some(e => e.textContent.toLowerCase().includes(arguments[1].toLowerCase()))",
                vec![json!(css), json!(needle)],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if found {
            return;
        }
        if started.elapsed() > WAIT {
            let page = client
                .execute("return document.body.innerText", vec![])
                .await
                .unwrap_or_default();
            panic!("no {css} containing {needle:?}; the window shows:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(client: &Client, css: &str, value: &str) {
    let el = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    el.clear().await.unwrap();
    if !value.is_empty() {
        el.send_keys(value).await.unwrap();
    }
}

async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

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
    click(&app, "#character-list li[data-id]").await;
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
async fn a_chat_shows_the_greeting_and_keeps_a_sent_message() {
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

    fill(&app, "textarea#composer", "Yes please, something smoky.").await;
    click(&app, "#send").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='user']",
        "something smoky",
    )
    .await;
    app.close().await.unwrap();

    let app = driver.open_app().await;
    wait_for_text(&app, "#chat-list li", "Professor Finch").await;
    click(&app, "#chat-list li[data-id]").await;
    wait_for_text(
        &app,
        "#messages .message[data-role='user']",
        "something smoky",
    )
    .await;
    let all = text_of(&app, "#messages").await;
    let greeting = all.find("Tea?").unwrap();
    let reply = all.find("something smoky").unwrap();
    assert!(greeting < reply, "messages keep their order: {all}");
    app.close().await.unwrap();
}

/// Clicks the first element matching `css` whose text contains `needle`.
async fn click_containing(client: &Client, css: &str, needle: &str) {
    wait_for_text(client, css, needle).await;
    for el in client.find_all(Locator::Css(css)).await.unwrap() {
        let text = el.prop("textContent").await.unwrap().unwrap_or_default();
        if text.contains(needle) {
            el.click().await.unwrap();
            return;
        }
    }
    panic!("no {css} containing {needle:?} to click");
}

/// Saves a screenshot of the window when `PARLEY_SHOTS` names a folder, so
/// a person can look at every screen the tour visits.
async fn shot(client: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("PARLEY_SHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Fails if the view shows an error banner.
async fn no_error_banner(client: &Client, screen: &str) {
    let shown = client
        .execute(
            "const b = document.getElementById('error-banner'); \
             return b && !b.hidden ? b.textContent : null",
            vec![],
        )
        .await
        .unwrap();
    assert!(shown.is_null(), "{screen} shows an error: {shown}");
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

    click_containing(&app, "#character-list li[data-id] a", "Captain Mira Voss").await;
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

    // A key typed into the provider form is stored, shown only as "stored".
    click(&app, "#new-provider").await;
    fill(&app, "#provider-form [name='name']", "My OpenRouter").await;
    fill(&app, "#provider-form [name='apiKey']", KEY).await;
    click(&app, "#save").await;
    wait_for_text(&app, "#view", "key stored").await;
    no_error_banner(&app, "provider with key").await;
    shot(&app, "09-provider-key").await;
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
