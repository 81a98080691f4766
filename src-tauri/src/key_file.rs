//! Parley's own key file: API keys in `<data dir>/keys.json` where there is
//! no OS keychain (and whenever `PARLEY_DATA_DIR` moves the data folder).
//!
//! The file is a JSON object of `provider.<id>.api_key` -> key, mode 0600
//! from its creation. Every change is written whole and atomically: a
//! temporary file (0600) in the same folder, written, synced, renamed over
//! the old one, then the folder synced; a crash leaves the old file or the
//! new one, never half of either.
//!
//! A key file that cannot be read (not JSON, the wrong shape, unreadable)
//! is set aside as `keys.json.unreadable-<time>`, with its bytes intact,
//! and [`KeyFileStore::notice`] says so in words for the window; it is
//! never replaced by an empty file (a new one only appears when a key is
//! saved). Keys kept by earlier versions in the store plugin's
//! `secrets.json` are moved here once; that file is removed only after the
//! new one is synced. tauri-plugin-store holds no secret: it writes in
//! place and announces every change, value included, to the window.

use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{AppError, Result};
use crate::secrets::{Secret, SecretStore};

/// The key file's name in the data folder.
pub const KEY_FILE: &str = "keys.json";
/// Where versions before the key file kept keys (tauri-plugin-store).
pub const OLD_PLUGIN_FILE: &str = "secrets.json";

pub struct KeyFileStore {
    path: PathBuf,
    keys: Mutex<BTreeMap<String, String>>,
    notice: Option<String>,
    /// Set when an unreadable file could not be set aside: writing would
    /// replace it, so writes are refused.
    stuck: bool,
}

/// What reading a file found.
enum Read {
    Missing,
    Keys(BTreeMap<String, String>),
    Unreadable(String),
}

impl KeyFileStore {
    /// Opens `<dir>/keys.json`, setting aside a file it cannot read and
    /// moving in keys from an old `secrets.json`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(KEY_FILE);
        let mut notices = Vec::new();
        let mut stuck = false;
        let mut keys = match read(&path) {
            Read::Keys(keys) => keys,
            Read::Missing => BTreeMap::new(),
            Read::Unreadable(why) => {
                match set_aside(&path) {
                    Ok(aside) => notices.push(format!(
                        "Parley could not read its key file ({why}); it was set aside as {} and your API keys are not loaded. Enter your keys again in Providers & models.",
                        aside.display()
                    )),
                    Err(e) => {
                        stuck = true;
                        notices.push(format!(
                            "Parley could not read its key file {} ({why}) and could not set it aside ({e}); no key can be saved until it is moved away or fixed.",
                            path.display()
                        ));
                    }
                }
                BTreeMap::new()
            }
        };
        let store_migrated = migrate_plugin_file(dir, &path, &mut keys, stuck, &mut notices)?;
        for notice in &notices {
            tracing::error!(notice = %notice, "key file");
        }
        if store_migrated {
            tracing::info!("API keys moved from the store plugin's file into the key file");
        }
        Ok(Self {
            path,
            keys: Mutex::new(keys),
            notice: (!notices.is_empty()).then(|| notices.join(" ")),
            stuck,
        })
    }

    /// What the person must be told about the key file, if anything.
    pub fn notice(&self) -> Option<String> {
        self.notice.clone()
    }

    fn keys(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<String, String>>> {
        self.keys.lock().map_err(|_| {
            AppError::internal("the key file is unavailable")
                .worded("key_file_unavailable", json!({}))
        })
    }

    /// Writes `keys` as the new file, or leaves everything as it was.
    fn save(&self, keys: &BTreeMap<String, String>) -> Result<()> {
        if self.stuck {
            return Err(AppError::internal(format!(
                "the API key was not saved: the unreadable key file {} is still in the way; move it elsewhere and restart Parley",
                self.path.display()
            ))
            .worded("key_file_stuck", json!({ "path": self.path.display().to_string() })));
        }
        write_atomically(&self.path, &to_json(keys)?).map_err(|e| {
            tracing::error!(error = %e, path = %self.path.display(), "key file write failed");
            AppError::internal(format!(
                "the API key could not be saved to {} ({e}); the keys saved before are unchanged",
                self.path.display()
            ))
            .worded(
                "key_not_saved",
                json!({ "path": self.path.display().to_string(), "reason": e.to_string() }),
            )
        })
    }
}

impl SecretStore for KeyFileStore {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        Ok(self
            .keys()?
            .get(key)
            .filter(|v| !v.is_empty())
            .map(|v| Secret::new(v.clone())))
    }

    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        let mut keys = self.keys()?;
        let mut next = keys.clone();
        next.insert(key.to_string(), value.expose().to_string());
        self.save(&next)?;
        *keys = next;
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        let mut keys = self.keys()?;
        if !keys.contains_key(key) {
            return Ok(());
        }
        let mut next = keys.clone();
        next.remove(key);
        self.save(&next)?;
        *keys = next;
        Ok(())
    }

    fn notice(&self) -> Option<String> {
        KeyFileStore::notice(self)
    }
}

fn to_json(keys: &BTreeMap<String, String>) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(keys).map_err(|e| {
        AppError::internal(format!("the key file could not be written ({e})"))
            .worded("key_file_not_written", json!({ "reason": e.to_string() }))
    })
}

/// Reads a JSON object of strings; anything else is unreadable, with why.
fn read(path: &Path) -> Read {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return Read::Unreadable(format!("it could not be opened: {e}")),
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(map)) => {
            let mut keys = BTreeMap::new();
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) => {
                        keys.insert(k, s);
                    }
                    // The plugin's file may hold other values; they are not keys.
                    _ if path.ends_with(OLD_PLUGIN_FILE) => {}
                    _ => return Read::Unreadable(format!("the entry \"{k}\" is not text")),
                }
            }
            Read::Keys(keys)
        }
        Ok(_) => Read::Unreadable("it is not a JSON object".into()),
        Err(e) => Read::Unreadable(format!("it is not JSON: {e}")),
    }
}

/// Moves keys from the store plugin's old `secrets.json` into the key file
/// once: the new file is written and synced before the old one is removed.
fn migrate_plugin_file(
    dir: &Path,
    path: &Path,
    keys: &mut BTreeMap<String, String>,
    stuck: bool,
    notices: &mut Vec<String>,
) -> Result<bool> {
    let old = dir.join(OLD_PLUGIN_FILE);
    let found = match read(&old) {
        Read::Missing => return Ok(false),
        Read::Keys(found) => found,
        Read::Unreadable(why) => {
            match set_aside(&old) {
                Ok(aside) => notices.push(format!(
                    "Parley could not read the keys an earlier version saved ({why}); that file was set aside as {}. Enter those keys again in Providers & models.",
                    aside.display()
                )),
                Err(e) => tracing::error!(error = %e, "could not set aside the old key file"),
            }
            return Ok(false);
        }
    };
    if stuck {
        return Ok(false);
    }
    let mut moved = false;
    for (k, v) in found.into_iter().filter(|(_, v)| !v.is_empty()) {
        if let std::collections::btree_map::Entry::Vacant(slot) = keys.entry(k) {
            slot.insert(v);
            moved = true;
        }
    }
    if moved {
        write_atomically(path, &to_json(keys)?).map_err(|e| {
            AppError::internal(format!(
                "the API keys of an earlier version could not be moved to {} ({e}); they stay in {}",
                path.display(),
                old.display()
            ))
            .worded(
                "keys_not_moved",
                json!({
                    "path": path.display().to_string(),
                    "reason": e.to_string(),
                    "old": old.display().to_string(),
                }),
            )
        })?;
    }
    std::fs::remove_file(&old)?;
    sync_dir(dir)?;
    Ok(moved)
}

/// Renames an unreadable file to `<name>.unreadable-<UTC time>`, keeping
/// its bytes; returns the new path.
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| KEY_FILE.to_string());
    let mut aside = path.with_file_name(format!("{name}.unreadable-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = path.with_file_name(format!("{name}.unreadable-{stamp}-{n}"));
    }
    std::fs::rename(path, &aside)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(aside)
}

/// Replaces `path` with `bytes`: a private temporary file in the same
/// folder, written and synced, renamed over `path`, the folder synced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    // A stale temporary file from a crash may have other permissions.
    let _ = std::fs::remove_file(&tmp);
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
