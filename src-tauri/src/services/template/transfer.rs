//! Templates in and out as JSON: Parley's own format (export, import) and
//! SillyTavern's Quick Reply sets (import only).
//!
//! Parley's format: `{"format": "parley-templates", "version": 1,
//! "templates": [{"type", "name", "content", "isDefault"}]}`. Variables
//! are not written: they are parsed again from the content.
//!
//! A SillyTavern Quick Reply set (`public/scripts/extensions/quick-reply/`):
//! version 2 is `{"version": 2, "name", "qrList": [{"label", "title",
//! "message", "isHidden", "executeOnStartup", ...}], ...}`; version 1
//! presets have `quickReplySlots: [{"label", "title", "mes"}]`. Each quick
//! reply with a message becomes a `message` template named by its label
//! (else its title, else the set's name and its number). STscript in a
//! message (`/gen ...`, `{{arg::x}}`) is kept as text; what Parley does
//! not do (automation triggers, context menus, the set's send options) is
//! reported, not imported.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::SqlitePool;

use super::{insert, repo, validated};
use crate::error::{AppError, Cause, Result};
use crate::models::{ListQuery, Template, TemplateInput, TemplateType};

pub const FORMAT: &str = "parley-templates";
pub const VERSION: u32 = 1;

/// One template in Parley's export format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    #[serde(rename = "type")]
    pub kind: TemplateType,
    pub name: String,
    pub content: String,
    #[serde(default)]
    pub is_default: bool,
}

/// Parley's export file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub templates: Vec<Exported>,
}

/// What an import did, in words for the person.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub imported: Vec<Template>,
    /// What was left out and why, one line each (worded by code for the
    /// window, error.rs `Cause`).
    pub skipped: Vec<Cause>,
    /// What was kept but changed or works differently, one line each.
    pub notes: Vec<Cause>,
}

/// The live templates (of one type when given, else all) in Parley's
/// format, by type then name.
pub async fn export(pool: &SqlitePool, kind: Option<TemplateType>) -> Result<ExportFile> {
    let mut templates = Vec::new();
    let mut query = ListQuery {
        sort: crate::models::SortBy::Name,
        limit: Some(ListQuery::MAX_LIMIT),
        ..ListQuery::default()
    };
    loop {
        let page = super::list(pool, kind, &query).await?;
        templates.extend(page.items.into_iter().map(|t| Exported {
            kind: t.kind,
            name: t.name,
            content: t.content,
            is_default: t.is_default,
        }));
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    templates.sort_by_key(|t| TemplateType::ALL.iter().position(|k| *k == t.kind));
    Ok(ExportFile {
        format: FORMAT.into(),
        version: VERSION,
        templates,
    })
}

/// The same file as pretty JSON text.
pub async fn export_json(pool: &SqlitePool, kind: Option<TemplateType>) -> Result<String> {
    Ok(serde_json::to_string_pretty(&export(pool, kind).await?)?)
}

/// `text` as JSON, or a refusal that says to choose `what` (worded by
/// `code`, whose words name the same file).
fn parse_json(text: &str, what: &str, code: &'static str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        AppError::validation("file", format!("the file is not JSON ({e}); choose {what}"))
            .worded(code, json!({ "reason": e.to_string() }))
    })
}

/// Imports Parley's own export. A template whose type and name are taken
/// is skipped when its text is the same, else imported under a new name;
/// a default stays one only when its type has none yet.
pub async fn import(pool: &SqlitePool, text: &str) -> Result<ImportReport> {
    let value = parse_json(
        text,
        "a file Parley exported from Templates",
        "templates_not_json",
    )?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(AppError::validation(
            "file",
            "this is not a Parley templates file (no \"format\": \"parley-templates\"); \
             a SillyTavern Quick Reply set imports with \"Import SillyTavern quick replies\"",
        )
        .worded("not_templates_file", json!({})));
    }
    let file: ExportFile = serde_json::from_value(value).map_err(|e| {
        AppError::validation(
            "file",
            format!("the templates file has an entry Parley cannot read ({e})"),
        )
        .worded(
            "templates_entry_unreadable",
            json!({ "reason": e.to_string() }),
        )
    })?;
    if file.version > VERSION {
        return Err(AppError::validation(
            "file",
            format!(
                "the file is version {} of the format; this Parley reads up to {VERSION}; update Parley",
                file.version
            ),
        )
        .worded(
            "format_too_new",
            json!({ "version": file.version, "supported": VERSION }),
        ));
    }
    let mut report = ImportReport::default();
    for t in file.templates {
        add(pool, t, &mut report).await?;
    }
    Ok(report)
}

/// Adds one template, renaming it on a clash; problems with one entry go
/// into the report, not the whole import.
async fn add(pool: &SqlitePool, t: Exported, report: &mut ImportReport) -> Result<()> {
    let shown = t.name.chars().take(80).collect::<String>();
    let base = t.name.trim();
    let mut name = base.to_string();
    let mut n = 2;
    // The name, then "name (2)", "name (3)"...: the same text under one of
    // them is already here (imported before); else the first free name.
    while let Some(same) = repo::find_by_name(pool, t.kind, &name, None).await? {
        if same.content == t.content {
            report.skipped.push(
                Cause::new(format!(
                    "\"{shown}\": a {} template with this text is already here (\"{}\")",
                    t.kind.label(),
                    same.name
                ))
                .worded(
                    "template_same_here",
                    json!({ "name": shown, "here": same.name }),
                ),
            );
            return Ok(());
        }
        name = format!("{base} ({n})");
        n += 1;
    }
    if name != base {
        report.notes.push(
            Cause::new(format!(
                "\"{shown}\": a {} template has this name; imported as \"{name}\"",
                t.kind.label()
            ))
            .worded(
                "template_renamed",
                json!({ "name": shown, "new_name": name }),
            ),
        );
    }
    let input = TemplateInput {
        kind: t.kind,
        name,
        content: t.content,
    };
    let (input, variables) = match validated(pool, input, None).await {
        Ok(v) => v,
        Err(e) => {
            let values = e.as_cause().inside(json!({ "name": shown }));
            report
                .skipped
                .push(Cause::new(format!("\"{shown}\": {e}")).worded("template_refused", values));
            return Ok(());
        }
    };
    let is_default = t.is_default && repo::default_of(pool, t.kind).await?.is_none();
    report
        .imported
        .push(insert(pool, &input, &variables, is_default).await?);
    Ok(())
}

/// The automation a SillyTavern quick reply can have, which Parley does not run.
/// Each with its words and the code the window words its note by.
const ST_TRIGGERS: &[(&str, &str, &str)] = &[
    ("executeOnStartup", "on startup", "qr_ran_on_startup"),
    (
        "executeOnUser",
        "after the person's message",
        "qr_ran_after_user",
    ),
    ("executeOnAi", "after the AI's message", "qr_ran_after_ai"),
    (
        "executeOnChatChange",
        "on chat change",
        "qr_ran_on_chat_change",
    ),
    (
        "executeOnGroupMemberDraft",
        "on a group member's draft",
        "qr_ran_on_member_draft",
    ),
    ("executeOnNewChat", "on a new chat", "qr_ran_on_new_chat"),
];

/// Imports a SillyTavern Quick Reply set as `message` templates.
pub async fn import_st_quick_replies(pool: &SqlitePool, text: &str) -> Result<ImportReport> {
    let value = parse_json(
        text,
        "a SillyTavern Quick Reply set (.json)",
        "quick_replies_not_json",
    )?;
    let set_name = value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Quick replies")
        .trim()
        .to_string();
    let (list, message_key) = if let Some(list) = value.get("qrList").and_then(Value::as_array) {
        (list, "message")
    } else if let Some(list) = value.get("quickReplySlots").and_then(Value::as_array) {
        (list, "mes")
    } else {
        return Err(AppError::validation(
            "file",
            "this is not a SillyTavern Quick Reply set (it has no \"qrList\"); export the set \
             from SillyTavern's Quick Reply settings and choose that file",
        )
        .worded("not_quick_reply_set", json!({})));
    };
    let mut report = ImportReport::default();
    for (field, what, code) in [
        ("disableSend", "\"disable send\"", "qr_set_disable_send"),
        (
            "placeBeforeInput",
            "\"place before input\"",
            "qr_set_place_before",
        ),
        ("injectInput", "\"inject input\"", "qr_set_inject_input"),
    ] {
        if value.get(field).and_then(Value::as_bool) == Some(true) {
            report.notes.push(Cause::new(format!(
                "the set's {what} option is not imported; each quick reply's mode (send or fill) says what a click does"
            )).worded(code, json!({})));
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, qr) in list.iter().enumerate() {
        let str_of = |k: &str| {
            qr.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let label = str_of("label")
            .or_else(|| str_of("title"))
            .map(String::from)
            .unwrap_or_else(|| format!("{set_name} {}", i + 1));
        let shown = label.chars().take(80).collect::<String>();
        let Some(message) = qr.get(message_key).and_then(Value::as_str) else {
            report.skipped.push(
                Cause::new(format!("\"{shown}\": it has no message text"))
                    .worded("qr_no_text", json!({ "name": shown })),
            );
            continue;
        };
        if message.trim().is_empty() {
            report.skipped.push(
                Cause::new(format!("\"{shown}\": its message is empty"))
                    .worded("qr_empty", json!({ "name": shown })),
            );
            continue;
        }
        for (_, when, code) in ST_TRIGGERS
            .iter()
            .filter(|(k, ..)| qr.get(*k).and_then(Value::as_bool) == Some(true))
        {
            report.notes.push(
                Cause::new(format!(
                    "\"{shown}\": it ran by itself ({when}); in Parley it runs only when clicked"
                ))
                .worded(code, json!({ "name": shown })),
            );
        }
        if qr
            .get("contextList")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
        {
            report.notes.push(
                Cause::new(format!(
                    "\"{shown}\": its context menu (other sets under it) is not imported"
                ))
                .worded("qr_context_menu", json!({ "name": shown })),
            );
        }
        if message.trim_start().starts_with('/') || message.contains("|/") {
            report.notes.push(
                Cause::new(format!(
                    "\"{shown}\": it holds STscript commands, kept as text (Parley sends them as written)"
                ))
                .worded("qr_stscript", json!({ "name": shown })),
            );
        }
        let count = seen.entry(label.to_lowercase()).or_insert(0);
        *count += 1;
        let name = if *count > 1 {
            format!("{label} ({count})")
        } else {
            label
        };
        let exported = Exported {
            kind: TemplateType::Message,
            name,
            content: message.to_string(),
            is_default: false,
        };
        add(pool, exported, &mut report).await?;
    }
    Ok(report)
}
