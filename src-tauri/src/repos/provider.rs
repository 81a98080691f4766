//! SQL for `providers`. No API keys here: those live in the secret store.

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, Provider, ProviderInput, ProviderKind, Timestamp};

keyed!(Provider, name);

/// What `get` and the list read, and what a write returns (`returning`).
/// `has_api_key` is not a column: the service fills it from the secret store.
const COLUMNS: &str = "id, name, kind, base_url, created_at, updated_at";

const SPEC: ListSpec<'static> = ListSpec {
    columns: COLUMNS,
    from: "providers p",
    alias: "p.",
    name_column: "name",
    soft_delete: false,
};

/// Inserts a provider and returns it as stored.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &ProviderInput,
    now: Timestamp,
) -> Result<Provider> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into providers (id, name, kind, base_url, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?5, ?5)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.name)
    .bind(input.kind)
    .bind(&input.base_url)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

/// Returns the row as stored, `None` when there is none.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &ProviderInput,
    now: Timestamp,
) -> Result<Option<Provider>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update providers set name = ?2, kind = ?3, base_url = ?4, updated_at = ?5 where id = ?1
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.name)
    .bind(input.kind)
    .bind(&input.base_url)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<Provider>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from providers where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// The first provider of a kind ("This computer" is one provider).
pub async fn first_of_kind<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    kind: ProviderKind,
) -> Result<Option<Provider>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from providers where kind = ?1 order by created_at limit 1"
    )))
    .bind(kind)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<Provider>> {
    list_page(exec, &SPEC, q, |_| {}).await
}
