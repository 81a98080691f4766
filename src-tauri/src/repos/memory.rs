//! The reads memory makes for a reply (`services::memory::retrieve`): the
//! best document chunks in a chat's scopes, the chat's own older messages,
//! and its summaries. SQL only, and read only.
//!
//! Scores are FTS5's `rank` (BM25, lower is better) turned around so that
//! higher is better. The searches join with `cross join`, which keeps the
//! full-text index the outer loop: otherwise SQLite may walk the chat's
//! messages by index and run the whole full-text query again for each
//! one (minutes on a long chat).
//!
//! FTS5 cannot filter by chat inside the index, so the message search
//! narrows the index by rowid first: a chat's messages are only ever
//! appended (`seq` and rowid both grow), so its messages below `seq` F lie
//! between the rowid of its first message and the rowid of the message at
//! F. Only matches in that range are scored and joined; the join still
//! checks chat and `seq`, so the range can only narrow, never widen, what
//! is found.

use sqlx::{Executor, Sqlite, SqlitePool};

use crate::error::Result;
use crate::models::{Id, MessageRole};

/// A chunk that matched, with its document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChunkHit {
    pub id: i64,
    pub document_id: Id,
    pub document_name: String,
    pub chunk_index: i64,
    pub token_count: i64,
    pub text: String,
    pub score: f64,
}

/// The best chunks matching `fts_query` among the documents that apply to
/// the chat (docs/MEMORY.md, "Scopes"): live documents of the chat, of its
/// character, or of the library, less those the chat turned off; among
/// chunk ids `low..high`.
pub async fn chunks<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    fts_query: &str,
    chat_id: Id,
    character_id: Option<Id>,
    (low, high): (i64, i64),
    limit: u32,
) -> Result<Vec<ChunkHit>> {
    Ok(sqlx::query_as(
        r"select c.id, c.document_id, d.name as document_name, c.chunk_index,
                 c.token_count, c.text, -f.rank as score
            from document_chunks_fts f
            cross join document_chunks c on c.id = f.rowid
            cross join documents d on d.id = c.document_id
           where document_chunks_fts match ?1
             and f.rowid >= ?5 and f.rowid < ?6
             and d.deleted_at is null
             and (d.scope = 'library'
                  or (d.scope = 'chat' and d.chat_session_id = ?2)
                  or (d.scope = 'character' and d.character_id = ?3))
             and not exists (select 1 from chat_documents_off o
                              where o.chat_session_id = ?2 and o.document_id = d.id)
           order by f.rank
           limit ?4",
    )
    .bind(fts_query)
    .bind(chat_id)
    .bind(character_id)
    .bind(i64::from(limit))
    .bind(low)
    .bind(high)
    .fetch_all(exec)
    .await?)
}

/// An older message of the chat that matched.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageHit {
    /// Its rowid: what its vector is stored under.
    pub rowid: i64,
    pub id: Id,
    pub seq: i64,
    pub role: MessageRole,
    pub content: String,
    pub score: f64,
}

/// The rowids of a chat's messages below `below_seq`: from its first
/// message's (inclusive) to the message at `below_seq`'s or after
/// (exclusive; past the last message when there is none). `None` for an
/// empty chat.
pub async fn message_range(
    pool: &SqlitePool,
    chat_id: Id,
    below_seq: i64,
) -> Result<Option<(i64, i64)>> {
    let (low, high): (Option<i64>, Option<i64>) = sqlx::query_as(
        r"select (select rowid from messages where chat_session_id = ?1
                   order by seq asc limit 1),
                 coalesce((select rowid from messages where chat_session_id = ?1 and seq >= ?2
                            order by seq asc limit 1),
                          (select max(rowid) + 1 from messages))",
    )
    .bind(chat_id)
    .bind(below_seq)
    .fetch_one(pool)
    .await?;
    Ok(low.map(|low| (low, high.unwrap_or(low + 1))))
}

/// Which full-text index a count reads.
#[derive(Debug, Clone, Copy)]
pub enum Index {
    Messages,
    Chunks,
}

impl Index {
    fn table(self) -> &'static str {
        match self {
            Index::Messages => "messages_fts",
            Index::Chunks => "document_chunks_fts",
        }
    }
}

/// For each FTS5 expression, how many rows of `index` with rowid in
/// `low..high` match it: one statement, one count per expression.
pub async fn counts(
    pool: &SqlitePool,
    index: Index,
    expressions: &[String],
    low: i64,
    high: i64,
) -> Result<Vec<i64>> {
    if expressions.is_empty() {
        return Ok(Vec::new());
    }
    let n = expressions.len();
    let table = index.table();
    // Only placeholders and the table's name (from the list above) go
    // into the text; the expressions are bound.
    let columns: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                "(select count(*) from {table} where {table} match ?{i} \
                 and rowid >= ?{} and rowid < ?{})",
                n + 1,
                n + 2
            )
        })
        .collect();
    let sql = format!("select {}", columns.join(", "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for e in expressions {
        q = q.bind(e);
    }
    let row = q.bind(low).bind(high).fetch_one(pool).await?;
    use sqlx::Row;
    (0..n)
        .map(|i| row.try_get::<i64, _>(i).map_err(Into::into))
        .collect()
}

/// The highest rowid of the table `index` reads (`0` when empty): the
/// end of the window the index is sampled in.
pub async fn last_rowid(pool: &SqlitePool, index: Index) -> Result<i64> {
    let sql = match index {
        Index::Messages => r"select coalesce(max(rowid), 0) from messages",
        Index::Chunks => r"select coalesce(max(id), 0) from document_chunks",
    };
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

/// The best messages of the chat with `seq` below `below_seq` matching
/// `fts_query` (only finished messages are in the index), among those
/// with rowid in `low..high` (see the module doc).
pub async fn older_messages(
    pool: &SqlitePool,
    fts_query: &str,
    chat_id: Id,
    below_seq: i64,
    (low, high): (i64, i64),
    limit: u32,
) -> Result<Vec<MessageHit>> {
    Ok(sqlx::query_as(
        r"select m.rowid as rowid, m.id, m.seq, m.role, m.content, -f.rank as score
            from messages_fts f
            cross join messages m on m.rowid = f.rowid
           where messages_fts match ?1
             and f.rowid >= ?2 and f.rowid < ?3
             and m.chat_session_id = ?4 and m.seq < ?5
           order by f.rank
           limit ?6",
    )
    .bind(fts_query)
    .bind(low)
    .bind(high)
    .bind(chat_id)
    .bind(below_seq)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?)
}

/// A summary the prompt may carry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SummaryRow {
    pub id: Id,
    pub first_seq: i64,
    pub last_seq: i64,
    pub pinned: bool,
    pub content: String,
}

/// The chat's summaries that end below `below_seq` and are not stale,
/// pinned first, then newest ranges first.
pub async fn summaries<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_id: Id,
    below_seq: i64,
    limit: u32,
) -> Result<Vec<SummaryRow>> {
    Ok(sqlx::query_as(
        r"select id, first_seq, last_seq, pinned, content
            from chat_memories
           where chat_session_id = ?1 and last_seq < ?2 and stale = 0
           order by pinned desc, last_seq desc, first_seq desc
           limit ?3",
    )
    .bind(chat_id)
    .bind(below_seq)
    .bind(i64::from(limit))
    .fetch_all(exec)
    .await?)
}
