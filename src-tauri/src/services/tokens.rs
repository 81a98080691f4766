//! Token counting: the one estimate every count shown and every budget kept
//! uses (prompt assembly, lorebook budgets, reply metadata), so they agree.
//!
//! No tokenizer is shipped; this must stay cheap and pure, and must not
//! depend on any other service.

/// Estimated tokens for a text. Tokenizers differ per model and none is
/// shipped, so this counts about 3.5 characters per token (English prose
/// runs near 4; code, non-Latin scripts and names run lower), rounding up,
/// which errs toward sending a little less rather than overflowing the
/// context.
pub fn estimate(text: &str) -> i64 {
    let chars = text.chars().count() as i64;
    (chars * 2 + 6) / 7
}

/// A token count as people read it: `8600` as "8,600".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_rounds_up() {
        assert_eq!(estimate(""), 0);
        assert_eq!(estimate("abc"), 1);
        assert_eq!(estimate(&"x".repeat(35)), 10);
        // Characters, not bytes: four-byte emoji count once each.
        assert_eq!(estimate(&"😀".repeat(7)), 2);
    }
}
