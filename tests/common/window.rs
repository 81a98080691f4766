//! Driving the real app window through WebDriver (tauri-driver +
//! WebKitWebDriver), for the end-to-end tests and the streaming benchmark.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub static ONE_AT_A_TIME: LazyLock<tokio::sync::Mutex<()>> =
    LazyLock::new(|| tokio::sync::Mutex::new(()));

pub const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn tauri_driver() -> PathBuf {
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
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start(data_dir: &Path) -> Driver {
        let port = free_port();
        let native = free_port();
        let mut command = Command::new(tauri_driver());
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("PARLEY_DATA_DIR", data_dir)
            .env_remove("PARLEY_DB")
            // Model files are looked for under the data folder's `home`
            // only (empty unless a test plants some), not the machine's.
            .env("PARLEY_E2E_HOME", data_dir.join("home"))
            // The file chooser's answer, written by a test before it
            // clicks (`commands/pick.rs`); none: cancelled.
            .env("PARLEY_E2E_PICK", data_dir.join("picked.txt"))
            .env_remove("HF_HUB_CACHE")
            .env_remove("HF_HOME")
            .env_remove("OLLAMA_MODELS")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // WebKitWebDriver's screenshots hang without WebKit's compositor,
        // which the app turns off where there is no GPU: keep it on when
        // screenshots are wanted.
        if std::env::var_os("PARLEY_SHOTS").is_some()
            && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none()
        {
            command.env("WEBKIT_DISABLE_COMPOSITING_MODE", "0");
        }
        let child = command
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
    pub async fn open_app(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_parley") }),
        );
        // tauri-driver listens before its WebKitWebDriver does; a session
        // asked for in that gap is dropped mid-reply. Ask again, briefly.
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            match ClientBuilder::rustls()
                .expect("tls")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => break client,
                Err(e) if attempt < 5 => {
                    eprintln!("WebDriver session attempt {attempt} failed ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("a WebDriver session with the app: {e}"),
            }
        };
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

pub async fn text_of(client: &Client, css: &str) -> String {
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
pub async fn wait_for_text(client: &Client, css: &str, needle: &str) {
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

pub async fn fill(client: &Client, css: &str, value: &str) {
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

pub async fn click(client: &Client, css: &str) {
    let el = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    unfold(client, &el).await;
    el.click().await.unwrap();
}

/// The chat's less used actions are in its "More" menu: a person opens it
/// before clicking one.
async fn unfold(client: &Client, el: &fantoccini::elements::Element) {
    let folded = "const el = arguments[0]; \
         if (el.closest('#chat-more-menu') && !el.offsetParent) \
           document.getElementById('chat-more').click(); return null";
    let arg = serde_json::to_value(el).unwrap();
    client.execute(folded, vec![arg]).await.unwrap();
}

/// Clicks the first element matching `css` whose text contains `needle`.
pub async fn click_containing(client: &Client, css: &str, needle: &str) {
    wait_for_text(client, css, needle).await;
    for el in client.find_all(Locator::Css(css)).await.unwrap() {
        let text = el.prop("textContent").await.unwrap().unwrap_or_default();
        if text.contains(needle) {
            unfold(client, &el).await;
            el.click().await.unwrap();
            return;
        }
    }
    panic!("no {css} containing {needle:?} to click");
}

/// Saves a screenshot of the window when `PARLEY_SHOTS` names a folder, so
/// a person can look at every screen the tour visits.
pub async fn shot(client: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("PARLEY_SHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Fails if the view shows an error banner.
pub async fn no_error_banner(client: &Client, screen: &str) {
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

/// The id, text and status of the last reply (assistant message) shown.
pub async fn last_reply(client: &Client) -> (String, String, String) {
    let v = client
        .execute(
            "const all = document.querySelectorAll(\"#messages .message[data-role='assistant']\"); \
             const m = all[all.length - 1]; \
             return m ? [m.dataset.id, m.querySelector('.message-body')?.textContent ?? '', m.dataset.status ?? ''] : ['', '', ''];",
            vec![],
        )
        .await
        .unwrap();
    let s = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    (s(0), s(1), s(2))
}

/// Waits until the last reply has `status`; returns its text.
pub async fn wait_status(client: &Client, status: &str) -> String {
    let started = Instant::now();
    loop {
        let (_, text, s) = last_reply(client).await;
        if s == status {
            return text;
        }
        assert!(
            started.elapsed() < WAIT,
            "the last message never became {status} (is {s}): {text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Presses `keys` together (held in order, let go in reverse), as a person
/// presses a shortcut.
pub async fn press(app: &Client, keys: &[char]) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut seq = KeyActions::new("keyboard".into());
    for k in keys {
        seq = seq.then(KeyAction::Down { value: *k });
    }
    for k in keys.iter().rev() {
        seq = seq.then(KeyAction::Up { value: *k });
    }
    app.perform_actions(seq).await.unwrap();
}
