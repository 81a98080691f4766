//! Provider failures in words: what went wrong, at which provider, with which
//! status, and what to do. Every message goes through `crate::redact` when
//! it is made, so a key a provider echoes, a `?key=` in an address or any
//! key-shaped text never reaches the database, the log or the window.

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use serde_json::json;

use super::Endpoint;
use crate::error::AppError;

/// How much of an error body to show.
const BODY_SNIPPET: usize = 300;

/// `text` with the endpoint's API key and anything key-shaped replaced.
pub fn redact(endpoint: &Endpoint, text: &str) -> String {
    crate::redact::redact(text, endpoint.api_key.as_ref()).into_owned()
}

/// Why a stream's bytes stopped: the connection, or an event too long.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
    #[error("more than {0} bytes without the end of an event")]
    EventTooLong(usize),
}

/// The redirect policy's refusal of a redirect to another origin.
#[derive(Debug)]
pub struct CrossOrigin {
    pub from: Url,
    pub to: Url,
}

impl std::fmt::Display for CrossOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a redirect from {} to {}",
            origin(&self.from),
            origin(&self.to)
        )
    }
}

impl std::error::Error for CrossOrigin {}

/// `scheme://host:port` of an address, without its path or query.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

pub(crate) fn external(
    endpoint: &Endpoint,
    status: Option<u16>,
    message: String,
    retry_after_secs: Option<u64>,
) -> AppError {
    // Worded by the caller.
    AppError::ExternalApi {
        provider: endpoint.name.clone(),
        status,
        message: redact(endpoint, &message),
        retry_after_secs,
        words: None,
    }
}

/// The most useful line of an error body: `error.message`, `error` as a
/// string, `message`, `detail`, or the start of the text.
fn body_message(body: &str) -> Option<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(trimmed) {
        let candidates = [
            json.pointer("/error/message"),
            json.get("error").filter(|e| e.is_string()),
            json.get("message"),
            json.get("detail"),
        ];
        for c in candidates.into_iter().flatten() {
            if let Some(s) = c.as_str().filter(|s| !s.trim().is_empty()) {
                return Some(s.trim().to_string());
            }
        }
    }
    let snippet: String = trimmed.chars().take(BODY_SNIPPET).collect();
    // An HTML error page says nothing useful in a sentence.
    if snippet.starts_with('<') {
        return None;
    }
    Some(snippet)
}

/// Seconds from a `Retry-After` header: delta-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(secs.max(0) as u64)
}

/// An HTTP error response turned into words.
pub fn from_status(
    endpoint: &Endpoint,
    model: Option<&str>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
) -> AppError {
    let name = &endpoint.name;
    let code = status.as_u16();
    let detail = body_message(body)
        .map(|m| format!(" It said: \"{m}\""))
        .unwrap_or_default();
    let retry = retry_after(headers);
    let said = body_message(body).unwrap_or_default();
    let url = endpoint.base_url.as_str();
    let (word, values) = match (code, model, retry) {
        (401 | 403, ..) => (
            "api_key_rejected",
            json!({ "name": name, "status": code, "detail": said }),
        ),
        (404, Some(m), _) => (
            "model_unknown",
            json!({ "name": name, "model": m, "url": url, "detail": said }),
        ),
        (404, None, _) => (
            "nothing_at_url",
            json!({ "name": name, "url": url, "detail": said }),
        ),
        (429, _, Some(s)) => (
            "rate_limited_for",
            json!({ "name": name, "seconds": s, "detail": said }),
        ),
        (429, _, None) => ("rate_limited", json!({ "name": name, "detail": said })),
        (400 | 413 | 422, ..) => (
            "request_refused",
            json!({ "name": name, "status": code, "detail": said }),
        ),
        (500..=599, ..) => (
            "server_error",
            json!({ "name": name, "status": code, "detail": said }),
        ),
        _ => (
            "api_error",
            json!({ "name": name, "status": code, "detail": said }),
        ),
    };
    let message = match code {
        401 | 403 => format!(
            "{name} rejected the API key ({code}); check the key in Providers & models.{detail}"
        ),
        404 => match model {
            Some(m) => format!(
                "{name} does not know the model \"{m}\" or the address {} is wrong (404); check the model id and base URL in Providers & models.{detail}",
                endpoint.base_url
            ),
            None => format!(
                "{name} has nothing at {} (404); check the base URL in Providers & models.{detail}",
                endpoint.base_url
            ),
        },
        429 => match retry {
            Some(s) => format!("{name} is limiting requests (429); try again in {s} seconds.{detail}"),
            None => format!("{name} is limiting requests (429); wait a little and try again.{detail}"),
        },
        400 | 413 | 422 => format!("{name} refused the request ({code}).{detail} Check the model's settings (context length, max output tokens)."),
        500..=599 => format!("{name} had a server error ({code}); try again in a moment.{detail}"),
        _ => format!("{name} answered with an error ({code}).{detail}"),
    };
    external(endpoint, Some(code), message, retry).worded(word, redact_values(endpoint, values))
}

/// The values of a worded provider error, redacted like its message.
fn redact_values(endpoint: &Endpoint, mut values: serde_json::Value) -> serde_json::Value {
    if let Some(map) = values.as_object_mut() {
        for v in map.values_mut() {
            if let Some(text) = v.as_str() {
                *v = serde_json::Value::String(redact(endpoint, text));
            }
        }
    }
    values
}

/// A request that failed before any answer: refused, timed out, bad TLS.
pub fn from_reqwest(endpoint: &Endpoint, err: &reqwest::Error) -> AppError {
    let name = &endpoint.name;
    let url = &endpoint.base_url;
    tracing::warn!(provider = %name, error = %redact(endpoint, &err.to_string()), "provider request failed");
    if let Some(cross) = source_of::<CrossOrigin>(err) {
        return redirected(endpoint, &cross.from, &cross.to);
    }
    let cause = redact(endpoint, &err.to_string());
    let (word, message) = if err.is_timeout() {
        ("no_answer", format!("{name} did not answer in time; check that it is running and reachable at {url}, then try again"))
    } else if err.is_connect() {
        (
            "cannot_connect",
            format!(
            "could not connect to {name} at {url}; is the server running and the address right?"
        ),
        )
    } else {
        (
            "request_failed",
            format!("the request to {name} failed ({cause}); try again"),
        )
    };
    let values = json!({ "name": name, "url": url.as_str(), "detail": cause });
    external(endpoint, err.status().map(|s| s.as_u16()), message, None)
        .worded(word, redact_values(endpoint, values))
}

/// The first cause of type `T` in an error's chain.
fn source_of<T: std::error::Error + 'static>(err: &reqwest::Error) -> Option<&T> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(c) = cause {
        if let Some(found) = c.downcast_ref::<T>() {
            return Some(found);
        }
        cause = c.source();
    }
    None
}

/// A redirect Parley does not follow: to another server (never), or of a
/// request that is not a GET (a prompt is not sent twice).
pub fn redirected(endpoint: &Endpoint, from: &Url, to: &Url) -> AppError {
    let name = &endpoint.name;
    let (from_origin, to_origin) = (origin(from), origin(to));
    tracing::warn!(provider = %name, from = %from_origin, to = %to_origin, "provider redirect not followed");
    let same = super::same_origin(from, to);
    let message = if same {
        format!(
            "{name} at {from_origin} redirected the request to {}; Parley does not send a prompt twice. Put the address it redirects to in the base URL in Providers & models",
            to.path()
        )
    } else {
        format!("the server at {from_origin} redirected to {to_origin}; Parley does not follow a provider to another server, so the API key and the prompt were not sent there. If that is the right server, put its address in the base URL in Providers & models")
    };
    let (word, values) = if same {
        (
            "redirected_path",
            json!({ "name": name, "from": from_origin, "path": to.path() }),
        )
    } else {
        (
            "redirected_away",
            json!({ "from": from_origin, "to": to_origin }),
        )
    };
    external(endpoint, None, message, None).worded(word, values)
}

/// A model list (or other whole body) larger than Parley reads.
pub fn too_large(endpoint: &Endpoint, limit: usize) -> AppError {
    let name = &endpoint.name;
    external(
        endpoint,
        None,
        format!("{name} sent more than {} MiB where a model list was expected; Parley stopped reading it. Check the base URL in Providers & models", limit / (1024 * 1024)),
        None,
    )
    .worded("too_large", json!({ "name": name, "mib": limit / (1024 * 1024) }))
}

/// A whole body that took longer than Parley waits.
pub fn too_slow(endpoint: &Endpoint) -> AppError {
    let name = &endpoint.name;
    external(
        endpoint,
        None,
        format!("{name} took longer than {} seconds to send its answer; Parley stopped waiting. Try again", super::BODY_WAIT.as_secs()),
        None,
    )
    .worded("too_slow", json!({ "name": name, "seconds": super::BODY_WAIT.as_secs() }))
}

/// The stream broke while the reply was arriving.
pub fn from_stream(
    endpoint: &Endpoint,
    err: &eventsource_stream::EventStreamError<BodyError>,
) -> AppError {
    let name = &endpoint.name;
    tracing::warn!(provider = %name, error = %redact(endpoint, &err.to_string()), "provider stream failed");
    let (word, message, mib) = match err {
        eventsource_stream::EventStreamError::Transport(BodyError::EventTooLong(limit)) => ("stream_piece_too_long", format!(
            "{name} sent more than {} MiB without ending a piece of the reply; Parley stopped reading. The text so far is kept",
            limit / (1024 * 1024)
        ), limit / (1024 * 1024)),
        eventsource_stream::EventStreamError::Transport(BodyError::Transport(e)) if e.is_timeout() => ("stream_stalled", format!(
            "{name} stopped sending for too long; the text so far is kept. Try again or continue the reply"
        ), 0),
        eventsource_stream::EventStreamError::Transport(_) => ("stream_dropped", format!(
            "the connection to {name} dropped in the middle of the reply; the text so far is kept. Try again or continue the reply"
        ), 0),
        _ => ("stream_unreadable", format!("{name} sent a stream Parley could not read; the text so far is kept"), 0),
    };
    external(endpoint, None, message, None).worded(word, json!({ "name": name, "mib": mib }))
}

/// The stream closed before any frame came.
pub fn ended_early(endpoint: &Endpoint) -> AppError {
    let name = &endpoint.name;
    let message = format!("{name} sent an empty reply; check the model and try again");
    external(endpoint, None, message, None).worded("empty_reply", json!({ "name": name }))
}

/// A frame Parley could not parse.
pub fn malformed(endpoint: &Endpoint, what: &str) -> AppError {
    tracing::warn!(provider = %endpoint.name, frame = %redact(endpoint, &what.chars().take(200).collect::<String>()), "malformed stream frame");
    external(
        endpoint,
        None,
        format!(
            "{} sent a malformed piece of the reply; the text so far is kept",
            endpoint.name
        ),
        None,
    )
    .worded("stream_malformed", json!({ "name": endpoint.name }))
}

/// An error object inside the stream (`{"error": {...}}` or an Anthropic
/// `error` event).
pub fn in_stream(endpoint: &Endpoint, data: &str) -> AppError {
    let detail = body_message(data).unwrap_or_else(|| "no details".into());
    let status = serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|j| j.pointer("/error/code").and_then(|c| c.as_u64()))
        .and_then(|c| u16::try_from(c).ok());
    external(
        endpoint,
        status,
        format!(
            "{} stopped the reply with an error: \"{detail}\"; the text so far is kept",
            endpoint.name
        ),
        None,
    )
    .worded(
        "stopped_in_stream",
        redact_values(endpoint, json!({ "name": endpoint.name, "detail": detail })),
    )
}

#[cfg(test)]
mod tests;
