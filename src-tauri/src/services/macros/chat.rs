//! Macros in a chat: the names and context a chat gives its macros, its
//! variables (`chat_sessions.metadata.variables`, a JSON object of
//! strings, as SillyTavern keeps them in `chat_metadata.variables`), and
//! the one evaluation of a message's macros when it is sent or made,
//! stored in its `metadata.macros` (and its shown swipe's).

use serde_json::Value;
use sqlx::{SqliteConnection, SqlitePool};

use super::display::{self, Item, Shown};
use super::{Context, Names, Variables};
use crate::error::Result;
use crate::models::{Id, Message, MessageRole, Timestamp};
use crate::repos;
use crate::services::prompt::DEFAULT_USER_NAME;

/// The name `{{char}}` stands for in a chat without a character.
pub const DEFAULT_CHAR_NAME: &str = "Assistant";

/// The names of a chat: its character (or the speaker given), its persona,
/// its group's members.
pub async fn names(conn: &mut SqliteConnection, chat_id: Id) -> Result<Names> {
    let (char, user) = repos::chat_session::names(&mut *conn, chat_id)
        .await?
        .unwrap_or_default();
    let members = repos::chat_member::list(&mut *conn, chat_id)
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect();
    Ok(Names {
        char: char.unwrap_or_else(|| DEFAULT_CHAR_NAME.into()),
        user: user.unwrap_or_else(|| DEFAULT_USER_NAME.into()),
        members,
    })
}

/// Messages of a chat as the window shows them (`display::show`), the
/// chat's names read once. A speaker's name, where an item has one, is
/// its `{{char}}` (a group chat's messages).
pub async fn show(pool: &SqlitePool, chat_id: Id, items: &[Item]) -> Result<Vec<Shown>> {
    let names = if items.iter().any(|i| super::has_macros(&i.text)) {
        names_in(pool, chat_id).await?
    } else {
        Names::default()
    };
    Ok(items
        .iter()
        .map(|item| match item.speaker.as_deref() {
            Some(s) if !s.is_empty() => {
                let names = Names {
                    char: s.to_string(),
                    ..names.clone()
                };
                display::show(item, &names)
            }
            _ => display::show(item, &names),
        })
        .collect())
}

/// `names` from a pool.
pub async fn names_in(pool: &SqlitePool, chat_id: Id) -> Result<Names> {
    let mut conn = pool.acquire().await?;
    names(&mut conn, chat_id).await
}

/// The chat's variables.
pub async fn variables(conn: &mut SqliteConnection, chat_id: Id) -> Result<Variables> {
    Ok(to_variables(
        &repos::chat_session::variables(conn, chat_id).await?,
    ))
}

/// Variables from JSON: strings kept, numbers and booleans as text.
pub fn to_variables(v: &Value) -> Variables {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(_) | Value::Bool(_) => v.to_string(),
                        _ => return None,
                    };
                    Some((k.clone(), s))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The context of a message made now, after the messages before
/// `before_seq` (all when `None`): the newest of them is `{{lastMessage}}`,
/// and the person's message before the newest gives `{{idle_duration}}`.
pub async fn context(
    conn: &mut SqliteConnection,
    chat_id: Id,
    before_seq: Option<i64>,
    input: &str,
) -> Result<Context> {
    let names = names(&mut *conn, chat_id).await?;
    let (recent, _) = repos::message::page(&mut *conn, chat_id, before_seq, 50).await?;
    let mut cx = Context::new(names);
    cx.input = input.to_string();
    if let Some(last) = recent.last() {
        cx.last_message = super::replay(&last.content, &cx.names, &super::stored(&last.metadata.0));
    }
    cx.idle_since = idle_since(recent.iter());
    Ok(cx)
}

/// What a prompt's macros read, now, after `history`: its newest message
/// is `{{lastMessage}}`, the person's newest is `{{input}}`, and the
/// person's message before the newest gives `{{idle_duration}}`.
pub fn prompt_context(names: &Names, history: &[Message]) -> Context {
    let mut cx = Context::new(names.clone());
    if let Some(last) = history.last() {
        cx.last_message = super::replay(&last.content, names, &super::stored(&last.metadata.0));
    }
    cx.input = history
        .iter()
        .rev()
        .find(|m| m.role == MessageRole::User)
        .map(|m| m.content.clone())
        .unwrap_or_default();
    cx.idle_since = idle_since(history.iter());
    cx
}

/// SillyTavern's rule: past the newest message, the person's latest.
fn idle_since<'a>(newest_first: impl DoubleEndedIterator<Item = &'a Message>) -> Option<Timestamp> {
    newest_first
        .rev()
        .filter(|m| m.role != MessageRole::System)
        .skip(1)
        .find(|m| m.role == MessageRole::User)
        .map(|m| m.created_at)
}

/// Settles a message just written: its macros evaluated once, the results
/// stored with it and put in `m`'s metadata (see `resolve_message`).
pub async fn settle(conn: &mut SqliteConnection, m: &mut Message) -> Result<()> {
    let values = settle_text(conn, m, &m.content.clone()).await?;
    if !values.is_empty() {
        if let Some(o) = m.metadata.0.as_object_mut() {
            o.insert(super::METADATA_KEY.into(), serde_json::json!(values));
        }
    }
    Ok(())
}

/// Settles `content`, the new text of message `m` (an edit, a version a
/// person added): `{{input}}` is the text itself for the person's message.
pub async fn settle_text(
    conn: &mut SqliteConnection,
    m: &Message,
    content: &str,
) -> Result<Vec<String>> {
    let input = if m.role == MessageRole::User {
        content
    } else {
        ""
    };
    resolve_message(conn, m.chat_session_id, m.id, content, Some(m.seq), input).await
}

/// Evaluates the macros of message `id` (text `text`, placed after the
/// messages before `before_seq`) once: stores the results with it and
/// saves the chat's variables when a `{{setvar}}` changed them. A text
/// without macros is left alone. Runs inside the caller's transaction.
pub async fn resolve_message(
    conn: &mut SqliteConnection,
    chat_id: Id,
    id: Id,
    text: &str,
    before_seq: Option<i64>,
    input: &str,
) -> Result<Vec<String>> {
    if !text.contains("{{") {
        return Ok(Vec::new());
    }
    let values = resolve_text(&mut *conn, chat_id, text, before_seq, input).await?;
    repos::message::set_macros(&mut *conn, id, &values).await?;
    Ok(values)
}

/// `resolve_message` without storing the results (the caller keeps them
/// in the metadata it writes); the chat's variables are saved.
pub async fn resolve_text(
    conn: &mut SqliteConnection,
    chat_id: Id,
    text: &str,
    before_seq: Option<i64>,
    input: &str,
) -> Result<Vec<String>> {
    let cx = context(&mut *conn, chat_id, before_seq, input).await?;
    let mut vars = variables(&mut *conn, chat_id).await?;
    let before = vars.clone();
    let values = super::resolve(text, &cx, &mut vars);
    if vars != before {
        let json = serde_json::to_value(&vars).unwrap_or_default();
        repos::chat_session::set_variables(&mut *conn, chat_id, &json).await?;
    }
    Ok(values)
}
