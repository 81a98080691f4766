//! The words memory searches for: a message's content words (folded as
//! the index folds them, stop words dropped) and the other forms of each
//! word (a light English stem with endings put back). Pure.

use crate::services::search::fold;

/// Words that match nearly every message and carry no topic.
const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "and",
    "any",
    "are",
    "aren",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "can",
    "cannot",
    "could",
    "couldn",
    "did",
    "didn",
    "does",
    "doesn",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "hadn",
    "has",
    "hasn",
    "have",
    "haven",
    "having",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "into",
    "isn",
    "its",
    "itself",
    "just",
    "know",
    "let",
    "like",
    "ll",
    "maybe",
    "more",
    "most",
    "much",
    "must",
    "mustn",
    "myself",
    "need",
    "never",
    "nor",
    "not",
    "now",
    "off",
    "okay",
    "once",
    "one",
    "only",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "please",
    "really",
    "said",
    "same",
    "say",
    "says",
    "shall",
    "shan",
    "she",
    "should",
    "shouldn",
    "some",
    "still",
    "such",
    "tell",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "through",
    "too",
    "under",
    "until",
    "very",
    "want",
    "was",
    "wasn",
    "well",
    "were",
    "weren",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "won",
    "would",
    "wouldn",
    "yes",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// The folded words of `text` worth searching for, in order, each once.
pub fn content_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        let word = fold(raw);
        let digits = word.chars().any(|c| c.is_ascii_digit());
        let long_enough = word.chars().count() >= 3 || (digits && word.chars().count() >= 2);
        if !long_enough || STOP_WORDS.binary_search(&word.as_str()).is_ok() {
            continue;
        }
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// A light stem: common English endings taken off ("hidden", "hides",
/// "hiding" give `hid`; "lives", "lived", "living" give `liv`). Words with
/// digits or letters outside a-z are kept whole.
pub fn stem(word: &str) -> String {
    if !word.bytes().all(|b| b.is_ascii_lowercase()) || word.len() < 4 {
        return word.to_string();
    }
    let mut s = word.to_string();
    let len = s.len();
    let mut stripped = false;
    if let Some(base) = s.strip_suffix("ies").filter(|b| b.len() >= 2) {
        return format!("{base}y");
    }
    if let Some(base) = s.strip_suffix("ied").filter(|b| b.len() >= 2) {
        return format!("{base}y");
    }
    if s.ends_with("sses") {
        s.truncate(len - 2);
        return s;
    }
    if s.ends_with("ing") && len - 3 >= 3 {
        s.truncate(len - 3);
        stripped = true;
    } else if s.ends_with("ed") && len - 2 >= 3 {
        s.truncate(len - 2);
        stripped = true;
    } else if s.ends_with("ed") {
        s.truncate(len - 1);
    } else if s.ends_with("en") && len - 2 >= 3 && doubled(&s[..len - 2]) {
        s.truncate(len - 2);
        stripped = true;
    } else if s.ends_with("es") && len - 2 >= 3 {
        s.truncate(len - 2);
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s.truncate(len - 1);
    }
    if s.ends_with('e') && s.len() > 3 {
        s.truncate(s.len() - 1);
    }
    if stripped && doubled(&s) {
        s.truncate(s.len() - 1);
    }
    s
}

fn vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Ends in a doubled consonant ("hidd", "runn"), not "ll", "ss", "zz".
fn doubled(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && {
        let (x, y) = (b[b.len() - 2], b[b.len() - 1]);
        x == y && !vowel(y) && !matches!(y, b'l' | b's' | b'z')
    }
}

/// The index terms that stand for `word`: its stem first, the word, then
/// the stem with English endings put back.
pub fn forms(word: &str) -> Vec<String> {
    let s = stem(word);
    let mut out = vec![s.clone(), word.to_string()];
    if s.bytes().all(|b| b.is_ascii_lowercase()) {
        // Few endings: every form is an index lookup on every search.
        for end in ["e", "s", "es", "ed", "ing"] {
            out.push(format!("{s}{end}"));
        }
        let b = s.as_bytes();
        if let Some(base) = s.strip_suffix('y') {
            out.push(format!("{base}ies"));
            out.push(format!("{base}ied"));
        } else if b.len() >= 2 && !vowel(b[b.len() - 1]) && vowel(b[b.len() - 2]) {
            let last = b[b.len() - 1];
            if !matches!(last, b'w' | b'x' | b'y') {
                let d = format!("{s}{}", last as char);
                for end in ["en", "ing", "ed"] {
                    out.push(format!("{d}{end}"));
                }
            }
        }
    }
    let mut seen = Vec::with_capacity(out.len());
    for f in out {
        if f.chars().count() >= 2 && !seen.contains(&f) {
            seen.push(f);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[rstest]
    #[case::hide("hide", "hid")]
    #[case::hidden("hidden", "hid")]
    #[case::hides("hides", "hid")]
    #[case::hiding("hiding", "hid")]
    #[case::live("live", "liv")]
    #[case::lives("lives", "liv")]
    #[case::lived("lived", "liv")]
    #[case::living("living", "liv")]
    #[case::stories("stories", "story")]
    #[case::running("running", "run")]
    #[case::glass("glass", "glass")]
    #[case::used("used", "use")]
    #[case::short("sea", "sea")]
    #[case::digits("1984s", "1984s")]
    #[case::not_ascii("жизнь", "жизнь")]
    fn stems(#[case] word: &str, #[case] expected: &str) {
        assert_eq!(stem(word), expected);
    }

    #[rstest]
    #[case::hide_finds_hidden("hide", "hidden")]
    #[case::hidden_finds_hide("hidden", "hide")]
    #[case::live_finds_lives("live", "lives")]
    #[case::lives_finds_living("lives", "living")]
    #[case::story_finds_stories("story", "stories")]
    #[case::box_finds_boxes("box", "boxes")]
    #[case::glass_finds_glasses("glass", "glasses")]
    fn other_forms_are_searched(#[case] asked: &str, #[case] written: &str) {
        let f = forms(asked);
        assert!(f.contains(&written.to_string()), "{asked}: {f:?}");
        assert!(f.contains(&asked.to_string()));
    }

    #[rstest]
    #[case::stop_words("Where was the key that she said?", &["key"])]
    #[case::folded("CAFÉ near the Harbour", &["cafe", "near", "harbour"])]
    #[case::once("lantern, lantern; LANTERN", &["lantern"])]
    #[case::digits_kept("room 42 at 7", &["room", "42"])]
    #[case::punctuation_splits("don't-stop", &["stop"])]
    #[case::nothing("it is a, to", &[])]
    fn content_words_of_a_message(#[case] text: &str, #[case] expected: &[&str]) {
        assert_eq!(content_words(text), expected);
    }
}
