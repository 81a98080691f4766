//! The one struct the app manages: database pool, secret store, paths.
//! Pool and store are cheap to share; nothing here is behind a Mutex.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::SqlitePool;

use crate::secrets::SecretStore;

pub struct AppState {
    pub pool: SqlitePool,
    pub secrets: Arc<dyn SecretStore>,
    pub db_path: PathBuf,
    pub log_dir: PathBuf,
    pub schema_version: i64,
}
