//! Exports stay home: the real binary's `parley export` never writes
//! through a link, never replaces a file, and names files validly whatever
//! the character is called. The folders are read after each export.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;

/// `parley <args>` on the database `db`, to its end.
fn run(db: &Path, args: &[&str]) -> Output {
    let mut parley = Command::new(env!("CARGO_BIN_EXE_parley"));
    parley
        .env("PARLEY_DB", db)
        .env_remove("RUST_LOG")
        .args(args);
    parley.output().expect("run parley")
}

fn import_card_named(db: &Path, dir: &Path, name: &str) {
    let file = dir.join("card.json");
    let card = json!({"spec": "chara_card_v2", "spec_version": "2.0", "data": {"name": name}});
    std::fs::write(&file, card.to_string()).unwrap();
    let out = run(db, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn export(db: &Path, name: &str, out_dir: &Path) -> Output {
    run(
        db,
        &[
            "export",
            "character",
            name,
            "--format",
            "json-v2",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    )
}

#[test]
fn an_export_never_follows_a_link_nor_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    import_card_named(&db, dir.path(), "Mira");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "mine").unwrap();

    // The export folder is a link: refused, nothing written where it points.
    let linked = dir.path().join("linked");
    std::os::unix::fs::symlink(&outside, &linked).unwrap();
    let out = export(&db, "Mira", &linked);
    assert_eq!(out.status.code(), Some(1));
    let with_slash = export(&db, "Mira", &linked.join(""));
    assert_eq!(with_slash.status.code(), Some(1), "linked/ too");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a link to another place"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);

    // The target name is taken by a file and by a link: both kept, the
    // export gets a new name.
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("Mira.json"), "an older export").unwrap();
    std::os::unix::fs::symlink(outside.join("keep.txt"), out_dir.join("Mira (2).json")).unwrap();
    let out = export(&db, "Mira", &out_dir);
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        path.ends_with("Mira (3).json"),
        "{path} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("Mira.json")).unwrap(),
        "an older export"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
        "mine"
    );
    let card: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(card["data"]["name"], "Mira");
}

#[test]
fn names_of_any_script_and_length_become_valid_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let out_dir = dir.path().join("out");
    let long_cjk = "月".repeat(200);
    for (name, expect) in [
        ("../../etc/passwd", "_.._etc_passwd.json"),
        ("a\\b/c", "a_b_c.json"),
        ("CON", "CON_.json"),
        ("Ада 👩\u{200D}💻 مرحبا", "Ада 👩\u{200D}💻 مرحبا.json"),
        (long_cjk.as_str(), ""),
    ] {
        import_card_named(&db, dir.path(), name);
        let out = export(&db, name, &out_dir);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert_eq!(
            path.parent().unwrap(),
            out_dir,
            "{name} stays in the folder"
        );
        let file = path.file_name().unwrap().to_str().unwrap();
        assert!(file.len() <= 255, "{name}: {} bytes", file.len());
        if expect.is_empty() {
            assert!(
                file.starts_with("月月") && file.ends_with(".json"),
                "{file}"
            );
        } else {
            assert_eq!(file, expect);
        }
    }
}
