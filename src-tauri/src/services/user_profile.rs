//! Personas: unique live names, soft delete with the default cleared.

use serde_json::json;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, Id, ListQuery, Page, Timestamp, UserProfile, UserProfileInput};
use crate::repos::settings::DefaultOf;
use crate::repos::{self, user_profile as repo, Table};

async fn validated(
    pool: &SqlitePool,
    mut input: UserProfileInput,
    except: Option<Id>,
) -> Result<UserProfileInput> {
    input.name = validate::name("name", &input.name)?;
    validate::card_text("description", &input.description)?;
    if repos::find_by_name(pool, Table::UserProfiles, &input.name, except)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "a persona named \"{}\" already exists; choose another name",
                input.name
            ),
        )
        .worded(
            "name_taken",
            json!({ "entity": "persona", "name": input.name }),
        ));
    }
    Ok(input)
}

pub async fn create(pool: &SqlitePool, input: UserProfileInput) -> Result<UserProfile> {
    let input = validated(pool, input, None).await?;
    let id = new_id();
    repo::insert(pool, id, &input, Timestamp::now())
        .await
        .context("save the persona")
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<UserProfile> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("persona", id))
}

pub async fn list(pool: &SqlitePool, query: &ListQuery) -> Result<Page<UserProfile>> {
    repo::list(pool, query).await.context("list the personas")
}

pub async fn update(pool: &SqlitePool, id: Id, input: UserProfileInput) -> Result<UserProfile> {
    if get(pool, id).await?.deleted_at.is_some() {
        return Err(
            AppError::business("this persona is in the trash; restore it before editing")
                .worded("in_trash_before_editing", json!({ "entity": "persona" })),
        );
    }
    let input = validated(pool, input, Some(id)).await?;
    repo::update(pool, id, &input, Timestamp::now())
        .await
        .context("save the persona")?
        .ok_or_else(|| AppError::not_found("persona", id))
}

/// Moves a persona to the trash and clears it as the default.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    if !repos::soft_delete(&mut *tx, Table::UserProfiles, id, now).await? {
        return Err(AppError::not_found("persona", id));
    }
    repos::settings::clear_default(&mut *tx, DefaultOf::UserProfile, id, now).await?;
    tx.commit().await.context("delete the persona")?;
    Ok(())
}

/// Restores a persona unless a live one has taken its name meanwhile.
pub async fn restore(pool: &SqlitePool, id: Id) -> Result<UserProfile> {
    let current = get(pool, id).await?;
    if repos::find_by_name(pool, Table::UserProfiles, &current.name, Some(id))
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "another persona is now named \"{}\"; rename it first",
                current.name
            ),
        )
        .worded(
            "name_taken_now",
            json!({ "entity": "persona", "name": current.name }),
        ));
    }
    repos::restore(pool, id, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("persona in the trash", id))
}

pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    if get(pool, id).await?.deleted_at.is_none() {
        return Err(AppError::business(
            "move the persona to the trash before deleting it for good",
        )
        .worded("purge_from_trash", json!({ "entity": "persona" })));
    }
    repos::purge(pool, Table::UserProfiles, id)
        .await
        .context("delete the persona")?;
    repos::erase_deleted(pool)
        .await
        .context("erase the deleted text")?;
    Ok(())
}
