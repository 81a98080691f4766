//! System prompts: unique live names; built-in prompts can be edited but not
//! deleted, so a chat that uses one always finds it.

use serde_json::json;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, Id, ListQuery, Page, SystemPrompt, SystemPromptInput, Timestamp};
use crate::repos::settings::DefaultOf;
use crate::repos::{self, system_prompt as repo, Table};

async fn validated(
    pool: &SqlitePool,
    mut input: SystemPromptInput,
    except: Option<Id>,
) -> Result<SystemPromptInput> {
    input.name = validate::name("name", &input.name)?;
    validate::card_text("content", &input.content)?;
    if repos::find_by_name(pool, Table::SystemPrompts, &input.name, except)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "a system prompt named \"{}\" already exists; choose another name",
                input.name
            ),
        )
        .worded(
            "name_taken",
            json!({ "entity": "system prompt", "name": input.name }),
        ));
    }
    Ok(input)
}

pub async fn create(pool: &SqlitePool, input: SystemPromptInput) -> Result<SystemPrompt> {
    let input = validated(pool, input, None).await?;
    let id = new_id();
    repo::insert(pool, id, &input, Timestamp::now())
        .await
        .context("save the system prompt")
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<SystemPrompt> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("system prompt", id))
}

pub async fn list(pool: &SqlitePool, query: &ListQuery) -> Result<Page<SystemPrompt>> {
    repo::list(pool, query)
        .await
        .context("list the system prompts")
}

pub async fn update(pool: &SqlitePool, id: Id, input: SystemPromptInput) -> Result<SystemPrompt> {
    if get(pool, id).await?.deleted_at.is_some() {
        return Err(AppError::business(
            "this system prompt is in the trash; restore it before editing",
        )
        .worded(
            "in_trash_before_editing",
            json!({ "entity": "system prompt" }),
        ));
    }
    let input = validated(pool, input, Some(id)).await?;
    repo::update(pool, id, &input, Timestamp::now())
        .await
        .context("save the system prompt")?
        .ok_or_else(|| AppError::not_found("system prompt", id))
}

/// Moves a prompt to the trash and clears it as the default. Built-ins stay.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    if get(pool, id).await?.is_builtin {
        return Err(AppError::business(
            "built-in system prompts can't be deleted; edit it, or create your own and make it the default",
        )
        .worded("builtin_prompt", json!({})));
    }
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    if !repos::soft_delete(&mut *tx, Table::SystemPrompts, id, now).await? {
        return Err(AppError::not_found("system prompt", id));
    }
    repos::settings::clear_default(&mut *tx, DefaultOf::SystemPrompt, id, now).await?;
    tx.commit().await.context("delete the system prompt")?;
    Ok(())
}

pub async fn restore(pool: &SqlitePool, id: Id) -> Result<SystemPrompt> {
    let current = get(pool, id).await?;
    if repos::find_by_name(pool, Table::SystemPrompts, &current.name, Some(id))
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "another system prompt is now named \"{}\"; rename it first",
                current.name
            ),
        )
        .worded(
            "name_taken_now",
            json!({ "entity": "system prompt", "name": current.name }),
        ));
    }
    repos::restore(pool, id, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("system prompt in the trash", id))
}

pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    if get(pool, id).await?.deleted_at.is_none() {
        return Err(AppError::business(
            "move the system prompt to the trash before deleting it for good",
        )
        .worded("purge_from_trash", json!({ "entity": "system prompt" })));
    }
    repos::purge(pool, Table::SystemPrompts, id)
        .await
        .context("delete the system prompt")?;
    repos::erase_deleted(pool)
        .await
        .context("erase the deleted text")?;
    Ok(())
}
