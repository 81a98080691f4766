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

#[test]
fn import_a_folder_then_export_a_card_and_a_chat() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let cards = dir.path().join("in");
    std::fs::create_dir_all(&cards).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("cards/v2_full.json"), cards.join("mira.json")).unwrap();
    std::fs::copy(
        fixtures.join("chats/st_modern.jsonl"),
        cards.join("mira chat.jsonl"),
    )
    .unwrap();
    std::fs::write(cards.join("bad.json"), b"{\"spec\": 1}").unwrap();

    // One refused file: every line still printed, and a failing exit code.
    let out = parley(&db, &["import", cards.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("imported character \"Mira Vance\" from mira.json"),
        "{text}"
    );
    assert!(text.contains("imported chat \"mira chat\""), "{text}");
    assert!(
        text.contains("skipped bad.json: the card's `spec` should be text"),
        "{text}"
    );
    assert!(text.contains("2 imported, 1 skipped"), "{text}");

    let out_dir = dir.path().join("out");
    let png = stdout(&parley(
        &db,
        &[
            "export",
            "character",
            "Mira Vance",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    ));
    assert!(png.trim().ends_with("Mira Vance.png"), "{png}");
    let json = stdout(&parley(
        &db,
        &[
            "export",
            "character",
            "mira vance",
            "--format",
            "json-v3",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    ));
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json.trim()).unwrap()).unwrap();
    assert_eq!(card["spec"], "chara_card_v3");
    assert_eq!(card["data"]["unknown_data_field"]["kept"], true);

    let chat_id = text
        .lines()
        .find(|l| l.starts_with("imported chat"))
        .and_then(|l| l.rsplit("(id ").next())
        .map(|s| s.trim_end_matches(')').to_string())
        .unwrap();
    let chat = stdout(&parley(
        &db,
        &[
            "export",
            "chat",
            &chat_id,
            "--out",
            out_dir.to_str().unwrap(),
        ],
    ));
    let written = std::fs::read_to_string(chat.trim()).unwrap();
    assert_eq!(written.lines().count(), 5);

    let missing = parley(&db, &["export", "character", "Nobody"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
}
