//! The engine's one thread. It waits for a request, loads the model the
//! request names (one model in memory at a time), serves requests for that
//! model until another model is asked for, `Unload` arrives or nothing has
//! come for the idle time, then frees it. The model and its context are
//! locals of this thread: llama.cpp's context borrows the model and may not
//! move between threads.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::OnceLock;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;

use serde_json::json;

use super::{failed, generate, lock, preflight, template, Job, Loaded, Request, Shared};
use crate::error::Result;

/// llama.cpp's backend: started once per process, never dropped. Public
/// for the benchmark's raw loop, which must share it.
pub fn backend() -> Result<&'static LlamaBackend> {
    static BACKEND: OnceLock<Result<LlamaBackend>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| {
                failed(
                    format!("the built-in engine could not start: {e}"),
                    "llama_not_started",
                    json!({ "reason": e.to_string() }),
                )
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

pub(super) fn run(requests: &Receiver<Request>, shared: &Shared) {
    let mut next: Option<Box<Job>> = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match requests.recv() {
                Ok(Request::Generate(job)) => job,
                Ok(Request::Unload) => continue,
                Err(_) => return,
            },
        };
        let path = job.path.clone();
        let loaded = match load(&path, shared) {
            Ok(loaded) => loaded,
            Err(e) => {
                let _ = job.events.blocking_send(Err(e));
                continue;
            }
        };
        {
            let mut status = lock(&shared.status);
            status.loaded = Some(path.clone());
            status.loads += 1;
        }
        tracing::info!(model = %path.display(), "local model loaded");
        next = serve_until_idle(&loaded, &path, job, requests, shared);
        drop(loaded);
        lock(&shared.status).loaded = None;
        tracing::info!(model = %path.display(), "local model unloaded");
    }
}

/// Loads a model, checked first; llama.cpp's refusal (an architecture it
/// does not know, a damaged tensor) is said in words.
fn load(path: &PathBuf, shared: &Shared) -> Result<Loaded> {
    let settings = lock(&shared.settings).clone();
    let facts = preflight::check(path, &settings)?;
    let backend = backend()?;
    let params = LlamaModelParams::default();
    let model = LlamaModel::load_from_file(backend, path, &params).map_err(|_| {
        let message = format!(
            "{} could not be loaded. Its architecture ({}) may be newer than this version of \
             Parley's engine knows, or the file is damaged.",
            facts.name,
            if facts.architecture.is_empty() {
                "not named"
            } else {
                &facts.architecture
            }
        );
        if facts.architecture.is_empty() {
            failed(
                message,
                "llama_not_loaded_unnamed",
                json!({ "name": facts.name }),
            )
        } else {
            failed(
                message,
                "llama_not_loaded",
                json!({ "name": facts.name, "architecture": facts.architecture }),
            )
        }
    })?;
    let n_ctx = preflight::context_for(&facts, &settings);
    Ok(Loaded {
        specials: template::special_texts(&model),
        model,
        n_ctx,
        threads: settings.threads,
    })
}

/// Serves `first` and every later request for the same model; returns the
/// request for another model, if that is what ended it.
fn serve_until_idle(
    loaded: &Loaded,
    path: &PathBuf,
    first: Box<Job>,
    requests: &Receiver<Request>,
    shared: &Shared,
) -> Option<Box<Job>> {
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(loaded.n_ctx))
        .with_n_batch(512)
        .with_n_threads(loaded.threads)
        .with_n_threads_batch(loaded.threads);
    let backend = backend().ok()?;
    let mut ctx = match loaded.model.new_context(backend, params) {
        Ok(ctx) => ctx,
        Err(e) => {
            let _ = first.events.blocking_send(Err(failed(
                format!(
                    "the model's context ({} tokens) could not be made: {e}. Lower the context length in Settings.",
                    loaded.n_ctx
                ),
                "llama_context_failed",
                json!({ "tokens": loaded.n_ctx, "reason": e.to_string() }),
            )));
            return None;
        }
    };
    let mut cache = Vec::new();
    let mut job = first;
    loop {
        shared.busy.store(true, Ordering::SeqCst);
        let computed = generate::serve(loaded, &mut ctx, &mut cache, &job, &shared.made);
        shared.busy.store(false, Ordering::SeqCst);
        lock(&shared.status).last_prompt_computed = computed;
        drop(job);
        let idle = lock(&shared.settings).idle;
        match requests.recv_timeout(idle) {
            Ok(Request::Generate(j)) if &j.path == path => job = j,
            Ok(Request::Generate(j)) => return Some(j),
            Ok(Request::Unload)
            | Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        }
    }
}
