//! SQL for `system_prompts` (reusable system prompts).

use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, SystemPrompt, SystemPromptInput, Timestamp};

keyed!(SystemPrompt, name);

const SPEC: ListSpec<'static> = ListSpec {
    columns: "s.id, s.name, s.content, s.is_builtin, s.created_at, s.updated_at, s.deleted_at",
    from: "system_prompts s",
    alias: "s.",
    name_column: "name",
    soft_delete: true,
};

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &SystemPromptInput,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into system_prompts (id, name, content, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?4)",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.content)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &SystemPromptInput,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update system_prompts set name = ?2, content = ?3, updated_at = ?4 where id = ?1",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.content)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<SystemPrompt>> {
    Ok(sqlx::query_as(
        r"select id, name, content, is_builtin, created_at, updated_at, deleted_at
            from system_prompts where id = ?1",
    )
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
