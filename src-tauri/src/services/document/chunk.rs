//! Splitting a document's text into chunks for retrieval: paragraphs first,
//! then sentences, and a sentence longer than a chunk on words (a "word"
//! longer than a chunk, such as CJK text without spaces or punctuation, on
//! characters). Each chunk is a byte range of the text, trimmed, with its
//! token count by [`tokens::estimate`], never over the chunk size.
//!
//! Paragraphs first: a chunk that holds the end of one paragraph takes the
//! next paragraph only whole; a paragraph that does not fit in what is left
//! starts the next chunk. Overlap: the next chunk begins with whole
//! sentences from the end of the one before, as many as fit in `overlap`
//! tokens (never all of that chunk's own sentences, so every chunk brings
//! something new; pieces of a sentence split on words are not repeated).
//!
//! Pure and bounded: no I/O, and the work per chunk is a few token counts
//! of about a chunk's length (galloping search), so even one 20 MB
//! paragraph splits in linear time. Nothing here knows about the database.

use std::sync::OnceLock;

use regex::Regex;

use crate::services::tokens;

#[cfg(test)]
mod tests;

/// One chunk: its text, its tokens, and where it sits in the document's
/// text (`text == document[start..end]`, byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkPiece {
    pub text: String,
    pub token_count: i64,
    pub start: usize,
    pub end: usize,
}

/// A piece the chunks are made of: a whole sentence, or part of one.
#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    /// The first unit of its paragraph.
    para_start: bool,
    /// A whole sentence (only those are repeated as overlap).
    sentence: bool,
}

/// Splits `text` into chunks of at most `size` tokens, each (but the
/// first) starting with up to `overlap` tokens of whole sentences from the
/// chunk before. Empty or blank text gives no chunks. `size` is at least 1
/// (0 counts as 1); an `overlap` of `size` or more is cut to below it.
pub fn split(text: &str, size: usize, overlap: usize) -> Vec<ChunkPiece> {
    let size = size.max(1) as i64;
    let overlap = (overlap as i64).min(size - 1);
    let units = units(text, size);
    let tokens = |a: usize, b: usize| tokens::estimate(&text[a..b]);
    let mut chunks = Vec::new();
    let mut i = 0;
    // Where the next chunk starts: the first overlap sentence, if any.
    let mut carry: Option<usize> = None;
    while i < units.len() {
        let mut start = units[i].start;
        // The overlap gives way, sentence by sentence, to the first new unit.
        if let Some(mut k) = carry {
            while k < i && tokens(units[k].start, units[i].end) > size {
                k += 1;
            }
            if k < i {
                start = units[k].start;
            }
        }
        // Every unit fits on its own, so `i` always does.
        let fits = |j: usize| tokens(start, units[j].end) <= size;
        let mut j = furthest(i, units.len(), fits).unwrap_or(i);
        // A later paragraph comes in whole or not at all.
        let last_of_para = j + 1 == units.len() || units[j + 1].para_start;
        if !last_of_para {
            if let Some(p) = (i + 1..=j).rev().find(|&p| units[p].para_start) {
                j = p - 1;
            }
        }
        let end = units[j].end;
        chunks.push(ChunkPiece {
            text: text[start..end].to_string(),
            token_count: tokens(start, end),
            start,
            end,
        });
        carry = overlap_from(&units, i, j, overlap, &tokens);
        i = j + 1;
    }
    chunks
}

/// The first unit of the overlap taken from the chunk of new units
/// `first..=last`: whole sentences at its end, within `overlap` tokens,
/// never all of them.
fn overlap_from(
    units: &[Unit],
    first: usize,
    last: usize,
    overlap: i64,
    tokens: &impl Fn(usize, usize) -> i64,
) -> Option<usize> {
    if overlap == 0 {
        return None;
    }
    let mut taken = None;
    let mut k = last;
    while k > first && units[k].sentence && tokens(units[k].start, units[last].end) <= overlap {
        taken = Some(k);
        k -= 1;
    }
    taken
}

/// The largest index in `lo..hi` for which `fits` holds, assuming it holds
/// up to some index and not after (a longer slice never has fewer tokens);
/// `None` when it does not hold at `lo`. Gallops, then bisects, so the cost
/// is a few calls near the answer rather than one per index.
fn furthest(lo: usize, hi: usize, fits: impl Fn(usize) -> bool) -> Option<usize> {
    if lo >= hi || !fits(lo) {
        return None;
    }
    let (mut good, mut step) = (lo, 1);
    let mut bad = loop {
        let probe = good + step;
        if probe >= hi {
            break hi;
        }
        if !fits(probe) {
            break probe;
        }
        good = probe;
        step *= 2;
    };
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if fits(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Some(good)
}

/// Blank lines (a line of only whitespace counts) between paragraphs.
fn paragraph_breaks() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\n[^\S\n]*\n\s*").expect("a valid pattern"))
}

/// The text's units in order: its sentences, and pieces of those longer
/// than `size` tokens, each trimmed and none empty.
fn units(text: &str, size: i64) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut paragraphs: Vec<(usize, usize)> = paragraph_breaks()
        .find_iter(text)
        .map(|m| {
            let p = (from, m.start());
            from = m.end();
            p
        })
        .collect();
    paragraphs.push((from, text.len()));
    for (a, b) in paragraphs {
        let mut first = true;
        for (s, e) in sentences(text, a, b) {
            let before = out.len();
            if tokens::estimate(&text[s..e]) <= size {
                out.push(Unit {
                    start: s,
                    end: e,
                    para_start: false,
                    sentence: true,
                });
            } else {
                words(text, s, e, size, &mut out);
            }
            if first && out.len() > before {
                out[before].para_start = true;
                first = false;
            }
        }
    }
    out
}

/// Whether a sentence ends after `c` when whitespace (or the end) follows.
fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‽')
}

/// Ends a sentence whatever follows (scripts written without spaces).
fn ends_sentence_anyway(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡' | '؟' | '।' | '॥')
}

/// Closing marks that stay with the sentence they end.
fn closes(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | ')' | ']' | '}' | '»' | '」' | '』' | '）' | '】' | '*' | '_'
    )
}

/// The trimmed, non-empty sentences of `text[a..b]`, as byte ranges.
fn sentences(text: &str, a: usize, b: usize) -> Vec<(usize, usize)> {
    let part = &text[a..b];
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = part.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let anyway = ends_sentence_anyway(c);
        if !anyway && !ends_sentence(c) {
            continue;
        }
        let mut end = at + c.len_utf8();
        while let Some(&(i, n)) = chars.peek() {
            if !(closes(n) || ends_sentence(n) || ends_sentence_anyway(n)) {
                break;
            }
            end = i + n.len_utf8();
            chars.next();
        }
        let next_is_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        if anyway || next_is_space {
            push_trimmed(part, start, end, a, &mut out);
            start = end;
        }
    }
    push_trimmed(part, start, part.len(), a, &mut out);
    out
}

fn push_trimmed(part: &str, s: usize, e: usize, base: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &part[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        out.push((base + s + lead, base + s + lead + trimmed.len()));
    }
}

/// Splits the sentence `text[s..e]` (over `size` tokens) into pieces of at
/// most `size` tokens on whitespace, and a word over `size` on characters.
fn words(text: &str, s: usize, e: usize, size: i64, out: &mut Vec<Unit>) {
    // Each word's end, as a byte offset in `text`.
    let mut ends = Vec::new();
    let mut in_word = false;
    for (i, c) in text[s..e].char_indices() {
        if c.is_whitespace() && in_word {
            ends.push(s + i);
        }
        in_word = !c.is_whitespace();
    }
    ends.push(e);
    let mut start = s;
    let mut w = 0;
    while w < ends.len() {
        let fits = |k: usize| tokens::estimate(&text[start..ends[k]]) <= size;
        let last = match furthest(w, ends.len(), fits) {
            Some(k) => {
                out.push(Unit {
                    start,
                    end: ends[k],
                    para_start: false,
                    sentence: false,
                });
                k
            }
            None => {
                characters(text, start, ends[w], size, out);
                w
            }
        };
        w = last + 1;
        // The next piece starts at its first non-space character.
        let rest = &text[ends[last]..e];
        start = ends[last] + (rest.len() - rest.trim_start().len());
    }
}

/// Splits one word `text[s..e]` into pieces of at most `size` tokens on
/// character boundaries.
fn characters(text: &str, s: usize, e: usize, size: i64, out: &mut Vec<Unit>) {
    let mut start = s;
    while start < e {
        // A token is never longer than 64 bytes, so a piece is found within
        // this window and a long word costs no more than its length.
        let mut cap = (e - start).min(size as usize * 64 + 4);
        while !text.is_char_boundary(start + cap) {
            cap -= 1;
        }
        let window = &text[start..start + cap];
        let offsets: Vec<usize> = window
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        let fits = |n: usize| tokens::estimate(&window[..offsets[n]]) <= size;
        let n = furthest(0, offsets.len(), fits).unwrap_or(0);
        let end = start + offsets[n];
        out.push(Unit {
            start,
            end,
            para_start: false,
            sentence: false,
        });
        start = end;
    }
}
