//! Imports are all or nothing, in bounded memory. Each case runs the real
//! binary (`parley import`) as a person or a script would, causes the fault
//! (`kill -9` mid-import, a hostile file, a whole SillyTavern install), then
//! reads the database. Exports are `tests/export_home.rs`.

mod common;

use std::io::Write as _;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::cards::{b64, fixture, png_with};
use serde_json::json;

fn parley(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_parley"));
    c.env("PARLEY_DB", db).env_remove("RUST_LOG");
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    parley(db).args(args).output().expect("run parley")
}

/// Rows per table, from `parley db check --json`, which also proves the
/// file whole.
fn counts(db: &Path) -> serde_json::Value {
    let out = run(db, &["db", "check", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check["integrity"], "ok", "{check}");
    let mut map = serde_json::Map::new();
    for t in check["tables"].as_array().unwrap() {
        map.insert(t[0].as_str().unwrap().to_string(), t[1].clone());
    }
    serde_json::Value::Object(map)
}

/// The child's peak resident memory (VmHWM) in MB, read until it exits; a
/// child that passes `kill_over_mb` is killed (so a regression fails the
/// test instead of the machine).
fn wait_with_peak(mut child: Child, kill_over_mb: u64) -> (Output, u64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let started = Instant::now();
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb / 1024);
            }
        }
        if peak > kill_over_mb || started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
        }
        if let Ok(Some(_)) = child.try_wait() {
            return (child.wait_with_output().unwrap(), peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn st_line(i: usize, text: &str) -> String {
    json!({
        "name": if i.is_multiple_of(2) { "You" } else { "Kill Test" },
        "is_user": i.is_multiple_of(2),
        "send_date": 1_700_000_000_000u64 + i as u64,
        "mes": text,
        "swipes": [text, format!("{text} (again)")],
        "swipe_id": 0,
    })
    .to_string()
}

#[test]
fn kill_9_mid_import_leaves_no_chat_and_no_character_and_importing_again_works() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    assert!(run(&db, &["db", "init"]).status.success());
    let chat = dir.path().join("long.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&chat).unwrap());
    writeln!(f, "{}", json!({"user_name": "You", "character_name": "Kill Test", "create_date": 1_700_000_000_000u64})).unwrap();
    let words = "the quick brown fox jumps over the lazy dog ".repeat(6);
    for i in 0..50_000 {
        writeln!(f, "{}", st_line(i, &format!("{i}: {words}"))).unwrap();
    }
    drop(f);

    // Kill it once the chat's transaction is writing (the WAL grows).
    let wal = dir.path().join("p.db-wal");
    let wal_before = std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mut child = parley(&db)
        .args(["import", chat.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let grown = std::fs::metadata(&wal).map_or(0, |m| m.len()) > wal_before + 4 * 1024 * 1024;
        if grown {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed mid-way"
        );
        assert!(started.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "killed mid-import");

    let after = counts(&db);
    assert_eq!(after["chat_sessions"], 0, "{after}");
    assert_eq!(after["messages"], 0, "{after}");
    assert_eq!(
        after["characters"], 0,
        "no character left without its chat: {after}"
    );

    let again = run(&db, &["import", chat.to_str().unwrap()]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let after = counts(&db);
    assert_eq!(after["chat_sessions"], 1, "{after}");
    assert_eq!(after["messages"], 50_000, "{after}");
    assert_eq!(after["characters"], 1, "{after}");
}

#[test]
fn a_large_field_repeated_into_every_swipe_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let chat = dir.path().join("swipes.jsonl");
    // 4 MB on disk; each swipe would carry a copy of the 1 MB field: 7.6 GB.
    let pad = "A".repeat(1024 * 1024);
    let swipes = vec![""; 1900];
    let mut text = json!({"user_name": "You", "character_name": "Bomb"}).to_string();
    for _ in 0..4 {
        text.push('\n');
        text.push_str(&json!({"mes": "", "extra": {"pad": pad}, "swipes": swipes}).to_string());
    }
    std::fs::write(&chat, text).unwrap();
    let child = parley(&db)
        .args(["import", chat.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, peak_mb) = wait_with_peak(child, 1024);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("skipped swipes.jsonl: line") && said.contains("once stored"),
        "refused in words: {said}"
    );
    assert!(peak_mb < 400, "peak memory {peak_mb} MB for a 4 MB file");
    let after = counts(&db);
    assert_eq!(after["chat_sessions"], 0, "{after}");
    assert_eq!(after["characters"], 0, "{after}");
}

#[test]
fn too_many_swipes_on_one_message_are_refused_with_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let chat = dir.path().join("many.jsonl");
    let swipes: Vec<String> = (0..2001).map(|i| format!("take {i}")).collect();
    std::fs::write(
        &chat,
        json!({"mes": "take 0", "swipes": swipes}).to_string(),
    )
    .unwrap();
    let out = run(&db, &["import", chat.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("line 1: the message has 2001 swipes; the limit is 2000"),
        "{said}"
    );
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A PNG card followed by `n` zTXt chunks named `keyword`, each inflating
/// to 8 MB.
fn png_with_compressed_chunks(keyword: &str, n: usize) -> Vec<u8> {
    let card = json!({"spec": "chara_card_v2", "spec_version": "2.0", "data": {"name": "Chunky"}});
    let png = png_with(&[("chara", &b64(card.to_string().as_bytes()))]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b'A'; 8 * 1024 * 1024]).unwrap();
    let mut data = format!("{keyword}\0\0").into_bytes();
    data.extend(z.finish().unwrap());
    let one = chunk(b"zTXt", &data);
    let iend_at = png.len() - 12;
    let mut out = png[..iend_at].to_vec();
    for _ in 0..n {
        out.extend_from_slice(&one);
    }
    out.extend_from_slice(&png[iend_at..]);
    out
}

#[test]
fn thousands_of_compressed_png_chunks_cost_nothing_or_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    // Other text chunks are never inflated: the card imports, quickly.
    let comments = dir.path().join("comments.png");
    std::fs::write(&comments, png_with_compressed_chunks("Comment", 2000)).unwrap();
    // Card chunks are inflated within one budget: refused in words.
    let cards = dir.path().join("cards.png");
    std::fs::write(&cards, png_with_compressed_chunks("chara", 2000)).unwrap();

    for (file, expect) in [
        (&comments, "imported character \"Chunky\""),
        (
            &cards,
            "skipped cards.png: the PNG's card texts add up to more than 32 MB",
        ),
    ] {
        let started = Instant::now();
        let child = parley(&db)
            .args(["import", file.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (out, peak_mb) = wait_with_peak(child, 1024);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains(expect), "{said}");
        assert!(peak_mb < 400, "peak memory {peak_mb} MB");
        // 2000 chunks x 8 MB would be 16 GB to inflate; bounded work is a
        // fraction of a second. A generous bound, not a benchmark.
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
    }
    assert_eq!(counts(&db)["characters"], 1);
}

/// A SillyTavern install as it sits on disk: the app with its
/// `node_modules`, `public` and `default` folders full of images and JSON,
/// a user's data folder, and the older layout under `public`.
fn fake_install(root: &Path) {
    let put = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    let card = |name: &str| {
        png_with(&[(
            "chara",
            &b64(
                json!({"spec": "chara_card_v2", "spec_version": "2.0", "data": {"name": name}})
                    .to_string()
                    .as_bytes(),
            ),
        )])
    };
    let plain_png = parley::cards::image::placeholder_png("x");
    put("package.json", br#"{"name": "sillytavern"}"#);
    put("server.js", b"// the server");
    put(
        "node_modules/some-lib/package.json",
        br#"{"name": "some-lib"}"#,
    );
    put("node_modules/some-lib/logo.png", &plain_png);
    put("node_modules/other/data.json", b"{\"a\": 1}");
    put("public/img/logo.png", &plain_png);
    put("public/img/ai4.png", &card("Shipped Example"));
    put("public/scripts/extensions/manifest.json", b"{}");
    put("default/content/Seraphina.png", &card("Seraphina"));
    put("default/content/settings.json", b"{}");
    put("data/default-user/settings.json", b"{}");
    put(
        "data/default-user/secrets.json",
        br#"{"api_key_openai": "sk-secret"}"#,
    );
    put("data/default-user/characters/Mira.png", &card("Mira"));
    put("data/default-user/characters/Mira/joy.png", &plain_png);
    put(
        "data/default-user/thumbnails/avatar/Mira.png",
        &card("Mira"),
    );
    put("data/default-user/User Avatars/me.png", &plain_png);
    put(
        "data/default-user/chats/Mira/first.jsonl",
        &fixture("chats/st_modern.jsonl"),
    );
    put("public/characters/Old.png", &card("Old"));
    put(
        "public/chats/Old/old chat.jsonl",
        &fixture("chats/st_modern.jsonl"),
    );
}

#[test]
fn a_whole_sillytavern_install_imports_only_its_cards_and_chats() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let root = dir.path().join("SillyTavern");
    fake_install(&root);
    let out = run(&db, &["import", root.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "nothing refused: {said}");
    assert!(
        said.contains("imported character \"Mira\" from Mira.png"),
        "{said}"
    );
    assert!(
        said.contains("imported character \"Old\" from Old.png"),
        "{said}"
    );
    assert!(said.contains("imported chat \"first\""), "{said}");
    assert!(said.contains("imported chat \"old chat\""), "{said}");
    assert!(said.contains("4 imported, 0 skipped"), "{said}");
    for never in [
        "Seraphina",
        "Shipped Example",
        "logo",
        "joy",
        "secret",
        "manifest",
    ] {
        assert!(!said.contains(never), "{never} was read: {said}");
    }
    let after = counts(&db);
    assert_eq!(after["characters"], 2, "{after}");
    assert_eq!(after["chat_sessions"], 2, "{after}");
}
