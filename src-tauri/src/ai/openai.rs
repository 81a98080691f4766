//! OpenAI-compatible Chat Completions with SSE streaming: OpenAI, OpenRouter
//! (with its attribution headers and model list), GLM, Ollama, LM Studio,
//! llama.cpp servers and any custom base URL.

use futures_util::future::BoxFuture;
use serde_json::{json, Map, Value};

use super::errors::{in_stream, malformed};
use super::{
    sse_events, ChatProvider, ChatRequest, Endpoint, EventStream, RemoteModel, StreamEvent,
};
use crate::error::Result;
use crate::models::{MessageRole, ProviderKind};

/// Sent to OpenRouter so requests are attributed to the app.
const APP_TITLE: &str = "Parley";
const APP_URL: &str = "https://github.com/parley-app/parley";

pub struct OpenAiCompatible {
    endpoint: Endpoint,
}

impl OpenAiCompatible {
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint }
    }

    fn authorized(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let mut req = req;
        if let Some(key) = self.endpoint.api_key.as_ref().filter(|k| !k.is_empty()) {
            req = req.bearer_auth(key.expose());
        }
        if self.endpoint.kind == ProviderKind::Openrouter {
            req = req
                .header("HTTP-Referer", APP_URL)
                .header("X-Title", APP_TITLE);
        }
        req
    }
}

fn role(r: MessageRole) -> &'static str {
    match r {
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
        MessageRole::System => "system",
    }
}

/// The request body: the prompt, streaming on, usage asked for, and only the
/// sampling parameters that are set.
pub fn request_body(kind: ProviderKind, request: &ChatRequest) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| json!({ "role": role(m.role), "content": m.content }))
        .collect();
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(true));
    body.insert("max_tokens".into(), json!(request.max_tokens));
    if kind != ProviderKind::Glm {
        body.insert("stream_options".into(), json!({ "include_usage": true }));
    }
    let p = &request.params;
    for (key, value) in [
        ("temperature", p.temperature),
        ("top_p", p.top_p),
        ("min_p", p.min_p),
        ("frequency_penalty", p.frequency_penalty),
        ("presence_penalty", p.presence_penalty),
        ("repetition_penalty", p.repetition_penalty),
    ] {
        if let Some(v) = value {
            body.insert(key.into(), json!(v));
        }
    }
    if let Some(k) = p.top_k {
        body.insert("top_k".into(), json!(k));
    }
    if let Some(seed) = p.seed {
        body.insert("seed".into(), json!(seed));
    }
    Value::Object(body)
}

/// An SSE frame of an OpenAI-shaped stream, after the checks every such
/// stream shares: blank frames and the `[DONE]` marker told apart, and an
/// `error` object turned into the provider's error.
pub(crate) enum Frame {
    Blank,
    Done,
    Json(Value),
}

pub(crate) fn frame(endpoint: &Endpoint, data: &str) -> Result<Frame> {
    let data = data.trim();
    if data.is_empty() {
        return Ok(Frame::Blank);
    }
    if data == "[DONE]" {
        return Ok(Frame::Done);
    }
    let v: Value = serde_json::from_str(data).map_err(|_| malformed(endpoint, data))?;
    if v.get("error").is_some_and(|e| !e.is_null()) {
        return Err(in_stream(endpoint, data));
    }
    Ok(Frame::Json(v))
}

/// A frame's `usage` object (`prompt_tokens`, `completion_tokens`).
pub(crate) fn usage(v: &Value) -> Option<StreamEvent> {
    let usage = v.get("usage").filter(|u| u.is_object())?;
    Some(StreamEvent::Usage {
        input_tokens: usage.get("prompt_tokens").and_then(Value::as_i64),
        output_tokens: usage.get("completion_tokens").and_then(Value::as_i64),
    })
}

/// One SSE frame of a Chat Completions stream into events.
pub fn parse_frame(endpoint: &Endpoint, data: &str) -> Result<Vec<StreamEvent>> {
    let v = match frame(endpoint, data)? {
        Frame::Blank => return Ok(Vec::new()),
        Frame::Done => return Ok(vec![StreamEvent::Done]),
        Frame::Json(v) => v,
    };
    let mut out = Vec::new();
    if let Some(choice) = v.pointer("/choices/0") {
        if let Some(delta) = choice.get("delta") {
            for key in ["reasoning", "reasoning_content"] {
                if let Some(s) = delta
                    .get(key)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    out.push(StreamEvent::Reasoning(s.to_string()));
                }
            }
            if let Some(s) = delta
                .get("content")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                out.push(StreamEvent::Text(s.to_string()));
            }
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            out.push(StreamEvent::Finish(reason.to_string()));
        }
    }
    out.extend(usage(&v));
    Ok(out)
}

impl ChatProvider for OpenAiCompatible {
    fn stream_chat<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream>> {
        Box::pin(async move {
            let body = request_body(self.endpoint.kind, request);
            let post = self
                .authorized(http.post(self.endpoint.url("chat/completions")))
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .json(&body);
            let response = super::send(&self.endpoint, post, Some(&request.model)).await?;
            let endpoint = self.endpoint.clone();
            Ok(sse_events(
                self.endpoint.clone(),
                response,
                move |_event, data| parse_frame(&endpoint, data),
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
            parse_models(&self.endpoint, &text)
        })
    }
}

/// `{"data": [{"id", "name"?, "context_length"?}]}` (OpenAI, OpenRouter,
/// Ollama, LM Studio, llama.cpp all answer in this shape).
pub fn parse_models(endpoint: &Endpoint, text: &str) -> Result<Vec<RemoteModel>> {
    let v: Value = serde_json::from_str(text).map_err(|_| malformed(endpoint, text))?;
    let list = v
        .get("data")
        .or_else(|| v.get("models"))
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(endpoint, text))?;
    let mut models: Vec<RemoteModel> = list
        .iter()
        .filter_map(|m| {
            let id = m.get("id").or_else(|| m.get("name"))?.as_str()?.to_string();
            Some(RemoteModel {
                name: m
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .filter(|n| n != &id),
                context_length: m
                    .get("context_length")
                    .or_else(|| m.pointer("/top_provider/context_length"))
                    .and_then(Value::as_i64),
                id,
            })
        })
        .collect();
    models.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(models)
}
