//! API keys and other secrets: a wrapper that never prints its value, and
//! the store trait services use to keep keys out of SQLite.
//!
//! The app's store lives in `crate::app_store` (the OS keychain is not
//! used yet; keys go to the tauri-plugin-store file with mode 0600). Tests
//! use [`MemorySecretStore`].

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
}

/// The key under which a provider's API key is stored.
pub fn provider_key(provider_id: crate::models::Id) -> String {
    format!("provider.{provider_id}.api_key")
}

/// Secrets in memory, for tests and the command line.
#[derive(Default)]
pub struct MemorySecretStore(Mutex<HashMap<String, Secret>>);

impl MemorySecretStore {
    fn map(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Secret>>> {
        self.0
            .lock()
            .map_err(|_| AppError::internal("the secret store is unavailable"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("sk-live-123");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert!(!format!("{:?}", Some(&s)).contains("sk-live"));
    }
}
