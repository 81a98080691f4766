//! SQL for `documents`, `document_chunks` and `chat_documents_off`.
//! The full-text index of chunks follows by triggers (migration
//! 20261202000001); purging a document takes its chunks, their index rows,
//! vectors and off-switches with it (cascades and triggers).

use sqlx::types::Json;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, QueryBuilder, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::models::{
    ChatDocument, Document, DocumentKind, DocumentPlace, DocumentSummary, Id, Timestamp,
};

/// What lists read: never the text.
const SUMMARY: &str = r"id, scope, chat_session_id, character_id, name, kind, byte_size,
    chunk_size, chunk_overlap, chunk_count, token_count, created_at, updated_at, deleted_at";

/// A document about to be written.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub id: Id,
    pub place: DocumentPlace,
    pub name: &'a str,
    pub kind: DocumentKind,
    pub byte_size: i64,
    pub sha256: &'a str,
    pub chunk_size: i64,
    pub chunk_overlap: i64,
    pub content: &'a str,
    pub marks: &'a serde_json::Value,
}

/// A chunk about to be written.
#[derive(Debug, Clone)]
pub struct NewChunk {
    pub chunk_index: i64,
    pub token_count: i64,
    pub metadata: serde_json::Value,
    pub text: String,
}

/// The scope column and the owner columns of a place.
fn columns(place: DocumentPlace) -> (&'static str, Option<Id>, Option<Id>) {
    match place {
        DocumentPlace::Chat(id) => ("chat", Some(id), None),
        DocumentPlace::Character(id) => ("character", None, Some(id)),
        DocumentPlace::Library => ("library", None, None),
    }
}

/// Inserts a document (with no chunks yet) and returns it.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    doc: &NewDocument<'_>,
    now: Timestamp,
) -> Result<DocumentSummary> {
    let (scope, chat, character) = columns(doc.place);
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into documents (id, scope, chat_session_id, character_id, name, kind,
            byte_size, sha256, chunk_size, chunk_overlap, created_at, updated_at, content, marks)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)
          returning {SUMMARY}"
    )))
    .bind(doc.id)
    .bind(scope)
    .bind(chat)
    .bind(character)
    .bind(doc.name)
    .bind(doc.kind)
    .bind(doc.byte_size)
    .bind(doc.sha256)
    .bind(doc.chunk_size)
    .bind(doc.chunk_overlap)
    .bind(now)
    .bind(doc.content)
    .bind(Json(doc.marks))
    .fetch_one(exec)
    .await?)
}

/// Writes a document's chunks, many rows a statement (under SQLite's
/// limit of bound parameters).
pub async fn insert_chunks(
    conn: &mut SqliteConnection,
    document_id: Id,
    chunks: &[NewChunk],
) -> Result<()> {
    for batch in chunks.chunks(1000) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "insert into document_chunks (document_id, chunk_index, token_count, metadata, text) ",
        );
        q.push_values(batch, |mut row, c| {
            row.push_bind(document_id)
                .push_bind(c.chunk_index)
                .push_bind(c.token_count)
                .push_bind(Json(&c.metadata))
                .push_bind(&c.text);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Removes a document's chunks (their index rows and vectors follow).
pub async fn delete_chunks<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<()> {
    sqlx::query("delete from document_chunks where document_id = ?1")
        .bind(id)
        .execute(exec)
        .await?;
    Ok(())
}

/// Records the chunking a document's chunks were made with.
pub async fn set_chunking<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    (size, overlap): (i64, i64),
    (chunks, tokens): (i64, i64),
    now: Timestamp,
) -> Result<Option<DocumentSummary>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update documents
             set chunk_size = ?2, chunk_overlap = ?3, chunk_count = ?4, token_count = ?5,
                 updated_at = ?6
           where id = ?1
           returning {SUMMARY}"
    )))
    .bind(id)
    .bind(size)
    .bind(overlap)
    .bind(chunks)
    .bind(tokens)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

pub async fn summary<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<DocumentSummary>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {SUMMARY} from documents where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// A document with its text.
pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<Document>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {SUMMARY}, content from documents where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// A document's text and page or section marks, for a re-chunk.
pub async fn content_and_marks<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<(String, Json<serde_json::Value>)>> {
    Ok(
        sqlx::query_as("select content, marks from documents where id = ?1")
            .bind(id)
            .fetch_optional(exec)
            .await?,
    )
}

/// The live documents that apply to a chat: its own, its character's and
/// the library's (in that order, newest first in each), each with whether
/// the chat has it on. One branch per index (`ix_documents_chat`,
/// `ix_documents_character`, `ix_documents_library`).
pub async fn for_chat<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_id: Id,
    character_id: Option<Id>,
) -> Result<Vec<ChatDocument>> {
    let enabled = "not exists (select 1 from chat_documents_off o
        where o.chat_session_id = ?1 and o.document_id = d.id) as enabled";
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"select {SUMMARY}, {enabled}, 0 as place from documents d
           where d.chat_session_id = ?1 and d.deleted_at is null
          union all
          select {SUMMARY}, {enabled}, 1 as place from documents d
           where ?2 is not null and d.character_id = ?2 and d.deleted_at is null
          union all
          select {SUMMARY}, {enabled}, 2 as place from documents d
           where d.scope = 'library' and d.deleted_at is null
          order by place, created_at desc"
    )))
    .bind(chat_id)
    .bind(character_id)
    .fetch_all(exec)
    .await?)
}

/// The documents of one place (live, or those in the trash), newest first.
pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    place: DocumentPlace,
    deleted: bool,
) -> Result<Vec<DocumentSummary>> {
    let (scope, chat, character) = columns(place);
    let deleted = if deleted { "is not null" } else { "is null" };
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"select {SUMMARY} from documents d
           where d.scope = ?1 and d.chat_session_id is ?2 and d.character_id is ?3
             and d.deleted_at {deleted}
           order by d.created_at desc, d.id desc"
    )))
    .bind(scope)
    .bind(chat)
    .bind(character)
    .fetch_all(exec)
    .await?)
}

/// Every document in the trash, whatever its place, newest deletion first.
pub async fn trash<'e>(exec: impl Executor<'e, Database = Sqlite>) -> Result<Vec<DocumentSummary>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"select {SUMMARY} from documents d
           where d.deleted_at is not null
           order by d.deleted_at desc, d.id desc"
    )))
    .fetch_all(exec)
    .await?)
}

/// A document of the same place made from a file with this SHA-256: its
/// id, name and whether it is in the trash.
pub async fn find_same<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    place: DocumentPlace,
    sha256: &str,
) -> Result<Option<(Id, String, Option<Timestamp>)>> {
    let (scope, chat, character) = columns(place);
    Ok(sqlx::query_as(
        r"select id, name, deleted_at from documents
           where scope = ?1 and chat_session_id is ?2 and character_id is ?3 and sha256 = ?4
           order by deleted_at is not null, created_at desc
           limit 1",
    )
    .bind(scope)
    .bind(chat)
    .bind(character)
    .bind(sha256)
    .fetch_optional(exec)
    .await?)
}

/// Renames a live document; `None` when there is none.
pub async fn rename<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    name: &str,
    now: Timestamp,
) -> Result<Option<DocumentSummary>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update documents set name = ?2, updated_at = ?3
           where id = ?1 and deleted_at is null
           returning {SUMMARY}"
    )))
    .bind(id)
    .bind(name)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

/// Moves a live document to the trash; whether it was live.
pub async fn soft_delete<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "update documents set deleted_at = ?2, updated_at = ?2 where id = ?1 and deleted_at is null",
    )
    .bind(id)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Brings a document back from the trash; `None` when it was not there.
pub async fn restore<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    now: Timestamp,
) -> Result<Option<DocumentSummary>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update documents set deleted_at = null, updated_at = ?2
           where id = ?1 and deleted_at is not null
           returning {SUMMARY}"
    )))
    .bind(id)
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

/// Deletes a document for good, with its chunks.
pub async fn purge<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<bool> {
    let done = sqlx::query("delete from documents where id = ?1")
        .bind(id)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Turns a document off (or back on) for one chat.
pub async fn set_off<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat_id: Id,
    document_id: Id,
    off: bool,
) -> Result<()> {
    let sql = if off {
        "insert or ignore into chat_documents_off (chat_session_id, document_id) values (?1, ?2)"
    } else {
        "delete from chat_documents_off where chat_session_id = ?1 and document_id = ?2"
    };
    sqlx::query(sql)
        .bind(chat_id)
        .bind(document_id)
        .execute(exec)
        .await?;
    Ok(())
}

/// Merges the chunks' full-text index, so the words of purged chunks leave
/// the file (see `repos::erase_deleted`).
pub async fn optimize_index<'e>(exec: impl Executor<'e, Database = Sqlite>) -> Result<()> {
    sqlx::query("insert into document_chunks_fts (document_chunks_fts) values ('optimize')")
        .execute(exec)
        .await?;
    Ok(())
}
