//! SQL for `chat_memories`: a chat's memory entries (summaries of ranges of
//! its messages), and the two lookups the summarizer needs beside them (do
//! these messages exist; which provider answers a chat). Stale marking is
//! not here: the migration's triggers set it whenever a message in a range
//! is edited or deleted, whatever path changed it.

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use crate::error::Result;
use crate::models::{ChatMemory, Id, MadeBy, Timestamp};

/// What `get` reads, and what a write returns (`returning`).
const COLUMNS: &str = r"id, chat_session_id, first_seq, last_seq, made_by, pinned, stale,
    ai_model_id, created_at, updated_at, content";

/// An entry to insert.
#[derive(Debug, Clone)]
pub struct NewMemory<'a> {
    pub id: Id,
    pub chat_session_id: Id,
    pub first_seq: i64,
    pub last_seq: i64,
    pub made_by: MadeBy,
    pub ai_model_id: Option<Id>,
    pub content: &'a str,
    pub now: Timestamp,
}

/// A chat's entries, newest range first (`ix_chat_memories_chat_range`).
/// A chat holds a few entries per thousand messages, so all are read.
pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Vec<ChatMemory>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from chat_memories where chat_session_id = ?1
          order by last_seq desc, first_seq desc"
    )))
    .bind(chat)
    .fetch_all(exec)
    .await?)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<ChatMemory>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from chat_memories where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    m: &NewMemory<'_>,
) -> Result<ChatMemory> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into chat_memories (id, chat_session_id, first_seq, last_seq, made_by,
            ai_model_id, created_at, updated_at, content)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)
          returning {COLUMNS}"
    )))
    .bind(m.id)
    .bind(m.chat_session_id)
    .bind(m.first_seq)
    .bind(m.last_seq)
    .bind(m.made_by)
    .bind(m.ai_model_id)
    .bind(m.now)
    .bind(m.content)
    .fetch_one(exec)
    .await?)
}

/// New text for an entry, by `made_by` (a person's edit, or a model's new
/// summary with the model that wrote it); no longer stale.
pub async fn rewrite<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    content: &str,
    made_by: MadeBy,
    ai_model_id: Option<Id>,
    now: Timestamp,
) -> Result<Option<ChatMemory>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update chat_memories
             set content = ?2, made_by = ?3, ai_model_id = ?4, stale = 0, updated_at = ?5
           where id = ?1
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(content)
    .bind(made_by)
    .bind(ai_model_id)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

pub async fn set_pinned<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    pinned: bool,
    now: Timestamp,
) -> Result<Option<ChatMemory>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update chat_memories set pinned = ?2, updated_at = ?3 where id = ?1
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(pinned)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

/// Deletes an entry; returns whether there was one.
pub async fn delete<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<bool> {
    let done = sqlx::query(r"delete from chat_memories where id = ?1")
        .bind(id)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many of the two `seq`s are messages of the chat (through
/// `uq_messages_chat_seq`).
pub async fn seqs_found<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    first_seq: i64,
    last_seq: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        r"select count(*) from messages
           where chat_session_id = ?1 and seq in (?2, ?3)",
    )
    .bind(chat)
    .bind(first_seq)
    .bind(last_seq)
    .fetch_one(exec)
    .await?)
}

/// The provider that answers a chat's replies: its model's, or the default
/// model's when it has none. `None` when there is no model at all.
pub async fn reply_provider<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Option<Id>> {
    Ok(sqlx::query_scalar(
        r"select m.provider_id
            from chat_sessions c
            join ai_models m on m.id = coalesce(c.ai_model_id,
                (select s.default_ai_model_id from application_settings s))
           where c.id = ?1",
    )
    .bind(chat)
    .fetch_optional(exec)
    .await?)
}
