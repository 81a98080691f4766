//! SQL for `chat_sessions`.

use sqlx::types::Json;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec, SoftDeleted, Table};
use crate::error::Result;
use crate::models::{
    ChatOverrides, ChatSession, ChatSessionInput, ChatSessionSummary, Id, ListQuery, Page,
    Timestamp,
};

keyed!(ChatSessionSummary, title);

/// The list joins the character's name, peeks at the newest message
/// through `uq_messages_chat_seq` (one index probe per row), and reads a
/// group's member names through `pk_chat_members` (a one-character chat:
/// one probe that finds nothing, so `null`).
const SUMMARY: ListSpec<'static> = ListSpec {
    columns: r"s.id, s.title, s.character_id, c.name as character_name,
        (select substr(m.content, 1, 160) from messages m
          where m.chat_session_id = s.id order by m.seq desc limit 1) as last_message,
        (select nullif(json_group_array(g.name), '[]') from (
            select gc.name from chat_members gm join characters gc on gc.id = gm.character_id
             where gm.chat_session_id = s.id and gc.deleted_at is null
             order by gm.position, gm.created_at) g) as member_names,
        s.created_at, s.updated_at, s.deleted_at",
    from: "chat_sessions s left join characters c on c.id = s.character_id",
    alias: "s.",
    name_column: "title",
    soft_delete: true,
};

/// What `get` reads, and what a write returns (`returning`).
const COLUMNS: &str = r"id, title, character_id, user_profile_id, ai_model_id, system_prompt_id,
    generation, authors_note, created_at, updated_at, deleted_at";

/// The overrides as stored: only the keys that are set (`{}` for none).
fn stored(overrides: &ChatOverrides) -> String {
    let mut value = serde_json::to_value(overrides).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    value.to_string()
}

/// Inserts a chat and returns it as stored; `input.generation` of `None`
/// stores no overrides. A message appended later may move the chat's
/// `updated_at` (`tr_messages_touch_chat`), which the returned row misses.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &ChatSessionInput,
    now: Timestamp,
) -> Result<ChatSession> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into chat_sessions (id, title, character_id, user_profile_id, ai_model_id,
            system_prompt_id, generation, created_at, updated_at, authors_note)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.title)
    .bind(input.character_id)
    .bind(input.user_profile_id)
    .bind(input.ai_model_id)
    .bind(input.system_prompt_id)
    .bind(stored(&input.generation.unwrap_or_default()))
    .bind(now)
    .bind(Json(input.authors_note.clone().unwrap_or_default()))
    .fetch_one(exec)
    .await?)
}

/// Updates a chat and returns it as stored (`None` when there is none);
/// `input.generation` of `None` keeps its overrides.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &ChatSessionInput,
    now: Timestamp,
) -> Result<Option<ChatSession>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update chat_sessions
             set title = ?2, character_id = ?3, user_profile_id = ?4, ai_model_id = ?5,
                 system_prompt_id = ?6, generation = coalesce(?7, generation), updated_at = ?8,
                 authors_note = coalesce(?9, authors_note)
           where id = ?1
           returning {COLUMNS}"
    )))
    .bind(id)
    .bind(&input.title)
    .bind(input.character_id)
    .bind(input.user_profile_id)
    .bind(input.ai_model_id)
    .bind(input.system_prompt_id)
    .bind(input.generation.as_ref().map(stored))
    .bind(now)
    .bind(input.authors_note.as_ref().map(Json))
    .fetch_optional(exec)
    .await?)
}

/// Sets a live chat's title if it is still `expected` (a title made in the
/// background never replaces one a person typed meanwhile); `updated_at`
/// stays, so the chat keeps its place in the list.
pub async fn replace_title<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    expected: &str,
    title: &str,
) -> Result<Option<ChatSession>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update chat_sessions set title = ?3
           where id = ?1 and title = ?2 and deleted_at is null
           returning {COLUMNS}"
    )))
    .bind(id)
    .bind(expected)
    .bind(title)
    .fetch_optional(exec)
    .await?)
}

impl SoftDeleted for ChatSession {
    const TABLE: Table = Table::ChatSessions;
    const COLUMNS: &'static str = COLUMNS;
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<ChatSession>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from chat_sessions where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<ChatSessionSummary>> {
    let character = q.character_id;
    list_page(exec, &SUMMARY, q, |qb| {
        if let Some(c) = character {
            qb.push(" and s.character_id = ").push_bind(c);
        }
    })
    .await
}

/// What an imported chat carried beyond Parley's columns.
pub async fn set_metadata<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    metadata: &serde_json::Value,
) -> Result<()> {
    sqlx::query(r"update chat_sessions set metadata = ?2 where id = ?1")
        .bind(id)
        .bind(sqlx::types::Json(metadata))
        .execute(exec)
        .await?;
    Ok(())
}

pub async fn metadata<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<serde_json::Value>> {
    let row: Option<sqlx::types::Json<serde_json::Value>> =
        sqlx::query_scalar(r"select metadata from chat_sessions where id = ?1")
            .bind(id)
            .fetch_optional(exec)
            .await?;
    Ok(row.map(|j| j.0))
}

/// Gives a chat without a model the model `ai_model_id` (a chat whose
/// model was deleted taking the default); a chat that has one keeps it.
pub async fn fill_model<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    ai_model_id: Id,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update chat_sessions set ai_model_id = ?2, updated_at = ?3
           where id = ?1 and ai_model_id is null",
    )
    .bind(id)
    .bind(ai_model_id)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The names a chat's macros stand for: its character's and its
/// persona's (`None` where it has none).
pub async fn names<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<(Option<String>, Option<String>)>> {
    Ok(sqlx::query_as(
        r"select c.name, p.name from chat_sessions s
            left join characters c on c.id = s.character_id
            left join user_profiles p on p.id = s.user_profile_id
           where s.id = ?1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// The chat's variables (`{{setvar}}`), `metadata.variables`.
pub async fn variables<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<serde_json::Value> {
    let row: Option<Option<sqlx::types::Json<serde_json::Value>>> = sqlx::query_scalar(
        r"select json_extract(metadata, '$.variables') from chat_sessions where id = ?1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?;
    Ok(row.flatten().map(|j| j.0).unwrap_or_default())
}

/// Replaces the chat's variables, leaving the rest of its metadata.
pub async fn set_variables<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    variables: &serde_json::Value,
) -> Result<()> {
    sqlx::query(
        r"update chat_sessions set metadata = json_set(metadata, '$.variables', json(?2))
           where id = ?1",
    )
    .bind(id)
    .bind(variables.to_string())
    .execute(exec)
    .await?;
    Ok(())
}
