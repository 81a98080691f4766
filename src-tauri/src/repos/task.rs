//! SQL for `tasks`, the chats' `chat_objectives_on` switch and `tasks_fts`.
//! A task's "group" is its chat, or the standing-alone tasks when
//! `chat_session_id` is null (`is ?1` matches both).

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite, SqliteConnection};

use super::{SoftDeleted, Table};
use crate::error::Result;
use crate::models::{Cursor, CursorKey, Id, Page, Task, TaskHit, TaskQuery, TaskStatus, Timestamp};

/// What `get` reads, and what a write returns (`returning`): the task and
/// its chat's title and trash state.
const COLUMNS: &str = r"id, chat_session_id,
    (select s.title from chat_sessions s where s.id = tasks.chat_session_id) as chat_title,
    coalesce((select s.deleted_at is not null from chat_sessions s
               where s.id = tasks.chat_session_id), 0) as chat_deleted,
    title, description, done, position, created_at, updated_at, done_at, deleted_at";

impl SoftDeleted for Task {
    const TABLE: Table = Table::Tasks;
    const COLUMNS: &'static str = COLUMNS;
}

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    chat: Option<Id>,
    title: &str,
    description: &str,
    position: i64,
    now: Timestamp,
) -> Result<Task> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into tasks (id, chat_session_id, title, description, position,
            created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?6)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(chat)
    .bind(title)
    .bind(description)
    .bind(position)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

pub async fn get<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<Option<Task>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from tasks where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// Title, description and done state; `done_at` set when it becomes done,
/// kept while it stays done, cleared when it is not.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    title: &str,
    description: &str,
    done: bool,
    now: Timestamp,
) -> Result<Option<Task>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update tasks set title = ?2, description = ?3, done = ?4,
                 done_at = case when ?4 = 0 then null else coalesce(done_at, ?5) end,
                 updated_at = ?5
           where id = ?1
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(title)
    .bind(description)
    .bind(done)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

/// The open tasks of a group in their order (`ix_tasks_chat_open`).
pub async fn open_of<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Option<Id>,
) -> Result<Vec<Task>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"select {COLUMNS} from tasks
           where chat_session_id is ?1 and done = 0 and deleted_at is null
           order by position, id"
    )))
    .bind(chat)
    .fetch_all(exec)
    .await?)
}

/// The done tasks of a group, last done first (`ix_tasks_chat`).
pub async fn done_of<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Option<Id>,
) -> Result<Vec<Task>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"select {COLUMNS} from tasks
           where chat_session_id is ?1 and done = 1 and deleted_at is null
           order by done_at desc, id desc"
    )))
    .bind(chat)
    .fetch_all(exec)
    .await?)
}

/// The highest position in a group, live tasks done or not.
pub async fn last_position<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Option<Id>,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        r"select max(position) from tasks where chat_session_id is ?1 and deleted_at is null",
    )
    .bind(chat)
    .fetch_one(exec)
    .await?)
}

/// Sets positions; `updated_at` stays (order is not an edit of the task).
pub async fn set_positions(conn: &mut SqliteConnection, moves: &[(Id, i64)]) -> Result<()> {
    for (id, position) in moves {
        sqlx::query(r"update tasks set position = ?2 where id = ?1")
            .bind(id)
            .bind(position)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A keyset page, most recently changed first (`ix_tasks_open_updated`,
/// `ix_tasks_live_updated`, `ix_tasks_trash_updated`).
pub async fn page<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &TaskQuery,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<Page<Task>> {
    let filter = match q.status {
        TaskStatus::Open => "done = 0 and deleted_at is null",
        TaskStatus::Done => "done = 1 and deleted_at is null",
        TaskStatus::All => "deleted_at is null",
        TaskStatus::Deleted => "deleted_at is not null",
    };
    let (key, id) = match after {
        Some(Cursor {
            key: CursorKey::Int(n),
            id,
        }) => (Some(*n), Some(*id)),
        _ => (None, None),
    };
    let mut items: Vec<Task> = sqlx::query_as(AssertSqlSafe(format!(
        r"select {COLUMNS} from tasks
           where {filter} and (?1 is null or (updated_at, id) < (?1, ?2))
           order by updated_at desc, id desc
           limit ?3"
    )))
    .bind(key)
    .bind(id)
    .bind(i64::from(limit) + 1)
    .fetch_all(exec)
    .await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|t| {
            Cursor {
                key: CursorKey::Int(t.updated_at.millis()),
                id: t.id,
            }
            .encode()
        })
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Whether the chat lets its open tasks into the prompt.
pub async fn objectives_on<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar(r"select count(*) from chat_objectives_on where chat_session_id = ?1")
            .bind(chat)
            .fetch_one(exec)
            .await?;
    Ok(n > 0)
}

pub async fn set_objectives<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    on: bool,
) -> Result<()> {
    let sql = if on {
        r"insert into chat_objectives_on (chat_session_id) values (?1) on conflict do nothing"
    } else {
        r"delete from chat_objectives_on where chat_session_id = ?1"
    };
    sqlx::query(sql).bind(chat).execute(exec).await?;
    Ok(())
}

/// Live tasks matching `fts_query` in the title or description, best
/// first; the snippet marks matches with U+0002 and U+0003.
pub async fn search<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    fts_query: &str,
    limit: u32,
) -> Result<Vec<TaskHit>> {
    Ok(sqlx::query_as(
        r"select t.id, t.chat_session_id,
                 (select s.title from chat_sessions s where s.id = t.chat_session_id)
                     as chat_title,
                 t.title, t.done,
                 snippet(tasks_fts, -1, char(2), char(3), '…', 16) as snippet
            from tasks_fts f
            join tasks t on t.rowid = f.rowid
           where tasks_fts match ?1 and t.deleted_at is null
           order by f.rank
           limit ?2",
    )
    .bind(fts_query)
    .bind(i64::from(limit))
    .fetch_all(exec)
    .await?)
}
