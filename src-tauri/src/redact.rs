//! The one redaction of key-shaped text, applied before text can reach the
//! database, the log or the window: provider errors (`ai::errors`) go
//! through it when they are made, and every log line goes through it in the
//! logging layer (`logging`).
//!
//! It replaces API-key shapes (`sk-…`, `sk-ant-…`, `AIza…`, `Bearer …`),
//! the values of `key=` / `api_key=` / `token=`-like URL query parameters,
//! long high-entropy tokens inside URLs, and the values of keys Parley
//! holds (remembered with [`remember`] when a key is stored or loaded).
//! What it must not do: touch quotes or backslashes (a redacted JSON log
//! line stays JSON), or change text with nothing key-shaped in it.

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use regex::Regex;

use crate::secrets::Secret;

/// What a redacted value becomes.
pub const MARK: &str = "[redacted]";

/// Shorter keys are not remembered: replacing them would mangle ordinary text.
const MIN_KNOWN_LEN: usize = 8;
/// How many key values are remembered (a few providers' worth).
const MAX_KNOWN: usize = 64;

static KNOWN: LazyLock<RwLock<Vec<String>>> = LazyLock::new(RwLock::default);

static SHAPES: LazyLock<[(Regex, &'static str); 3]> = LazyLock::new(|| {
    let re = |p: &str| Regex::new(p).expect("a valid redaction pattern");
    [
        // Query values of credential-like parameters: keep the name.
        (
            re(
                r#"(?i)([?&;](?:api[_-]?key|key|access[_-]?token|token|auth|secret|password|sig|signature)=)[^&#\s"'\\<>]+"#,
            ),
            "${1}[redacted]",
        ),
        // `Authorization: Bearer …` and friends: keep the scheme.
        (
            re(r#"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"#),
            "${1} [redacted]",
        ),
        // Provider key shapes: OpenAI / OpenRouter / Anthropic (`sk-…`),
        // Google (`AIza…`), xAI (`xai-…`), GLM-style `id.secret` pairs are
        // caught by the configured value instead.
        (
            re(r#"\b(?:sk-[A-Za-z0-9_\-]{8,}|AIza[A-Za-z0-9_\-]{20,}|xai-[A-Za-z0-9_\-]{16,})"#),
            "[redacted]",
        ),
    ]
});

/// URLs, to look inside for long random-looking tokens.
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\bhttps?://[^\s"'\\<>]+"#).expect("a valid URL pattern"));
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9_\-]{32,}").expect("a valid token pattern"));

/// Remembers a key's value so it is redacted wherever it appears later,
/// even in a shape no pattern knows.
pub fn remember(secret: &Secret) {
    let value = secret.expose().trim();
    if value.len() < MIN_KNOWN_LEN {
        return;
    }
    if let Ok(mut known) = KNOWN.write() {
        if !known.iter().any(|k| k == value) {
            if known.len() >= MAX_KNOWN {
                known.remove(0);
            }
            known.push(value.to_string());
        }
    }
}

/// `text` with every key-shaped piece, and `extra` (the key in use, if
/// any), replaced by `[redacted]`.
pub fn redact<'a>(text: &'a str, extra: Option<&Secret>) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    if let Some(key) = extra.map(|s| s.expose().trim()).filter(|k| k.len() >= 4) {
        if out.contains(key) {
            out = Cow::Owned(out.replace(key, MARK));
        }
    }
    if let Ok(known) = KNOWN.read() {
        for key in known.iter() {
            if out.contains(key.as_str()) {
                out = Cow::Owned(out.replace(key.as_str(), MARK));
            }
        }
    }
    for (pattern, with) in SHAPES.iter() {
        let replaced = owned(pattern.replace_all(&out, *with));
        if let Some(s) = replaced {
            out = Cow::Owned(s);
        }
    }
    let replaced = owned(URL.replace_all(&out, |url: &regex::Captures<'_>| {
        TOKEN
            .replace_all(&url[0], |t: &regex::Captures<'_>| {
                if random_looking(&t[0]) {
                    MARK.to_string()
                } else {
                    t[0].to_string()
                }
            })
            .into_owned()
    }));
    if let Some(s) = replaced {
        out = Cow::Owned(s);
    }
    out
}

/// The new text when a replacement changed something.
fn owned(replaced: Cow<'_, str>) -> Option<String> {
    match replaced {
        Cow::Borrowed(_) => None,
        Cow::Owned(s) => Some(s),
    }
}

/// A token that mixes letters and digits with many different characters:
/// a key or a signature, not a word, a model name or a path.
fn random_looking(token: &str) -> bool {
    let has_digit = token.bytes().any(|b| b.is_ascii_digit());
    let has_upper = token.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = token.bytes().any(|b| b.is_ascii_lowercase());
    let mut distinct: Vec<u8> = token.bytes().collect();
    distinct.sort_unstable();
    distinct.dedup();
    has_digit && (has_upper || has_lower) && distinct.len() >= 16
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::openai(
        "Incorrect API key provided: sk-proj-abcDEF1234567890xyz.",
        "Incorrect API key provided: [redacted]."
    )]
    #[case::anthropic(
        "invalid x-api-key sk-ant-api03-AbC_dEf-123456789",
        "invalid x-api-key [redacted]"
    )]
    #[case::bearer(
        "Authorization: Bearer abcdef123456789",
        "Authorization: Bearer [redacted]"
    )]
    #[case::query(
        "GET https://example.com/v1/models?key=AIzaSyD-12345&alt=json failed",
        "GET https://example.com/v1/models?key=[redacted]&alt=json failed"
    )]
    #[case::api_key_query("/v1?api_key=abc123", "/v1?api_key=[redacted]")]
    #[case::url_token(
        "https://hooks.example.com/t/Zx81KqPLm2Vb7Nc4Rt9Yw3Hs6Jd0Fg5A/send",
        "https://hooks.example.com/t/[redacted]/send"
    )]
    #[case::json_stays_json(r#"{"msg":"key sk-abcdefgh12345678"}"#, r#"{"msg":"key [redacted]"}"#)]
    #[case::model_names_stay(
        "https://openrouter.ai/api/v1/meta-llama/llama-3.1-405b-instruct",
        "https://openrouter.ai/api/v1/meta-llama/llama-3.1-405b-instruct"
    )]
    #[case::plain_words(
        "the model is not loaded; try again",
        "the model is not loaded; try again"
    )]
    fn key_shapes_are_redacted(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(redact(text, None), expected);
    }

    #[test]
    fn the_key_in_use_and_remembered_keys_are_redacted_in_any_shape() {
        let glm = Secret::new("4f1c2a.b7Qx9Lm2");
        assert_eq!(
            redact("bad key 4f1c2a.b7Qx9Lm2!", Some(&glm)),
            "bad key [redacted]!"
        );
        remember(&Secret::new("local-token-7Yh3"));
        assert_eq!(
            redact("token local-token-7Yh3 refused", None),
            "token [redacted] refused"
        );
    }
}
