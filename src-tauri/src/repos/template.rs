//! SQL for `templates` (the template library).

use sqlx::types::Json;
use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite, SqliteConnection};

use super::{keyed, list_page, ListSpec, SoftDeleted, Table};
use crate::error::Result;
use crate::models::{Id, ListQuery, Page, Template, TemplateType, Timestamp, Variable};

keyed!(Template, name);

/// What `get` and the list read, and what a write returns (`returning`).
const COLUMNS: &str =
    "id, type, name, content, variables, is_default, created_at, updated_at, deleted_at";

const SPEC: ListSpec<'static> = ListSpec {
    columns: COLUMNS,
    from: "templates t",
    alias: "t.",
    name_column: "name",
    soft_delete: true,
};

impl SoftDeleted for Template {
    const TABLE: Table = Table::Templates;
    const COLUMNS: &'static str = COLUMNS;
}

/// A row to write: what the service checked.
pub struct Row<'a> {
    pub kind: TemplateType,
    pub name: &'a str,
    pub content: &'a str,
    pub variables: &'a [Variable],
}

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    row: &Row<'_>,
    is_default: bool,
    now: Timestamp,
) -> Result<Template> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into templates (id, type, name, content, variables, is_default, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(row.kind)
    .bind(row.name)
    .bind(row.content)
    .bind(Json(row.variables))
    .bind(is_default)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

/// Changes a live row; a row whose type changes stops being a default.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    row: &Row<'_>,
    now: Timestamp,
) -> Result<Option<Template>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update templates
             set is_default = case when type = ?2 then is_default else 0 end,
                 type = ?2, name = ?3, content = ?4, variables = ?5, updated_at = ?6
           where id = ?1 and deleted_at is null
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(row.kind)
    .bind(row.name)
    .bind(row.content)
    .bind(Json(row.variables))
    .bind(now)
    .fetch_optional(exec)
    .await?)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<Template>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from templates where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// A page of templates, of one type when `kind` is given.
pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    kind: Option<TemplateType>,
    q: &ListQuery,
) -> Result<Page<Template>> {
    list_page(exec, &SPEC, q, |qb| {
        if let Some(kind) = kind {
            qb.push(" and t.type = ").push_bind(kind);
        }
    })
    .await
}

/// The live default of a type (`ux_templates_default`).
pub async fn default_of<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    kind: TemplateType,
) -> Result<Option<Template>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from templates
          where type = ?1 and is_default = 1 and deleted_at is null"
    )))
    .bind(kind)
    .fetch_optional(exec)
    .await?)
}

/// The live template of a type with this name ignoring case, other than
/// `except` (`ux_templates_type_name`).
pub async fn find_by_name<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    kind: TemplateType,
    name: &str,
    except: Option<Id>,
) -> Result<Option<Template>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from templates
          where type = ?1 and name = ?2 collate nocase and deleted_at is null
            and (?3 is null or id <> ?3)"
    )))
    .bind(kind)
    .bind(name)
    .bind(except)
    .fetch_optional(exec)
    .await?)
}

/// Makes `id` its type's only default (`None` when it is not live).
pub async fn set_default(
    conn: &mut SqliteConnection,
    id: Id,
    now: Timestamp,
) -> Result<Option<Template>> {
    sqlx::query(
        r"update templates set is_default = 0, updated_at = ?2
           where is_default = 1 and id <> ?1
             and type = (select type from templates where id = ?1)",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "update templates set is_default = 1, updated_at = ?2
          where id = ?1 and deleted_at is null
         returning {COLUMNS}"
    )))
    .bind(id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Stops a row being its type's default (before it goes to the trash).
pub async fn clear_default<'e>(exec: impl Executor<'e, Database = Sqlite>, id: Id) -> Result<()> {
    sqlx::query(r"update templates set is_default = 0 where id = ?1")
        .bind(id)
        .execute(exec)
        .await?;
    Ok(())
}
