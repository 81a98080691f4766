//! SillyTavern group chats in and out: a group definition with its chat, a
//! group chat alone, a dropped data folder; members matched to characters
//! by card file and by name, muted, talkativeness, settings and every
//! message's speaker; export that SillyTavern reads back and that comes
//! back in as it went; broken files refused with nothing written.

mod common;

use std::path::Path;

use common::cards::{b64, fixture, png_with};
use parley::models::{GroupSettings, Id, MessageRole, TurnOrder};
use parley::repos;
use parley::services::export;
use parley::services::import::{self, ImportKind, ImportReport};
use parley::services::{chat_session, message};
use serde_json::{json, Value};
use sqlx::SqlitePool;

const GROUP: &str = "groups/1727475756000.json";
const CHAT: &str = "groups/2024-09-28@01h02m36s.jsonl";
const CHAT_FILE: &str = "2024-09-28@01h02m36s.jsonl";

async fn count(pool: &SqlitePool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A member's card as SillyTavern keeps it: a PNG named after the card.
fn card_png(name: &str) -> Vec<u8> {
    png_with(&[(
        "chara",
        &b64(&fixture(&format!("groups/cards/{name}.json"))),
    )])
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn chat_of(report: &ImportReport) -> Id {
    report
        .imported
        .iter()
        .find(|i| i.kind == ImportKind::Chat)
        .unwrap_or_else(|| panic!("no chat in {report:?}"))
        .id
}

/// (name, muted, talkativeness) of each member, in order.
async fn members(pool: &SqlitePool, chat: Id) -> Vec<(String, bool, f64)> {
    repos::chat_member::list(pool, chat)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.muted, m.talkativeness))
        .collect()
}

async fn settings(pool: &SqlitePool, chat: Id) -> GroupSettings {
    repos::chat_member::settings(pool, chat)
        .await
        .unwrap()
        .unwrap()
}

/// (role, content, speaker name, speaker's character name, swipes, shown).
type Shape = (
    MessageRole,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

async fn shape(pool: &SqlitePool, chat: Id) -> Vec<Shape> {
    let items = message::page(pool, chat, None, None).await.unwrap().items;
    let mut out = Vec::new();
    for m in items {
        let character = match m.speaker_id {
            Some(id) => repos::character::get(pool, id)
                .await
                .unwrap()
                .map(|c| c.name),
            None => None,
        };
        out.push((
            m.role,
            m.content,
            m.speaker_name,
            character,
            m.swipe_count,
            m.active_swipe,
        ));
    }
    out
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// A folder with the cards of Alice and Cara, the group and its chat (Bob's
/// card is not there: he is found by name among existing characters).
fn group_folder(root: &Path) {
    std::fs::write(root.join("Alice.png"), card_png("Alice")).unwrap();
    std::fs::write(root.join("Cara.png"), card_png("Cara")).unwrap();
    std::fs::write(root.join("1727475756000.json"), fixture(GROUP)).unwrap();
    std::fs::write(root.join(CHAT_FILE), fixture(CHAT)).unwrap();
}

async fn import_group(pool: &SqlitePool) -> (ImportReport, Id) {
    import::import_bytes(pool, "Bob.json", fixture("groups/cards/Bob.json"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    group_folder(dir.path());
    let report = import::import_paths(pool, &[dir.path().to_path_buf()], |_| {}).await;
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let chat = chat_of(&report);
    (report, chat)
}

fn expected_shape() -> Vec<Shape> {
    use MessageRole::{Assistant, User};
    vec![
        (
            Assistant,
            "*Alice wipes the bar.* Another stormy night.".into(),
            s("Alice"),
            s("Alice"),
            0,
            0,
        ),
        (
            Assistant,
            "*Bob raises his mug.* To the storm!".into(),
            s("Bob"),
            s("Bob"),
            0,
            0,
        ),
        (
            User,
            "Alice, is the road north still open?".into(),
            None,
            None,
            0,
            0,
        ),
        (
            Assistant,
            "Closed since noon, love.".into(),
            s("Alice"),
            s("Alice"),
            2,
            1,
        ),
        (
            Assistant,
            "*A stranger at the door shakes off the rain.*".into(),
            s("Dana"),
            None,
            0,
            0,
        ),
        (
            Assistant,
            "Shut the door, Dana!".into(),
            s("Bob"),
            s("Bob"),
            0,
            0,
        ),
    ]
}

#[tokio::test]
async fn a_group_and_its_chat_come_in_with_members_speakers_and_settings() {
    let pool = common::pool().await;
    let (report, chat) = import_group(&pool).await;

    // The report: two cards, the chat (Dana has no card: her lines keep
    // her name), and the group pointing at its chat.
    let chat_line = report
        .imported
        .iter()
        .find(|i| i.kind == ImportKind::Chat)
        .unwrap();
    assert_eq!(chat_line.missing_members, ["Dana"]);
    let group_line = report
        .imported
        .iter()
        .find(|i| i.kind == ImportKind::Group)
        .unwrap();
    assert_eq!(
        (group_line.id, group_line.name.as_str()),
        (chat, "The Rusty Anchor")
    );
    assert_eq!(group_line.file, "1727475756000.json");

    let session = chat_session::get(&pool, chat).await.unwrap();
    assert_eq!(session.title, "The Rusty Anchor");
    let alice = repos::character::find_live_by_name(&pool, "Alice")
        .await
        .unwrap();
    assert_eq!(
        session.character_id, alice,
        "the first member is the chat's character"
    );

    assert_eq!(
        members(&pool, chat).await,
        [
            ("Alice".to_string(), false, 0.9),
            ("Bob".to_string(), false, 0.2),
            ("Cara".to_string(), true, 0.0),
        ]
    );
    let set = settings(&pool, chat).await;
    assert_eq!(set.turn_order, TurnOrder::List);
    assert!(set.join_cards);
    assert_eq!(set.auto_delay_secs, 7.0);
    assert_eq!(set.scenario, "A storm keeps everyone inside the tavern.");

    assert_eq!(shape(&pool, chat).await, expected_shape());
    assert_eq!(count(&pool, "chat_sessions").await, 1);
    assert_eq!(
        count(&pool, "characters").await,
        3,
        "no character was made up"
    );
}

#[tokio::test]
async fn a_dropped_data_folder_brings_its_groups_and_never_opens_secrets() {
    let pool = common::pool().await;
    let root = tempfile::tempdir().unwrap();
    let user = root.path().join("data/default-user");
    for d in ["characters", "chats", "groups", "group chats"] {
        std::fs::create_dir_all(user.join(d)).unwrap();
    }
    for n in ["Alice", "Bob", "Cara"] {
        std::fs::write(user.join(format!("characters/{n}.png")), card_png(n)).unwrap();
    }
    std::fs::write(user.join("groups/1727475756000.json"), fixture(GROUP)).unwrap();
    std::fs::write(user.join("group chats").join(CHAT_FILE), fixture(CHAT)).unwrap();
    // A second group whose chat is not there: an empty group chat, manual turns.
    std::fs::write(
        user.join("groups/1727480000000.json"),
        json!({"id": "1727480000000", "name": "Two of them", "members": ["Bob.png", "Alice.png"],
               "disabled_members": [], "activation_strategy": 2, "generation_mode": 0,
               "chat_id": "gone", "chats": ["gone"], "auto_mode_delay": 5})
        .to_string(),
    )
    .unwrap();
    // Group chats of old SillyTavern with one speaker so far still go in as groups.
    std::fs::write(
        user.join("group chats/lonely.jsonl"),
        r#"{"name":"Cara","is_user":false,"mes":"Anyone?","original_avatar":"Cara.png","extra":{}}"#,
    )
    .unwrap();
    std::fs::write(user.join("secrets.json"), "not json, never read").unwrap();
    std::fs::write(user.join("settings.json"), "not json either").unwrap();

    let report = import::import_paths(&pool, &[root.path().to_path_buf()], |_| {}).await;
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let kinds: Vec<ImportKind> = report.imported.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ImportKind::Character)
            .count(),
        3
    );
    assert_eq!(kinds.iter().filter(|k| **k == ImportKind::Group).count(), 2);

    let tavern = report
        .imported
        .iter()
        .find(|i| i.name == "The Rusty Anchor" && i.kind == ImportKind::Chat)
        .unwrap();
    let m = members(&pool, tavern.id).await;
    assert_eq!(
        m.iter()
            .map(|(n, muted, _)| (n.as_str(), *muted))
            .collect::<Vec<_>>(),
        [("Alice", false), ("Bob", false), ("Cara", true)]
    );
    assert_eq!(shape(&pool, tavern.id).await, expected_shape());

    let two = report
        .imported
        .iter()
        .find(|i| i.name == "Two of them")
        .unwrap();
    assert_eq!(two.kind, ImportKind::Group);
    assert_eq!(
        members(&pool, two.id)
            .await
            .iter()
            .map(|(n, ..)| n.as_str())
            .collect::<Vec<_>>(),
        ["Bob", "Alice"]
    );
    assert_eq!(settings(&pool, two.id).await.turn_order, TurnOrder::Manual);
    assert_eq!(
        message::page(&pool, two.id, None, None)
            .await
            .unwrap()
            .items
            .len(),
        0
    );

    let lonely = report.imported.iter().find(|i| i.name == "lonely").unwrap();
    assert_eq!(members(&pool, lonely.id).await.len(), 1);
    assert_eq!(count(&pool, "chat_sessions").await, 3);
}

#[tokio::test]
async fn a_group_chat_alone_takes_its_speakers_as_members() {
    let pool = common::pool().await;
    for n in ["Alice", "Bob"] {
        import::import_bytes(
            &pool,
            &format!("{n}.json"),
            fixture(&format!("groups/cards/{n}.json")),
        )
        .await
        .unwrap();
    }
    // An old group chat: no header line, dates in words.
    let got = import::import_bytes(&pool, "old.jsonl", fixture("groups/old_no_header.jsonl"))
        .await
        .unwrap();
    assert_eq!(got.kind, ImportKind::Chat);
    assert!(got.missing_members.is_empty());
    assert_eq!(
        members(&pool, got.id).await,
        [
            ("Alice".to_string(), false, 0.9),
            ("Bob".to_string(), false, 0.2)
        ]
    );
    let speakers: Vec<_> = shape(&pool, got.id)
        .await
        .into_iter()
        .map(|s| (s.2, s.3))
        .collect();
    assert_eq!(
        speakers,
        [(s("Alice"), s("Alice")), (None, None), (s("Bob"), s("Bob"))]
    );
    assert_eq!(settings(&pool, got.id).await, GroupSettings::default());

    // A one-character chat still goes in as one, with no speakers.
    let solo = import::import_bytes(&pool, "a.jsonl", fixture("chats/st_modern.jsonl"))
        .await
        .unwrap();
    assert!(members(&pool, solo.id).await.is_empty());
    assert!(shape(&pool, solo.id).await.iter().all(|s| s.2.is_none()));
}

#[tokio::test]
async fn a_group_file_alone_becomes_an_empty_group_chat_naming_who_is_missing() {
    let pool = common::pool().await;
    import::import_bytes(&pool, "Alice.json", fixture("groups/cards/Alice.json"))
        .await
        .unwrap();
    let got = import::import_bytes(&pool, "1727475756000.json", fixture(GROUP))
        .await
        .unwrap();
    assert_eq!(got.kind, ImportKind::Group);
    assert_eq!(got.name, "The Rusty Anchor");
    assert_eq!(got.missing_members, ["Bob.png", "Cara.png"]);
    assert_eq!(members(&pool, got.id).await.len(), 1);
    let set = settings(&pool, got.id).await;
    assert_eq!(set.turn_order, TurnOrder::List);
    assert_eq!(set.scenario, "A storm keeps everyone inside the tavern.");
}

#[tokio::test]
async fn an_imported_group_chat_exports_as_it_came_and_comes_back() {
    let pool = common::pool().await;
    let (_, chat) = import_group(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let files = export::export_chat_files(&pool, chat, out.path())
        .await
        .unwrap();
    assert_eq!(files.chat.file_name().unwrap(), CHAT_FILE);
    let group_path = files.group.expect("a group chat writes its group");
    assert_eq!(group_path.file_name().unwrap(), "1727475756000.json");

    // The chat comes out line for line as SillyTavern wrote it.
    assert_eq!(
        lines(&std::fs::read(&files.chat).unwrap()),
        lines(&fixture(CHAT))
    );
    // The group keeps its own fields; members, settings and chat are Parley's.
    let group: Value = serde_json::from_slice(&std::fs::read(&group_path).unwrap()).unwrap();
    let original: Value = serde_json::from_slice(&fixture(GROUP)).unwrap();
    for key in [
        "id",
        "name",
        "members",
        "disabled_members",
        "activation_strategy",
        "generation_mode",
        "auto_mode_delay",
        "chat_id",
        "fav",
        "hideMutedSprites",
    ] {
        assert_eq!(group[key], original[key], "{key}");
    }
    assert_eq!(group["chats"], json!(["2024-09-28@01h02m36s"]));

    // Into a fresh library with the same cards: the same chat.
    let again = common::pool().await;
    let dir = tempfile::tempdir().unwrap();
    for n in ["Alice", "Bob", "Cara"] {
        std::fs::write(dir.path().join(format!("{n}.png")), card_png(n)).unwrap();
    }
    std::fs::copy(&files.chat, dir.path().join(CHAT_FILE)).unwrap();
    std::fs::copy(&group_path, dir.path().join("1727475756000.json")).unwrap();
    let report = import::import_paths(&again, &[dir.path().to_path_buf()], |_| {}).await;
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let back = chat_of(&report);
    assert_eq!(shape(&again, back).await, shape(&pool, chat).await);
    assert_eq!(members(&again, back).await, members(&pool, chat).await);
    assert_eq!(settings(&again, back).await, settings(&pool, chat).await);
}

#[tokio::test]
async fn a_group_chat_made_in_parley_exports_what_sillytavern_reads() {
    let pool = common::pool().await;
    let alice = common::new_character(&pool, "Alice").await;
    let bob = common::new_character(&pool, "Bob Stone").await;
    let chat = common::new_chat(&pool, Some(alice)).await;
    let now = parley::models::Timestamp::now();
    repos::chat_member::add(&pool, chat, alice, 0.5, now)
        .await
        .unwrap();
    repos::chat_member::add(&pool, chat, bob, 0.5, now)
        .await
        .unwrap();
    let set = GroupSettings {
        turn_order: TurnOrder::Pooled,
        scenario: "On a train.".into(),
        ..GroupSettings::default()
    };
    repos::chat_member::set_settings(&pool, chat, &set)
        .await
        .unwrap();
    common::say(&pool, chat, "Tickets, please.").await;
    let mut conn = pool.acquire().await.unwrap();
    for (who, name, text) in [
        (alice, "Alice", "Here you go."),
        (bob, "Bob Stone", "I lost mine."),
    ] {
        repos::message::append(
            &mut conn,
            &repos::message::NewMessage {
                id: parley::models::new_id(),
                chat_session_id: chat,
                role: MessageRole::Assistant,
                status: parley::models::MessageStatus::Completed,
                content: text,
                metadata: &json!({}),
                created_at: parley::models::Timestamp::now(),
                speaker_id: Some(who),
                speaker_name: Some(name),
            },
        )
        .await
        .unwrap();
    }
    drop(conn);

    let out = tempfile::tempdir().unwrap();
    let files = export::export_chat_files(&pool, chat, out.path())
        .await
        .unwrap();
    let written = lines(&std::fs::read(&files.chat).unwrap());
    // What SillyTavern needs: a group header, then lines with `mes`,
    // `is_user`, `name`, `send_date`, and each reply's card file.
    assert_eq!(written[0]["user_name"], json!("unused"));
    assert_eq!(
        written[0]["chat_metadata"]["scenario"],
        json!("On a train.")
    );
    for line in &written[1..] {
        assert!(
            line["mes"].is_string() && line["is_user"].is_boolean(),
            "{line}"
        );
        assert!(
            line["name"].is_string() && line["send_date"].is_string(),
            "{line}"
        );
    }
    assert_eq!(written[2]["name"], json!("Alice"));
    assert_eq!(written[2]["original_avatar"], json!("Alice.png"));
    assert_eq!(written[3]["name"], json!("Bob Stone"));
    assert_eq!(written[3]["original_avatar"], json!("Bob Stone.png"));
    assert!(written[1].get("original_avatar").is_none());

    let group: Value =
        serde_json::from_slice(&std::fs::read(files.group.as_ref().unwrap()).unwrap()).unwrap();
    let stem = files
        .chat
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let id = group["id"].as_str().expect("the id is text");
    assert_eq!(
        files.group.unwrap().file_name().unwrap().to_string_lossy(),
        format!("{id}.json")
    );
    assert_eq!(group["members"], json!(["Alice.png", "Bob Stone.png"]));
    assert_eq!(group["disabled_members"], json!([]));
    assert_eq!(group["activation_strategy"], json!(3));
    assert_eq!(group["generation_mode"], json!(0));
    assert_eq!(group["chat_id"], json!(stem));
    assert_eq!(group["chats"], json!([stem]));
    assert!(group["name"].is_string() && group["chat_metadata"].is_object());

    // The members' cards exported beside it are the files the group names.
    for who in [alice, bob] {
        let card = export::export_character(&pool, who, export::CardFormat::Png, out.path())
            .await
            .unwrap();
        let file = card.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            group["members"].as_array().unwrap().contains(&json!(file)),
            "{file}"
        );
    }
    // And it all comes back: a fresh library, the whole folder dropped.
    let again = common::pool().await;
    let report = import::import_paths(&again, &[out.path().to_path_buf()], |_| {}).await;
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let back = chat_of(&report);
    assert_eq!(shape(&again, back).await, shape(&pool, chat).await);
    assert_eq!(settings(&again, back).await.turn_order, TurnOrder::Pooled);
    assert_eq!(settings(&again, back).await.scenario, "On a train.");
}

#[tokio::test]
async fn a_solo_chat_exports_exactly_as_before() {
    let pool = common::pool().await;
    let got = import::import_bytes(&pool, "a.jsonl", fixture("chats/st_modern.jsonl"))
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let files = export::export_chat_files(&pool, got.id, out.path())
        .await
        .unwrap();
    assert!(files.group.is_none());
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    assert_eq!(
        lines(&std::fs::read(&files.chat).unwrap()),
        lines(&fixture("chats/st_modern.jsonl"))
    );
}

#[tokio::test]
async fn broken_group_files_are_refused_in_words_and_write_nothing() {
    let pool = common::pool().await;
    for (text, says) in [
        (
            r#"{"id":"1","members":"Alice.png","chats":["1"]}"#,
            "no `members` list",
        ),
        (
            r#"{"id":"1","members":[{"a":1}],"chats":["1"]}"#,
            "`members` should be a list of texts",
        ),
        (
            r#"{"id":"1","members":[],"chats":["1"],"activation_strategy":"often"}"#,
            "`activation_strategy` should be a number",
        ),
        (
            r#"{"id":"1","members":["A.png"],"chats":["1"],"auto_mode_delay":{}}"#,
            "`auto_mode_delay` should be a number",
        ),
    ] {
        let err = import::import_bytes(&pool, "g.json", text.as_bytes().to_vec())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("g.json: ") && err.contains(says), "{err}");
    }
    // A group whose chat has a bad line: the chat is refused whole, and so
    // is the group (no empty chat in its place).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1727475756000.json"), fixture(GROUP)).unwrap();
    let mut chat = fixture(CHAT);
    chat.extend_from_slice(b"{\"name\":\"Bob\",\"mes\":5}\n");
    std::fs::write(dir.path().join(CHAT_FILE), chat).unwrap();
    let report = import::import_paths(&pool, &[dir.path().to_path_buf()], |_| {}).await;
    assert!(report.imported.is_empty(), "{:?}", report.imported);
    let reasons: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.file.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (CHAT_FILE, "line 8: `mes` should be text"),
            (
                "1727475756000.json",
                "none of its chats could be imported (each says why)"
            ),
        ]
    );
    for table in ["chat_sessions", "messages", "chat_members", "characters"] {
        assert_eq!(count(&pool, table).await, 0, "{table}");
    }
}
