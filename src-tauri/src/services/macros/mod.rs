//! SillyTavern's macros, one implementation for the prompt and the window.
//!
//! `{{char}}`, `{{user}}`, `{{group}}`, `{{notChar}}`, `{{time}}`,
//! `{{date}}`, `{{weekday}}`, `{{idle_duration}}`, `{{random:a,b}}`,
//! `{{roll:2d6}}`, `{{lastMessage}}`, `{{input}}`, `{{setvar::n::v}}`,
//! `{{getvar::n}}`, `{{// comment}}` and the old `<USER>`, `<BOT>`,
//! `<CHAR>`; [`CATALOGUE`] lists them, docs/MACROS.md says what each
//! gives (a test holds the two together). Names are matched ignoring case,
//! as SillyTavern does. An unknown or malformed macro stays as written,
//! and no text, however broken, panics or takes long (`parse` pairs the
//! braces in one pass, nesting is bounded, dice are bounded).
//!
//! Three ways to expand, one evaluator (`eval`):
//! - [`expand`]: everything now (card fields, prompts, lorebook entries, the
//!   author's note, at each prompt). `{{setvar}}` writes only the
//!   variables passed in.
//! - [`resolve`]: once, when a message is sent or made. Every macro but the
//!   names and comments is evaluated, `{{setvar}}` sets the chat's
//!   variable, and the results are returned in order, to be stored in the
//!   message's `metadata.macros` ([`METADATA_KEY`]).
//! - [`replay`] / [`segments`]: a stored message, for the prompt and the
//!   window: names now (a renamed persona shows its new name), every other
//!   macro from its stored result, so each redraw shows the same roll. A
//!   macro with no stored result (a message from before Parley stored them)
//!   stays as written.
//!
//! Expansion results are values, never read again as macros or markup: a
//! name `{{roll:1d6}}` shows as written, and for display the results are
//! put into the sanitised HTML as escaped text (`display`).

pub mod chat;
pub mod dice;
pub mod display;
mod eval;
pub mod parse;
mod words;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::models::Timestamp;

pub use eval::Segment;

/// Where a message's resolved results are kept in its metadata.
pub const METADATA_KEY: &str = "macros";

/// A chat's variables (`{{setvar}}` / `{{getvar}}`), by name.
pub type Variables = BTreeMap<String, String>;

/// Every macro the module knows, as the docs' table names them.
pub const CATALOGUE: &[&str] = &[
    "{{char}}",
    "{{user}}",
    "{{group}}",
    "{{charIfNotGroup}}",
    "{{notChar}}",
    "{{time}}",
    "{{date}}",
    "{{weekday}}",
    "{{idle_duration}}",
    "{{lastMessage}}",
    "{{input}}",
    "{{random:a,b,c}}",
    "{{random::a::b}}",
    "{{roll:2d6}}",
    "{{setvar::name::value}}",
    "{{getvar::name}}",
    "{{// comment}}",
    "<USER>",
    "<BOT>",
    "<CHAR>",
];

/// The names macros stand for.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// The character who speaks (`{{char}}`).
    pub char: String,
    /// The person's persona (`{{user}}`).
    pub user: String,
    /// A group chat's members in order; empty in a one-character chat.
    pub members: Vec<String>,
}

impl Names {
    /// `{{group}}`: the members, or the character alone.
    pub fn group(&self) -> String {
        if self.members.is_empty() {
            self.char.clone()
        } else {
            self.members.join(", ")
        }
    }

    /// `{{notChar}}`: everyone but the character: the other members and
    /// the person in a group, the person alone otherwise.
    pub fn not_char(&self) -> String {
        let mut others: Vec<&str> = self
            .members
            .iter()
            .map(String::as_str)
            .filter(|m| *m != self.char)
            .collect();
        others.push(&self.user);
        others.join(", ")
    }
}

/// Everything a macro may read when it is evaluated.
#[derive(Debug, Clone)]
pub struct Context {
    pub names: Names,
    /// Local time, for `{{time}}`, `{{date}}`, `{{weekday}}`.
    pub now: DateTime<FixedOffset>,
    /// When the person's previous message was written (`{{idle_duration}}`).
    pub idle_since: Option<Timestamp>,
    /// The newest message before the one being made (`{{lastMessage}}`).
    pub last_message: String,
    /// What the person sent, as typed (`{{input}}`).
    pub input: String,
}

impl Context {
    /// A context at the local time now, with nothing but names.
    pub fn new(names: Names) -> Context {
        Context {
            names,
            now: chrono::Local::now().fixed_offset(),
            idle_since: None,
            last_message: String::new(),
            input: String::new(),
        }
    }
}

/// Whether `text` may hold a macro at all (the fast path for the rest).
pub fn has_macros(text: &str) -> bool {
    text.contains("{{") || text.contains('<')
}

/// Everything expanded now; `{{setvar}}` writes `vars`.
pub fn expand(text: &str, cx: &Context, vars: &mut Variables) -> String {
    if !has_macros(text) {
        return text.to_string();
    }
    let mut live = eval::Live::new(cx, vars);
    eval::join(text, &eval::run(text, &cx.names, &mut live))
}

/// The results to store with a message made now, in order; `{{setvar}}`
/// writes `vars` (the chat's variables) once, here.
pub fn resolve(text: &str, cx: &Context, vars: &mut Variables) -> Vec<String> {
    if !text.contains("{{") {
        return Vec::new();
    }
    let mut live = eval::Live::new(cx, vars);
    let mut record = eval::Record {
        live: &mut live,
        out: Vec::new(),
    };
    eval::run(text, &cx.names, &mut record);
    record.out
}

/// A stored message as text: names now, the rest from `values`.
pub fn replay(text: &str, names: &Names, values: &[String]) -> String {
    if !has_macros(text) {
        return text.to_string();
    }
    eval::join(text, &segments(text, names, values))
}

/// A stored message as literal runs and expansion results (for display).
pub fn segments(text: &str, names: &Names, values: &[String]) -> Vec<Segment> {
    if !has_macros(text) {
        return vec![Segment::Text(0..text.len())];
    }
    let mut replay = eval::Replay { values, next: 0 };
    eval::run(text, names, &mut replay)
}

/// The results stored in a message's metadata (none when absent).
pub fn stored(metadata: &Value) -> Vec<String> {
    metadata
        .get(METADATA_KEY)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
