//! Card JSON in every version, to Parley's character and back.
//!
//! The card object is kept verbatim (`characters.card_json`); export starts
//! from it and overwrites only the fields Parley edits, so fields Parley does
//! not know (a V3 `assets` list, a tool's own keys, `extensions`) come back
//! out unchanged.
//!
//! One piece by design: reading a card and its worded refusals (one code
//! for each wrong field type) are one job, read together.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine};
use serde_json::{json, Map, Value};

use super::{image, parse_json, png, FormatError, JsonOf, Limits};
use crate::models::{Character, CharacterInput};

/// Which card spec a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// TavernAI's flat object (`name`, `description`, `first_mes`, ...).
    V1,
    /// `{"spec": "chara_card_v2", "data": {...}}`.
    V2,
    /// `{"spec": "chara_card_v3", "data": {...}}`.
    V3,
}

/// An avatar image and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// A card ready to be stored.
#[derive(Debug, Clone)]
pub struct ParsedCard {
    pub spec: Spec,
    pub input: CharacterInput,
    /// The card object exactly as read.
    pub card_json: Value,
    pub avatar: Option<Avatar>,
}

const V2_FIELDS: [(&str, Field); 15] = [
    ("name", Field::Name),
    ("description", Field::Description),
    ("personality", Field::Personality),
    ("scenario", Field::Scenario),
    ("first_mes", Field::FirstMessage),
    ("mes_example", Field::ExampleMessages),
    ("creator_notes", Field::CreatorNotes),
    ("system_prompt", Field::SystemPrompt),
    ("post_history_instructions", Field::PostHistory),
    ("alternate_greetings", Field::AlternateGreetings),
    ("tags", Field::Tags),
    ("creator", Field::Creator),
    ("character_version", Field::CharacterVersion),
    ("extensions", Field::Extensions),
    ("character_book", Field::CharacterBook),
];

/// The V1 fields, which V2 writers also repeat at the top level.
const V1_FIELDS: [&str; 6] = [
    "name",
    "description",
    "personality",
    "scenario",
    "first_mes",
    "mes_example",
];

#[derive(Debug, Clone, Copy)]
enum Field {
    Name,
    Description,
    Personality,
    Scenario,
    FirstMessage,
    ExampleMessages,
    CreatorNotes,
    SystemPrompt,
    PostHistory,
    AlternateGreetings,
    Tags,
    Creator,
    CharacterVersion,
    Extensions,
    CharacterBook,
}

/// Reads a card out of a PNG's `ccv3` or `chara` text chunk (`ccv3` wins
/// when both are there and it parses). The avatar is the PNG without them.
pub fn from_png(bytes: &[u8], limits: &Limits) -> Result<ParsedCard, FormatError> {
    let chunks = png::chunks(bytes, limits.max_png_chunks)?;
    png::check_dimensions(&chunks, limits)?;
    let mut chara = None;
    let mut ccv3 = None;
    // Only card chunks are inflated, within two cards' worth of text.
    let mut inflated = 0usize;
    for c in chunks.iter().filter(|c| png::is_card_chunk(c)) {
        if let Some(t) = png::text_of(c, limits)? {
            inflated += t.text.len();
            if inflated > 2 * limits.max_text_bytes {
                let limit = 2 * limits.max_text_bytes / (1024 * 1024);
                return Err(FormatError::new(format!(
                    "the PNG's card texts add up to more than {limit} MB"
                ))
                .worded("card_texts_too_big", json!({ "limit": limit })));
            }
            if t.keyword.eq_ignore_ascii_case("ccv3") {
                ccv3 = Some(t.text);
            } else if t.keyword.eq_ignore_ascii_case("chara") {
                chara = Some(t.text);
            }
        }
    }
    let avatar = Avatar {
        bytes: png::strip_card_chunks(&chunks),
        mime: "image/png",
    };
    let parse = |text: &str| -> Result<ParsedCard, FormatError> {
        let json = decode_embedded(text, limits)?;
        from_json_bytes(&json, limits, Some(avatar.clone()))
    };
    match (ccv3, chara) {
        (Some(v3), Some(v2)) => parse(&v3).or_else(|_| parse(&v2)),
        (Some(text), None) | (None, Some(text)) => parse(&text),
        (None, None) => Err(FormatError::new(
            "this PNG holds no character card (no `chara` or `ccv3` text chunk)",
        )
        .worded("card_none_in_png", json!({}))),
    }
}

/// The JSON inside a card chunk: base64 (padded or not, with or without
/// line breaks), or, from a few old tools, the JSON itself.
fn decode_embedded(text: &str, limits: &Limits) -> Result<Vec<u8>, FormatError> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        return Ok(trimmed.as_bytes().to_vec());
    }
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    let bytes = standard
        .decode(&compact)
        .or_else(|_| url_safe.decode(&compact))
        .map_err(|_| {
            FormatError::new("the card data in the PNG is not valid base64")
                .worded("card_not_base64", json!({}))
        })?;
    if bytes.len() > limits.max_text_bytes {
        return Err(
            FormatError::new("the card data is too large").worded("card_data_too_big", json!({}))
        );
    }
    Ok(bytes)
}

/// Reads a card from JSON bytes.
pub fn from_json_bytes(
    bytes: &[u8],
    limits: &Limits,
    avatar: Option<Avatar>,
) -> Result<ParsedCard, FormatError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let value = parse_json(bytes, limits, JsonOf::Card)?;
    from_value(value, avatar)
}

/// Reads a card from its JSON object.
pub fn from_value(value: Value, avatar: Option<Avatar>) -> Result<ParsedCard, FormatError> {
    let obj = value.as_object().ok_or_else(|| {
        FormatError::new("the card is not a JSON object").worded("card_not_object", json!({}))
    })?;
    let spec = match obj.get("spec") {
        Some(Value::String(s)) if s == "chara_card_v3" => Spec::V3,
        Some(Value::String(s)) if s == "chara_card_v2" => Spec::V2,
        Some(Value::String(s)) => {
            let spec: String = s.chars().take(60).collect();
            return Err(FormatError::new(format!(
                "the card says it follows `{spec}`, which Parley does not know"
            ))
            .worded("card_unknown_spec", json!({ "spec": spec })));
        }
        Some(Value::Null) | None if obj.get("data").is_some_and(Value::is_object) => Spec::V2,
        Some(Value::Null) | None => Spec::V1,
        Some(_) => {
            return Err(FormatError::new("the card's `spec` should be text")
                .worded("card_spec_not_text", json!({})))
        }
    };
    let data = match spec {
        Spec::V1 => obj,
        Spec::V2 | Spec::V3 => obj.get("data").and_then(Value::as_object).ok_or_else(|| {
            FormatError::new("the card has no `data` object").worded("card_no_data", json!({}))
        })?,
    };
    let mut input = CharacterInput::default();
    for (key, field) in V2_FIELDS {
        let value = data.get(key).or_else(|| match spec {
            Spec::V1 => v1_alias(obj, key),
            _ => None,
        });
        read_field(&mut input, key, field, value)?;
    }
    if input.name.trim().is_empty() {
        return Err(FormatError::new("the card has no name").worded("card_no_name", json!({})));
    }
    Ok(ParsedCard {
        spec,
        input,
        card_json: value,
        avatar,
    })
}

/// Pygmalion/TavernAI's older names for the V1 fields.
fn v1_alias<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let old = match key {
        "name" => "char_name",
        "personality" => "char_persona",
        "scenario" => "world_scenario",
        "first_mes" => "char_greeting",
        "mes_example" => "example_dialogue",
        _ => return None,
    };
    obj.get(old)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// What a card field should be, for [`wrong_type`].
#[derive(Debug, Clone, Copy)]
enum Want {
    Text,
    Texts,
    Object,
    List,
    Objects,
}

impl Want {
    fn said(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Texts => "a list of texts",
            Self::Object => "an object",
            Self::List => "a list",
            Self::Objects => "a list of objects",
        }
    }
}

/// "the card's `tags` should be a list of texts, not an object": worded by
/// one code for each pair of what it should be and what it is, so both
/// are said in the person's language (the field's key is a value).
fn wrong_type(key: &str, want: Want, found: &Value) -> FormatError {
    use serde_json::Value as V;
    let code = match (want, found) {
        (Want::Text, V::Bool(_)) => Some("card_text_not_bool"),
        (Want::Text, V::Number(_)) => Some("card_text_not_number"),
        (Want::Text, V::Array(_)) => Some("card_text_not_list"),
        (Want::Text, V::Object(_)) => Some("card_text_not_object"),
        (Want::Texts, V::Null) => Some("card_texts_not_null"),
        (Want::Texts, V::Bool(_)) => Some("card_texts_not_bool"),
        (Want::Texts, V::Number(_)) => Some("card_texts_not_number"),
        (Want::Texts, V::String(_)) => Some("card_texts_not_text"),
        (Want::Texts, V::Array(_)) => Some("card_texts_not_list"),
        (Want::Texts, V::Object(_)) => Some("card_texts_not_object"),
        (Want::Object, V::Bool(_)) => Some("card_object_not_bool"),
        (Want::Object, V::Number(_)) => Some("card_object_not_number"),
        (Want::Object, V::String(_)) => Some("card_object_not_text"),
        (Want::Object, V::Array(_)) => Some("card_object_not_list"),
        (Want::List, V::Null) => Some("card_list_not_null"),
        (Want::List, V::Bool(_)) => Some("card_list_not_bool"),
        (Want::List, V::Number(_)) => Some("card_list_not_number"),
        (Want::List, V::String(_)) => Some("card_list_not_text"),
        (Want::List, V::Object(_)) => Some("card_list_not_object"),
        (Want::Objects, V::Null) => Some("card_objects_not_null"),
        (Want::Objects, V::Bool(_)) => Some("card_objects_not_bool"),
        (Want::Objects, V::Number(_)) => Some("card_objects_not_number"),
        (Want::Objects, V::String(_)) => Some("card_objects_not_text"),
        (Want::Objects, V::Array(_)) => Some("card_objects_not_list"),
        // What no field is refused for being (text where text is wanted,
        // null where a field reads it as absent).
        _ => None,
    };
    let expected = want.said();
    let found = kind_of(found);
    let said = FormatError::new(format!(
        "the card's `{key}` should be {expected}, not {found}"
    ));
    match code {
        Some(code) => said.worded(code, json!({ "key": key })),
        None => said.worded(
            "card_wrong_type",
            json!({ "key": key, "expected": expected, "found": found }),
        ),
    }
}

fn read_field(
    input: &mut CharacterInput,
    key: &str,
    field: Field,
    value: Option<&Value>,
) -> Result<(), FormatError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let text = || -> Result<String, FormatError> {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| wrong_type(key, Want::Text, value))
    };
    let list = || -> Result<Vec<String>, FormatError> {
        let items = value
            .as_array()
            .ok_or_else(|| wrong_type(key, Want::Texts, value))?;
        items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| wrong_type(key, Want::Texts, i))
            })
            .collect()
    };
    match field {
        Field::Name => input.name = text()?,
        Field::Description => input.description = text()?,
        Field::Personality => input.personality = text()?,
        Field::Scenario => input.scenario = text()?,
        Field::FirstMessage => input.first_message = text()?,
        Field::ExampleMessages => input.example_messages = text()?,
        Field::CreatorNotes => input.creator_notes = text()?,
        Field::SystemPrompt => input.system_prompt = text()?,
        Field::PostHistory => input.post_history_instructions = text()?,
        Field::AlternateGreetings => input.alternate_greetings = list()?,
        Field::Tags => input.tags = list()?,
        Field::Creator => input.creator = text()?,
        Field::CharacterVersion => input.character_version = text()?,
        Field::Extensions => {
            if !value.is_object() {
                return Err(wrong_type(key, Want::Object, value));
            }
            input.extensions = Some(value.clone());
        }
        Field::CharacterBook => {
            let book = value
                .as_object()
                .ok_or_else(|| wrong_type(key, Want::Object, value))?;
            if let Some(entries) = book.get("entries") {
                let items = entries
                    .as_array()
                    .ok_or_else(|| wrong_type("character_book.entries", Want::List, entries))?;
                if let Some(bad) = items.iter().find(|e| !e.is_object()) {
                    return Err(wrong_type("character_book.entries", Want::Objects, bad));
                }
            }
            input.character_book = Some(value.clone());
        }
    }
    Ok(())
}

/// The character's values for the V2 fields.
fn field_value(c: &Character, field: Field) -> Option<Value> {
    Some(match field {
        Field::Name => json!(c.name),
        Field::Description => json!(c.description),
        Field::Personality => json!(c.personality),
        Field::Scenario => json!(c.scenario),
        Field::FirstMessage => json!(c.first_message),
        Field::ExampleMessages => json!(c.example_messages),
        Field::CreatorNotes => json!(c.creator_notes),
        Field::SystemPrompt => json!(c.system_prompt),
        Field::PostHistory => json!(c.post_history_instructions),
        Field::AlternateGreetings => json!(c.alternate_greetings.0),
        Field::Tags => json!(c.tags.0),
        Field::Creator => json!(c.creator),
        Field::CharacterVersion => json!(c.character_version),
        Field::Extensions => c.extensions.0.clone(),
        Field::CharacterBook => return c.character_book.as_ref().map(|b| b.0.clone()),
    })
}

/// The character as a V2 or V3 card object. Starts from the imported card
/// (if any) so unknown fields survive; the V1 fields at the top level are
/// refreshed where the card had them, and written on a new V2 card for
/// readers that only know V1.
pub fn to_card_json(c: &Character, card_json: Option<&Value>, spec: Spec) -> Value {
    let original = card_json.and_then(Value::as_object);
    let was_v1 = original.is_some_and(|o| !o.contains_key("spec") && !o.contains_key("data"));
    let mut top: Map<String, Value> = original.cloned().unwrap_or_default();
    let mut data: Map<String, Value> = if was_v1 {
        Map::new()
    } else {
        match top.remove("data") {
            Some(Value::Object(d)) => d,
            _ => Map::new(),
        }
    };
    for (key, field) in V2_FIELDS {
        match field_value(c, field) {
            Some(v) => {
                data.insert(key.to_string(), v);
            }
            None => {
                data.remove(key);
            }
        }
    }
    let (name, version) = match spec {
        Spec::V3 => {
            data.entry("group_only_greetings")
                .or_insert_with(|| json!([]));
            ("chara_card_v3", "3.0")
        }
        _ => ("chara_card_v2", "2.0"),
    };
    top.insert("spec".into(), json!(name));
    top.insert("spec_version".into(), json!(version));
    for key in V1_FIELDS {
        if top.contains_key(key) || (spec == Spec::V2 && original.is_none()) {
            top.insert(key.to_string(), data[key].clone());
        }
    }
    // Keep `spec`, `spec_version` first and `data` last, as writers do.
    let mut out = Map::new();
    for key in ["spec", "spec_version"] {
        if let Some(v) = top.shift_remove(key) {
            out.insert(key.into(), v);
        }
    }
    out.extend(top);
    out.insert("data".into(), Value::Object(data));
    Value::Object(out)
}

/// The character as a PNG card: its avatar (or a plain placeholder) with a
/// V2 `chara` chunk and a V3 `ccv3` chunk, both base64 JSON.
pub fn to_png(
    c: &Character,
    card_json: Option<&Value>,
    avatar: Option<&Avatar>,
) -> Result<Vec<u8>, FormatError> {
    let base = match avatar {
        Some(a) if a.mime == "image/png" => a.bytes.clone(),
        Some(a) => image::to_png(&a.bytes)?,
        None => image::placeholder_png(&c.name),
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let v2 = engine.encode(to_card_json(c, card_json, Spec::V2).to_string());
    let v3 = engine.encode(to_card_json(c, card_json, Spec::V3).to_string());
    png::with_text_chunks(&base, &[("chara", &v2), ("ccv3", &v3)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_of_the_wrong_kind_is_worded_by_what_it_should_be_and_is() {
        let err = from_value(json!({"name": "Mira", "tags": {"a": 1}}), None).unwrap_err();
        assert_eq!(
            err.message,
            "the card's `tags` should be a list of texts, not an object"
        );
        let words = *err.words.unwrap();
        assert_eq!(
            (words.code, words.values),
            ("card_texts_not_object", json!({ "key": "tags" }))
        );
    }
}
