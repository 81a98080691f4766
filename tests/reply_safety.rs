//! A reply is never lost, through the services (no window): the message
//! length limit ends a reply and keeps its text; a bare `[DONE]` is cut
//! short; a prompt that cannot fit is refused with its numbers and nothing
//! is written or sent; retrying a failed reply replaces it; a reply being
//! written refuses changes; the final save waits out a database locked by
//! another connection and a full database, keeping the text in the journal
//! meanwhile, and the journal is restored at the next start.
//! `tests/reply_faults.rs` causes the same faults to the real binary.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, status, stream, End, MockLlm, Reply};
use parley::models::{ChatSessionInput, Id, MessageStatus};
use parley::services::generation::{self, journal, ReplyEvent, ReplySink};
use parley::services::{chat_session, message};
use parley::state::AppState;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

/// Every event a reply's channel carried.
#[derive(Default, Clone)]
struct Heard(Arc<Mutex<Vec<ReplyEvent>>>);

impl ReplySink for Heard {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0.lock().unwrap().push(event.clone());
        true
    }
}

impl Heard {
    fn all(&self) -> Vec<ReplyEvent> {
        self.0.lock().unwrap().clone()
    }
    /// Waits (up to 60 s) for an event `f` picks.
    async fn until<T>(&self, f: impl Fn(&ReplyEvent) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(t) = self.all().iter().find_map(&f) {
                return t;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "never heard it; heard {} events",
                self.all().len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    async fn end(&self) -> ReplyEvent {
        self.until(|e| {
            matches!(
                e,
                ReplyEvent::Done { .. } | ReplyEvent::Error { .. } | ReplyEvent::Cancelled { .. }
            )
            .then(|| e.clone())
        })
        .await
    }
}

/// A chat on the mock's model (4,096 tokens of context, 256 for the reply).
async fn chat_on(pool: &SqlitePool, mock: &MockLlm) -> Id {
    let model = common::mock_model(pool, &mock.base_url).await;
    chat_session::create(
        pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

async fn send(state: &AppState, chat: Id, text: &str) -> (Id, Heard) {
    let heard = Heard::default();
    let s = generation::send(state, chat, text.into(), Box::new(heard.clone()))
        .await
        .unwrap();
    (s.message_id, heard)
}

/// Status, text and `endReason` as stored.
async fn stored(pool: &SqlitePool, id: Id) -> (MessageStatus, String, String) {
    let m = message::get(pool, id).await.unwrap();
    let reason = m.metadata.0["endReason"].as_str().unwrap_or("").to_string();
    (m.status, m.content, reason)
}

fn slow(chunks: Vec<Vec<u8>>, pause_ms: u64) -> Reply {
    Reply::Stream {
        chunks,
        pause: Duration::from_millis(pause_ms),
        end: End::Close,
    }
}

#[tokio::test]
async fn a_reply_at_the_message_length_limit_stops_there_and_keeps_its_text() {
    let limit = parley::services::validate::MESSAGE_MAX_CHARS;
    // 1.2 million characters in twelve pieces, then a normal finish.
    let piece = "é".repeat(100_000);
    let pieces: Vec<&str> = (0..12).map(|_| piece.as_str()).collect();
    let mock = MockLlm::start(vec![stream(openai_tokens(&pieces))]).await;
    let pool = common::pool().await;
    let chat = chat_on(&pool, &mock).await;
    let state = common::state(pool.clone());
    let (id, heard) = send(&state, chat, "Write forever").await;
    let ReplyEvent::Done { message: m } = heard.end().await else {
        panic!(
            "a reply at the limit ends as done: {:?}",
            heard.all().last()
        );
    };
    assert_eq!(m.content.chars().count(), limit);
    let (status, text, reason) = stored(&pool, id).await;
    assert_eq!(
        (status, reason.as_str()),
        (MessageStatus::Completed, "too_long")
    );
    assert_eq!(
        text.chars().count(),
        limit,
        "the text up to the limit is kept"
    );
    assert!(
        state.replies.in_chat(chat).is_none(),
        "no longer being written"
    );
}

#[tokio::test]
async fn a_done_without_a_finish_reason_is_cut_short_never_complete() {
    let mut chunks = openai_tokens(&["Half ", "a story"]);
    chunks.pop();
    chunks.push(b"data: [DONE]\n\n".to_vec());
    let mock = MockLlm::start(vec![stream(chunks)]).await;
    let pool = common::pool().await;
    let chat = chat_on(&pool, &mock).await;
    let state = common::state(pool.clone());
    let (id, heard) = send(&state, chat, "Go").await;
    let ReplyEvent::Error { error, .. } = heard.end().await else {
        panic!("a bare [DONE] is not a completed reply");
    };
    assert!(error.to_string().contains("cut short"), "{error}");
    assert_eq!(
        stored(&pool, id).await,
        (
            MessageStatus::Failed,
            "Half a story".into(),
            "cut_short".into()
        )
    );
}

#[tokio::test]
async fn a_prompt_that_cannot_fit_is_refused_with_the_numbers_and_nothing_is_written() {
    let mock = MockLlm::start(vec![stream(openai_tokens(&["never"]))]).await;
    let pool = common::pool().await;
    let chat = chat_on(&pool, &mock).await;
    let state = common::state(pool.clone());
    let huge = "word ".repeat(6_000); // 30,000 characters, about 8,572 tokens
    let err = generation::send(&state, chat, huge, Box::new(Heard::default()))
        .await
        .expect_err("refused");
    let words = err.to_string();
    assert!(words.contains("about 8,"), "{words}");
    assert!(words.contains("this model takes 4,096"), "{words}");
    let page = message::page(&pool, chat, None, None).await.unwrap();
    assert!(page.items.is_empty(), "nothing written: {:?}", page.items);
    assert!(mock.requests().is_empty(), "nothing sent");
    assert!(state.replies.in_chat(chat).is_none());
}

#[tokio::test]
async fn retrying_a_failed_reply_replaces_it_instead_of_adding_a_version() {
    let mock = MockLlm::start(vec![
        status(503, r#"{"error":{"message":"overloaded"}}"#),
        status(503, r#"{"error":{"message":"overloaded"}}"#),
        stream(openai_tokens(&["At ", "last"])),
    ])
    .await;
    let pool = common::pool().await;
    let chat = chat_on(&pool, &mock).await;
    let state = common::state(pool.clone());
    let (id, heard) = send(&state, chat, "Hello").await;
    assert!(matches!(heard.end().await, ReplyEvent::Error { .. }));
    for _ in 0..2 {
        let heard = Heard::default();
        generation::regenerate(&state, id, Box::new(heard.clone()))
            .await
            .unwrap();
        heard.end().await;
    }
    let m = message::get(&pool, id).await.unwrap();
    assert_eq!(
        (m.status, m.content.as_str()),
        (MessageStatus::Completed, "At last")
    );
    assert_eq!(m.swipe_count, 0, "the failures left no versions behind");
}

#[tokio::test]
async fn a_reply_being_written_refuses_edits_deletes_and_versions_in_words() {
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks: openai_tokens(&["Still ", "going"])[..2].to_vec(),
        pause: Duration::from_millis(1),
        end: End::Hang,
    }])
    .await;
    let pool = common::pool().await;
    let chat = chat_on(&pool, &mock).await;
    let state = common::state(pool.clone());
    let (id, heard) = send(&state, chat, "Go").await;
    heard
        .until(|e| matches!(e, ReplyEvent::Delta(_)).then_some(()))
        .await;
    let refusals = [
        message::update(&pool, id, "mine now").await.err(),
        message::delete(&pool, id).await.err(),
        message::add_swipe(&pool, id, "another").await.err(),
        message::set_swipe(&pool, id, 0).await.err(),
        generation::regenerate(&state, id, Box::new(Heard::default()))
            .await
            .err(),
    ];
    for (i, r) in refusals.into_iter().enumerate() {
        let words = r.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            words.contains("still being written"),
            "change {i}: {words:?}"
        );
    }
    state.replies.stop(state.replies.in_chat(chat).unwrap().0);
    assert!(matches!(heard.end().await, ReplyEvent::Cancelled { .. }));
    assert_eq!(stored(&pool, id).await.1, "Still going");
}

/// A database file in `dir` with the migrations applied, and the app's
/// state on a pool of it opened with `max_pages` (a full disk) if given.
async fn file_world(dir: &Path, max_pages: Option<u64>) -> (AppState, SqlitePool) {
    let path = dir.join("parley.db");
    let (pool, _) = parley::db::open(&path).await.unwrap();
    let mut options = SqliteConnectOptions::new()
        .filename(&path)
        .busy_timeout(Duration::from_secs(1));
    if let Some(n) = max_pages {
        let used: i64 = sqlx::query_scalar("pragma page_count")
            .fetch_one(&pool)
            .await
            .unwrap();
        options = options.pragma("max_page_count", (used as u64 + n).to_string());
    }
    let limited = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    let state = parley::app::state(
        limited,
        Arc::new(parley::secrets::MemorySecretStore::default()),
        parley::app::Opened {
            db_path: path,
            log_dir: dir.join("logs"),
            schema_version: 0,
        },
    );
    (state, pool)
}

fn journal_file(dir: &Path, id: Id) -> std::path::PathBuf {
    journal::dir(&dir.join("parley.db")).join(format!("{id}.json"))
}

#[tokio::test]
async fn the_final_save_waits_out_a_locked_database_with_the_text_in_the_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let words: Vec<String> = (0..20).map(|i| format!("w{i} ")).collect();
    let tokens: Vec<&str> = words.iter().map(String::as_str).collect();
    let mock = MockLlm::start(vec![slow(openai_tokens(&tokens), 20)]).await;
    let (state, other) = file_world(tmp.path(), None).await;
    let chat = chat_on(&other, &mock).await;
    let (id, heard) = send(&state, chat, "Tell me").await;
    heard
        .until(|e| matches!(e, ReplyEvent::Delta(_)).then_some(()))
        .await;
    // Another connection takes the write lock until told to let go.
    let mut lock = other.acquire().await.unwrap();
    sqlx::query("begin immediate")
        .execute(&mut *lock)
        .await
        .unwrap();
    let error = heard
        .until(|e| match e {
            ReplyEvent::NotSaved { error } => Some(error.to_string()),
            _ => None,
        })
        .await;
    assert!(
        error.contains("busy") && error.contains("journal"),
        "{error}"
    );
    let kept: journal::Entry =
        serde_json::from_slice(&std::fs::read(journal_file(tmp.path(), id)).unwrap()).unwrap();
    assert_eq!(
        kept.content,
        words.concat(),
        "the journal holds the whole reply"
    );
    assert!(state.replies.in_chat(chat).is_some(), "still saving");
    tokio::time::sleep(Duration::from_secs(2)).await;
    sqlx::query("rollback").execute(&mut *lock).await.unwrap();
    drop(lock);
    assert!(matches!(heard.end().await, ReplyEvent::Done { .. }));
    assert_eq!(
        stored(&other, id).await,
        (MessageStatus::Completed, words.concat(), "completed".into())
    );
    assert!(
        !journal_file(tmp.path(), id).exists(),
        "the journal goes once the database has the text"
    );
}

#[tokio::test]
async fn a_full_disk_keeps_the_reply_in_the_journal_and_the_next_start_restores_it() {
    let tmp = tempfile::tempdir().unwrap();
    // About 400 KB of text: far more than the few free pages allowed.
    let piece = "a story of the sea ".repeat(2_000);
    let pieces: Vec<&str> = (0..10).map(|_| piece.as_str()).collect();
    let mock = MockLlm::start(vec![slow(openai_tokens(&pieces), 5)]).await;
    let (state, other) = file_world(tmp.path(), Some(30)).await;
    let chat = chat_on(&other, &mock).await;
    let before = message::page(&other, chat, None, None).await.unwrap().items;
    let (id, heard) = send(&state, chat, "A long one, please").await;
    let error = heard
        .until(|e| match e {
            ReplyEvent::NotSaved { error } => Some(error.to_string()),
            _ => None,
        })
        .await;
    assert!(error.contains("disk is full"), "{error}");
    let journal = journal_file(tmp.path(), id);
    assert!(journal.exists(), "the text is in the journal");
    // Parley dies before space returns; what was saved before stays.
    drop(state);
    let now = message::page(&other, chat, None, None).await.unwrap().items;
    assert_eq!(
        now.len(),
        before.len() + 2,
        "the message and its reply stay"
    );
    assert_eq!(now[0].content, "A long one, please");
    other.close().await;
    // The next start, with room again, restores the reply.
    let (pool, _) = parley::db::open(&tmp.path().join("parley.db"))
        .await
        .unwrap();
    generation::recover(&pool, &tmp.path().join("parley.db"))
        .await
        .unwrap();
    let (status, text, reason) = stored(&pool, id).await;
    assert_eq!(text, pieces.concat(), "the whole reply is back");
    assert_eq!(
        (status, reason.as_str()),
        (MessageStatus::Completed, "completed")
    );
    assert!(!journal.exists(), "the journal is removed once restored");
}

#[tokio::test]
async fn a_journal_from_a_reply_still_being_written_restores_as_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("parley.db");
    let (pool, _) = parley::db::open(&db).await.unwrap();
    let mock = MockLlm::start(vec![stream(openai_tokens(&["x"]))]).await;
    let chat = chat_on(&pool, &mock).await;
    let (_, reply) = message::add_exchange(
        &pool,
        chat,
        "Hi",
        parley::models::new_id(),
        &serde_json::json!({}),
    )
    .await
    .unwrap();
    message::save_reply(
        &pool,
        reply.id,
        "Once",
        MessageStatus::Streaming,
        &serde_json::json!({}),
    )
    .await
    .unwrap();
    journal::write(
        &journal::dir(&db),
        &journal::Entry {
            message_id: reply.id,
            content: "Once upon a time".into(),
            status: MessageStatus::Streaming,
            metadata: serde_json::json!({"model": "mock-1"}),
        },
    )
    .unwrap();
    generation::recover(&pool, &db).await.unwrap();
    let (status, text, reason) = stored(&pool, reply.id).await;
    assert_eq!(
        (status, text.as_str(), reason.as_str()),
        (MessageStatus::Failed, "Once upon a time", "interrupted")
    );
    assert_eq!(std::fs::read_dir(journal::dir(&db)).unwrap().count(), 0);
}

#[tokio::test]
async fn closing_parley_mid_reply_saves_what_arrived_as_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks: openai_tokens(&["Half ", "told"])[..2].to_vec(),
        pause: Duration::from_millis(1),
        end: End::Hang,
    }])
    .await;
    let (state, pool) = file_world(tmp.path(), None).await;
    let chat = chat_on(&pool, &mock).await;
    let (id, heard) = send(&state, chat, "Go").await;
    heard
        .until(|e| matches!(e, ReplyEvent::Delta(_)).then_some(()))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    state.replies.close(Duration::from_secs(3)).await;
    assert!(
        state.replies.in_chat(chat).is_none(),
        "ended within the wait"
    );
    assert!(matches!(heard.end().await, ReplyEvent::Error { .. }));
    assert_eq!(
        stored(&pool, id).await,
        (
            MessageStatus::Failed,
            "Half told".into(),
            "interrupted".into()
        )
    );
    assert!(
        !journal_file(tmp.path(), id).exists(),
        "saved, so no journal is left"
    );
}
