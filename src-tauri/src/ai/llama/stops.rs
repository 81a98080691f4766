//! An instruct template's stop strings, found in a reply as it streams.
//! Text that may be the start of a stop string is held back until the next
//! piece tells, so no part of a stop string ever reaches the person.

/// What a piece of reply gives.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// Text to show now (maybe empty, while a stop string may be starting).
    Go(String),
    /// A stop string appeared: the text before it, and the reply ends.
    Stop(String),
}

/// The stop strings and the text held back.
#[derive(Debug, Default)]
pub struct Stops {
    stops: Vec<String>,
    held: String,
}

impl Stops {
    pub fn new(stops: Vec<String>) -> Self {
        let stops = stops.into_iter().filter(|s| !s.is_empty()).collect();
        Self {
            stops,
            held: String::new(),
        }
    }

    /// The next piece of the reply.
    pub fn push(&mut self, piece: &str) -> Seen {
        if self.stops.is_empty() {
            return Seen::Go(piece.to_string());
        }
        self.held.push_str(piece);
        let found = self
            .stops
            .iter()
            .filter_map(|s| self.held.find(s.as_str()))
            .min();
        if let Some(at) = found {
            let before = self.held[..at].to_string();
            self.held.clear();
            return Seen::Stop(before);
        }
        let keep = self
            .stops
            .iter()
            .map(|s| overlap(&self.held, s))
            .max()
            .unwrap_or(0);
        let cut = self.held.len() - keep;
        Seen::Go(self.held.drain(..cut).collect())
    }

    /// What was held back, when the reply ends without a stop string.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }
}

/// The length of the longest end of `text` that begins `stop` (shorter
/// than `stop`, whole characters).
fn overlap(text: &str, stop: &str) -> usize {
    let most = text.len().min(stop.len().saturating_sub(1));
    (1..=most)
        .rev()
        .find(|&k| {
            text.is_char_boundary(text.len() - k)
                && stop.is_char_boundary(k)
                && text.ends_with(&stop[..k])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(s: &str) -> Seen {
        Seen::Go(s.into())
    }

    #[test]
    fn a_stop_string_split_across_pieces_is_held_back_and_ends_the_reply() {
        let mut s = Stops::new(vec!["\n### Instruction:".into(), "<|im_end|>".into()]);
        assert_eq!(s.push("Hello there."), go("Hello there."));
        assert_eq!(s.push(" Bye\n##"), go(" Bye"));
        assert_eq!(s.push("# Instr"), go(""));
        assert_eq!(s.push("uction: more"), Seen::Stop(String::new()));
    }

    #[test]
    fn text_that_only_looked_like_a_stop_goes_out_and_the_end_flushes() {
        let mut s = Stops::new(vec!["<|im_end|>".into()]);
        assert_eq!(s.push("a <|im"), go("a "));
        assert_eq!(s.push("age|>"), go("<|image|>"));
        assert_eq!(s.push("é <"), go("é "));
        assert_eq!(s.finish(), "<");
        let mut none = Stops::new(Vec::new());
        assert_eq!(none.push("<|im"), go("<|im"));
    }

    #[test]
    fn the_earliest_stop_wins_and_text_before_it_is_kept() {
        let mut s = Stops::new(vec!["User:".into(), "\n\n".into()]);
        assert_eq!(s.push("Fine.\n\nUser: hi"), Seen::Stop("Fine.".into()));
    }
}
