//! The one context the app manages and every command reads: database pool,
//! HTTP client, secret store, the replies being written, and the paths.
//! Pool, client and store are cheap to share and clone; nothing here is
//! behind a Mutex (the reply registry locks inside, briefly). No Tauri
//! types, so services take it too.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::SqlitePool;

use crate::secrets::SecretStore;
use crate::services::embedding::shared::Embeddings;
use crate::services::generation::registry::Replies;
use crate::services::memory::summary_queue::Summaries;

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    /// One client for the app's life (connection pools, TLS sessions).
    pub http: reqwest::Client,
    pub secrets: Arc<dyn SecretStore>,
    /// The replies being written, by chat.
    pub replies: Arc<Replies>,
    /// The summaries of older messages waiting or being written.
    pub summaries: Arc<Summaries>,
    /// The embedding indexer's progress and bell (`services::embedding`).
    pub embeddings: Arc<Embeddings>,
    /// Model files being downloaded (`services::model_download`).
    pub downloads: Arc<crate::services::model_download::progress::Downloads>,
    pub db_path: PathBuf,
    pub log_dir: PathBuf,
    pub schema_version: i64,
}
