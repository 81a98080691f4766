//! Ranking by keywords and meaning together: BM25 scores blended with the
//! cosine similarity of embedding vectors. Pure functions, no I/O; the
//! vectors come from `services::embedding::scores` / `nearest`.
//!
//! The contract retrieval relies on:
//! - BM25 scores go in **higher is better** (negate SQLite's `bm25()`,
//!   which is lower-is-better). They are scaled to 0..1 over the list:
//!   scores all >= 0 are divided by the best (a weaker keyword hit keeps
//!   its share); a list with negatives is scaled min to max (best 1,
//!   worst 0). One item, or all equal: each 1.
//! - Cosine similarities are taken as they are, negatives counted as 0.
//! - `score = (1 - w) * bm25 + w * cos`; `w` is clamped to 0..1 (NaN: 0).
//! - An item only one side found still counts, with 0 for the side that
//!   did not find it; so `w = 0` is BM25's order, `w = 1` the vectors'.
//! - The result is sorted best first; ties go to the smaller id, so the
//!   order is the same on every run.

use std::collections::HashMap;

/// Cosine similarity of two vectors, -1..1; 0 when either is all zeros or
/// their lengths differ (vectors of different models never compare).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    (dot / (na.sqrt() * nb.sqrt())).clamp(-1.0, 1.0)
}

/// Cosine similarity of `unit` (a vector of length 1, see [`unit`]) to a
/// stored vector as its little-endian bytes, without copying it out: the
/// inner loop of a brute-force search. 0 when the lengths differ.
pub fn cosine_le_bytes(unit: &[f32], blob: &[u8]) -> f32 {
    if blob.len() != unit.len() * 4 || unit.is_empty() {
        return 0.0;
    }
    let (mut dot, mut norm) = (0.0f32, 0.0f32);
    for (q, b) in unit.iter().zip(blob.chunks_exact(4)) {
        let x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        dot += q * x;
        norm += x * x;
    }
    if norm == 0.0 {
        return 0.0;
    }
    (dot / norm.sqrt()).clamp(-1.0, 1.0)
}

/// `v` scaled to length 1 (all zeros stays all zeros).
pub fn unit(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        return v.to_vec();
    }
    v.iter().map(|x| x / norm).collect()
}

/// BM25 scores (higher is better) scaled to 0..1 over the list (see the
/// module doc).
pub fn normalise(bm25: &[(i64, f64)]) -> HashMap<i64, f64> {
    let finite = bm25.iter().map(|(_, s)| *s).filter(|s| s.is_finite());
    let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
        (lo.min(s), hi.max(s))
    });
    bm25.iter()
        .map(|&(id, s)| {
            let scaled = if !s.is_finite() {
                0.0
            } else if min >= 0.0 && max > 0.0 {
                s / max
            } else if max > min {
                (s - min) / (max - min)
            } else {
                1.0
            };
            (id, scaled)
        })
        .collect()
}

/// One ranking from BM25 scores (higher is better) and cosine similarities
/// by id, `weight` the share of the vectors (see the module doc).
pub fn blend(bm25: &[(i64, f64)], vectors: &HashMap<i64, f32>, weight: f64) -> Vec<(i64, f64)> {
    let w = if weight.is_nan() {
        0.0
    } else {
        weight.clamp(0.0, 1.0)
    };
    let keywords = normalise(bm25);
    let mut ids: Vec<i64> = keywords.keys().chain(vectors.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out: Vec<(i64, f64)> = ids
        .into_iter()
        .map(|id| {
            let k = keywords.get(&id).copied().unwrap_or(0.0);
            let v = vectors.get(&id).map_or(0.0, |c| f64::from(*c).max(0.0));
            (id, (1.0 - w) * k + w * v)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}
