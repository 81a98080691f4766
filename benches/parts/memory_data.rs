//! The memory benchmark's generated data (`benches/memory.rs`): long chats
//! with facts planted among prose, the questions that ask for them, and
//! document chunks written straight into the tables. Deterministic: the
//! same seed gives the same chats, facts and questions.

#![allow(dead_code)]

use parley::models::{new_id, Id, MessageRole, Timestamp};
use parley::repos::message::BulkMessage;
use sqlx::SqlitePool;

use crate::dataset;

/// Names, things and places the facts are made of. Some things and places
/// are words the prose uses all the time (silver, map, lantern, harbour),
/// as in a real story.
const NAMES: &[&str] = &[
    "Mira", "Tobias", "Elena", "Corvin", "Yara", "Dmitri", "Lise", "Oskar", "Priya", "Anselm",
    "Wren", "Hugo", "Selin", "Bram", "Ilse", "Kasimir", "Noor", "Teodor", "Zofia", "Reuben",
];
const THINGS: &[&str] = &[
    "brass key",
    "silver compass",
    "old map",
    "storm lantern",
    "ledger",
    "music box",
    "river stone",
    "glass eye",
    "captain's log",
    "moon charm",
    "velvet glove",
    "bone whistle",
];
const PLACES: &[&str] = &[
    "harbour",
    "lighthouse",
    "mill",
    "old bridge",
    "observatory",
    "market",
    "chapel",
    "boathouse",
    "orchard",
    "granary",
];
const FOODS: &[&str] = &[
    "almonds",
    "shellfish",
    "honey",
    "oranges",
    "mushrooms",
    "rye",
];
const TOWNS: &[&str] = &[
    "Vellmoor",
    "Karrow",
    "Osterby",
    "Duneholm",
    "Saltreach",
    "Imbergate",
];
const JOBS: &[&str] = &[
    "cartographer",
    "surgeon",
    "blacksmith",
    "navigator",
    "glassblower",
];

/// A fact and a question about it; `other_form` when the question asks
/// with another form of the fact's word (live / lives, hide / hidden).
#[derive(Debug, Clone)]
pub struct Fact {
    pub text: String,
    pub question: String,
    pub other_form: bool,
}

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// One fact of a random kind.
pub fn fact(rng: &mut Rng) -> Fact {
    let n = rng.pick(NAMES);
    let o = rng.pick(THINGS);
    let p = rng.pick(PLACES);
    let (text, question, other_form) = match rng.below(12) {
        0 => (
            format!("{n} lives in a narrow blue house behind the {p}."),
            format!("Remind me, where does {n} live?"),
            true,
        ),
        1 => (
            format!("{n} hid the {o} inside a hollow oak near the {p}."),
            format!("Where is the {o} hidden?"),
            true,
        ),
        2 => (
            format!("Before leaving, {n} buried the {o} under the {p}."),
            format!("Where did {n} bury the {o}?"),
            true,
        ),
        3 => (
            format!("{n} keeps the {o} in a tin box beneath the stairs."),
            format!("Where does {n} keep the {o}?"),
            true,
        ),
        4 => (
            format!("We agreed to meet {n} at the {p} on the first frost."),
            format!("When are we meeting {n} at the {p}?"),
            true,
        ),
        5 => (
            format!("{n} is terribly allergic to {}.", rng.pick(FOODS)),
            format!("What was {n} allergic to again?"),
            false,
        ),
        6 => (
            format!("The code for the {p} vault is {}.", 1000 + rng.below(9000)),
            format!("What's the code for the {p} vault?"),
            false,
        ),
        7 => (
            format!(
                "{n} was born in {}, a fishing village in the north.",
                rng.pick(TOWNS)
            ),
            format!("Where was {n} born?"),
            false,
        ),
        8 => (
            format!("{n} lost the {o} while crossing the {p}."),
            format!("Do you remember where {n} lost the {o}?"),
            false,
        ),
        9 => (
            format!("{n} painted the {o} green so nobody would recognise it."),
            format!("What colour did {n} paint the {o}?"),
            true,
        ),
        10 => (
            format!(
                "{n} trained as a {} before joining the crew.",
                rng.pick(JOBS)
            ),
            format!("What did {n} train as before the crew?"),
            true,
        ),
        _ => (
            format!("The {o} belongs to {n}'s grandmother."),
            format!("Whose grandmother owns the {o}?"),
            true,
        ),
    };
    Fact {
        text,
        question,
        other_form,
    }
}

/// A generated chat: its id, its facts (each with the message that holds
/// it) and its length.
pub struct LongChat {
    pub id: Id,
    pub facts: Vec<(Fact, Id, i64)>,
    pub messages: usize,
}

/// A chat of `n` prose messages (about 300 characters each) with `facts`
/// facts planted at random places below `n - window`, each inside a prose
/// message; names turn up in the prose now and then too.
pub async fn long_chat(
    pool: &SqlitePool,
    n: usize,
    facts: usize,
    window: usize,
    seed: u64,
) -> LongChat {
    let chat = parley::services::chat_session::create(
        pool,
        parley::models::ChatSessionInput {
            title: format!("Memory bench {n}"),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let mut rng = Rng::new(seed);
    let mut planted: Vec<(usize, Fact)> = Vec::new();
    while planted.len() < facts {
        let at = rng.below(n - window);
        if planted.iter().all(|(s, _)| *s != at) {
            planted.push((at, fact(&mut rng)));
        }
    }
    let now = Timestamp::now().millis();
    let mut rows = Vec::with_capacity(n);
    let mut out = Vec::new();
    for i in 0..n {
        let s = seed * 10_000_000 + i as u64;
        let mut content = dataset::text(s, 150 + (s as usize * 7919) % 300);
        if rng.below(20) == 0 {
            content = format!("{content} {} nodded.", rng.pick(NAMES));
        }
        let id = new_id();
        if let Some((_, f)) = planted.iter().find(|(at, _)| *at == i) {
            content = format!(
                "{} {} {}",
                dataset::text(s, 120),
                f.text,
                dataset::text(s + 1, 120)
            );
            out.push((f.clone(), id, i as i64));
        }
        rows.push(BulkMessage {
            id,
            seq: i as i64,
            role: if i % 2 == 0 {
                MessageRole::User
            } else {
                MessageRole::Assistant
            },
            content,
            metadata: serde_json::json!({}),
            created_at: Timestamp::from_millis(now - (n - i) as i64 * 60_000),
            active_swipe: 0,
            speaker_id: None,
            speaker_name: None,
        });
    }
    let mut tx = pool.begin().await.unwrap();
    parley::repos::message::insert_many(&mut tx, chat, &rows)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    LongChat {
        id: chat,
        facts: out,
        messages: n,
    }
}

/// Where the documents of the timing library go.
pub struct Scopes {
    pub chat: Id,
    pub character: Option<Id>,
    pub other_chats: Vec<Id>,
}

/// `documents` documents of `per_document` chunks of about 1,000
/// characters, written straight into `documents` / `document_chunks` (the
/// FTS triggers index them): 10 in the chat, 20 of its character, 20 in
/// the library, the rest in other chats.
pub async fn documents(pool: &SqlitePool, scopes: &Scopes, documents: usize, per_document: usize) {
    let now = Timestamp::now().millis();
    let mut tx = pool.begin().await.unwrap();
    for d in 0..documents {
        let (scope, chat, character) = match d {
            0..10 => ("chat", Some(scopes.chat), None),
            10..30 if scopes.character.is_some() => ("character", None, scopes.character),
            10..50 => ("library", None, None),
            _ => (
                "chat",
                Some(scopes.other_chats[d % scopes.other_chats.len()]),
                None,
            ),
        };
        let id = new_id();
        sqlx::query(
            r"insert into documents (id, scope, chat_session_id, character_id, name, kind,
                   byte_size, sha256, chunk_size, chunk_overlap, chunk_count, token_count,
                   created_at, updated_at, content)
              values (?1, ?2, ?3, ?4, ?5, 'text', 0, '', 300, 40, ?6, 0, ?7, ?7, '')",
        )
        .bind(id)
        .bind(scope)
        .bind(chat)
        .bind(character)
        .bind(format!("Bench document {d}.txt"))
        .bind(per_document as i64)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        for c in 0..per_document {
            let text = dataset::text((d * per_document + c) as u64 + 70_000_000, 1000);
            sqlx::query(
                r"insert into document_chunks (document_id, chunk_index, token_count, text)
                  values (?1, ?2, ?3, ?4)",
            )
            .bind(id)
            .bind(c as i64)
            .bind(parley::services::tokens::estimate(&text))
            .bind(text)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

/// `n` summaries of 1,000-message ranges at the start of `chat`.
pub async fn summaries(pool: &SqlitePool, chat: Id, n: usize) {
    let now = Timestamp::now().millis();
    for i in 0..n {
        sqlx::query(
            r"insert into chat_memories (id, chat_session_id, first_seq, last_seq, made_by,
                   created_at, updated_at, content)
              values (?1, ?2, ?3, ?4, 'model', ?5, ?5, ?6)",
        )
        .bind(new_id())
        .bind(chat)
        .bind((i * 1000) as i64)
        .bind((i * 1000 + 999) as i64)
        .bind(now)
        .bind(dataset::text(i as u64 + 80_000_000, 600))
        .execute(pool)
        .await
        .unwrap();
    }
}
