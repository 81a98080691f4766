//! `make bench` (database): a generated library of realistic size and the
//! queries the screens run on it, timed as medians over repeated runs.
//!
//! Dataset (the generator is this file): one chat of 100,000 messages of
//! about 300 characters (varied sentences, alternating roles), and 10,000
//! characters with ordinary card text. `PARLEY_BENCH_MESSAGES` and
//! `PARLEY_BENCH_CHARACTERS` change the sizes. The database is a temp file
//! opened exactly as the app opens its own (WAL, pragmas, migrations).

use std::time::{Duration, Instant};

use parley::models::{
    new_id, CharacterInput, ChatSessionInput, ListQuery, MessageInput, MessageRole, MessageStatus,
    Timestamp,
};
use parley::repos::message::NewMessage;
use parley::services::{character, chat_session, message};

const WORDS: &[&str] = &[
    "the", "ship", "drifted", "past", "a", "silent", "moon", "and", "she", "laughed", "softly",
    "while", "rain", "tapped", "on", "glass", "we", "should", "go", "before", "morning", "light",
    "finds", "us", "here", "captain", "said", "quietly", "engine", "hummed", "old", "stories",
    "never", "end", "they", "only", "wait", "café", "naïve", "déjà", "vu",
];

/// A sentence-like text of about `len` characters, different for each `seed`.
fn text(seed: u64, len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        out.push(if x % 11 == 0 { '.' } else { ' ' });
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let n_messages: usize = std::env::var("PARLEY_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let n_characters: usize = std::env::var("PARLEY_BENCH_CHARACTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parley.db");
    let (pool, _) = parley::db::open(&path).await.unwrap();

    // Generate: characters, then one long chat, each in one transaction.
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    let now = Timestamp::now();
    for i in 0..n_characters {
        let input = CharacterInput {
            name: format!("{} {i}", text(i as u64, 12).trim()),
            description: text(i as u64 + 7, 600),
            personality: text(i as u64 + 9, 120),
            scenario: text(i as u64 + 11, 200),
            first_message: text(i as u64 + 13, 300),
            tags: vec!["generated".into()],
            ..Default::default()
        };
        parley::repos::character::insert(
            &mut *tx,
            new_id(),
            &input,
            Timestamp::from_millis(now.millis() + i as i64),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let characters_s = started.elapsed();

    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&pool)
        .await
        .unwrap();
    let before_messages = std::fs::metadata(&path).unwrap().len();
    let chat = chat_session::create(&pool, ChatSessionInput::default())
        .await
        .unwrap()
        .id;
    let started = Instant::now();
    let mut text_bytes: u64 = 0;
    let mut tx = pool.begin().await.unwrap();
    let meta = serde_json::json!({});
    for i in 0..n_messages {
        // 150 to 450 characters, about 300 on average.
        let body = text(i as u64, 150 + (i * 7919) % 300);
        text_bytes += body.len() as u64;
        parley::repos::message::append(
            &mut tx,
            &NewMessage {
                id: new_id(),
                chat_session_id: chat,
                role: if i % 2 == 0 {
                    MessageRole::User
                } else {
                    MessageRole::Assistant
                },
                status: MessageStatus::Completed,
                content: &body,
                metadata: &meta,
                created_at: Timestamp::from_millis(now.millis() + i as i64),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let messages_s = started.elapsed();
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&pool)
        .await
        .unwrap();
    let file_bytes = std::fs::metadata(&path).unwrap().len();

    // Open the last page of the long chat, as the chat view does, and
    // serialise it as the IPC reply would be.
    let mut open_last = Vec::new();
    let mut reply_bytes = 0;
    for _ in 0..200 {
        let t = Instant::now();
        let page = message::page(&pool, chat, None, Some(50)).await.unwrap();
        let json = serde_json::to_string(&page).unwrap();
        open_last.push(t.elapsed());
        reply_bytes = json.len();
    }
    // The page before a message in the middle (scrolling up).
    let middle = message::page(&pool, chat, None, Some(50)).await.unwrap();
    let mut cursor = middle.next_cursor.unwrap().parse().unwrap();
    let mut page_before = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = message::page(&pool, chat, Some(cursor), Some(50))
            .await
            .unwrap();
        let _ = serde_json::to_string(&page).unwrap();
        page_before.push(t.elapsed());
        cursor = page.next_cursor.unwrap().parse().unwrap();
    }
    // Append a message to the long chat.
    let mut append = Vec::new();
    for i in 0..200 {
        let input = MessageInput {
            role: MessageRole::User,
            content: text(i + 1_000_000, 300),
        };
        let t = Instant::now();
        message::add(&pool, chat, input).await.unwrap();
        append.push(t.elapsed());
    }
    // The character list: first page, and every page of the 10,000.
    let mut list_first = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = character::list(&pool, &ListQuery::default()).await.unwrap();
        let _ = serde_json::to_string(&page).unwrap();
        list_first.push(t.elapsed());
    }
    let mut list_all = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let mut q = ListQuery {
            limit: Some(500),
            ..Default::default()
        };
        let mut seen = 0;
        loop {
            let page = character::list(&pool, &q).await.unwrap();
            seen += page.items.len();
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, n_characters);
        list_all.push(t.elapsed());
    }

    println!(
        "## Database benchmark ({n_messages} messages in one chat, {n_characters} characters)"
    );
    println!();
    println!("| what | median | runs |");
    println!("|---|---|---|");
    println!("| open the last page (50 messages) of the {n_messages}-message chat, query + JSON for IPC ({reply_bytes} bytes) | {} | 200 |", ms(median(open_last)));
    println!(
        "| the page before a message, walking up the chat | {} | 200 |",
        ms(median(page_before))
    );
    println!(
        "| append a message to that chat (one transaction) | {} | 200 |",
        ms(median(append))
    );
    println!(
        "| list characters, first page of 50 (+ JSON) | {} | 200 |",
        ms(median(list_first))
    );
    println!(
        "| list all {n_characters} characters, pages of 500 | {} | 5 |",
        ms(median(list_all))
    );
    println!(
        "| database growth per byte of message text ({:.1} MB for {:.1} MB of text, indexes included) | {:.2}x | 1 |",
        (file_bytes - before_messages) as f64 / 1e6,
        text_bytes as f64 / 1e6,
        (file_bytes - before_messages) as f64 / text_bytes as f64
    );
    println!(
        "| whole file: {n_characters} characters and {n_messages} messages | {:.1} MB | 1 |",
        file_bytes as f64 / 1e6
    );
    println!(
        "| generate: {n_characters} characters / {n_messages} messages | {:.1} s / {:.1} s | 1 |",
        characters_s.as_secs_f64(),
        messages_s.as_secs_f64()
    );
}
