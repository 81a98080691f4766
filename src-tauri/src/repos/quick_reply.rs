//! SQL for `quick_replies`: which templates a chat's quick-reply bar shows,
//! set on the chat or on its character.

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::models::{Id, QuickReply, QuickReplyInput, QuickReplyOwner, Timestamp};

/// The owner's two columns: (chat, character), exactly one set.
fn columns(owner: QuickReplyOwner) -> (Option<Id>, Option<Id>) {
    match owner {
        QuickReplyOwner::Chat(id) => (Some(id), None),
        QuickReplyOwner::Character(id) => (None, Some(id)),
    }
}

/// Replaces the owner's list with `items`, in their order.
pub async fn replace(
    conn: &mut SqliteConnection,
    owner: QuickReplyOwner,
    items: &[QuickReplyInput],
    now: Timestamp,
) -> Result<()> {
    let (chat, character) = columns(owner);
    let sql = match owner {
        QuickReplyOwner::Chat(_) => "delete from quick_replies where chat_session_id = ?1",
        QuickReplyOwner::Character(_) => "delete from quick_replies where character_id = ?1",
    };
    sqlx::query(sql)
        .bind(chat.or(character))
        .execute(&mut *conn)
        .await?;
    for (position, item) in items.iter().enumerate() {
        sqlx::query(
            r"insert into quick_replies
                  (id, chat_session_id, character_id, template_id, position, mode, created_at)
              values (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(crate::models::new_id())
        .bind(chat)
        .bind(character)
        .bind(item.template_id)
        .bind(position as i64)
        .bind(item.mode)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The owner's quick replies in order, live templates only
/// (`ix_quick_replies_chat_position` / `ix_quick_replies_character_position`).
pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    owner: QuickReplyOwner,
) -> Result<Vec<QuickReply>> {
    // One statement per owner column, so each uses its partial index.
    let (column, kind, id) = match owner {
        QuickReplyOwner::Chat(id) => ("chat_session_id", "chat", id),
        QuickReplyOwner::Character(id) => ("character_id", "character", id),
    };
    let sql = format!(
        r"select q.id, q.template_id, '{kind}' as owner, q.position, q.mode,
                 t.name, t.content, t.variables
            from quick_replies q
            join templates t on t.id = q.template_id and t.deleted_at is null
           where q.{column} = ?1
           order by q.position"
    );
    // The column and kind come from the match above, never from input.
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(exec)
        .await?)
}
