//! Character cards (V1, V2, V3) and SillyTavern chats: parsing files into
//! what Parley stores, and writing them back out.
//!
//! Everything here is pure: bytes in, values out, no database. Every read
//! is bounded by [`Limits`], and every refusal is a [`FormatError`] whose
//! text says what is wrong with the file in words, with the code and values
//! the window words it by in the person's language (`error.<code>`).
//!
//! Specs followed: Character Card V2
//! (<https://github.com/malfoyslastname/character-card-spec-v2>), V3
//! (<https://github.com/kwaroran/character-card-spec-v3>), SillyTavern's
//! chat `.jsonl` and group definitions.

pub mod card;
pub mod charx;
pub mod image;
pub mod png;
pub mod sillytavern;

use serde_json::{json, Value};

pub use card::{ParsedCard, Spec};

/// A file Parley will not take, and why: in English, and by the code and
/// values the window words it by (error.rs [`Cause`](crate::error::Cause)).
pub type FormatError = crate::error::Cause;

/// Bounds on what a file may make Parley read or allocate.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest card file taken at all.
    pub max_file_bytes: usize,
    /// Largest chat file (a long SillyTavern chat is hundreds of MB).
    pub max_chat_bytes: usize,
    /// Largest card text after decompression and base64.
    pub max_text_bytes: usize,
    /// Deepest JSON nesting in a card.
    pub max_json_depth: usize,
    /// Widest or tallest avatar image.
    pub max_image_side: u32,
    /// Most entries in a CHARX archive.
    pub max_archive_entries: usize,
    /// Most chunks in a PNG (a large image has a few thousand `IDAT`s).
    pub max_png_chunks: usize,
    /// Longest line of a SillyTavern chat (a message with all its swipes).
    pub max_line_bytes: usize,
    /// Most swipes on one message.
    pub max_swipes: usize,
    /// What a chat may cost once stored, per byte of the file, plus
    /// [`Limits::stored_allowance`]: each message and swipe is a row, and
    /// each swipe repeats its line's other fields, so a short line with a
    /// large field and many swipes would otherwise grow without bound.
    pub stored_per_byte: usize,
    pub stored_allowance: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_chat_bytes: 512 * 1024 * 1024,
            max_text_bytes: 16 * 1024 * 1024,
            max_json_depth: 64,
            max_image_side: 8192,
            max_archive_entries: 2000,
            max_png_chunks: 65_536,
            max_line_bytes: 32 * 1024 * 1024,
            max_swipes: 2000,
            stored_per_byte: 16,
            stored_allowance: 64 * 1024 * 1024,
        }
    }
}

/// What a JSON text read here is: its refusals name it, each with codes of
/// its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonOf {
    Card,
    /// A SillyTavern group definition.
    GroupFile,
    /// A line of a SillyTavern chat (its refusals gain `line` in `at`).
    Line,
}

impl JsonOf {
    fn name(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::GroupFile => "group file",
            Self::Line => "line",
        }
    }

    /// The codes of "not valid JSON" and "nests too deep".
    fn codes(self) -> (&'static str, &'static str) {
        match self {
            Self::Card => ("card_json_invalid", "card_json_too_deep"),
            Self::GroupFile => ("st_group_json_invalid", "st_group_json_too_deep"),
            Self::Line => ("st_chat_line_json_invalid", "st_chat_line_json_too_deep"),
        }
    }
}

/// Parses JSON no deeper than the limit (serde_json stops at 128 levels on
/// its own; cards never need more than a handful).
pub fn parse_json(bytes: &[u8], limits: &Limits, what: JsonOf) -> Result<Value, FormatError> {
    let (invalid, deep) = what.codes();
    let name = what.name();
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let reason = first_line(&text);
        FormatError::new(format!("the {name} is not valid JSON ({reason})"))
            .worded(invalid, json!({ "reason": reason }))
    })?;
    let depth = json_depth(&value);
    if depth > limits.max_json_depth {
        let limit = limits.max_json_depth;
        return Err(FormatError::new(format!(
            "the {name} nests {depth} levels deep; the limit is {limit}"
        ))
        .worded(deep, json!({ "depth": depth, "limit": limit })));
    }
    Ok(value)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn json_depth(v: &Value) -> usize {
    // Iterative, so a deep value cannot overflow the stack here either.
    let mut deepest = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// What kind of file bytes are, by content first and name second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    PngCard,
    JsonCard,
    Charx,
    SillyTavernChat,
    /// A SillyTavern group definition (`groups/<id>.json`).
    SillyTavernGroup,
}

impl FileKind {
    pub fn detect(file_name: &str, bytes: &[u8]) -> Result<Self, FormatError> {
        let lower = file_name.to_ascii_lowercase();
        if png::is_png(bytes) {
            Ok(Self::PngCard)
        } else if bytes.starts_with(b"PK") || lower.ends_with(".charx") {
            Ok(Self::Charx)
        } else if lower.ends_with(".jsonl") {
            Ok(Self::SillyTavernChat)
        } else if sillytavern::group::looks_like_group(bytes) {
            Ok(Self::SillyTavernGroup)
        } else if lower.ends_with(".json") || bytes.trim_ascii_start().starts_with(b"{") {
            Ok(Self::JsonCard)
        } else {
            Err(FormatError::new(
                "Parley does not know this kind of file (it takes .png, .json and .charx cards \
                 and SillyTavern .jsonl chats and group .json files)",
            )
            .worded("card_unknown_kind", json!({})))
        }
    }

    /// Whether a path's name looks like something Parley imports.
    pub fn wanted(file_name: &str) -> bool {
        let lower = file_name.to_ascii_lowercase();
        [".png", ".json", ".charx", ".jsonl"]
            .iter()
            .any(|ext| lower.ends_with(ext))
    }
}

/// Parses a card file of any kind Parley takes.
pub fn parse_card(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<ParsedCard, FormatError> {
    if bytes.len() > limits.max_file_bytes {
        let size = bytes.len() / (1024 * 1024);
        let limit = limits.max_file_bytes / (1024 * 1024);
        return Err(
            FormatError::new(format!("the file is {size} MB; the limit is {limit} MB"))
                .worded("card_file_too_big", json!({ "size": size, "limit": limit })),
        );
    }
    match FileKind::detect(file_name, bytes)? {
        FileKind::PngCard => card::from_png(bytes, limits),
        FileKind::Charx => charx::read(bytes, limits),
        FileKind::JsonCard => card::from_json_bytes(bytes, limits, None),
        FileKind::SillyTavernChat => Err(FormatError::new(
            "this is a SillyTavern chat, not a character card",
        )
        .worded("card_is_st_chat", json!({}))),
        FileKind::SillyTavernGroup => Err(FormatError::new(
            "this is a SillyTavern group, not a character card",
        )
        .worded("card_is_st_group", json!({}))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_json_is_refused_with_its_depth() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let err = parse_json(deep.as_bytes(), &Limits::default(), JsonOf::Card).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the card nests 100 levels deep; the limit is 64"
        );
        let words = err.words.unwrap();
        assert_eq!(words.code, "card_json_too_deep");
        assert_eq!(words.values, json!({ "depth": 100, "limit": 64 }));
    }

    #[test]
    fn kinds_are_told_by_content_then_name() {
        assert_eq!(
            FileKind::detect("x.json", b"\x89PNG\r\n\x1a\n").unwrap(),
            FileKind::PngCard
        );
        assert_eq!(
            FileKind::detect("chat.jsonl", b"{}").unwrap(),
            FileKind::SillyTavernChat
        );
        assert_eq!(
            FileKind::detect("a.card", b"  {\"a\":1}").unwrap(),
            FileKind::JsonCard
        );
        assert!(FileKind::detect("notes.txt", b"hello").is_err());
    }
}
