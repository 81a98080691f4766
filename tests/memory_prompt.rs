//! Memory in the prompt (docs/MEMORY.md): the query's weights, the scopes
//! a chat's documents come from, ranking, each source's budget, summaries
//! and recalled messages only from before the history, where the pieces go
//! in the prompt, what the reply's metadata records, and `parley prompt`.
//!
//! Documents and chunks are written with SQL here (the documents service
//! is written beside this); the FTS triggers index them as they would any.

mod common;

use std::time::Duration;

use parley::models::{ChatSessionInput, Id, MessageInput, MessageRole};
use parley::services::app_config::{self, MemoryPosition, MEMORY_POSITION};
use parley::services::memory::pieces::{Origin, Piece};
use parley::services::memory::{query::Query, retrieve};
use parley::services::{chat_session, generation, message};
use parley::state::AppState;
use sqlx::SqlitePool;

use common::mock_llm::{openai_tokens, stream, MockLlm};

/// A document in a scope, with one chunk per text.
async fn document(
    pool: &SqlitePool,
    scope: (&str, Option<Id>, Option<Id>),
    name: &str,
    chunks: &[&str],
) -> Id {
    let id = parley::models::new_id();
    sqlx::query(
        r"insert into documents (id, scope, chat_session_id, character_id, name, kind, byte_size,
               sha256, chunk_size, chunk_overlap, chunk_count, token_count, created_at,
               updated_at, content)
          values (?1, ?2, ?3, ?4, ?5, 'text', 0, '', 300, 40, ?6, 0, 0, 0, '')",
    )
    .bind(id)
    .bind(scope.0)
    .bind(scope.1)
    .bind(scope.2)
    .bind(name)
    .bind(chunks.len() as i64)
    .execute(pool)
    .await
    .unwrap();
    for (i, text) in chunks.iter().enumerate() {
        sqlx::query(
            r"insert into document_chunks (document_id, chunk_index, token_count, text)
              values (?1, ?2, ?3, ?4)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(parley::services::tokens::estimate(text))
        .bind(*text)
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

fn names(pieces: &[Piece]) -> Vec<String> {
    pieces
        .iter()
        .filter_map(|p| match &p.origin {
            Origin::Document { document_name, .. } => Some(document_name.clone()),
            _ => None,
        })
        .collect()
}

async fn chat_with(pool: &SqlitePool, character: Option<Id>) -> Id {
    chat_session::create(
        pool,
        ChatSessionInput {
            character_id: character,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn documents_come_from_the_chats_scopes_only() {
    let pool = common::pool().await;
    let mira = common::new_character(&pool, "Mira").await;
    let other = common::new_character(&pool, "Other").await;
    let chat = chat_with(&pool, Some(mira)).await;
    let elsewhere = chat_with(&pool, Some(other)).await;
    let text = ["The zephyr lantern burns blue."];
    document(&pool, ("chat", Some(chat), None), "this chat", &text).await;
    document(
        &pool,
        ("chat", Some(elsewhere), None),
        "another chat",
        &text,
    )
    .await;
    document(
        &pool,
        ("character", None, Some(mira)),
        "the character",
        &text,
    )
    .await;
    document(
        &pool,
        ("character", None, Some(other)),
        "another character",
        &text,
    )
    .await;
    document(&pool, ("library", None, None), "the library", &text).await;
    let off = document(&pool, ("library", None, None), "turned off", &text).await;
    let gone = document(&pool, ("library", None, None), "deleted", &text).await;
    sqlx::query("insert into chat_documents_off (chat_session_id, document_id) values (?1, ?2)")
        .bind(chat)
        .bind(off)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("update documents set deleted_at = 1 where id = ?1")
        .bind(gone)
        .execute(&pool)
        .await
        .unwrap();
    let q = Query::build("Tell me about the zephyr", &[]);
    let found = retrieve::documents(&pool, chat, Some(mira), &q, 1000)
        .await
        .unwrap();
    let mut got = names(&found);
    got.sort();
    assert_eq!(got, vec!["the character", "the library", "this chat"]);
    // The other chat sees its own, its character's and the library's (the
    // one turned off here included), never this chat's.
    let theirs = retrieve::documents(&pool, elsewhere, Some(other), &q, 1000)
        .await
        .unwrap();
    let mut got = names(&theirs);
    got.sort();
    assert_eq!(
        got,
        vec![
            "another character",
            "another chat",
            "the library",
            "turned off"
        ]
    );
}

#[tokio::test]
async fn the_newest_message_weighs_more_and_other_forms_are_found() {
    let pool = common::pool().await;
    let chat = chat_with(&pool, None).await;
    let lib = ("library", None, None);
    document(
        &pool,
        lib,
        "about the orchard",
        &["The orchard walls are old and mossy."],
    )
    .await;
    document(
        &pool,
        lib,
        "about the cellar",
        &["The cellar smells of apples and smoke."],
    )
    .await;
    document(
        &pool,
        lib,
        "where it is hidden",
        &["Mira hid the ledger behind the clock."],
    )
    .await;
    // "cellar" is in the newest message, "orchard" in the one before.
    let q = Query::build("What about the cellar?", &["We walked past the orchard."]);
    let found = retrieve::documents(&pool, chat, None, &q, 1000)
        .await
        .unwrap();
    assert_eq!(names(&found), vec!["about the cellar", "about the orchard"]);
    // Asked with another form of the word.
    let q = Query::build("Where is the ledger hidden?", &[]);
    let found = retrieve::documents(&pool, chat, None, &q, 1000)
        .await
        .unwrap();
    assert_eq!(names(&found), vec!["where it is hidden"]);
    // Operators in a message are text.
    let q = Query::build("ledger AND NOT \"clock* NEAR(", &[]);
    assert!(retrieve::documents(&pool, chat, None, &q, 1000)
        .await
        .is_ok());
}

#[tokio::test]
async fn chunks_rank_best_first_and_fill_their_budget() {
    let pool = common::pool().await;
    let chat = chat_with(&pool, None).await;
    let filler = "Rain fell on the quiet streets of the town all evening long. ".repeat(3);
    // The same length, so each costs the same.
    let once = format!("The beacon was lit, it was lit. {filler}");
    let twice = format!("The beacon, the beacon was lit. {filler}");
    let doc = document(
        &pool,
        ("library", None, None),
        "log",
        &[&filler, &once, &twice, &once, &once, &once, &once],
    )
    .await;
    let q = Query::build("the beacon", &[]);
    let all = retrieve::documents(&pool, chat, None, &q, 10_000)
        .await
        .unwrap();
    assert_eq!(all.len(), 6, "the chunk without the word is not found");
    let first = &all[0];
    assert!(
        matches!(first.origin, Origin::Document { chunk_index: 2, document_id, .. } if document_id == doc)
    );
    assert_eq!(first.label, "log §3");
    assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
    let cost = all[0].tokens;
    for budget in [0, cost - 1, cost, cost * 3 + 1] {
        let some = retrieve::documents(&pool, chat, None, &q, budget)
            .await
            .unwrap();
        let used: i64 = some.iter().map(|p| p.tokens).sum();
        assert!(used <= budget, "{used} > {budget}");
        assert_eq!(some.len() as i64, budget / cost, "budget {budget}");
    }
}

/// A chat of `n` numbered messages of about 100 tokens each, with `plant`
/// written into some.
async fn long_chat(pool: &SqlitePool, n: usize, plant: &[(usize, &str)]) -> Id {
    let chat = chat_with(pool, None).await;
    for i in 0..n {
        let text = match plant.iter().find(|(at, _)| *at == i) {
            Some((_, t)) => format!("{i:04} {t} {}", "Waves came and went. ".repeat(15)),
            None => format!(
                "{i:04} {}",
                "The ship sailed on through grey water. ".repeat(9)
            ),
        };
        let role = if i % 2 == 0 {
            MessageRole::User
        } else {
            MessageRole::Assistant
        };
        message::add(
            pool,
            chat,
            MessageInput {
                role,
                content: text,
            },
        )
        .await
        .unwrap();
    }
    chat
}

async fn summary(pool: &SqlitePool, chat: Id, (first, last): (i64, i64), pinned: bool, text: &str) {
    sqlx::query(
        r"insert into chat_memories (id, chat_session_id, first_seq, last_seq, made_by, pinned,
               created_at, updated_at, content)
          values (?1, ?2, ?3, ?4, 'person', ?5, 0, 0, ?6)",
    )
    .bind(parley::models::new_id())
    .bind(chat)
    .bind(first)
    .bind(last)
    .bind(pinned)
    .bind(text)
    .execute(pool)
    .await
    .unwrap();
}

/// The app's context on `pool` with a model of `context` tokens (256 for
/// the reply) that the mock at `base` serves.
async fn world(pool: SqlitePool, base: &str, context: i64) -> AppState {
    common::provider_with_model(
        &pool,
        "Mock AI",
        parley::models::ProviderKind::OpenaiCompatible,
        base,
        "mock-1",
        Some(context),
    )
    .await;
    common::state(pool)
}

#[tokio::test]
async fn summaries_and_recall_come_only_from_before_the_history() {
    let pool = common::pool().await;
    let chat = long_chat(
        &pool,
        120,
        &[
            (10, "The obsidian dagger lies in the well."),
            (118, "The obsidian dagger again."),
        ],
    )
    .await;
    summary(&pool, chat, (0, 19), false, "Early days at sea.").await;
    summary(&pool, chat, (20, 39), true, "A pinned storm.").await;
    summary(
        &pool,
        chat,
        (110, 119),
        false,
        "The latest, covered by the history.",
    )
    .await;
    let state = world(pool, "http://127.0.0.1:9/v1", 4096).await;
    let p = generation::preview_in(
        &state.pool,
        state.secrets.as_ref(),
        chat,
        Some("Where is the obsidian dagger?"),
    )
    .await
    .unwrap()
    .prompt;
    let first = p.history_first_seq.expect("history kept");
    assert!(p.history_dropped > 0 && first > 40, "{first}");
    let labels: Vec<&str> = p.memory.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        labels,
        vec![
            "summary of messages 1–20",
            "summary of messages 21–40",
            "message 11"
        ]
    );
    for piece in &p.memory {
        match piece.origin {
            Origin::Summary { last_seq, .. } => assert!(last_seq < first),
            Origin::Recall { seq, .. } => assert_eq!(seq, 10),
            Origin::Document { .. } => panic!("no documents here"),
        }
    }
    // In place: after the system message, before the first history message.
    let kinds: Vec<_> = p
        .parts
        .iter()
        .map(|x| serde_json::to_value(x.kind).unwrap())
        .collect();
    let memory_at: Vec<usize> = (0..kinds.len()).filter(|i| kinds[*i] == "memory").collect();
    let history_at = kinds.iter().position(|k| k == "history").unwrap();
    assert_eq!(memory_at.len(), 2);
    assert!(memory_at.iter().all(|i| *i < history_at));
    let summaries = &p.messages[memory_at[0]].content;
    assert!(
        summaries.starts_with("Summary of earlier parts of this chat:"),
        "{summaries}"
    );
    assert!(summaries.find("Early days").unwrap() < summaries.find("A pinned storm").unwrap());
    let recalled = &p.messages[memory_at[1]].content;
    assert!(
        recalled
            .contains("[earlier, message 11, User]: 0010 The obsidian dagger lies in the well."),
        "{recalled}"
    );
    assert!(p.estimated_tokens <= p.budget_tokens);

    // A small summaries budget takes the pinned entry first.
    app_config::write(&state.pool, &app_config::SUMMARIES_BUDGET, &20)
        .await
        .unwrap();
    let p = generation::preview(&state, chat).await.unwrap().prompt;
    let labels: Vec<&str> = p
        .memory
        .iter()
        .filter(|m| matches!(m.origin, Origin::Summary { .. }))
        .map(|m| m.label.as_str())
        .collect();
    assert_eq!(labels, vec!["summary of messages 21–40"]);
}

#[tokio::test]
async fn a_chat_whose_history_fits_gets_no_summaries_or_recall() {
    let pool = common::pool().await;
    let chat = long_chat(&pool, 6, &[(5, "The obsidian dagger lies in the well.")]).await;
    summary(&pool, chat, (0, 1), false, "Early days at sea.").await;
    document(
        &pool,
        ("chat", Some(chat), None),
        "dagger.md",
        &["Obsidian daggers cut glass."],
    )
    .await;
    let state = world(pool, "http://127.0.0.1:9/v1", 8192).await;
    let p = generation::preview_in(
        &state.pool,
        state.secrets.as_ref(),
        chat,
        Some("The obsidian dagger?"),
    )
    .await
    .unwrap()
    .prompt;
    assert_eq!(p.history_dropped, 0);
    let labels: Vec<&str> = p.memory.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, vec!["dagger.md §1"]);

    // Placed after the character block instead: inside the first system
    // message, no memory message of its own.
    app_config::write(
        &state.pool,
        &MEMORY_POSITION,
        &MemoryPosition::AfterCharacter,
    )
    .await
    .unwrap();
    let p = generation::preview(&state, chat).await.unwrap().prompt;
    assert!(
        p.messages[0].content.contains(
            "Relevant passages from documents:\n\n[dagger.md §1]\nObsidian daggers cut glass."
        ),
        "{}",
        p.messages[0].content
    );
    assert_eq!(p.parts[0].memory, vec![0]);
    assert!(p
        .parts
        .iter()
        .all(|x| serde_json::to_value(x.kind).unwrap() != "memory"));
    // An edited template is used.
    parley::services::template::set_default_text(
        &state.pool,
        parley::models::TemplateType::MemoryDocuments,
        "Notes <<{{pieces}}>>",
    )
    .await
    .unwrap();
    let p = generation::preview(&state, chat).await.unwrap().prompt;
    assert!(p.messages[0]
        .content
        .contains("Notes <<[dagger.md §1]\nObsidian daggers cut glass.>>"));
}

struct Quiet;
impl generation::ReplySink for Quiet {
    fn send(&self, _: &generation::ReplyEvent) -> bool {
        true
    }
}

#[tokio::test]
async fn the_reply_records_what_memory_gave_it_and_the_model_gets_it() {
    let mock = MockLlm::start(vec![stream(openai_tokens(&["It ", "glows."]))]).await;
    let pool = common::pool().await;
    let chat = chat_with(&pool, None).await;
    let doc = document(
        &pool,
        ("chat", Some(chat), None),
        "lantern.md",
        &["Intro.", "The zephyr lantern glows green at night."],
    )
    .await;
    let state = world(pool, &mock.base_url, 4096).await;
    let started = generation::send(
        &state,
        chat,
        "What colour is the zephyr lantern?".into(),
        Box::new(Quiet),
    )
    .await
    .unwrap();
    let recorded = &started.message.metadata.0["memory"];
    assert_eq!(
        recorded,
        &serde_json::json!([{"source": "document", "documentId": doc, "documentName": "lantern.md",
                             "chunkIndex": 1, "tokens": recorded[0]["tokens"], "label": "lantern.md §2"}])
    );
    for _ in 0..200 {
        if state.replies.in_chat(chat).is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let saved = message::get(&state.pool, started.message_id).await.unwrap();
    assert_eq!(saved.content, "It glows.");
    assert_eq!(&saved.metadata.0["memory"], recorded, "kept at the end");
    let sent = mock.requests()[0].json();
    let texts: Vec<String> = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    let at = texts
        .iter()
        .position(|t| t.contains("The zephyr lantern glows green"))
        .expect("sent");
    assert_eq!(sent["messages"][at]["role"], "system");
    assert!(
        texts[at + 1].starts_with("What colour"),
        "before the history"
    );
}

fn parley(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(args)
        .env_remove("PARLEY_DB")
        .output()
        .unwrap()
}

#[tokio::test]
async fn parley_prompt_marks_each_piece_and_only_reads_while_the_app_holds_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let chat = long_chat(&pool, 120, &[(10, "The obsidian dagger lies in the well.")]).await;
    summary(&pool, chat, (0, 19), false, "Early days at sea.").await;
    document(
        &pool,
        ("chat", Some(chat), None),
        "dagger.md",
        &["Obsidian daggers cut glass."],
    )
    .await;
    let state = world(pool, "http://127.0.0.1:9/v1", 4096).await;
    state.pool.close().await;

    // This test holds the folder the way the app does.
    let parley::instance::Claim::First(guard) = parley::instance::claim(&db).unwrap() else {
        panic!("the folder is free");
    };
    let before = std::fs::read(&db).unwrap();
    let (id, path) = (chat.to_string(), db.to_str().unwrap().to_string());
    let ask = [
        "prompt",
        &id,
        "--message",
        "Where is the obsidian dagger?",
        "--db",
        &path,
    ];
    let out = parley(&ask);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "memory: 3 pieces",
        "[summary] summary of messages 1–20",
        "[recalled message] message 11",
        "[document] dagger.md §1",
        "[earlier, message 11, User]: 0010 The obsidian dagger lies in the well.",
        "Where is the obsidian dagger?",
    ] {
        assert!(text.contains(line), "{line} not in:\n{text}");
    }
    let marked = text
        .lines()
        .find(|l| l.contains("· memory · memory: [summary]"))
        .expect("a marked rule");
    // No system prompt in this chat: memory's blocks open the prompt.
    assert!(marked.starts_with("--- 1 · system"), "{marked}");

    let mut json_args = ask.to_vec();
    json_args.push("--json");
    let out = parley(&json_args);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources: Vec<&str> = v["memory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, vec!["summary", "recall", "document"]);
    assert_eq!(v["memory"][1]["seq"], 10);
    assert_eq!(
        v["parts"].as_array().unwrap().len(),
        v["messages"].as_array().unwrap().len()
    );
    assert_eq!(
        v["parts"][0],
        serde_json::json!({"kind": "memory", "memory": [0]})
    );

    let out = parley(&["prompt", "not-an-id", "--db", &path]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("that is not a chat id"));
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing written");
    drop(guard);
}
