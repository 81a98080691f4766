//! The data folder in the real app (`--features e2e`, under Xvfb): one
//! Parley per folder (a second launch brings the window forward and exits,
//! even while a reply is being written; another folder runs beside it; the
//! command line refuses to write while the app runs; `kill -9` leaves no
//! stale lock) and a backup restored from Settings, after which Parley
//! starts again on the restored file.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, End, MockLlm, Reply};
use common::seed_chat_world;
use common::window::*;

const BIN: &str = env!("CARGO_BIN_EXE_parley");

/// The apps these tests start (directly or through WebDriver, which passes
/// this process's environment on) log JSON lines to `<data>/logs`.
fn log_to_files() {
    std::env::set_var("PARLEY_LOG_FORMAT", "json");
}

/// Runs the binary on `data` as a person would launch it again; one that
/// is still running after 15 s (a second window) is stopped and fails.
fn launch(data: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .env("PARLEY_DATA_DIR", data)
        .env_remove("PARLEY_DB")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run parley");
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(15) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("parley {args:?} was still running after 15 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    (child.wait_with_output().unwrap(), took)
}

/// The app started straight from the binary (not through WebDriver).
fn start_app(data: &Path) -> Child {
    Command::new(BIN)
        .env("PARLEY_DATA_DIR", data)
        .env_remove("PARLEY_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start parley")
}

/// Everything the app logged in `data`.
fn log_text(data: &Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(data.join("logs")) {
        for e in entries.flatten() {
            text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    text
}

fn count(data: &Path, line: &str) -> usize {
    log_text(data).matches(line).count()
}

/// Waits until the log of `data` holds `n` lines with `line`.
fn wait_for_log(data: &Path, line: &str, n: usize) {
    let started = Instant::now();
    while count(data, line) < n {
        assert!(
            started.elapsed() < WAIT,
            "the log never had {n} \"{line}\":\n{}",
            log_text(data)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The process id in the data folder's lock file.
fn lock_pid(data: &Path) -> Option<u32> {
    std::fs::read_to_string(data.join("parley.db.lock"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

fn stop(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let started = Instant::now();
    while alive(pid) && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The reply's status and text in the database (read-only, beside the app).
async fn stored_reply(data: &Path, id: &str) -> (String, String) {
    let pool = parley::db::open_read_only(&data.join("parley.db"))
        .await
        .unwrap();
    let id: uuid::Uuid = id.parse().expect("a message id");
    let row: (String, String) =
        sqlx::query_as(r"select status, content from messages where id = ?1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    row
}

#[tokio::test]
async fn a_second_launch_during_a_reply_brings_the_window_forward_and_changes_nothing() {
    let _one = ONE_AT_A_TIME.lock().await;
    log_to_files();
    let words: Vec<String> = (0..120).map(|i| format!("tide{i} ")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let full = words.concat();
    // 120 tokens, 40 ms apart: about five seconds of reply.
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_millis(40),
        end: End::Close,
    }])
    .await;
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
    let (greeting, _, _) = last_reply(&app).await;
    fill(&app, "textarea#composer", "Tell me about the tides.").await;
    click(&app, "#send").await;
    let reply = loop {
        let (id, text, _) = last_reply(&app).await;
        if id != greeting && text.contains("tide3") {
            break id;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let first = lock_pid(data.path()).expect("the app wrote its lock");
    assert_eq!(count(data.path(), "parley starting"), 1);

    // The second launch: quick, successful, and the open window is asked
    // to come forward.
    let (second, took) = launch(data.path(), &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        took < Duration::from_secs(5),
        "the second launch took {took:?}"
    );
    wait_for_log(data.path(), "a second launch asked for the window", 1);

    // Writing commands refuse in words while the app runs; reading works.
    let cards = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cards");
    for args in [
        vec!["import", cards.to_str().unwrap()],
        vec!["db", "seed-demo"],
    ] {
        let (out, _) = launch(data.path(), &args);
        assert!(!out.status.success(), "{args:?} wrote while the app runs");
        assert!(
            stderr(&out).contains("Parley is open on this data folder (")
                && stderr(&out).contains("close Parley first, or do this in the window"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let (check, _) = launch(data.path(), &["db", "check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("integrity:      ok"));

    // A launch on another folder runs at the same time.
    let other = tempfile::tempdir().unwrap();
    let mut beside = start_app(other.path());
    wait_for_log(other.path(), "database ready", 1);
    assert!(
        beside.try_wait().unwrap().is_none(),
        "the other folder's Parley runs"
    );
    beside.kill().unwrap();
    beside.wait().unwrap();

    // The reply finishes, whole, and is saved complete: the second launch
    // neither swept it as interrupted nor opened the database.
    let text = wait_status(&app, "completed").await;
    assert_eq!(text.trim(), full.trim());
    let (status, content) = stored_reply(data.path(), &reply).await;
    assert_eq!(status, "completed");
    assert_eq!(content, full);
    assert_eq!(
        count(data.path(), "parley starting"),
        1,
        "the second launch logged"
    );
    assert_eq!(
        count(data.path(), "database ready"),
        1,
        "the second launch opened the database"
    );
    assert_eq!(lock_pid(data.path()), Some(first));

    // The first window still answers.
    fill(&app, "textarea#composer", "Still there?").await;
    let typed = app
        .execute(
            "return document.querySelector('textarea#composer').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(typed, "Still there?");
    drop(driver);
}

#[tokio::test]
async fn after_kill_9_the_next_launch_starts_normally() {
    let _one = ONE_AT_A_TIME.lock().await;
    log_to_files();
    let data = tempfile::tempdir().unwrap();
    let mut app = start_app(data.path());
    wait_for_log(data.path(), "database ready", 1);
    assert_eq!(lock_pid(data.path()), Some(app.id()));
    app.kill().unwrap(); // SIGKILL: no exit handler runs
    app.wait().unwrap();

    let mut again = start_app(data.path());
    wait_for_log(data.path(), "database ready", 2);
    assert!(again.try_wait().unwrap().is_none(), "the new launch runs");
    assert_eq!(lock_pid(data.path()), Some(again.id()));
    // And it is the one Parley there: a further launch comes to it.
    let (third, took) = launch(data.path(), &[]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(took < Duration::from_secs(5));
    assert_eq!(count(data.path(), "database ready"), 2);
    again.kill().unwrap();
    again.wait().unwrap();
}

#[tokio::test]
async fn a_backup_restored_from_settings_is_what_parley_reopens_on() {
    use parley::backup_folder::Kind;
    use parley::services::backup;
    let _one = ONE_AT_A_TIME.lock().await;
    log_to_files();
    let data = tempfile::tempdir().unwrap();
    let db: PathBuf = data.path().join("parley.db");
    seed_chat_world(data.path(), "http://127.0.0.1:9/v1").await;
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let made = backup::make(&pool, &db, Kind::Manual).await.unwrap();
    let chat = common::new_chat(&pool, None).await;
    common::say(&pool, chat, "written after the backup").await;
    pool.close().await;

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    let before = lock_pid(data.path()).unwrap();
    app.execute("location.hash = '#/settings'; return true;", vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#backup-list .backup-row", "Made by you").await;
    app.execute(
        "document.getElementById('backups-title').scrollIntoView(); return true;",
        vec![],
    )
    .await
    .unwrap();
    if std::env::var_os("PARLEY_SHOTS").is_some() {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    shot(&app, "settings-backups").await;
    click(
        &app,
        &format!(
            "#backup-list .backup-row[data-name='{}'] .backup-restore",
            made.name
        ),
    )
    .await;
    wait_for_text(&app, ".modal", "Parley first keeps your data as it is now").await;
    click(&app, "#confirm-ok").await;

    // Parley starts again by itself, on the restored file.
    let started = Instant::now();
    let after = loop {
        if let Some(pid) = lock_pid(data.path()).filter(|p| *p != before && alive(*p)) {
            if count(data.path(), "database ready") >= 2 {
                break pid;
            }
        }
        assert!(
            started.elapsed() < WAIT,
            "Parley did not start again:\n{}",
            log_text(data.path())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let pool = parley::db::open_read_only(&db).await.unwrap();
    let texts: Vec<String> = sqlx::query_scalar(r"select content from messages")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        texts.iter().any(|t| t == "Shall I tell you a story?"),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t == "written after the backup"),
        "{texts:?}"
    );
    // What was there before the restore is a backup of its own.
    let kept = backup::list(&db)
        .unwrap()
        .into_iter()
        .find(|b| b.kind == Kind::BeforeRestore)
        .expect("a backup from before the restore");
    let pool = parley::db::open_read_only(&kept.path).await.unwrap();
    let n: i64 = sqlx::query_scalar(
        r"select count(*) from messages where content = 'written after the backup'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(n, 1);
    // The restarted Parley is the one on the folder and answers.
    let (again, _) = launch(data.path(), &[]);
    assert!(again.status.success());
    wait_for_log(data.path(), "a second launch asked for the window", 1);
    drop(app);
    drop(driver);
    stop(after);
}

#[tokio::test]
async fn delete_forever_says_older_backups_hold_the_chat_and_deletes_them_when_asked() {
    use parley::backup_folder::Kind;
    use parley::services::{backup, chat_session};
    let _one = ONE_AT_A_TIME.lock().await;
    log_to_files();
    let data = tempfile::tempdir().unwrap();
    let db: PathBuf = data.path().join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let chat = common::new_chat(&pool, None).await;
    common::say(&pool, chat, "the Brambleworth plan").await;
    chat_session::delete(&pool, chat).await.unwrap();
    backup::make(&pool, &db, Kind::Manual).await.unwrap();
    pool.close().await;

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.execute("location.hash = '#/trash'; return true;", vec![])
        .await
        .unwrap();
    click_containing(&app, ".trash-row button", "Delete forever").await;
    wait_for_text(&app, ".modal", "backup made before now still holds it").await;
    click(&app, "#confirm-ok").await;
    wait_for_text(&app, ".modal", "Delete the backups that still hold").await;
    click(&app, "#confirm-ok").await;
    wait_for_text(&app, "#toast", "1 backup deleted").await;
    assert!(backup::list(&db).unwrap().is_empty());
    let pool = parley::db::open_read_only(&db).await.unwrap();
    let n: i64 = sqlx::query_scalar(r"select count(*) from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(n, 0);
    drop(app);
    drop(driver);
}
