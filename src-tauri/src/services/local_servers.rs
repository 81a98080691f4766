//! The usual local AI servers and their ports, and "Find a local server":
//! every preset's port on this computer asked for its models at once, with
//! a short timeout, and the ones that answer listed. Nothing is saved here;
//! the person picks a model and `provider::connect` saves it.
//!
//! Each preset speaks the OpenAI-compatible API under `/v1` (Ollama's own
//! kind uses the same client). In builds for the end-to-end tests only,
//! `PARLEY_E2E_SCAN_PORTS="8080=54321,…"` moves a preset to another port
//! so a test's mock server can stand in for a real one.

use std::time::Duration;

use serde::Serialize;

use crate::ai::{Endpoint, RemoteModel};
use crate::models::ProviderKind;

/// A local server people run, where it listens by default.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    pub name: &'static str,
    pub kind: ProviderKind,
    pub port: u16,
}

pub const PRESETS: [Preset; 5] = [
    Preset {
        name: "Ollama",
        kind: ProviderKind::Ollama,
        port: 11434,
    },
    Preset {
        name: "LM Studio",
        kind: ProviderKind::OpenaiCompatible,
        port: 1234,
    },
    Preset {
        name: "llama.cpp server",
        kind: ProviderKind::OpenaiCompatible,
        port: 8080,
    },
    Preset {
        name: "KoboldCpp",
        kind: ProviderKind::OpenaiCompatible,
        port: 5001,
    },
    Preset {
        name: "Jan",
        kind: ProviderKind::OpenaiCompatible,
        port: 1337,
    },
];

/// How long one server may take to list its models: a local server that
/// is up answers in milliseconds; one that is not refuses at once.
const ASK_TIMEOUT: Duration = Duration::from_secs(3);

impl Preset {
    /// The base URL the OpenAI-compatible client expects (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("http://localhost:{}/v1", self.scan_port())
    }

    fn scan_port(&self) -> u16 {
        #[cfg(feature = "e2e")]
        if let Ok(map) = std::env::var("PARLEY_E2E_SCAN_PORTS") {
            for pair in map.split(',') {
                if let Some((from, to)) = pair.split_once('=') {
                    if from.trim().parse() == Ok(self.port) {
                        if let Ok(to) = to.trim().parse() {
                            return to;
                        }
                    }
                }
            }
        }
        self.port
    }
}

/// A local server that answered, and the models it offers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundServer {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: String,
    pub models: Vec<RemoteModel>,
}

/// The context length each model runs with, as the server itself reports
/// it on its own endpoint (the OpenAI-style list says nothing of it): the
/// model's `<arch>.context_length` from Ollama's `/api/show`, LM Studio's
/// loaded (else maximum) length from `/api/v0/models`, llama.cpp's `n_ctx`
/// from `/props`, KoboldCpp's `true_max_context_length`. A server that does
/// not answer leaves the length unknown; the person's setting applies then.
pub async fn context_lengths(
    http: &reqwest::Client,
    server: &str,
    root: &str,
    models: &mut [RemoteModel],
) {
    let get = |path: &str| http.get(format!("{root}{path}")).timeout(ASK_TIMEOUT);
    match server {
        "Ollama" => {
            // One question per model, all at once: a slow server costs one
            // timeout, not one per model.
            let asks = models
                .iter_mut()
                .filter(|m| m.context_length.is_none())
                .take(20)
                .map(|m| async move {
                    let ask = http
                        .post(format!("{root}/api/show"))
                        .timeout(ASK_TIMEOUT)
                        .json(&serde_json::json!({ "model": m.id }));
                    if let Some(info) = json_of(ask).await {
                        m.context_length = info
                            .get("model_info")
                            .and_then(|i| i.as_object())
                            .and_then(|i| {
                                i.iter()
                                    .find(|(k, _)| k.ends_with(".context_length"))
                                    .and_then(|(_, v)| v.as_i64())
                            });
                    }
                });
            futures_util::future::join_all(asks).await;
        }
        "LM Studio" => {
            let Some(list) = json_of(get("/api/v0/models")).await else {
                return;
            };
            for entry in list
                .get("data")
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
            {
                let length = entry
                    .get("loaded_context_length")
                    .or_else(|| entry.get("max_context_length"))
                    .and_then(|v| v.as_i64());
                let id = entry.get("id").and_then(|v| v.as_str());
                if let Some(m) = models.iter_mut().find(|m| Some(m.id.as_str()) == id) {
                    m.context_length = length.or(m.context_length);
                }
            }
        }
        "llama.cpp server" | "KoboldCpp" => {
            let (path, pointer) = if server == "KoboldCpp" {
                ("/api/extra/true_max_context_length", "/value")
            } else {
                ("/props", "/default_generation_settings/n_ctx")
            };
            if let Some(n) = json_of(get(path))
                .await
                .and_then(|v| v.pointer(pointer).and_then(|n| n.as_i64()))
            {
                for m in models.iter_mut() {
                    m.context_length = Some(n);
                }
            }
        }
        _ => {}
    }
}

async fn json_of(request: reqwest::RequestBuilder) -> Option<serde_json::Value> {
    let response = request.send().await.ok()?.error_for_status().ok()?;
    let bytes = response.bytes().await.ok()?;
    if bytes.len() > 4 << 20 {
        return None;
    }
    serde_json::from_slice(&bytes).ok()
}

/// Asks every preset's port at once; the servers that answered with their
/// models, in the presets' order. A server that is not running is simply
/// not listed.
pub async fn scan(http: &reqwest::Client) -> Vec<FoundServer> {
    let asks = PRESETS.iter().map(|p| async move {
        let endpoint = Endpoint {
            kind: p.kind,
            name: p.name.to_string(),
            base_url: p.base_url(),
            api_key: None,
            instruct: None,
        };
        let client = crate::ai::provider_for(endpoint.clone());
        match tokio::time::timeout(ASK_TIMEOUT, client.list_models(http)).await {
            Ok(Ok(mut models)) => {
                let root = endpoint.base_url.trim_end_matches("/v1").to_string();
                let asked = context_lengths(http, p.name, &root, &mut models);
                let _ = tokio::time::timeout(ASK_TIMEOUT, asked).await;
                Some(FoundServer {
                    name: endpoint.name,
                    kind: endpoint.kind,
                    base_url: endpoint.base_url,
                    models,
                })
            }
            Ok(Err(e)) => {
                tracing::debug!(server = p.name, error = %e, "local server did not answer");
                None
            }
            Err(_) => None,
        }
    });
    futures_util::future::join_all(asks)
        .await
        .into_iter()
        .flatten()
        .collect()
}
