//! Preferences: typed keys with a description and a default over the
//! `app_config` key-value table.
//!
//! Code reads and writes a preference through its [`Key`] (`read(pool,
//! &ENTER_SENDS)`), or any key with [`get`] / [`set`] and a default. The
//! window reaches only the keys in [`known`], and only with a value of the
//! key's type. A stored value that no longer reads as its type (an older
//! Parley wrote it) gives the default, not an error. Never a secret here:
//! the table is plain text in the database file.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::Value;
use sqlx::SqlitePool;

use crate::error::{AppError, Result};
use crate::models::Timestamp;
use crate::repos::app_config as repo;

/// A preference the app knows: its name, what it is for, its default.
#[derive(Debug, Clone, Copy)]
pub struct Key<T> {
    pub name: &'static str,
    pub description: &'static str,
    pub default: fn() -> T,
}

pub const ENTER_SENDS: Key<bool> = Key {
    name: "chat.enter_sends",
    description: "Enter sends the message (Shift+Enter starts a new line); \
                  false: Ctrl+Enter sends",
    default: || true,
};

/// How many backups `services::backup` keeps (the newest; at least 1).
pub const BACKUPS_KEPT: Key<u32> = Key {
    name: "backup.keep",
    description: "how many backups to keep in the backup folder (the newest; at least 1)",
    default: || 10,
};

/// The model that writes a chat's summaries: an `ai_models` id, or null for
/// the chat's own model.
pub const SUMMARY_MODEL: Key<Option<String>> = Key {
    name: "memory.summary_model",
    description: "the model that summarizes older messages (a model id); null: the chat's own",
    default: || None,
};

/// The embedding model (an `ai_models` id), or `None`: memory ranks by
/// keywords alone. Written only through `services::embedding::set_model`
/// (it checks the model and clears the old model's vectors), so it is not
/// among the keys the window sets directly.
pub const EMBEDDING_MODEL: Key<Option<crate::models::Id>> = Key {
    name: "memory.embedding_model",
    description: "the embedding model (an ai_models id) that gives passages their vectors; null: off, keywords alone",
    default: || None,
};

/// How much vector similarity counts against keywords when ranking memory,
/// 0 (keywords only) to 1 (vectors only). Written through
/// `services::embedding::set_weight`, which checks the range.
pub const VECTOR_WEIGHT: Key<f64> = Key {
    name: "memory.vector_weight",
    description:
        "share of vector similarity in memory's ranking, 0 (keywords only) to 1 (vectors only)",
    default: || 0.5,
};

/// Tokens per chunk of a document added from now on (`services::document`).
pub const CHUNK_SIZE: Key<u32> = Key {
    name: "memory.chunk_size",
    description: "tokens per chunk when a document is added (16 to 8192)",
    default: || 300,
};

/// Tokens of whole sentences a chunk repeats from the one before.
pub const CHUNK_OVERLAP: Key<u32> = Key {
    name: "memory.chunk_overlap",
    description: "tokens of whole sentences each chunk repeats from the one before (less than the chunk size)",
    default: || 40,
};

// Memory (`services::memory`, docs/MEMORY.md).

/// Where memory goes in the prompt (`services::memory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryPosition {
    /// Its own system messages right before the history (after the
    /// example dialogue).
    BeforeHistory,
    /// Inside the first system message, after the character block and
    /// the persona.
    AfterCharacter,
}

pub const DOCUMENTS_BUDGET: Key<i64> = Key {
    name: "memory.documents_budget",
    description: "tokens of document passages a reply may be given (0 turns documents off)",
    default: || 1000,
};

pub const RECALL_BUDGET: Key<i64> = Key {
    name: "memory.recall_budget",
    description: "tokens of the chat's own earlier messages (those out of the history) a reply \
                  may be given (0 turns recall off)",
    default: || 600,
};

/// Tokens of summaries a prompt may hold, newest ranges first.
pub const SUMMARIES_BUDGET: Key<i64> = Key {
    name: "memory.summaries_budget",
    description: "tokens of summaries of earlier messages a reply may be given (0 turns them off)",
    default: || 600,
};

pub const MEMORY_POSITION: Key<MemoryPosition> = Key {
    name: "memory.position",
    description: "where memory goes in the prompt: before_history (its own system messages \
                  before the chat history) or after_character (in the system message, after \
                  the character and persona)",
    default: || MemoryPosition::BeforeHistory,
};

// The memory templates and the summary instruction were keys here until
// the template library (`services::template`) took them over.

/// The author's note a new chat starts with (a chat's own is in Chat
/// settings).
pub const AUTHORS_NOTE: Key<crate::models::AuthorsNote> = Key {
    name: "chat.authors_note",
    description: "the author's note a new chat starts with: text, depth (messages from the end), \
                  frequency (every N of the person's messages; 0 never) and role",
    default: crate::models::AuthorsNote::default,
};

// The built-in engine ("This computer", `ai::llama`), applied by
// `services::local_model::apply_settings` at start and when one changes.

pub const LOCAL_IDLE_MINUTES: Key<u32> = Key {
    name: "local.idle_minutes",
    description: "minutes a model on this computer stays loaded without a reply (at least 1)",
    default: || 10,
};

pub const LOCAL_CONTEXT_CAP: Key<u32> = Key {
    name: "local.context_cap",
    description: "the most context (tokens) a model on this computer gets, whatever it was trained for (512 to 131072)",
    default: || 8192,
};

pub const LOCAL_THREADS: Key<u32> = Key {
    name: "local.threads",
    description: "processor threads for models on this computer; 0: the cores less one",
    default: || 0,
};

// How the window looks (`services::appearance`); the window applies them.

pub const THEME: Key<super::appearance::Theme> = Key {
    name: "ui.theme",
    description: "the window's colours: system (follow the system's light or dark), light or dark",
    default: || super::appearance::Theme::System,
};

pub const ACCENT: Key<Option<super::appearance::Accent>> = Key {
    name: "ui.accent",
    description: "the accent colour as #rrggbb; null: the theme's own",
    default: || None,
};

pub const TEXT_SIZE: Key<super::appearance::TextSize> = Key {
    name: "ui.text_size",
    description: "the text size in percent of the usual (80 to 200)",
    default: || super::appearance::TextSize(100),
};

pub const CHAT_LAYOUT: Key<super::appearance::ChatLayout> = Key {
    name: "ui.chat_layout",
    description:
        "how a chat's messages are laid out: bubbles, or document (one column, names above)",
    default: || super::appearance::ChatLayout::Bubbles,
};

pub const LANGUAGE: Key<super::appearance::Language> = Key {
    name: "ui.language",
    description: "the window's language: system (the system's), en, zh-CN, ja, ko or es",
    default: || super::appearance::Language::System,
};

/// Folders the person named where model files are looked for too. Written
/// only through `services::local_model::add_folder` / `remove_folder`
/// (they check the folder), so not among the keys the window sets.
pub const LOCAL_FOLDERS: Key<Vec<String>> = Key {
    name: "local.folders",
    description: "folders (whole paths) where Parley also looks for GGUF model files",
    default: Vec::new,
};

/// A known key as the registry holds it, whatever its type.
#[derive(Debug, Clone)]
pub struct Known {
    pub name: &'static str,
    pub description: &'static str,
    pub default: Value,
    /// Whether a value reads as the key's type.
    fits: fn(&Value) -> bool,
}

impl<T: Serialize + DeserializeOwned> Key<T> {
    fn known(&self) -> Known {
        Known {
            name: self.name,
            description: self.description,
            default: serde_json::to_value((self.default)()).unwrap_or(Value::Null),
            fits: |v| T::deserialize(v).is_ok(),
        }
    }
}

/// Every key the window may read or write.
pub fn known() -> Vec<Known> {
    vec![
        ENTER_SENDS.known(),
        AUTHORS_NOTE.known(),
        BACKUPS_KEPT.known(),
        SUMMARY_MODEL.known(),
        CHUNK_SIZE.known(),
        CHUNK_OVERLAP.known(),
        DOCUMENTS_BUDGET.known(),
        RECALL_BUDGET.known(),
        SUMMARIES_BUDGET.known(),
        MEMORY_POSITION.known(),
        LOCAL_IDLE_MINUTES.known(),
        LOCAL_CONTEXT_CAP.known(),
        LOCAL_THREADS.known(),
        THEME.known(),
        ACCENT.known(),
        TEXT_SIZE.known(),
        CHAT_LAYOUT.known(),
        LANGUAGE.known(),
    ]
}

fn find(name: &str) -> Option<Known> {
    known().into_iter().find(|k| k.name == name)
}

/// The value stored under `key` as a `T`, else `default` (also when the
/// stored value does not read as a `T`).
pub async fn get<T: DeserializeOwned>(pool: &SqlitePool, key: &str, default: T) -> Result<T> {
    let Some(value) = repo::get(pool, key).await? else {
        return Ok(default);
    };
    match T::deserialize(&value) {
        Ok(v) => Ok(v),
        Err(e) => {
            tracing::warn!(key, error = %e, "a stored preference does not fit its type; using the default");
            Ok(default)
        }
    }
}

/// Stores `value` under `key`, with the key's description when it is known.
pub async fn set<T: Serialize>(pool: &SqlitePool, key: &str, value: &T) -> Result<()> {
    let value = serde_json::to_value(value)?;
    let description = find(key).map_or("", |k| k.description);
    repo::set(pool, key, &value, description, Timestamp::now()).await
}

/// A known preference's value, or its default.
pub async fn read<T: DeserializeOwned>(pool: &SqlitePool, key: &Key<T>) -> Result<T> {
    get(pool, key.name, (key.default)()).await
}

/// Stores a known preference.
pub async fn write<T: Serialize>(pool: &SqlitePool, key: &Key<T>, value: &T) -> Result<()> {
    set(pool, key.name, value).await
}

fn unknown(name: &str) -> AppError {
    let names: Vec<&str> = known().iter().map(|k| k.name).collect();
    let name: String = name.chars().take(100).collect();
    let known = names.join(", ");
    AppError::validation(
        "key",
        format!("there is no preference named \"{name}\"; known: {known}"),
    )
    .worded(
        "unknown_preference",
        json!({ "name": name, "known": known }),
    )
}

/// For the window: a known key's value as JSON (its default when unset).
pub async fn get_value(pool: &SqlitePool, name: &str) -> Result<Value> {
    let key = find(name).ok_or_else(|| unknown(name))?;
    let value = get(pool, key.name, key.default.clone()).await?;
    Ok(if (key.fits)(&value) {
        value
    } else {
        key.default
    })
}

/// For the window: sets a known key to a value of its type; returns it.
pub async fn set_value(pool: &SqlitePool, name: &str, value: Value) -> Result<Value> {
    let key = find(name).ok_or_else(|| unknown(name))?;
    if !(key.fits)(&value) {
        return Err(AppError::validation(
            "value",
            format!("{value} does not fit \"{}\": {}", key.name, key.description),
        )
        .worded(
            "setting_value_unfit",
            json!({ "value": value.to_string(), "key": key.name }),
        ));
    }
    set(pool, key.name, &value).await?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_key_is_unique_and_its_default_fits() {
        let keys = known();
        for k in &keys {
            assert!((k.fits)(&k.default), "{}'s default does not fit it", k.name);
            assert_eq!(keys.iter().filter(|o| o.name == k.name).count(), 1);
            assert!(!k.description.is_empty());
        }
    }

    #[test]
    fn values_are_checked_against_the_key_type() {
        let enter = ENTER_SENDS.known();
        assert!((enter.fits)(&serde_json::json!(false)));
        assert!(!(enter.fits)(&serde_json::json!("yes")));
        assert!(!(enter.fits)(&serde_json::json!(null)));
    }
}
