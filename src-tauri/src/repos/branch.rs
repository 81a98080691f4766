//! SQL for branches: a chat's history copied into a new chat inside the
//! database (`insert ... select`, never row by row through Rust), and the
//! link from a branch to the chat it came from (`chat_sessions.parent_*`).
//!
//! The column lists below are the one place that says what a branch copies;
//! `tests/branches.rs` fails when a table gains a column they do not name,
//! so a new column is never silently left behind in branches.

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::models::{BranchOrigin, BranchSummary, Id, Timestamp};

/// `chat_sessions` columns a branch takes from its parent as they are.
pub const CHAT_COPIED: &[&str] = &[
    "character_id",
    "user_profile_id",
    "ai_model_id",
    "system_prompt_id",
    "generation",
    "group_settings",
    "authors_note",
];
/// `chat_sessions` columns a branch sets itself.
pub const CHAT_OWN: &[&str] = &[
    "id",
    "title",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
    "parent_chat_id",
    "parent_message_id",
    "parent_seq",
    "parent_title",
];
/// `messages` columns copied as they are (all but the id and the chat).
pub const MESSAGE_COPIED: &[&str] = &[
    "seq",
    "role",
    "status",
    "active_swipe",
    "created_at",
    "updated_at",
    "metadata",
    "content",
    "speaker_id",
    "speaker_name",
];
/// `chat_members` columns copied as they are (all but the chat).
pub const MEMBER_COPIED: &[&str] = &[
    "character_id",
    "position",
    "talkativeness",
    "muted",
    "created_at",
];
/// `message_swipes` columns copied as they are (all but the id and the message).
pub const SWIPE_COPIED: &[&str] = &[
    "swipe_index",
    "created_at",
    "updated_at",
    "metadata",
    "content",
];
/// `chat_memories` columns copied as they are (all but the id and the chat).
pub const MEMORY_COPIED: &[&str] = &[
    "first_seq",
    "last_seq",
    "made_by",
    "pinned",
    "stale",
    "ai_model_id",
    "created_at",
    "updated_at",
    "content",
];

/// A new UUID v7 per row, made by SQLite: the time `?now` (milliseconds,
/// 48 bits), version 7, 74 random bits, the RFC 4122 variant.
const NEW_ID: &str = "unhex(printf('%012X7%03X%X%03X%012X', ?4, random() & 4095, \
     8 + (random() & 3), random() & 4095, random() & 281474976710655))";

fn list(columns: &[&str], alias: &str) -> String {
    columns
        .iter()
        .map(|c| format!("{alias}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The new chat, as a copy of the live chat `parent` with its own title and
/// metadata and the link to `parent_message_id` (at `parent_seq`). Written
/// in the trash (`deleted_at` = `now`), so its messages skip the search
/// index row by row; [`crate::repos::restore`] then indexes them in one
/// statement. `false` when `parent` is not a live chat.
#[allow(clippy::too_many_arguments)]
pub async fn insert_chat(
    conn: &mut SqliteConnection,
    id: Id,
    parent: Id,
    title: &str,
    metadata: &serde_json::Value,
    parent_message_id: Id,
    parent_seq: i64,
    now: Timestamp,
) -> Result<bool> {
    let copied = list(CHAT_COPIED, "");
    let done = sqlx::query(AssertSqlSafe(format!(
        r"insert into chat_sessions (id, title, metadata, created_at, updated_at, deleted_at,
            parent_chat_id, parent_message_id, parent_seq, parent_title, {copied})
          select ?1, ?3, ?4, ?7, ?7, ?7, id, ?5, ?6, title, {copied}
            from chat_sessions where id = ?2 and deleted_at is null"
    )))
    .bind(id)
    .bind(parent)
    .bind(title)
    .bind(sqlx::types::Json(metadata))
    .bind(parent_message_id)
    .bind(parent_seq)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether a reply is being written (`pending` or `streaming`) in `chat` at
/// or before `seq`.
pub async fn writing_up_to<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    seq: i64,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        r"select exists (select 1 from messages
           where chat_session_id = ?1 and seq <= ?2 and status in ('pending', 'streaming'))",
    )
    .bind(chat)
    .bind(seq)
    .fetch_one(exec)
    .await?)
}

/// Copies the messages of `from` up to and including `seq` into `to`, then
/// their swipes (matched by `seq`), then the summaries whose whole range is
/// copied. Returns how many messages.
pub async fn copy_history(
    conn: &mut SqliteConnection,
    from: Id,
    to: Id,
    seq: i64,
    now: Timestamp,
) -> Result<u64> {
    let m = list(MESSAGE_COPIED, "");
    let messages = sqlx::query(AssertSqlSafe(format!(
        r"insert into messages (id, chat_session_id, {m})
          select {NEW_ID}, ?2, {m} from messages
           where chat_session_id = ?1 and seq <= ?3 order by seq"
    )))
    .bind(from)
    .bind(to)
    .bind(seq)
    .bind(now.millis())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let w = list(SWIPE_COPIED, "w.");
    let s = list(SWIPE_COPIED, "");
    sqlx::query(AssertSqlSafe(format!(
        r"insert into message_swipes (id, message_id, {s})
          select {NEW_ID}, n.id, {w}
            from messages o
            join message_swipes w on w.message_id = o.id
            join messages n on n.chat_session_id = ?2 and n.seq = o.seq
           where o.chat_session_id = ?1 and o.seq <= ?3"
    )))
    .bind(from)
    .bind(to)
    .bind(seq)
    .bind(now.millis())
    .execute(&mut *conn)
    .await?;
    let g = list(MEMBER_COPIED, "");
    sqlx::query(AssertSqlSafe(format!(
        r"insert into chat_members (chat_session_id, {g})
          select ?2, {g} from chat_members where chat_session_id = ?1"
    )))
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    let c = list(MEMORY_COPIED, "");
    sqlx::query(AssertSqlSafe(format!(
        r"insert into chat_memories (id, chat_session_id, {c})
          select {NEW_ID}, ?2, {c} from chat_memories
           where chat_session_id = ?1 and last_seq <= ?3"
    )))
    .bind(from)
    .bind(to)
    .bind(seq)
    .bind(now.millis())
    .execute(&mut *conn)
    .await?;
    Ok(messages)
}

/// Where a chat came from; `None` when it is not a branch (or not a chat).
pub async fn origin<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Option<BranchOrigin>> {
    Ok(sqlx::query_as(
        r"select p.id as parent_chat_id, coalesce(p.title, s.parent_title, '') as parent_title,
                 s.parent_message_id, s.parent_seq,
                 coalesce(p.deleted_at is not null, 0) as parent_in_trash
            from chat_sessions s left join chat_sessions p on p.id = s.parent_chat_id
           where s.id = ?1 and s.parent_seq is not null",
    )
    .bind(chat)
    .fetch_optional(exec)
    .await?)
}

/// A chat's live branches, oldest first (`ix_chat_sessions_parent_chat`).
pub async fn children<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Vec<BranchSummary>> {
    Ok(sqlx::query_as(
        r"select id, title, parent_seq, created_at, updated_at from chat_sessions
           where parent_chat_id = ?1 and deleted_at is null
           order by created_at, id",
    )
    .bind(chat)
    .fetch_all(exec)
    .await?)
}

/// Links `chat` as a branch of `parent` at its message `seq` (the message
/// itself when `parent` has one there), keeping the parent's title in words.
pub async fn link<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    parent: Id,
    seq: i64,
) -> Result<()> {
    sqlx::query(
        r"update chat_sessions
             set parent_chat_id = ?2, parent_seq = ?3,
                 parent_title = (select title from chat_sessions where id = ?2),
                 parent_message_id = (select id from messages
                                       where chat_session_id = ?2 and seq = ?3)
           where id = ?1",
    )
    .bind(chat)
    .bind(parent)
    .bind(seq)
    .execute(exec)
    .await?;
    Ok(())
}

/// The newest live chat of `character` imported from SillyTavern's file
/// `file` (its name without `.jsonl`, kept in `metadata` under `key`),
/// other than `except`.
pub async fn find_imported<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    character: Id,
    key: &str,
    file: &str,
    except: Id,
) -> Result<Option<Id>> {
    Ok(sqlx::query_scalar(
        r"select id from chat_sessions
           where character_id = ?1 and deleted_at is null and id <> ?4
             and json_extract(metadata, '$.' || json_quote(?2)) = ?3
           order by created_at desc, id desc limit 1",
    )
    .bind(character)
    .bind(key)
    .bind(file)
    .bind(except)
    .fetch_optional(exec)
    .await?)
}

/// Live chats of `character` not linked to a parent whose SillyTavern
/// header names `file` as their `main_chat`, with their own file name
/// (`key` in their metadata) and last `seq`.
pub async fn naming_main_chat<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    character: Id,
    key: &str,
    file: &str,
    except: Id,
) -> Result<Vec<(Id, Option<String>, Option<i64>)>> {
    Ok(sqlx::query_as(
        r"select s.id, json_extract(s.metadata, '$.' || json_quote(?2)),
                 (select max(m.seq) from messages m where m.chat_session_id = s.id)
            from chat_sessions s
           where s.character_id = ?1 and s.deleted_at is null and s.id <> ?4
             and s.parent_chat_id is null
             and json_extract(s.metadata, '$.sillytavern.chat_metadata.main_chat') = ?3",
    )
    .bind(character)
    .bind(key)
    .bind(file)
    .bind(except)
    .fetch_all(exec)
    .await?)
}

/// Where SillyTavern branched `file` off `parent`: the last message whose
/// line links to it (`extra.branches` for a branch, `extra.bookmark_link`
/// for a checkpoint); `None` when no line does.
pub async fn imported_branch_point<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    parent: Id,
    file: &str,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        r"select m.seq from messages m
           where m.chat_session_id = ?1
             and (json_extract(m.metadata, '$.sillytavern.extra.bookmark_link') = ?2
                  or exists (select 1 from json_each(m.metadata, '$.sillytavern.extra.branches') b
                              where b.value = ?2))
           order by m.seq desc limit 1",
    )
    .bind(parent)
    .bind(file)
    .fetch_optional(exec)
    .await?)
}

/// A chat's last `seq`, `None` when it has no message.
pub async fn last_seq<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar(r"select max(seq) from messages where chat_session_id = ?1")
            .bind(chat)
            .fetch_one(exec)
            .await?,
    )
}
