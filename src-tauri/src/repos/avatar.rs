//! SQL for the pictures of characters and personas: the avatar bytes (never
//! read by lists) and, for characters, the list thumbnail beside them.

use sqlx::{Executor, QueryBuilder, Sqlite};

use crate::error::Result;
use crate::models::Id;

/// Whose picture: the two tables that carry `avatar` and `avatar_mime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    Character,
    Persona,
}

impl Owner {
    fn table(self) -> &'static str {
        match self {
            Self::Character => "characters",
            Self::Persona => "user_profiles",
        }
    }

    /// The column lists read for small pictures: characters keep a
    /// thumbnail; a persona's avatar is already small (see `services::avatar`).
    fn small_column(self) -> &'static str {
        match self {
            Self::Character => "thumbnail",
            Self::Persona => "avatar",
        }
    }
}

/// Sets (or with `None` clears) a live row's picture; false when there is
/// no live row with this id. `thumbnail` is ignored for personas.
pub async fn set<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    owner: Owner,
    id: Id,
    avatar: Option<(&[u8], &str)>,
    thumbnail: Option<&[u8]>,
    now: crate::models::Timestamp,
) -> Result<bool> {
    let mut q = QueryBuilder::<Sqlite>::new("update ");
    q.push(owner.table())
        .push(" set avatar = ")
        .push_bind(avatar.map(|a| a.0))
        .push(", avatar_mime = ")
        .push_bind(avatar.map(|a| a.1))
        .push(", updated_at = ")
        .push_bind(now);
    if owner == Owner::Character {
        q.push(", thumbnail = ").push_bind(thumbnail);
    }
    q.push(" where id = ")
        .push_bind(id)
        .push(" and deleted_at is null");
    Ok(q.build().execute(exec).await?.rows_affected() == 1)
}

/// The picture's bytes and media type; `None` when the row has none or
/// does not exist.
pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    owner: Owner,
    id: Id,
) -> Result<Option<(Vec<u8>, String)>> {
    let mut q = QueryBuilder::<Sqlite>::new("select avatar, avatar_mime from ");
    q.push(owner.table())
        .push(" where avatar is not null and id = ")
        .push_bind(id);
    Ok(q.build_query_as().fetch_optional(exec).await?)
}

/// The small pictures (PNG) of those of `ids` that have one.
pub async fn small<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    owner: Owner,
    ids: &[Id],
) -> Result<Vec<(Id, Vec<u8>, Option<String>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let column = owner.small_column();
    let mut q = QueryBuilder::<Sqlite>::new("select id, ");
    q.push(column)
        .push(", avatar_mime from ")
        .push(owner.table())
        .push(" where ")
        .push(column)
        .push(" is not null and id in (");
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(")");
    Ok(q.build_query_as().fetch_all(exec).await?)
}
