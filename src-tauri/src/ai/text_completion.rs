//! Text-completion servers: the conversation is written out with an
//! instruct template (`instruct`) and the server continues the text. Three
//! APIs: KoboldCpp's own (`/api/extra/generate/stream`, stopped with
//! `/api/extra/abort`), llama.cpp's `/completion`, and OpenAI-compatible
//! `/v1/completions` (text-generation-webui, vLLM, TabbyAPI, llama.cpp and
//! KoboldCpp too). Each streams SSE; each reports the context it runs with
//! where its API says (KoboldCpp's `true_max_context_length`, llama.cpp's
//! `/props`), so the model list carries the real length, not a guess.

use futures_util::future::BoxFuture;
use serde_json::{json, Map, Value};

use super::errors::malformed;
use super::instruct::{for_model, Instruct};
use super::openai::{frame, usage, Frame};
use super::{
    sse_events, ChatProvider, ChatRequest, Endpoint, EventStream, RemoteModel, StreamEvent,
};
use crate::error::Result;
use crate::models::ProviderKind;

pub struct TextCompletion {
    endpoint: Endpoint,
}

impl TextCompletion {
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint }
    }

    fn authorized(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.endpoint.api_key.as_ref().filter(|k| !k.is_empty()) {
            Some(key) => req.bearer_auth(key.expose()),
            None => req,
        }
    }

    fn instruct(&self, request: &ChatRequest) -> Instruct {
        self.endpoint
            .instruct
            .clone()
            .unwrap_or_else(|| for_model(&request.model))
    }
}

/// The request body for the endpoint's API.
pub fn request_body(
    kind: ProviderKind,
    request: &ChatRequest,
    instruct: &Instruct,
    genkey: &str,
) -> Value {
    let prompt = instruct.render(&request.messages);
    let stops = instruct.stops();
    let p = &request.params;
    let mut body = Map::new();
    let mut put = |k: &str, v: Value| {
        body.insert(k.into(), v);
    };
    match kind {
        ProviderKind::Koboldcpp => {
            put("prompt", json!(prompt));
            put("max_length", json!(request.max_tokens));
            put("stop_sequence", json!(stops));
            put("genkey", json!(genkey));
            put("trim_stop", json!(true));
            opt(&mut put, "temperature", p.temperature);
            opt(&mut put, "top_p", p.top_p);
            opt(&mut put, "min_p", p.min_p);
            opt(&mut put, "rep_pen", p.repetition_penalty);
            if let Some(k) = p.top_k {
                put("top_k", json!(k));
            }
            if let Some(seed) = p.seed {
                put("sampler_seed", json!(seed));
            }
        }
        ProviderKind::Llamacpp => {
            put("prompt", json!(prompt));
            put("n_predict", json!(request.max_tokens));
            put("stream", json!(true));
            put("cache_prompt", json!(true));
            put("stop", json!(stops));
            opt(&mut put, "temperature", p.temperature);
            opt(&mut put, "top_p", p.top_p);
            opt(&mut put, "min_p", p.min_p);
            opt(&mut put, "repeat_penalty", p.repetition_penalty);
            opt(&mut put, "frequency_penalty", p.frequency_penalty);
            opt(&mut put, "presence_penalty", p.presence_penalty);
            if let Some(k) = p.top_k {
                put("top_k", json!(k));
            }
            if let Some(seed) = p.seed {
                put("seed", json!(seed));
            }
        }
        _ => {
            put("model", json!(request.model));
            put("prompt", json!(prompt));
            put("max_tokens", json!(request.max_tokens));
            put("stream", json!(true));
            put("stream_options", json!({ "include_usage": true }));
            put("stop", json!(stops));
            opt(&mut put, "temperature", p.temperature);
            opt(&mut put, "top_p", p.top_p);
            opt(&mut put, "min_p", p.min_p);
            opt(&mut put, "repetition_penalty", p.repetition_penalty);
            opt(&mut put, "frequency_penalty", p.frequency_penalty);
            opt(&mut put, "presence_penalty", p.presence_penalty);
            if let Some(k) = p.top_k {
                put("top_k", json!(k));
            }
            if let Some(seed) = p.seed {
                put("seed", json!(seed));
            }
        }
    }
    Value::Object(body)
}

fn opt(put: &mut impl FnMut(&str, Value), key: &str, v: Option<f64>) {
    if let Some(v) = v {
        put(key, json!(v));
    }
}

/// One SSE frame of any of the three APIs into events.
pub fn parse_frame(endpoint: &Endpoint, data: &str) -> Result<Vec<StreamEvent>> {
    let v = match frame(endpoint, data)? {
        Frame::Blank => return Ok(Vec::new()),
        Frame::Done => return Ok(vec![StreamEvent::Done]),
        Frame::Json(v) => v,
    };
    let mut out = Vec::new();
    let text = |s: Option<&Value>| {
        s.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    // KoboldCpp: {"token", "finish_reason"}; llama.cpp: {"content", "stop",
    // "stop_type", "tokens_evaluated", "tokens_predicted"}; OpenAI:
    // {"choices": [{"text", "finish_reason"}], "usage"}.
    if let Some(t) = text(v.get("token"))
        .or_else(|| text(v.get("content")))
        .or_else(|| text(v.pointer("/choices/0/text")))
    {
        out.push(StreamEvent::Text(t));
    }
    if v.get("stop").and_then(Value::as_bool) == Some(true) {
        out.push(StreamEvent::Usage {
            input_tokens: v.get("tokens_evaluated").and_then(Value::as_i64),
            output_tokens: v.get("tokens_predicted").and_then(Value::as_i64),
        });
        let reason = match v.get("stop_type").and_then(Value::as_str) {
            Some("limit") => "length",
            _ => "stop",
        };
        out.push(StreamEvent::Finish(reason.into()));
        out.push(StreamEvent::Done);
    }
    if let Some(reason) = v
        .get("finish_reason")
        .or_else(|| v.pointer("/choices/0/finish_reason"))
        .and_then(Value::as_str)
    {
        out.push(StreamEvent::Finish(reason.to_string()));
    }
    out.extend(usage(&v));
    Ok(out)
}

/// Tells KoboldCpp to stop a generation nobody reads any more; KoboldCpp
/// goes on generating after the connection closes otherwise.
struct AbortOnDrop {
    http: reqwest::Client,
    url: String,
    genkey: String,
    /// Cleared when the generation finished by itself.
    armed: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (http, url, genkey) = (
            self.http.clone(),
            self.url.clone(),
            std::mem::take(&mut self.genkey),
        );
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = http
                    .post(url)
                    .json(&json!({ "genkey": genkey }))
                    .send()
                    .await;
            });
        }
    }
}

impl ChatProvider for TextCompletion {
    fn stream_chat<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream>> {
        Box::pin(async move {
            let kind = self.endpoint.kind;
            let genkey = format!("parley-{}", uuid::Uuid::now_v7().simple());
            let body = request_body(kind, request, &self.instruct(request), &genkey);
            let path = match kind {
                ProviderKind::Koboldcpp => "api/extra/generate/stream",
                ProviderKind::Llamacpp => "completion",
                _ => "completions",
            };
            let post = self
                .authorized(http.post(self.endpoint.url(path)))
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .json(&body);
            let response = super::send(&self.endpoint, post, Some(&request.model)).await?;
            let endpoint = self.endpoint.clone();
            let events = sse_events(self.endpoint.clone(), response, move |_event, data| {
                parse_frame(&endpoint, data)
            });
            if kind != ProviderKind::Koboldcpp {
                return Ok(events);
            }
            let abort = AbortOnDrop {
                http: http.clone(),
                url: self.endpoint.url("api/extra/abort"),
                genkey,
                armed: true,
            };
            Ok(Box::pin(futures_util::stream::unfold(
                (events, abort),
                |(mut events, mut abort)| async move {
                    use futures_util::StreamExt;
                    let item = events.next().await;
                    if matches!(item, None | Some(Ok(StreamEvent::Done))) {
                        // Finished by itself: nothing to stop.
                        abort.armed = false;
                    }
                    item.map(|i| (i, (events, abort)))
                },
            )) as EventStream)
        })
    }

    fn list_models<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Vec<RemoteModel>>> {
        Box::pin(async move {
            let e = &self.endpoint;
            let get = |path: &str| self.authorized(http.get(e.url(path)));
            match e.kind {
                ProviderKind::Koboldcpp => {
                    let model: Value =
                        json_of(e, super::send_for_text(e, get("api/v1/model")).await?)?;
                    let name = model
                        .get("result")
                        .and_then(Value::as_str)
                        .unwrap_or("KoboldCpp");
                    let context =
                        match super::send_for_text(e, get("api/extra/true_max_context_length"))
                            .await
                        {
                            Ok(text) => json_of(e, text)?.get("value").and_then(Value::as_i64),
                            Err(_) => None,
                        };
                    Ok(vec![RemoteModel {
                        id: name.trim_start_matches("koboldcpp/").to_string(),
                        name: None,
                        context_length: context,
                    }])
                }
                ProviderKind::Llamacpp => {
                    let props: Value = json_of(e, super::send_for_text(e, get("props")).await?)?;
                    let context = props
                        .pointer("/default_generation_settings/n_ctx")
                        .and_then(Value::as_i64);
                    let path = props
                        .get("model_path")
                        .and_then(Value::as_str)
                        .unwrap_or("llama.cpp model");
                    let id = std::path::Path::new(path)
                        .file_name()
                        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
                    Ok(vec![RemoteModel {
                        id,
                        name: None,
                        context_length: context,
                    }])
                }
                _ => super::openai::parse_models(e, &super::send_for_text(e, get("models")).await?),
            }
        })
    }
}

fn json_of(endpoint: &Endpoint, text: String) -> Result<Value> {
    serde_json::from_str(&text).map_err(|_| malformed(endpoint, &text))
}
