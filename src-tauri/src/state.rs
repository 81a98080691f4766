//! The one struct the app manages: database pool, secret store, the
//! generation engine, paths. Pool, client and store are cheap to share;
//! nothing here is behind a Mutex.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::SqlitePool;

use crate::secrets::SecretStore;
use crate::services::generation::Engine;

pub struct AppState {
    pub pool: SqlitePool,
    pub secrets: Arc<dyn SecretStore>,
    /// Pool, HTTP client, secrets, running generations and the event sink.
    pub engine: Engine,
    pub db_path: PathBuf,
    pub log_dir: PathBuf,
    pub schema_version: i64,
}
