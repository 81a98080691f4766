//! SQL for `system_prompts` (reusable system prompts).

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec, SoftDeleted, Table};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, SystemPrompt, SystemPromptInput, Timestamp};

keyed!(SystemPrompt, name);

/// What `get` and the list read, and what a write returns (`returning`).
const COLUMNS: &str = "id, name, content, is_builtin, created_at, updated_at, deleted_at";

const SPEC: ListSpec<'static> = ListSpec {
    columns: COLUMNS,
    from: "system_prompts s",
    alias: "s.",
    name_column: "name",
    soft_delete: true,
};

/// Inserts a system prompt and returns it as stored.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &SystemPromptInput,
    now: Timestamp,
) -> Result<SystemPrompt> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into system_prompts (id, name, content, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?4)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.name)
    .bind(&input.content)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

/// Returns the row as stored, `None` when there is none.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &SystemPromptInput,
    now: Timestamp,
) -> Result<Option<SystemPrompt>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update system_prompts set name = ?2, content = ?3, updated_at = ?4 where id = ?1
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.name)
    .bind(&input.content)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

impl SoftDeleted for SystemPrompt {
    const TABLE: Table = Table::SystemPrompts;
    const COLUMNS: &'static str = COLUMNS;
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<SystemPrompt>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from system_prompts where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<SystemPrompt>> {
    list_page(exec, &SPEC, q, |_| {}).await
}
