//! Import and export: cards of every version and container, lossless round
//! trips, SillyTavern chats, folders, and hostile files refused by name with
//! nothing half-written.

mod common;

use common::cards::{b64, fixture, fixture_json, png_card, png_with};
use parley::models::{CharacterInput, ChatSessionInput, ListQuery, MessageRole};
use parley::services::export::{self, CardFormat};
use parley::services::import::{self, ImportKind};
use parley::services::{character, chat_session, message, prompt};
use rstest::rstest;
use serde_json::{json, Value};
use sqlx::SqlitePool;

async fn count(pool: &SqlitePool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn import(pool: &SqlitePool, name: &str, bytes: Vec<u8>) -> parley::models::Id {
    import::import_bytes(pool, name, bytes)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .id
}

#[rstest]
#[case::v1("cards/v1_tavern.json", "Old Tom", "*Tom squints at {{user}}.*")]
#[case::v1_pygmalion("cards/v1_pygmalion.json", "Pip", "Riddle me this, {{user}}!")]
#[case::v2("cards/v2_full.json", "Mira Vance", "*Mira kicks a crate")]
#[case::v3("cards/v3_full.json", "Seren", "Careful with that.")]
#[tokio::test]
async fn json_cards_of_every_version_import(
    #[case] path: &str,
    #[case] name: &str,
    #[case] greeting_start: &str,
) {
    let pool = common::pool().await;
    let id = import(&pool, path, fixture(path)).await;
    let c = character::get(&pool, id).await.unwrap();
    assert_eq!(c.name, name);
    assert!(
        c.first_message.starts_with(greeting_start),
        "{}",
        c.first_message
    );
    assert!(!c.description.is_empty() || !c.personality.is_empty());
}

#[tokio::test]
async fn every_v2_and_v3_field_is_kept() {
    let pool = common::pool().await;
    let c = character::get(
        &pool,
        import(&pool, "v2.json", fixture("cards/v2_full.json")).await,
    )
    .await
    .unwrap();
    assert_eq!(c.alternate_greetings.len(), 2);
    assert_eq!(c.tags.0, vec!["sci-fi", "pilot", "found family"]);
    assert_eq!(
        (c.creator.as_str(), c.character_version.as_str()),
        ("parley-fixtures", "1.2")
    );
    assert!(c.post_history_instructions.starts_with("Keep {{char}}"));
    assert_eq!(c.extensions.0["depth_prompt"]["depth"], json!(4));
    assert_eq!(
        c.character_book.as_ref().unwrap().0["entries"][0]["id"],
        json!(1)
    );

    let v3 = character::get(
        &pool,
        import(&pool, "v3.json", fixture("cards/v3_full.json")).await,
    )
    .await
    .unwrap();
    assert_eq!(
        v3.system_prompt,
        "You are {{char}}. Write in present tense."
    );
}

#[rstest]
#[case::v2("cards/v2_full.json", CardFormat::JsonV2)]
#[case::v3("cards/v3_full.json", CardFormat::JsonV3)]
#[tokio::test]
async fn an_imported_card_exports_exactly_as_it_came(
    #[case] path: &str,
    #[case] format: CardFormat,
) {
    let pool = common::pool().await;
    let id = import(&pool, path, fixture(path)).await;
    let out = export::card_bytes(&pool, id, format).await.unwrap();
    let exported: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(exported, fixture_json(path));
}

#[tokio::test]
async fn edits_change_their_field_and_nothing_else() {
    let pool = common::pool().await;
    let id = import(&pool, "v2.json", fixture("cards/v2_full.json")).await;
    let c = character::get(&pool, id).await.unwrap();
    let edited = CharacterInput {
        name: c.name.clone(),
        description: "Rewritten by hand.".into(),
        personality: c.personality.clone(),
        scenario: c.scenario.clone(),
        first_message: c.first_message.clone(),
        example_messages: c.example_messages.clone(),
        alternate_greetings: c.alternate_greetings.0.clone(),
        system_prompt: c.system_prompt.clone(),
        post_history_instructions: c.post_history_instructions.clone(),
        creator_notes: c.creator_notes.clone(),
        tags: c.tags.0.clone(),
        creator: c.creator.clone(),
        character_version: c.character_version.clone(),
        // What the editor sends when it did not touch them: nothing.
        extensions: None,
        character_book: None,
    };
    character::update(&pool, id, edited).await.unwrap();
    let out: Value = serde_json::from_slice(
        &export::card_bytes(&pool, id, CardFormat::JsonV2)
            .await
            .unwrap(),
    )
    .unwrap();
    let mut expected = fixture_json("cards/v2_full.json");
    expected["data"]["description"] = json!("Rewritten by hand.");
    assert_eq!(out, expected);
}

#[tokio::test]
async fn png_export_carries_v2_and_v3_chunks_another_decoder_reads() {
    let pool = common::pool().await;
    let id = import(&pool, "mira.png", png_card("cards/v2_full.json")).await;
    let png = export::card_bytes(&pool, id, CardFormat::Png)
        .await
        .unwrap();

    // Read with the `png` crate, not Parley's own chunk reader.
    let mut reader = png::Decoder::new(std::io::Cursor::new(&png))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut pixels).unwrap();
    reader.finish().unwrap();
    let texts: Vec<(String, String)> = reader
        .info()
        .uncompressed_latin1_text
        .iter()
        .map(|t| (t.keyword.clone(), t.text.clone()))
        .collect();
    let decode = |k: &str| -> Value {
        let (_, text) = texts.iter().find(|(kw, _)| kw == k).unwrap();
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let v2 = decode("chara");
    let v3 = decode("ccv3");
    assert_eq!(v2["spec"], json!("chara_card_v2"));
    assert_eq!(v2["data"], fixture_json("cards/v2_full.json")["data"]);
    assert_eq!(v3["spec"], json!("chara_card_v3"));
    assert_eq!(v3["spec_version"], json!("3.0"));
    assert_eq!(v3["data"]["name"], json!("Mira Vance"));
    assert_eq!(texts.len(), 2, "exactly one chara and one ccv3: {texts:?}");

    // And Parley reads its own export back to the same character.
    let again = character::get(&pool, import(&pool, "again.png", png).await)
        .await
        .unwrap();
    let first = character::get(&pool, id).await.unwrap();
    assert_eq!(again.description, first.description);
    assert_eq!(
        again.character_book.unwrap().0,
        first.character_book.unwrap().0
    );
}

#[tokio::test]
async fn a_png_card_keeps_its_avatar_and_gets_a_thumbnail() {
    let pool = common::pool().await;
    let id = import(&pool, "mira.png", png_card("cards/v2_full.json")).await;
    let thumbs = character::thumbnails(&pool, &[id]).await.unwrap();
    assert!(thumbs[&id.to_string()].starts_with("data:image/png;base64,"));
    let (avatar, mime): (Vec<u8>, String) =
        sqlx::query_as("select avatar, avatar_mime from characters where id = ?1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(mime, "image/png");
    let img = image::load_from_memory(&avatar).unwrap();
    assert_eq!((img.width(), img.height()), (400, 600));
    assert!(
        !String::from_utf8_lossy(&avatar).contains("chara"),
        "the card chunk is not kept twice"
    );
}

#[tokio::test]
async fn ccv3_wins_over_chara_when_both_are_there() {
    let pool = common::pool().await;
    let v2 = json!({"spec": "chara_card_v2", "data": {"name": "From chara"}}).to_string();
    let v3 = json!({"spec": "chara_card_v3", "data": {"name": "From ccv3"}}).to_string();
    let png = png_with(&[
        ("chara", &b64(v2.as_bytes())),
        ("ccv3", &b64(v3.as_bytes())),
    ]);
    let c = character::get(&pool, import(&pool, "both.png", png).await)
        .await
        .unwrap();
    assert_eq!(c.name, "From ccv3");
}

#[tokio::test]
async fn a_charx_archive_imports_with_its_icon() {
    use std::io::Write;
    let pool = common::pool().await;
    let icon = parley::cards::image::placeholder_png("Seren");
    let mut card = fixture_json("cards/v3_full.json");
    card["data"]["assets"] = json!([{"type": "icon", "uri": "embeded://assets/icon/images/main.png",
        "name": "main", "ext": "png"}]);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("card.json", opts).unwrap();
    zip.write_all(card.to_string().as_bytes()).unwrap();
    zip.start_file("assets/icon/images/main.png", opts).unwrap();
    zip.write_all(&icon).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let id = import(&pool, "seren.charx", bytes).await;
    assert_eq!(character::get(&pool, id).await.unwrap().name, "Seren");
    assert_eq!(character::thumbnails(&pool, &[id]).await.unwrap().len(), 1);
}

/// A PNG whose IHDR claims `w` x `h` (with a valid checksum).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = png_card("cards/v2_full.json");
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn deep_json() -> Vec<u8> {
    let mut s = String::from(r#"{"spec":"chara_card_v2","data":{"name":"Deep","extensions":{"x":"#);
    s.push_str(&"[".repeat(90));
    s.push_str(&"]".repeat(90));
    s.push_str("}}}");
    s.into_bytes()
}

fn bomb_png() -> Vec<u8> {
    use std::io::Write;
    // 64 MB of spaces compress to ~64 KB: the limit is 16 MB.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..64 {
        z.write_all(&[b' '; 1024 * 1024]).unwrap();
    }
    let mut data = b"chara\0\0".to_vec();
    data.extend(z.finish().unwrap());
    // Insert a zTXt chunk before IEND by hand.
    let base = parley::cards::image::placeholder_png("bomb");
    let (body, iend) = base.split_at(base.len() - 12);
    let mut out = body.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut chunk = b"zTXt".to_vec();
    chunk.extend_from_slice(&data);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32fast::hash(&chunk).to_be_bytes());
    out.extend_from_slice(iend);
    out
}

#[rstest]
#[case::wrong_type(
    "wrong_types.json",
    fixture("cards/wrong_types.json"),
    "`description` should be text, not a number"
)]
#[case::no_name("no_name.json", fixture("cards/no_name.json"), "the card has no name")]
#[case::not_a_card("world.json", fixture("cards/not_a_card.json"), "the card has no name")]
#[case::unknown_spec(
    "future.json",
    fixture("cards/unknown_spec.json"),
    "`chara_card_v9`, which Parley does not know"
)]
#[case::truncated_json("cut.json", fixture("cards/truncated.json"), "is not valid JSON")]
#[case::deep_json("deep.json", deep_json(), "levels deep; the limit is 64")]
#[case::not_an_object("list.json", b"[1, 2]".to_vec(), "not a JSON object")]
#[case::png_without_card(
    "plain.png",
    parley::cards::image::placeholder_png("x"),
    "holds no character card"
)]
#[case::png_truncated("cut.png", { let p = png_card("cards/v2_full.json"); p[..p.len() / 2].to_vec() }, "truncated")]
#[case::png_bad_crc("crc.png", { let mut p = png_card("cards/v2_full.json"); let n = p.len(); p[n - 20] ^= 0x55; p }, "fails its checksum")]
#[case::png_bad_base64("b64.png", png_with(&[("chara", "!!!not base64!!!")]), "not valid base64")]
#[case::png_huge(
    "huge.png",
    png_claiming(100_000, 100_000),
    "100000x100000 pixels; the limit is 8192x8192"
)]
#[case::png_bomb("bomb.png", bomb_png(), "larger than 16 MB")]
#[case::charx_without_card("empty.charx", { let z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new())); z.finish().unwrap().into_inner() }, "no card.json")]
#[case::unknown_kind("notes.txt", b"hello".to_vec(), "does not know this kind of file")]
#[case::path_like_name(
    "../../etc/evil.json",
    fixture("cards/wrong_types.json"),
    "should be text"
)]
#[tokio::test]
async fn hostile_files_are_refused_by_name_and_nothing_is_written(
    #[case] name: &str,
    #[case] bytes: Vec<u8>,
    #[case] problem: &str,
) {
    let pool = common::pool().await;
    let err = import::import_bytes(&pool, name, bytes).await.unwrap_err();
    let shown = import::display_name(name);
    let text = err.to_string();
    assert!(text.starts_with(&format!("{shown}: ")), "{text}");
    assert!(text.contains(problem), "{text}");
    assert!(!text.contains(".."), "no path in the message: {text}");
    assert_eq!(count(&pool, "characters").await, 0);
}

#[tokio::test]
async fn script_in_card_fields_is_kept_as_text_and_renders_inert() {
    let pool = common::pool().await;
    let id = import(&pool, "eve.json", fixture("cards/hostile_script.json")).await;
    let c = character::get(&pool, id).await.unwrap();
    assert_eq!(c.name, "<img src=x onerror=alert(1)>Eve");
    assert!(c.description.contains("<script>"));
    let chat = common::new_chat(&pool, Some(id)).await;
    let page = message::page(&pool, chat, None, None).await.unwrap();
    let html = parley::services::markdown::render(&page.items[0].content);
    // Tags and attributes, not their text: escaped markup is harmless words.
    for bad in [
        "<script",
        "<iframe",
        "<b onclick",
        "<img",
        "href=\"javascript:",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("hi"));
}

#[tokio::test]
async fn greetings_become_the_swipes_of_a_new_chat() {
    let pool = common::pool().await;
    let id = import(&pool, "mira.json", fixture("cards/v2_full.json")).await;
    let chat = common::new_chat(&pool, Some(id)).await;
    let first = &message::page(&pool, chat, None, None).await.unwrap().items[0];
    assert_eq!(first.swipe_count, 3);
    assert!(first
        .content
        .starts_with("*Mira kicks a crate toward {{user}}.*"));
    let swiped = message::set_swipe(&pool, first.id, 2).await.unwrap();
    assert_eq!(swiped.content, "You're late. We launched an hour ago.");
}

#[tokio::test]
async fn an_imported_lorebook_shapes_the_prompt() {
    let pool = common::pool().await;
    let id = import(&pool, "mira.json", fixture("cards/v2_full.json")).await;
    let chat = common::new_chat(&pool, Some(id)).await;
    common::say(&pool, chat, "Tell me about the ship. Is Orrin aboard?").await;
    let c = character::get(&pool, id).await.unwrap();
    let history = message::page(&pool, chat, None, None).await.unwrap().items;
    let p = prompt::assemble(prompt::PromptInputs {
        character: Some(&c),
        persona: None,
        system_prompt: None,
        history: &history,
        context_length: 8192,
        max_output_tokens: 512,
        memory: None,
        objectives: None,
        macros: None,
        authors_note: None,
    });
    let system = &p.messages[0].content;
    assert!(system.contains("patched-up Type-9 freighter"), "{system}");
    assert!(
        !system.contains("estranged brother"),
        "disabled entry left out"
    );
}

/// Each line of a `.jsonl` text as JSON.
fn lines(text: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(text)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[rstest]
#[case::modern("chats/st_modern.jsonl")]
#[case::old_dates("chats/st_old_dates.jsonl")]
#[tokio::test]
async fn sillytavern_chats_round_trip_line_for_line(#[case] path: &str) {
    let pool = common::pool().await;
    let imported = import::import_bytes(&pool, path, fixture(path))
        .await
        .unwrap();
    assert_eq!(imported.kind, ImportKind::Chat);
    let mut out = Vec::new();
    export::chat_jsonl(&pool, imported.id, &mut out)
        .await
        .unwrap();
    assert_eq!(lines(&out), lines(&fixture(path)));
}

#[tokio::test]
async fn an_imported_chat_has_its_roles_swipes_and_dates() {
    let pool = common::pool().await;
    let mira = import(&pool, "mira.json", fixture("cards/v2_full.json")).await;
    let imported =
        import::import_bytes(&pool, "Mira - 2024.jsonl", fixture("chats/st_modern.jsonl"))
            .await
            .unwrap();
    let chat = chat_session::get(&pool, imported.id).await.unwrap();
    assert_eq!(chat.character_id, Some(mira), "linked to the card by name");
    assert_eq!(chat.title, "Mira - 2024");
    let items = message::page(&pool, imported.id, None, None)
        .await
        .unwrap()
        .items;
    let roles: Vec<MessageRole> = items.iter().map(|m| m.role).collect();
    use MessageRole::*;
    assert_eq!(roles, vec![Assistant, User, Assistant, System]);
    assert_eq!((items[2].swipe_count, items[2].active_swipe), (3, 2));
    assert!(items[2].content.starts_with("Everything."));
    assert_eq!(items[1].created_at.to_string(), "2024-03-02T18:42:10.000Z");
    let (first, first_at): (String, i64) = sqlx::query_as(
        "select content, created_at from message_swipes where message_id = ?1 and swipe_index = 1",
    )
    .bind(items[2].id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(first, "It hates you.");
    assert_eq!(
        parley::models::Timestamp::from_millis(first_at).to_string(),
        "2024-03-02T18:42:25.000Z"
    );
}

#[tokio::test]
async fn unreadable_dates_take_the_one_before() {
    let pool = common::pool().await;
    let imported = import::import_bytes(&pool, "tom.jsonl", fixture("chats/st_old_dates.jsonl"))
        .await
        .unwrap();
    let items = message::page(&pool, imported.id, None, None)
        .await
        .unwrap()
        .items;
    assert_eq!(items[0].created_at.millis(), 1_682_935_200_000);
    assert_eq!(
        items[3].created_at, items[2].created_at,
        "\"sometime\" takes the previous date"
    );
    assert!(items[1].created_at > items[0].created_at);
}

#[tokio::test]
async fn a_chat_with_one_bad_line_is_refused_whole() {
    let pool = common::pool().await;
    let err = import::import_bytes(&pool, "bad.jsonl", fixture("chats/st_bad_flag.jsonl"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.jsonl: line 3: `is_user` should be true or false"
    );
    assert_eq!(count(&pool, "chat_sessions").await, 0);
    assert_eq!(count(&pool, "messages").await, 0);
}

#[tokio::test]
async fn a_chat_for_an_unknown_character_brings_a_character_by_that_name() {
    let pool = common::pool().await;
    let imported = import::import_bytes(&pool, "tom.jsonl", fixture("chats/st_old_dates.jsonl"))
        .await
        .unwrap();
    let chat = chat_session::get(&pool, imported.id).await.unwrap();
    let c = character::get(&pool, chat.character_id.unwrap())
        .await
        .unwrap();
    assert_eq!(c.name, "Old Tom");
}

#[tokio::test]
async fn a_sillytavern_folder_imports_cards_then_their_chats_and_skips_the_rest() {
    let pool = common::pool().await;
    let root = tempfile::tempdir().unwrap();
    let user = root.path().join("default-user");
    std::fs::create_dir_all(user.join("characters")).unwrap();
    std::fs::create_dir_all(user.join("chats/Mira Vance")).unwrap();
    std::fs::create_dir_all(user.join("chats/Old Tom")).unwrap();
    std::fs::write(
        user.join("characters/Mira Vance.png"),
        png_card("cards/v2_full.json"),
    )
    .unwrap();
    std::fs::write(
        user.join("characters/Old Tom.json"),
        fixture("cards/v1_tavern.json"),
    )
    .unwrap();
    std::fs::write(user.join("characters/broken.png"), b"\x89PNG\r\n\x1a\nnope").unwrap();
    std::fs::write(
        user.join("chats/Mira Vance/a.jsonl"),
        fixture("chats/st_modern.jsonl"),
    )
    .unwrap();
    std::fs::write(
        user.join("chats/Old Tom/b.jsonl"),
        fixture("chats/st_old_dates.jsonl"),
    )
    .unwrap();
    // Never opened: they are not under characters/ or chats/.
    std::fs::write(
        user.join("secrets.json"),
        br#"{"api_key_openai": "sk-secret"}"#,
    )
    .unwrap();
    std::fs::write(user.join("settings.json"), b"{}").unwrap();

    let mut seen = Vec::new();
    let report =
        import::import_paths(&pool, &[root.path().to_path_buf()], |p| seen.push(p.done)).await;
    let kinds: Vec<(ImportKind, &str)> = report
        .imported
        .iter()
        .map(|i| (i.kind, i.name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ImportKind::Character, "Mira Vance"),
            (ImportKind::Character, "Old Tom"),
            (ImportKind::Chat, "a"),
            (ImportKind::Chat, "b"),
        ]
    );
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].file, "broken.png");
    assert!(
        report.skipped[0].reason.contains("truncated"),
        "{:?}",
        report.skipped
    );
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        count(&pool, "characters").await,
        2,
        "chats found their cards"
    );
    let page = chat_session::list(&pool, &ListQuery::default())
        .await
        .unwrap();
    assert!(page.items.iter().all(|c| c.character_name.is_some()));
}

#[tokio::test]
async fn exports_land_in_the_folder_under_a_safe_name() {
    let pool = common::pool().await;
    let dir = tempfile::tempdir().unwrap();
    let id = character::create(&pool, common::character("../../evil"))
        .await
        .unwrap()
        .id;
    let first = export::export_character(&pool, id, CardFormat::Png, dir.path())
        .await
        .unwrap();
    let second = export::export_character(&pool, id, CardFormat::Png, dir.path())
        .await
        .unwrap();
    assert_eq!(first.parent(), Some(dir.path()));
    assert_eq!(first.file_name().unwrap(), "_.._evil.png");
    assert_eq!(second.file_name().unwrap(), "_.._evil (2).png");
    // A card made in Parley (no avatar) exports on a placeholder image and
    // imports back.
    let back = import(&pool, "x.png", std::fs::read(&first).unwrap()).await;
    assert_eq!(
        character::get(&pool, back).await.unwrap().name,
        "../../evil"
    );

    let chat = common::new_chat(&pool, Some(id)).await;
    common::say(&pool, chat, "hello there").await;
    let path = export::export_chat(&pool, chat, dir.path()).await.unwrap();
    let written = lines(&std::fs::read(path).unwrap());
    assert_eq!(written[0]["character_name"], json!("../../evil"));
    assert_eq!(written[1]["mes"], json!("hello there"));
    assert_eq!(written[1]["is_user"], json!(true));
}

#[tokio::test]
async fn a_chat_made_in_parley_survives_export_and_import() {
    let pool = common::pool().await;
    let id = import(&pool, "mira.json", fixture("cards/v2_full.json")).await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    common::say(&pool, chat, "First words, with café and 🌙.").await;
    let mut out = Vec::new();
    export::chat_jsonl(&pool, chat, &mut out).await.unwrap();
    let back = import::import_bytes(&pool, "x.jsonl", out.clone())
        .await
        .unwrap();
    let a = message::page(&pool, chat, None, None).await.unwrap().items;
    let b = message::page(&pool, back.id, None, None)
        .await
        .unwrap()
        .items;
    let shape = |ms: &[parley::models::Message]| -> Vec<(MessageRole, String, i64, i64, i64)> {
        ms.iter()
            .map(|m| {
                (
                    m.role,
                    m.content.clone(),
                    m.created_at.millis(),
                    m.swipe_count,
                    m.active_swipe,
                )
            })
            .collect()
    };
    assert_eq!(shape(&a), shape(&b));
    let mut again = Vec::new();
    export::chat_jsonl(&pool, back.id, &mut again)
        .await
        .unwrap();
    assert_eq!(lines(&again)[1..], lines(&out)[1..]);
}

#[tokio::test]
async fn showing_another_swipe_keeps_the_line_for_export() {
    let pool = common::pool().await;
    let imported = import::import_bytes(&pool, "a.jsonl", fixture("chats/st_modern.jsonl"))
        .await
        .unwrap();
    let items = message::page(&pool, imported.id, None, None)
        .await
        .unwrap()
        .items;
    message::set_swipe(&pool, items[2].id, 0).await.unwrap();
    message::set_swipe(&pool, items[2].id, 2).await.unwrap();
    let mut out = Vec::new();
    export::chat_jsonl(&pool, imported.id, &mut out)
        .await
        .unwrap();
    assert_eq!(lines(&out), lines(&fixture("chats/st_modern.jsonl")));

    // Shown on another swipe, the line says so and keeps its fields.
    message::set_swipe(&pool, items[2].id, 0).await.unwrap();
    let mut out = Vec::new();
    export::chat_jsonl(&pool, imported.id, &mut out)
        .await
        .unwrap();
    let line = &lines(&out)[3];
    assert_eq!(line["swipe_id"], json!(0));
    assert_eq!(line["mes"], json!("Nothing, if you ask it."));
    assert_eq!(line["extra"]["model"], json!("gpt-4o"));
    assert_eq!(line["gen_started"], json!("2024-03-02T18:42:10.100Z"));
}

#[tokio::test]
async fn a_chat_folder_named_unlike_its_card_still_finds_it() {
    let pool = common::pool().await;
    let root = tempfile::tempdir().unwrap();
    let chats = root.path().join("chats/Mira Vance1");
    std::fs::create_dir_all(&chats).unwrap();
    std::fs::write(chats.join("x.jsonl"), fixture("chats/st_modern.jsonl")).unwrap();
    let mira = import(&pool, "mira.json", fixture("cards/v2_full.json")).await;
    let report = import::import_paths(&pool, &[root.path().to_path_buf()], |_| {}).await;
    let chat = chat_session::get(&pool, report.imported[0].id)
        .await
        .unwrap();
    assert_eq!(chat.character_id, Some(mira));
    assert_eq!(count(&pool, "characters").await, 1);
}

#[tokio::test]
async fn a_path_that_is_not_there_is_reported() {
    let pool = common::pool().await;
    let report = import::import_paths(
        &pool,
        &[std::path::PathBuf::from("/nonexistent/cards/mira.png")],
        |_| {},
    )
    .await;
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].file, "mira.png");
    assert_eq!(report.skipped[0].reason, "there is no such file or folder");
}
