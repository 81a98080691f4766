//! The key file: API keys in a tauri-plugin-store file (`secrets.json`) in
//! the app's data folder, created with mode 0600 before anything is written
//! to it.
//!
//! It is the "else" of the design's "OS keychain where available, else the
//! key file": `app::run` layers the keychain over it
//! (`secrets::LayeredSecretStore`, so keys saved here before a keychain
//! appeared are still found), and it is the only store when there is no
//! keychain or the data folder is moved (`PARLEY_DATA_DIR`). The plugin
//! holds this file and nothing else; preferences are in SQLite
//! (`services::app_config`). Trap: the plugin announces every change to the
//! window as a `store://change` event, value included.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use tauri::{Runtime, Wry};
use tauri_plugin_store::Store;

use crate::error::{AppError, Result};
use crate::secrets::{Secret, SecretStore};

pub const SECRETS_FILE: &str = "secrets.json";

pub struct PluginSecretStore<R: Runtime = Wry> {
    store: Arc<Store<R>>,
    path: PathBuf,
}

impl<R: Runtime> PluginSecretStore<R> {
    /// Opens (creating, mode 0600) `<dir>/secrets.json`.
    pub fn open(app: &tauri::AppHandle<R>, dir: &Path) -> Result<Self> {
        use tauri_plugin_store::StoreExt;
        let path = dir.join(SECRETS_FILE);
        create_private(&path)?;
        let store = app.store(&path).map_err(|e| {
            tracing::error!(error = %e, "secret store unavailable");
            AppError::internal("the API key store could not be opened; see the log")
        })?;
        Ok(Self { store, path })
    }
}

fn create_private(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        use std::io::Write;
        options.open(path)?.write_all(b"{}")?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

impl<R: Runtime> SecretStore for PluginSecretStore<R> {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        Ok(match self.store.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s)),
            _ => None,
        })
    }

    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.store
            .set(key, Value::String(value.expose().to_string()));
        self.save()
    }

    fn delete(&self, key: &str) -> Result<()> {
        if self.store.delete(key) {
            self.save()?;
        }
        Ok(())
    }
}

impl<R: Runtime> PluginSecretStore<R> {
    fn save(&self) -> Result<()> {
        self.store.save().map_err(|e| {
            tracing::error!(error = %e, path = %self.path.display(), "secret store save failed");
            AppError::internal("the API key could not be saved; see the log")
        })?;
        create_private(&self.path)
    }
}
