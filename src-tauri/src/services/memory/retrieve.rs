//! Retrieval: the memory pieces a reply may be given, each source under
//! its own token budget.
//!
//! - documents: the best chunks (BM25) of the documents in the chat's
//!   scopes;
//! - recall: the best (BM25) of the chat's own messages below the first
//!   message of the prompt's history;
//! - summaries: the chat's `chat_memories` that end below that message,
//!   pinned first, then newest ranges first, never two that overlap.
//!
//! Ranking happens in one place, [`rank`]; a source then takes its pieces
//! best first while they fit its budget ([`fill`]). Reads only.
//!
//! Cost. FTS5 scores every row that matches a search, and for BM25 counts
//! every row each word matches, on every search; it cannot filter by chat
//! or scope inside the index. So before searching, each word's matches are
//! counted in a small sample of the index (its newest [`SAMPLE_ROWS`]
//! rows, one statement) and only the rarest words are searched
//! (`Query::rare`); when the words kept are common enough to match more
//! than about [`TARGET_MATCHES`] rows of the range, the search reads only
//! its newest rows. Messages are narrowed to the chat's rowid range first
//! (`repos::memory`).

use std::collections::HashMap;

use sqlx::SqlitePool;

use super::blend;
use super::pieces::{message_number, Origin, Piece};
use super::query::{Query, Term};
use crate::error::Result;
use crate::models::Id;
use crate::repos::memory::{self as repo, Index};
use crate::services::tokens;

/// Candidates a searched source reads before filling its budget: enough
/// that small pieces can stand in for a big one that does not fit, few
/// enough that the texts read stay small.
pub const CANDIDATES: u32 = 40;

/// Index rows sampled to tell rare words from common ones.
pub const SAMPLE_ROWS: i64 = 4000;

/// Matches a search should score at most, about.
pub const TARGET_MATCHES: f64 = 1000.0;

/// The words of `query` worth searching `index` for over rowids
/// `low..high`, and where that search should start so that it scores
/// about [`TARGET_MATCHES`] rows at most. The sample is the newest
/// [`SAMPLE_ROWS`] rows of the whole index, since BM25's cost is in the
/// whole index's rows; an index that small is searched whole, with every
/// word.
async fn narrow(
    pool: &SqlitePool,
    index: Index,
    query: &Query,
    (low, high): (i64, i64),
) -> Result<(Query, i64)> {
    let top = repo::last_rowid(pool, index).await? + 1;
    if top <= SAMPLE_ROWS {
        return Ok((query.clone(), low));
    }
    let groups: Vec<String> = query.terms.iter().map(Term::group).collect();
    let counts = repo::counts(pool, index, &groups, top - SAMPLE_ROWS, top).await?;
    let (rare, share) = query.rare(&counts, SAMPLE_ROWS);
    let span = if share > 0.0 {
        (TARGET_MATCHES / share) as i64
    } else {
        i64::MAX
    };
    Ok((rare, low.max(high.saturating_sub(span))))
}

/// Summaries read at most (a chat rarely has more that end before its
/// history).
const SUMMARY_ROWS: u32 = 200;

/// Framing a piece's line costs beyond its label and text (brackets, the
/// speaker's name, blank lines), in tokens.
const LINE_TOKENS: i64 = 6;

fn piece(origin: Origin, label: String, text: String, score: f64, key: i64) -> Piece {
    let tokens = tokens::estimate(&label) + tokens::estimate(&text) + LINE_TOKENS;
    Piece {
        origin,
        tokens,
        label,
        text,
        score,
        key,
    }
}

/// A candidate scoring under this share of the best one is left out: it
/// matched only words that say little (common ones, or only the context's),
/// and would spend the budget on noise.
pub const SCORE_FLOOR: f64 = 0.25;

/// Orders candidates best first (highest score; ties keep their order),
/// without those under [`SCORE_FLOOR`] of the best.
///
/// The one place ranking happens. When an embedding model is chosen, the
/// candidates' BM25 scores were first blended with vector similarity
/// ([`blend_scores`]).
pub fn rank(mut candidates: Vec<Piece>) -> Vec<Piece> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let best = candidates.first().map_or(0.0, |p| p.score);
    candidates.retain(|p| p.score >= best * SCORE_FLOOR);
    candidates
}

/// Replaces each candidate's BM25 score by its blend with the cosine
/// similarity of its vector (`vectors`, by [`Piece::key`]) with weight
/// `weight` (`memory::blend`); a candidate without a vector keeps its
/// keyword share.
pub fn blend_scores(candidates: &mut [Piece], vectors: &HashMap<i64, f32>, weight: f64) {
    let bm25: Vec<(i64, f64)> = candidates.iter().map(|p| (p.key, p.score)).collect();
    let blended: HashMap<i64, f64> = blend::blend(&bm25, vectors, weight).into_iter().collect();
    for p in candidates.iter_mut() {
        p.score = blended.get(&p.key).copied().unwrap_or(0.0);
    }
}

/// Takes pieces in order while they fit `budget`: a piece too big for
/// what is left is skipped, and a smaller one after it may still fit.
pub fn fill(ranked: Vec<Piece>, budget: i64) -> Vec<Piece> {
    let mut left = budget;
    let mut out = Vec::new();
    for p in ranked {
        if p.tokens <= left {
            left -= p.tokens;
            out.push(p);
        }
    }
    out
}

/// The best document chunks for `query` in the chat's scopes, under
/// `budget` tokens.
pub async fn documents(
    pool: &SqlitePool,
    chat_id: Id,
    character_id: Option<Id>,
    query: &Query,
    budget: i64,
) -> Result<Vec<Piece>> {
    let candidates = document_candidates(pool, chat_id, character_id, query, budget).await?;
    Ok(fill(rank(candidates), budget))
}

/// The chunks [`documents`] chooses from, with their BM25 scores.
pub async fn document_candidates(
    pool: &SqlitePool,
    chat_id: Id,
    character_id: Option<Id>,
    query: &Query,
    budget: i64,
) -> Result<Vec<Piece>> {
    if budget <= 0 || query.is_empty() {
        return Ok(Vec::new());
    }
    let high = repo::last_rowid(pool, Index::Chunks).await? + 1;
    let (rare, low) = narrow(pool, Index::Chunks, query, (0, high)).await?;
    let Some(fts) = rare.fts() else {
        return Ok(Vec::new());
    };
    let hits = repo::chunks(pool, &fts, chat_id, character_id, (low, high), CANDIDATES).await?;
    let candidates = hits
        .into_iter()
        .map(|h| {
            let label = format!("{} §{}", h.document_name, h.chunk_index + 1);
            let origin = Origin::Document {
                document_id: h.document_id,
                document_name: h.document_name,
                chunk_index: h.chunk_index,
            };
            piece(origin, label, h.text, h.score, h.id)
        })
        .collect();
    Ok(candidates)
}

/// The chat's own messages below `below_seq` that best match `query`,
/// under `budget` tokens, in story order.
pub async fn recall(
    pool: &SqlitePool,
    chat_id: Id,
    query: &Query,
    below_seq: i64,
    budget: i64,
) -> Result<Vec<Piece>> {
    let candidates = recall_candidates(pool, chat_id, query, below_seq, budget).await?;
    Ok(choose_in_story_order(candidates, budget))
}

/// The best of `candidates` under `budget`, in story order.
pub fn choose_in_story_order(candidates: Vec<Piece>, budget: i64) -> Vec<Piece> {
    let mut chosen = fill(rank(candidates), budget);
    chosen.sort_by_key(seq_of);
    chosen
}

/// The messages [`recall`] chooses from, with their BM25 scores.
pub async fn recall_candidates(
    pool: &SqlitePool,
    chat_id: Id,
    query: &Query,
    below_seq: i64,
    budget: i64,
) -> Result<Vec<Piece>> {
    if budget <= 0 || below_seq <= 0 || query.is_empty() {
        return Ok(Vec::new());
    }
    let Some((low, high)) = repo::message_range(pool, chat_id, below_seq).await? else {
        return Ok(Vec::new());
    };
    let (rare, low) = narrow(pool, Index::Messages, query, (low, high)).await?;
    let Some(fts) = rare.fts() else {
        return Ok(Vec::new());
    };
    let range = (low, high);
    let hits = repo::older_messages(pool, &fts, chat_id, below_seq, range, CANDIDATES).await?;
    let candidates = hits
        .into_iter()
        .map(|h| {
            let label = format!("message {}", message_number(h.seq));
            let origin = Origin::Recall {
                message_id: h.id,
                seq: h.seq,
                role: h.role,
            };
            piece(origin, label, h.content, h.score, h.rowid)
        })
        .collect();
    Ok(candidates)
}

/// The chat's summaries that end below `below_seq`: pinned first, then
/// newest ranges first, none overlapping one already taken, under
/// `budget` tokens; returned in story order.
pub async fn summaries(
    pool: &SqlitePool,
    chat_id: Id,
    below_seq: i64,
    budget: i64,
) -> Result<Vec<Piece>> {
    if budget <= 0 || below_seq <= 0 {
        return Ok(Vec::new());
    }
    let rows = repo::summaries(pool, chat_id, below_seq, SUMMARY_ROWS).await?;
    let mut taken: Vec<(i64, i64)> = Vec::new();
    let mut candidates = Vec::new();
    for r in rows {
        if taken
            .iter()
            .any(|(a, b)| r.first_seq <= *b && *a <= r.last_seq)
        {
            continue;
        }
        taken.push((r.first_seq, r.last_seq));
        let label = format!(
            "summary of messages {}–{}",
            message_number(r.first_seq),
            message_number(r.last_seq)
        );
        let origin = Origin::Summary {
            memory_id: r.id,
            first_seq: r.first_seq,
            last_seq: r.last_seq,
        };
        candidates.push(piece(origin, label, r.content, 0.0, 0));
    }
    // Already in their order (pinned, newest); not ranked by score.
    let mut chosen = fill(candidates, budget);
    chosen.sort_by_key(seq_of);
    Ok(chosen)
}

/// Where a summary or recalled message sits in the story.
fn seq_of(p: &Piece) -> i64 {
    match p.origin {
        Origin::Summary { first_seq, .. } => first_seq,
        Origin::Recall { seq, .. } => seq,
        Origin::Document { .. } => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(score: f64, tokens: i64) -> Piece {
        Piece {
            origin: Origin::Document {
                document_id: crate::models::new_id(),
                document_name: format!("{score}"),
                chunk_index: 0,
            },
            tokens,
            label: format!("{score}"),
            text: String::new(),
            score,
            key: 0,
        }
    }

    #[test]
    fn ranking_is_best_score_first_without_the_far_weaker() {
        let ranked = rank(vec![p(1.0, 1), p(3.0, 1), p(2.0, 1), p(0.5, 1)]);
        let scores: Vec<f64> = ranked.iter().map(|x| x.score).collect();
        assert_eq!(scores, vec![3.0, 2.0, 1.0]);
    }

    #[test]
    fn filling_skips_what_does_not_fit_and_takes_smaller_after() {
        let chosen = fill(vec![p(5.0, 60), p(4.0, 50), p(3.0, 30), p(2.0, 10)], 100);
        let scores: Vec<f64> = chosen.iter().map(|x| x.score).collect();
        assert_eq!(scores, vec![5.0, 3.0, 2.0]);
        assert!(fill(vec![p(1.0, 10)], 0).is_empty());
    }
}
