//! Characters: validation, soft delete with the default cleared, purge from
//! the trash only, and the list's thumbnails.

use serde_json::json;
use std::collections::HashMap;

use base64::Engine as _;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, Character, CharacterInput, CharacterSummary, Id, ListQuery, Page, Timestamp,
};
use crate::repos::settings::DefaultOf;
use crate::repos::{self, character as repo, Table};

/// Checks and normalises a character before it is written.
pub(crate) fn validated(mut input: CharacterInput) -> Result<CharacterInput> {
    input.name = validate::name("name", &input.name)?;
    for (field, value) in [
        ("description", &input.description),
        ("personality", &input.personality),
        ("scenario", &input.scenario),
        ("first_message", &input.first_message),
        ("example_messages", &input.example_messages),
        ("system_prompt", &input.system_prompt),
        (
            "post_history_instructions",
            &input.post_history_instructions,
        ),
        ("creator_notes", &input.creator_notes),
    ] {
        validate::card_text(field, value)?;
    }
    input.creator = validate::title("creator", &input.creator)?;
    input.character_version = validate::title("character_version", &input.character_version)?;
    if input.alternate_greetings.len() > 100 {
        return Err(AppError::validation(
            "alternate_greetings",
            "a character can have at most 100 alternate greetings",
        )
        .worded("too_many_greetings", json!({ "limit": 100 })));
    }
    for g in &input.alternate_greetings {
        validate::card_text("alternate_greetings", g)?;
    }
    input.tags = validate::tags(&input.tags)?;
    if let Some(ext) = &input.extensions {
        if !ext.is_object() {
            return Err(
                AppError::validation("extensions", "extensions must be a JSON object")
                    .worded("extensions_not_object", json!({})),
            );
        }
    }
    Ok(input)
}

pub async fn create(pool: &SqlitePool, input: CharacterInput) -> Result<Character> {
    let input = validated(input)?;
    let id = new_id();
    let character = repo::insert(pool, id, &input, Timestamp::now())
        .await
        .context("save the character")?;
    tracing::info!(character_id = %id, "character created");
    Ok(character)
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<Character> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("character", id))
}

/// The most recently changed live character with this name (any case).
pub async fn find_by_name(pool: &SqlitePool, name: &str) -> Result<Character> {
    let id = repo::find_live_by_name(pool, name)
        .await?
        .ok_or_else(|| AppError::not_found("character", name))?;
    get(pool, id).await
}

pub async fn list(pool: &SqlitePool, query: &ListQuery) -> Result<Page<CharacterSummary>> {
    repo::list(pool, query).await.context("list the characters")
}

pub async fn update(pool: &SqlitePool, id: Id, input: CharacterInput) -> Result<Character> {
    let input = validated(input)?;
    let current = get(pool, id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::business(
            "this character is in the trash; restore it before editing",
        )
        .worded("in_trash_before_editing", json!({ "entity": "character" })));
    }
    repo::update(pool, id, &input, Timestamp::now())
        .await
        .context("save the character")?
        .ok_or_else(|| AppError::not_found("character", id))
}

/// Moves a character to the trash and clears it as the default.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    if !repos::soft_delete(&mut *tx, Table::Characters, id, now).await? {
        return Err(AppError::not_found("character", id));
    }
    repos::settings::clear_default(&mut *tx, DefaultOf::Character, id, now).await?;
    tx.commit().await.context("delete the character")?;
    Ok(())
}

pub async fn restore(pool: &SqlitePool, id: Id) -> Result<Character> {
    repos::restore(pool, id, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("character in the trash", id))
}

/// Deletes a character for good; only from the trash. Its chats stay, with
/// all their messages, and show no character.
pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    let current = get(pool, id).await?;
    if current.deleted_at.is_none() {
        return Err(AppError::business(
            "move the character to the trash before deleting it for good",
        )
        .worded("purge_from_trash", json!({ "entity": "character" })));
    }
    repos::purge(pool, Table::Characters, id)
        .await
        .context("delete the character")?;
    repos::erase_deleted(pool)
        .await
        .context("erase the deleted text")?;
    Ok(())
}

/// List pictures: character id -> `data:` URL of its thumbnail.
pub type Thumbnails = HashMap<String, String>;

/// The thumbnails of those of `ids` that have an avatar.
pub async fn thumbnails(pool: &SqlitePool, ids: &[Id]) -> Result<Thumbnails> {
    let ids = &ids[..ids.len().min(500)];
    let rows = repos::character::thumbnails(pool, ids)
        .await
        .context("load the pictures")?;
    let engine = base64::engine::general_purpose::STANDARD;
    Ok(rows
        .into_iter()
        .map(|(id, png)| {
            (
                id.to_string(),
                format!("data:image/png;base64,{}", engine.encode(png)),
            )
        })
        .collect())
}
