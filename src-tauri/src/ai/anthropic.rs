//! Anthropic Messages API with its own SSE events: `message_start`,
//! `content_block_delta` (text and thinking), `message_delta`,
//! `message_stop`, `ping`, `error`.

use futures_util::future::BoxFuture;
use serde_json::{json, Map, Value};

use super::errors::{in_stream, malformed};
use super::{
    sse_events, ChatProvider, ChatRequest, Endpoint, EventStream, RemoteModel, StreamEvent,
};
use crate::error::Result;
use crate::models::MessageRole;

const API_VERSION: &str = "2023-06-01";

pub struct Anthropic {
    endpoint: Endpoint,
}

impl Anthropic {
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint }
    }

    fn authorized(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let mut req = req.header("anthropic-version", API_VERSION);
        if let Some(key) = self.endpoint.api_key.as_ref().filter(|k| !k.is_empty()) {
            req = req.header("x-api-key", key.expose());
        }
        req
    }
}

/// System messages go to `system`; consecutive turns of one role are joined,
/// since the API wants user and assistant to alternate.
pub fn request_body(request: &ChatRequest) -> Value {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == MessageRole::System)
        .map(|m| m.content.as_str())
        .collect();
    let mut turns: Vec<(&'static str, String)> = Vec::new();
    for m in request
        .messages
        .iter()
        .filter(|m| m.role != MessageRole::System)
    {
        let role = if m.role == MessageRole::User {
            "user"
        } else {
            "assistant"
        };
        match turns.last_mut() {
            Some((r, text)) if *r == role => {
                text.push_str("\n\n");
                text.push_str(&m.content);
            }
            _ => turns.push((role, m.content.clone())),
        }
    }
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("max_tokens".into(), json!(request.max_tokens));
    body.insert("stream".into(), json!(true));
    if !system.is_empty() {
        body.insert("system".into(), json!(system.join("\n\n")));
    }
    body.insert(
        "messages".into(),
        Value::Array(
            turns
                .into_iter()
                .map(|(r, c)| json!({ "role": r, "content": c }))
                .collect(),
        ),
    );
    let p = &request.params;
    if let Some(t) = p.temperature {
        body.insert("temperature".into(), json!(t.min(1.0)));
    }
    if let Some(v) = p.top_p {
        body.insert("top_p".into(), json!(v));
    }
    if let Some(k) = p.top_k {
        body.insert("top_k".into(), json!(k));
    }
    Value::Object(body)
}

/// One SSE frame of a Messages stream into events.
pub fn parse_frame(endpoint: &Endpoint, event: &str, data: &str) -> Result<Vec<StreamEvent>> {
    let parse = || serde_json::from_str::<Value>(data).map_err(|_| malformed(endpoint, data));
    Ok(match event {
        "ping" | "content_block_start" | "content_block_stop" => Vec::new(),
        "message_start" => {
            let v = parse()?;
            vec![StreamEvent::Usage {
                input_tokens: v
                    .pointer("/message/usage/input_tokens")
                    .and_then(Value::as_i64),
                output_tokens: None,
            }]
        }
        "content_block_delta" => {
            let v = parse()?;
            let delta = v.get("delta").ok_or_else(|| malformed(endpoint, data))?;
            match delta.get("type").and_then(Value::as_str) {
                Some("text_delta") => delta
                    .get("text")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(|s| vec![StreamEvent::Text(s.to_string())])
                    .unwrap_or_default(),
                Some("thinking_delta") => delta
                    .get("thinking")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(|s| vec![StreamEvent::Reasoning(s.to_string())])
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        }
        "message_delta" => {
            let v = parse()?;
            let mut out = Vec::new();
            if let Some(reason) = v.pointer("/delta/stop_reason").and_then(Value::as_str) {
                out.push(StreamEvent::Finish(reason.to_string()));
            }
            if let Some(n) = v.pointer("/usage/output_tokens").and_then(Value::as_i64) {
                out.push(StreamEvent::Usage {
                    input_tokens: None,
                    output_tokens: Some(n),
                });
            }
            out
        }
        "message_stop" => vec![StreamEvent::Done],
        "error" => return Err(in_stream(endpoint, data)),
        // Unknown events are skipped, as Anthropic's versioning policy asks.
        _ => Vec::new(),
    })
}

impl ChatProvider for Anthropic {
    fn stream_chat<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream>> {
        Box::pin(async move {
            let post = self
                .authorized(http.post(self.endpoint.url("messages")))
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .json(&request_body(request));
            let response = super::send(&self.endpoint, post, Some(&request.model)).await?;
            let endpoint = self.endpoint.clone();
            Ok(sse_events(
                self.endpoint.clone(),
                response,
                move |event, data| parse_frame(&endpoint, event, data),
            ))
        })
    }

    fn list_models<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Vec<RemoteModel>>> {
        Box::pin(async move {
            let get = self.authorized(http.get(self.endpoint.url("models")));
            let text = super::send_for_text(&self.endpoint, get).await?;
            let v: Value =
                serde_json::from_str(&text).map_err(|_| malformed(&self.endpoint, &text))?;
            let list = v
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed(&self.endpoint, &text))?;
            Ok(list
                .iter()
                .filter_map(|m| {
                    Some(RemoteModel {
                        id: m.get("id")?.as_str()?.to_string(),
                        name: m
                            .get("display_name")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        context_length: None,
                    })
                })
                .collect())
        })
    }
}
