//! `cargo bench --bench branch`: "Branch from here" on the last message of
//! a 100,000-message chat (issue 14's target: < 2 s, search index
//! included), as a median over runs on a database file opened as the app
//! opens its own (WAL, pragmas, migrations, full-text triggers).
//!
//! Dataset: one chat of `PARLEY_BENCH_LONG` (100,000) messages of about 300
//! characters, of which the last 200 replies have two extra versions
//! (swipes), beside `PARLEY_BENCH_CHATS` (100) chats of 1,000, so the
//! search index is not empty around it. `PARLEY_BENCH_KEEP=/path.db` keeps
//! the database there to look into afterwards.

#[path = "dataset.rs"]
mod dataset;

use std::time::{Duration, Instant};

use parley::services::{branch, message};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let long = env("PARLEY_BENCH_LONG", 100_000);
    let chats = env("PARLEY_BENCH_CHATS", 100);
    let runs = env("PARLEY_BENCH_RUNS", 5);
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("PARLEY_BENCH_KEEP")
        .map_or_else(|_| dir.path().join("parley.db"), std::path::PathBuf::from);
    let (pool, _) = parley::db::open(&path).await.unwrap();
    let characters = dataset::characters(&pool, 100).await;
    let data = dataset::chats(&pool, &characters, long, chats, 1_000).await;
    let chat = data.long_chat;

    let last = message::page(&pool, chat, None, Some(400)).await.unwrap();
    let mut swiped = 0;
    for m in last
        .items
        .iter()
        .filter(|m| m.role == parley::models::MessageRole::Assistant)
    {
        for v in ["Another version.", "A third version."] {
            message::add_swipe(&pool, m.id, v).await.unwrap();
        }
        swiped += 1;
    }
    let target = last.items.last().unwrap();
    let (target, target_seq) = (target.id, target.seq);
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&pool)
        .await
        .unwrap();

    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let made = branch::create(&pool, target).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(
            message::page(&pool, made.id, None, Some(1))
                .await
                .unwrap()
                .items[0]
                .seq,
            target_seq
        );
    }
    let each: Vec<String> = times
        .iter()
        .map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0))
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!("## Branch benchmark ({long}-message chat, {swiped} replies with 3 versions; {} messages in all)", data.messages);
    println!();
    println!("| what | median | runs (ms) |");
    println!("|---|---|---|");
    println!(
        "| branch from the last message of the {long}-message chat (messages, swipes, search index; one transaction) | {:.0} ms | {} |",
        median.as_secs_f64() * 1000.0,
        each.join(", ")
    );
}
