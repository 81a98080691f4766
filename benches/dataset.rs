//! The benchmark dataset generator (shared by `benches/db.rs` and
//! `benches/window.rs`): characters with ordinary card text, one long chat
//! and many ordinary chats, messages of about 300 characters.
//!
//! Text is drawn from a 6,000-word vocabulary with a Zipf distribution
//! (a few words very common, most rare), as prose is, so full-text search
//! meets realistic posting lists. Everything is deterministic: the same
//! sizes give the same database.

#![allow(dead_code)]

use std::sync::OnceLock;

use parley::models::{new_id, CharacterInput, ChatSessionInput, Id, MessageRole, Timestamp};
use parley::repos::message::BulkMessage;
use sqlx::SqlitePool;

/// Words a search benchmark looks for, with what they are.
pub const COMMON_WORD: &str = "lantern";
pub const RARE_WORD: &str = "quixotic";
pub const PREFIX: &str = "harb*";
pub const PHRASE: &str = "\"silver harbour\"";

const SYLLABLES: &[&str] = &[
    "ka", "ren", "tho", "mi", "sa", "dor", "vel", "an", "is", "lo", "qua", "ter", "bri", "um",
    "zen", "ol", "fa", "ric", "ne", "sto", "gal", "we", "yn", "pe",
];

/// Real words first (they take the most frequent ranks), then made-up ones.
const REAL: &[&str] = &[
    "the",
    "and",
    "a",
    "to",
    "of",
    "she",
    "he",
    "was",
    "in",
    "it",
    "you",
    "that",
    "her",
    "his",
    "with",
    "said",
    "for",
    "on",
    "at",
    "as",
    "but",
    "not",
    "they",
    "we",
    "from",
    "ship",
    "night",
    "rain",
    "light",
    "captain",
    "door",
    "hand",
    "eyes",
    "voice",
    "smiled",
    "looked",
    "quietly",
    "engine",
    "moon",
    "glass",
    "morning",
    "stories",
    "café",
    "naïve",
    "déjà",
    "vu",
    "silver",
    "harbour",
    "harbor",
    "harbinger",
    "lantern",
    "map",
    "storm",
    "river",
    "quixotic",
];

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

struct Vocabulary {
    words: Vec<String>,
    /// Cumulative Zipf weights (s = 1.07), scaled to u64.
    cumulative: Vec<u64>,
}

fn vocabulary() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(|| {
        let mut words: Vec<String> = REAL
            .iter()
            .filter(|w| **w != RARE_WORD && **w != COMMON_WORD)
            .map(|w| w.to_string())
            .collect();
        let mut seed = 0x9e3779b97f4a7c15u64;
        while words.len() < 6000 {
            let n = 2 + (xorshift(&mut seed) % 3) as usize;
            let w: String = (0..n)
                .map(|_| SYLLABLES[(xorshift(&mut seed) % SYLLABLES.len() as u64) as usize])
                .collect();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        // "lantern" at rank 300 (about 1 message in 60), "quixotic" near
        // the tail (about 1 in 10,000).
        words.insert(300, COMMON_WORD.into());
        words.insert(5500, RARE_WORD.into());
        let mut total = 0f64;
        let weights: Vec<f64> = (1..=words.len())
            .map(|r| {
                let w = 1.0 / (r as f64).powf(1.07);
                total += w;
                w
            })
            .collect();
        let mut acc = 0f64;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w / total;
                (acc * u64::MAX as f64) as u64
            })
            .collect();
        Vocabulary { words, cumulative }
    })
}

/// Prose-like text of about `len` characters, different for each `seed`.
pub fn text(seed: u64, len: usize) -> String {
    let v = vocabulary();
    let mut out = String::with_capacity(len + 16);
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut capital = true;
    while out.len() < len {
        let r = xorshift(&mut x);
        let i = v
            .cumulative
            .partition_point(|c| *c < r)
            .min(v.words.len() - 1);
        let w = &v.words[i];
        if capital {
            let mut cs = w.chars();
            if let Some(c) = cs.next() {
                out.extend(c.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(w);
        }
        capital = r.is_multiple_of(9);
        out.push_str(if capital { ". " } else { " " });
    }
    out.truncate(out.trim_end().len());
    out
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub long_chat: Id,
    pub messages: usize,
    pub message_text_bytes: u64,
    pub characters: usize,
}

/// `n` characters with ordinary card text; their ids.
pub async fn characters(pool: &SqlitePool, n: usize) -> Vec<Id> {
    let now = Timestamp::now().millis();
    let mut ids = Vec::with_capacity(n);
    let mut tx = pool.begin().await.unwrap();
    for i in 0..n {
        let input = CharacterInput {
            name: format!("{} {i}", text(i as u64, 12)),
            description: text(i as u64 + 7, 600),
            personality: text(i as u64 + 9, 120),
            scenario: text(i as u64 + 11, 200),
            first_message: text(i as u64 + 13, 300),
            tags: vec!["generated".into()],
            ..Default::default()
        };
        let id = new_id();
        parley::repos::character::insert(
            &mut *tx,
            id,
            &input,
            Timestamp::from_millis(now + i as i64),
        )
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

/// One chat of `long` messages ("Generated chat 0") and `chats` chats of
/// `per_chat`, spread over the characters `ids` (each chat opens with its
/// character's greeting).
pub async fn chats(
    pool: &SqlitePool,
    ids: &[Id],
    long: usize,
    chats: usize,
    per_chat: usize,
) -> Dataset {
    let now = Timestamp::now().millis();
    let mut text_bytes = 0u64;
    let mut seed = 0u64;
    let mut long_chat = None;
    for c in 0..=chats {
        let (n, character_id) = if c == 0 {
            (long, ids.first().copied())
        } else {
            (per_chat, ids.get((c - 1) * 10 % ids.len().max(1)).copied())
        };
        let character_id = character_id.filter(|_| !ids.is_empty());
        let chat = parley::services::chat_session::create(
            pool,
            ChatSessionInput {
                title: format!("Generated chat {c}"),
                character_id,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
        // The greeting took seq 0 when the character has one; go after it.
        let offset: i64 =
            sqlx::query_scalar("select count(*) from messages where chat_session_id = ?1")
                .bind(chat)
                .fetch_one(pool)
                .await
                .unwrap();
        let rows: Vec<BulkMessage> = (0..n)
            .map(|i| {
                seed += 1;
                // 150 to 450 characters, about 300 on average.
                let body = text(seed, 150 + (seed as usize * 7919) % 300);
                text_bytes += body.len() as u64;
                BulkMessage {
                    id: new_id(),
                    seq: offset + i as i64,
                    role: if i % 2 == 0 {
                        MessageRole::User
                    } else {
                        MessageRole::Assistant
                    },
                    content: body,
                    metadata: serde_json::json!({}),
                    created_at: Timestamp::from_millis(now - (n - i) as i64 * 60_000),
                    active_swipe: 0,
                    speaker_id: None,
                    speaker_name: None,
                }
            })
            .collect();
        let mut tx = pool.begin().await.unwrap();
        parley::repos::message::insert_many(&mut tx, chat, &rows)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        long_chat.get_or_insert(chat);
    }
    Dataset {
        long_chat: long_chat.unwrap(),
        messages: long + chats * per_chat,
        message_text_bytes: text_bytes,
        characters: ids.len(),
    }
}

/// A SillyTavern chat of `n` messages, as its `.jsonl` bytes.
pub fn sillytavern_chat(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 420);
    out.push_str(
        r#"{"user_name":"You","character_name":"Bench","create_date":"2024-01-01T00:00:00.000Z","chat_metadata":{}}"#,
    );
    out.push('\n');
    for i in 0..n {
        let user = i % 2 == 0;
        let line = serde_json::json!({
            "name": if user { "You" } else { "Bench" },
            "is_user": user,
            "is_system": false,
            "send_date": parley::cards::sillytavern::format_date(1_704_067_200_000 + i as i64 * 1000),
            "mes": text(i as u64 + 5_000_000, 150 + (i * 7919) % 300),
            "extra": {},
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out.into_bytes()
}
