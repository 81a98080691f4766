//! Field checks shared by the services. Each returns a `Validation` error
//! that names the field (snake_case, as the UI maps it to an input).

use serde_json::json;

use crate::error::{AppError, Result};
use crate::models::SamplingParams;

/// Longest name of anything: 200 characters.
pub const NAME_MAX: usize = 200;
/// Longest chat title.
pub const TITLE_MAX: usize = 500;
/// Longest card text field (description, scenario, ...): 1 MB.
pub const CARD_TEXT_MAX_BYTES: usize = 1024 * 1024;
/// Longest message: 1,000,000 characters.
pub const MESSAGE_MAX_CHARS: usize = 1_000_000;

/// Whether `c` is a bidirectional control: it can reorder the text around
/// it (a name that flips the line it is shown in).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` is invisible and has no job in a name: zero-width space, word
/// joiner, byte-order mark (a name that looks empty, or like another).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// A name or title without what could reorder or hide the interface around
/// it: bidirectional controls, zero-width spaces and joiners, control
/// characters. The zero-width (non-)joiner (U+200C, U+200D) stays between
/// two visible characters, where emoji (👩‍💻) and scripts such as Persian
/// and Devanagari need it, and goes elsewhere.
pub fn clean_label(value: &str) -> String {
    let chars: Vec<char> = value
        .chars()
        .filter(|&c| !is_bidi_control(c) && !is_invisible(c) && !c.is_control())
        .collect();
    let joiner = |c: char| matches!(c, '\u{200C}' | '\u{200D}');
    let visible = |c: Option<&char>| c.is_some_and(|&c| !joiner(c) && !c.is_whitespace());
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            !joiner(c) || (i > 0 && visible(chars.get(i - 1)) && visible(chars.get(i + 1)))
        })
        .map(|(_, &c)| c)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A trimmed name of 1 to 200 characters, cleaned by [`clean_label`].
pub fn name(field: &str, value: &str) -> Result<String> {
    let cleaned = clean_label(value);
    let v = cleaned.as_str();
    if v.is_empty() {
        return Err(
            AppError::validation(field, format!("{} is required", label(field)))
                .worded("required", json!({ "field": field, "label": label(field) })),
        );
    }
    let n = v.chars().count();
    if n > NAME_MAX {
        return Err(AppError::validation(
            field,
            format!(
                "{} is {n} characters long; the limit is {NAME_MAX}",
                label(field)
            ),
        )
        .worded("too_long", too_long(field, n, NAME_MAX)));
    }
    Ok(v.to_string())
}

/// A title of at most 500 characters (may be empty), cleaned by
/// [`clean_label`].
pub fn title(field: &str, value: &str) -> Result<String> {
    let cleaned = clean_label(value);
    let v = cleaned.as_str();
    let n = v.chars().count();
    if n > TITLE_MAX {
        return Err(AppError::validation(
            field,
            format!(
                "{} is {n} characters long; the limit is {TITLE_MAX}",
                label(field)
            ),
        )
        .worded("too_long", too_long(field, n, TITLE_MAX)));
    }
    Ok(v.to_string())
}

/// A long text of at most 1 MB.
pub fn card_text(field: &str, value: &str) -> Result<()> {
    if value.len() > CARD_TEXT_MAX_BYTES {
        return Err(AppError::validation(
            field,
            format!(
                "{} is {} KB; the limit is {} KB",
                label(field),
                value.len() / 1024,
                CARD_TEXT_MAX_BYTES / 1024
            ),
        )
        .worded(
            "too_big",
            json!({ "field": field, "label": label(field), "kb": value.len() / 1024, "limit": CARD_TEXT_MAX_BYTES / 1024 }),
        ));
    }
    Ok(())
}

/// Message text: at most 1,000,000 characters, and not blank when `required`.
pub fn message_content(value: &str, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(
            AppError::validation("content", "the message is empty; write something first")
                .worded("message_empty", json!({})),
        );
    }
    let n = value.chars().count();
    if n > MESSAGE_MAX_CHARS {
        return Err(AppError::validation(
            "content",
            format!("the message is {n} characters long; the limit is {MESSAGE_MAX_CHARS}"),
        )
        .worded(
            "message_too_long",
            json!({ "length": n, "limit": MESSAGE_MAX_CHARS }),
        ));
    }
    Ok(())
}

/// An `http` or `https` URL; returns it without a trailing slash.
pub fn http_url(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let parsed = reqwest::Url::parse(v).map_err(|e| {
        AppError::validation(
            field,
            format!("\"{v}\" is not a valid URL ({e}); use a full address like http://localhost:11434/v1"),
        )
        .worded("url_invalid", json!({ "value": v, "reason": e.to_string() }))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(AppError::validation(
            field,
            format!("\"{v}\" must start with http:// or https:// and name a host"),
        )
        .worded("url_scheme", json!({ "value": v })));
    }
    Ok(v.trim_end_matches('/').to_string())
}

/// An integer in `min..=max`.
pub fn int_range(field: &str, value: i64, min: i64, max: i64) -> Result<i64> {
    if value < min || value > max {
        return Err(AppError::validation(
            field,
            format!(
                "{} must be between {min} and {max}; it is {value}",
                label(field)
            ),
        )
        .worded("out_of_range", json!({ "field": field, "label": label(field), "min": min, "max": max, "value": value })));
    }
    Ok(value)
}

/// An optional number in `min..=max` (`None` means "provider default").
pub fn opt_range(field: &str, value: Option<f64>, min: f64, max: f64) -> Result<Option<f64>> {
    match value {
        Some(v) if !v.is_finite() || v < min || v > max => Err(AppError::validation(
            field,
            format!(
                "{} must be between {min} and {max}; it is {v}",
                label(field)
            ),
        )
        .worded(
            "out_of_range",
            json!({ "field": field, "label": label(field), "min": min, "max": max, "value": v }),
        )),
        other => Ok(other),
    }
}

/// Context length in tokens, wherever it is set (model, chat, Settings).
pub const CONTEXT_LENGTH: (i64, i64) = (256, 10_000_000);
/// Longest reply in tokens, wherever it is set (model, chat, Settings).
pub const MAX_OUTPUT_TOKENS: (i64, i64) = (1, 1_000_000);

/// An optional context length and max output tokens in their ranges
/// (`None` inherits).
pub fn limits(context_length: Option<i64>, max_output_tokens: Option<i64>) -> Result<()> {
    if let Some(v) = context_length {
        int_range("context_length", v, CONTEXT_LENGTH.0, CONTEXT_LENGTH.1)?;
    }
    if let Some(v) = max_output_tokens {
        int_range(
            "max_output_tokens",
            v,
            MAX_OUTPUT_TOKENS.0,
            MAX_OUTPUT_TOKENS.1,
        )?;
    }
    Ok(())
}

/// A reply must leave room for the prompt: max output tokens below the
/// context length. `whose` says where the two values come from, for the
/// message ("this model with Settings").
pub fn output_fits(max_output_tokens: i64, context_length: i64, whose: &str) -> Result<()> {
    if max_output_tokens >= context_length {
        return Err(AppError::validation(
            "max_output_tokens",
            format!(
                "max output tokens ({max_output_tokens}) must be smaller than the context \
                 length ({context_length}) for {whose}"
            ),
        )
        .worded(
            "output_over_context",
            json!({ "max": max_output_tokens, "context": context_length }),
        ));
    }
    Ok(())
}

/// Sampling parameters in their documented ranges (the same for a model and
/// a chat's overrides; `None` inherits).
pub fn sampling(p: &SamplingParams) -> Result<()> {
    opt_range("temperature", p.temperature, 0.0, 2.0)?;
    opt_range("top_p", p.top_p, 0.0, 1.0)?;
    opt_range("min_p", p.min_p, 0.0, 1.0)?;
    opt_range("frequency_penalty", p.frequency_penalty, -2.0, 2.0)?;
    opt_range("presence_penalty", p.presence_penalty, -2.0, 2.0)?;
    opt_range("repetition_penalty", p.repetition_penalty, 0.0, 10.0)?;
    if let Some(k) = p.top_k {
        int_range("top_k", k, 0, 100_000)?;
    }
    if let Some(seed) = p.seed {
        int_range("seed", seed, 0, i64::from(u32::MAX))?;
    }
    Ok(())
}

/// Trimmed, non-empty, de-duplicated tags of at most 100 characters each.
pub fn tags(values: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in values {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > 100 {
            return Err(AppError::validation(
                "tags",
                format!("the tag \"{t}\" is longer than 100 characters"),
            )
            .worded("tag_too_long", json!({ "tag": t, "limit": 100 })));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
            out.push(t.to_string());
        }
    }
    if out.len() > 200 {
        return Err(
            AppError::validation("tags", "a character can have at most 200 tags")
                .worded("too_many_tags", json!({ "limit": 200 })),
        );
    }
    Ok(out)
}

/// "first_message" -> "first message", for messages.
fn label(field: &str) -> String {
    field.replace('_', " ")
}

/// The values of a "too long" error.
fn too_long(field: &str, length: usize, limit: usize) -> serde_json::Value {
    json!({ "field": field, "label": label(field), "length": length, "limit": limit })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::plain("Luna", Ok("Luna"))]
    #[case::trimmed("  Luna  ", Ok("Luna"))]
    #[case::empty("", Err("name is required"))]
    #[case::blank("   ", Err("name is required"))]
    #[case::too_long(&"x".repeat(201), Err("name is 201 characters long; the limit is 200"))]
    #[case::limit_in_chars_not_bytes(&"é".repeat(200), Ok(&*"é".repeat(200)))]
    #[case::bidi_override("Mira\u{202E}gnp.exe", Ok("Miragnp.exe"))]
    #[case::bidi_isolates("\u{2067}Mira\u{2069} \u{200F}\u{061C}", Ok("Mira"))]
    #[case::zero_width("Mi\u{200B}ra\u{FEFF}\u{2060}", Ok("Mira"))]
    #[case::only_invisible("\u{200B}\u{200D}\u{202E}", Err("name is required"))]
    #[case::emoji_joiner_kept("Ada 👩\u{200D}💻", Ok("Ada 👩\u{200D}💻"))]
    #[case::persian_non_joiner_kept("می\u{200C}خواهم", Ok("می\u{200C}خواهم"))]
    #[case::stray_joiners_go("\u{200D}Mira \u{200C}", Ok("Mira"))]
    #[case::control_characters("Mi\u{0}ra\n", Ok("Mira"))]
    fn names(#[case] input: &str, #[case] expected: Result<&str, &str>) {
        let got = name("name", input).map_err(|e| e.to_string());
        assert_eq!(got, expected.map(str::to_string).map_err(str::to_string));
    }

    #[test]
    fn titles_lose_what_could_reorder_the_interface() {
        assert_eq!(
            title("title", "\u{202E}Evening\u{200B} walk\u{2066}").unwrap(),
            "Evening walk"
        );
    }

    #[rstest]
    #[case::local("http://localhost:11434/v1/", Ok("http://localhost:11434/v1"))]
    #[case::https("https://openrouter.ai/api/v1", Ok("https://openrouter.ai/api/v1"))]
    #[case::no_scheme("localhost:1234", Err(()))]
    #[case::ftp("ftp://example.com", Err(()))]
    #[case::garbage("not a url", Err(()))]
    fn urls(#[case] input: &str, #[case] expected: Result<&str, ()>) {
        let got = http_url("base_url", input).map_err(|_| ());
        assert_eq!(got, expected.map(str::to_string));
    }

    #[test]
    fn tags_are_trimmed_and_deduplicated() {
        let got = tags(&[
            " fantasy ".into(),
            "".into(),
            "Fantasy".into(),
            "sci-fi".into(),
        ])
        .unwrap();
        assert_eq!(got, vec!["fantasy".to_string(), "sci-fi".to_string()]);
    }

    #[test]
    fn blank_user_message_is_refused_but_blank_reply_is_not() {
        assert!(message_content("  \n", true).is_err());
        assert!(message_content("", false).is_ok());
    }
}
