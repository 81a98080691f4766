//! Embeddings endpoints: a batch of texts goes in, one vector per text comes
//! out, in the same order.
//!
//! Two shapes cover the servers people run: OpenAI-compatible `POST
//! {base}/embeddings` (`{"model", "input": [..]}` -> `data[].embedding`;
//! OpenAI, OpenRouter, LM Studio and llama.cpp's server speak it) and
//! Ollama's own `POST {root}/api/embed` (`{"model", "input": [..]}` ->
//! `embeddings`), where `root` is the base URL without its `/v1`.
//! Anthropic and GLM offer no embeddings endpoint Parley uses: asking one
//! says so in words.
//!
//! The request goes through `http::send` (no redirect to another server, a
//! POST never sent twice, errors in words naming the provider, the key
//! never quoted); the answer is read up to [`EMBED_BODY_LIMIT`] within
//! `BODY_WAIT`, and every vector is checked (as many as texts, one length,
//! finite numbers) before anything is stored.

use serde_json::{json, Value};

use super::errors::{self, external};
use super::http::{read_limited, send};
use super::Endpoint;
use crate::error::{AppError, Result};
use crate::models::ProviderKind;

/// How much of an embeddings answer is read: a batch of [`MAX_BATCH`]
/// vectors of 4,096 numbers as JSON text is about 3 MiB.
pub const EMBED_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// The most texts sent in one request.
pub const MAX_BATCH: usize = 32;

/// Which request shape a provider's embeddings take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddingApi {
    /// `POST {base}/embeddings`, answers in `data[].embedding`.
    OpenAi,
    /// Ollama's `POST {root}/api/embed`, answers in `embeddings`.
    Ollama,
}

/// The embeddings shape a provider kind speaks, or why it has none.
pub fn api_for(kind: ProviderKind, provider: &str) -> Result<EmbeddingApi> {
    match kind {
        ProviderKind::OpenaiCompatible | ProviderKind::Openrouter => Ok(EmbeddingApi::OpenAi),
        ProviderKind::Ollama => Ok(EmbeddingApi::Ollama),
        ProviderKind::Anthropic
        | ProviderKind::Glm
        | ProviderKind::Local
        | ProviderKind::Koboldcpp
        | ProviderKind::Llamacpp
        | ProviderKind::TextCompletion => Err(AppError::validation(
            "embeddingModel",
            format!(
                "{provider} has no embeddings endpoint Parley can use; choose a model on an OpenAI-compatible server, Ollama, LM Studio or a llama.cpp server, or keep memory on keywords alone (Off)"
            ),
        )
        .worded("no_embeddings", json!({ "provider": provider }))),
    }
}

/// The vectors of `texts` (at most [`MAX_BATCH`]) from `model` at
/// `endpoint`, one per text, in order, all of one length.
pub async fn embed(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    model: &str,
    texts: &[String],
) -> Result<Vec<Vec<f32>>> {
    let api = api_for(endpoint.kind, &endpoint.name)?;
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let (url, body) = match api {
        EmbeddingApi::OpenAi => (
            endpoint.url("embeddings"),
            json!({ "model": model, "input": texts }),
        ),
        EmbeddingApi::Ollama => (
            format!("{}/api/embed", ollama_root(&endpoint.base_url)),
            json!({ "model": model, "input": texts }),
        ),
    };
    let mut request = http.post(url).json(&body);
    if let Some(key) = endpoint.api_key.as_ref().filter(|k| !k.is_empty()) {
        request = request.bearer_auth(key.expose());
    }
    let response = send(endpoint, request, Some(model)).await?;
    let (bytes, complete) = read_limited(response, EMBED_BODY_LIMIT)
        .await
        .map_err(|e| errors::from_reqwest(endpoint, &e))?
        .ok_or_else(|| errors::too_slow(endpoint))?;
    if !complete {
        return Err(refused(
            endpoint,
            format!(
                "sent more than {} MiB for {} passages; Parley stopped reading it. Check the embedding model and the base URL in Providers & models",
                EMBED_BODY_LIMIT / (1024 * 1024),
                texts.len()
            ),
        )
        .worded(
            "embed_too_large",
            json!({ "name": endpoint.name, "mib": EMBED_BODY_LIMIT / (1024 * 1024), "count": texts.len() }),
        ));
    }
    let json: Value = serde_json::from_slice(&bytes)
        .map_err(|_| {
            refused(endpoint, "answered with something that is not JSON where vectors were expected; is this an embeddings endpoint?".into())
                .worded("embed_not_json", json!({ "name": endpoint.name }))
        })?;
    let vectors = match api {
        EmbeddingApi::OpenAi => openai_vectors(&json),
        EmbeddingApi::Ollama => ollama_vectors(&json),
    }
    .ok_or_else(|| {
        refused(endpoint, "answered without the vectors Parley asked for; check that the model is an embedding model".into())
            .worded("embed_no_vectors", json!({ "name": endpoint.name }))
    })?;
    check(endpoint, texts.len(), vectors)
}

/// Ollama's root: the base URL without a trailing `/v1` (Parley's Ollama
/// providers point at its OpenAI-compatible `/v1`).
fn ollama_root(base: &str) -> &str {
    let base = base.trim_end_matches('/');
    base.strip_suffix("/v1").unwrap_or(base)
}

/// `data[].embedding`, placed by each item's `index` when it has one.
fn openai_vectors(json: &Value) -> Option<Vec<Vec<f64>>> {
    let data = json.get("data")?.as_array()?;
    let mut items: Vec<(usize, Vec<f64>)> = Vec::with_capacity(data.len());
    for (i, item) in data.iter().enumerate() {
        let index = item
            .get("index")
            .and_then(Value::as_u64)
            .map_or(i, |n| n as usize);
        items.push((index, numbers(item.get("embedding")?)?));
    }
    items.sort_by_key(|(i, _)| *i);
    Some(items.into_iter().map(|(_, v)| v).collect())
}

fn ollama_vectors(json: &Value) -> Option<Vec<Vec<f64>>> {
    json.get("embeddings")?
        .as_array()?
        .iter()
        .map(numbers)
        .collect()
}

fn numbers(v: &Value) -> Option<Vec<f64>> {
    v.as_array()?.iter().map(Value::as_f64).collect()
}

/// One vector per text, all of one non-zero length, finite as `f32`.
fn check(endpoint: &Endpoint, asked: usize, vectors: Vec<Vec<f64>>) -> Result<Vec<Vec<f32>>> {
    if vectors.len() != asked {
        return Err(refused(
            endpoint,
            format!(
                "answered with {} vectors for {asked} passages; check that the model is an embedding model",
                vectors.len()
            ),
        )
        .worded(
            "embed_count",
            json!({ "name": endpoint.name, "got": vectors.len(), "asked": asked }),
        ));
    }
    let dims = vectors.first().map_or(0, Vec::len);
    if dims == 0 {
        return Err(refused(
            endpoint,
            "answered with empty vectors; check that the model is an embedding model".into(),
        )
        .worded("embed_empty", json!({ "name": endpoint.name })));
    }
    if let Some(odd) = vectors.iter().find(|v| v.len() != dims) {
        return Err(refused(
            endpoint,
            format!(
                "answered with vectors of different lengths ({dims} and {}); Parley cannot compare them. Check the embedding model",
                odd.len()
            ),
        )
        .worded(
            "embed_uneven",
            json!({ "name": endpoint.name, "dims": dims, "other": odd.len() }),
        ));
    }
    let out: Vec<Vec<f32>> = vectors
        .into_iter()
        .map(|v| v.into_iter().map(|x| x as f32).collect())
        .collect();
    if out.iter().flatten().any(|x| !x.is_finite()) {
        return Err(refused(
            endpoint,
            "answered with numbers out of range in its vectors; check the embedding model".into(),
        )
        .worded("embed_out_of_range", json!({ "name": endpoint.name })));
    }
    Ok(out)
}

/// The model now answers with vectors of another length than those stored.
pub fn dims_changed(endpoint: &Endpoint, before: i64, now: usize) -> AppError {
    refused(
        endpoint,
        format!(
            "now answers with {now} numbers per passage where it gave {before} before, so its vectors cannot be compared; choose the embedding model again in Settings > Memory to start over"
        ),
    )
    .worded(
        "embed_dims_changed",
        json!({ "name": endpoint.name, "now": now, "before": before }),
    )
}

fn refused(endpoint: &Endpoint, what: String) -> AppError {
    external(endpoint, None, format!("{} {what}", endpoint.name), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ollama_root_drops_the_openai_suffix() {
        assert_eq!(
            ollama_root("http://localhost:11434/v1"),
            "http://localhost:11434"
        );
        assert_eq!(
            ollama_root("http://localhost:11434/v1/"),
            "http://localhost:11434"
        );
        assert_eq!(ollama_root("http://box:11434"), "http://box:11434");
    }

    #[test]
    fn openai_items_are_placed_by_index() {
        let json = json!({"data": [
            {"index": 1, "embedding": [0.0, 1.0]},
            {"index": 0, "embedding": [1.0, 0.0]},
        ]});
        assert_eq!(
            openai_vectors(&json),
            Some(vec![vec![1.0, 0.0], vec![0.0, 1.0]])
        );
        assert_eq!(
            openai_vectors(&json!({"data": [{"embedding": "no"}]})),
            None
        );
    }
}
