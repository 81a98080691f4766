//! The prompt as one member of a group sees it. Prompt assembly
//! (`services::prompt`) stays the one-character code: this module hands it
//! a card made for the speaker and history lines with names, so the order
//! and the token budget are read in one place.
//!
//! - `{{char}}` is the speaker; `{{group}}` is every member's name and
//!   `{{notChar}}` the members but the speaker, then the person, each
//!   joined by ", " (SillyTavern's meanings), in every text the prompt
//!   takes (cards, system prompt, persona, history);
//! - the card is the speaker's; with "join cards" every live member's
//!   description, personality and example dialogue come first (each with
//!   `{{char}}` as that member), the speaker's last;
//! - a group scenario that is not empty replaces the cards' scenarios;
//!   without it, joined cards join their scenarios too;
//! - every live member's lorebook is scanned: one book of all their
//!   entries, each entry's `{{char}}` its own member;
//! - each history line starts with its author's name ("Mira: ...",
//!   "Alex: ..."), so the model can tell the speakers apart.

use serde_json::{json, Value};
use sqlx::types::Json;

use crate::models::{Character, GroupSettings, Message, MessageRole, UserProfile};
use crate::services::prompt::{split_examples, substitute};

/// The names the group macros stand for, for one speaker.
#[derive(Debug, Clone)]
pub struct Names {
    /// `{{group}}`: every member, in member order.
    pub group: String,
    /// `{{notChar}}`: the members but the speaker, then the person.
    pub not_char: String,
}

impl Names {
    pub fn new(members: &[&str], speaker: &str, user: &str) -> Names {
        let others: Vec<&str> = members
            .iter()
            .copied()
            .filter(|n| *n != speaker)
            .chain(std::iter::once(user))
            .collect();
        Names {
            group: members.join(", "),
            not_char: others.join(", "),
        }
    }

    /// `text` with `{{group}}` and `{{notChar}}` (any case) replaced.
    pub fn expand(&self, text: &str) -> String {
        const MACROS: [&str; 2] = ["{{group}}", "{{notchar}}"];
        if !text.contains("{{") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(pos) = rest.find("{{") {
            out.push_str(&rest[..pos]);
            let tail = &rest[pos..];
            let is = |m: &&str| {
                tail.get(..m.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(m))
            };
            match MACROS.iter().find(|m| is(m)) {
                Some(m) => {
                    out.push_str(if *m == MACROS[0] {
                        &self.group
                    } else {
                        &self.not_char
                    });
                    rest = &tail[m.len()..];
                }
                None => {
                    out.push_str("{{");
                    rest = &tail[2..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The card `speaker` speaks with in a group of `members` (live members'
/// cards, member order; the speaker may have left the group and is then
/// not among them).
pub fn speaker_card(
    speaker: &Character,
    members: &[Character],
    settings: &GroupSettings,
    names: &Names,
    user: &str,
) -> Character {
    let others: Vec<&Character> = members.iter().filter(|m| m.id != speaker.id).collect();
    // Another member's text with its own name for `{{char}}`.
    let theirs = |c: &Character, text: &str| names.expand(&substitute(text.trim(), &c.name, user));
    let mine = |text: &str| names.expand(text);
    let mut card = speaker.clone();
    if settings.join_cards {
        let mut description: Vec<String> = Vec::new();
        let mut scenarios: Vec<String> = Vec::new();
        let mut examples: Vec<String> = Vec::new();
        for &c in &others {
            let mut block = Vec::new();
            if !c.description.trim().is_empty() {
                block.push(theirs(c, c.description.as_str()));
            }
            if !c.personality.trim().is_empty() {
                block.push(format!(
                    "{}'s personality: {}",
                    c.name,
                    theirs(c, c.personality.as_str())
                ));
            }
            if !block.is_empty() {
                description.push(block.join("\n"));
            }
            if !c.scenario.trim().is_empty() {
                scenarios.push(theirs(c, c.scenario.as_str()));
            }
            examples.extend(
                split_examples(&c.example_messages)
                    .iter()
                    .map(|e| theirs(c, e.as_str())),
            );
        }
        if !speaker.description.trim().is_empty() {
            description.push(mine(speaker.description.trim()));
        }
        if !speaker.scenario.trim().is_empty() {
            scenarios.push(mine(speaker.scenario.trim()));
        }
        scenarios.dedup();
        examples.extend(
            split_examples(&speaker.example_messages)
                .iter()
                .map(|e| mine(e.as_str())),
        );
        card.description = description.join("\n\n");
        card.scenario = scenarios.join("\n\n");
        card.example_messages = examples
            .iter()
            .map(|e| format!("<START>\n{e}"))
            .collect::<Vec<_>>()
            .join("\n");
    } else {
        card.description = mine(speaker.description.as_str());
        card.scenario = mine(speaker.scenario.as_str());
        card.example_messages = mine(speaker.example_messages.as_str());
    }
    if !settings.scenario.trim().is_empty() {
        card.scenario = mine(settings.scenario.trim());
    }
    card.personality = mine(speaker.personality.as_str());
    card.system_prompt = mine(speaker.system_prompt.as_str());
    card.post_history_instructions = mine(speaker.post_history_instructions.as_str());
    card.character_book = joined_book(speaker, &others, names, user).map(Json);
    card
}

/// One lorebook of every member's entries (the speaker's first), each
/// other member's `{{char}}` made its own name; the widest scan depth and
/// the largest budget of the books.
fn joined_book(
    speaker: &Character,
    others: &[&Character],
    names: &Names,
    user: &str,
) -> Option<Value> {
    let mut entries: Vec<Value> = Vec::new();
    let (mut depth, mut budget): (Option<i64>, Option<i64>) = (None, None);
    let books = std::iter::once(speaker).chain(others.iter().copied());
    for c in books {
        let Some(book) = c.character_book.as_ref().map(|b| &b.0) else {
            continue;
        };
        let number = |k: &str| book.get(k).and_then(Value::as_i64);
        depth = depth.max(number("scan_depth"));
        budget = budget.max(number("token_budget"));
        for e in book
            .get("entries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut e = e.clone();
            if let Some(text) = e.get("content").and_then(Value::as_str) {
                let text = if c.id == speaker.id {
                    names.expand(text)
                } else {
                    names.expand(&substitute(text, &c.name, user))
                };
                e["content"] = json!(text);
            }
            entries.push(e);
        }
    }
    if entries.is_empty() {
        return None;
    }
    let mut book = json!({ "entries": entries });
    if let Some(d) = depth {
        book["scan_depth"] = json!(d);
    }
    if let Some(b) = budget {
        book["token_budget"] = json!(b);
    }
    Some(book)
}

/// The persona with the group macros expanded in its description.
pub fn persona(p: &UserProfile, names: &Names) -> UserProfile {
    let mut p = p.clone();
    p.description = names.expand(&p.description);
    p
}

/// The history with each line's author in front: "Mira: ..." for a
/// member's reply (its name when written; `fallback` for a reply without
/// one), "{user}: ..." for the person's. System notes and empty replies
/// (still being written) stay as they are.
pub fn named_history(
    history: &[Message],
    names: &Names,
    user: &str,
    fallback: &str,
) -> Vec<Message> {
    history
        .iter()
        .map(|m| {
            let mut m = m.clone();
            let who = match m.role {
                MessageRole::User => Some(user),
                MessageRole::Assistant => Some(m.speaker_name.as_deref().unwrap_or(fallback)),
                MessageRole::System => None,
            };
            if let Some(who) = who.filter(|_| !m.content.is_empty()) {
                m.content = format!("{who}: {}", names.expand(&m.content));
            }
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::group("We are {{group}}.", "We are Mira, Ash, Kit.")]
    #[case::not_char("{{notChar}} listen", "Ash, Kit, Alex listen")]
    #[case::any_case("{{GROUP}} / {{notchar}}", "Mira, Ash, Kit / Ash, Kit, Alex")]
    #[case::others_untouched("{{char}} {{user}} {{x}} {{", "{{char}} {{user}} {{x}} {{")]
    #[case::unicode("¿{{group}}? 🌙", "¿Mira, Ash, Kit? 🌙")]
    fn macros(#[case] text: &str, #[case] expected: &str) {
        let n = Names::new(&["Mira", "Ash", "Kit"], "Mira", "Alex");
        assert_eq!(n.expand(text), expected);
    }
}
