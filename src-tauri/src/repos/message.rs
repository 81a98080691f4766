//! SQL for `messages` and `message_swipes`. A chat's messages are read by
//! `seq` through `uq_messages_chat_seq`: the last N, or the N before a
//! message, never by OFFSET and never the whole chat.
//!
//! One piece with the swipes: every statement that changes a swipe keeps
//! `messages.content` equal to the active swipe's text, and they must be
//! read together to see that it holds.

use serde_json::Value;
use sqlx::types::Json;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::models::{Id, Message, MessageRole, MessageStatus, MessageSwipe, Timestamp};

const COLUMNS: &str = r"m.id, m.chat_session_id, m.seq, m.role, m.status, m.active_swipe,
    (select count(*) from message_swipes w where w.message_id = m.id) as swipe_count,
    m.created_at, m.updated_at, m.metadata, m.content, m.speaker_id, m.speaker_name";

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub id: Id,
    pub chat_session_id: Id,
    pub role: MessageRole,
    pub status: MessageStatus,
    pub content: &'a str,
    pub metadata: &'a Value,
    pub created_at: Timestamp,
    /// The group member who writes it (`None` outside group chats).
    pub speaker_id: Option<Id>,
    pub speaker_name: Option<&'a str>,
}

impl<'a> NewMessage<'a> {
    /// A finished message of the person's (or a system note), with no
    /// metadata yet.
    pub fn written(
        chat_session_id: Id,
        role: MessageRole,
        content: &'a str,
        now: Timestamp,
    ) -> Self {
        static EMPTY: std::sync::LazyLock<Value> =
            std::sync::LazyLock::new(|| Value::Object(Default::default()));
        Self {
            id: crate::models::new_id(),
            chat_session_id,
            role,
            status: MessageStatus::Completed,
            content,
            metadata: &EMPTY,
            created_at: now,
            speaker_id: None,
            speaker_name: None,
        }
    }

    /// A character's reply before its first word: `pending`, empty, with
    /// the metadata it starts with and its speaker in a group.
    pub fn pending_reply(
        id: Id,
        chat_session_id: Id,
        metadata: &'a Value,
        created_at: Timestamp,
        speaker: Option<(Id, &'a str)>,
    ) -> Self {
        Self {
            id,
            chat_session_id,
            role: MessageRole::Assistant,
            status: MessageStatus::Pending,
            content: "",
            metadata,
            created_at,
            speaker_id: speaker.map(|(id, _)| id),
            speaker_name: speaker.map(|(_, name)| name),
        }
    }
}

/// The columns of a row just written, for `returning` (its swipes are
/// counted like [`COLUMNS`] does).
const RETURNING: &str = r"id, chat_session_id, seq, role, status, active_swipe,
    (select count(*) from message_swipes w where w.message_id = messages.id) as swipe_count,
    created_at, updated_at, metadata, content, speaker_id, speaker_name";

/// Appends a message after the chat's last one and returns it as stored.
/// Run inside a transaction when more than one writer may append.
pub async fn append(conn: &mut SqliteConnection, m: &NewMessage<'_>) -> Result<Message> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into messages (id, chat_session_id, seq, role, status, created_at, updated_at,
            metadata, content, speaker_id, speaker_name)
          values (?1, ?2,
            (select coalesce(max(seq), -1) + 1 from messages where chat_session_id = ?2),
            ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)
          returning {RETURNING}"
    )))
    .bind(m.id)
    .bind(m.chat_session_id)
    .bind(m.role)
    .bind(m.status)
    .bind(m.created_at)
    .bind(Json(m.metadata))
    .bind(m.content)
    .bind(m.speaker_id)
    .bind(m.speaker_name)
    .fetch_one(conn)
    .await?)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<Message>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from messages m where m.id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// Up to `n` messages of a chat before `before_seq` (or the last `n` when
/// `None`), oldest first. Reads `n + 1` rows to tell whether more exist.
pub async fn page<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_session_id: Id,
    before_seq: Option<i64>,
    n: u32,
) -> Result<(Vec<Message>, bool)> {
    let mut rows: Vec<Message> = sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from messages m
          where m.chat_session_id = ?1 and (?2 is null or m.seq < ?2)
          order by m.seq desc limit ?3"
    )))
    .bind(chat_session_id)
    .bind(before_seq)
    .bind(i64::from(n) + 1)
    .fetch_all(exec)
    .await?;
    let more = rows.len() > n as usize;
    rows.truncate(n as usize);
    rows.reverse();
    Ok((rows, more))
}

/// Messages of a chat from `from_seq` on, oldest first (a page after a jump).
pub async fn page_from<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_session_id: Id,
    from_seq: i64,
    n: u32,
) -> Result<Vec<Message>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from messages m
          where m.chat_session_id = ?1 and m.seq >= ?2
          order by m.seq asc limit ?3"
    )))
    .bind(chat_session_id)
    .bind(from_seq)
    .bind(i64::from(n))
    .fetch_all(exec)
    .await?)
}

pub async fn count<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_session_id: Id,
) -> Result<i64> {
    Ok(
        sqlx::query_scalar(r"select count(*) from messages where chat_session_id = ?1")
            .bind(chat_session_id)
            .fetch_one(exec)
            .await?,
    )
}

/// Changes the text (and the status) of a message.
pub async fn update_content<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    content: &str,
    status: MessageStatus,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update messages set content = ?2, status = ?3, updated_at = ?4 where id = ?1",
    )
    .bind(id)
    .bind(content)
    .bind(status)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes a message and its swipes. Later messages keep their `seq`; gaps
/// are harmless because order, not density, is what `seq` promises.
pub async fn delete<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<bool> {
    let done = sqlx::query(r"delete from messages where id = ?1")
        .bind(id)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Adds a swipe after the message's last one; returns its index.
pub async fn add_swipe(
    conn: &mut SqliteConnection,
    id: Id,
    message_id: Id,
    content: &str,
    metadata: &Value,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        r"insert into message_swipes (id, message_id, swipe_index, created_at, updated_at,
            metadata, content)
          values (?1, ?2,
            (select coalesce(max(swipe_index), -1) + 1 from message_swipes where message_id = ?2),
            ?3, ?3, ?4, ?5)
          returning swipe_index",
    )
    .bind(id)
    .bind(message_id)
    .bind(now)
    .bind(Json(metadata))
    .bind(content)
    .fetch_one(conn)
    .await?)
}

pub async fn swipes<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    message_id: Id,
) -> Result<Vec<MessageSwipe>> {
    Ok(sqlx::query_as(
        r"select id, message_id, swipe_index, created_at, updated_at, metadata, content
            from message_swipes where message_id = ?1 order by swipe_index",
    )
    .bind(message_id)
    .fetch_all(exec)
    .await?)
}

pub async fn update_swipe<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    content: &str,
    now: Timestamp,
) -> Result<bool> {
    let done =
        sqlx::query(r"update message_swipes set content = ?2, updated_at = ?3 where id = ?1")
            .bind(id)
            .bind(content)
            .bind(now)
            .execute(exec)
            .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete_swipe<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<bool> {
    let done = sqlx::query(r"delete from message_swipes where id = ?1")
        .bind(id)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Shows swipe `index`: the message's content and metadata become that
/// swipe's.
pub async fn set_active_swipe<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    message_id: Id,
    index: i64,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update messages
             set active_swipe = ?2, updated_at = ?3,
                 content = (select content from message_swipes
                             where message_id = ?1 and swipe_index = ?2),
                 metadata = (select metadata from message_swipes
                              where message_id = ?1 and swipe_index = ?2)
           where id = ?1
             and exists (select 1 from message_swipes where message_id = ?1 and swipe_index = ?2)",
    )
    .bind(message_id)
    .bind(index)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Writes a reply's text, status and metadata, and the swipe it shows (when
/// it has swipes), together; returns the reply as stored.
pub async fn save_reply(
    conn: &mut SqliteConnection,
    id: Id,
    content: &str,
    status: MessageStatus,
    metadata: &Value,
    now: Timestamp,
) -> Result<Message> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    sqlx::query(
        r"update message_swipes set content = ?2, metadata = ?3, updated_at = ?4
           where message_id = ?1
             and swipe_index = (select active_swipe from messages where id = ?1)",
    )
    .bind(id)
    .bind(content)
    .bind(Json(metadata))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let saved = sqlx::query_as(AssertSqlSafe(format!(
        r"update messages set content = ?2, status = ?3, metadata = ?4, updated_at = ?5
           where id = ?1
          returning {RETURNING}"
    )))
    .bind(id)
    .bind(content)
    .bind(status)
    .bind(Json(metadata))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Marks every `pending` or `streaming` message failed with `reason`,
/// keeping its text. Returns how many there were.
pub async fn fail_unfinished<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    reason: &str,
    now: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        r"update messages
             set status = 'failed', updated_at = ?2,
                 metadata = json_set(metadata, '$.error', ?1, '$.endReason', 'interrupted')
           where status in ('pending', 'streaming')",
    )
    .bind(reason)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

/// A message written whole, with its place given (an import).
#[derive(Debug, Clone)]
pub struct BulkMessage {
    pub id: Id,
    pub seq: i64,
    pub role: MessageRole,
    pub content: String,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub active_swipe: i64,
    /// The group member who wrote it (`None` outside group chats).
    pub speaker_id: Option<Id>,
    pub speaker_name: Option<String>,
}

/// A swipe written whole (an import).
#[derive(Debug, Clone)]
pub struct BulkSwipe {
    pub message_id: Id,
    pub swipe_index: i64,
    pub content: String,
    pub metadata: Value,
    pub created_at: Timestamp,
}

/// Rows per multi-row insert: well under SQLite's 32,766 bound parameters,
/// and large enough that per-statement overhead disappears.
const BULK_ROWS: usize = 500;

/// Inserts completed messages into a chat in one statement per 500 rows.
pub async fn insert_many(
    conn: &mut SqliteConnection,
    chat_session_id: Id,
    rows: &[BulkMessage],
) -> Result<()> {
    for batch in rows.chunks(BULK_ROWS) {
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(
            "insert into messages (id, chat_session_id, seq, role, status, active_swipe, \
             created_at, updated_at, metadata, content, speaker_id, speaker_name) ",
        );
        q.push_values(batch, |mut b, m| {
            b.push_bind(m.id)
                .push_bind(chat_session_id)
                .push_bind(m.seq)
                .push_bind(m.role)
                .push_bind(MessageStatus::Completed)
                .push_bind(m.active_swipe)
                .push_bind(m.created_at)
                .push_bind(m.created_at)
                .push_bind(Json(&m.metadata))
                .push_bind(&m.content)
                .push_bind(m.speaker_id)
                .push_bind(&m.speaker_name);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts swipes in one statement per 500 rows.
pub async fn insert_swipes(conn: &mut SqliteConnection, rows: &[BulkSwipe]) -> Result<()> {
    for batch in rows.chunks(BULK_ROWS) {
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(
            "insert into message_swipes (id, message_id, swipe_index, created_at, updated_at, \
             metadata, content) ",
        );
        q.push_values(batch, |mut b, s| {
            b.push_bind(crate::models::new_id())
                .push_bind(s.message_id)
                .push_bind(s.swipe_index)
                .push_bind(s.created_at)
                .push_bind(s.created_at)
                .push_bind(Json(&s.metadata))
                .push_bind(&s.content);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The swipes of a chat's messages with `seq` in `from..=to`, by message
/// then index (for export, a page at a time).
pub async fn swipes_in_range<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_session_id: Id,
    from_seq: i64,
    to_seq: i64,
) -> Result<Vec<MessageSwipe>> {
    Ok(sqlx::query_as(
        r"select w.id, w.message_id, w.swipe_index, w.created_at, w.updated_at, w.metadata,
                 w.content
            from messages m join message_swipes w on w.message_id = m.id
           where m.chat_session_id = ?1 and m.seq between ?2 and ?3
           order by m.seq, w.swipe_index",
    )
    .bind(chat_session_id)
    .bind(from_seq)
    .bind(to_seq)
    .fetch_all(exec)
    .await?)
}

/// Stores the results of a message's macros (`metadata.macros`) on it and
/// on the swipe it shows.
pub async fn set_macros(conn: &mut SqliteConnection, id: Id, values: &[String]) -> Result<()> {
    let values = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        r"update message_swipes set metadata = json_set(metadata, '$.macros', json(?2))
           where message_id = ?1
             and swipe_index = (select active_swipe from messages where id = ?1)",
    )
    .bind(id)
    .bind(&values)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        r"update messages set metadata = json_set(metadata, '$.macros', json(?2)) where id = ?1",
    )
    .bind(id)
    .bind(&values)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many of a chat's messages before `before_seq` are the person's
/// (served by `uq_messages_chat_seq`).
pub async fn count_users_before<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_session_id: Id,
    before_seq: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        r"select count(*) from messages
           where chat_session_id = ?1 and seq < ?2 and role = 'user'",
    )
    .bind(chat_session_id)
    .bind(before_seq)
    .fetch_one(exec)
    .await?)
}
