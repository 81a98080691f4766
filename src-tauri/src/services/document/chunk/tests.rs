//! The chunker's rules, table by table: boundaries, overlap, token counts,
//! blank text, scripts without spaces, and one huge paragraph.

use rstest::rstest;

use super::{split, ChunkPiece};
use crate::services::tokens::estimate;

/// What every split must keep, whatever the text: each chunk is its range
/// of the text, trimmed, counted by `estimate`, within the size; chunks go
/// forward, and every non-space character is in one of them.
fn check(text: &str, chunks: &[ChunkPiece], size: usize) {
    let mut covered = 0;
    for (n, c) in chunks.iter().enumerate() {
        assert_eq!(c.text, &text[c.start..c.end], "chunk {n} is not its range");
        assert_eq!(c.text, c.text.trim(), "chunk {n} is not trimmed");
        assert!(!c.text.is_empty(), "chunk {n} is empty");
        assert_eq!(c.token_count, estimate(&c.text), "chunk {n}'s count");
        assert!(
            c.token_count <= size as i64,
            "chunk {n} has {} tokens",
            c.token_count
        );
        assert!(c.end > covered, "chunk {n} brings nothing new");
        if c.start > covered {
            assert!(
                text[covered..c.start].trim().is_empty(),
                "text before chunk {n} was skipped: {:?}",
                &text[covered..c.start]
            );
        }
        covered = c.end;
    }
    assert!(
        text[covered..].trim().is_empty(),
        "the end of the text was skipped"
    );
}

/// A sentence of exactly 10 tokens (35 characters) with its number in it.
fn sentence(n: usize) -> String {
    let s = format!("Sentence {:04} says one small thing.", n % 10_000);
    assert_eq!(estimate(&s), 10, "{s:?}");
    s
}

fn paragraph(from: usize, count: usize) -> String {
    (from..from + count)
        .map(sentence)
        .collect::<Vec<_>>()
        .join(" ")
}

#[rstest]
#[case::empty("")]
#[case::spaces("    ")]
#[case::blank_lines("\n\n \t\n\r\n")]
#[case::unicode_spaces("\u{3000}\u{a0}\u{2003}")]
fn blank_text_has_no_chunks(#[case] text: &str) {
    assert!(split(text, 100, 10).is_empty());
}

#[rstest]
// Two paragraphs of 50 tokens fit one chunk of 120.
#[case::paragraphs_pack(120, 2, 5, 1)]
// Two of 50 do not fit 80 together: one chunk each, cut at the paragraph.
#[case::paragraph_per_chunk(80, 2, 5, 2)]
// Four of 30 in chunks of 70: two paragraphs each.
#[case::two_per_chunk(70, 4, 3, 2)]
fn paragraphs_come_whole_when_they_fit(
    #[case] size: usize,
    #[case] paragraphs: usize,
    #[case] sentences: usize,
    #[case] expected: usize,
) {
    let text = (0..paragraphs)
        .map(|p| paragraph(p * 100, sentences))
        .collect::<Vec<_>>()
        .join("\n\n");
    let chunks = split(&text, size, 0);
    check(&text, &chunks, size);
    assert_eq!(chunks.len(), expected, "{chunks:#?}");
    for c in &chunks {
        // Each chunk starts a paragraph and ends one.
        assert!(c.text.starts_with("Sentence ") && c.text.ends_with("thing."));
        assert_eq!(
            c.text.matches("Sentence").count() % sentences,
            0,
            "{:?}",
            c.text
        );
    }
}

#[test]
fn a_paragraph_that_does_not_fit_what_is_left_starts_the_next_chunk() {
    // 20 tokens, then 60: the second cannot join the first in 70.
    let text = format!("{}\n\n{}", paragraph(0, 2), paragraph(100, 6));
    let chunks = split(&text, 70, 0);
    check(&text, &chunks, 70);
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].text, paragraph(0, 2));
    assert_eq!(chunks[1].text, paragraph(100, 6));
}

#[rstest]
#[case::size_35(35, 3)]
#[case::size_50(50, 4)]
#[case::size_100(100, 9)]
fn a_long_paragraph_is_cut_at_sentence_ends(#[case] size: usize, #[case] per_chunk: usize) {
    let text = paragraph(0, 30);
    let chunks = split(&text, size, 0);
    check(&text, &chunks, size);
    assert_eq!(chunks.len(), 30usize.div_ceil(per_chunk), "{chunks:#?}");
    for c in &chunks {
        assert!(
            c.text.starts_with("Sentence ") && c.text.ends_with("thing."),
            "{:?}",
            c.text
        );
    }
}

#[rstest]
#[case::one_sentence(100, 10, 1)]
#[case::two_sentences(100, 25, 2)]
#[case::three_sentences(100, 32, 3)]
fn overlap_repeats_whole_sentences_up_to_its_tokens(
    #[case] size: usize,
    #[case] overlap: usize,
    #[case] repeated: usize,
) {
    let text = paragraph(0, 40);
    let chunks = split(&text, size, overlap);
    check(&text, &chunks, size);
    assert!(chunks.len() > 2);
    for pair in chunks.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(b.start < a.end, "no overlap between {a:?} and {b:?}");
        let shared = &a.text[b.start - a.start..];
        assert_eq!(shared.matches("Sentence").count(), repeated, "{shared:?}");
        assert!(estimate(shared) <= overlap as i64);
        assert!(shared.starts_with("Sentence ") && shared.ends_with("thing."));
    }
}

#[test]
fn no_overlap_means_chunks_never_share_text() {
    let text = paragraph(0, 40);
    let chunks = split(&text, 60, 0);
    check(&text, &chunks, 60);
    for pair in chunks.windows(2) {
        assert!(pair[1].start >= pair[0].end);
    }
}

#[test]
fn an_overlap_as_big_as_the_chunk_is_cut_below_it() {
    let text = paragraph(0, 20);
    let chunks = split(&text, 30, 500);
    check(&text, &chunks, 30);
    assert!(chunks.len() >= 10, "every chunk brings a new sentence");
}

#[rstest]
#[case::latin("alpha beta gamma delta epsilon ", 40)]
#[case::numbers("12345 67890 ", 25)]
fn a_sentence_longer_than_a_chunk_is_cut_between_words(#[case] word: &str, #[case] size: usize) {
    let text = word.repeat(200);
    let chunks = split(&text, size, 10);
    check(&text, &chunks, size);
    assert!(chunks.len() > 5);
    for c in &chunks {
        // Cut at spaces only: every piece is whole words.
        let words: Vec<&str> = c.text.split(' ').collect();
        let known: Vec<&str> = word.split_whitespace().collect();
        assert!(words.iter().all(|w| known.contains(w)), "{:?}", c.text);
        // Pieces of one sentence are not repeated as overlap.
    }
    for pair in chunks.windows(2) {
        assert!(pair[1].start > pair[0].end);
    }
}

#[test]
fn cjk_text_splits_at_its_own_full_stops() {
    // 7 characters, 2 tokens a sentence; no spaces anywhere.
    let text = "这是一个句子。".repeat(60);
    let chunks = split(&text, 10, 0);
    check(&text, &chunks, 10);
    for c in &chunks {
        assert!(c.text.ends_with('。'), "{:?}", c.text);
        assert_eq!(c.text.chars().count() % 7, 0);
    }
}

#[rstest]
#[case::cjk("漢字仮名交じり文", 20)]
#[case::one_long_token("x", 16)]
#[case::emoji("😀🎉", 16)]
fn text_without_spaces_or_stops_is_cut_on_characters(#[case] piece: &str, #[case] size: usize) {
    let text = piece.repeat(2000);
    let chunks = split(&text, size, 5);
    check(&text, &chunks, size);
    assert!(chunks.len() > 10);
    // Full chunks: nothing is wasted on tiny pieces.
    for c in &chunks[..chunks.len() - 1] {
        assert!(c.token_count >= size as i64 - 1, "{c:?}");
    }
}

#[test]
fn one_huge_paragraph_splits_in_bounded_time() {
    // About 4 MB: sentences, then a 1 MB run with no stop, then a word of
    // 1 MB; cost stays linear.
    let mut text = paragraph(0, 60_000);
    text.push(' ');
    text.push_str(&"unstoppable words flow on ".repeat(40_000));
    text.push_str(&"z".repeat(1_000_000));
    let started = std::time::Instant::now();
    let chunks = split(&text, 300, 40);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    check(&text, &chunks, 300);
    assert!(chunks.len() > 4_000);
}

#[test]
fn markdown_and_dialogue_keep_their_marks() {
    let text = "# Title\n\nShe said, \"Run!\" Then she ran. *Fast.* Done?\n\n- one\n- two";
    let chunks = split(text, 5, 0);
    check(text, &chunks, 5);
    let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
    assert!(texts.contains(&"She said, \"Run!\""), "{texts:?}");
    // The closing mark stays with its sentence.
    assert!(texts.iter().any(|t| t.contains("*Fast.*")), "{texts:?}");
}

#[test]
fn decimals_do_not_end_sentences() {
    let text = "Pi is 3.14159 or so. Next sentence here.";
    let chunks = split(text, 8, 0);
    check(text, &chunks, 8);
    assert_eq!(chunks[0].text, "Pi is 3.14159 or so.");
}
