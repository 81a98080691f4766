//! SQL, and nothing else: one module per entity, each function taking an
//! executor (a pool, a connection or a transaction) so services decide the
//! transaction. Explicit column lists, bound parameters, keyset pages.
//! A write that a screen shows afterwards returns its row (`returning` with
//! the same columns as the entity's `get`), so no service reads back what it
//! just wrote.

pub mod ai_model;
pub mod app_config;
pub mod avatar;
pub mod branch;
pub mod character;
pub mod chat_member;
pub mod chat_memory;
pub mod chat_session;
pub mod document;
pub mod embedding;
pub mod memory;
pub mod message;
pub mod provider;
pub mod quick_reply;
pub mod search;
pub mod settings;
pub mod system_prompt;
pub mod task;
pub mod template;
pub mod user_profile;

use sqlx::sqlite::SqliteRow;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, FromRow, QueryBuilder, Sqlite};

use crate::error::Result;
use crate::models::{
    Cursor, CursorKey, DeletedFilter, Direction, Id, ListQuery, Page, SortBy, Timestamp,
};

/// A row that can be the last of a keyset page.
pub trait Keyed {
    fn id(&self) -> Id;
    fn cursor_key(&self, sort: SortBy) -> CursorKey;
}

/// Implements [`Keyed`] for a row with `id`, `name`-like, `created_at` and
/// `updated_at` fields.
macro_rules! keyed {
    ($ty:ty, $name:ident) => {
        impl $crate::repos::Keyed for $ty {
            fn id(&self) -> $crate::models::Id {
                self.id
            }
            fn cursor_key(&self, sort: $crate::models::SortBy) -> $crate::models::CursorKey {
                use $crate::models::{CursorKey, SortBy};
                match sort {
                    SortBy::Updated => CursorKey::Int(self.updated_at.millis()),
                    SortBy::Created => CursorKey::Int(self.created_at.millis()),
                    SortBy::Name => CursorKey::Text(self.$name.clone()),
                }
            }
        }
    };
}
pub(crate) use keyed;

/// How one entity's list query is put together.
pub struct ListSpec<'a> {
    /// `select` list, explicit columns.
    pub columns: &'a str,
    /// `from` clause, with the alias the columns use.
    pub from: &'a str,
    /// Table alias prefix, e.g. `c.`.
    pub alias: &'a str,
    /// The column searched and sorted as "name" (`name` or `title`).
    pub name_column: &'a str,
    /// Whether the table has `deleted_at`.
    pub soft_delete: bool,
}

/// Runs a filtered, sorted keyset page. `extra` appends entity filters as
/// ` and ...` clauses.
pub async fn list_page<'e, T, E>(
    exec: E,
    spec: &ListSpec<'_>,
    q: &ListQuery,
    extra: impl FnOnce(&mut QueryBuilder<Sqlite>),
) -> Result<Page<T>>
where
    T: for<'r> FromRow<'r, SqliteRow> + Keyed + Send + Unpin,
    E: Executor<'e, Database = Sqlite>,
{
    let a = spec.alias;
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "select {} from {} where 1 = 1",
        spec.columns, spec.from
    ));
    if spec.soft_delete {
        match q.deleted {
            DeletedFilter::Live => qb.push(format!(" and {a}deleted_at is null")),
            DeletedFilter::Deleted => qb.push(format!(" and {a}deleted_at is not null")),
            DeletedFilter::All => &mut qb,
        };
    }
    if let Some(search) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        qb.push(format!(" and {a}{} like ", spec.name_column))
            .push_bind(format!("%{}%", escape_like(search)))
            .push(r" escape '\'");
    }
    extra(&mut qb);

    let (sort_expr, sort_key_is_text) = match q.sort {
        SortBy::Updated => (format!("{a}updated_at"), false),
        SortBy::Created => (format!("{a}created_at"), false),
        SortBy::Name => (format!("{a}{} collate nocase", spec.name_column), true),
    };
    let (cmp, dir) = match q.direction() {
        Direction::Asc => (">", "asc"),
        Direction::Desc => ("<", "desc"),
    };
    if let Some(raw) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        let cursor = Cursor::decode(raw)?;
        qb.push(format!(" and ({sort_expr}, {a}id) {cmp} ("));
        match (cursor.key, sort_key_is_text) {
            (CursorKey::Int(n), false) => qb.push_bind(n),
            (CursorKey::Text(t), true) => qb.push_bind(t),
            _ => {
                return Err(crate::error::AppError::validation(
                    "cursor",
                    "the page cursor belongs to another sort order; reload the list",
                )
                .worded("cursor_other_sort", serde_json::json!({})))
            }
        };
        qb.push(", ").push_bind(cursor.id).push(")");
    }
    let limit = q.limit();
    qb.push(format!(" order by {sort_expr} {dir}, {a}id {dir} limit "))
        .push_bind(i64::from(limit) + 1);

    let mut items: Vec<T> = qb.build_query_as().fetch_all(exec).await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|last| {
            Cursor {
                key: last.cursor_key(q.sort),
                id: last.id(),
            }
            .encode()
        })
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The tables the generic row operations below work on. Names come from
/// here, never from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Characters,
    UserProfiles,
    SystemPrompts,
    ChatSessions,
    Providers,
    AiModels,
    Tasks,
    Templates,
}

impl Table {
    /// The clause that keeps only live rows (empty for tables without soft
    /// delete).
    fn live_filter(self) -> &'static str {
        match self {
            Self::Providers | Self::AiModels => "",
            _ => " and deleted_at is null",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Characters => "characters",
            Self::UserProfiles => "user_profiles",
            Self::SystemPrompts => "system_prompts",
            Self::ChatSessions => "chat_sessions",
            Self::Providers => "providers",
            Self::AiModels => "ai_models",
            Self::Tasks => "tasks",
            Self::Templates => "templates",
        }
    }
}

/// Marks a live row deleted (soft delete). Returns whether it was live.
pub async fn soft_delete<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    table: Table,
    id: Id,
    now: Timestamp,
) -> Result<bool> {
    let sql = format!(
        "update {} set deleted_at = ?2, updated_at = ?2 where id = ?1 and deleted_at is null",
        table.name()
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(now)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A row type with soft delete, and where it is stored: its table and the
/// columns its repo's `get` reads, so [`restore`] can return it as `get`
/// would.
pub trait SoftDeleted: for<'r> FromRow<'r, SqliteRow> + Send + Unpin {
    const TABLE: Table;
    const COLUMNS: &'static str;
}

/// Brings a soft-deleted row back and returns it; `None` when it was not
/// deleted.
pub async fn restore<'e, T, E>(exec: E, id: Id, now: Timestamp) -> Result<Option<T>>
where
    T: SoftDeleted,
    E: Executor<'e, Database = Sqlite>,
{
    let sql = format!(
        "update {} set deleted_at = null, updated_at = ?2
          where id = ?1 and deleted_at is not null
          returning {}",
        T::TABLE.name(),
        T::COLUMNS
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .bind(now)
        .fetch_optional(exec)
        .await?)
}

/// Deletes a row for good; the schema's cascades and set-nulls follow.
pub async fn purge<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    table: Table,
    id: Id,
) -> Result<bool> {
    let sql = format!("delete from {} where id = ?1", table.name());
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// After rows are deleted for good: merges the full-text indexes (a merge
/// drops deleted entries, whose words the index keeps until then) and
/// copies the WAL into the database and truncates it. With `secure_delete`
/// on (`db`), no deleted text then stays in the database, its free pages
/// or its WAL.
pub async fn erase_deleted(pool: &sqlx::SqlitePool) -> Result<()> {
    for index in ["messages_fts", "characters_fts", "tasks_fts"] {
        // Index names come from the list above, never from input.
        sqlx::query(AssertSqlSafe(format!(
            "insert into {index} ({index}) values ('optimize')"
        )))
        .execute(pool)
        .await?;
    }
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as(r"pragma wal_checkpoint(truncate)")
        .fetch_one(pool)
        .await?;
    if busy != 0 {
        tracing::warn!(
            "the WAL could not be emptied now (a reader was busy); it is at the next checkpoint"
        );
    }
    Ok(())
}

/// Whether a live (not soft-deleted) row with this id exists.
pub async fn exists_live<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    table: Table,
    id: Id,
) -> Result<bool> {
    let live = table.live_filter();
    let sql = format!("select count(*) from {} where id = ?1{live}", table.name());
    let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(exec)
        .await?;
    Ok(n > 0)
}

/// The live row of `table` whose name equals `name` ignoring case, other
/// than `except`: the check behind "a persona with that name exists".
pub async fn find_by_name<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    table: Table,
    name: &str,
    except: Option<Id>,
) -> Result<Option<Id>> {
    let live = table.live_filter();
    let sql = format!(
        "select id from {} where name = ?1 collate nocase{live} and (?2 is null or id <> ?2)",
        table.name()
    );
    Ok(sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(name)
        .bind(except)
        .fetch_optional(exec)
        .await?)
}

/// Escapes `%`, `_` and `\` for a `like ... escape '\'` pattern.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
