//! `make bench` (window): the real app, in a real window under Xvfb, on the
//! 1,000,000-message library `benches/db.rs` leaves in
//! `~/.cache/parley/bench/parley.db`. Measured:
//!
//! * start-up: from the app's process starting to its first screen having
//!   its data (a `performance.mark` the UI sets), five launches;
//! * IPC: commands invoked from the webview and timed there (the query, the
//!   JSON, the trip through Tauri and the parse), 50 calls each;
//! * opening the 100,000-message chat: from the click to its last page on
//!   screen;
//! * memory: PSS of the app and its WebKit processes, idle, with the long
//!   chat open, and after scrolling up 2,000 messages (the DOM is windowed).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support.rs"]
mod support;

use std::path::PathBuf;
use std::time::Duration;

use common::window::{shot, Driver};
use fantoccini::Client;
use serde_json::{json, Value};
use support::{newest_pid, process_start_ms, pss_kib};

async fn js(app: &Client, what: &str, script: &str, args: Vec<Value>) -> Value {
    app.execute_async(script, args)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Median and p99 of `n` calls of a command from the webview, in ms.
const TIME_INVOKE: &str = r#"
const [cmd, args, n, done] = arguments;
(async () => {
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await window.__TAURI__.core.invoke(cmd, args);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  done([t[Math.floor(t.length / 2)], t[Math.floor(t.length * 0.99)]]);
})().catch((e) => done(String(e && e.error || e)));
"#;

/// Opens a hash route and waits for `css` to exist; returns the ms taken.
const OPEN: &str = r#"
const [hash, css, done] = arguments;
const s = performance.now();
location.hash = hash;
const check = () => document.querySelector(css) ? done(performance.now() - s) : requestAnimationFrame(check);
requestAnimationFrame(check);
"#;

/// Scrolls the chat to its top `pages` times, waiting for each earlier page.
const SCROLL_UP: &str = r#"
const [pages, done] = arguments;
(async () => {
  const scroller = document.querySelector('.chat-scroll');
  for (let i = 0; i < pages; i++) {
    const first = document.querySelector('#messages .message');
    scroller.scrollTop = 0;
    scroller.dispatchEvent(new Event('scroll'));
    const t0 = performance.now();
    while (document.querySelector('#messages .message') === first && performance.now() - t0 < 600) {
      await new Promise((r) => setTimeout(r, 16));
    }
  }
  done(document.querySelectorAll('#messages .message').length);
})();
"#;

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

#[tokio::main]
async fn main() {
    // `PARLEY_BENCH_EMPTY=1`: start-up and idle memory on an empty
    // database, the floor the library's figures compare with.
    let empty = std::env::var_os("PARLEY_BENCH_EMPTY").is_some();
    let scratch = tempfile::tempdir().unwrap();
    let data = if empty {
        scratch.path().to_path_buf()
    } else {
        dirs::home_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(".cache/parley/bench")
    };
    let db = data.join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let long_chat: Option<parley::models::Id> =
        sqlx::query_scalar("select id from chat_sessions where title = 'Generated chat 0'")
            .fetch_optional(&pool)
            .await
            .unwrap();
    let messages: i64 = sqlx::query_scalar("select count(*) from messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        empty || long_chat.is_some(),
        "no generated library in {}: run `cargo bench --bench db` first (make bench does)",
        db.display()
    );
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_parley"));

    // Start-up, five launches; the first after asking the kernel to drop
    // its file cache (works as root; said below either way).
    let dropped = std::process::Command::new("sh")
        .args(["-c", "sync && echo 3 > /proc/sys/vm/drop_caches"])
        .status()
        .is_ok_and(|s| s.success());
    let driver = Driver::start(&data);
    let mut starts = Vec::new();
    let mut before_page = Vec::new();
    let mut app = None;
    for _ in 0..5 {
        if let Some(old) = app.take() {
            let old: Client = old;
            old.close().await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let client = driver.open_app().await;
        let pid = newest_pid(&exe).expect("the app's process");
        let marks = client
            .execute(
                "const m = performance.getEntriesByName('parley-ready')[0]; \
                 return m ? [performance.timeOrigin, performance.timeOrigin + m.startTime] : null",
                vec![],
            )
            .await
            .unwrap();
        let (page_start, ready) = (
            marks[0].as_f64().expect("the UI marks when it is ready"),
            marks[1].as_f64().unwrap(),
        );
        let started = process_start_ms(pid).unwrap();
        starts.push(ready - started);
        before_page.push(page_start - started);
        app = Some(client);
    }
    let app = app.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle_kib, procs) = pss_kib(&exe);
    let mut sorted = starts.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("## Window benchmark ({messages} messages in the database)");
    println!();
    println!("| what | result |");
    println!("|---|---|");
    println!(
        "| start-up to a ready first screen, first launch ({}) | {:.0} ms |",
        if dropped {
            "file cache dropped"
        } else {
            "file cache NOT dropped"
        },
        starts[0]
    );
    println!(
        "| start-up, median of 5 launches (all: {}) | {:.0} ms |",
        starts
            .iter()
            .map(|s| format!("{s:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        sorted[2]
    );
    before_page.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "| of which before the page starts loading (process, GTK, WebKit, database, window), median | {:.0} ms |",
        before_page[2]
    );
    println!(
        "| memory (PSS), idle on the first screen, app + {procs} processes | {} |",
        mib(idle_kib)
    );
    let Some(long_chat) = long_chat else {
        app.close().await.unwrap();
        return;
    };

    let chat = json!(long_chat.to_string());
    let mut ipc = Vec::new();
    for (label, cmd, args) in [
        (
            "last page (50) of the 100,000-message chat",
            "message_page",
            json!({"chatId": chat, "limit": 50}),
        ),
        (
            "character list, first page (50 of 10,000)",
            "character_list",
            json!({"query": {"limit": 50}}),
        ),
        (
            "search 1,000,000 messages for a common word",
            "search",
            json!({"query": {"query": "lantern"}}),
        ),
        (
            "search 1,000,000 messages for a prefix",
            "search",
            json!({"query": {"query": "harb*"}}),
        ),
    ] {
        let r = js(&app, label, TIME_INVOKE, vec![json!(cmd), args, json!(50)]).await;
        let (p50, p99) = (r[0].as_f64(), r[1].as_f64());
        assert!(p50.is_some(), "{cmd} failed: {r}");
        ipc.push((label, p50.unwrap(), p99.unwrap()));
    }

    let open_ms = js(
        &app,
        "open the long chat",
        OPEN,
        vec![
            json!(format!("#/chat/{long_chat}")),
            json!("#messages .message[data-role]"),
        ],
    )
    .await
    .as_f64()
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (open_kib, _) = pss_kib(&exe);
    shot(&app, "30-long-chat").await;
    let rendered = js(&app, "scroll up", SCROLL_UP, vec![json!(40)]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (scrolled_kib, _) = pss_kib(&exe);
    shot(&app, "31-long-chat-scrolled").await;
    app.execute("location.hash = '#/search'", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let input = app
        .find(fantoccini::Locator::Css("#search-input"))
        .await
        .unwrap();
    input.send_keys("silver harb*").await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    shot(&app, "32-search-million").await;
    app.close().await.unwrap();
    drop(driver);

    for (label, p50, p99) in &ipc {
        println!("| IPC from the webview: {label} | p50 {p50:.2} ms, p99 {p99:.2} ms |");
    }
    println!("| open the 100,000-message chat: click to last page on screen | {open_ms:.0} ms |");
    println!(
        "| memory (PSS), 100,000-message chat open | {} |",
        mib(open_kib)
    );
    println!(
        "| memory (PSS), after scrolling up 40 pages ({rendered} messages in the DOM) | {} |",
        mib(scrolled_kib)
    );
}
