//! Prompt assembly: what is sent to the model, in order.
//!
//! 1. One system message: the system prompt (the character's override, else
//!    the chat's prompt, else the default), then the character block
//!    (description, personality, scenario) with the lorebook entries the
//!    recent messages trigger before or after it (`services::lorebook`), and
//!    the persona.
//!    With `memory.position` = `after_character`, the memory blocks
//!    (below) end this message instead.
//! 2. The character's example dialogue, split on `<START>`, one system
//!    message per example, while the budget allows.
//! 3. Memory (`services::memory`), by default here, right before the
//!    history: one system message per source, each through its template
//!    (the `memory_*` templates): summaries of earlier messages, earlier
//!    messages brought back ("[earlier, message 124, Alex]: ..."), document
//!    passages. Their tokens come off the budget before the history's;
//!    summaries and recalled messages only when history was left out, and
//!    only those older than the first message kept.
//! 4. The chat's objectives (its open tasks, `services::task`), when the
//!    chat lets them in: one system message, always kept.
//! 5. The chat history, oldest first, trimmed from the oldest end to fit,
//!    with the chat's author's note `depth` messages from its end (as its
//!    role) when its frequency says so (`AuthorsNote::applies`).
//! 6. The character's post-history instructions, as a last system message.
//!
//! Macros (`services::macros`) are expanded in every text: card fields,
//! prompts, lorebook entries, memory templates and the note now; each
//! history message with the results stored when it was made.
//!
//! One piece: the order above and the one token budget it spends are read
//! together (split, the budget would be threaded through every part);
//! about half the file is its tests.

use serde::Serialize;

use std::cell::RefCell;

use super::memory::pieces::{self, Origin, Piece, Settings as MemorySettings, Source};
use super::{lorebook, macros, tokens};
use crate::ai::PromptMessage;
use crate::models::{AuthorsNote, Character, Message, MessageRole, MessageStatus, UserProfile};
use crate::services::app_config::MemoryPosition;

/// The name used for `{{user}}` when the chat has no persona.
pub const DEFAULT_USER_NAME: &str = "User";

/// Framing each message costs (role markers, separators), in tokens.
pub const PER_MESSAGE_TOKENS: i64 = 4;

fn message_tokens(m: &PromptMessage) -> i64 {
    tokens::estimate(&m.content) + PER_MESSAGE_TOKENS
}

/// Everything assembly needs.
#[derive(Debug, Clone, Copy)]
pub struct PromptInputs<'a> {
    pub character: Option<&'a Character>,
    pub persona: Option<&'a UserProfile>,
    /// The chat's system prompt, or the default one, already chosen.
    pub system_prompt: Option<&'a str>,
    /// The conversation so far, oldest first.
    pub history: &'a [Message],
    pub context_length: i64,
    pub max_output_tokens: i64,
    /// Memory pieces found for this reply, and how they go in.
    pub memory: Option<MemoryInputs<'a>>,
    /// The chat's objectives block ("Current objectives: ..."), if any.
    pub objectives: Option<&'a str>,
    /// What the macros read (time, the last message, the person's input,
    /// a group's names) and the chat's variables; `None`: the names above
    /// and no variables.
    pub macros: Option<(&'a macros::Context, &'a macros::Variables)>,
    /// The chat's author's note and the turn being answered (the person's
    /// messages so far), when it has one.
    pub authors_note: Option<(&'a AuthorsNote, i64)>,
}

/// Memory for [`assemble`].
#[derive(Debug, Clone, Copy)]
pub struct MemoryInputs<'a> {
    pub pieces: &'a [Piece],
    pub settings: &'a MemorySettings,
    /// Tokens kept free beside the pieces (retrieval asks where the
    /// history would start with room kept for summaries and recall).
    pub reserve: i64,
}

/// What a prompt message is, for "Show prompt" and `parley prompt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PartKind {
    System,
    Example,
    Memory,
    /// The chat's open tasks as the story's objectives.
    Objectives,
    History,
    AuthorsNote,
    PostHistory,
}

/// One prompt message's kind and the memory pieces it carries (indexes
/// into [`Prompt::memory`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub kind: PartKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<usize>,
}

/// The assembled prompt and what was left out.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    pub messages: Vec<PromptMessage>,
    pub estimated_tokens: i64,
    /// Context length minus the reply budget.
    pub budget_tokens: i64,
    pub history_included: usize,
    pub history_dropped: usize,
    pub examples_included: usize,
    /// `seq` of the oldest history message kept.
    pub history_first_seq: Option<i64>,
    /// One per message: what it is and which memory pieces it carries.
    pub parts: Vec<Part>,
    /// The memory pieces in the prompt, in prompt order (what the reply's
    /// `metadata.memory` records).
    pub memory: Vec<Piece>,
}

/// A text with its names in (`{{char}}`, `{{user}}`, `<BOT>`, ...) and its
/// other macros as written: `services::macros` with nothing stored.
pub fn substitute(text: &str, char_name: &str, user_name: &str) -> String {
    macros::replay(text, &names(char_name, user_name), &[])
}

/// A stored message's text as the prompt and the window give it: names
/// now, its other macros from the results stored when it was made.
pub fn message_text(m: &Message, char_name: &str, user_name: &str) -> String {
    macros::replay(
        &m.content,
        &names(char_name, user_name),
        &macros::stored(&m.metadata.0),
    )
}

fn names(char_name: &str, user_name: &str) -> macros::Names {
    macros::Names {
        char: char_name.to_string(),
        user: user_name.to_string(),
        members: Vec::new(),
    }
}

/// Splits example dialogue on `<START>` markers into trimmed, non-empty blocks.
pub fn split_examples(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = text;
    loop {
        let next = rest.to_ascii_lowercase().find("<start>");
        let (block, after) = match next {
            Some(i) => (&rest[..i], Some(&rest[i + "<start>".len()..])),
            None => (rest, None),
        };
        let block = block.trim();
        if !block.is_empty() {
            blocks.push(block.to_string());
        }
        match after {
            Some(a) => rest = a,
            None => break,
        }
    }
    blocks
}

/// The system prompt text that applies: the character's own override wins,
/// then the chat's chosen prompt (or the default).
pub fn choose_system_prompt<'a>(
    character: Option<&'a Character>,
    chat_prompt: Option<&'a str>,
) -> Option<&'a str> {
    character
        .map(|c| c.system_prompt.as_str())
        .filter(|s| !s.trim().is_empty())
        .or(chat_prompt.filter(|s| !s.trim().is_empty()))
}

/// Builds the prompt for the next reply.
pub fn assemble(inputs: PromptInputs<'_>) -> Prompt {
    let char_name = inputs.character.map_or("Assistant", |c| c.name.as_str());
    let user_name = inputs
        .persona
        .map_or(DEFAULT_USER_NAME, |p| p.name.as_str());
    // Card fields, prompts, lorebook entries, templates and the note are
    // expanded now; a `{{setvar}}` in them changes only this prompt's copy
    // of the variables (messages set the chat's once, when made).
    let plain_cx;
    let (cx, vars) = match inputs.macros {
        Some((cx, vars)) => (cx, vars.clone()),
        None => {
            plain_cx = macros::Context::new(names(char_name, user_name));
            (&plain_cx, macros::Variables::new())
        }
    };
    let vars = RefCell::new(vars);
    let sub = |t: &str| macros::expand(t, cx, &mut vars.borrow_mut());

    let mut system = Vec::new();
    if let Some(p) = inputs.system_prompt.filter(|s| !s.trim().is_empty()) {
        system.push(sub(p.trim()));
    }
    let lore = inputs
        .character
        .and_then(|c| c.character_book.as_ref())
        .map(|book| {
            let recent: Vec<&str> = inputs.history.iter().map(|m| m.content.as_str()).collect();
            lorebook::activate(&book.0, &recent)
        })
        .unwrap_or_default();
    system.extend(lore.before_char.iter().map(|t| sub(t)));
    if let Some(c) = inputs.character {
        if !c.description.trim().is_empty() {
            system.push(sub(c.description.trim()));
        }
        if !c.personality.trim().is_empty() {
            system.push(format!(
                "{char_name}'s personality: {}",
                sub(c.personality.trim())
            ));
        }
        if !c.scenario.trim().is_empty() {
            system.push(format!("Scenario: {}", sub(c.scenario.trim())));
        }
    }
    system.extend(lore.after_char.iter().map(|t| sub(t)));
    if let Some(p) = inputs.persona.filter(|p| !p.description.trim().is_empty()) {
        system.push(format!("About {user_name}: {}", sub(p.description.trim())));
    }

    let mut head = Vec::new();
    if !system.is_empty() {
        head.push(PromptMessage {
            role: MessageRole::System,
            content: system.join("\n\n"),
        });
    }
    let tail: Vec<PromptMessage> = inputs
        .character
        .map(|c| c.post_history_instructions.trim())
        .filter(|s| !s.is_empty())
        .map(|s| PromptMessage {
            role: MessageRole::System,
            content: sub(s),
        })
        .into_iter()
        .collect();

    let objectives = objectives_message(inputs.objectives, &sub);
    let note: Option<PromptMessage> = inputs
        .authors_note
        .filter(|(n, turn)| n.applies(*turn))
        .map(|(n, _)| PromptMessage {
            role: n.role,
            content: sub(n.text.trim()),
        });

    let budget = (inputs.context_length - inputs.max_output_tokens).max(0);
    let mut used: i64 = head
        .iter()
        .chain(&tail)
        .chain(&objectives)
        .chain(&note)
        .map(message_tokens)
        .sum();

    // Memory's tokens (and any room kept for it) come off the budget
    // before the history's.
    let all: Vec<&Piece> = inputs
        .memory
        .map(|m| m.pieces.iter().collect())
        .unwrap_or_default();
    let reserve = inputs.memory.map_or(0, |m| m.reserve.max(0));
    let memory_cost = |pieces: &[&Piece]| -> i64 {
        inputs.memory.map_or(0, |m| {
            memory_blocks(pieces, m.settings, &sub, char_name, user_name)
                .iter()
                .map(|(pm, _)| message_tokens(pm))
                .sum()
        })
    };
    let planned = memory_cost(&all) + reserve;
    used += planned;

    // History, newest first, until the budget is spent; the newest message is
    // always kept, or the model would answer nothing.
    let usable: Vec<&Message> = inputs
        .history
        .iter()
        .filter(|m| !(m.content.is_empty() && m.status != MessageStatus::Completed))
        .collect();
    let mut kept: Vec<PromptMessage> = Vec::new();
    for (i, m) in usable.iter().rev().enumerate() {
        let pm = PromptMessage {
            role: m.role,
            content: macros::replay(&m.content, &cx.names, &macros::stored(&m.metadata.0)),
        };
        let cost = message_tokens(&pm);
        if i > 0 && used + cost > budget {
            break;
        }
        used += cost;
        kept.push(pm);
    }
    kept.reverse();
    let history_included = kept.len();
    let history_dropped = usable.len() - history_included;
    let history_first_seq = usable.get(history_dropped).map(|m| m.seq);

    // Summaries and recalled messages only when history was left out, and
    // only those older than the first message kept.
    let older = |seq: i64| history_dropped > 0 && history_first_seq.is_some_and(|f| seq < f);
    let placed: Vec<&Piece> = all
        .into_iter()
        .filter(|p| match p.origin {
            Origin::Document { .. } => true,
            Origin::Summary { last_seq, .. } => older(last_seq),
            Origin::Recall { seq, .. } => older(seq),
        })
        .collect();
    used += memory_cost(&placed) - planned;
    let blocks = inputs.memory.map_or_else(Vec::new, |m| {
        memory_blocks(&placed, m.settings, &sub, char_name, user_name)
    });

    // Examples only with room to spare, in their order.
    let mut examples = Vec::new();
    if let Some(c) = inputs.character {
        for block in split_examples(&c.example_messages) {
            let pm = PromptMessage {
                role: MessageRole::System,
                content: format!("[Example conversation]\n{}", sub(&block)),
            };
            let cost = message_tokens(&pm);
            if used + cost > budget {
                break;
            }
            used += cost;
            examples.push(pm);
        }
    }
    let examples_included = examples.len();

    let part = |kind| Part {
        kind,
        memory: Vec::new(),
    };
    let mut messages = head;
    let mut parts: Vec<Part> = messages.iter().map(|_| part(PartKind::System)).collect();
    let position = inputs
        .memory
        .map_or(MemoryPosition::BeforeHistory, |m| m.settings.position);
    if position == MemoryPosition::AfterCharacter && !blocks.is_empty() {
        if messages.is_empty() {
            messages.push(PromptMessage {
                role: MessageRole::System,
                content: String::new(),
            });
            parts.push(part(PartKind::System));
        }
        for (pm, indexes) in &blocks {
            let system = &mut messages[0].content;
            if !system.is_empty() {
                system.push_str("\n\n");
            }
            system.push_str(&pm.content);
            parts[0].memory.extend(indexes);
        }
    }
    parts.extend(examples.iter().map(|_| part(PartKind::Example)));
    messages.extend(examples);
    if position == MemoryPosition::BeforeHistory {
        for (pm, indexes) in blocks {
            messages.push(pm);
            parts.push(Part {
                kind: PartKind::Memory,
                memory: indexes,
            });
        }
    }
    if let Some(pm) = objectives {
        messages.push(pm);
        parts.push(part(PartKind::Objectives));
    }
    let mut history_parts: Vec<Part> = kept.iter().map(|_| part(PartKind::History)).collect();
    if let Some((pm, (n, _))) = note.zip(inputs.authors_note) {
        // `depth` messages from the end; deeper than the history: first.
        let at = kept
            .len()
            .saturating_sub(usize::try_from(n.depth).unwrap_or(usize::MAX));
        kept.insert(at, pm);
        history_parts.insert(at, part(PartKind::AuthorsNote));
    }
    parts.extend(history_parts);
    messages.extend(kept);
    parts.extend(tail.iter().map(|_| part(PartKind::PostHistory)));
    messages.extend(tail);
    Prompt {
        estimated_tokens: messages.iter().map(message_tokens).sum(),
        messages,
        budget_tokens: budget,
        history_included,
        history_dropped,
        examples_included,
        history_first_seq,
        parts,
        memory: blocks_order(&placed),
    }
}

/// The objectives block as a system message, names filled in.
fn objectives_message(block: Option<&str>, sub: &dyn Fn(&str) -> String) -> Option<PromptMessage> {
    block
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| PromptMessage {
            role: MessageRole::System,
            content: sub(b),
        })
}

/// The pieces in the order their blocks put them: summaries, recalled
/// messages, documents, each source in the order given.
fn blocks_order(pieces: &[&Piece]) -> Vec<Piece> {
    [Source::Summary, Source::Recall, Source::Document]
        .iter()
        .flat_map(|s| pieces.iter().filter(move |p| p.source() == *s))
        .map(|p| (*p).clone())
        .collect()
}

/// One system message per source that has pieces, through its template,
/// with the indexes (into [`blocks_order`]) of the pieces it carries.
fn memory_blocks(
    pieces: &[&Piece],
    settings: &MemorySettings,
    sub: &dyn Fn(&str) -> String,
    char_name: &str,
    user_name: &str,
) -> Vec<(PromptMessage, Vec<usize>)> {
    let mut out = Vec::new();
    let mut index = 0;
    for source in [Source::Summary, Source::Recall, Source::Document] {
        let of: Vec<&&Piece> = pieces.iter().filter(|p| p.source() == source).collect();
        if of.is_empty() {
            continue;
        }
        let lines: Vec<String> = of.iter().map(|p| p.line(char_name, user_name)).collect();
        let content = sub(&pieces::render(settings.template(source), &lines));
        out.push((
            PromptMessage {
                role: MessageRole::System,
                content,
            },
            (index..index + of.len()).collect(),
        ));
        index += of.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::braces("Hi {{user}}, I am {{char}}.", "Hi Alex, I am Mira.")]
    #[case::any_case("{{Char}} and {{USER}}", "Mira and Alex")]
    #[case::angle("<BOT> waves at <USER>", "Mira waves at Alex")]
    #[case::untouched("{{other}} <b> {x}", "{{other}} <b> {x}")]
    #[case::unicode("¿{{user}}? 🌙", "¿Alex? 🌙")]
    fn macros(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(substitute(input, "Mira", "Alex"), expected);
    }

    #[test]
    fn examples_split_on_start_markers() {
        let blocks = split_examples(
            "<START>\n{{user}}: hi\n{{char}}: hey\n<start>\n\n<START>\n{{char}}: bye",
        );
        assert_eq!(blocks, vec!["{{user}}: hi\n{{char}}: hey", "{{char}}: bye"]);
        assert_eq!(split_examples("no marker"), vec!["no marker"]);
    }

    fn character(system_prompt: &str) -> Character {
        let now = crate::models::Timestamp::from_millis(0);
        Character {
            id: crate::models::new_id(),
            name: "Mira".into(),
            creator: String::new(),
            character_version: String::new(),
            tags: sqlx::types::Json(vec![]),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            description: "{{char}} flies ships.".into(),
            personality: "dry".into(),
            scenario: "{{user}} joins the crew.".into(),
            first_message: String::new(),
            example_messages: "<START>\n{{user}}: Hi\n{{char}}: Hey".into(),
            alternate_greetings: sqlx::types::Json(vec![]),
            system_prompt: system_prompt.into(),
            post_history_instructions: "Stay in character as {{char}}.".into(),
            creator_notes: String::new(),
            extensions: sqlx::types::Json(serde_json::json!({})),
            character_book: None,
        }
    }

    #[test]
    fn triggered_lore_goes_around_the_character_block() {
        let mut c = character("");
        c.character_book = Some(sqlx::types::Json(serde_json::json!({"entries": [
            {"keys": ["0001"], "content": "{{char}}'s ship is the Kestrel.", "extensions": {},
             "enabled": true, "insertion_order": 1},
            {"keys": ["nothing-says-this"], "content": "unused", "extensions": {},
             "enabled": true, "insertion_order": 2},
            {"keys": [], "constant": true, "position": "after_char", "content": "Magic is rare.",
             "extensions": {}, "enabled": true, "insertion_order": 3}
        ]})));
        let h = history(2, 20);
        let p = assemble(inputs(&c, &h, None, 8000));
        let system = &p.messages[0].content;
        let lore = system
            .find("Mira's ship is the Kestrel.")
            .expect("triggered entry");
        let description = system.find("Mira flies ships.").unwrap();
        let scenario = system.find("Scenario:").unwrap();
        let after = system.find("Magic is rare.").expect("constant entry");
        assert!(lore < description && scenario < after, "{system}");
        assert!(!system.contains("unused"));
    }

    fn history(n: usize, chars: usize) -> Vec<Message> {
        let now = crate::models::Timestamp::from_millis(0);
        (0..n)
            .map(|i| Message {
                id: crate::models::new_id(),
                chat_session_id: crate::models::new_id(),
                seq: i as i64,
                role: if i % 2 == 0 {
                    MessageRole::User
                } else {
                    MessageRole::Assistant
                },
                status: MessageStatus::Completed,
                active_swipe: 0,
                swipe_count: 0,
                created_at: now,
                updated_at: now,
                metadata: sqlx::types::Json(serde_json::json!({})),
                content: format!("{i:04}{}", "x".repeat(chars.saturating_sub(4))),
                speaker_id: None,
                speaker_name: None,
            })
            .collect()
    }

    fn inputs<'a>(
        c: &'a Character,
        h: &'a [Message],
        prompt: Option<&'a str>,
        context: i64,
    ) -> PromptInputs<'a> {
        PromptInputs {
            character: Some(c),
            persona: None,
            system_prompt: choose_system_prompt(Some(c), prompt),
            history: h,
            context_length: context,
            max_output_tokens: 100,
            memory: None,
            objectives: None,
            macros: None,
            authors_note: None,
        }
    }

    #[rstest]
    #[case::override_wins("Be {{char}}.", Some("Chat prompt"), "Be Mira.")]
    #[case::chat_prompt_next("", Some("Chat prompt"), "Chat prompt")]
    #[case::none("", None, "Mira flies ships.")]
    fn system_prompt_precedence(
        #[case] own: &str,
        #[case] chat: Option<&str>,
        #[case] starts: &str,
    ) {
        let c = character(own);
        let h = history(2, 10);
        let p = assemble(inputs(&c, &h, chat, 10_000));
        assert!(
            p.messages[0].content.starts_with(starts),
            "{:?}",
            p.messages[0].content
        );
        assert!(p.messages[0]
            .content
            .contains("Scenario: User joins the crew."));
    }

    #[test]
    fn order_is_system_examples_history_post_history() {
        let c = character("");
        let h = history(3, 10);
        let p = assemble(inputs(&c, &h, None, 10_000));
        let roles: Vec<MessageRole> = p.messages.iter().map(|m| m.role).collect();
        use MessageRole::*;
        assert_eq!(roles, vec![System, System, User, Assistant, User, System]);
        assert_eq!(
            p.messages[1].content,
            "[Example conversation]\nUser: Hi\nMira: Hey"
        );
        assert_eq!(p.messages[5].content, "Stay in character as Mira.");
        assert_eq!(
            (p.history_included, p.history_dropped, p.examples_included),
            (3, 0, 1)
        );
    }

    #[test]
    fn history_is_trimmed_oldest_first_to_fit_the_budget() {
        let c = character("");
        // 100 messages of ~350 characters (~100 tokens each); 2,100 tokens
        // of context less 100 for the reply leaves room for about 18.
        let h = history(100, 350);
        let p = assemble(inputs(&c, &h, None, 2_100));
        assert!(
            p.estimated_tokens <= p.budget_tokens,
            "{} > {}",
            p.estimated_tokens,
            p.budget_tokens
        );
        assert!(
            p.history_included > 10 && p.history_included < 25,
            "{}",
            p.history_included
        );
        assert_eq!(p.history_included + p.history_dropped, 100);
        let kept: Vec<&str> = p
            .messages
            .iter()
            .filter(|m| m.role != MessageRole::System)
            .map(|m| &m.content[..4])
            .collect();
        assert_eq!(
            *kept.last().unwrap(),
            "0099",
            "the newest message is always kept"
        );
        let first_kept: usize = kept[0].parse().unwrap();
        assert_eq!(
            first_kept,
            100 - p.history_included,
            "only the oldest were dropped"
        );
        // A small example may still fill the room a whole message could not.
        assert!(p.examples_included <= 1);
    }

    #[test]
    fn the_newest_message_is_kept_even_when_nothing_fits() {
        let c = character("");
        let h = history(3, 5_000);
        let p = assemble(inputs(&c, &h, None, 300));
        assert_eq!(p.history_included, 1);
    }
}
