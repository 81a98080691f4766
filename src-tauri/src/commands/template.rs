//! Commands for the template library and quick replies.

use std::collections::HashMap;

use tauri::State;
use tracing::instrument;

use super::export::Exported;
use crate::error::Result;
use crate::models::{
    Id, ListQuery, Page, QuickReply, QuickReplyInput, QuickReplyOwner, Template, TemplateInput,
    TemplateType, Variable,
};
use crate::services::template::transfer::{self, ImportReport};
use crate::services::template::{self as service, quick_reply};
use crate::state::AppState;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_list(
    state: State<'_, AppState>,
    kind: Option<TemplateType>,
    query: Option<ListQuery>,
) -> Result<Page<Template>> {
    service::list(&state.pool, kind, &query.unwrap_or_default()).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_get(state: State<'_, AppState>, id: Id) -> Result<Template> {
    service::get(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_create(state: State<'_, AppState>, input: TemplateInput) -> Result<Template> {
    service::create(&state.pool, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_update(
    state: State<'_, AppState>,
    id: Id,
    input: TemplateInput,
) -> Result<Template> {
    service::update(&state.pool, id, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_delete(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::delete(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_restore(state: State<'_, AppState>, id: Id) -> Result<Template> {
    service::restore(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_purge(state: State<'_, AppState>, id: Id) -> Result<()> {
    service::purge(&state.pool, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_set_default(state: State<'_, AppState>, id: Id) -> Result<Template> {
    service::set_default(&state.pool, id).await
}

/// The default template's text of a type (the built-in when none).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_default_text(
    state: State<'_, AppState>,
    kind: TemplateType,
) -> Result<String> {
    service::default_text(&state.pool, kind).await
}

/// Sets the default template's text of a type (making one when none).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_set_default_text(
    state: State<'_, AppState>,
    kind: TemplateType,
    content: String,
) -> Result<Template> {
    service::set_default_text(&state.pool, kind, &content).await
}

/// The variables a text would have (the editor's live form preview).
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_variables(kind: TemplateType, content: String) -> Result<Vec<Variable>> {
    service::variables(kind, &content)
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_render(
    state: State<'_, AppState>,
    id: Id,
    values: HashMap<String, String>,
) -> Result<String> {
    service::render(&state.pool, id, &values).await
}

/// Writes the live templates (of one type, or all) as a JSON file in the
/// exports folder.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_export(
    state: State<'_, AppState>,
    kind: Option<TemplateType>,
) -> Result<Exported> {
    let text = transfer::export_json(&state.pool, kind).await?;
    let dir = crate::services::export::exports_dir();
    let path =
        crate::services::export::write_new(&dir, "Parley templates", "json", text.as_bytes())
            .await?;
    Ok(Exported {
        path: path.display().to_string(),
        group_path: None,
    })
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_import(state: State<'_, AppState>, text: String) -> Result<ImportReport> {
    transfer::import(&state.pool, &text).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn template_import_st_quick_replies(
    state: State<'_, AppState>,
    text: String,
) -> Result<ImportReport> {
    transfer::import_st_quick_replies(&state.pool, &text).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn quick_reply_list(
    state: State<'_, AppState>,
    owner: QuickReplyOwner,
) -> Result<Vec<QuickReply>> {
    quick_reply::list(&state.pool, owner).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn quick_reply_set(
    state: State<'_, AppState>,
    owner: QuickReplyOwner,
    items: Vec<QuickReplyInput>,
) -> Result<Vec<QuickReply>> {
    quick_reply::set(&state.pool, owner, items).await
}

/// What a chat's quick-reply bar shows: its own, then its character's.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn quick_reply_for_chat(
    state: State<'_, AppState>,
    chat_id: Id,
) -> Result<Vec<QuickReply>> {
    quick_reply::for_chat(&state.pool, chat_id).await
}
