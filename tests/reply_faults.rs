//! Process faults during a reply, caused to the real binary in its real
//! window (tauri-driver + WebKitWebDriver under Xvfb), then read back from
//! the database and the window after a restart: the window closed
//! mid-reply (`WM_DELETE_WINDOW`, what its close button sends); `kill -9`
//! mid-reply; a database locked by another process through the final save (the save
//! waits and lands once the lock goes; killed while it waits, the journal
//! restores the reply at the next start); a full disk (the database capped
//! by `PARLEY_TEST_MAX_PAGES`, honoured only in `e2e` builds) through a
//! reply, restored once there is room; and, seen in the window, a stream
//! ended by a bare `[DONE]` is "cut short", never complete.
//!
//! Built only with `--features e2e`; each test has its own data folder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, End, MockLlm, Reply};
use common::seed_chat_world;
use common::window::*;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

/// The Parley process running on `data` (a child of WebKitWebDriver),
/// found by its executable and its `PARLEY_DATA_DIR`.
fn parley_pid(data: &Path) -> u32 {
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_parley")).unwrap();
    let wanted = format!("PARLEY_DATA_DIR={}", data.display());
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let proc = entry.path();
        if std::fs::read_link(proc.join("exe")).ok().as_ref() != Some(&exe) {
            continue;
        }
        let environ = std::fs::read(proc.join("environ")).unwrap_or_default();
        if environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes()) {
            return pid;
        }
    }
    panic!("no parley process runs on {}", data.display());
}

/// `kill -9` the app on `data` and wait until it is gone.
fn kill_9(data: &Path) {
    let pid = parley_pid(data);
    let ok = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let started = Instant::now();
    // Gone, or a zombie its parent has not reaped yet.
    while std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z ")) {
        assert!(started.elapsed() < WAIT, "parley {pid} survived kill -9");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Another process's view of the app's database (the test's own pool).
async fn outside(data: &Path) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(data.join("parley.db"))
                .busy_timeout(Duration::from_secs(10)),
        )
        .await
        .unwrap()
}

/// The last reply in the database: id, status, text, `endReason`.
async fn last_stored_reply(db: &SqlitePool) -> (String, String, String, String) {
    let row = sqlx::query(
        r"select lower(hex(id)) as id, status, content,
                 coalesce(json_extract(metadata, '$.endReason'), '') as reason
            from messages where role = 'assistant'
           order by created_at desc, seq desc limit 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    (
        row.get("id"),
        row.get("status"),
        row.get("content"),
        row.get("reason"),
    )
}

fn tokens(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("w{i} ")).collect()
}

fn slow_stream(words: &[String], pause_ms: u64) -> Reply {
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_millis(pause_ms),
        end: End::Close,
    }
}

/// The app on a new data folder seeded with a chat on `mock`, opened on it.
async fn open_chat(data: &Path, driver: &Driver) -> fantoccini::Client {
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    wait_for_text(&app, "#messages", "Shall I tell you a story?").await;
    assert!(data.join("parley.db").exists());
    app
}

async fn say(app: &fantoccini::Client, text: &str) {
    fill(app, "textarea#composer", text).await;
    click(app, "#send").await;
}

#[tokio::test]
async fn kill_9_mid_reply_loses_at_most_the_last_second_and_the_reply_comes_back_interrupted() {
    let _one = ONE_AT_A_TIME.lock().await;
    // 400 tokens, 25 ms apart: ten seconds of streaming, 40 tokens a second.
    let words = tokens(400);
    let mock = MockLlm::start(vec![slow_stream(&words, 25)]).await;
    let data = tempfile::tempdir().unwrap();
    seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = open_chat(data.path(), &driver).await;
    say(&app, "Tell me a long story.").await;
    wait_for_text(&app, "#messages .message[data-role='assistant']", "w3 ").await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let sent = mock.chunks_sent();
    kill_9(data.path());

    let db = outside(data.path()).await;
    let (id, _, text, _) = last_stored_reply(&db).await;
    let kept = text.split_whitespace().count();
    // One second of tokens, plus a little for the save itself.
    assert!(
        kept + 52 >= sent,
        "the mock sent {sent} tokens; the database kept {kept}"
    );
    assert!(words.concat().starts_with(&text), "kept in order: {text}");

    // The next start shows it as interrupted, with its text. (A new
    // driver: the old one still counts the killed app's session.)
    drop(app);
    drop(driver);
    let driver = Driver::start(data.path());
    let app = open_chat(data.path(), &driver).await;
    wait_for_text(&app, "#messages .message:last-child", "Interrupted").await;
    let (_, shown, status) = last_reply(&app).await;
    assert_eq!(status, "failed");
    assert!(
        shown.contains(text.trim()),
        "the window shows the kept text"
    );
    let (id2, status, after, reason) = last_stored_reply(&db).await;
    assert_eq!(
        (id2, status.as_str(), after, reason.as_str()),
        (id, "failed", text, "interrupted")
    );
    app.close().await.unwrap();
}

#[tokio::test]
async fn closing_the_window_mid_reply_saves_what_arrived_as_interrupted() {
    let _one = ONE_AT_A_TIME.lock().await;
    // Ten seconds of streaming: the window closes in the middle of it.
    let words = tokens(400);
    let mock = MockLlm::start(vec![slow_stream(&words, 25)]).await;
    let data = tempfile::tempdir().unwrap();
    seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = open_chat(data.path(), &driver).await;
    say(&app, "Tell me a long story.").await;
    wait_for_text(&app, "#messages .message[data-role='assistant']", "w3 ").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let pid = parley_pid(data.path());
    let sent = mock.chunks_sent();
    // The close button (WM_DELETE_WINDOW), as a window manager sends it.
    assert_eq!(common::x11_close::close_windows_of(pid), 1, "one window");
    let started = Instant::now();
    while std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z ")) {
        assert!(
            started.elapsed() < WAIT,
            "parley kept running after its window closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let db = outside(data.path()).await;
    let (_, status, text, reason) = last_stored_reply(&db).await;
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("failed", "interrupted"),
        "saved as interrupted when Parley closed"
    );
    let kept = text.split_whitespace().count();
    assert!(
        kept >= sent && words.concat().starts_with(&text),
        "everything that arrived before the close is kept in order: sent {sent}, kept {kept}"
    );
    assert!(kept < words.len(), "the reply was still being written");
    drop(app);
}

fn journal_of(data: &Path, hex_id: &str) -> PathBuf {
    // The journal names a reply by its UUID, hyphenated.
    let u = uuid::Uuid::parse_str(hex_id).unwrap();
    data.join("journal").join(format!("{u}.json"))
}

#[tokio::test]
async fn a_database_locked_by_another_process_through_the_final_save_loses_nothing() {
    let _one = ONE_AT_A_TIME.lock().await;
    let first = tokens(40);
    let second: Vec<String> = (0..40).map(|i| format!("v{i} ")).collect();
    let mock = MockLlm::start(vec![slow_stream(&first, 25), slow_stream(&second, 25)]).await;
    let data = tempfile::tempdir().unwrap();
    seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let db = outside(data.path()).await;

    // 1. The lock goes while the app waits: the save lands.
    let app = open_chat(data.path(), &driver).await;
    say(&app, "A short one.").await;
    wait_for_text(&app, "#messages .message[data-role='assistant']", "w1 ").await;
    let mut lock = db.acquire().await.unwrap();
    sqlx::query("begin immediate")
        .execute(&mut *lock)
        .await
        .unwrap();
    wait_for_text(&app, "#messages .message-error-text", "not saved yet").await;
    wait_for_text(&app, "#messages .message-error-text", "busy").await;
    shot(&app, "reply-not-saved-yet").await;
    let (id, status, _, _) = last_stored_reply(&db).await;
    assert_eq!(status, "streaming", "the database has not the end yet");
    let journal = journal_of(data.path(), &id);
    let kept = std::fs::read_to_string(&journal).expect("the reply is in the journal");
    assert!(kept.contains("w39"), "the journal holds the whole reply");
    sqlx::query("rollback").execute(&mut *lock).await.unwrap();
    let shown = wait_status(&app, "completed").await;
    assert_eq!(shown.trim(), first.concat().trim());
    let (_, status, text, _) = last_stored_reply(&db).await;
    assert_eq!((status.as_str(), text), ("completed", first.concat()));
    assert!(
        !journal.exists(),
        "the journal goes once the database has it"
    );

    // 2. Killed while it waits: the journal brings it back at the next start.
    say(&app, "Another.").await;
    wait_for_text(&app, "#messages .message[data-role='assistant']", "v1 ").await;
    sqlx::query("begin immediate")
        .execute(&mut *lock)
        .await
        .unwrap();
    wait_for_text(&app, "#messages .message-error-text", "not saved yet").await;
    let (id, _, _, _) = last_stored_reply(&db).await;
    assert!(journal_of(data.path(), &id).exists());
    kill_9(data.path());
    sqlx::query("rollback").execute(&mut *lock).await.unwrap();
    drop(lock);
    drop(app);
    drop(driver);
    let driver = Driver::start(data.path());
    let app = open_chat(data.path(), &driver).await;
    wait_for_text(&app, "#messages .message:last-child", "v39").await;
    let (_, status, text, _) = last_stored_reply(&db).await;
    assert_eq!((status.as_str(), text), ("completed", second.concat()));
    assert!(!journal_of(data.path(), &id).exists());
    app.close().await.unwrap();
}

#[tokio::test]
async fn a_full_disk_through_a_reply_keeps_the_text_and_the_next_start_restores_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    // About 400 KB of reply, in twenty parts over a second.
    let story = "a story of the sea ".repeat(1_000);
    let parts: Vec<String> = (0..20).map(|i| format!("part{i} {story}")).collect();
    let mock = MockLlm::start(vec![slow_stream(&parts, 50)]).await;
    let data = tempfile::tempdir().unwrap();
    seed_chat_world(data.path(), &mock.base_url).await;
    let db = outside(data.path()).await;
    let pages: i64 = sqlx::query_scalar("pragma page_count")
        .fetch_one(&db)
        .await
        .unwrap();
    // Room for the person's message and a few saves, not for the reply.
    std::env::set_var("PARLEY_TEST_MAX_PAGES", (pages + 40).to_string());
    let driver = Driver::start(data.path());
    std::env::remove_var("PARLEY_TEST_MAX_PAGES");
    let app = open_chat(data.path(), &driver).await;
    say(&app, "A long one, please.").await;
    wait_for_text(&app, "#messages .message-error-text", "not saved yet").await;
    wait_for_text(&app, "#messages .message-error-text", "disk is full").await;
    let (id, _, _, _) = last_stored_reply(&db).await;
    let journal = journal_of(data.path(), &id);
    let kept = std::fs::read_to_string(&journal).expect("the reply is in the journal");
    assert!(kept.contains("part19"), "the journal holds the whole reply");
    // Nothing saved before is lost.
    let texts: Vec<String> = sqlx::query_scalar("select content from messages order by seq")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(texts[0], "Shall I tell you a story?");
    assert_eq!(texts[1], "A long one, please.");
    kill_9(data.path());
    drop(app);
    drop(driver);

    // Room again: the next start restores the whole reply.
    let driver = Driver::start(data.path());
    let app = open_chat(data.path(), &driver).await;
    wait_for_text(&app, "#messages .message:last-child", "part19").await;
    let (_, status, text, _) = last_stored_reply(&db).await;
    assert_eq!(status, "completed");
    assert_eq!(text, parts.concat());
    assert!(!journal.exists());
    app.close().await.unwrap();
}

#[tokio::test]
async fn a_bare_done_shows_as_cut_short_in_the_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    // Text, then `[DONE]` with no finish reason (llama.cpp cut off).
    let mut chunks = openai_tokens(&["Half ", "a tale"]);
    chunks.pop();
    chunks.push(b"data: [DONE]\n\n".to_vec());
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks,
        pause: Duration::from_millis(5),
        end: End::Close,
    }])
    .await;
    let data = tempfile::tempdir().unwrap();
    seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = open_chat(data.path(), &driver).await;
    say(&app, "Go on.").await;
    let text = wait_status(&app, "failed").await;
    assert!(text.contains("Half a tale"), "the text is kept: {text}");
    wait_for_text(
        &app,
        "#messages .message:last-child .message-error-text",
        "Cut short",
    )
    .await;
    shot(&app, "reply-cut-short").await;
    app.close().await.unwrap();
}
