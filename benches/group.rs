//! `cargo bench --bench group`: what a group chat adds (issue 14).
//!
//! 1. "What a group turn adds to a reply's first token": in a 10-member
//!    group chat of `PARLEY_BENCH_LONG` (100,000) messages, the work a
//!    reply does before it calls the model (read the chat's context, choose
//!    the next speaker by the natural order, make the speaker's card, read
//!    the history under the budget, assemble the prompt with memory),
//!    against the same work in a one-character chat of as many messages.
//!    p50 of `PARLEY_BENCH_RUNS` (50) runs each, alternating; target: the
//!    difference < 30 ms.
//! 2. "Open a group chat of 100,000 messages": the chat view's first page
//!    (50 messages, the query and the JSON for IPC) of each chat, p50 of
//!    200 runs each, alternating; target: as fast as the one-character
//!    chat (within 10 %, or 0.5 ms).
//!
//! Both chats are in one database file opened as the app opens its own
//! (WAL, pragmas, migrations, full-text triggers); the group's replies
//! name their speakers, in turn.

#[path = "dataset.rs"]
mod dataset;

use std::time::{Duration, Instant};

use parley::models::{
    new_id, ChatSessionInput, GroupInput, GroupSettings, Id, MessageRole, Timestamp, TurnOrder,
};
use parley::repos::message::BulkMessage;
use parley::secrets::MemorySecretStore;
use parley::services::generation::ReplyContext;
use parley::services::{chat_session, group, message};
use sqlx::SqlitePool;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `n` messages after the chat's greeting, person and reply in turn; the
/// replies by `speakers` in turn (none: a one-character chat).
async fn fill(pool: &SqlitePool, chat: Id, n: usize, speakers: &[(Id, String)]) {
    let now = Timestamp::now().millis();
    let offset: i64 =
        sqlx::query_scalar("select count(*) from messages where chat_session_id = ?1")
            .bind(chat)
            .fetch_one(pool)
            .await
            .unwrap();
    for start in (0..n).step_by(10_000) {
        let rows: Vec<BulkMessage> = (start..(start + 10_000).min(n))
            .map(|i| {
                let seed = i as u64 + 1;
                let speaker = (i % 2 == 1 && !speakers.is_empty())
                    .then(|| &speakers[(i / 2) % speakers.len()]);
                BulkMessage {
                    id: new_id(),
                    seq: offset + i as i64,
                    role: if i % 2 == 0 {
                        MessageRole::User
                    } else {
                        MessageRole::Assistant
                    },
                    content: dataset::text(seed, 150 + (seed as usize * 7919) % 300),
                    metadata: serde_json::json!({}),
                    created_at: Timestamp::from_millis(now - (n - i) as i64 * 60_000),
                    active_swipe: 0,
                    speaker_id: speaker.map(|s| s.0),
                    speaker_name: speaker.map(|s| s.1.clone()),
                }
            })
            .collect();
        let mut tx = pool.begin().await.unwrap();
        parley::repos::message::insert_many(&mut tx, chat, &rows)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

/// What a reply does before it calls the model; the prompt's message count.
async fn before_the_model(pool: &SqlitePool, chat: Id) -> usize {
    let secrets = MemorySecretStore::default();
    let mut cx = ReplyContext::load_from(pool, &secrets, chat).await.unwrap();
    let none = cx
        .pick_speaker(pool, None, Some("And what happens next, then?"))
        .await
        .unwrap();
    assert!(none.is_none(), "the natural order always picks someone");
    let mut history = cx.history(pool, None).await.unwrap();
    history.push(history.last().unwrap().clone());
    let prompt = cx.prompt(pool, &history).await;
    cx.request(prompt.clone()).unwrap();
    prompt.messages.len()
}

fn p50(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let long = env("PARLEY_BENCH_LONG", 100_000);
    let runs = env("PARLEY_BENCH_RUNS", 50);
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("PARLEY_BENCH_KEEP")
        .map_or_else(|_| dir.path().join("parley.db"), std::path::PathBuf::from);
    let (pool, _) = parley::db::open(&path).await.unwrap();
    let secrets = MemorySecretStore::default();
    let provider = parley::services::provider::create(
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
    let model = parley::services::ai_model::create(
        &pool,
        parley::models::AiModelInput {
            provider_id: Some(provider.id),
            model_id: "bench".into(),
            context_length: Some(16_384),
            max_output_tokens: Some(512),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let ids = dataset::characters(&pool, 10).await;

    let one = chat_session::create(
        &pool,
        ChatSessionInput {
            title: "One character".into(),
            character_id: Some(ids[0]),
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    fill(&pool, one, long, &[]).await;
    let made = group::create(
        &pool,
        GroupInput {
            character_ids: ids.clone(),
            title: "Ten characters".into(),
            ai_model_id: Some(model.id),
            settings: Some(GroupSettings {
                turn_order: TurnOrder::Natural,
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let speakers: Vec<(Id, String)> = made
        .members
        .iter()
        .map(|m| (m.character_id, m.name.clone()))
        .collect();
    let grp = made.chat.id;
    fill(&pool, grp, long, &speakers).await;
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&pool)
        .await
        .unwrap();

    // Warm both once (caches, statement cache), then alternate.
    let (one_messages, group_messages) = (
        before_the_model(&pool, one).await,
        before_the_model(&pool, grp).await,
    );
    let (mut t_one, mut t_group, mut t_choose) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        before_the_model(&pool, one).await;
        t_one.push(t.elapsed());
        let t = Instant::now();
        before_the_model(&pool, grp).await;
        t_group.push(t.elapsed());
        let t = Instant::now();
        let g = group::Group::load(&pool, grp).await.unwrap().unwrap();
        g.choose(&pool, grp, None).await.unwrap().unwrap();
        t_choose.push(t.elapsed());
    }
    let (one_ms, group_ms, choose_ms) = (p50(t_one), p50(t_group), p50(t_choose));
    let added = group_ms - one_ms;

    let page_runs = 200;
    let (mut p_one, mut p_group) = (Vec::new(), Vec::new());
    let mut bytes = (0, 0);
    for _ in 0..page_runs {
        for (chat, times, size) in [
            (one, &mut p_one, &mut bytes.0),
            (grp, &mut p_group, &mut bytes.1),
        ] {
            let t = Instant::now();
            let page = message::page(&pool, chat, None, Some(50)).await.unwrap();
            *size = serde_json::to_string(&page).unwrap().len();
            times.push(t.elapsed());
        }
    }
    let (page_one, page_group) = (p50(p_one), p50(p_group));

    let verdict = |ok: bool, why: String| {
        if ok {
            "met".to_string()
        } else {
            format!("not met ({why})")
        }
    };
    println!("## Group chat benchmark (two chats of {long} messages; the group has 10 members)");
    println!();
    println!("| what | one character | group of 10 | added | target | |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| before the model is called (context, next speaker, the speaker's card, history under 16k tokens, prompt with memory; {one_messages} / {group_messages} prompt messages), p50 of {runs} | {one_ms:.1} ms | {group_ms:.1} ms | {added:.1} ms | < 30 ms added | {} |",
        verdict(added < 30.0, format!("{added:.1} ms added"))
    );
    println!(
        "| of which choosing the next speaker (members, settings, who wrote since the person's newest message), p50 of {runs} | | {choose_ms:.2} ms | | | |"
    );
    let same = page_group <= page_one * 1.1 || page_group - page_one <= 0.5;
    println!(
        "| open the chat: last page of 50 messages, query + JSON ({} / {} bytes), p50 of {page_runs} | {page_one:.2} ms | {page_group:.2} ms | {:.2} ms | as fast as one character | {} |",
        bytes.0,
        bytes.1,
        page_group - page_one,
        verdict(same, format!("{:.2} ms slower", page_group - page_one))
    );
}
