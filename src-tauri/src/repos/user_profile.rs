//! SQL for `user_profiles` (personas).

use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, Timestamp, UserProfile, UserProfileInput};

keyed!(UserProfile, name);

const SPEC: ListSpec<'static> = ListSpec {
    columns: "p.id, p.name, p.description, p.created_at, p.updated_at, p.deleted_at",
    from: "user_profiles p",
    alias: "p.",
    name_column: "name",
    soft_delete: true,
};

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &UserProfileInput,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into user_profiles (id, name, description, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?4)",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &UserProfileInput,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update user_profiles set name = ?2, description = ?3, updated_at = ?4 where id = ?1",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<UserProfile>> {
    Ok(sqlx::query_as(
        r"select id, name, description, created_at, updated_at, deleted_at
            from user_profiles where id = ?1",
    )
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
