//! `make bench` (database): a generated library of realistic size and the
//! queries the screens run on it, timed as medians over repeated runs.
//!
//! Dataset (`benches/dataset.rs`): 10,000 characters, one chat of 100,000
//! messages and 900 chats of 1,000 (1,000,000 messages of about 300
//! characters). `PARLEY_BENCH_CHARACTERS`, `PARLEY_BENCH_LONG`,
//! `PARLEY_BENCH_CHATS` and `PARLEY_BENCH_PER_CHAT` change the sizes. The
//! database is a file opened exactly as the app opens its own (WAL,
//! pragmas, migrations, full-text triggers); it is kept at
//! `~/.cache/parley/bench/parley.db` for `benches/window.rs`.

#[path = "dataset.rs"]
mod dataset;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use parley::models::{ListQuery, MessageInput, MessageRole};
use parley::services::search::{search, SearchQuery};
use parley::services::{character, import, message};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn checkpoint(pool: &sqlx::SqlitePool) {
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(pool)
        .await
        .unwrap();
}

async fn timed<F, Fut, T>(runs: usize, mut f: F) -> Duration
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        let _ = f(i).await;
        times.push(t.elapsed());
    }
    median(times)
}

#[tokio::main]
async fn main() {
    let n_characters = env("PARLEY_BENCH_CHARACTERS", 10_000);
    let long = env("PARLEY_BENCH_LONG", 100_000);
    let chats = env("PARLEY_BENCH_CHATS", 900);
    let per_chat = env("PARLEY_BENCH_PER_CHAT", 1_000);
    let keep = dirs::home_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".cache/parley/bench");
    std::fs::create_dir_all(&keep).unwrap();
    let path = keep.join("parley.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let (pool, _) = parley::db::open(&path).await.unwrap();
    checkpoint(&pool).await;
    let empty_bytes = std::fs::metadata(&path).unwrap().len();

    let started = Instant::now();
    let ids = dataset::characters(&pool, n_characters).await;
    let characters_s = started.elapsed();
    checkpoint(&pool).await;
    let before_messages = std::fs::metadata(&path).unwrap().len();
    let started = Instant::now();
    let data = dataset::chats(&pool, &ids, long, chats, per_chat).await;
    let messages_s = started.elapsed();
    checkpoint(&pool).await;
    let file_bytes = std::fs::metadata(&path).unwrap().len();
    let n_messages = data.messages;
    let chat = data.long_chat;

    // The long chat's last page, as the chat view opens it, with the JSON
    // the IPC reply carries.
    let p = &pool;
    let reply_bytes = serde_json::to_string(&message::page(p, chat, None, Some(50)).await.unwrap())
        .unwrap()
        .len();
    let open_last = timed(200, |_| async move {
        let page = message::page(p, chat, None, Some(50)).await.unwrap();
        serde_json::to_string(&page).unwrap()
    })
    .await;
    // Walking up the chat a page at a time.
    let first = message::page(&pool, chat, None, Some(50)).await.unwrap();
    let top: parley::models::Id = first.next_cursor.unwrap().parse().unwrap();
    let mut cursor = top;
    let mut page_before = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = message::page(&pool, chat, Some(cursor), Some(50))
            .await
            .unwrap();
        let _ = serde_json::to_string(&page).unwrap();
        page_before.push(t.elapsed());
        // At the top, start again from the end (small datasets).
        cursor = page.next_cursor.map_or(top, |c| c.parse().unwrap());
    }
    let page_before = median(page_before);
    // A jump from search into the middle of the chat.
    let middle = message::page(&pool, chat, Some(cursor), Some(1))
        .await
        .unwrap()
        .items[0]
        .id;
    let around = timed(200, |_| async move {
        let w = message::page_around(p, chat, middle, Some(100))
            .await
            .unwrap();
        serde_json::to_string(&w).unwrap()
    })
    .await;
    let append = timed(200, |i| async move {
        let input = MessageInput {
            role: MessageRole::User,
            content: dataset::text(i as u64 + 9_000_000, 300),
        };
        message::add(p, chat, input).await.unwrap()
    })
    .await;

    // Full-text search over every message.
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
        let query = &query;
        let hits = search(p, query).await.unwrap().messages.len();
        let t = timed(50, |_| async move {
            let r = search(p, query).await.unwrap();
            serde_json::to_string(&r).unwrap()
        })
        .await;
        let matching: i64 =
            sqlx::query_scalar("select count(*) from messages_fts where messages_fts match ?1")
                .bind(parley::services::search::fts_query(q).unwrap())
                .fetch_one(&pool)
                .await
                .unwrap();
        searches.push((label, t, matching, hits));
    }

    let list_first = timed(200, |_| async move {
        let page = character::list(p, &ListQuery::default()).await.unwrap();
        serde_json::to_string(&page).unwrap()
    })
    .await;
    let list_all = timed(5, |_| async move {
        let mut q = ListQuery {
            limit: Some(500),
            ..Default::default()
        };
        let mut seen = 0;
        loop {
            let page = character::list(p, &q).await.unwrap();
            seen += page.items.len();
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, n_characters);
    })
    .await;
    pool.close().await;

    // Importing a 100,000-message SillyTavern chat into a fresh database.
    let st = dataset::sillytavern_chat(100_000);
    let mut import_runs = Vec::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let (fresh, _) = parley::db::open(&dir.path().join("p.db")).await.unwrap();
        let t = Instant::now();
        import::import_bytes(&fresh, "bench.jsonl", st.clone())
            .await
            .unwrap();
        import_runs.push(t.elapsed());
        fresh.close().await;
    }
    let import_t = median(import_runs);

    let growth = (file_bytes - before_messages) as f64;
    println!(
        "## Database benchmark ({n_messages} messages: one chat of {long}, {chats} of {per_chat}; {n_characters} characters)"
    );
    println!();
    println!("| what | median | runs |");
    println!("|---|---|---|");
    println!("| open the last page (50 messages) of the {long}-message chat, query + JSON for IPC ({reply_bytes} bytes) | {} | 200 |", ms(open_last));
    println!(
        "| the page before a message, walking up that chat | {} | 200 |",
        ms(page_before)
    );
    println!(
        "| jump: 100 messages around one in the middle of that chat | {} | 200 |",
        ms(around)
    );
    println!(
        "| append a message to that chat (one transaction, index updated) | {} | 200 |",
        ms(append)
    );
    for (label, t, matching, hits) in &searches {
        println!(
            "| search {n_messages} messages for {label}: {matching} match, best {hits} returned with snippets | {} | 50 |",
            ms(*t)
        );
    }
    println!(
        "| list characters, first page of 50 (+ JSON) | {} | 200 |",
        ms(list_first)
    );
    println!(
        "| list all {n_characters} characters, pages of 500 | {} | 5 |",
        ms(list_all)
    );
    println!(
        "| import a 100,000-message SillyTavern chat ({:.1} MB) into a fresh database | {} = {:.0} messages/s | 3 |",
        st.len() as f64 / 1e6,
        ms(import_t),
        100_000.0 / import_t.as_secs_f64()
    );
    println!(
        "| database growth per byte of message text ({:.1} MB for {:.1} MB of text; table, indexes and full-text index) | {:.2}x | 1 |",
        growth / 1e6,
        data.message_text_bytes as f64 / 1e6,
        growth / data.message_text_bytes as f64
    );
    println!(
        "| whole file: {n_characters} characters and {n_messages} messages (empty: {:.2} MB) | {:.1} MB | 1 |",
        empty_bytes as f64 / 1e6,
        file_bytes as f64 / 1e6
    );
    println!(
        "| generate: {n_characters} characters / {n_messages} messages | {:.1} s / {:.1} s | 1 |",
        characters_s.as_secs_f64(),
        messages_s.as_secs_f64()
    );
    println!();
    println!("Kept for the window benchmark: {}", path.display());
}
