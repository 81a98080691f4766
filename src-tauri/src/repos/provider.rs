//! SQL for `providers`. No API keys here: those live in the secret store.

use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, Provider, ProviderInput, Timestamp};

keyed!(Provider, name);

const SPEC: ListSpec<'static> = ListSpec {
    columns: "p.id, p.name, p.kind, p.base_url, p.created_at, p.updated_at",
    from: "providers p",
    alias: "p.",
    name_column: "name",
    soft_delete: false,
};

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &ProviderInput,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into providers (id, name, kind, base_url, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .bind(id)
    .bind(&input.name)
    .bind(input.kind)
    .bind(&input.base_url)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &ProviderInput,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update providers set name = ?2, kind = ?3, base_url = ?4, updated_at = ?5 where id = ?1",
    )
    .bind(id)
    .bind(&input.name)
    .bind(input.kind)
    .bind(&input.base_url)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<Provider>> {
    Ok(sqlx::query_as(
        r"select id, name, kind, base_url, created_at, updated_at from providers where id = ?1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<Provider>> {
    list_page(exec, &SPEC, q, |_| {}).await
}
