//! SQL for `chat_members`: the characters of a group chat, in member order,
//! and the chat's `group_settings`.

use sqlx::types::Json;
use sqlx::{Executor, Sqlite};

use crate::error::Result;
use crate::models::{ChatMember, GroupSettings, Id, MessageRole, Timestamp};

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

/// Whether the chat has member rows (is a group chat), trashed characters
/// included. One probe of `pk_chat_members`.
pub async fn is_group<'e>(exec: impl Executor<'e, Database = Sqlite>, chat: Id) -> Result<bool> {
    Ok(
        sqlx::query_scalar("select exists (select 1 from chat_members where chat_session_id = ?1)")
            .bind(chat)
            .fetch_one(exec)
            .await?,
    )
}

/// Adds `character` at member `position` (rows of a new group, in order).
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    character: Id,
    position: i64,
    talkativeness: f64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into chat_members (chat_session_id, character_id, position, talkativeness,
            muted, created_at)
          values (?1, ?2, ?3, ?4, 0, ?5)",
    )
    .bind(chat)
    .bind(character)
    .bind(position)
    .bind(talkativeness)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

/// Removes a member; its messages keep their speaker. `false` when it was
/// not one.
pub async fn remove<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    character: Id,
) -> Result<bool> {
    let done =
        sqlx::query("delete from chat_members where chat_session_id = ?1 and character_id = ?2")
            .bind(chat)
            .bind(character)
            .execute(exec)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a member's muted flag and talkativeness.
pub async fn set_member<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    character: Id,
    muted: bool,
    talkativeness: f64,
) -> Result<bool> {
    let done = sqlx::query(
        r"update chat_members set muted = ?3, talkativeness = ?4
           where chat_session_id = ?1 and character_id = ?2",
    )
    .bind(chat)
    .bind(character)
    .bind(muted)
    .bind(talkativeness)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a member's `position`.
pub async fn set_position<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    character: Id,
    position: i64,
) -> Result<()> {
    sqlx::query(
        "update chat_members set position = ?3 where chat_session_id = ?1 and character_id = ?2",
    )
    .bind(chat)
    .bind(character)
    .bind(position)
    .execute(exec)
    .await?;
    Ok(())
}

/// Every member row's character in member order, trashed characters
/// included (what renumbering keeps).
pub async fn all_ids<'e>(exec: impl Executor<'e, Database = Sqlite>, chat: Id) -> Result<Vec<Id>> {
    Ok(sqlx::query_scalar(
        r"select character_id from chat_members where chat_session_id = ?1
           order by position, created_at",
    )
    .bind(chat)
    .fetch_all(exec)
    .await?)
}

/// Points `chat_sessions.character_id` at the first live member, so lists
/// and filters that read the chat's character see the group's first.
pub async fn sync_first<'e>(exec: impl Executor<'e, Database = Sqlite>, chat: Id) -> Result<()> {
    sqlx::query(
        r"update chat_sessions
             set character_id = coalesce((
                 select m.character_id from chat_members m
                   join characters c on c.id = m.character_id
                  where m.chat_session_id = ?1 and c.deleted_at is null
                  order by m.position, m.created_at limit 1), character_id)
           where id = ?1",
    )
    .bind(chat)
    .execute(exec)
    .await?;
    Ok(())
}

/// Gives the chat's character replies that have no speaker (those written
/// before it became a group) `character` and `name` as their speaker.
pub async fn set_missing_speakers<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    chat: Id,
    character: Id,
    name: &str,
) -> Result<u64> {
    let done = sqlx::query(
        r"update messages set speaker_id = ?2, speaker_name = ?3
           where chat_session_id = ?1 and role = 'assistant'
             and speaker_id is null and speaker_name is null",
    )
    .bind(chat)
    .bind(character)
    .bind(name)
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

/// The role and speaker of the messages from the person's newest message
/// on (at most `limit`), newest first, and the speaker of the newest
/// character message wherever it is: what turn orders read (who wrote
/// last, who spoke since the person, after whom list order goes on). Both
/// walk `uq_messages_chat_seq` backwards from the end and stop early; no
/// text is read.
pub async fn recent_speakers<'e, E>(
    exec: E,
    chat: Id,
    limit: u32,
) -> Result<(Vec<(MessageRole, Option<Id>)>, Option<Id>)>
where
    E: Executor<'e, Database = Sqlite> + Copy,
{
    let rows: Vec<(MessageRole, Option<Id>)> = sqlx::query_as(
        r"select role, speaker_id from messages
           where chat_session_id = ?1
             and seq >= coalesce((select seq from messages
                                   where chat_session_id = ?1 and role = 'user'
                                   order by seq desc limit 1), 0)
           order by seq desc limit ?2",
    )
    .bind(chat)
    .bind(limit)
    .fetch_all(exec)
    .await?;
    let last = match rows
        .iter()
        .find(|(role, _)| *role == MessageRole::Assistant)
    {
        Some((_, speaker)) => *speaker,
        None => sqlx::query_scalar(
            r"select speaker_id from messages
               where chat_session_id = ?1 and role = 'assistant'
               order by seq desc limit 1",
        )
        .bind(chat)
        .fetch_optional(exec)
        .await?
        .flatten(),
    };
    Ok((rows, last))
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
    for (position, m) in (0_i64..).zip(members) {
        insert(
            &mut *conn,
            chat,
            m.character_id,
            position,
            m.talkativeness,
            now,
        )
        .await?;
        if m.muted {
            set_member(&mut *conn, chat, m.character_id, true, m.talkativeness).await?;
        }
    }
    Ok(())
}
