//! `parley models add` and `parley chat`, run as a script would, on a tiny
//! GGUF model the test writes: the reply printed as it streams, saved like
//! the window's, the exit status saying whether it completed, and faults in
//! words.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::gguf_writer::{write_model, Behaviour, SAYS};

fn parley(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(args)
        .env("PARLEY_DATA_DIR", dir)
        .env("PARLEY_DB", dir.join("parley.db"))
        .env_remove("RUST_LOG")
        .output()
        .expect("run parley")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_message_from_the_command_line_is_answered_by_a_local_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny.gguf");
    write_model(&model, "Tiny Lighthouse", Behaviour::Says);
    let card = dir.path().join("mira.json");
    std::fs::write(
        &card,
        r#"{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Mira","description":"Mira keeps the lighthouse.","first_mes":"Welcome."}}"#,
    )
    .unwrap();

    let added = parley(dir.path(), &["models", "add", model.to_str().unwrap()]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(
        text(&added.stdout).contains("Tiny Lighthouse"),
        "{}",
        text(&added.stdout)
    );
    let listed = parley(dir.path(), &["import", card.to_str().unwrap()]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));

    let first = parley(
        dir.path(),
        &["chat", "Mira", "--new", "--message", "Good evening."],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(text(&first.stdout).trim(), SAYS);
    let stderr = text(&first.stderr);
    let id = stderr
        .split("(id ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap_or_else(|| panic!("the new chat's id is told: {stderr}"))
        .to_string();

    // By id, and by the character's name (its newest chat): the same chat.
    let again = parley(dir.path(), &["chat", &id, "-m", "And now?"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout).trim(), SAYS);
    let by_name = parley(dir.path(), &["chat", "Mira", "-m", "Still there?"]);
    assert!(by_name.status.success(), "{}", text(&by_name.stderr));
    assert!(
        !text(&by_name.stderr).contains("new chat"),
        "the newest chat is used"
    );

    // Everything was saved as the window saves it: the prompt of the next
    // reply holds the three exchanges.
    let prompt = parley(dir.path(), &["prompt", &id]);
    let prompt = text(&prompt.stdout);
    for said in ["Good evening.", "And now?", "Still there?"] {
        assert!(prompt.contains(said), "{said} is in the chat: {prompt}");
    }
    assert_eq!(prompt.matches(SAYS).count(), 3, "{prompt}");

    // Faults in words, and a failing exit status.
    std::fs::remove_file(&model).unwrap();
    let gone = parley(dir.path(), &["chat", "Mira", "-m", "Hello?"]);
    assert!(!gone.status.success());
    assert!(
        text(&gone.stderr).contains("is not there any more"),
        "{}",
        text(&gone.stderr)
    );
    let nobody = parley(dir.path(), &["chat", "Nobody", "-m", "Hello?"]);
    assert!(!nobody.status.success());
    assert!(
        text(&nobody.stderr).contains("Nobody"),
        "{}",
        text(&nobody.stderr)
    );
    let not_gguf = dir.path().join("notes.gguf");
    std::fs::write(&not_gguf, "notes").unwrap();
    let refused = parley(dir.path(), &["models", "add", not_gguf.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("not a GGUF file"),
        "{}",
        text(&refused.stderr)
    );
}
