//! SillyTavern chats (`.jsonl`): the first line is the chat's header
//! (`user_name`, `character_name`, `create_date`, `chat_metadata`), each
//! line after it one message (`name`, `is_user`, `is_system`, `send_date`,
//! `mes`, `swipes`, `swipe_id`, `swipe_info`, `extra`, ...).
//!
//! Round trips are exact: every field of a line except the ones Parley
//! stores in columns (`mes`, `swipes`, `swipe_id`, `swipe_info`) is kept in
//! the message's metadata under `sillytavern` and written back as it was.
//!
//! One piece: reading and writing the format stay side by side, so each
//! field read is visibly a field written back.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::{parse_json, FormatError, JsonOf, Limits};

mod budget;
pub mod group;
use crate::error::Words;
use crate::models::{AuthorsNote, MessageRole};
use budget::Budget;

/// Metadata key under which SillyTavern's own fields are kept: a line's
/// fields on the message (and on each of its swipes, since showing a swipe
/// copies the swipe's metadata onto the message), a header on the chat.
pub const META_KEY: &str = "sillytavern";
/// Metadata key of a swipe's own `swipe_info` entry.
pub const SWIPE_INFO_KEY: &str = "sillytavern_swipe_info";

/// A parsed chat file.
#[derive(Debug, Clone)]
pub struct StChat {
    /// The header line, verbatim (empty when the file had none).
    pub header: Map<String, Value>,
    pub messages: Vec<StMessage>,
}

impl StChat {
    /// The header's `character_name`; none when it is "unused", which
    /// SillyTavern writes in group chats and newer chats.
    pub fn character_name(&self) -> Option<&str> {
        self.header_name("character_name")
    }

    /// The header's `user_name` (none when "unused").
    pub fn user_name(&self) -> Option<&str> {
        self.header_name("user_name")
    }

    fn header_name(&self, key: &str) -> Option<&str> {
        self.header
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty() && *s != "unused")
    }
}

#[derive(Debug, Clone)]
pub struct StMessage {
    pub role: MessageRole,
    /// `mes`: the text shown.
    pub content: String,
    /// `send_date`, in any of the formats SillyTavern has written.
    pub created_at: Option<i64>,
    /// Every swipe's text (empty when the message had none).
    pub swipes: Vec<StSwipe>,
    pub active_swipe: usize,
    /// The line's other fields, verbatim.
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct StSwipe {
    pub content: String,
    /// The matching `swipe_info` entry, when the file had one.
    pub info: Option<Value>,
    pub created_at: Option<i64>,
}

/// Reads a whole chat file.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<StChat, FormatError> {
    if bytes.len() > limits.max_chat_bytes {
        let size = bytes.len() / (1024 * 1024);
        let limit = limits.max_chat_bytes / (1024 * 1024);
        return Err(FormatError::new(format!(
            "the chat file is {size} MB; the limit is {limit} MB"
        ))
        .worded("st_chat_too_big", json!({ "size": size, "limit": limit })));
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_ascii()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let Some((&(first_no, first), rest)) = lines.split_first() else {
        return Err(FormatError::new("the chat file is empty").worded("st_chat_empty", json!({})));
    };
    let budget = Budget::new(bytes.len(), limits);
    let first_obj = object(first_no, first, limits)?;
    let (header, first_message) = if first_obj.contains_key("mes") {
        (
            Map::new(),
            Some(budget.message(first_no, first, first_obj, limits)?),
        )
    } else {
        (first_obj, None)
    };
    // Lines parse independently: big chats use every core.
    let parse_all = |part: &[(usize, &[u8])]| -> Result<Vec<StMessage>, FormatError> {
        part.iter()
            .map(|&(no, line)| budget.message(no, line, object(no, line, limits)?, limits))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let parts: Vec<Vec<StMessage>> = if rest.len() < 2000 || threads < 2 {
        vec![parse_all(rest)?]
    } else {
        let size = rest.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = rest
                .chunks(size)
                .map(|part| scope.spawn(move || parse_all(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(FormatError::new("the chat could not be read")
                            .worded("st_chat_unreadable", json!({})))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })?
    };
    let mut messages = Vec::with_capacity(rest.len() + 1);
    messages.extend(first_message);
    for part in parts {
        messages.extend(part);
    }
    Ok(StChat { header, messages })
}

/// A line's refusal, said with its number: "line 3: `mes` should be text".
/// Every refusal of a line comes through here and keeps its code, with the
/// line as a value (`line`): the words of those codes start with the line.
fn at(line: usize, e: FormatError) -> FormatError {
    let said = FormatError::new(format!("line {line}: {}", e.message));
    match e.words {
        Some(words) => {
            let Words { code, mut values } = *words;
            if let Some(map) = values.as_object_mut() {
                map.insert("line".into(), json!(line));
            }
            said.worded(code, values)
        }
        None => said.worded("st_chat_line", json!({ "line": line, "reason": e.message })),
    }
}

/// One line as a JSON object.
fn object(no: usize, line: &[u8], limits: &Limits) -> Result<Map<String, Value>, FormatError> {
    if line.len() > limits.max_line_bytes {
        let size = line.len() / (1024 * 1024);
        let limit = limits.max_line_bytes / (1024 * 1024);
        return Err(at(
            no,
            FormatError::new(format!("the line is {size} MB; the limit is {limit} MB")).worded(
                "st_chat_line_too_big",
                json!({ "size": size, "limit": limit }),
            ),
        ));
    }
    match parse_json(line, limits, JsonOf::Line).map_err(|e| at(no, e))? {
        Value::Object(obj) => Ok(obj),
        _ => Err(at(
            no,
            FormatError::new("the line is not a JSON object")
                .worded("st_chat_line_not_object", json!({})),
        )),
    }
}

fn flag(obj: &Map<String, Value>, key: &str) -> Result<bool, FormatError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(FormatError::new(format!("`{key}` should be true or false"))
            .worded("st_chat_not_true_false", json!({ "key": key }))),
    }
}

fn message(mut obj: Map<String, Value>) -> Result<StMessage, FormatError> {
    let role = if flag(&obj, "is_user")? {
        MessageRole::User
    } else if flag(&obj, "is_system")? {
        MessageRole::System
    } else {
        MessageRole::Assistant
    };
    let content = match obj.shift_remove("mes") {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            return Err(
                FormatError::new("`mes` should be text").worded("st_chat_mes_not_text", json!({}))
            )
        }
    };
    let created_at = obj.get("send_date").and_then(parse_date);
    let not_texts = || {
        FormatError::new("`swipes` should be a list of texts")
            .worded("st_chat_swipes_not_texts", json!({}))
    };
    let texts = match obj.shift_remove("swipes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                Value::Null => Ok(String::new()),
                _ => Err(not_texts()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(not_texts()),
    };
    let infos = match obj.shift_remove("swipe_info") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(FormatError::new("`swipe_info` should be a list")
                .worded("st_chat_swipe_info_not_list", json!({})))
        }
    };
    let swipe_id = match obj.shift_remove("swipe_id") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_u64().ok_or_else(|| {
            FormatError::new("`swipe_id` should be a whole number")
                .worded("st_chat_swipe_id_not_whole", json!({}))
        })? as usize,
    };
    let mut infos = infos.into_iter();
    let swipes: Vec<StSwipe> = texts
        .into_iter()
        .map(|content| {
            let info = infos.next();
            let created_at = info
                .as_ref()
                .and_then(|i| i.get("send_date"))
                .and_then(parse_date)
                .or(created_at);
            StSwipe {
                content,
                info,
                created_at,
            }
        })
        .collect();
    if !swipes.is_empty() && swipe_id >= swipes.len() {
        let count = swipes.len();
        return Err(FormatError::new(format!(
            "`swipe_id` is {swipe_id} but the message has {count} swipes"
        ))
        .worded(
            "st_chat_swipe_id_too_high",
            json!({ "swipe_id": swipe_id, "count": count }),
        ));
    }
    Ok(StMessage {
        role,
        content,
        created_at,
        swipes,
        active_swipe: swipe_id,
        fields: obj,
    })
}

/// A `send_date` in any format SillyTavern has written, as UTC milliseconds:
/// epoch milliseconds (number or text), ISO 8601, "September 3, 2023
/// 3:12pm", and "2023-9-3 @15h 12m 0s 123ms" / "2023-9-3@15h12m0s". Dates
/// without a zone are the machine's local time, as SillyTavern wrote them.
pub fn parse_date(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_f64().map(epoch_ms),
        Value::String(s) => parse_date_text(s.trim()),
        _ => None,
    }
}

fn epoch_ms(n: f64) -> i64 {
    // Before 1973 in milliseconds is after 5000 in seconds: tell them apart.
    if n.abs() < 1e11 {
        (n * 1000.0) as i64
    } else {
        n as i64
    }
}

fn parse_date_text(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<f64>() {
        return Some(epoch_ms(n));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%B %d, %Y %I:%M%p",
        "%B %d, %Y %I:%M %p",
        "%b %d, %Y %I:%M%p",
        "%B %d, %Y %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return local_ms(naive);
        }
    }
    humanized(s)
}

/// "2023-9-3 @15h 12m 0s 123ms" and "2023-9-3@15h12m0s".
fn humanized(s: &str) -> Option<i64> {
    if !s.contains('@') {
        return None;
    }
    let nums: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [y, mo, d, h, mi, rest @ ..] = nums.as_slice() else {
        return None;
    };
    let sec = rest.first().copied().unwrap_or(0);
    let ms = rest.get(1).copied().unwrap_or(0);
    let naive = NaiveDate::from_ymd_opt(*y as i32, *mo, *d)?.and_hms_milli_opt(*h, *mi, sec, ms)?;
    local_ms(naive)
}

fn local_ms(naive: NaiveDateTime) -> Option<i64> {
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|d| d.timestamp_millis())
}

/// How SillyTavern names a new chat file: "Mira - 2026-11-23@14h05m09s".
pub fn file_stem(character_name: &str, created_ms: i64) -> String {
    let local = Local.timestamp_millis_opt(created_ms).single();
    let when = local.map_or_else(String::new, |d| d.format("%Y-%m-%d@%Hh%Mm%Ss").to_string());
    format!("{character_name} - {when}")
}

/// An ISO 8601 date, which SillyTavern reads back.
pub fn format_date(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What a Parley message needs to become a line.
#[derive(Debug, Clone)]
pub struct LineSource<'a> {
    pub role: MessageRole,
    pub content: &'a str,
    pub created_at: i64,
    /// The message's metadata (its `sillytavern` part is reused).
    pub metadata: &'a Value,
    /// Swipes in order: text, metadata.
    pub swipes: Vec<(&'a str, &'a Value)>,
    pub active_swipe: usize,
    /// The speaker's name for messages Parley wrote.
    pub name: &'a str,
    /// The speaker's card file in a group chat ("Alice.png"), written as
    /// `original_avatar` on messages Parley wrote.
    pub avatar: Option<&'a str>,
}

/// One message as a SillyTavern line.
pub fn to_line(src: &LineSource<'_>) -> Value {
    let mut line = match src.metadata.get(META_KEY) {
        Some(Value::Object(fields)) => fields.clone(),
        _ => {
            let mut m = Map::new();
            m.insert("name".into(), json!(src.name));
            m.insert("is_user".into(), json!(src.role == MessageRole::User));
            m.insert("is_system".into(), json!(src.role == MessageRole::System));
            m.insert("send_date".into(), json!(format_date(src.created_at)));
            m.insert("extra".into(), json!({}));
            if let Some(avatar) = src.avatar {
                m.insert("original_avatar".into(), json!(avatar));
                m.insert("force_avatar".into(), json!(group::thumbnail_url(avatar)));
            }
            m
        }
    };
    line.insert("mes".into(), json!(src.content));
    if !src.swipes.is_empty() {
        line.insert("swipe_id".into(), json!(src.active_swipe));
        line.insert(
            "swipes".into(),
            Value::Array(src.swipes.iter().map(|(t, _)| json!(t)).collect()),
        );
        let infos: Vec<Option<&Value>> = src
            .swipes
            .iter()
            .map(|(_, m)| m.get(SWIPE_INFO_KEY))
            .collect();
        if infos.iter().any(Option::is_some) {
            line.insert(
                "swipe_info".into(),
                Value::Array(
                    infos
                        .into_iter()
                        .map(|i| i.cloned().unwrap_or_else(|| json!({})))
                        .collect(),
                ),
            );
        }
    }
    Value::Object(line)
}

/// The author's note in a header's `chat_metadata` (`note_prompt`,
/// `note_interval`, `note_depth`, `note_role` 0/1/2 = system/user/
/// assistant); `None` when it has none. SillyTavern's `note_position`
/// other than "in chat" is placed in chat at the depth too.
pub fn authors_note(header: &Map<String, Value>) -> Option<AuthorsNote> {
    let meta = header.get("chat_metadata")?.as_object()?;
    let text = meta.get("note_prompt")?.as_str()?.to_string();
    let int = |key: &str, default: i64| {
        meta.get(key)
            .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
            .map_or(default, |n| n.clamp(0, 10_000))
    };
    let d = AuthorsNote::default();
    Some(AuthorsNote {
        text,
        depth: int("note_depth", d.depth),
        frequency: int("note_interval", d.frequency),
        role: match int("note_role", 0) {
            1 => MessageRole::User,
            2 => MessageRole::Assistant,
            _ => MessageRole::System,
        },
    })
}

/// Writes the author's note into a header's `chat_metadata`, "in chat" at
/// its depth (`note_position` 1 unless the header had one), as SillyTavern
/// reads it. A header that already says this note (an imported chat whose
/// note was not changed), or a chat with no note text whose header never
/// had one, is left as it was: such chats export line for line.
pub fn set_authors_note(header: &mut Value, note: &AuthorsNote) {
    let said = header.as_object().and_then(authors_note);
    if said.as_ref() == Some(note) || (said.is_none() && note.text.is_empty()) {
        return;
    }
    let Some(h) = header.as_object_mut() else {
        return;
    };
    let meta = h.entry("chat_metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    if let Some(m) = meta.as_object_mut() {
        m.insert("note_prompt".into(), json!(note.text));
        m.insert("note_interval".into(), json!(note.frequency));
        m.insert("note_depth".into(), json!(note.depth));
        m.entry("note_position").or_insert(json!(1));
        let role = match note.role {
            MessageRole::System => 0,
            MessageRole::User => 1,
            MessageRole::Assistant => 2,
        };
        m.insert("note_role".into(), json!(role));
    }
}

/// The header line for a chat Parley made (or one whose header was lost).
pub fn new_header(user_name: &str, character_name: &str, created_ms: i64) -> Value {
    json!({
        "user_name": user_name,
        "character_name": character_name,
        "create_date": format_date(created_ms),
        "chat_metadata": {},
    })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> i64 {
        local_ms(
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_milli_opt(h, mi, s, ms)
                .unwrap(),
        )
        .unwrap()
    }

    #[rstest]
    #[case::iso(json!("2023-09-03T15:12:07.250Z"), utc("2023-09-03T15:12:07.250Z"))]
    #[case::epoch_ms(json!(1693753927250i64), 1693753927250)]
    #[case::epoch_text(json!("1693753927250"), 1693753927250)]
    #[case::humanized_long(json!("September 3, 2023 3:12pm"), local(2023, 9, 3, 15, 12, 0, 0))]
    #[case::humanized_am(json!("January 15, 2024 9:05 AM"), local(2024, 1, 15, 9, 5, 0, 0))]
    #[case::file_style(json!("2023-9-3 @15h 12m 7s 250ms"), local(2023, 9, 3, 15, 12, 7, 250))]
    #[case::file_style_compact(json!("2023-9-3@15h12m7s"), local(2023, 9, 3, 15, 12, 7, 0))]
    fn dates_in_every_format(#[case] v: Value, #[case] expected: i64) {
        assert_eq!(parse_date(&v), Some(expected));
    }

    #[test]
    fn unreadable_dates_are_none() {
        assert_eq!(parse_date(&json!("yesterday-ish")), None);
        assert_eq!(parse_date(&json!(true)), None);
    }

    #[test]
    fn lines_keep_their_own_fields() {
        let text = concat!(
            r#"{"user_name":"Alex","character_name":"Mira","create_date":"2023-9-3@15h12m0s","chat_metadata":{"note":"x"}}"#,
            "\n",
            r#"{"name":"Mira","is_user":false,"is_system":false,"send_date":"2023-09-03T15:12:00.000Z","mes":"b","swipes":["a","b"],"swipe_id":1,"swipe_info":[{"send_date":"2023-09-03T15:12:00.000Z"},{"send_date":"2023-09-03T15:13:00.000Z"}],"extra":{"api":"openai"},"gen_started":"x"}"#,
            "\n\n",
        );
        let chat = parse(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(chat.character_name(), Some("Mira"));
        let m = &chat.messages[0];
        assert_eq!(
            (m.content.as_str(), m.active_swipe, m.swipes.len()),
            ("b", 1, 2)
        );
        assert_eq!(m.swipes[1].created_at, Some(utc("2023-09-03T15:13:00Z")));
        assert_eq!(m.fields["extra"], json!({"api": "openai"}));
        assert!(!m.fields.contains_key("mes"));
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let text = "{\"user_name\":\"A\"}\n{\"mes\":\"ok\"}\n{\"mes\": 5}\n";
        let err = parse(text.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(err.to_string(), "line 3: `mes` should be text");
        let words = err.words.unwrap();
        assert_eq!(words.code, "st_chat_mes_not_text");
        assert_eq!(words.values, json!({ "line": 3 }));
        let err = parse(b"{\"user_name\":\"A\"}\nnot json\n", &Limits::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2: the line is not valid JSON"),
            "{err}"
        );
    }
}
