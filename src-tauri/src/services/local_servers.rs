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
            Ok(Ok(models)) => Some(FoundServer {
                name: endpoint.name,
                kind: endpoint.kind,
                base_url: endpoint.base_url,
                models,
            }),
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
