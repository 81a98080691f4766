//! SQL for full-text search (`messages_fts`, `characters_fts`).
//!
//! Character snippets mark matches with U+0002 before and U+0003 after, so
//! the window can build highlights without HTML; message snippets are cut
//! in `services::search` the same way (FTS5's `snippet()` would need a
//! second pass over the index).

use serde::Serialize;
use sqlx::{Executor, Sqlite};

use crate::error::Result;
use crate::models::{Id, MessageRole, Timestamp};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct MessageHit {
    pub message_id: Id,
    pub chat_id: Id,
    pub chat_title: String,
    pub character_id: Option<Id>,
    pub character_name: Option<String>,
    pub seq: i64,
    pub role: MessageRole,
    pub created_at: Timestamp,
    pub snippet: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct CharacterHit {
    pub id: Id,
    pub name: String,
    pub snippet: String,
}

/// Filters beside the match expression.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters {
    pub character_id: Option<Id>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// Matches ranked per query: the newest this many (after filters) are
/// ranked by BM25 and the best returned. A query matching fewer is ranked
/// whole; a broad one ("the", "a*") costs the same as a narrow one instead
/// of scoring hundreds of thousands of rows.
pub const RANK_WINDOW: i64 = 2000;

/// The best-ranked (BM25) messages of live chats matching `fts_query`,
/// among the newest [`RANK_WINDOW`] matches. `snippet` holds the whole
/// message text; the service cuts the snippet from it.
pub async fn messages<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    fts_query: &str,
    filters: Filters,
    limit: u32,
) -> Result<Vec<MessageHit>> {
    let unfiltered =
        filters.character_id.is_none() && filters.from.is_none() && filters.to.is_none();
    let sql = if unfiltered {
        // One pass over the index: the newest matches in rowid order (which
        // FTS5 serves without scoring), scored, the best kept. Rowids grow
        // with insertion, so "newest" is "added last".
        r"select m.id as message_id, m.chat_session_id as chat_id, s.title as chat_title,
                 s.character_id, c.name as character_name, m.seq, m.role, m.created_at,
                 m.content as snippet
            from (select rowid as rid, rank as score from messages_fts
                   where messages_fts match ?1
                   order by rowid desc limit ?6) w
            join messages m on m.rowid = w.rid
            join chat_sessions s on s.id = m.chat_session_id
            left join characters c on c.id = s.character_id
           where ?2 is null and ?3 is null and ?4 is null
           order by w.score
           limit ?5"
    } else {
        // Filters first: the window's floor is the RANK_WINDOW-th newest
        // match that passes them; then only matches above it are scored.
        r"select m.id as message_id, m.chat_session_id as chat_id, s.title as chat_title,
                 s.character_id, c.name as character_name, m.seq, m.role, m.created_at,
                 m.content as snippet
            from messages_fts f
            join messages m on m.rowid = f.rowid
            join chat_sessions s on s.id = m.chat_session_id
            left join characters c on c.id = s.character_id
           where messages_fts match ?1
             and f.rowid >= coalesce((
                   select f2.rowid
                     from messages_fts f2
                     join messages m2 on m2.rowid = f2.rowid
                     join chat_sessions s2 on s2.id = m2.chat_session_id
                    where messages_fts match ?1
                      and (?2 is null or s2.character_id = ?2)
                      and (?3 is null or m2.created_at >= ?3)
                      and (?4 is null or m2.created_at <= ?4)
                    order by f2.rowid desc
                    limit 1 offset ?6 - 1), 0)
             and (?2 is null or s.character_id = ?2)
             and (?3 is null or m.created_at >= ?3)
             and (?4 is null or m.created_at <= ?4)
           order by f.rank
           limit ?5"
    };
    Ok(sqlx::query_as(sql)
        .bind(fts_query)
        .bind(filters.character_id)
        .bind(filters.from)
        .bind(filters.to)
        .bind(i64::from(limit))
        .bind(RANK_WINDOW)
        .fetch_all(exec)
        .await?)
}

/// Live characters matching `fts_query` in any text field, best first.
pub async fn characters<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    fts_query: &str,
    limit: u32,
) -> Result<Vec<CharacterHit>> {
    Ok(sqlx::query_as(
        r"select c.id, c.name,
                 snippet(characters_fts, -1, char(2), char(3), '…', 16) as snippet
            from characters_fts f
            join characters c on c.rowid = f.rowid
           where characters_fts match ?1 and c.deleted_at is null
           order by f.rank
           limit ?2",
    )
    .bind(fts_query)
    .bind(i64::from(limit))
    .fetch_all(exec)
    .await?)
}
