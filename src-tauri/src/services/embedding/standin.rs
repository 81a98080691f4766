//! A deterministic stand-in for an embedding model, for the tests, the
//! memory benchmark and the mock provider: no model, no download, the same
//! vector for the same text on every machine.
//!
//! A text becomes a hashed bag of its word stems (weight 1) and of its
//! words' character trigrams (weight 0.5) in [`DIMS`] numbers, scaled to
//! length 1. Stems fold the forms people ask in ("lives" / "live",
//! "hidden" / "hide"), trigrams catch the rest of a shared word, so texts
//! sharing words or their forms point the same way, as a real model's
//! vectors do for the facts the benchmark plants. It knows nothing of
//! meaning beyond that.

/// How many numbers a stand-in vector has.
pub const DIMS: usize = 256;

/// The stand-in vector of `text` (all zeros when it has no word).
pub fn embed(text: &str) -> Vec<f32> {
    let mut v = vec![0.0f32; DIMS];
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        add(&mut v, &format!("w:{}", stem(&word)), 1.0);
        let padded: Vec<char> = format!(" {word} ").chars().collect();
        for tri in padded.windows(3) {
            add(
                &mut v,
                &format!("t:{}", tri.iter().collect::<String>()),
                0.5,
            );
        }
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

/// A word without a common English ending, a doubled last letter made one
/// ("hidden" -> "hid", "hide" -> "hid", "lives" -> "liv").
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    for suffix in ["ing", "ed", "en", "es", "s", "e", "ly"] {
        if w.len() >= suffix.len() + 3 && w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            break;
        }
    }
    let b = w.as_bytes();
    if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] && b[b.len() - 1].is_ascii_alphabetic() {
        w.pop();
    }
    w
}

/// Adds `weight` to the slot `feature` hashes to, with a sign from the hash
/// so unrelated features cancel out on average.
fn add(v: &mut [f32], feature: &str, weight: f32) {
    let h = fnv1a(feature.as_bytes());
    let slot = (h % DIMS as u64) as usize;
    let sign = if (h >> 63) == 0 { 1.0 } else { -1.0 };
    v[slot] += sign * weight;
}

/// FNV-1a, 64 bits: stable across runs and machines (std's hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
