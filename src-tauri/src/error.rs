//! The one error type every layer returns, and how it reaches the UI.
//!
//! `AppError` serializes as `{"error": message, "type": kind, "details": {...}}`,
//! plus `"code"` and `"values"` when the error is worded by code: the window
//! words it in the person's language from its catalogue (`error.<code>`,
//! ui/locales), filling in the values, and shows the English message when
//! its catalogue has no such code. Messages are written for the person using
//! the app: they say what failed and what to do. Database and HTTP internals
//! are logged here, never shown.
//!
//! One piece by design: the error type, its causes and their words for the
//! window, and the mapping of database and file errors, are one contract.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

/// Crate-wide result with [`AppError`] as the default error.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// What the window needs to word an error in the person's language: a
/// code its catalogue knows (`error.<code>`) and the values the words name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub code: &'static str,
    pub values: Value,
}

/// Why a file or a value was refused, in English and by code: the cause
/// inside a larger error ("card.png: its PNG data ends early"). The window
/// words it from `error.<code>` with its values, like an error of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub message: String,
    pub words: Option<Box<Words>>,
}

impl Cause {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            words: None,
        }
    }

    /// Gives the cause a code (and values) the window words it by.
    #[must_use]
    pub fn worded(mut self, code: &'static str, values: Value) -> Self {
        self.words = Some(Box::new(Words { code, values }));
        self
    }

    /// The values of a larger message this cause is said inside: `values`
    /// with `cause` (the English), `cause_code` and the cause's own values
    /// (those `values` has win), for a catalogue entry with `{cause}`.
    pub fn inside(&self, mut values: Value) -> Value {
        values["cause"] = self.message.clone().into();
        if let Some(words) = &self.words {
            values["cause_code"] = words.code.into();
            if let (Some(into), Some(from)) = (values.as_object_mut(), words.values.as_object()) {
                for (k, v) in from {
                    into.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        values
    }
}

/// A cause as the window reads it: `{"error", "code", "values"}`, what
/// ui/errors.js `errorWords` takes.
impl Serialize for Cause {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("error", &self.message)?;
        map.serialize_entry("code", &self.words.as_ref().map(|w| w.code))?;
        map.serialize_entry("values", &self.words.as_ref().map(|w| &w.values))?;
        map.end()
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Cause {}

impl From<Cause> for AppError {
    /// A cause alone, as a validation error of no one field.
    fn from(cause: Cause) -> Self {
        let words = cause.words;
        AppError::Validation {
            field: String::new(),
            message: cause.message,
            words,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; `field` names the input it concerns.
    #[error("{message}")]
    Validation {
        field: String,
        message: String,
        words: Option<Box<Words>>,
    },

    #[error("the {entity} was not found; it may have been deleted")]
    NotFound { entity: &'static str, id: String },

    /// A unique name or a state that clashes with what is stored.
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
        words: Option<Box<Words>>,
    },

    /// An action the current state does not allow ("restore it first").
    #[error("{message}")]
    BusinessRule {
        message: String,
        words: Option<Box<Words>>,
    },

    /// A database failure; the cause is logged, the message is for people.
    #[error("{message}")]
    Database {
        message: String,
        words: Option<Box<Words>>,
    },

    /// An AI provider refused or failed a request.
    #[error("{message}")]
    ExternalApi {
        provider: String,
        status: Option<u16>,
        message: String,
        retry_after_secs: Option<u64>,
        words: Option<Box<Words>>,
    },

    #[error("the generation was stopped")]
    Cancelled,

    /// Anything else (file system, serialization); the cause is logged.
    #[error("{message}")]
    Internal {
        message: String,
        words: Option<Box<Words>>,
    },
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
            words: None,
        }
    }

    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: Some(field.into()),
            message: message.into(),
            words: None,
        }
    }

    /// An action the current state does not allow; the message says why
    /// and what to do.
    pub fn business(message: impl Into<String>) -> Self {
        Self::BusinessRule {
            message: message.into(),
            words: None,
        }
    }

    /// A database failure with a message and the code the window words it by.
    pub fn database(code: &'static str, message: impl Into<String>) -> Self {
        Self::Database {
            message: message.into(),
            words: Some(Box::new(Words {
                code,
                values: json!({}),
            })),
        }
    }

    /// Gives the error a code (and values) the window words it by, in the
    /// person's language. Errors of kinds that carry no words are unchanged.
    #[must_use]
    pub fn worded(mut self, code: &'static str, values: Value) -> Self {
        match &mut self {
            Self::Validation { words, .. }
            | Self::Conflict { words, .. }
            | Self::BusinessRule { words, .. }
            | Self::Database { words, .. }
            | Self::ExternalApi { words, .. }
            | Self::Internal { words, .. } => *words = Some(Box::new(Words { code, values })),
            _ => {}
        }
        self
    }

    /// A refusal said of a file: "{file}: {cause}", worded as
    /// `error.file_refused` with the cause's own code (`cause_code`) and
    /// values, so the window words both parts.
    pub fn file_refused(file: &str, cause: &Cause) -> Self {
        AppError::validation("file", format!("{file}: {}", cause.message))
            .worded("file_refused", cause.inside(json!({ "file": file })))
    }

    /// This error as the cause inside a larger one, keeping its words.
    pub fn as_cause(&self) -> Cause {
        Cause {
            message: self.to_string(),
            words: self.words().map(Box::new),
        }
    }

    /// The code and values the window words this error by, if it has them.
    pub fn words(&self) -> Option<Words> {
        match self {
            Self::Validation { words, .. }
            | Self::Conflict { words, .. }
            | Self::BusinessRule { words, .. }
            | Self::Database { words, .. }
            | Self::ExternalApi { words, .. }
            | Self::Internal { words, .. } => words.as_deref().cloned(),
            Self::NotFound { entity, .. } => Some(Words {
                code: "not_found",
                values: json!({ "entity": entity }),
            }),
            Self::Cancelled => Some(Words {
                code: "cancelled",
                values: json!({}),
            }),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal {
            message: message.into(),
            words: None,
        }
    }

    /// The `type` the UI switches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "ValidationError",
            Self::NotFound { .. } => "NotFoundError",
            Self::Conflict { .. } => "ConflictError",
            Self::BusinessRule { .. } => "BusinessRuleError",
            Self::Database { .. } => "DatabaseError",
            Self::ExternalApi { .. } => "ExternalApiError",
            Self::Cancelled => "CancelledError",
            Self::Internal { .. } => "InternalError",
        }
    }

    fn details(&self) -> Value {
        match self {
            Self::Validation { field, .. } => json!({ "field": field }),
            Self::NotFound { entity, id } => json!({ "entity": entity, "id": id }),
            Self::Conflict { field, .. } => json!({ "field": field }),
            Self::ExternalApi {
                provider,
                status,
                retry_after_secs,
                ..
            } => json!({
                "provider": provider,
                "status": status,
                "retry_after_secs": retry_after_secs,
            }),
            _ => json!({}),
        }
    }

    /// Says what was being done when a database or internal error happened:
    /// "could not save the character: the database is busy ...".
    #[must_use]
    pub fn context(self, doing: &str) -> Self {
        match self {
            Self::Database { message, words } => Self::Database {
                message: format!("could not {doing}: {message}"),
                words,
            },
            Self::Internal { message, words } => Self::Internal {
                message: format!("could not {doing}: {message}"),
                words,
            },
            other => other,
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let words = self.words();
        let mut map = serializer.serialize_map(Some(if words.is_some() { 5 } else { 3 }))?;
        map.serialize_entry("error", &self.to_string())?;
        map.serialize_entry("type", self.kind())?;
        map.serialize_entry("details", &self.details())?;
        if let Some(words) = words {
            map.serialize_entry("code", words.code)?;
            map.serialize_entry("values", &words.values)?;
        }
        map.end()
    }
}

/// Adds what was being done to an error, keeping its kind.
pub trait ResultExt<T> {
    #[must_use = "the result still has to be handled"]
    fn context(self, doing: &str) -> Result<T>;
}

impl<T, E: Into<AppError>> ResultExt<T> for Result<T, E> {
    fn context(self, doing: &str) -> Result<T> {
        self.map_err(|e| e.into().context(doing))
    }
}

/// Turns SQLite's "table.column" or constraint name into the field the UI
/// shows the error next to: `ck_characters_name` -> `name`,
/// `providers.name` -> `name`.
fn field_of(constraint: &str) -> String {
    if let Some((_, column)) = constraint.split_once('.') {
        return column.to_string();
    }
    for table in [
        "application_settings",
        "message_swipes",
        "chat_sessions",
        "system_prompts",
        "user_profiles",
        "characters",
        "providers",
        "ai_models",
        "messages",
    ] {
        for prefix in ["ck_", "fk_", "uq_"] {
            if let Some(rest) = constraint.strip_prefix(&format!("{prefix}{table}_")) {
                return rest.to_string();
            }
        }
    }
    constraint.to_string()
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        let mapped = match &err {
            sqlx::Error::RowNotFound => Self::NotFound {
                entity: "record",
                id: String::new(),
            },
            sqlx::Error::Database(db) => {
                let text = db.message();
                let detail = text.split_once(": ").map(|(_, d)| d).unwrap_or(text);
                let code = db
                    .code()
                    .and_then(|c| c.parse::<i64>().ok())
                    .unwrap_or_default();
                match db.kind() {
                    ErrorKind::UniqueViolation => {
                        let field = field_of(detail.split(',').next().unwrap_or(detail).trim());
                        Self::Conflict {
                            message: format!("another record already uses this {field}; choose a different one"),
                            words: Some(Box::new(Words { code: "unique", values: json!({ "field": field }) })),
                            field: Some(field),
                        }
                    }
                    ErrorKind::ForeignKeyViolation => AppError::validation(
                        "reference",
                        "this refers to something that no longer exists; reload and try again",
                    )
                    .worded("reference_gone", json!({})),
                    ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                        let field = field_of(detail.trim());
                        AppError::validation(field.clone(), format!("{} is not valid", field.replace('_', " ")))
                            .worded("not_valid", json!({ "field": field }))
                    }
                    _ if matches!(code & 0xff, 5 | 6) => Self::database(
                        "database_busy",
                        "the database is busy (is another copy of Parley open?); try again in a moment",
                    ),
                    _ if matches!(code & 0xff, 11 | 26) => Self::database(
                        "database_damaged",
                        "the file is not a Parley database or it is damaged; Parley left it untouched (a backup named parley.db.backup-* may sit beside it)",
                    ),
                    _ if matches!(code & 0xff, 13) => {
                        Self::database("disk_full", "the disk is full; free some space and try again")
                    }
                    _ => Self::database(
                        "database_error",
                        "a database error occurred and nothing was changed; the log has details",
                    ),
                }
            }
            sqlx::Error::PoolTimedOut => Self::database(
                "database_timeout",
                "the database did not answer in time; try again in a moment",
            ),
            _ => Self::database(
                "database_error",
                "a database error occurred and nothing was changed; the log has details",
            ),
        };
        if matches!(mapped, Self::Database { .. }) {
            tracing::error!(error = %err, "database error");
        } else {
            tracing::debug!(error = %err, kind = mapped.kind(), "database constraint");
        }
        mapped
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        tracing::error!(error = %err, "migration failed");
        Self::database(
            "database_upgrade",
            format!("the database could not be upgraded ({err}); your data is unchanged and a backup sits beside it"),
        )
    }
}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        tracing::error!(error = %err, "i/o error");
        Self::internal(format!("a file operation failed: {err}"))
            .worded("file_failed", json!({ "detail": err.to_string() }))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(err: serde_json::Error) -> Self {
        tracing::error!(error = %err, "json error");
        Self::internal(format!("stored data could not be read as JSON: {err}"))
            .worded("stored_json", json!({ "detail": err.to_string() }))
    }
}

#[cfg(test)]
mod tests;
