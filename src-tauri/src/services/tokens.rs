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
