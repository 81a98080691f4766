//! Backups a person can use, on the real binary where it matters: `parley
//! db backup` and `parley db restore` round trip, rotation keeps the newest
//! N and nothing else is deleted, a damaged backup is refused with nothing
//! replaced, `parley db check` changes no file, writing commands refuse
//! while Parley holds the data folder, and "Delete forever" leaves no trace
//! of the text in the database, its WAL or its shared-memory file.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use parley::backup_folder::{self, Kind};
use parley::services::{app_config, backup};

fn parley(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(args)
        .env("PARLEY_DB", db)
        .env_remove("PARLEY_DATA_DIR")
        .env_remove("RUST_LOG")
        .output()
        .expect("run parley")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "parley failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "parley should have refused: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The messages' text in the database at `db`, in order.
async fn texts(db: &Path) -> Vec<String> {
    let (pool, _) = parley::db::open(db).await.unwrap();
    let all: Vec<String> = sqlx::query_scalar(r"select content from messages order by rowid")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    all
}

async fn add_message(db: &Path, text: &str) {
    let (pool, _) = parley::db::open(db).await.unwrap();
    let chat = common::new_chat(&pool, None).await;
    common::say(&pool, chat, text).await;
    pool.close().await;
}

fn file_state(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

#[tokio::test]
async fn a_backup_restored_through_the_command_line_brings_the_database_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    ok(&parley(&db, &["db", "seed-demo"]));
    add_message(&db, "written before the backup").await;

    let out = ok(&parley(&db, &["db", "backup"]));
    let made: PathBuf = out
        .trim()
        .rsplit(" to ")
        .next()
        .expect("the backup's path is printed")
        .into();
    assert!(made.starts_with(dir.path().join("backups")), "{out}");
    assert_eq!(
        backup_folder::parse_name(&made.file_name().unwrap().to_string_lossy()).map(|p| p.1),
        Some(Kind::Manual)
    );
    add_message(&db, "written after the backup").await;

    let out = ok(&parley(&db, &["db", "restore", made.to_str().unwrap()]));
    assert!(out.contains("restored"), "{out}");
    let now = texts(&db).await;
    assert!(now.iter().any(|t| t == "written before the backup"));
    assert!(
        !now.iter().any(|t| t == "written after the backup"),
        "the restored database is the backup"
    );

    // The database as it was before the restore is itself kept.
    let kept = backup::list(&db)
        .unwrap()
        .into_iter()
        .find(|b| b.kind == Kind::BeforeRestore)
        .expect("a backup made before the restore");
    assert!(out.contains(&kept.name), "{out}");
    assert!(texts(&kept.path)
        .await
        .iter()
        .any(|t| t == "written after the backup"));

    // A backup to a file of one's choice, which is never overwritten.
    let out_file = dir.path().join("elsewhere.db");
    ok(&parley(
        &db,
        &["db", "backup", "--out", out_file.to_str().unwrap()],
    ));
    assert!(backup_folder::check(&out_file).await.unwrap() > 0);
    let again = refused(&parley(
        &db,
        &["db", "backup", "--out", out_file.to_str().unwrap()],
    ));
    assert!(again.contains("already exists"), "{again}");
}

#[tokio::test]
async fn rotation_keeps_the_newest_backups_and_only_parleys_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    app_config::write(&pool, &app_config::BACKUPS_KEPT, &3)
        .await
        .unwrap();
    let folder = backup_folder::dir(&db);
    std::fs::create_dir_all(&folder).unwrap();
    let mine = folder.join("my-notes.db");
    std::fs::write(&mine, b"a person's own file").unwrap();

    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(backup::make(&pool, &db, Kind::Manual).await.unwrap().name);
    }
    let left: Vec<String> = backup::list(&db)
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    let newest: Vec<String> = made.iter().rev().take(3).cloned().collect();
    assert_eq!(left, newest, "the newest three stay, newest first");
    assert!(mine.exists(), "a file that is not Parley's backup stays");
    pool.close().await;
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_nothing_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    ok(&parley(&db, &["db", "seed-demo"]));
    let good = dir.path().join("good.db");
    ok(&parley(
        &db,
        &["db", "backup", "--out", good.to_str().unwrap()],
    ));
    let before = std::fs::read(&db).unwrap();

    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let mut flipped = bytes.clone();
    for b in &mut flipped[4096..8192] {
        *b ^= 0x5a;
    }
    let scrambled = dir.path().join("scrambled.db");
    std::fs::write(&scrambled, &flipped).unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database at all").unwrap();
    let missing = dir.path().join("missing.db");

    for bad in [&truncated, &scrambled, &text, &missing] {
        let said = refused(&parley(&db, &["db", "restore", bad.to_str().unwrap()]));
        assert!(
            said.contains("not a sound Parley database") || said.contains("no backup file"),
            "{}: {said}",
            bad.display()
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            before,
            "{} replaced the database",
            bad.display()
        );
    }
    assert!(
        backup::list(&db).unwrap().is_empty(),
        "a refused restore makes no backup"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(texts(&db).await.len(), 8);
}

#[tokio::test]
async fn db_check_changes_no_file_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere/parley.db");
    let said = refused(&parley(&missing, &["db", "check"]));
    assert!(said.contains("there is no database"), "{said}");
    assert!(
        !dir.path().join("nowhere").exists(),
        "check created the folder"
    );

    let db = dir.path().join("parley.db");
    ok(&parley(&db, &["db", "seed-demo"]));
    // As if this Parley had a migration the file has not had yet.
    let (pool, _) = parley::db::open(&db).await.unwrap();
    sqlx::query(
        r"delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let before = file_state(&db);
    let names_before = names_in(dir.path());
    std::thread::sleep(std::time::Duration::from_millis(20));

    let out = ok(&parley(&db, &["db", "check"]));
    assert!(out.contains("integrity:      ok"), "{out}");
    assert!(out.contains("pending:        1 migration"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&parley(&db, &["db", "check", "--json"]))).unwrap();
    assert_eq!(json["pendingMigrations"].as_array().unwrap().len(), 1);

    assert!(before == file_state(&db), "check changed the file");
    assert_eq!(names_in(dir.path()), names_before, "check left files");
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn writing_commands_refuse_while_parley_holds_the_folder_and_reading_ones_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    ok(&parley(&db, &["db", "seed-demo"]));
    let backup = dir.path().join("b.db");
    ok(&parley(
        &db,
        &["db", "backup", "--out", backup.to_str().unwrap()],
    ));

    // This test process holds the folder the way the app does.
    let parley::instance::Claim::First(guard) = parley::instance::claim(&db).unwrap() else {
        panic!("the folder is free");
    };
    let before = std::fs::read(&db).unwrap();
    let card = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cards");
    for args in [
        vec!["db", "init"],
        vec!["db", "seed-demo"],
        vec!["db", "restore", backup.to_str().unwrap()],
        vec!["import", card.to_str().unwrap()],
    ] {
        let said = refused(&parley(&db, &args));
        assert!(
            said.contains("Parley is open on this data folder")
                && said.contains("close Parley first, or do this in the window"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(ok(&parley(&db, &["db", "check"])).contains("integrity:      ok"));
    assert!(ok(&parley(&db, &["db", "backup"])).contains("backed up"));
    drop(guard);
    ok(&parley(&db, &["db", "init"]));
}

/// Whether `needle` occurs in the file, in any case.
fn holds(path: &Path, needle: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let lower = bytes.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    lower.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

#[tokio::test]
async fn delete_forever_leaves_no_trace_in_the_database_files() {
    use parley::services::{character, chat_session, message};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let someone = common::new_character(&pool, "Someone").await;
    let chat = common::new_chat(&pool, Some(someone)).await;
    let secret = "Quixotryphal";
    let long = format!("{secret} {}", "and more words here ".repeat(400));
    common::say(&pool, chat, &format!("my secret word is {secret}")).await;
    let long_id = common::say(&pool, chat, &long).await;
    message::delete(&pool, long_id).await.ok();
    common::say(&pool, chat, &long).await;
    let other = common::new_chat(&pool, Some(someone)).await;
    common::say(&pool, other, "an ordinary chat that stays").await;
    let odd = character::create(
        &pool,
        parley::models::CharacterInput {
            name: "Velmorrick".into(),
            description: "Velmorrick keeps a lighthouse".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Some of the text reaches the database file, some stays in the WAL.
    sqlx::query(r"pragma wal_checkpoint(passive)")
        .execute(&pool)
        .await
        .unwrap();
    common::say(&pool, chat, &format!("{secret} again, in the WAL")).await;
    let files = [
        db.clone(),
        with_suffix(&db, "-wal"),
        with_suffix(&db, "-shm"),
    ];
    assert!(
        files.iter().any(|f| holds(f, secret)),
        "the word is written"
    );

    chat_session::delete(&pool, chat).await.unwrap();
    chat_session::purge(&pool, chat).await.unwrap();
    character::delete(&pool, odd.id).await.unwrap();
    character::purge(&pool, odd.id).await.unwrap();

    // With the database still open, as in the running app.
    for f in &files {
        assert!(!holds(f, secret), "{} still holds the word", f.display());
        assert!(
            !holds(f, "Velmorrick"),
            "{} still holds the name",
            f.display()
        );
    }
    assert!(
        holds(&db, "an ordinary chat that stays")
            || holds(&files[1], "an ordinary chat that stays")
    );
    let found = parley::services::search::search(
        &pool,
        &parley::services::search::SearchQuery {
            query: "ordinary".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found.messages.len(), 1, "search still finds what stays");
    pool.close().await;
    for f in &files {
        assert!(
            !holds(f, secret),
            "{} holds the word after closing",
            f.display()
        );
    }
}

#[tokio::test]
async fn a_restore_in_the_app_is_refused_while_a_reply_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let made = backup::make(&pool, &db, Kind::Manual).await.unwrap();
    let chat = common::new_chat(&pool, None).await;
    let reply = common::say(&pool, chat, "a reply being written").await;
    let replies = parley::services::generation::registry::Replies::default();
    let slot = replies.reserve(chat, reply).unwrap();

    let refused = backup::restore_open(&pool, &replies, &db, &made.name)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("a reply is being written"),
        "{refused}"
    );
    assert!(!pool.is_closed(), "the database stays open");
    assert_eq!(backup::list(&db).unwrap().len(), 1, "no backup was made");
    drop(slot);

    // Once it is written, the restore goes ahead.
    backup::restore_open(&pool, &replies, &db, &made.name)
        .await
        .unwrap();
    assert!(pool.is_closed());
    assert!(!texts(&db)
        .await
        .iter()
        .any(|t| t == "a reply being written"));
}
