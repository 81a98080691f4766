//! Search across every message, character and task.
//!
//! What a person types is turned into an FTS5 query that cannot be a
//! syntax error: each word is quoted (so `-`, `:`, `AND` and the like are
//! just text), a trailing `*` makes a word a prefix, and "quoted words" are
//! a phrase. Words must all match (AND). Case and accents are folded by the
//! index's tokenizer.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqlitePool;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::{AppError, Result, ResultExt};
use crate::models::{Id, TaskHit, Timestamp};
use crate::repos::search::{self as repo, CharacterHit, Filters, MessageHit};

/// Longest query taken.
pub const QUERY_MAX_CHARS: usize = 500;
pub const DEFAULT_LIMIT: u32 = 50;
const CHARACTER_LIMIT: u32 = 10;
const TASK_LIMIT: u32 = 10;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SearchQuery {
    pub query: String,
    pub character_id: Option<Id>,
    /// Inclusive bounds on a message's time.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub messages: Vec<MessageHit>,
    pub characters: Vec<CharacterHit>,
    /// Live tasks, only when no filter narrows the search to messages.
    pub tasks: Vec<TaskHit>,
}

/// The FTS5 expression for what the person typed; `None` when it holds no
/// word to look for.
pub fn fts_query(input: &str) -> Option<String> {
    let mut terms = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            // A phrase runs to the closing quote (or the end).
            let end = after.find('"').unwrap_or(after.len());
            let words: Vec<&str> = after[..end].split_whitespace().collect();
            if !words.is_empty() {
                terms.push(quote(&words.join(" ")));
            }
            rest = after.get(end + 1..).unwrap_or("").trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = rest[end..].trim_start();
        let (stem, prefix) = match word.strip_suffix('*') {
            Some(s) => (s.trim_end_matches('*'), true),
            None => (word, false),
        };
        // A word that is all punctuation matches nothing; leave it out.
        if !stem.chars().any(char::is_alphanumeric) {
            continue;
        }
        let q = quote(stem);
        terms.push(if prefix { format!("{q}*") } else { q });
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A word to highlight: folded text, and whether it is a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub prefix: bool,
}

/// The words of what the person typed, as the index sees them (phrases
/// split into their words).
pub fn terms(input: &str) -> Vec<Term> {
    let mut out = Vec::new();
    for raw in input.split_whitespace() {
        let prefix = raw.trim_end_matches('"').ends_with('*');
        let words: Vec<&str> = raw
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let last = words.len().saturating_sub(1);
        for (i, w) in words.into_iter().enumerate() {
            out.push(Term {
                text: fold(w),
                prefix: prefix && i == last,
            });
        }
    }
    out
}

/// Lower case without accents, as the index's tokenizer folds words.
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words a snippet shows.
const SNIPPET_WORDS: usize = 16;

/// A short extract of `text` around its best run of matching words, each
/// match between U+0002 and U+0003, with "…" where text was cut.
pub fn snippet(text: &str, terms: &[Term]) -> String {
    // Words (runs of letters and digits) with their byte ranges.
    let mut words: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let w = fold(&text[s..i]);
                let hit = terms.iter().any(|t| {
                    if t.prefix {
                        w.starts_with(&t.text)
                    } else {
                        w == t.text
                    }
                });
                words.push((s, i, hit));
                start = None;
            }
            _ => {}
        }
    }
    if words.is_empty() {
        return text
            .chars()
            .take(200)
            .filter(|c| !matches!(c, '\u{2}' | '\u{3}'))
            .collect();
    }
    // The window of SNIPPET_WORDS words with the most matches (the first).
    let n = SNIPPET_WORDS.min(words.len());
    let hits = |from: usize| words[from..from + n].iter().filter(|w| w.2).count();
    let first = (0..=words.len() - n)
        .max_by_key(|&i| (hits(i), std::cmp::Reverse(i)))
        .unwrap_or(0);
    // Start a little before the first match in it, when there is room.
    let lead = words[first..first + n]
        .iter()
        .position(|w| w.2)
        .unwrap_or(0);
    let from = (first + lead).saturating_sub(3).min(words.len() - n);
    let to = from + n;
    let clean = |s: &str| s.replace(['\u{2}', '\u{3}'], "");
    let mut out = String::new();
    let begin = if from == 0 { 0 } else { words[from].0 };
    if from > 0 {
        out.push('…');
    }
    let mut at = begin;
    for &(s, e, hit) in &words[from..to] {
        out.push_str(&clean(&text[at..s]));
        if hit {
            out.push('\u{2}');
            out.push_str(&clean(&text[s..e]));
            out.push('\u{3}');
        } else {
            out.push_str(&clean(&text[s..e]));
        }
        at = e;
    }
    if to == words.len() {
        out.push_str(&clean(&text[at..]));
    } else {
        out.push('…');
    }
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Messages and characters matching the query, best first.
pub async fn search(pool: &SqlitePool, q: &SearchQuery) -> Result<SearchResults> {
    if q.query.chars().count() > QUERY_MAX_CHARS {
        return Err(AppError::validation(
            "query",
            format!("a search can be at most {QUERY_MAX_CHARS} characters long"),
        )
        .worded("search_too_long", json!({ "limit": QUERY_MAX_CHARS })));
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(
                AppError::validation("to", "the end date is before the start date")
                    .worded("dates_backwards", json!({})),
            );
        }
    }
    let Some(expr) = fts_query(&q.query) else {
        return Ok(SearchResults::default());
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 500);
    let filters = Filters {
        character_id: q.character_id,
        from: q.from,
        to: q.to,
    };
    let words = terms(&q.query);
    let mut messages = repo::messages(pool, &expr, filters, limit)
        .await
        .context("search the messages")?;
    for m in &mut messages {
        m.snippet = snippet(&m.snippet, &words);
    }
    // Characters and tasks only when nothing narrows the search to messages.
    if q.character_id.is_some() || q.from.is_some() || q.to.is_some() {
        return Ok(SearchResults {
            messages,
            ..SearchResults::default()
        });
    }
    let characters = repo::characters(pool, &expr, CHARACTER_LIMIT)
        .await
        .context("search the characters")?;
    let tasks = super::task::search(pool, &expr, TASK_LIMIT).await?;
    Ok(SearchResults {
        messages,
        characters,
        tasks,
    })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn snippets_mark_matches_around_the_best_run() {
        let t = terms("café* \"red fox\"");
        assert_eq!(
            t,
            vec![
                Term {
                    text: "cafe".into(),
                    prefix: true
                },
                Term {
                    text: "red".into(),
                    prefix: false
                },
                Term {
                    text: "fox".into(),
                    prefix: false
                },
            ]
        );
        let text = format!(
            "{} The red fox sat in the Cafétéria, quiet. {}",
            "word ".repeat(30),
            "tail ".repeat(30)
        );
        let s = snippet(&text, &t);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("\u{2}red\u{3} \u{2}fox\u{3}"), "{s}");
        assert!(s.contains("\u{2}Cafétéria\u{3}"), "{s}");
        assert_eq!(snippet("short red text", &t), "short \u{2}red\u{3} text");
        assert_eq!(snippet("no \u{2}markers\u{3} kept", &t), "no markers kept");
    }

    #[rstest]
    #[case::words("dragon castle", Some(r#""dragon" "castle""#))]
    #[case::prefix("drag*", Some(r#""drag"*"#))]
    #[case::phrase(r#""red dragon" lair"#, Some(r#""red dragon" "lair""#))]
    #[case::unclosed(r#"say "hello there"#, Some(r#""say" "hello there""#))]
    #[case::operators("NOT a-b col:x", Some(r#""NOT" "a-b" "col:x""#))]
    #[case::quote_inside(r#"it"s"#, Some(r#""it""s""#))]
    #[case::punctuation_only("* - !!", None)]
    #[case::empty("   ", None)]
    fn typed_text_becomes_a_safe_query(#[case] input: &str, #[case] expected: Option<&str>) {
        assert_eq!(fts_query(input).as_deref(), expected);
    }
}
