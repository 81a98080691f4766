//! Tests of `errors.rs`.
use super::*;
use crate::models::ProviderKind;
use crate::secrets::Secret;

fn endpoint() -> Endpoint {
    Endpoint {
        kind: ProviderKind::Openrouter,
        name: "OpenRouter".into(),
        base_url: "https://openrouter.ai/api/v1".into(),
        api_key: Some(Secret::new("sk-or-abcdef123456")),
        instruct: None,
    }
}

#[test]
fn keys_echoed_by_a_provider_are_redacted() {
    let err = from_status(
        &endpoint(),
        None,
        StatusCode::UNAUTHORIZED,
        &HeaderMap::new(),
        r#"{"error":{"message":"Incorrect API key provided: sk-or-abcdef123456"}}"#,
    );
    let text = err.to_string();
    assert!(!text.contains("sk-or-abcdef123456"), "{text}");
    assert!(text.contains("rejected the API key (401)"), "{text}");
}

#[test]
fn retry_after_seconds_and_dates() {
    let mut h = HeaderMap::new();
    h.insert(reqwest::header::RETRY_AFTER, "17".parse().unwrap());
    assert_eq!(retry_after(&h), Some(17));
    let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
    h.insert(reqwest::header::RETRY_AFTER, later.parse().unwrap());
    let secs = retry_after(&h).unwrap();
    assert!((85..=90).contains(&secs), "{secs}");
}

#[test]
fn non_json_bodies_become_a_short_quote_and_html_is_dropped() {
    assert_eq!(
        body_message("upstream timed out").as_deref(),
        Some("upstream timed out")
    );
    assert_eq!(body_message("<html><body>502</body></html>"), None);
    assert_eq!(
        body_message(r#"{"error":"model not loaded"}"#).as_deref(),
        Some("model not loaded")
    );
}
