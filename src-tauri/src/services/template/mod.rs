//! The template library: reusable prompts with fill-in variables
//! (docs/TEMPLATES.md). A name is unique per type among live templates;
//! each type has at most one default, which Parley's own features read
//! ([`default_text`]: the memory templates and the summary instruction).
//! Templates go to the trash and come back like the other libraries.
//!
//! `vars` parses and fills variables (pure), `builtin` holds Parley's own
//! texts, `transfer` imports and exports JSON (Parley's and SillyTavern's
//! Quick Reply sets), `quick_reply` sets what a chat's bar shows.

pub mod builtin;
pub mod quick_reply;
pub mod transfer;
pub mod vars;

use serde_json::json;
use std::collections::HashMap;

use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, Id, ListQuery, Page, Template, TemplateInput, TemplateType, Timestamp, Variable,
};
use crate::repos::template::{self as repo, Row};
use crate::repos::{self, Table};

/// The longest content, in characters.
pub const CONTENT_MAX: usize = 100_000;

/// Checks an input; returns it cleaned with its variables.
pub(crate) async fn validated(
    pool: &SqlitePool,
    mut input: TemplateInput,
    except: Option<Id>,
) -> Result<(TemplateInput, Vec<Variable>)> {
    input.name = validate::name("name", &input.name)?;
    let variables = check_content(input.kind, &input.content)?;
    if repo::find_by_name(pool, input.kind, &input.name, except)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "a {} template named \"{}\" already exists; choose another name",
                input.kind.label(),
                input.name
            ),
        )
        .worded("template_name_taken", json!({ "name": input.name })));
    }
    Ok((input, variables))
}

/// The content's rules for its type; returns its variables (none for the
/// types Parley fills itself).
pub fn check_content(kind: TemplateType, content: &str) -> Result<Vec<Variable>> {
    if content.trim().is_empty() {
        return Err(AppError::validation(
            "content",
            "the template's text is empty; write what it should say",
        )
        .worded("template_empty", json!({})));
    }
    let n = content.chars().count();
    if n > CONTENT_MAX {
        return Err(AppError::validation(
            "content",
            format!("the template's text is {n} characters long; the limit is {CONTENT_MAX}"),
        )
        .worded(
            "template_too_long",
            json!({ "length": n, "limit": CONTENT_MAX }),
        ));
    }
    if kind == TemplateType::Instruct {
        let ok = serde_json::from_str::<serde_json::Value>(content)
            .map(|v| v.is_object())
            .unwrap_or(false);
        if !ok {
            return Err(AppError::validation(
                "content",
                "an instruct template is a JSON object (its sequences by name); check the braces and quotes",
            )
            .worded("instruct_not_object", json!({})));
        }
        return Ok(Vec::new());
    }
    if !kind.has_form() {
        return Ok(Vec::new());
    }
    vars::parse(content).map_err(|e| {
        AppError::validation("content", e.message).worded(e.words.code, e.words.values)
    })
}

/// The variables a text would have as a template of `kind` (the editor's
/// live preview of the form).
pub fn variables(kind: TemplateType, content: &str) -> Result<Vec<Variable>> {
    if !kind.has_form() || content.trim().is_empty() {
        return Ok(Vec::new());
    }
    vars::parse(content).map_err(|e| {
        AppError::validation("content", e.message).worded(e.words.code, e.words.values)
    })
}

pub async fn create(pool: &SqlitePool, input: TemplateInput) -> Result<Template> {
    let (input, variables) = validated(pool, input, None).await?;
    insert(pool, &input, &variables, false).await
}

/// Inserts a checked input.
pub(crate) async fn insert(
    pool: &SqlitePool,
    input: &TemplateInput,
    variables: &[Variable],
    is_default: bool,
) -> Result<Template> {
    let row = Row {
        kind: input.kind,
        name: &input.name,
        content: &input.content,
        variables,
    };
    repo::insert(pool, new_id(), &row, is_default, Timestamp::now())
        .await
        .context("save the template")
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<Template> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("template", id))
}

/// A page of templates, of one type when given, searched by name.
pub async fn list(
    pool: &SqlitePool,
    kind: Option<TemplateType>,
    query: &ListQuery,
) -> Result<Page<Template>> {
    repo::list(pool, kind, query)
        .await
        .context("list the templates")
}

pub async fn update(pool: &SqlitePool, id: Id, input: TemplateInput) -> Result<Template> {
    if get(pool, id).await?.deleted_at.is_some() {
        return Err(
            AppError::business("this template is in the trash; restore it before editing")
                .worded("in_trash_before_editing", json!({ "entity": "template" })),
        );
    }
    let (input, variables) = validated(pool, input, Some(id)).await?;
    let row = Row {
        kind: input.kind,
        name: &input.name,
        content: &input.content,
        variables: &variables,
    };
    repo::update(pool, id, &row, Timestamp::now())
        .await
        .context("save the template")?
        .ok_or_else(|| AppError::not_found("template", id))
}

/// Moves a template to the trash; a default stops being one (Parley's
/// features then use their built-in text).
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    get(pool, id).await?;
    let mut tx = pool.begin().await?;
    repo::clear_default(&mut *tx, id).await?;
    if !repos::soft_delete(&mut *tx, Table::Templates, id, Timestamp::now()).await? {
        return Err(AppError::not_found("template", id));
    }
    tx.commit().await.context("delete the template")?;
    Ok(())
}

pub async fn restore(pool: &SqlitePool, id: Id) -> Result<Template> {
    let current = get(pool, id).await?;
    if repo::find_by_name(pool, current.kind, &current.name, Some(id))
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "another {} template is now named \"{}\"; rename it first",
                current.kind.label(),
                current.name
            ),
        )
        .worded("template_name_now_taken", json!({ "name": current.name })));
    }
    repos::restore(pool, id, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("template in the trash", id))
}

pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    if get(pool, id).await?.deleted_at.is_none() {
        return Err(AppError::business(
            "move the template to the trash before deleting it for good",
        )
        .worded("purge_from_trash", json!({ "entity": "template" })));
    }
    repos::purge(pool, Table::Templates, id)
        .await
        .context("delete the template")?;
    Ok(())
}

/// Makes a live template its type's default (the one before stops being).
pub async fn set_default(pool: &SqlitePool, id: Id) -> Result<Template> {
    if get(pool, id).await?.deleted_at.is_some() {
        return Err(AppError::business(
            "this template is in the trash; restore it before making it the default",
        )
        .worded("template_in_trash_default", json!({})));
    }
    let mut tx = pool.begin().await?;
    let t = repo::set_default(&mut tx, id, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("template", id))?;
    tx.commit().await.context("make the template the default")?;
    Ok(t)
}

/// The default template of a type, if it has one.
pub async fn default_of(pool: &SqlitePool, kind: TemplateType) -> Result<Option<Template>> {
    repo::default_of(pool, kind).await
}

/// What Parley's own features use for a type: its default template's
/// text, else the built-in text (also when the default is blank).
pub async fn default_text(pool: &SqlitePool, kind: TemplateType) -> Result<String> {
    let builtin = builtin::text(kind).unwrap_or_default();
    Ok(match repo::default_of(pool, kind).await? {
        Some(t) if !t.content.trim().is_empty() => t.content,
        _ => builtin.to_string(),
    })
}

/// Sets the default of a type to `content`: edits the default template,
/// or makes one when there is none. Blank content means the built-in text.
pub async fn set_default_text(
    pool: &SqlitePool,
    kind: TemplateType,
    content: &str,
) -> Result<Template> {
    let content = if content.trim().is_empty() {
        builtin::text(kind).unwrap_or_default()
    } else {
        content
    };
    match repo::default_of(pool, kind).await? {
        Some(t) => {
            let input = TemplateInput {
                kind,
                name: t.name,
                content: content.to_string(),
            };
            update(pool, t.id, input).await
        }
        None => {
            let mut name = format!("Default {}", kind.label());
            let mut n = 2;
            while repo::find_by_name(pool, kind, &name, None).await?.is_some() {
                name = format!("Default {} ({n})", kind.label());
                n += 1;
            }
            let input = TemplateInput {
                kind,
                name,
                content: content.to_string(),
            };
            let (input, variables) = validated(pool, input, None).await?;
            insert(pool, &input, &variables, true).await
        }
    }
}

/// A template's text with its variables filled from `values` (by name);
/// the first problem is returned under the variable's name.
pub async fn render(pool: &SqlitePool, id: Id, values: &HashMap<String, String>) -> Result<String> {
    let t = get(pool, id).await?;
    if t.deleted_at.is_some() {
        return Err(
            AppError::business("this template is in the trash; restore it to use it")
                .worded("template_in_trash_use", json!({})),
        );
    }
    if !t.kind.has_form() {
        return Ok(t.content);
    }
    vars::fill(&t.content, values).map_err(|errors| {
        let first = errors.into_iter().next();
        first.map_or_else(
            || {
                AppError::validation("content", "the template could not be filled")
                    .worded("template_not_filled", json!({}))
            },
            |e| AppError::validation(e.name, e.message).worded(e.words.code, e.words.values),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_and_writes_as_its_sql_name() {
        for kind in TemplateType::ALL {
            let json = serde_json::to_value(kind).unwrap();
            let back: TemplateType = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, kind, "{json}");
        }
    }

    #[test]
    fn instruct_content_must_be_a_json_object() {
        assert!(check_content(
            TemplateType::Instruct,
            "{\"input_sequence\": \"### Instruction:\"}"
        )
        .is_ok());
        assert!(check_content(TemplateType::Instruct, "[1]").is_err());
        assert!(check_content(TemplateType::Instruct, "{not json").is_err());
    }

    #[test]
    fn memory_templates_have_no_form() {
        let v = check_content(TemplateType::MemoryDocuments, builtin::MEMORY_DOCUMENTS).unwrap();
        assert!(v.is_empty());
        let v = check_content(TemplateType::Message, "Tell me about {{topic}}").unwrap();
        assert_eq!(v.len(), 1);
    }
}
