//! SQL for the single `application_settings` row (id = 1, made by the first
//! migration).

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use crate::error::Result;
use crate::models::{Id, Settings, SettingsInput, Timestamp};

/// Which default a deleted entity clears.
#[derive(Debug, Clone, Copy)]
pub enum DefaultOf {
    Character,
    UserProfile,
    AiModel,
    SystemPrompt,
}

/// What `get` reads, and what `update` returns (`returning`).
const COLUMNS: &str = r"default_character_id, default_user_profile_id, default_ai_model_id,
    default_system_prompt_id, temperature, max_output_tokens, context_length, updated_at";

pub async fn get<'e>(exec: impl Executor<'e, Database = Sqlite>) -> Result<Settings> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from application_settings where id = 1"
    )))
    .fetch_one(exec)
    .await?)
}

/// Replaces the settings and returns them as stored.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    input: &SettingsInput,
    now: Timestamp,
) -> Result<Settings> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update application_settings
             set default_character_id = ?1, default_user_profile_id = ?2,
                 default_ai_model_id = ?3, default_system_prompt_id = ?4,
                 temperature = ?5, max_output_tokens = ?6, context_length = ?7, updated_at = ?8
           where id = 1
           returning {COLUMNS}"
    )))
    .bind(input.default_character_id)
    .bind(input.default_user_profile_id)
    .bind(input.default_ai_model_id)
    .bind(input.default_system_prompt_id)
    .bind(input.temperature)
    .bind(input.max_output_tokens)
    .bind(input.context_length)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

/// Clears a default that points at `id` (after a soft delete; a purge is
/// handled by the foreign key's `on delete set null`).
pub async fn clear_default<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    which: DefaultOf,
    id: Id,
    now: Timestamp,
) -> Result<bool> {
    let column = match which {
        DefaultOf::Character => "default_character_id",
        DefaultOf::UserProfile => "default_user_profile_id",
        DefaultOf::AiModel => "default_ai_model_id",
        DefaultOf::SystemPrompt => "default_system_prompt_id",
    };
    let sql = format!(
        "update application_settings set {column} = null, updated_at = ?2
          where id = 1 and {column} = ?1"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(now)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Makes `id` the default model when no default is set (never replaces a
/// chosen one); returns whether it did.
pub async fn fill_default_model<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update application_settings set default_ai_model_id = ?1, updated_at = ?2
           where id = 1 and default_ai_model_id is null",
    )
    .bind(id)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}
