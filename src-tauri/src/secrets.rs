//! API keys and other secrets: a wrapper that never prints its value, and
//! the store trait services use to keep keys out of SQLite.
//!
//! The app keeps keys in the OS keychain when the platform has one that
//! answers ([`KeychainSecretStore`]: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows), else in Parley's own key file
//! (`crate::key_file`, mode 0600, written atomically);
//! [`LayeredSecretStore`] reads both so a key saved before a keychain
//! appeared is still found. Tests use [`MemorySecretStore`].

use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer};

use crate::error::{AppError, Result};

/// A secret string. `Debug` prints `[redacted]`; it has no `Display` and no
/// `Serialize`, so it cannot reach a log line, an export or an IPC reply by
/// accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

/// Where secrets are kept, by key (`provider.<id>.api_key`).
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<Secret>>;
    fn set(&self, key: &str, value: &Secret) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
    /// What the person must be told about the store (a key file that was
    /// set aside), in words for the window; never a key.
    fn notice(&self) -> Option<String> {
        None
    }
}

/// The key under which a provider's API key is stored.
pub fn provider_key(provider_id: uuid::Uuid) -> String {
    format!("provider.{provider_id}.api_key")
}

/// Secrets in memory, for tests and the command line.
#[derive(Default)]
pub struct MemorySecretStore(Mutex<HashMap<String, Secret>>);

impl MemorySecretStore {
    fn map(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Secret>>> {
        self.0.lock().map_err(|_| {
            AppError::internal("the secret store is unavailable")
                .worded("secret_store_unavailable", json!({}))
        })
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        Ok(self.map()?.get(key).cloned())
    }
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.map()?.insert(key.to_string(), value.clone());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.map()?.remove(key);
        Ok(())
    }
}

/// The keychain's service name for Parley's entries.
pub const KEYCHAIN_SERVICE: &str = "org.parley.desktop";

/// Secrets in the OS keychain, one entry per key.
#[derive(Debug, Default)]
pub struct KeychainSecretStore;

impl KeychainSecretStore {
    /// The keychain, if the platform has one that answers now.
    pub fn probe() -> Option<Self> {
        match keyring::Entry::new(KEYCHAIN_SERVICE, "parley.probe").and_then(|e| e.get_password()) {
            Ok(_) | Err(keyring::Error::NoEntry) => Some(Self),
            Err(e) => {
                tracing::info!(reason = %e, "no OS keychain; API keys go to the key file");
                None
            }
        }
    }

    fn entry(key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYCHAIN_SERVICE, key).map_err(keychain_error)
    }
}

fn keychain_error(e: keyring::Error) -> AppError {
    // keyring's errors describe the platform failure, never the secret.
    tracing::error!(error = %e, "keychain failure");
    AppError::internal(format!(
        "the system keychain refused the request ({e}); unlock it and try again"
    ))
    .worded("keychain_refused", json!({ "reason": e.to_string() }))
}

impl SecretStore for KeychainSecretStore {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        match Self::entry(key)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        Self::entry(key)?
            .set_password(value.expose())
            .map_err(keychain_error)
    }
    fn delete(&self, key: &str) -> Result<()> {
        match Self::entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// A preferred store over a fallback: reads the preferred one first, writes
/// only to it, and clears the fallback's copy so a key lives in one place.
pub struct LayeredSecretStore {
    pub preferred: Box<dyn SecretStore>,
    pub fallback: Box<dyn SecretStore>,
}

impl SecretStore for LayeredSecretStore {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        match self.preferred.get(key)? {
            Some(s) => Ok(Some(s)),
            None => self.fallback.get(key),
        }
    }
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.preferred.set(key, value)?;
        self.fallback.delete(key)
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.preferred.delete(key)?;
        self.fallback.delete(key)
    }
    fn notice(&self) -> Option<String> {
        self.preferred.notice().or_else(|| self.fallback.notice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layered_reads_old_keys_and_moves_them_on_write() {
        let old = MemorySecretStore::default();
        old.set("a", &Secret::new("from-file")).unwrap();
        let store = LayeredSecretStore {
            preferred: Box::new(MemorySecretStore::default()),
            fallback: Box::new(old),
        };
        assert_eq!(store.get("a").unwrap().unwrap().expose(), "from-file");
        store.set("a", &Secret::new("new")).unwrap();
        assert_eq!(store.preferred.get("a").unwrap().unwrap().expose(), "new");
        assert!(store.fallback.get("a").unwrap().is_none(), "one copy only");
        store.delete("a").unwrap();
        assert!(store.get("a").unwrap().is_none());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("sk-live-123");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert!(!format!("{:?}", Some(&s)).contains("sk-live"));
    }
}
