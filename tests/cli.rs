//! The command-line entry points on the app's binary: `parley db init`,
//! `parley db check`, `parley db seed-demo`, run as a script would.

use std::path::Path;
use std::process::{Command, Output};

fn parley(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(args)
        .env("PARLEY_DB", db)
        .env_remove("RUST_LOG")
        .output()
        .expect("run parley")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "parley failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn seed_demo_then_check_on_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");

    let init = stdout(&parley(&db, &["db", "init"]));
    assert!(init.contains("created"), "{init}");
    assert!(init.contains("schema version"), "{init}");

    let first = stdout(&parley(&db, &["db", "seed-demo"]));
    assert!(first.contains("added 3 characters"), "{first}");
    let second = stdout(&parley(&db, &["db", "seed-demo"]));
    assert!(
        second.contains(
            "added 0 characters, 0 personas, 0 providers, 0 models, 0 prompts, 0 chats, 0 messages"
        ),
        "seed-demo is idempotent: {second}"
    );

    let check: serde_json::Value =
        serde_json::from_str(&stdout(&parley(&db, &["db", "check", "--json"]))).unwrap();
    assert_eq!(check["integrity"], "ok");
    assert!(check["schemaVersion"].as_i64().unwrap() > 0);
    let count = |table: &str| {
        check["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t[0] == table)
            .map(|t| t[1].as_i64().unwrap())
            .unwrap()
    };
    assert_eq!(count("characters"), 3);
    assert_eq!(count("chat_sessions"), 2);
    assert_eq!(count("messages"), 8);
    assert_eq!(count("providers"), 1);

    let text = stdout(&parley(&db, &["db", "check"]));
    assert!(text.contains("integrity:      ok"), "{text}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn a_corrupt_file_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("broken.db");
    std::fs::write(&db, b"this is not a database, and it is someone's file").unwrap();
    let out = parley(&db, &["db", "check"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("parley: "), "{err}");
    assert!(err.contains("not a Parley database"), "{err}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"this is not a database, and it is someone's file",
        "the file was left as it was"
    );
}

#[test]
fn unknown_subcommands_get_usage_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = parley(&dir.path().join("x.db"), &["db", "explode"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
}
