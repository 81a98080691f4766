//! SQL for `app_config` (key-value preferences, JSON values).

use serde_json::Value;
use sqlx::types::Json;
use sqlx::{Executor, Sqlite};

use crate::error::Result;
use crate::models::Timestamp;

/// The stored value of `key`, if it was ever set.
pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    key: &str,
) -> Result<Option<Value>> {
    let value: Option<Json<Value>> =
        sqlx::query_scalar(r"select value from app_config where key = ?1")
            .bind(key)
            .fetch_optional(exec)
            .await?;
    Ok(value.map(|v| v.0))
}

/// Sets `key` to `value`, replacing what was there.
pub async fn set<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    key: &str,
    value: &Value,
    description: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into app_config (key, value, description, updated_at)
          values (?1, ?2, ?3, ?4)
          on conflict (key) do update
             set value = excluded.value,
                 description = excluded.description,
                 updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(Json(value))
    .bind(description)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}
