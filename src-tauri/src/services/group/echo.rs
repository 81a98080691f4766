//! The speaker's name a model writes in front of its reply. A group's
//! history gives every line its author ("Kit: ..."), so models often begin
//! their answer the same way; the bubble already names the speaker, so
//! "Kit: Kit: Hello" would show. The start of a reply is held back until it
//! is clear whether it begins with the name and a colon (any case, after
//! any white space); if so that much is dropped, else everything held goes
//! on unchanged. Only the very start: a name later in the text stays.

/// Filters one reply's text as it streams.
#[derive(Debug)]
pub struct EchoedName {
    /// `name:` as the reply would begin with it.
    prefix: String,
    /// Text not passed on yet: a start that may still become the prefix.
    held: String,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Still deciding.
    Holding,
    /// The prefix was dropped; white space after it is dropped too.
    Trimming,
    /// Decided: everything passes.
    Passing,
}

impl EchoedName {
    pub fn new(name: &str) -> Self {
        Self {
            prefix: format!("{}:", name.trim()),
            held: String::new(),
            state: State::Holding,
        }
    }

    /// The part of `delta` to pass on now (may be empty).
    pub fn feed(&mut self, delta: &str) -> String {
        match self.state {
            State::Passing => delta.to_string(),
            State::Trimming => {
                let rest = delta.trim_start();
                if !rest.is_empty() {
                    self.state = State::Passing;
                }
                rest.to_string()
            }
            State::Holding => {
                self.held.push_str(delta);
                let start = self.held.trim_start();
                let n = self.prefix.len();
                if let Some(head) = start.get(..n) {
                    if head.eq_ignore_ascii_case(&self.prefix) || same_text(head, &self.prefix) {
                        let rest = start[n..].to_string();
                        self.held.clear();
                        self.state = State::Trimming;
                        return self.feed(&rest);
                    }
                    return self.pass_held();
                }
                let may_become = self
                    .prefix
                    .get(..start.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(start) || same_text(p, start));
                if may_become {
                    String::new()
                } else {
                    self.pass_held()
                }
            }
        }
    }

    /// What is still held when the reply ends (a reply shorter than the
    /// name that began like it).
    pub fn finish(&mut self) -> String {
        if self.state == State::Holding {
            self.pass_held()
        } else {
            String::new()
        }
    }

    fn pass_held(&mut self) -> String {
        self.state = State::Passing;
        std::mem::take(&mut self.held)
    }
}

/// Equal ignoring case beyond ASCII too ("Élodie" / "élodie").
fn same_text(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::EchoedName;
    use rstest::rstest;

    /// The text a reply streamed as `deltas` shows.
    fn shown(name: &str, deltas: &[&str]) -> String {
        let mut echo = EchoedName::new(name);
        let mut out: String = deltas.iter().map(|d| echo.feed(d)).collect();
        out.push_str(&echo.finish());
        out
    }

    #[rstest]
    #[case::in_one_piece(&["Kit: Hello there."], "Hello there.")]
    #[case::in_pieces(&["K", "it", ":", " ", "Hello"], "Hello")]
    #[case::any_case(&["KIT:Hello"], "Hello")]
    #[case::after_white_space(&["\n  Kit: Hello"], "Hello")]
    #[case::no_name(&["Hello, Kit: here."], "Hello, Kit: here.")]
    #[case::the_name_later(&["Hi. ", "Kit: no"], "Hi. Kit: no")]
    #[case::starts_like_the_name(&["Kitten", "s purr"], "Kittens purr")]
    #[case::the_name_without_colon(&["Kit said hi"], "Kit said hi")]
    #[case::shorter_than_the_name(&["Ki"], "Ki")]
    #[case::nothing(&[], "")]
    #[case::only_the_name(&["Kit:"], "")]
    #[case::white_space_in_its_own_delta(&["Kit:", "  ", "\n", "Yes"], "Yes")]
    #[case::spaces_inside_kept(&["Kit: ", "Yes  and  no"], "Yes  and  no")]
    fn a_reply_starting_with_the_speakers_name_loses_it(
        #[case] deltas: &[&str],
        #[case] expected: &str,
    ) {
        assert_eq!(shown("Kit", deltas), expected);
    }

    #[test]
    fn names_beyond_ascii_and_a_cut_inside_a_character() {
        assert_eq!(shown("Élodie", &["ÉLODIE: Oui"]), "Oui");
        assert_eq!(shown("Élodie", &["élo", "die: Oui"]), "Oui");
        assert_eq!(shown("Élodie", &["Émile"]), "Émile");
        assert_eq!(shown("Mira Vale", &["Mira Vale: ", "Yes"]), "Yes");
    }
}
