//! SQL for `user_profiles` (personas).

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec, SoftDeleted, Table};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, Timestamp, UserProfile, UserProfileInput};

keyed!(UserProfile, name);

/// What `get` and the list read, and what a write returns (`returning`).
const COLUMNS: &str = "id, name, description, created_at, updated_at, deleted_at";

const SPEC: ListSpec<'static> = ListSpec {
    columns: COLUMNS,
    from: "user_profiles p",
    alias: "p.",
    name_column: "name",
    soft_delete: true,
};

/// Inserts a persona and returns it as stored.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &UserProfileInput,
    now: Timestamp,
) -> Result<UserProfile> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into user_profiles (id, name, description, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?4)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

/// Returns the row as stored, `None` when there is none.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &UserProfileInput,
    now: Timestamp,
) -> Result<Option<UserProfile>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update user_profiles set name = ?2, description = ?3, updated_at = ?4 where id = ?1
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

impl SoftDeleted for UserProfile {
    const TABLE: Table = Table::UserProfiles;
    const COLUMNS: &'static str = COLUMNS;
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<UserProfile>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from user_profiles where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<UserProfile>> {
    list_page(exec, &SPEC, q, |_| {}).await
}
