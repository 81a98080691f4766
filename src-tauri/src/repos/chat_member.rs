//! SQL for `chat_members`: the characters of a group chat, in member order,
//! and the chat's `group_settings`.

use sqlx::types::Json;
use sqlx::{Executor, Sqlite};

use crate::error::Result;
use crate::models::{ChatMember, GroupSettings, Id, Timestamp};

/// The live members of a chat in member order (a purged or trashed
/// character is not a member anyone can pick).
pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Vec<ChatMember>> {
    Ok(sqlx::query_as(
        r"select m.chat_session_id, m.character_id, c.name, m.position, m.talkativeness,
                 m.muted, m.created_at
            from chat_members m join characters c on c.id = m.character_id
           where m.chat_session_id = ?1 and c.deleted_at is null
           order by m.position, m.created_at",
    )
    .bind(chat)
    .fetch_all(exec)
    .await?)
}

/// Adds `character` as the chat's last member (no-op when it is one).
pub async fn add<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    character: Id,
    talkativeness: f64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into chat_members (chat_session_id, character_id, position, talkativeness,
            muted, created_at)
          values (?1, ?2,
            (select coalesce(max(position), -1) + 1 from chat_members where chat_session_id = ?1),
            ?3, 0, ?4)
          on conflict (chat_session_id, character_id) do nothing",
    )
    .bind(chat)
    .bind(character)
    .bind(talkativeness)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

/// The chat's group settings (defaults for a chat that set none).
pub async fn settings<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
) -> Result<Option<GroupSettings>> {
    let row: Option<Json<GroupSettings>> =
        sqlx::query_scalar("select group_settings from chat_sessions where id = ?1")
            .bind(chat)
            .fetch_optional(exec)
            .await?;
    Ok(row.map(|j| j.0))
}

/// Replaces the chat's group settings.
pub async fn set_settings<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    settings: &GroupSettings,
) -> Result<bool> {
    let done = sqlx::query("update chat_sessions set group_settings = ?2 where id = ?1")
        .bind(chat)
        .bind(Json(settings))
        .execute(exec)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A member as an import writes it: its place is its index in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMember {
    pub character_id: Id,
    pub talkativeness: f64,
    pub muted: bool,
}

/// Writes a new chat's members in order (an import; the chat has none yet).
pub async fn add_all(
    conn: &mut sqlx::SqliteConnection,
    chat: Id,
    members: &[NewMember],
    now: Timestamp,
) -> Result<()> {
    for (position, m) in members.iter().enumerate() {
        sqlx::query(
            r"insert into chat_members (chat_session_id, character_id, position, talkativeness,
                muted, created_at)
              values (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(chat)
        .bind(m.character_id)
        .bind(position as i64)
        .bind(m.talkativeness)
        .bind(m.muted)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
