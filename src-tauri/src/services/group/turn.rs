//! Who speaks next in a group chat, by the chat's turn order. Pure: the
//! members, the newest message and who wrote it, who spoke lately, and a
//! source of random numbers in, a choice out; no I/O, so every rule is a
//! row of a table test.
//!
//! The orders (SillyTavern's meanings, one speaker per turn):
//! - manual: nobody; the person picks;
//! - natural: a character named in the newest message (a whole word of
//!   its name, any case) speaks first; else each member, in a shuffled
//!   order, speaks with the chance of its talkativeness; else one at
//!   random (those with some talkativeness first). Never the character
//!   who wrote the newest message, unless it is the only one;
//! - list: the next member in member order after the last character who
//!   spoke, wrapping round;
//! - pooled: one at random of those who have not spoken since the
//!   person's last message; once all have, one at random but the last.
//!
//! Muted members are never chosen here ("force talk" skips this module).

use crate::models::{ChatMember, Id, TurnOrder};

/// Who wrote the newest message of the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// The chat has no messages (or only system notes).
    Nobody,
    /// The person.
    Person,
    /// A character (an assistant message's speaker).
    Character(Id),
}

/// What the choice is made from.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    pub order: TurnOrder,
    /// The chat's members (any order; member order is their `position`).
    pub members: &'a [ChatMember],
    /// The newest message's text (what natural order looks for names in).
    pub last_text: &'a str,
    pub last_author: Author,
    /// The character who wrote the newest character message, even with
    /// the person's messages after it (list order goes on from it).
    pub last_speaker: Option<Id>,
    /// The characters who have spoken since the person's last message
    /// (pooled order); ignored when the person wrote the newest message.
    pub spoken_since_person: &'a [Id],
}

/// Why a member was chosen, for "Show prompt" and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Why {
    /// Named in the newest message (natural).
    Mentioned,
    /// Its talkativeness roll came up (natural).
    Talkative,
    /// Nobody's did, so one was drawn (natural), or drawn from the pool.
    Drawn,
    /// Next in member order (list).
    Next,
}

/// The member chosen and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub character_id: Id,
    pub why: Why,
}

/// A number in `[0, 1)` each call: `random()` in the app, a script in tests.
pub type Roll<'r> = &'r mut dyn FnMut() -> f64;

/// The next speaker by `turn.order`; `None` in manual order or when every
/// member is muted.
pub fn next_speaker(turn: &Turn<'_>, roll: Roll<'_>) -> Option<Choice> {
    let mut unmuted: Vec<&ChatMember> = turn.members.iter().filter(|m| !m.muted).collect();
    unmuted.sort_by_key(|m| m.position);
    if unmuted.is_empty() {
        return None;
    }
    match turn.order {
        TurnOrder::Manual => None,
        TurnOrder::Natural => Some(natural(turn, &unmuted, roll)),
        TurnOrder::List => Some(list(turn, &unmuted)),
        TurnOrder::Pooled => Some(pooled(turn, &unmuted, roll)),
    }
}

/// The character who just spoke, when another can answer it.
fn banned(turn: &Turn<'_>, unmuted: &[&ChatMember]) -> Option<Id> {
    match turn.last_author {
        Author::Character(id) if unmuted.len() > 1 => Some(id),
        _ => None,
    }
}

fn natural(turn: &Turn<'_>, unmuted: &[&ChatMember], roll: Roll<'_>) -> Choice {
    let banned = banned(turn, unmuted);
    let eligible: Vec<&ChatMember> = unmuted
        .iter()
        .copied()
        .filter(|m| Some(m.character_id) != banned)
        .collect();
    let chosen = |m: &ChatMember, why| Choice {
        character_id: m.character_id,
        why,
    };
    // Named: the first name the text says, in the text's order.
    let member_words: Vec<Vec<String>> = eligible.iter().map(|m| words(&m.name)).collect();
    for word in words(turn.last_text) {
        if let Some(i) = member_words.iter().position(|ws| ws.contains(&word)) {
            return chosen(eligible[i], Why::Mentioned);
        }
    }
    let mut shuffled = eligible.clone();
    shuffle(&mut shuffled, roll);
    if let Some(m) = shuffled.iter().find(|m| roll() < m.talkativeness) {
        return chosen(m, Why::Talkative);
    }
    let chatty: Vec<&ChatMember> = eligible
        .iter()
        .copied()
        .filter(|m| m.talkativeness > 0.0)
        .collect();
    let pool = if chatty.is_empty() {
        &eligible
    } else {
        &chatty
    };
    chosen(pool[pick(pool.len(), roll)], Why::Drawn)
}

fn list(turn: &Turn<'_>, unmuted: &[&ChatMember]) -> Choice {
    let after = turn.last_speaker.and_then(|id| {
        turn.members
            .iter()
            .find(|m| m.character_id == id)
            .map(|m| m.position)
    });
    let next = after
        .and_then(|p| unmuted.iter().find(|m| m.position > p))
        .unwrap_or(&unmuted[0]);
    Choice {
        character_id: next.character_id,
        why: Why::Next,
    }
}

fn pooled(turn: &Turn<'_>, unmuted: &[&ChatMember], roll: Roll<'_>) -> Choice {
    let spoken: &[Id] = if turn.last_author == Author::Person {
        &[]
    } else {
        turn.spoken_since_person
    };
    let fresh: Vec<&ChatMember> = unmuted
        .iter()
        .copied()
        .filter(|m| !spoken.contains(&m.character_id))
        .collect();
    let pool = if fresh.is_empty() {
        let banned = banned(turn, unmuted);
        unmuted
            .iter()
            .copied()
            .filter(|m| Some(m.character_id) != banned)
            .collect()
    } else {
        fresh
    };
    Choice {
        character_id: pool[pick(pool.len(), roll)].character_id,
        why: Why::Drawn,
    }
}

/// The lowercase words of `text` (letters and digits; anything else
/// separates), as names are matched.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// An index below `n` (> 0) from one roll.
fn pick(n: usize, roll: Roll<'_>) -> usize {
    ((roll() * n as f64) as usize).min(n - 1)
}

/// Fisher-Yates with `roll`.
fn shuffle<T>(items: &mut [T], roll: Roll<'_>) {
    for i in (1..items.len()).rev() {
        items.swap(i, pick(i + 1, roll));
    }
}

/// Random numbers for the app's turns: SplitMix64 seeded from a fresh
/// UUID v7's random bits (no need for a cryptographic source to pick who
/// talks, and no dependency for it).
pub fn random() -> impl FnMut() -> f64 {
    let mut state = crate::models::new_id().as_u128() as u64;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::models::Timestamp;

    /// Members by name: `Mira` (position 0), `Ash`, `Kit`, `Lena Vale`;
    /// each id is derived from its name so rows can name them.
    fn id(name: &str) -> Id {
        Id::from_u128(name.bytes().fold(7u128, |h, b| h * 131 + u128::from(b)))
    }

    fn member(name: &str, position: i64, talkativeness: f64, muted: bool) -> ChatMember {
        ChatMember {
            chat_session_id: Id::nil(),
            character_id: id(name),
            name: name.into(),
            position,
            talkativeness,
            muted,
            created_at: Timestamp::from_millis(0),
        }
    }

    /// `spec`: "Name:talkativeness" or "Name:talkativeness:muted", in member order.
    fn members(spec: &[&str]) -> Vec<ChatMember> {
        spec.iter()
            .enumerate()
            .map(|(i, s)| {
                let parts: Vec<&str> = s.split(':').collect();
                member(
                    parts[0],
                    i as i64,
                    parts.get(1).map_or(0.5, |t| t.parse().unwrap()),
                    parts.get(2) == Some(&"muted"),
                )
            })
            .collect()
    }

    fn author(name: &str) -> Author {
        match name {
            "" => Author::Nobody,
            "person" => Author::Person,
            n => Author::Character(id(n)),
        }
    }

    /// Rolls from a script, repeated.
    fn script(values: &[f64]) -> impl FnMut() -> f64 + '_ {
        let mut i = 0;
        move || {
            let v = values[i % values.len()];
            i += 1;
            v
        }
    }

    fn choose(
        order: TurnOrder,
        spec: &[&str],
        text: &str,
        by: &str,
        last_speaker: &str,
        spoken: &[&str],
        rolls: &[f64],
    ) -> Option<(String, Why)> {
        let ms = members(spec);
        let spoken: Vec<Id> = spoken.iter().map(|n| id(n)).collect();
        let turn = Turn {
            order,
            members: &ms,
            last_text: text,
            last_author: author(by),
            last_speaker: (!last_speaker.is_empty()).then(|| id(last_speaker)),
            spoken_since_person: &spoken,
        };
        let mut roll = script(rolls);
        next_speaker(&turn, &mut roll).map(|c| {
            let name = ms
                .iter()
                .find(|m| m.character_id == c.character_id)
                .unwrap()
                .name
                .clone();
            (name, c.why)
        })
    }

    const THREE: &[&str] = &["Mira:0.5", "Ash:0.5", "Kit:0.5"];
    use TurnOrder::*;
    use Why::*;

    #[rstest]
    #[case::manual_picks_nobody(Manual, THREE, ("Ash?", "person"), "", &[], &[0.0], None)]
    #[case::mention_first(Natural, THREE, ("Ash, what do you think?", "person"), "Mira", &[], &[0.99], Some(("Ash", Mentioned)))]
    #[case::mention_any_case(Natural, THREE, ("and you, KIT?", "person"), "", &[], &[0.99], Some(("Kit", Mentioned)))]
    #[case::first_name_said_wins(Natural, THREE, ("Kit told Ash a story", "person"), "", &[], &[0.99], Some(("Kit", Mentioned)))]
    #[case::mention_of_a_part_of_a_word_is_not_one(Natural, &["Mira:0", "Ash:0", "Kit:1"], ("Ashley waves", "person"), "", &[], &[0.0], Some(("Kit", Talkative)))]
    #[case::mention_by_a_word_of_a_longer_name(Natural, &["Mira:0", "Lena Vale:0"], ("Vale's turn", "Mira"), "Mira", &[], &[0.5], Some(("Lena Vale", Mentioned)))]
    #[case::the_speaker_naming_itself_does_not_speak_again(Natural, &["Mira:0", "Ash:0", "Kit:1"], ("I, Ash, am done", "Ash"), "Ash", &[], &[0.0], Some(("Kit", Talkative)))]
    #[case::a_muted_member_named_does_not_speak(Natural, &["Mira:0", "Ash:1:muted", "Kit:1"], ("Ash?", "person"), "", &[], &[0.0], Some(("Kit", Talkative)))]
    #[case::talkativeness_one_always_speaks(Natural, &["Mira:0", "Ash:1", "Kit:0"], ("hello", "person"), "", &[], &[0.999], Some(("Ash", Talkative)))]
    #[case::talkativeness_zero_never_rolls(Natural, &["Mira:0", "Ash:0"], ("hello", "person"), "", &[], &[0.0], Some(("Mira", Drawn)))]
    #[case::zero_talkers_drawn_when_none_rolls(Natural, &["Mira:0", "Ash:0.3"], ("hello", "person"), "", &[], &[0.9], Some(("Ash", Drawn)))]
    #[case::never_twice_in_a_row(Natural, &["Mira:1", "Ash:0", "Kit:0"], ("hello", "Mira"), "Mira", &[], &[0.0], Some(("Ash", Drawn)))]
    #[case::twice_in_a_row_when_alone(Natural, &["Mira:0"], ("hello", "Mira"), "Mira", &[], &[0.5], Some(("Mira", Drawn)))]
    #[case::alone_among_the_unmuted(Natural, &["Mira:0", "Ash:1:muted"], ("Ash!", "Mira"), "Mira", &[], &[0.5], Some(("Mira", Drawn)))]
    #[case::after_the_person_the_last_speaker_may_speak(Natural, &["Mira:1", "Ash:0"], ("hello", "person"), "Mira", &[], &[0.0], Some(("Mira", Talkative)))]
    #[case::muted_never_chosen(Natural, &["Mira:1:muted", "Ash:0", "Kit:0"], ("hello", "person"), "", &[], &[0.0], Some(("Ash", Drawn)))]
    #[case::everyone_muted(Natural, &["Mira:1:muted", "Ash:1:muted"], ("Mira", "person"), "", &[], &[0.0], None)]
    #[case::list_starts_at_the_first(List, THREE, ("hi", "person"), "", &[], &[0.0], Some(("Mira", Next)))]
    #[case::list_goes_on_after_the_last_speaker(List, THREE, ("hi", "person"), "Mira", &[], &[0.0], Some(("Ash", Next)))]
    #[case::list_wraps_round(List, THREE, ("hi", "Kit"), "Kit", &[], &[0.0], Some(("Mira", Next)))]
    #[case::list_skips_the_muted(List, &["Mira", "Ash:0.5:muted", "Kit"], ("hi", "Mira"), "Mira", &[], &[0.0], Some(("Kit", Next)))]
    #[case::list_ignores_mentions(List, THREE, ("Kit?", "person"), "Mira", &[], &[0.0], Some(("Ash", Next)))]
    #[case::pooled_who_has_not_spoken(Pooled, THREE, ("hi", "Ash"), "Ash", &["Ash", "Mira"], &[0.0], Some(("Kit", Drawn)))]
    #[case::pooled_all_spoke_not_the_last(Pooled, THREE, ("hi", "Kit"), "Kit", &["Kit", "Ash", "Mira"], &[0.99], Some(("Ash", Drawn)))]
    #[case::pooled_after_the_person_anyone(Pooled, THREE, ("hi", "person"), "Kit", &["Kit"], &[0.99], Some(("Kit", Drawn)))]
    #[case::pooled_skips_the_muted(Pooled, &["Mira:0.5:muted", "Ash", "Kit"], ("hi", "Kit"), "Kit", &["Kit"], &[0.0], Some(("Ash", Drawn)))]
    #[case::single_member_natural(Natural, &["Mira:0"], ("hi", "person"), "", &[], &[0.7], Some(("Mira", Drawn)))]
    #[case::single_member_list(List, &["Mira:0"], ("hi", "Mira"), "Mira", &[], &[0.7], Some(("Mira", Next)))]
    #[case::single_member_pooled(Pooled, &["Mira:0"], ("hi", "Mira"), "Mira", &["Mira"], &[0.7], Some(("Mira", Drawn)))]
    #[case::single_member_manual(Manual, &["Mira:1"], ("Mira", "person"), "", &[], &[0.7], None)]
    fn next(
        #[case] order: TurnOrder,
        #[case] spec: &[&str],
        #[case] (text, by): (&str, &str),
        #[case] last_speaker: &str,
        #[case] spoken: &[&str],
        #[case] rolls: &[f64],
        #[case] expected: Option<(&str, Why)>,
    ) {
        assert_eq!(
            choose(order, spec, text, by, last_speaker, spoken, rolls),
            expected.map(|(n, w)| (n.to_string(), w))
        );
    }

    /// Over many turns with real randomness, natural order follows the
    /// talkativeness: a member at 0.9 speaks more often than one at 0.1,
    /// and nobody twice in a row.
    #[test]
    fn talkativeness_sets_how_often() {
        let ms = members(&["Mira:0.9", "Ash:0.1", "Kit:0.1"]);
        let mut roll = random();
        let mut last = Author::Person;
        let mut counts = std::collections::HashMap::new();
        for i in 0..3000 {
            let turn = Turn {
                order: Natural,
                members: &ms,
                last_text: "and then",
                last_author: last,
                last_speaker: None,
                spoken_since_person: &[],
            };
            let c = next_speaker(&turn, &mut roll).unwrap();
            assert_ne!(Author::Character(c.character_id), last, "twice in a row");
            *counts.entry(c.character_id).or_insert(0) += 1;
            last = if i % 7 == 0 {
                Author::Person
            } else {
                Author::Character(c.character_id)
            };
        }
        // Mira cannot follow herself, so about every other turn is hers.
        assert!(
            counts[&id("Mira")] * 2 > counts[&id("Ash")] * 3,
            "{counts:?}"
        );
    }

    #[test]
    fn random_stays_in_range() {
        let mut r = random();
        assert!((0..10_000).map(|_| r()).all(|v| (0.0..1.0).contains(&v)));
    }
}
