//! Search across every message and character.
//!
//! What a person types is turned into an FTS5 query that cannot be a
//! syntax error: each word is quoted (so `-`, `:`, `AND` and the like are
//! just text), a trailing `*` makes a word a prefix, and "quoted words" are
//! a phrase. Words must all match (AND). Case and accents are folded by the
//! index's tokenizer.

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::error::{AppError, Result, ResultExt};
use crate::models::{Id, Timestamp};
use crate::repos::search::{self as repo, CharacterHit, Filters, MessageHit};

/// Longest query taken.
pub const QUERY_MAX_CHARS: usize = 500;
pub const DEFAULT_LIMIT: u32 = 50;
const CHARACTER_LIMIT: u32 = 10;

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

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Messages and characters matching the query, best first.
pub async fn search(pool: &SqlitePool, q: &SearchQuery) -> Result<SearchResults> {
    if q.query.chars().count() > QUERY_MAX_CHARS {
        return Err(AppError::validation(
            "query",
            format!("a search can be at most {QUERY_MAX_CHARS} characters long"),
        ));
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(AppError::validation(
                "to",
                "the end date is before the start date",
            ));
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
    let messages = repo::messages(pool, &expr, filters, limit)
        .await
        .context("search the messages")?;
    // Characters only when nothing narrows the search to messages.
    let characters = if q.character_id.is_none() && q.from.is_none() && q.to.is_none() {
        repo::characters(pool, &expr, CHARACTER_LIMIT)
            .await
            .context("search the characters")?
    } else {
        Vec::new()
    };
    Ok(SearchResults {
        messages,
        characters,
    })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

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
