//! Where Parley keeps its files: the data folder (database, key file), the
//! log folder and the database path, the same for the window and the
//! command line.
//!
//! No Tauri app handle is needed (the command line has none): the folders
//! are the ones Tauri's path resolver gives for the bundle identifier,
//! computed the same way (`dirs`), and a test holds the two in step.
//! `PARLEY_DATA_DIR` moves everything (tests, portable setups);
//! `PARLEY_DB` moves only the database (`db::resolve_path`).

use serde_json::json;
use std::path::PathBuf;

use crate::db;
use crate::error::{AppError, Result};

/// The bundle identifier (`tauri.conf.json`); also the data folder's name.
pub const APP_IDENTIFIER: &str = "org.parley.desktop";

/// Environment variable that moves the whole data folder (database, key
/// store, logs): used by tests to keep each run apart.
pub const DATA_DIR_ENV: &str = "PARLEY_DATA_DIR";

/// `PARLEY_DATA_DIR`, when set and not empty.
pub fn data_dir_override() -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn no_home(what: &str) -> AppError {
    let code = if what == "log" {
        "no_log_folder"
    } else {
        "no_data_folder"
    };
    AppError::internal(format!(
        "cannot find the {what} folder (no home folder?); set {DATA_DIR_ENV} to choose one"
    ))
    .worded(code, json!({ "env": DATA_DIR_ENV }))
}

/// The data folder: `PARLEY_DATA_DIR`, else what Tauri's `app_data_dir`
/// resolves to (`<platform data dir>/org.parley.desktop`).
pub fn data_dir() -> Result<PathBuf> {
    match data_dir_override() {
        Some(dir) => Ok(dir),
        None => dirs::data_dir()
            .map(|d| d.join(APP_IDENTIFIER))
            .ok_or_else(|| no_home("data")),
    }
}

/// The log folder: `<PARLEY_DATA_DIR>/logs`, else what Tauri's
/// `app_log_dir` resolves to (`~/Library/Logs/<id>` on macOS,
/// `<local data dir>/<id>/logs` elsewhere).
pub fn log_dir() -> Result<PathBuf> {
    if let Some(dir) = data_dir_override() {
        return Ok(dir.join("logs"));
    }
    let dir = if cfg!(target_os = "macos") {
        dirs::home_dir().map(|h| h.join("Library/Logs").join(APP_IDENTIFIER))
    } else {
        dirs::data_local_dir().map(|d| d.join(APP_IDENTIFIER).join("logs"))
    };
    dir.ok_or_else(|| no_home("log"))
}

/// The database file: `PARLEY_DB`, else `parley.db` in the data folder.
pub fn db_path() -> Result<PathBuf> {
    Ok(db::resolve_path(&data_dir()?))
}

/// The person's home folder, where other apps keep their models and data
/// (LM Studio, Jan, Ollama, SillyTavern). In builds for the end-to-end
/// tests only, `PARLEY_E2E_HOME` stands in for it, so a test's planted
/// files are all the window finds.
pub fn home() -> PathBuf {
    #[cfg(feature = "e2e")]
    if let Some(h) = std::env::var_os("PARLEY_E2E_HOME") {
        return PathBuf::from(h);
    }
    dirs::home_dir().unwrap_or_default()
}
