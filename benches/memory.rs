//! `make bench` (memory): how often a planted fact reaches the prompt, and
//! what memory adds to a reply's first token, on generated data.
//!
//! 1. Recall: chats of 1,000, 10,000 and 100,000 messages (fixed seeds)
//!    with facts planted at random places outside the context window (the
//!    last 200 messages), and a question about each at the end that shares
//!    a content word with it, often in another form (live / lives, hide /
//!    hidden). A fact counts when its message is among those recalled
//!    within a 1,500-token budget, the query built as for a reply (the
//!    question and the three messages before it).
//! 2. Timings in the library of `benches/db.rs` (1,000,000 messages, the
//!    100,000-message chat; its database is copied from
//!    `~/.cache/parley/bench/parley.db`, or generated when missing) with
//!    100,000 document chunks and 30 summaries added: the prompt for the
//!    next reply with memory on and off ("what memory adds" is the
//!    difference of the medians), and every search row of the db bench.
//!    The copy is kept at `~/.cache/parley/bench/memory.db`.

#[path = "dataset.rs"]
mod dataset;
#[path = "parts/memory_data.rs"]
mod memory_data;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use parley::services::app_config::{self, DOCUMENTS_BUDGET, RECALL_BUDGET, SUMMARIES_BUDGET};
use parley::services::embedding::standin;
use parley::services::memory::pieces::Origin;
use parley::services::memory::{blend, query::Query, retrieve};
use parley::services::search::{search, SearchQuery};
use sqlx::SqlitePool;

use memory_data::Rng;

/// Messages kept in the context window: facts are planted before them.
const WINDOW: usize = 200;
/// The memory budget the recall rows are measured with.
const BUDGET: i64 = 1500;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn pct(a: usize, b: usize) -> String {
    format!("{a} of {b} ({:.0} %)", 100.0 * a as f64 / b.max(1) as f64)
}

/// The newest `n` messages' text of a chat, newest first.
async fn last_texts(pool: &SqlitePool, chat: parley::models::Id, n: u32) -> Vec<String> {
    let (page, _) = parley::repos::message::page(pool, chat, None, n)
        .await
        .unwrap();
    page.into_iter().rev().map(|m| m.content).collect()
}

/// The timing rows' target.
const TARGET: Duration = Duration::from_millis(30);

/// Why the memory row can miss, printed with it (docs/BENCHMARKS.md).
const MEMORY_WHY: &str = "FTS5 counts every row of the whole index each searched word matches, \
    in each of its segments, and cannot filter by chat inside the index";

/// Why a search row can miss: the prefix row, then the others.
const PREFIX_WHY: &str = "a prefix matching a quarter of the messages is read row by row: \
    there is no FTS5 prefix index yet";
const SEARCH_WHY: &str = "FTS5 scores every match in the whole index for BM25, \
    then the newest are kept";

/// "met", or "not met" with the reason.
fn verdict(t: Duration, why: &str) -> String {
    if t <= TARGET {
        "met".into()
    } else {
        format!("**not met** ({why})")
    }
}

/// The vector weight the stand-in rows blend with (the setting's default).
const STANDIN_WEIGHT: f64 = 0.5;

/// Whether the message `id` is among the recalled `pieces`.
fn recalled(pieces: &[parley::services::memory::pieces::Piece], id: parley::models::Id) -> bool {
    pieces
        .iter()
        .any(|p| matches!(p.origin, Origin::Recall { message_id, .. } if message_id == id))
}

/// The recall rows: one per chat size (BM25 alone, then blended with the
/// stand-in embedder).
async fn recall_rows() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let (pool, _) = parley::db::open(&dir.path().join("recall.db"))
        .await
        .unwrap();
    let mut rows = Vec::new();
    for (n, facts, seed) in [(1_000, 30, 1), (10_000, 60, 2), (100_000, 60, 3)] {
        let t = Instant::now();
        let chat = memory_data::long_chat(&pool, n, facts, WINDOW, seed).await;
        eprintln!(
            "recall: {n}-message chat written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let earlier = last_texts(&pool, chat.id, 3).await;
        let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
        let below = (n - WINDOW) as i64;
        let (mut found, mut other, mut other_found) = (0, 0, 0);
        let (mut blended_found, mut blended_other) = (0, 0);
        let mut times = Vec::new();
        for (fact, id, _) in &chat.facts {
            let q = Query::build(&fact.question, &earlier);
            let t = Instant::now();
            let pieces = retrieve::recall(&pool, chat.id, &q, below, BUDGET)
                .await
                .unwrap();
            times.push(t.elapsed());
            let hit = recalled(&pieces, *id);
            found += usize::from(hit);
            // The same candidates blended with the stand-in's vectors, as a
            // reply with an embedding model ranks them (weight 0.5).
            let mut candidates = retrieve::recall_candidates(&pool, chat.id, &q, below, BUDGET)
                .await
                .unwrap();
            let question = standin::embed(&fact.question);
            let vectors: HashMap<i64, f32> = candidates
                .iter()
                .map(|p| (p.key, blend::cosine(&question, &standin::embed(&p.text))))
                .collect();
            retrieve::blend_scores(&mut candidates, &vectors, STANDIN_WEIGHT);
            let blended_hit = recalled(&retrieve::choose_in_story_order(candidates, BUDGET), *id);
            blended_found += usize::from(blended_hit);
            if fact.other_form {
                other += 1;
                other_found += usize::from(hit);
                blended_other += usize::from(blended_hit);
            }
        }
        rows.push(format!(
            "| planted fact in the prompt, {n}-message chat, BM25 alone, {BUDGET}-token budget | {} (asked in another form: {}) | recall {} p50 | >= 90 % at 10,000 |",
            pct(found, chat.facts.len()),
            pct(other_found, other),
            ms(median(times)),
        ));
        rows.push(format!(
            "| planted fact in the prompt, {n}-message chat, BM25 blended with a deterministic stand-in for embeddings (weight {STANDIN_WEIGHT}), {BUDGET}-token budget | {} (asked in another form: {}) | | |",
            pct(blended_found, chat.facts.len()),
            pct(blended_other, other),
        ));
    }
    pool.close().await;
    rows
}

/// The db bench's library with documents, summaries and a model added.
async fn library() -> (SqlitePool, parley::models::Id, PathBuf) {
    let keep = dirs::home_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".cache/parley/bench");
    std::fs::create_dir_all(&keep).unwrap();
    let path = keep.join("memory.db");
    let source = keep.join("parley.db");
    let wal_empty = std::fs::metadata(keep.join("parley.db-wal")).map_or(true, |m| m.len() == 0);
    if !path.exists() && source.exists() && wal_empty {
        std::fs::copy(&source, &path).unwrap();
    }
    let (pool, _) = parley::db::open(&path).await.unwrap();
    let messages: i64 = sqlx::query_scalar("select count(*) from messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    if messages == 0 {
        let ids = dataset::characters(&pool, 10_000).await;
        dataset::chats(&pool, &ids, 100_000, 900, 1_000).await;
    }
    let (chat, character): (parley::models::Id, Option<parley::models::Id>) = sqlx::query_as(
        "select id, character_id from chat_sessions where title = 'Generated chat 0'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let chunks: i64 = sqlx::query_scalar("select count(*) from document_chunks")
        .fetch_one(&pool)
        .await
        .unwrap();
    if chunks == 0 {
        let other_chats: Vec<parley::models::Id> =
            sqlx::query_scalar("select id from chat_sessions where id <> ?1 limit 500")
                .bind(chat)
                .fetch_all(&pool)
                .await
                .unwrap();
        let scopes = memory_data::Scopes {
            chat,
            character,
            other_chats,
        };
        memory_data::documents(&pool, &scopes, 1_000, 100).await;
        memory_data::summaries(&pool, chat, 30).await;
        let secrets = parley::secrets::MemorySecretStore::default();
        let p = parley::services::provider::create(
            &pool,
            &secrets,
            parley::models::ProviderInput {
                name: "Bench".into(),
                kind: parley::models::ProviderKind::OpenaiCompatible,
                base_url: "http://127.0.0.1:9/v1".into(),
                api_key: None,
            },
        )
        .await
        .unwrap();
        parley::services::ai_model::create(
            &pool,
            parley::models::AiModelInput {
                provider_id: Some(p.id),
                model_id: "bench-8k".into(),
                context_length: Some(8192),
                max_output_tokens: Some(512),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&pool)
        .await
        .unwrap();
    (pool, chat, path)
}

async fn set_budgets(pool: &SqlitePool, on: bool) {
    for key in [&DOCUMENTS_BUDGET, &RECALL_BUDGET, &SUMMARIES_BUDGET] {
        let value = if on { (key.default)() } else { 0 };
        app_config::write(pool, key, &value).await.unwrap();
    }
}

/// Prompt previews for each question, timed: medians with memory off and
/// on, and how many pieces memory gave on average.
async fn reply_timings(pool: &SqlitePool, chat: parley::models::Id) -> (Duration, Duration, f64) {
    let secrets = parley::secrets::MemorySecretStore::default();
    let mut rng = Rng::new(99);
    let questions: Vec<String> = (0..60)
        .map(|_| memory_data::fact(&mut rng).question)
        .collect();
    let mut result = Vec::new();
    let mut pieces = 0;
    for on in [false, true] {
        set_budgets(pool, on).await;
        let mut times = Vec::new();
        for q in &questions {
            let t = Instant::now();
            let p = parley::services::generation::preview_in(pool, &secrets, chat, Some(q))
                .await
                .unwrap();
            times.push(t.elapsed());
            if on {
                pieces += p.prompt.memory.len();
            }
        }
        result.push(median(times));
    }
    (result[0], result[1], pieces as f64 / questions.len() as f64)
}

/// Each source's retrieval on its own, for the same questions, as the
/// reply does it (the history starting 200 messages from the end).
async fn part_timings(
    pool: &SqlitePool,
    chat: parley::models::Id,
) -> Vec<(&'static str, Duration)> {
    let character: Option<parley::models::Id> =
        sqlx::query_scalar("select character_id from chat_sessions where id = ?1")
            .bind(chat)
            .fetch_one(pool)
            .await
            .unwrap();
    let below: i64 =
        sqlx::query_scalar("select max(seq) - 200 from messages where chat_session_id = ?1")
            .bind(chat)
            .fetch_one(pool)
            .await
            .unwrap();
    let earlier = last_texts(pool, chat, 3).await;
    let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
    let mut rng = Rng::new(99);
    let queries: Vec<Query> = (0..60)
        .map(|_| Query::build(&memory_data::fact(&mut rng).question, &earlier))
        .collect();
    if std::env::var("PARLEY_BENCH_EXPLAIN").is_ok() {
        use parley::repos::memory::{self as repo, Index};
        for q in queries.iter().take(3) {
            let top = repo::last_rowid(pool, Index::Messages).await.unwrap() + 1;
            let groups: Vec<String> = q.terms.iter().map(|t| t.group()).collect();
            let t = Instant::now();
            let counts = repo::counts(pool, Index::Messages, &groups, top - 4000, top)
                .await
                .unwrap();
            let counted = t.elapsed();
            let (rare, share) = q.rare(&counts, 4000);
            let words: Vec<(&str, i64)> = q
                .terms
                .iter()
                .zip(&counts)
                .map(|(t, c)| (t.word.as_str(), *c))
                .collect();
            eprintln!(
                "{words:?} counted in {counted:?}\nkept {:?} share {share}\n{}",
                rare.terms
                    .iter()
                    .map(|t| t.word.as_str())
                    .collect::<Vec<_>>(),
                rare.fts().unwrap_or_default()
            );
        }
    }
    let (mut docs, mut recall, mut sums) = (Vec::new(), Vec::new(), Vec::new());
    for q in &queries {
        let t = Instant::now();
        retrieve::documents(pool, chat, character, q, 1000)
            .await
            .unwrap();
        docs.push(t.elapsed());
        let t = Instant::now();
        retrieve::summaries(pool, chat, below, 600).await.unwrap();
        sums.push(t.elapsed());
        let t = Instant::now();
        retrieve::recall(pool, chat, q, below, 600).await.unwrap();
        recall.push(t.elapsed());
    }
    vec![
        ("documents (100,000 chunks)", median(docs)),
        ("summaries", median(sums)),
        ("recall (the chat's older messages)", median(recall)),
    ]
}

#[tokio::main]
async fn main() {
    // `PARLEY_BENCH_MEMORY=timings` skips the recall rows.
    let recall = if std::env::var("PARLEY_BENCH_MEMORY").as_deref() == Ok("timings") {
        Vec::new()
    } else {
        recall_rows().await
    };
    for r in &recall {
        eprintln!("{r}");
    }
    let t = Instant::now();
    let (pool, chat, path) = library().await;
    eprintln!("library ready in {:.1} s", t.elapsed().as_secs_f64());
    let messages: i64 = sqlx::query_scalar("select count(*) from messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    let chunks: i64 = sqlx::query_scalar("select count(*) from document_chunks")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Warm the cache as a running app's would be.
    reply_timings(&pool, chat).await;
    let (off, on, pieces) = reply_timings(&pool, chat).await;
    let parts = part_timings(&pool, chat).await;
    eprintln!("reply prompt: {} without memory, {} with", ms(off), ms(on));

    let mut searches = Vec::new();
    for (label, q) in [
        ("a common word (`lantern`)", dataset::COMMON_WORD),
        ("a rare word (`quixotic`)", dataset::RARE_WORD),
        ("a prefix (`harb*`)", dataset::PREFIX),
        ("a phrase (`\"silver harbour\"`)", dataset::PHRASE),
        ("two words (`storm river`)", "storm river"),
    ] {
        let query = SearchQuery {
            query: q.into(),
            ..Default::default()
        };
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let r = search(&pool, &query).await.unwrap();
            let _ = serde_json::to_string(&r).unwrap();
            times.push(t.elapsed());
        }
        let matching: i64 =
            sqlx::query_scalar("select count(*) from messages_fts where messages_fts match ?1")
                .bind(parley::services::search::fts_query(q).unwrap())
                .fetch_one(&pool)
                .await
                .unwrap();
        searches.push((label, median(times), matching));
    }
    pool.close().await;
    let file = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    println!("## Memory benchmark");
    println!();
    println!("| what | result | time | target |");
    println!("|---|---|---|---|");
    for r in &recall {
        println!("{r}");
    }
    println!(
        "| what memory adds to a reply's prompt (retrieval in the chat's scopes + assembly), 100,000-message chat, {messages} messages, {chunks} chunks; {pieces:.1} pieces per reply | {} with, {} without | **{}** p50 | < 30 ms: {} |",
        ms(on),
        ms(off),
        ms(on.saturating_sub(off)),
        verdict(on.saturating_sub(off), MEMORY_WHY)
    );
    for (label, t) in &parts {
        println!("| of which {label} | | {} p50 | |", ms(*t));
    }
    for (label, t, matching) in &searches {
        println!(
            "| search {messages} messages for {label}: {matching} match | | {} p50 | < 30 ms: {} |",
            ms(*t),
            verdict(
                *t,
                if label.contains("prefix") {
                    PREFIX_WHY
                } else {
                    SEARCH_WHY
                }
            )
        );
    }
    println!(
        "| the library's file ({}) | {:.1} MB | | |",
        path.display(),
        file as f64 / 1e6
    );
}
