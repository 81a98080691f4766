//! SillyTavern groups: the group definition file (`groups/<id>.json`) and
//! what a group chat (`group chats/<chat id>.jsonl`) says about its
//! speakers. The chat lines themselves are read by the parent module, as
//! in a one-character chat; a group chat's header, when it has one, is
//! `{chat_metadata, user_name: "unused", character_name: "unused"}` (files
//! from before SillyTavern 1.12.x have none).
//!
//! A definition names its members by their card's file name ("Alice.png",
//! SillyTavern's `avatar`), not by name. Its numbers:
//! `activation_strategy` 0 natural, 1 list, 2 manual, 3 pooled (an unknown
//! one reads as natural); `generation_mode` 0 swap (the speaker's card
//! alone), 1 append and 2 append-with-muted (every member's card).
//!
//! Pure: bytes in, values out; bounded like every other reader here.
//!
//! One piece: reading a definition and writing it back stay side by side
//! (as in the chat reader), so each field read is visibly a field written.

use serde_json::{json, Map, Value};

use super::StChat;
use crate::cards::{parse_json, FormatError, JsonOf, Limits};
use crate::models::{GroupSettings, MessageRole, TurnOrder};

/// Metadata key of an imported group chat's SillyTavern group: the
/// definition it came with (`definition`, verbatim, or null) and each
/// member's card file (`avatars`: character id to file name), which its
/// export writes back.
pub const GROUP_KEY: &str = "sillytavern_group";

/// Largest group definition taken (real ones are a few KB; its
/// `chat_metadata` and `past_metadata` may hold notes).
pub const MAX_GROUP_BYTES: usize = 16 * 1024 * 1024;
/// Most members, muted members or chats a definition may list.
pub const MAX_LIST: usize = 10_000;

/// SillyTavern's default `auto_mode_delay`, in seconds.
const DEFAULT_AUTO_DELAY: f64 = 5.0;
/// The longest auto-mode delay Parley keeps, in seconds.
const MAX_AUTO_DELAY: f64 = 3600.0;

/// A parsed group definition.
#[derive(Debug, Clone)]
pub struct StGroup {
    /// `id` (the file's stem in SillyTavern), as text.
    pub id: String,
    pub name: String,
    /// Members' card file names ("Alice.png"), in member order, each once.
    pub members: Vec<String>,
    /// Members muted (`disabled_members`).
    pub muted: Vec<String>,
    /// Its chats' file stems (`chats`, with `chat_id` first when missing).
    pub chats: Vec<String>,
    /// Turn order, join cards and auto-mode delay, mapped; the scenario is
    /// the chat's own ([`scenario_of`]).
    pub settings: GroupSettings,
    /// The whole file, verbatim, for export.
    pub fields: Map<String, Value>,
}

impl StGroup {
    pub fn is_muted(&self, avatar: &str) -> bool {
        self.muted.iter().any(|m| m == avatar)
    }

    pub fn has_chat(&self, stem: &str) -> bool {
        self.chats.iter().any(|c| c == stem)
    }
}

/// SillyTavern's `activation_strategy` number for a turn order.
pub fn strategy_number(order: TurnOrder) -> u64 {
    match order {
        TurnOrder::Natural => 0,
        TurnOrder::List => 1,
        TurnOrder::Manual => 2,
        TurnOrder::Pooled => 3,
    }
}

/// The turn order of an `activation_strategy` number.
pub fn turn_order(n: u64) -> TurnOrder {
    match n {
        1 => TurnOrder::List,
        2 => TurnOrder::Manual,
        3 => TurnOrder::Pooled,
        _ => TurnOrder::Natural,
    }
}

/// Whether bytes look like a group definition rather than a card: a JSON
/// object with `members` and a group's own keys, and none of a card's. Cheap enough for every `.json` file an import meets.
pub fn looks_like_group(bytes: &[u8]) -> bool {
    if bytes.len() > MAX_GROUP_BYTES || !bytes.trim_ascii_start().starts_with(b"{") {
        return false;
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    let card_keys = ["spec", "data", "first_mes", "char_name", "description"];
    let group_keys = [
        "activation_strategy",
        "generation_mode",
        "disabled_members",
        "chats",
        "chat_id",
    ];
    obj.contains_key("members")
        && group_keys.iter().any(|k| obj.contains_key(*k))
        && !card_keys.iter().any(|k| obj.contains_key(*k))
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list of texts (numbers taken as text, as SillyTavern's older files
/// wrote ids), each once, in order.
fn texts(obj: &Map<String, Value>, key: &str) -> Result<Vec<String>, FormatError> {
    let items = match obj.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(FormatError::new(format!("`{key}` should be a list"))
                .worded("st_group_not_list", json!({ "key": key })))
        }
    };
    if items.len() > MAX_LIST {
        let count = items.len();
        return Err(FormatError::new(format!(
            "`{key}` lists {count} entries; the limit is {MAX_LIST}"
        ))
        .worded(
            "st_group_list_too_long",
            json!({ "key": key, "count": count, "limit": MAX_LIST }),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let t = text_of(item).ok_or_else(|| {
            FormatError::new(format!("`{key}` should be a list of texts"))
                .worded("st_group_not_texts", json!({ "key": key }))
        })?;
        let t = t.trim().to_string();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// A number, or a number written as text; `None` when absent.
fn number(obj: &Map<String, Value>, key: &str) -> Result<Option<f64>, FormatError> {
    let bad = || {
        FormatError::new(format!("`{key}` should be a number"))
            .worded("st_group_not_number", json!({ "key": key }))
    };
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse::<f64>().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// Reads a group definition file.
pub fn parse_group(bytes: &[u8], limits: &Limits) -> Result<StGroup, FormatError> {
    if bytes.len() > MAX_GROUP_BYTES {
        let size = bytes.len() / (1024 * 1024);
        let limit = MAX_GROUP_BYTES / (1024 * 1024);
        return Err(FormatError::new(format!(
            "the group file is {size} MB; the limit is {limit} MB"
        ))
        .worded("st_group_too_big", json!({ "size": size, "limit": limit })));
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let Value::Object(obj) = parse_json(bytes, limits, JsonOf::GroupFile)? else {
        return Err(FormatError::new("the group file is not a JSON object")
            .worded("st_group_not_object", json!({})));
    };
    if !obj.get("members").is_some_and(Value::is_array) {
        return Err(FormatError::new(
            "the group file has no `members` list (it should name the members' card files)",
        )
        .worded("st_group_no_members", json!({})));
    }
    let id = obj
        .get("id")
        .and_then(text_of)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let name = match obj.get("name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => {
            return Err(FormatError::new("`name` should be text")
                .worded("st_group_name_not_text", json!({})))
        }
    };
    let members = texts(&obj, "members")?;
    let muted = texts(&obj, "disabled_members")?;
    let mut chats = texts(&obj, "chats")?;
    if let Some(current) = obj.get("chat_id").and_then(text_of) {
        let current = current.trim().to_string();
        if !current.is_empty() && !chats.contains(&current) {
            chats.insert(0, current);
        }
    }
    let strategy = number(&obj, "activation_strategy")?.unwrap_or(0.0);
    let mode = number(&obj, "generation_mode")?.unwrap_or(0.0);
    let delay = number(&obj, "auto_mode_delay")?.unwrap_or(DEFAULT_AUTO_DELAY);
    let settings = GroupSettings {
        turn_order: turn_order(if strategy >= 0.0 { strategy as u64 } else { 0 }),
        join_cards: mode >= 1.0,
        scenario: String::new(),
        auto_delay_secs: if delay.is_finite() {
            delay.clamp(0.0, MAX_AUTO_DELAY)
        } else {
            DEFAULT_AUTO_DELAY
        },
        ..GroupSettings::default()
    };
    Ok(StGroup {
        id,
        name,
        members,
        muted,
        chats,
        settings,
        fields: obj,
    })
}

/// The group scenario SillyTavern keeps for a chat: `chat_metadata.scenario`
/// in the chat's header, else in the definition (`chat_metadata` for its
/// current chat, `past_metadata[chat]` for the others).
pub fn scenario_of(chat: &StChat, group: Option<&StGroup>, stem: &str) -> String {
    let of = |meta: Option<&Value>| {
        meta.and_then(|m| m.get("scenario"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(s) = of(chat.header.get("chat_metadata")) {
        return s;
    }
    let Some(g) = group else {
        return String::new();
    };
    let current = g.fields.get("chat_id").and_then(text_of);
    let meta = if current.as_deref() == Some(stem) {
        g.fields.get("chat_metadata")
    } else {
        g.fields.get("past_metadata").and_then(|p| p.get(stem))
    };
    of(meta).unwrap_or_default()
}

/// Someone who speaks in a chat's assistant lines: the line's `name` and
/// `original_avatar` (the card file SillyTavern wrote it with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaker {
    pub name: String,
    pub avatar: Option<String>,
}

/// The line's speaker: its `name` and `original_avatar`, trimmed.
pub fn speaker_of(fields: &Map<String, Value>) -> Speaker {
    let get = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Speaker {
        name: get("name").unwrap_or_default(),
        avatar: get("original_avatar"),
    }
}

/// The chat's speakers (assistant lines), each once (by avatar when a line
/// has one, else by name), in order of first appearance.
pub fn speakers(chat: &StChat) -> Vec<Speaker> {
    let mut out: Vec<Speaker> = Vec::new();
    for m in chat
        .messages
        .iter()
        .filter(|m| m.role == MessageRole::Assistant)
    {
        let s = speaker_of(&m.fields);
        if s.name.is_empty() && s.avatar.is_none() {
            continue;
        }
        let seen = out.iter().any(|o| match (&o.avatar, &s.avatar) {
            (Some(a), Some(b)) => a == b,
            _ => o.name == s.name,
        });
        if !seen {
            out.push(s);
        }
    }
    out
}

/// Whether a chat with no definition beside it is a group chat: its lines
/// name two speakers or more.
pub fn is_group_chat(chat: &StChat) -> bool {
    speakers(chat).len() >= 2
}

/// A card's talkativeness (SillyTavern keeps it in the card's
/// `extensions.talkativeness`, often as text), 0..1; 0.5 when it has none.
pub fn talkativeness(extensions: &Value) -> f64 {
    let v = extensions.get("talkativeness");
    let n = match v {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() => n.clamp(0.0, 1.0),
        _ => 0.5,
    }
}

/// Where SillyTavern shows a member's picture from (a line's
/// `force_avatar`): its thumbnail of the card file.
pub fn thumbnail_url(avatar: &str) -> String {
    let file = percent_encoding::utf8_percent_encode(avatar, percent_encoding::NON_ALPHANUMERIC);
    format!("/thumbnail?type=avatar&file={file}")
}

/// The header line SillyTavern writes at the top of a group chat.
pub fn new_group_header(chat_metadata: Value) -> Value {
    json!({
        "chat_metadata": chat_metadata,
        "user_name": "unused",
        "character_name": "unused",
    })
}

/// What a group definition written for SillyTavern holds.
#[derive(Debug, Clone)]
pub struct GroupOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// Members' card file names, in member order.
    pub members: Vec<String>,
    pub muted: Vec<String>,
    /// The chat written beside it (its file's stem).
    pub chat: &'a str,
    pub settings: &'a GroupSettings,
    pub created_ms: i64,
}

/// A group definition SillyTavern reads back. The definition a chat was
/// imported with (`kept`) keeps its other fields (`avatar_url`, `fav`,
/// `hideMutedSprites`, join prefix and suffix, ...); Parley's members,
/// settings and chat replace its own.
pub fn to_group_json(g: &GroupOut<'_>, kept: Option<&Map<String, Value>>) -> Value {
    let mut obj = kept.cloned().unwrap_or_else(|| {
        let mut m = Map::new();
        m.insert("allow_self_responses".into(), json!(false));
        m.insert("avatar_url".into(), json!(""));
        m.insert("fav".into(), json!(false));
        m.insert("hideMutedSprites".into(), json!(false));
        m.insert("generation_mode_join_prefix".into(), json!(""));
        m.insert("generation_mode_join_suffix".into(), json!(""));
        m.insert("date_added".into(), json!(g.created_ms));
        m
    });
    obj.insert("id".into(), json!(g.id));
    obj.insert("name".into(), json!(g.name));
    obj.insert("members".into(), json!(g.members));
    obj.insert("disabled_members".into(), json!(g.muted));
    obj.insert(
        "activation_strategy".into(),
        json!(strategy_number(g.settings.turn_order)),
    );
    // Keep "append with muted" (2) when it was that and still joins.
    let kept_mode = obj.get("generation_mode").and_then(Value::as_u64);
    let mode = match (g.settings.join_cards, kept_mode) {
        (true, Some(2)) => 2,
        (true, _) => 1,
        (false, _) => 0,
    };
    obj.insert("generation_mode".into(), json!(mode));
    // Whole seconds as SillyTavern writes them (5, not 5.0).
    let delay = g.settings.auto_delay_secs;
    obj.insert(
        "auto_mode_delay".into(),
        if delay.fract() == 0.0 && (0.0..=MAX_AUTO_DELAY).contains(&delay) {
            json!(delay as u64)
        } else {
            json!(delay)
        },
    );
    obj.insert("chat_id".into(), json!(g.chat));
    obj.insert("chats".into(), json!([g.chat]));
    let meta = obj.entry("chat_metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    if let Some(m) = meta.as_object_mut() {
        if g.settings.scenario.is_empty() {
            m.shift_remove("scenario");
        } else {
            m.insert("scenario".into(), json!(g.settings.scenario));
        }
    }
    obj.shift_remove("past_metadata");
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::natural(0, TurnOrder::Natural)]
    #[case::list(1, TurnOrder::List)]
    #[case::manual(2, TurnOrder::Manual)]
    #[case::pooled(3, TurnOrder::Pooled)]
    #[case::unknown(9, TurnOrder::Natural)]
    fn strategies_map_both_ways(#[case] n: u64, #[case] order: TurnOrder) {
        assert_eq!(turn_order(n), order);
        if n <= 3 {
            assert_eq!(strategy_number(order), n);
        }
    }

    #[rstest]
    #[case::number(json!({"talkativeness": 0.8}), 0.8)]
    #[case::text(json!({"talkativeness": "0.25"}), 0.25)]
    #[case::missing(json!({}), 0.5)]
    #[case::garbage(json!({"talkativeness": "loud"}), 0.5)]
    #[case::too_high(json!({"talkativeness": 7}), 1.0)]
    #[case::negative(json!({"talkativeness": -1}), 0.0)]
    fn talkativeness_from_a_card(#[case] ext: Value, #[case] expected: f64) {
        assert_eq!(talkativeness(&ext), expected);
    }

    #[rstest]
    #[case::group(r#"{"id":"1","members":["a.png"],"chats":["1"]}"#, true)]
    #[case::old_group(r#"{"name":"x","members":["A"],"activation_strategy":0}"#, true)]
    #[case::card_v2(
        r#"{"spec":"chara_card_v2","data":{"name":"A"},"members":[],"chats":[]}"#,
        false
    )]
    #[case::card_v1(r#"{"name":"A","first_mes":"hi","description":""}"#, false)]
    #[case::no_members(r#"{"id":"1","chats":["1"]}"#, false)]
    #[case::not_json("members chats", false)]
    fn groups_are_told_from_cards(#[case] text: &str, #[case] group: bool) {
        assert_eq!(looks_like_group(text.as_bytes()), group);
    }

    #[test]
    fn a_definition_maps_to_settings() {
        let text = r#"{"id":1700000000000,"name":" Tavern ","members":["Alice.png","Bob.png","Alice.png"],
            "disabled_members":["Bob.png"],"activation_strategy":3,"generation_mode":2,
            "auto_mode_delay":"12","chat_id":"c2","chats":["c1"],"fav":true}"#;
        let g = parse_group(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(g.id, "1700000000000");
        assert_eq!(g.name, "Tavern");
        assert_eq!(g.members, ["Alice.png", "Bob.png"]);
        assert!(g.is_muted("Bob.png") && !g.is_muted("Alice.png"));
        assert_eq!(g.chats, ["c2", "c1"]);
        assert_eq!(g.settings.turn_order, TurnOrder::Pooled);
        assert!(g.settings.join_cards);
        assert_eq!(g.settings.auto_delay_secs, 12.0);
        assert_eq!(g.fields["fav"], json!(true));
    }

    #[rstest]
    #[case::members_not_list(r#"{"members":"Alice.png"}"#, "the group file has no `members` list")]
    #[case::member_not_text(r#"{"members":[{"a":1}]}"#, "`members` should be a list of texts")]
    #[case::strategy_not_number(
        r#"{"members":[],"activation_strategy":"often"}"#,
        "`activation_strategy` should be a number"
    )]
    #[case::name_not_text(r#"{"members":[],"name":5}"#, "`name` should be text")]
    #[case::list(r#"[1,2]"#, "the group file is not a JSON object")]
    #[case::truncated(r#"{"members":["#, "the group file is not valid JSON")]
    fn bad_definitions_are_refused_in_words(#[case] text: &str, #[case] start: &str) {
        let err = parse_group(text.as_bytes(), &Limits::default()).unwrap_err();
        assert!(err.to_string().starts_with(start), "{err}");
    }

    #[test]
    fn speakers_are_found_once_each_in_order() {
        let text = concat!(
            r#"{"chat_metadata":{"scenario":"A storm."},"user_name":"unused","character_name":"unused"}"#,
            "\n",
            r#"{"name":"Alice","is_user":false,"mes":"hi","original_avatar":"Alice.png"}"#,
            "\n",
            r#"{"name":"Alex","is_user":true,"mes":"hello"}"#,
            "\n",
            r#"{"name":"Bob","is_user":false,"mes":"yo","original_avatar":"Bob.png"}"#,
            "\n",
            r#"{"name":"Alice","is_user":false,"mes":"again","original_avatar":"Alice.png"}"#,
            "\n",
        );
        let chat = super::super::parse(text.as_bytes(), &Limits::default()).unwrap();
        let s = speakers(&chat);
        assert_eq!(
            s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["Alice", "Bob"]
        );
        assert!(is_group_chat(&chat));
        assert_eq!(scenario_of(&chat, None, "x"), "A storm.");
    }
}
