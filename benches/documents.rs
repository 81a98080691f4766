//! `make bench` (documents): the time to add a document, extraction,
//! chunking and the full-text index together (`services::document::add`
//! into a database file opened as the app opens its own), for generated
//! plain text and, beside it, a generated PDF of the same kind of prose.
//! Reported in MB of extracted text per second, medians over runs; each
//! run adds the file to a fresh place, so none is refused as a duplicate.
//! `PARLEY_BENCH_DOC_MB` sets the text's size (default 10).

#[path = "../tests/common/doc_files.rs"]
mod doc_files;

use std::time::{Duration, Instant};

use parley::models::DocumentPlace;
use parley::services::chat_session;
use parley::services::document::{self as documents, Limits};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Prose from a fixed seed: sentences of 6-18 words, paragraphs of 3-8.
fn prose(bytes: usize) -> String {
    const WORDS: &[&str] = &[
        "the",
        "keeper",
        "lamp",
        "sea",
        "ship",
        "night",
        "harbour",
        "storm",
        "light",
        "rope",
        "gull",
        "engine",
        "dawn",
        "tide",
        "captain",
        "letter",
        "island",
        "fog",
        "bell",
        "map",
        "remembered",
        "walked",
        "carried",
        "quietly",
        "under",
        "before",
        "after",
        "across",
    ];
    let mut seed = 42u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize % n
    };
    let mut out = String::with_capacity(bytes + 200);
    while out.len() < bytes {
        for _ in 0..3 + next(6) {
            let n = 6 + next(13);
            for w in 0..n {
                let word = WORDS[next(WORDS.len())];
                if w == 0 {
                    out.push_str(&word[..1].to_uppercase());
                    out.push_str(&word[1..]);
                } else {
                    out.push(' ');
                    out.push_str(word);
                }
            }
            out.push_str(". ");
        }
        out.push_str("\n\n");
    }
    out
}

/// Adds `bytes` as `name` `runs` times; the median time and the text's size.
async fn ingest(
    pool: &sqlx::SqlitePool,
    name: &str,
    bytes: &[u8],
    runs: usize,
) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut text_len = 0;
    for _ in 0..runs {
        let chat = chat_session::create(pool, Default::default())
            .await
            .unwrap();
        let t = Instant::now();
        let doc = documents::add(
            pool,
            DocumentPlace::Chat(chat.id),
            name,
            bytes.to_vec(),
            None,
            &Limits::default(),
        )
        .await
        .unwrap();
        times.push(t.elapsed());
        text_len = documents::get(pool, doc.id).await.unwrap().content.len();
    }
    (median(times), text_len)
}

fn rate(len: usize, d: Duration) -> f64 {
    len as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let mb: usize = std::env::var("PARLEY_BENCH_DOC_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let (pool, _) = parley::db::open(&dir.path().join("parley.db"))
        .await
        .unwrap();

    let text = prose(mb * 1024 * 1024);
    let (took, len) = ingest(&pool, "story.txt", text.as_bytes(), 5).await;
    println!(
        "document ingest, plain text ({:.1} MB, chunks of 300 tokens): {:.0} ms, {:.1} MB/s (median of 5; target >= 5 MB/s)",
        len as f64 / 1048576.0,
        took.as_secs_f64() * 1000.0,
        rate(len, took)
    );

    // The PDF: 50 lines of about 90 characters a page.
    let body = prose(mb * 1024 * 1024 / 10);
    let lines: Vec<String> = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .chunks(15)
        .map(|w| w.join(" "))
        .collect();
    let pages: Vec<Vec<&str>> = lines
        .chunks(50)
        .map(|p| p.iter().map(String::as_str).collect())
        .collect();
    let page_refs: Vec<&[&str]> = pages.iter().map(Vec::as_slice).collect();
    let pdf = doc_files::pdf(&page_refs);
    let (took, len) = ingest(&pool, "story.pdf", &pdf, 3).await;
    println!(
        "document ingest, PDF ({} pages, {:.1} MB of text from a {:.1} MB file): {:.0} ms, {:.2} MB/s of text (median of 3)",
        pages.len(),
        len as f64 / 1048576.0,
        pdf.len() as f64 / 1048576.0,
        took.as_secs_f64() * 1000.0,
        rate(len, took)
    );
    pool.close().await;
}
