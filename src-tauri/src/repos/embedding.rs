//! SQL for `embeddings`: one vector per document chunk or message and
//! embedding model, stored as little-endian `f32`s.
//!
//! What needs a vector: chunks of live documents, and finished messages
//! (not `pending`/`streaming`, the rule the search index follows) with text
//! in live chats. The migration's triggers remove a vector when its chunk
//! or message goes or the message's text changes, so "what has no vector"
//! is always "what to index next".

use futures_util::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx::{Executor, QueryBuilder, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::models::{Id, Owner, Timestamp};

/// Chunks of live documents (the rows that may get a vector).
const LIVE_CHUNKS: &str = r"from document_chunks c
    join documents d on d.id = c.document_id
   where d.deleted_at is null";

/// Finished messages with text in live chats.
const LIVE_MESSAGES: &str = r"from messages m
    join chat_sessions s on s.id = m.chat_session_id
   where s.deleted_at is null
     and m.status not in ('pending', 'streaming')
     and length(trim(m.content)) > 0";

/// Bound parameters per `in (...)` list, well under SQLite's limit.
const IN_CHUNK: usize = 500;

/// A vector as stored: `f32`s, little-endian.
pub fn to_blob(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector back as `f32`s (a trailing partial number is dropped;
/// the table's check makes there none).
pub fn from_blob(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Stores vectors of `model` for `owner` rows: `(rowid, the text embedded,
/// vector)`. A row whose text changed (or that went) since it was read is
/// skipped, so no vector outlives its text. Returns how many were stored.
pub async fn insert_many(
    conn: &mut SqliteConnection,
    model: Id,
    owner: Owner,
    rows: &[(i64, &str, Vec<f32>)],
    now: Timestamp,
) -> Result<u64> {
    let same_text = match owner {
        Owner::Chunk => r"select 1 from document_chunks where id = ?2 and text = ?7",
        Owner::Message => r"select 1 from messages where rowid = ?2 and content = ?7",
    };
    let sql = format!(
        r"insert or replace into embeddings
            (owner_kind, owner_rowid, ai_model_id, dims, vector, created_at)
          select ?1, ?2, ?3, ?4, ?5, ?6 where exists ({same_text})"
    );
    let mut stored = 0;
    for (rowid, text, vector) in rows {
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(owner)
            .bind(rowid)
            .bind(model)
            .bind(vector.len() as i64)
            .bind(to_blob(vector))
            .bind(now)
            .bind(*text)
            .execute(&mut *conn)
            .await?;
        stored += done.rows_affected();
    }
    Ok(stored)
}

/// Up to `limit` rows of `owner` that need a vector of `model` and have
/// none: `(rowid, text)`, oldest first.
pub async fn missing<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    model: Id,
    owner: Owner,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    let sql = match owner {
        Owner::Chunk => format!(
            r"select c.id, c.text {LIVE_CHUNKS}
                and not exists (select 1 from embeddings e
                                 where e.ai_model_id = ?1 and e.owner_kind = 'chunk'
                                   and e.owner_rowid = c.id)
              order by c.id limit ?2"
        ),
        Owner::Message => format!(
            r"select m.rowid, m.content {LIVE_MESSAGES}
                and not exists (select 1 from embeddings e
                                 where e.ai_model_id = ?1 and e.owner_kind = 'message'
                                   and e.owner_rowid = m.rowid)
              order by m.rowid limit ?2"
        ),
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(model)
        .bind(limit)
        .fetch_all(exec)
        .await?)
}

/// How many rows may get a vector, and how many have one of `model`:
/// `(done, total)` over chunks and messages.
pub async fn progress<'e>(
    exec: impl Executor<'e, Database = Sqlite> + Copy,
    model: Id,
) -> Result<(u64, u64)> {
    let (chunks_done, chunks): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        r"select count(e.owner_rowid), count(*) {}",
        LIVE_CHUNKS.replacen(
            "where",
            "left join embeddings e on e.ai_model_id = ?1 and e.owner_kind = 'chunk'
                                    and e.owner_rowid = c.id
             where",
            1
        )
    )))
    .bind(model)
    .fetch_one(exec)
    .await?;
    let (messages_done, messages): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        r"select count(e.owner_rowid), count(*) {}",
        LIVE_MESSAGES.replacen(
            "where",
            "left join embeddings e on e.ai_model_id = ?1 and e.owner_kind = 'message'
                                    and e.owner_rowid = m.rowid
             where",
            1
        )
    )))
    .bind(model)
    .fetch_one(exec)
    .await?;
    Ok((
        (chunks_done + messages_done) as u64,
        (chunks + messages) as u64,
    ))
}

/// Deletes the vectors of every model but `keep` (all of them when
/// `None`); how many went.
pub async fn delete_other_models<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    keep: Option<Id>,
) -> Result<u64> {
    let done = sqlx::query(r"delete from embeddings where ?1 is null or ai_model_id <> ?1")
        .bind(keep)
        .execute(exec)
        .await?;
    Ok(done.rows_affected())
}

/// The length of `model`'s stored vectors, if it has any.
pub async fn dims<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    model: Id,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar(r"select dims from embeddings where ai_model_id = ?1 limit 1")
            .bind(model)
            .fetch_optional(exec)
            .await?,
    )
}

/// The stored vectors of `model` for these `owner` rows (rows without one
/// are left out).
pub async fn vectors(
    conn: &mut SqliteConnection,
    model: Id,
    owner: Owner,
    rowids: &[i64],
) -> Result<Vec<(i64, Vec<f32>)>> {
    let mut out = Vec::with_capacity(rowids.len());
    for part in rowids.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            r"select owner_rowid, vector from embeddings where ai_model_id = ",
        );
        qb.push_bind(model)
            .push(" and owner_kind = ")
            .push_bind(owner)
            .push(" and owner_rowid in (");
        let mut list = qb.separated(", ");
        for id in part {
            list.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<(i64, Vec<u8>)> = qb.build_query_as().fetch_all(&mut *conn).await?;
        out.extend(rows.into_iter().map(|(id, blob)| (id, from_blob(&blob))));
    }
    Ok(out)
}

/// A stored row read one at a time: `(rowid, vector blob)`.
pub type VectorRows<'e> = BoxStream<'e, Result<(i64, Vec<u8>)>>;

/// Every stored vector of `model` for the chunks of the documents that
/// apply to `chat` (the design's "a chat's scopes": live documents of the
/// chat, of its character and of the library, minus those the chat turned
/// off), streamed so a large library is never all in memory.
pub fn chat_chunk_vectors<'e>(
    exec: impl Executor<'e, Database = Sqlite> + 'e,
    model: Id,
    chat: Id,
) -> VectorRows<'e> {
    Box::pin(
        sqlx::query_as(
            r"select e.owner_rowid, e.vector
                from chat_sessions s
                join documents d
                  on d.deleted_at is null
                 and ((d.scope = 'chat' and d.chat_session_id = s.id)
                   or (d.scope = 'character' and d.character_id = s.character_id)
                   or d.scope = 'library')
                join document_chunks c on c.document_id = d.id
                join embeddings e
                  on e.ai_model_id = ?1 and e.owner_kind = 'chunk' and e.owner_rowid = c.id
               where s.id = ?2
                 and not exists (select 1 from chat_documents_off o
                                  where o.chat_session_id = s.id and o.document_id = d.id)",
        )
        .bind(model)
        .bind(chat)
        .fetch(exec)
        .map_err(Into::into),
    )
}

/// Every stored vector of `model` for the messages of `chat` with `seq`
/// below `before_seq` (the ones that fell out of the prompt's window),
/// streamed.
pub fn chat_message_vectors<'e>(
    exec: impl Executor<'e, Database = Sqlite> + 'e,
    model: Id,
    chat: Id,
    before_seq: i64,
) -> VectorRows<'e> {
    Box::pin(
        sqlx::query_as(
            r"select e.owner_rowid, e.vector
                from messages m
                join embeddings e
                  on e.ai_model_id = ?1 and e.owner_kind = 'message' and e.owner_rowid = m.rowid
               where m.chat_session_id = ?2 and m.seq < ?3",
        )
        .bind(model)
        .bind(chat)
        .bind(before_seq)
        .fetch(exec)
        .map_err(Into::into),
    )
}
