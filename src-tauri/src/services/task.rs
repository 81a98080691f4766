//! Tasks beside a chat or standing alone: validation in words, order
//! within a chat (moves take a position between the neighbours, renumbering
//! the chat's open tasks when there is no room), done and undone, the trash,
//! and the chat's objectives block for the prompt.

use serde_json::json;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, Cursor, Id, Page, Place, Task, TaskHit, TaskInput, TaskPatch, TaskQuery, Timestamp,
};
use crate::repos::{self, task as repo, Table};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 500;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 5000;
/// The gap between positions: new tasks go this far after the last, and a
/// renumbered list is spaced by it.
pub const POSITION_STEP: i64 = 1024;

/// A title: one line of 1 to 500 characters, without controls.
pub fn title(value: &str) -> Result<String> {
    let v = validate::clean_label(value);
    if v.is_empty() {
        return Err(AppError::validation(
            "title",
            "the task has no title; write what is to be done",
        )
        .worded("task_no_title", json!({})));
    }
    let n = v.chars().count();
    if n > TITLE_MAX {
        return Err(AppError::validation(
            "title",
            format!(
                "the task's title is {n} characters long; the limit is {TITLE_MAX}: move the rest into its description"
            ),
        )
        .worded("task_title_too_long", json!({ "length": n, "limit": TITLE_MAX })));
    }
    Ok(v)
}

/// A description of at most 5,000 characters (may be empty), trimmed.
pub fn description(value: &str) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n > DESCRIPTION_MAX {
        return Err(AppError::validation(
            "description",
            format!(
                "the task's description is {n} characters long; the limit is 5,000: shorten it"
            ),
        )
        .worded(
            "task_description_too_long",
            json!({ "length": n, "limit": DESCRIPTION_MAX }),
        ));
    }
    Ok(v.to_string())
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<Task> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("task", id))
}

fn in_trash() -> AppError {
    AppError::business("this task is in the trash; restore it first")
        .worded("in_trash_first", json!({ "entity": "task" }))
}

/// The chat a task is linked to must exist and be out of the trash.
async fn live_chat(pool: &SqlitePool, chat: Id) -> Result<()> {
    super::message::live_chat(pool, chat).await.map(|_| ())
}

/// Adds a task at the end of its chat's list (or of the standing-alone
/// ones).
pub async fn create(pool: &SqlitePool, input: TaskInput) -> Result<Task> {
    let title = title(&input.title)?;
    let description = description(&input.description)?;
    if let Some(chat) = input.chat_session_id {
        live_chat(pool, chat).await?;
    }
    let mut tx = pool.begin().await?;
    let last = repo::last_position(&mut *tx, input.chat_session_id).await?;
    let position = last.map_or(POSITION_STEP, |p| p + POSITION_STEP);
    let task = repo::insert(
        &mut *tx,
        new_id(),
        input.chat_session_id,
        &title,
        &description,
        position,
        Timestamp::now(),
    )
    .await?;
    tx.commit().await.context("save the task")?;
    Ok(task)
}

/// A chat's live tasks: the open ones in their order, then the done ones,
/// last done first. `None` lists the standing-alone tasks.
pub async fn for_chat(pool: &SqlitePool, chat: Option<Id>) -> Result<Vec<Task>> {
    if let Some(id) = chat {
        if repos::chat_session::get(pool, id).await?.is_none() {
            return Err(AppError::not_found("chat", id));
        }
    }
    let mut tasks = repo::open_of(pool, chat).await.context("list the tasks")?;
    tasks.extend(repo::done_of(pool, chat).await.context("list the tasks")?);
    Ok(tasks)
}

/// The Tasks screen (open, done or all) and the trash: most recently
/// changed first, in keyset pages.
pub async fn list(pool: &SqlitePool, query: &TaskQuery) -> Result<Page<Task>> {
    let limit = query
        .limit
        .unwrap_or(crate::models::ListQuery::DEFAULT_LIMIT)
        .clamp(1, crate::models::ListQuery::MAX_LIMIT);
    let cursor = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => Some(Cursor::decode(raw)?),
        None => None,
    };
    repo::page(pool, query, cursor.as_ref(), limit)
        .await
        .context("list the tasks")
}

/// Changes the fields given; ticking sets `doneAt`, unticking clears it.
pub async fn update(pool: &SqlitePool, id: Id, patch: TaskPatch) -> Result<Task> {
    let current = get(pool, id).await?;
    if current.deleted_at.is_some() {
        return Err(in_trash());
    }
    let title = match patch.title {
        Some(t) => title(&t)?,
        None => current.title,
    };
    let description = match patch.description {
        Some(d) => description(&d)?,
        None => current.description,
    };
    let done = patch.done.unwrap_or(current.done);
    repo::update(pool, id, &title, &description, done, Timestamp::now())
        .await
        .context("save the task")?
        .ok_or_else(|| AppError::not_found("task", id))
}

/// Moves an open task just before or after another open task of the same
/// list; returns that list in its new order.
pub async fn move_to(pool: &SqlitePool, id: Id, target: Id, place: Place) -> Result<Vec<Task>> {
    let task = get(pool, id).await?;
    if task.deleted_at.is_some() {
        return Err(in_trash());
    }
    if task.done {
        return Err(
            AppError::business("a done task keeps its place; untick it to move it")
                .worded("done_task_stays", json!({})),
        );
    }
    let mut tx = pool.begin().await?;
    let mut order: Vec<(Id, i64)> = repo::open_of(&mut *tx, task.chat_session_id)
        .await?
        .into_iter()
        .filter(|t| t.id != id)
        .map(|t| (t.id, t.position))
        .collect();
    let Some(at) = order.iter().position(|(t, _)| *t == target) else {
        return Err(AppError::validation(
            "target",
            "a task moves only among the open tasks of its own list; reload the list",
        )
        .worded("task_other_list", json!({})));
    };
    let at = match place {
        Place::Before => at,
        Place::After => at + 1,
    };
    let before = at.checked_sub(1).and_then(|i| order.get(i)).map(|o| o.1);
    let after = order.get(at).map(|o| o.1);
    let between = match (before, after) {
        (Some(b), Some(a)) if a - b > 1 => Some(b + (a - b) / 2),
        (Some(b), None) => Some(b + POSITION_STEP),
        (None, Some(a)) => Some(a - POSITION_STEP),
        (None, None) => Some(POSITION_STEP),
        _ => None,
    };
    let moves = match between {
        Some(p) => vec![(id, p)],
        None => {
            order.insert(at, (id, 0));
            renumbered(&order)
        }
    };
    repo::set_positions(&mut tx, &moves).await?;
    let list = repo::open_of(&mut *tx, task.chat_session_id).await?;
    tx.commit().await.context("move the task")?;
    Ok(list)
}

/// Positions one step apart, in the order given.
fn renumbered(order: &[(Id, i64)]) -> Vec<(Id, i64)> {
    (1..)
        .zip(order)
        .map(|(i, (id, _))| (*id, i * POSITION_STEP))
        .collect()
}

/// Moves a task to the trash.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    get(pool, id).await?;
    if !repos::soft_delete(pool, Table::Tasks, id, Timestamp::now())
        .await
        .context("delete the task")?
    {
        return Err(in_trash());
    }
    Ok(())
}

/// Brings a task back from the trash, into its list where it was; if its
/// chat was deleted for good meanwhile, it stands alone.
pub async fn restore(pool: &SqlitePool, id: Id) -> Result<Task> {
    get(pool, id).await?;
    repos::restore(pool, id, Timestamp::now())
        .await
        .context("restore the task")?
        .ok_or_else(|| AppError::not_found("task in the trash", id))
}

/// Deletes a task for good; only from the trash.
pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    if get(pool, id).await?.deleted_at.is_none() {
        return Err(
            AppError::business("move the task to the trash before deleting it for good")
                .worded("purge_from_trash", json!({ "entity": "task" })),
        );
    }
    repos::purge(pool, Table::Tasks, id)
        .await
        .context("delete the task")?;
    repos::erase_deleted(pool)
        .await
        .context("erase the deleted text")?;
    Ok(())
}

/// Whether the chat lets its open tasks into the prompt.
pub async fn objectives_on(pool: &SqlitePool, chat: Id) -> Result<bool> {
    repo::objectives_on(pool, chat)
        .await
        .context("read the chat's objectives setting")
}

/// Lets the chat's open tasks into the prompt, or keeps them out.
pub async fn set_objectives(pool: &SqlitePool, chat: Id, on: bool) -> Result<()> {
    live_chat(pool, chat).await?;
    repo::set_objectives(pool, chat, on)
        .await
        .context("save the chat's objectives setting")
}

/// The chat's objectives block for the prompt: its open tasks in order,
/// when the chat lets them in and has any.
pub async fn objectives(pool: &SqlitePool, chat: Id) -> Result<Option<String>> {
    if !repo::objectives_on(pool, chat).await? {
        return Ok(None);
    }
    Ok(objectives_block(&repo::open_of(pool, Some(chat)).await?))
}

/// "Current objectives:" and a line per open task, "- title: description"
/// (the description on one line); `None` without open tasks.
pub fn objectives_block(tasks: &[Task]) -> Option<String> {
    let lines: Vec<String> = tasks
        .iter()
        .filter(|t| !t.done && t.deleted_at.is_none())
        .map(|t| {
            let about = t
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if about.is_empty() {
                format!("- {}", t.title)
            } else {
                format!("- {}: {about}", t.title)
            }
        })
        .collect();
    (!lines.is_empty()).then(|| format!("Current objectives:\n{}", lines.join("\n")))
}

/// Live tasks matching an FTS5 query (`services::search` makes it).
pub async fn search(pool: &SqlitePool, fts_query: &str, limit: u32) -> Result<Vec<TaskHit>> {
    repo::search(pool, fts_query, limit)
        .await
        .context("search the tasks")
}
