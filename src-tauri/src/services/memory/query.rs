//! The full-text query memory searches with, built from the newest message
//! and the few before it. Pure: no database, no I/O.
//!
//! - Words are folded (case, accents) as the index's tokenizer folds them,
//!   and stop words ("the", "was", "really") are dropped: they match
//!   everything and say nothing.
//! - Each word is searched in its other forms too: a light suffix-stripping
//!   stem ("hidden" and "hide" both give `hid`) and the endings English
//!   puts back on it (`hid`, `hide`, `hides`, `hidden`, `hiding`, ...), as
//!   exact index terms. Exact terms are one index seek each; a prefix
//!   (`hid*`) would read every term of the index that starts so (for a
//!   three-letter prefix, often hundreds) on every reply.
//! - The newest message counts twice (its word group is repeated: BM25
//!   sums over the query's phrases, so a repeated group weighs double);
//!   the messages before count once. A word in both keeps the higher
//!   weight.
//! - Every form is quoted, so `AND`, `NEAR`, `-`, `:` or `*` in a message
//!   are text, never FTS5 syntax, and no message can make the query fail.
//! - At most [`MAX_TERMS`] words, the newest message's first (longer words
//!   first when there are too many: they tend to be the rarer ones), which
//!   bounds the cost of a long message.

use super::words::{content_words, forms};

/// Words taken from the newest message at most.
pub const MAX_NEWEST_TERMS: usize = 12;
/// Words taken from the messages before the newest at most: context, not
/// the question.
pub const MAX_EARLIER_TERMS: usize = 4;
/// Words in a query at most.
pub const MAX_TERMS: usize = 16;
/// The newest message's weight; earlier messages weigh 1.
pub const NEWEST_WEIGHT: u32 = 2;

/// One word of the query: its folded text, the index terms that stand for
/// it, and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub word: String,
    pub forms: Vec<String>,
    pub weight: u32,
}

/// A query: its words, newest message's first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    /// The query for a reply: `newest` is the newest message, `earlier`
    /// the few before it, newest first.
    pub fn build(newest: &str, earlier: &[&str]) -> Query {
        let mut terms: Vec<Term> = Vec::new();
        add_words(&mut terms, newest, NEWEST_WEIGHT, MAX_NEWEST_TERMS);
        let newest_terms = terms.len();
        for text in earlier {
            let taken = terms.len() - newest_terms;
            let room = MAX_EARLIER_TERMS
                .saturating_sub(taken)
                .min(MAX_TERMS.saturating_sub(terms.len()));
            add_words(&mut terms, text, 1, room);
        }
        terms.truncate(MAX_TERMS);
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The FTS5 expression: each word's group (its forms OR'd) repeated by
    /// its weight, all OR'd. `None` when there is no word to look for.
    pub fn fts(&self) -> Option<String> {
        let mut groups = Vec::new();
        for t in &self.terms {
            let group = t.group();
            for _ in 0..t.weight.max(1) {
                groups.push(group.clone());
            }
        }
        (!groups.is_empty()).then(|| groups.join(" OR "))
    }

    /// The words worth the cost, given how many of `sample` index rows
    /// each word's group matched (`counts`, one per term): rarest first,
    /// while together (each counted by its weight) they match at most
    /// [`SEARCH_SHARE`] of the rows, at most [`MAX_SEARCHED`] of them; a
    /// word matching more than [`COMMON_SHARE`] is never searched. The
    /// least common word that matches at all is kept even alone over the
    /// share. A word that matched no sampled row is kept: it may match
    /// older rows and costs nothing. With them, the share of rows the kept
    /// words match together (an estimate), so a caller can bound how many
    /// rows it reads.
    ///
    /// Why: for BM25, FTS5 counts every row of the whole index each
    /// searched word matches, on every search (a word in 17 % of a
    /// 1,000,000-message index costs 10-20 ms alone), and it scores every
    /// row that matches; a rare word is what finds the passage anyway.
    pub fn rare(&self, counts: &[i64], sample: i64) -> (Query, f64) {
        let sample = sample.max(1) as f64;
        let share = |i: usize| counts[i] as f64 / sample;
        let mut order: Vec<usize> = (0..self.terms.len().min(counts.len())).collect();
        order.sort_by_key(|i| counts[*i]);
        let mut kept: Vec<usize> = Vec::new();
        let mut cost = 0.0;
        for i in order {
            if kept.len() >= MAX_SEARCHED || share(i) > COMMON_SHARE {
                break;
            }
            let c = share(i) * f64::from(self.terms[i].weight.max(1));
            let any_match = kept.iter().any(|k| counts[*k] > 0);
            if counts[i] > 0 && any_match && cost + c > SEARCH_SHARE {
                break;
            }
            cost += c;
            kept.push(i);
        }
        let density: f64 = kept.iter().map(|i| share(*i)).sum();
        kept.sort_unstable();
        let terms = kept.into_iter().map(|i| self.terms[i].clone()).collect();
        (Query { terms }, density)
    }
}

/// The searched words together (each by its weight) match at most this
/// share of the rows sampled.
pub const SEARCH_SHARE: f64 = 0.01;
/// A word matching more than this share of the rows sampled is never
/// searched: it says little and costs much.
pub const COMMON_SHARE: f64 = 0.10;
/// Words searched at most.
pub const MAX_SEARCHED: usize = 8;

impl Term {
    /// The word's forms OR'd, in parentheses when more than one.
    pub fn group(&self) -> String {
        let quoted: Vec<String> = self.forms.iter().map(|f| quote(f)).collect();
        if quoted.len() == 1 {
            quoted[0].clone()
        } else {
            format!("({})", quoted.join(" OR "))
        }
    }
}

/// Adds up to `room` new words of `text` with `weight` (longer words first
/// when there are more); a word already there keeps the higher weight.
fn add_words(terms: &mut Vec<Term>, text: &str, weight: u32, room: usize) {
    let mut words = content_words(text);
    if words.len() > room {
        // Longer words first (stable: ties keep their order).
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    }
    let mut taken = 0;
    for word in words {
        let forms = forms(&word);
        if let Some(t) = terms.iter_mut().find(|t| t.forms[0] == forms[0]) {
            t.weight = t.weight.max(weight);
            continue;
        }
        if taken >= room {
            continue;
        }
        terms.push(Term {
            word,
            forms,
            weight,
        });
        taken += 1;
    }
}

/// `"word"` with inner quotes doubled, as FTS5 reads a string.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn the_newest_message_weighs_double_and_comes_first() {
        let q = Query::build(
            "Where did Mira hide the map?",
            &["The lighthouse keeper knew Mira"],
        );
        let w: Vec<(&str, u32)> = q
            .terms
            .iter()
            .map(|t| (t.word.as_str(), t.weight))
            .collect();
        assert_eq!(
            w,
            vec![
                ("mira", 2),
                ("hide", 2),
                ("map", 2),
                ("lighthouse", 1),
                ("keeper", 1),
                ("knew", 1)
            ]
        );
        let fts = q.fts().unwrap();
        assert_eq!(fts.matches("\"hidden\"").count(), 2, "{fts}");
        assert_eq!(fts.matches("\"keeper\"").count(), 1, "{fts}");
    }

    #[test]
    fn too_many_words_keep_the_longest_of_the_newest_message() {
        let long = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike \
                    november oscar papa quebec romeo";
        let q = Query::build(
            long,
            &["zebra crossing under yellow lamps posts", "twelve more"],
        );
        assert_eq!(q.terms.len(), MAX_TERMS);
        let newest: Vec<&str> = q
            .terms
            .iter()
            .filter(|t| t.weight == 2)
            .map(|t| t.word.as_str())
            .collect();
        assert_eq!(newest.len(), MAX_NEWEST_TERMS);
        assert!(
            newest.contains(&"november") && !newest.contains(&"kilo"),
            "{newest:?}"
        );
        assert!(q.terms.iter().any(|t| t.word == "crossing"));
    }

    #[rstest]
    #[case::operators("cats AND dogs NOT birds NEAR(x y)")]
    #[case::quotes("say \"hello\" and \"\"\" quotes")]
    #[case::columns("content: rowid:1 -minus +plus ^caret")]
    #[case::stars("star* **")]
    #[case::brackets("(((  ]]] {{char}}")]
    fn operators_in_text_are_text(#[case] text: &str) {
        let q = Query::build(text, &[]);
        let fts = q.fts().expect("some word");
        // Outside quoted terms there are only groups, ORs and spaces.
        let mut outside = String::new();
        let mut inside = false;
        for c in fts.chars() {
            if c == '"' {
                inside = !inside;
            } else if !inside {
                outside.push(c);
            }
        }
        assert!(
            outside
                .replace(" OR ", "")
                .chars()
                .all(|c| c == '(' || c == ')' || c == ' '),
            "{fts}"
        );
    }

    #[test]
    fn the_rarest_words_are_searched_within_their_share() {
        let q = Query::build("captain lantern quixotic engine", &[]);
        let words = |r: &Query| -> Vec<String> { r.terms.iter().map(|t| t.word.clone()).collect() };
        // Of 1,000 rows sampled: captain 150, lantern 4, quixotic 1,
        // engine 60 (each weighs 2: the newest message's words).
        let (rare, density) = q.rare(&[150, 4, 1, 60], 1000);
        assert_eq!(words(&rare), vec!["lantern", "quixotic"], "in query order");
        assert!((density - 0.005).abs() < 1e-9, "{density}");
        let (rarest, _) = q.rare(&[150, 10, 1, 60], 1000);
        assert_eq!(
            words(&rarest),
            vec!["quixotic"],
            "lantern would pass the share"
        );
        // Only common words: the least common alone, unless too common.
        let (some, _) = q.rare(&[150, 300, 90, 120], 1000);
        assert_eq!(words(&some), vec!["quixotic"]);
        let (none, _) = q.rare(&[150, 300, 110, 120], 1000);
        assert!(none.is_empty());
        // Words matching nothing sampled cost nothing: kept, with the
        // least common that matches.
        let (zero, _) = q.rare(&[0, 0, 0, 0], 1000);
        assert_eq!(zero.terms.len(), 4);
        let (mixed, _) = q.rare(&[0, 80, 70, 0], 1000);
        assert_eq!(words(&mixed), vec!["captain", "quixotic", "engine"]);
    }

    #[test]
    fn a_query_with_no_content_word_is_empty() {
        assert!(Query::build("is it?", &["ok", "so"]).fts().is_none());
    }
}
