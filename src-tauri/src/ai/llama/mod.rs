//! "This computer": GGUF models run inside Parley by llama.cpp (the
//! `llama-cpp-2` binding), behind the same `ChatProvider` trait as every
//! server, so a reply streams, stops, saves and fails through the one reply
//! path.
//!
//! One engine per process (llama.cpp's backend starts once): a handle that
//! sends requests to one OS thread (`worker`), which owns the one loaded
//! model and its context, loads a model on first use, unloads it after an
//! idle time, and runs inference off the async runtime. A reply's events come
//! back through a bounded channel; dropping the stream is the stop, seen by
//! the worker before its next token. The model id of a local model is the
//! path of its `.gguf` file.

mod fit;
mod generate;
mod preflight;
mod stops;
mod template;
mod worker;

use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::Serialize;

use super::{
    ChatProvider, ChatRequest, Endpoint, EventStream, PromptMessage, RemoteModel, StreamEvent,
};
use crate::ai::instruct::Instruct;
use crate::error::{AppError, Result, Words};
use crate::models::SamplingParams;

pub use preflight::cpu_can_run;
pub use worker::backend;

/// The provider name errors carry.
pub const ENGINE_NAME: &str = "This computer";

/// How the engine runs; changed by Settings and by tests.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineSettings {
    /// Unload the model after this long without a request.
    pub idle: Duration,
    /// The most context a model gets, whatever it was trained for.
    pub context_cap: u32,
    /// CPU threads for inference.
    pub threads: i32,
}

impl Default for EngineSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            idle: Duration::from_secs(10 * 60),
            context_cap: 8192,
            // One core left for the window and the database.
            threads: i32::try_from(cores.saturating_sub(1).max(1)).unwrap_or(1),
        }
    }
}

/// What the engine holds now, for Settings and tests.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineStatus {
    /// The model in memory, if any.
    pub loaded: Option<PathBuf>,
    /// How many times a model was loaded since Parley started.
    pub loads: u64,
    /// Prompt tokens the last reply had to compute (the rest were reused).
    pub last_prompt_computed: usize,
}

/// One reply to generate.
pub(crate) struct Job {
    pub path: PathBuf,
    pub messages: Vec<PromptMessage>,
    pub max_tokens: u32,
    pub params: SamplingParams,
    /// The person's instruct template, for a model without its own.
    pub instruct: Option<Instruct>,
    pub events: tokio::sync::mpsc::Sender<Result<StreamEvent>>,
}

/// The model in memory, as the worker loaded it.
pub(crate) struct Loaded {
    pub model: llama_cpp_2::model::LlamaModel,
    /// Its control tokens' spellings (`template::neutralise`).
    pub specials: Vec<String>,
    pub n_ctx: u32,
    pub threads: i32,
}

pub(crate) enum Request {
    Generate(Box<Job>),
    Unload,
}

#[derive(Default)]
pub(crate) struct Shared {
    pub settings: Mutex<EngineSettings>,
    pub status: Mutex<EngineStatus>,
    /// Tokens made since Parley started, counted as they are made.
    pub made: AtomicU64,
    /// Whether a reply is being worked on now.
    pub busy: AtomicBool,
}

/// The process's engine.
pub struct Engine {
    requests: Mutex<std::sync::mpsc::Sender<Request>>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// The engine, started (its thread, not a model) on first use.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let for_worker = shared.clone();
        std::thread::Builder::new()
            .name("parley-llama".into())
            .spawn(move || worker::run(&rx, &for_worker))
            .expect("start the engine thread");
        Engine {
            requests: Mutex::new(tx),
            shared,
        }
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Engine {
    pub fn settings(&self) -> EngineSettings {
        lock(&self.shared.settings).clone()
    }

    pub fn set_settings(&self, settings: EngineSettings) {
        *lock(&self.shared.settings) = settings;
    }

    pub fn status(&self) -> EngineStatus {
        lock(&self.shared.status).clone()
    }

    /// Tokens made since Parley started (each counted as it is made).
    pub fn tokens_made(&self) -> u64 {
        self.shared.made.load(Ordering::SeqCst)
    }

    /// Whether the engine is working on a reply now.
    pub fn busy(&self) -> bool {
        self.shared.busy.load(Ordering::SeqCst)
    }

    /// Frees the model's memory now (it loads again on the next reply).
    pub fn unload(&self) {
        let _ = lock(&self.requests).send(Request::Unload);
    }

    /// Starts a reply: the file is checked first, in words; the events
    /// stream as the worker makes them. A model without a chat template of
    /// its own gets the built-in instruct format its name suggests.
    pub fn generate(&self, request: &ChatRequest) -> Result<EventStream> {
        self.generate_with(request, None)
    }

    /// [`Self::generate`], with the instruct template a model without its
    /// own chat template gets.
    pub fn generate_with(
        &self,
        request: &ChatRequest,
        instruct: Option<Instruct>,
    ) -> Result<EventStream> {
        let path = PathBuf::from(&request.model);
        let settings = self.settings();
        if lock(&self.shared.status).loaded.as_ref() != Some(&path) {
            preflight::check(&path, &settings)?;
        }
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let job = Job {
            path,
            messages: request.messages.clone(),
            max_tokens: u32::try_from(request.max_tokens.max(1)).unwrap_or(u32::MAX),
            params: request.params,
            instruct,
            events: tx,
        };
        lock(&self.requests)
            .send(Request::Generate(Box::new(job)))
            .map_err(|_| {
                failed(
                    "the engine has stopped; restart Parley",
                    "llama_stopped",
                    json!({}),
                )
            })?;
        Ok(Box::pin(futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|e| (e, rx)) },
        )))
    }
}

/// An engine failure, in words and by the code (and values) the window
/// words it by, as the reply's error.
pub(crate) fn failed(
    message: impl Into<String>,
    code: &'static str,
    values: serde_json::Value,
) -> AppError {
    AppError::ExternalApi {
        provider: ENGINE_NAME.into(),
        status: None,
        message: message.into(),
        retry_after_secs: None,
        words: Some(Box::new(Words { code, values })),
    }
}

/// Another error (a model file's check) as an engine failure, its words
/// kept.
pub(crate) fn failed_as(e: &AppError) -> AppError {
    AppError::ExternalApi {
        provider: ENGINE_NAME.into(),
        status: None,
        message: e.to_string(),
        retry_after_secs: None,
        words: e.words().map(Box::new),
    }
}

/// The `ChatProvider` for the `local` kind.
pub struct Local {
    endpoint: Endpoint,
}

impl Local {
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint }
    }
}

impl ChatProvider for Local {
    fn stream_chat<'a>(
        &'a self,
        _http: &'a reqwest::Client,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream>> {
        Box::pin(async move { engine().generate_with(request, self.endpoint.instruct.clone()) })
    }

    /// The models on this computer: the usual folders and the one named
    /// by the provider (its "base URL" is a folder for this kind).
    fn list_models<'a>(
        &'a self,
        _http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Vec<RemoteModel>>> {
        let folder = PathBuf::from(&self.endpoint.base_url);
        Box::pin(async move {
            let found = tokio::task::spawn_blocking(move || {
                crate::local_models::scan::found_on_this_computer(&[folder])
            })
            .await
            .map_err(|e| {
                AppError::internal(format!("look for models: {e}"))
                    .worded("models_search_failed", json!({ "reason": e.to_string() }))
            })?;
            Ok(found
                .into_iter()
                .map(|f| RemoteModel {
                    id: f.path.display().to_string(),
                    name: Some(f.name),
                    context_length: f.context_length,
                })
                .collect())
        })
    }
}
