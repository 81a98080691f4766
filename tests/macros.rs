//! Macros and the author's note in a chat, against real SQLite and the mock
//! provider: a macro with chance or a side effect is evaluated once, when
//! its message is sent or made, and every later read shows the same result
//! (the window's `message_show`, the prompt); chat variables carry across
//! messages; the author's note goes in at its depth when its frequency says
//! so; SillyTavern's note comes in with an imported chat and goes back out;
//! the macros table in docs/MACROS.md names exactly what the module handles.
//! The macros themselves, one by one and malformed, are tested in
//! `src-tauri/src/services/macros/tests.rs`.

mod common;

use common::recorder::Recorder;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use parley::models::{
    AuthorsNote, CharacterInput, ChatSessionInput, Id, MessageInput, MessageRole,
};
use parley::secrets::MemorySecretStore;
use parley::services::generation;
use parley::services::macros::{self, display::Item};
use parley::services::prompt::PartKind;
use parley::services::{chat_session, export, import, message};
use parley::state::AppState;
use rstest::rstest;
use sqlx::SqlitePool;

/// A chat with Mira (greeting `greeting`) and Alex on the mock model.
async fn world(replies: Vec<Vec<&str>>, greeting: &str) -> (AppState, Id, MockLlm) {
    let pool = common::pool().await;
    let mock = MockLlm::start(
        replies
            .into_iter()
            .map(|t| stream(openai_tokens(&t)))
            .collect(),
    )
    .await;
    let model = common::mock_model(&pool, &mock.base_url).await;
    let mira = CharacterInput {
        name: "Mira".into(),
        description: "{{char}} captains a ship. Mood: {{getvar::mood}}.".into(),
        first_message: greeting.into(),
        alternate_greetings: vec!["Other greeting {{roll:1d1000000}}".into()],
        ..Default::default()
    };
    let chat = common::chat_with_persona(&pool, mira, "Alex", model.id).await;
    (common::state(pool), chat, mock)
}

async fn send(state: &AppState, chat: Id, text: &str) -> generation::Started {
    let rec = Arc::new(Recorder::default());
    let started = generation::send(state, chat, text.into(), rec.sink())
        .await
        .unwrap();
    rec.wait_end().await;
    started
}

/// Every message of the chat as the window shows it, read afresh.
async fn shown(pool: &SqlitePool, chat: Id) -> Vec<String> {
    let page = message::page(pool, chat, None, Some(100)).await.unwrap();
    let items: Vec<Item> = page
        .items
        .iter()
        .map(|m| Item {
            text: m.content.clone(),
            macros: macros::stored(&m.metadata.0),
            speaker: None,
        })
        .collect();
    macros::chat::show(pool, chat, &items)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[tokio::test]
async fn a_roll_is_made_once_when_sent_and_shown_the_same_ever_after() {
    let (state, chat, mock) = world(vec![vec!["Nice ", "roll."]], "Hello {{user}}.").await;
    let started = send(&state, chat, "I roll {{roll:1d1000}} for {{user}}").await;
    let user = started.user_message.unwrap();
    let values = macros::stored(&user.metadata.0);
    assert_eq!(values.len(), 1, "{:?}", user.metadata.0);
    let n: i64 = values[0].parse().unwrap();
    assert!((1..=1000).contains(&n));
    let want = format!("I roll {n} for Alex");
    for _ in 0..5 {
        let texts = shown(&state.pool, chat).await;
        assert_eq!(texts[1], want, "{texts:?}");
    }
    // The model was sent the same number.
    let body = mock.requests()[0].json();
    let sent: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(sent.contains(&want.as_str()), "{sent:?}");
    // The stored text keeps the macro.
    let stored = message::get(&state.pool, user.id).await.unwrap();
    assert_eq!(stored.content, "I roll {{roll:1d1000}} for {{user}}");
}

#[tokio::test]
async fn greetings_are_evaluated_when_the_chat_is_made() {
    let (state, chat, _mock) = world(vec![], "Day {{roll:1d1000000}}, {{user}}.").await;
    let first = shown(&state.pool, chat).await;
    assert!(
        first[0].starts_with("Day ") && first[0].ends_with(", Alex."),
        "{first:?}"
    );
    assert_eq!(shown(&state.pool, chat).await, first);
    // The alternate greeting has its own roll, also kept.
    let page = message::page(&state.pool, chat, None, None).await.unwrap();
    let greeting = page.items[0].id;
    let other = message::set_swipe(&state.pool, greeting, 1).await.unwrap();
    assert_eq!(macros::stored(&other.metadata.0).len(), 1);
    let a = shown(&state.pool, chat).await;
    assert!(a[0].starts_with("Other greeting "), "{a:?}");
    assert_eq!(shown(&state.pool, chat).await, a);
}

#[tokio::test]
async fn variables_set_in_one_message_are_read_in_later_ones_and_the_prompt() {
    let (state, chat, mock) = world(
        vec![vec!["Aye, ", "{{getvar::mood}} it is."], vec!["Ok."]],
        "Hi.",
    )
    .await;
    send(&state, chat, "{{setvar::mood::stormy}}Let's sail.").await;
    // The card's `{{getvar}}` saw the value the person's message set.
    let system = mock.requests()[0].json()["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(system.contains("Mood: stormy."), "{system}");
    // The reply's macro was evaluated as it ended.
    let texts = shown(&state.pool, chat).await;
    assert_eq!(texts[1], "Let's sail.");
    assert_eq!(texts[2], "Aye, stormy it is.");
    // Changed later: earlier messages keep what they showed.
    send(&state, chat, "{{setvar::mood::calm}}Now: {{getvar::mood}}").await;
    let texts = shown(&state.pool, chat).await;
    assert_eq!(texts[2], "Aye, stormy it is.");
    assert_eq!(texts[3], "Now: calm");
    let vars = parley::repos::chat_session::variables(&state.pool, chat)
        .await
        .unwrap();
    assert_eq!(vars, serde_json::json!({"mood": "calm"}));
}

#[tokio::test]
async fn an_edit_evaluates_the_new_text_once() {
    let (state, chat, _mock) = world(vec![], "Hi.").await;
    let id = common::say(&state.pool, chat, "plain").await;
    let edited = message::update(&state.pool, id, "{{random:only}} {{roll:1d1}}")
        .await
        .unwrap();
    assert_eq!(macros::stored(&edited.metadata.0), vec!["only", "1"]);
    assert_eq!(shown(&state.pool, chat).await[1], "only 1");
}

/// A chat of `n` exchanges (the person first) with `note`; the prompt's
/// history part kinds, in order.
async fn note_parts(n: usize, note: AuthorsNote) -> Vec<PartKind> {
    let pool = common::pool().await;
    let mock = MockLlm::start(vec![]).await;
    let model = common::mock_model(&pool, &mock.base_url).await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            authors_note: Some(note),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for i in 0..n {
        common::say(&pool, chat.id, &format!("question {i}")).await;
        message::add(
            &pool,
            chat.id,
            MessageInput {
                role: MessageRole::Assistant,
                content: format!("answer {i}"),
            },
        )
        .await
        .unwrap();
    }
    let preview = generation::preview_in(&pool, &MemorySecretStore::default(), chat.id, None)
        .await
        .unwrap();
    let parts: Vec<PartKind> = preview.prompt.parts.iter().map(|p| p.kind).collect();
    if let Some(i) = parts.iter().position(|k| *k == PartKind::AuthorsNote) {
        let m = &preview.prompt.messages[i];
        assert_eq!(m.content, "Keep it short, Assistant.");
        assert_eq!(m.role, MessageRole::User);
    }
    parts
        .into_iter()
        .filter(|k| matches!(k, PartKind::History | PartKind::AuthorsNote))
        .collect()
}

fn note(depth: i64, frequency: i64) -> AuthorsNote {
    AuthorsNote {
        text: "Keep it short, {{char}}.".into(),
        depth,
        frequency,
        role: MessageRole::User,
    }
}

use PartKind::{AuthorsNote as N, History as H};

#[rstest]
#[case::depth_0(2, note(0, 1), vec![H, H, H, H, N])]
#[case::depth_2(2, note(2, 1), vec![H, H, N, H, H])]
#[case::beyond_the_history(2, note(9, 1), vec![N, H, H, H, H])]
#[case::frequency_0(2, note(0, 0), vec![H, H, H, H])]
#[case::frequency_3_on_turn_3(3, note(1, 3), vec![H, H, H, H, H, N, H])]
#[case::frequency_3_on_turn_2(2, note(1, 3), vec![H, H, H, H])]
#[case::frequency_3_on_turn_6(6, note(0, 3), [vec![H; 12], vec![N]].concat())]
#[case::empty_text(2, AuthorsNote { text: " ".into(), ..note(0, 1) }, vec![H, H, H, H])]
#[tokio::test]
async fn the_authors_note_goes_in_at_its_depth_when_its_frequency_says(
    #[case] exchanges: usize,
    #[case] note: AuthorsNote,
    #[case] want: Vec<PartKind>,
) {
    assert_eq!(note_parts(exchanges, note).await, want);
}

#[tokio::test]
async fn new_chats_take_the_default_note_from_settings() {
    let pool = common::pool().await;
    let default = note(3, 2);
    parley::services::app_config::write(
        &pool,
        &parley::services::app_config::AUTHORS_NOTE,
        &default,
    )
    .await
    .unwrap();
    let chat = common::new_chat(&pool, None).await;
    let c = chat_session::get(&pool, chat).await.unwrap();
    assert_eq!(c.authors_note, default);
    let bad = chat_session::update(
        &pool,
        chat,
        ChatSessionInput {
            title: "x".into(),
            authors_note: Some(note(-1, 1)),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(bad.to_string().contains("depth"), "{bad}");
}

const ST_CHAT: &str = concat!(
    r#"{"user_name":"Alex","character_name":"Mira","create_date":"2024-03-02@18h41m07s","chat_metadata":{"note_prompt":"Rain, always rain.","note_interval":3,"note_depth":2,"note_position":1,"note_role":2,"variables":{"hp":"12"}}}"#,
    "\n",
    r#"{"name":"Alex","is_user":true,"is_system":false,"send_date":"2024-03-02T18:41:07.120Z","mes":"HP {{getvar::hp}}","extra":{}}"#,
    "\n"
);

#[tokio::test]
async fn sillytavern_notes_and_variables_come_in_and_go_back_out() {
    let pool = common::pool().await;
    let imported = import::import_bytes(&pool, "Mira - rain.jsonl", ST_CHAT.as_bytes().to_vec())
        .await
        .unwrap();
    let chat = chat_session::get(&pool, imported.id).await.unwrap();
    assert_eq!(
        chat.authors_note,
        AuthorsNote {
            text: "Rain, always rain.".into(),
            depth: 2,
            frequency: 3,
            role: MessageRole::Assistant,
        }
    );
    let vars = parley::repos::chat_session::variables(&pool, chat.id)
        .await
        .unwrap();
    assert_eq!(vars, serde_json::json!({"hp": "12"}));
    // Unchanged, the header goes out as it came.
    let mut out = Vec::new();
    export::chat_jsonl(&pool, chat.id, &mut out).await.unwrap();
    let header: serde_json::Value =
        serde_json::from_str(std::str::from_utf8(&out).unwrap().lines().next().unwrap()).unwrap();
    let first: serde_json::Value = serde_json::from_str(ST_CHAT.lines().next().unwrap()).unwrap();
    assert_eq!(header, first);
    // Changed in Parley, the new note goes out.
    chat_session::update(
        &pool,
        chat.id,
        ChatSessionInput {
            title: chat.title.clone(),
            authors_note: Some(AuthorsNote {
                text: "Sun at last.".into(),
                depth: 0,
                frequency: 1,
                role: MessageRole::System,
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    export::chat_jsonl(&pool, chat.id, &mut out).await.unwrap();
    let header: serde_json::Value =
        serde_json::from_str(std::str::from_utf8(&out).unwrap().lines().next().unwrap()).unwrap();
    let meta = &header["chat_metadata"];
    assert_eq!(meta["note_prompt"], "Sun at last.");
    assert_eq!(
        (
            &meta["note_depth"],
            &meta["note_interval"],
            &meta["note_role"],
            &meta["note_position"]
        ),
        (
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(0),
            &serde_json::json!(1)
        )
    );
    assert_eq!(meta["variables"], serde_json::json!({"hp": "12"}));
}

/// The macro a row of the docs' table names: `{{random:a,b,c}}` and
/// `{{random::a::b}}` both name `random`, `<USER>` names itself.
fn docs_table() -> Vec<String> {
    let doc = std::fs::read_to_string("docs/MACROS.md").expect("docs/MACROS.md");
    let table = doc
        .split("<!-- macros table -->")
        .nth(1)
        .expect("the docs mark their macros table");
    table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| {
            let cell = l.split('|').nth(1)?.trim();
            Some(cell.trim_matches('`').to_string())
        })
        .collect()
}

#[test]
fn the_macros_table_in_the_docs_matches_the_code() {
    let docs: BTreeSet<String> = docs_table().into_iter().collect();
    let code: BTreeSet<String> = macros::CATALOGUE.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        docs.difference(&code).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in the docs, not in macros::CATALOGUE"
    );
    assert_eq!(
        code.difference(&docs).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in macros::CATALOGUE, not in the docs"
    );
    // Each is handled: it does not stay as written.
    let cx = macros::Context::new(macros::Names {
        char: "Mira".into(),
        user: "Alex".into(),
        members: vec![],
    });
    for m in &code {
        let mut vars = macros::Variables::new();
        let out = macros::expand(m, &cx, &mut vars);
        assert_ne!(&out, m, "{m} stayed as written");
    }
}
