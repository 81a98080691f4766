//! SQL for `characters`.

use sqlx::types::Json;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec};
use crate::error::Result;
use crate::models::{Character, CharacterInput, CharacterSummary, Id, ListQuery, Page, Timestamp};

keyed!(CharacterSummary, name);

const COLUMNS: &str = r"id, name, creator, character_version, tags, created_at, updated_at,
    deleted_at, description, personality, scenario, first_message, example_messages,
    alternate_greetings, system_prompt, post_history_instructions, creator_notes, extensions,
    character_book";

/// The list reads only the short leading columns, never text or avatar.
const SUMMARY: ListSpec<'static> = ListSpec {
    columns: r"c.id, c.name, c.creator, c.character_version, c.tags, c.created_at,
        c.updated_at, c.deleted_at",
    from: "characters c",
    alias: "c.",
    name_column: "name",
    soft_delete: true,
};

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &CharacterInput,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        r"insert into characters (id, name, creator, character_version, tags, created_at,
            updated_at, description, personality, scenario, first_message, example_messages,
            alternate_greetings, system_prompt, post_history_instructions, creator_notes,
            extensions, character_book)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.creator)
    .bind(&input.character_version)
    .bind(Json(&input.tags))
    .bind(now)
    .bind(&input.description)
    .bind(&input.personality)
    .bind(&input.scenario)
    .bind(&input.first_message)
    .bind(&input.example_messages)
    .bind(Json(&input.alternate_greetings))
    .bind(&input.system_prompt)
    .bind(&input.post_history_instructions)
    .bind(&input.creator_notes)
    .bind(Json(
        input
            .extensions
            .clone()
            .unwrap_or_else(|| serde_json::json!({})),
    ))
    .bind(input.character_book.as_ref().map(Json))
    .execute(exec)
    .await?;
    Ok(())
}

/// Replaces the editable fields; `extensions` and `character_book` change
/// only when given. Returns whether a row changed.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &CharacterInput,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        r"update characters
             set name = ?2, creator = ?3, character_version = ?4, tags = ?5, updated_at = ?6,
                 description = ?7, personality = ?8, scenario = ?9, first_message = ?10,
                 example_messages = ?11, alternate_greetings = ?12, system_prompt = ?13,
                 post_history_instructions = ?14, creator_notes = ?15,
                 extensions = coalesce(?16, extensions),
                 character_book = case when ?17 is null then character_book else ?17 end
           where id = ?1",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.creator)
    .bind(&input.character_version)
    .bind(Json(&input.tags))
    .bind(now)
    .bind(&input.description)
    .bind(&input.personality)
    .bind(&input.scenario)
    .bind(&input.first_message)
    .bind(&input.example_messages)
    .bind(Json(&input.alternate_greetings))
    .bind(&input.system_prompt)
    .bind(&input.post_history_instructions)
    .bind(&input.creator_notes)
    .bind(input.extensions.as_ref().map(Json))
    .bind(input.character_book.as_ref().map(Json))
    .execute(exec)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<Character>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from characters where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<CharacterSummary>> {
    let tag = q.tag.clone().filter(|t| !t.trim().is_empty());
    list_page(exec, &SUMMARY, q, |qb| {
        if let Some(tag) = tag {
            qb.push(" and exists (select 1 from json_each(c.tags) t where t.value = ")
                .push_bind(tag)
                .push(" collate nocase)");
        }
    })
    .await
}
