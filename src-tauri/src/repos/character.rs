//! SQL for `characters`.

use sqlx::types::Json;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec, SoftDeleted, Table};
use crate::error::Result;
use crate::models::{Character, CharacterInput, CharacterSummary, Id, ListQuery, Page, Timestamp};

keyed!(CharacterSummary, name);

/// What `get` reads, and what a write returns (`returning`), so a service
/// never reads back the row it just wrote.
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

/// Inserts a character and returns it as stored.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &CharacterInput,
    now: Timestamp,
) -> Result<Character> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into characters (id, name, creator, character_version, tags, created_at,
            updated_at, description, personality, scenario, first_message, example_messages,
            alternate_greetings, system_prompt, post_history_instructions, creator_notes,
            extensions, character_book)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
          returning {COLUMNS}"
    )))
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
    .fetch_one(exec)
    .await?)
}

/// Replaces the editable fields; `extensions` and `character_book` change
/// only when given. Returns the row as stored, `None` when there is none.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    input: &CharacterInput,
    now: Timestamp,
) -> Result<Option<Character>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update characters
             set name = ?2, creator = ?3, character_version = ?4, tags = ?5, updated_at = ?6,
                 description = ?7, personality = ?8, scenario = ?9, first_message = ?10,
                 example_messages = ?11, alternate_greetings = ?12, system_prompt = ?13,
                 post_history_instructions = ?14, creator_notes = ?15,
                 extensions = coalesce(?16, extensions),
                 character_book = case when ?17 is null then character_book else ?17 end
           where id = ?1
           returning {COLUMNS}"
    )))
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
    .fetch_optional(exec)
    .await?)
}

impl SoftDeleted for Character {
    const TABLE: Table = Table::Characters;
    const COLUMNS: &'static str = COLUMNS;
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

/// What export and import need beyond the editable fields.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardParts {
    pub card_json: Option<Json<serde_json::Value>>,
    pub avatar: Option<Vec<u8>>,
    pub avatar_mime: Option<String>,
}

/// Stores the imported card object, the avatar and its thumbnail.
pub async fn set_card<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    card_json: &serde_json::Value,
    avatar: Option<(&[u8], &str)>,
    thumbnail: Option<&[u8]>,
) -> Result<()> {
    sqlx::query(
        r"update characters
             set card_json = ?2, avatar = ?3, avatar_mime = ?4, thumbnail = ?5
           where id = ?1",
    )
    .bind(id)
    .bind(Json(card_json))
    .bind(avatar.map(|a| a.0))
    .bind(avatar.map(|a| a.1))
    .bind(thumbnail)
    .execute(exec)
    .await?;
    Ok(())
}

pub async fn card_parts<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<CardParts>> {
    Ok(
        sqlx::query_as(r"select card_json, avatar, avatar_mime from characters where id = ?1")
            .bind(id)
            .fetch_optional(exec)
            .await?,
    )
}

/// The thumbnails of those of `ids` that have one.
pub async fn thumbnails<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    ids: &[Id],
) -> Result<Vec<(Id, Vec<u8>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = sqlx::QueryBuilder::<Sqlite>::new(
        "select id, thumbnail from characters where thumbnail is not null and id in (",
    );
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(")");
    Ok(q.build_query_as().fetch_all(exec).await?)
}

/// The most recently updated live character with this name (any case).
pub async fn find_live_by_name<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    name: &str,
) -> Result<Option<Id>> {
    Ok(sqlx::query_scalar(
        r"select id from characters
           where name = ?1 collate nocase and deleted_at is null
           order by updated_at desc limit 1",
    )
    .bind(name)
    .fetch_optional(exec)
    .await?)
}
