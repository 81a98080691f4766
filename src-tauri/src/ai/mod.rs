//! AI providers behind one trait: a chat request goes in, a stream of typed
//! events comes out. Two families cover every provider Parley supports:
//! OpenAI-compatible Chat Completions (OpenAI, OpenRouter, GLM, Ollama,
//! LM Studio, llama.cpp, any custom base URL) and Anthropic Messages; and
//! one engine, `llama`, runs GGUF models on this computer; text-completion
//! servers (KoboldCpp, llama.cpp's `/completion`, `/v1/completions`) get
//! the conversation written out by an instruct template.
//!
//! SSE bytes are framed by `eventsource-stream`; each family turns frames into
//! [`StreamEvent`]s. HTTP and stream failures become `AppError::ExternalApi`
//! with the provider's name, the status and what to do. The client, its
//! redirect rules and the bounds on what is read are in `http`. Nothing here
//! knows about the database or Tauri, and no key is ever logged or put in an
//! error (`crate::redact` runs over every error made here).

mod anthropic;
pub mod embeddings;
mod errors;
mod http;
pub mod instruct;
pub mod llama;
mod openai;
pub mod text_completion;

use std::pin::Pin;

use futures_util::future::BoxFuture;
use futures_util::Stream;
use serde::Serialize;

pub use errors::{from_reqwest, from_status, redact};
pub use http::{
    http_client, same_origin, BODY_WAIT, CONNECT_TIMEOUT, ERROR_BODY_LIMIT, EVENT_LIMIT,
    IDLE_TIMEOUT, LIST_BODY_LIMIT,
};
pub(crate) use http::{send, send_for_text};

use crate::error::Result;
use crate::models::{MessageRole, ProviderKind, SamplingParams};
use crate::secrets::Secret;

/// One message of the prompt as sent to a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptMessage {
    pub role: MessageRole,
    pub content: String,
}

/// What to ask the model.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    pub model: String,
    /// System messages first, then the conversation, oldest first.
    pub messages: Vec<PromptMessage>,
    pub max_tokens: i64,
    pub params: SamplingParams,
}

/// One thing a provider's stream told us.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Reply text.
    Text(String),
    /// Reasoning ("thinking") text, kept apart from the reply.
    Reasoning(String),
    /// Token counts, when the provider gives them.
    Usage {
        input_tokens: Option<i64>,
        output_tokens: Option<i64>,
    },
    /// Why the model stopped (`stop`, `length`, `end_turn`, ...).
    Finish(String),
    /// The provider said the reply is complete.
    Done,
    /// The stream ended after some frames, without the provider saying the
    /// reply was complete (a dropped connection, a server that stopped).
    CutShort,
}

pub type EventStream = Pin<Box<dyn Stream<Item = Result<StreamEvent>> + Send>>;

/// A model a provider offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteModel {
    pub id: String,
    pub name: Option<String>,
    pub context_length: Option<i64>,
}

/// Where and how to reach a provider.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub kind: ProviderKind,
    /// The provider's name as the person gave it, for messages.
    pub name: String,
    pub base_url: String,
    pub api_key: Option<Secret>,
    /// For text-completion servers: the person's instruct template (the
    /// library's default of that type); `None` picks one by the model's name.
    pub instruct: Option<instruct::Instruct>,
}

impl Endpoint {
    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.base_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

/// A provider family.
pub trait ChatProvider: Send + Sync {
    /// Starts a streamed reply. Fails early on HTTP errors; stream failures
    /// arrive as `Err` items.
    fn stream_chat<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream>>;

    /// The models the provider offers (also the "test connection").
    fn list_models<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Vec<RemoteModel>>>;
}

/// The client for an endpoint's family.
pub fn provider_for(endpoint: Endpoint) -> Box<dyn ChatProvider> {
    match endpoint.kind {
        ProviderKind::Anthropic => Box::new(anthropic::Anthropic::new(endpoint)),
        ProviderKind::Local => Box::new(llama::Local::new(endpoint)),
        ProviderKind::Koboldcpp | ProviderKind::Llamacpp | ProviderKind::TextCompletion => {
            Box::new(text_completion::TextCompletion::new(endpoint))
        }
        _ => Box::new(openai::OpenAiCompatible::new(endpoint)),
    }
}

/// Turns an SSE body into provider events with `parse` (one SSE frame's
/// event name and data in, zero or more events out), and checks how the
/// stream ended: a stream that stops before the provider said it was done
/// is an error, so the caller keeps the partial text and says what happened.
pub(crate) fn sse_events<F>(
    endpoint: Endpoint,
    response: reqwest::Response,
    parse: F,
) -> EventStream
where
    F: FnMut(&str, &str) -> Result<Vec<StreamEvent>> + Send + 'static,
{
    use eventsource_stream::Eventsource;
    use futures_util::StreamExt;

    struct State<F> {
        frames: Pin<
            Box<
                dyn Stream<
                        Item = std::result::Result<
                            eventsource_stream::Event,
                            eventsource_stream::EventStreamError<errors::BodyError>,
                        >,
                    > + Send,
            >,
        >,
        parse: F,
        endpoint: Endpoint,
        pending: std::collections::VecDeque<StreamEvent>,
        seen_any: bool,
        finished: bool,
        ended: bool,
    }

    let state = State {
        frames: Box::pin(http::bounded_events(response, http::EVENT_LIMIT).eventsource()),
        parse,
        endpoint,
        pending: std::collections::VecDeque::new(),
        seen_any: false,
        finished: false,
        ended: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(event) = st.pending.pop_front() {
                if event == StreamEvent::Done {
                    st.pending.clear();
                    st.ended = true;
                }
                return Some((Ok(event), st));
            }
            if st.ended {
                return None;
            }
            match st.frames.next().await {
                Some(Ok(frame)) => {
                    st.seen_any = true;
                    match (st.parse)(&frame.event, &frame.data) {
                        Ok(events) => {
                            st.finished |=
                                events.iter().any(|e| matches!(e, StreamEvent::Finish(_)));
                            st.pending.extend(events);
                        }
                        Err(e) => {
                            st.ended = true;
                            return Some((Err(e), st));
                        }
                    }
                }
                Some(Err(e)) => {
                    st.ended = true;
                    return Some((Err(errors::from_stream(&st.endpoint, &e)), st));
                }
                None => {
                    st.ended = true;
                    // A finish reason without the closing marker is complete
                    // enough (some local servers skip `[DONE]`).
                    if st.finished {
                        return Some((Ok(StreamEvent::Done), st));
                    }
                    if st.seen_any {
                        return Some((Ok(StreamEvent::CutShort), st));
                    }
                    return Some((Err(errors::ended_early(&st.endpoint)), st));
                }
            }
        }
    }))
}
