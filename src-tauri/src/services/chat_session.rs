//! Chats: references checked before they are stored, the character's
//! greeting (with alternate greetings as swipes) added in the same
//! transaction, soft delete and purge from the trash only. A chat's
//! generation overrides are held to the same ranges as a model's values.

use serde_json::json;
use sqlx::SqlitePool;

use super::generation_params::{resolve, resolve_without_model};
use super::{macros, require_live, validate};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, AuthorsNote, ChatOverrides, ChatSession, ChatSessionInput, ChatSessionSummary, Id,
    ListQuery, MessageRole, MessageStatus, Page, Timestamp,
};
use crate::repos::message::NewMessage;
use crate::repos::{self, chat_session as repo, Table};

async fn validated(pool: &SqlitePool, mut input: ChatSessionInput) -> Result<ChatSessionInput> {
    input.title = validate::title("title", &input.title)?;
    if let Some(id) = input.character_id {
        require_live(
            pool,
            Table::Characters,
            id,
            "character",
            Some("character_id"),
        )
        .await?;
    }
    if let Some(id) = input.user_profile_id {
        require_live(
            pool,
            Table::UserProfiles,
            id,
            "persona",
            Some("user_profile_id"),
        )
        .await?;
    }
    if let Some(id) = input.ai_model_id {
        require_live(pool, Table::AiModels, id, "model", Some("ai_model_id")).await?;
    }
    if let Some(id) = input.system_prompt_id {
        require_live(
            pool,
            Table::SystemPrompts,
            id,
            "system prompt",
            Some("system_prompt_id"),
        )
        .await?;
    }
    if let Some(overrides) = &input.generation {
        check_overrides(pool, overrides, input.ai_model_id).await?;
    }
    if let Some(note) = &input.authors_note {
        authors_note(note)?;
    }
    Ok(input)
}

/// Most messages from the end an author's note may go, and the largest
/// frequency.
pub const AUTHORS_NOTE_MAX: i64 = 10_000;

/// An author's note in its ranges: text like a card field, depth and
/// frequency 0..=10,000.
pub fn authors_note(note: &AuthorsNote) -> Result<()> {
    validate::card_text("authors_note_text", &note.text)?;
    validate::int_range("authors_note_depth", note.depth, 0, AUTHORS_NOTE_MAX)?;
    validate::int_range(
        "authors_note_frequency",
        note.frequency,
        0,
        AUTHORS_NOTE_MAX,
    )?;
    Ok(())
}

/// A chat's overrides in the ranges of a model's values, and a reply that
/// still leaves room for the prompt once `resolve` combines the overrides
/// with the chat's model (or the default model) and Settings.
async fn check_overrides(
    pool: &SqlitePool,
    overrides: &ChatOverrides,
    ai_model_id: Option<Id>,
) -> Result<()> {
    validate::limits(overrides.context_length, overrides.max_output_tokens)?;
    validate::sampling(&overrides.params)?;
    if overrides.context_length.is_none() && overrides.max_output_tokens.is_none() {
        return Ok(());
    }
    let settings = repos::settings::get(pool).await?;
    let model = match ai_model_id.or(settings.default_ai_model_id) {
        Some(id) => repos::ai_model::get(pool, id).await?,
        None => None,
    };
    let e = match &model {
        Some(m) => resolve(overrides, m, &settings),
        None => resolve_without_model(overrides, &settings),
    };
    validate::output_fits(
        e.max_output_tokens,
        e.context_length,
        &format!(
            "this chat (context length from {}, max output tokens from {})",
            e.source.context_length.label(),
            e.source.max_output_tokens.label()
        ),
    )
}

/// Unset persona, model and prompt take the defaults from the settings;
/// the model is the default one whenever any model exists.
pub(crate) async fn with_defaults(pool: &SqlitePool, input: &mut ChatSessionInput) -> Result<()> {
    if input.authors_note.is_none() {
        let note = super::app_config::read(pool, &super::app_config::AUTHORS_NOTE).await?;
        input.authors_note = Some(note).filter(|n| authors_note(n).is_ok());
    }
    if input.ai_model_id.is_none() {
        input.ai_model_id = super::settings::default_model(pool).await?.map(|m| m.id);
    }
    let defaults = repos::settings::get(pool).await?;
    input.user_profile_id = input.user_profile_id.or(defaults.default_user_profile_id);
    input.system_prompt_id = input.system_prompt_id.or(defaults.default_system_prompt_id);
    Ok(())
}

/// Creates a chat. Unset persona, model and prompt take the defaults from
/// the settings; an empty title takes the character's name. The character's
/// first message opens the chat, its alternate greetings as swipes.
pub async fn create(pool: &SqlitePool, input: ChatSessionInput) -> Result<ChatSession> {
    create_with(pool, input, &[], None).await
}

/// `create` for a group chat too: `members` (characters already checked,
/// with their talkativeness), when not empty, are the chat's members in
/// order, written in the same transaction with `settings`, and the
/// greeting (the chat's character's, `input.character_id`, the first
/// member) carries its speaker.
pub(crate) async fn create_with(
    pool: &SqlitePool,
    input: ChatSessionInput,
    members: &[(Id, f64)],
    settings: Option<&crate::models::GroupSettings>,
) -> Result<ChatSession> {
    let mut input = validated(pool, input).await?;
    with_defaults(pool, &mut input).await?;

    let character = match input.character_id {
        Some(id) => repos::character::get(pool, id).await?,
        None => None,
    };
    if input.title.is_empty() {
        input.title = character.as_ref().map_or_else(
            || "New chat".to_string(),
            |c| format!("Chat with {}", c.name),
        );
    }

    let id = new_id();
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    // The greeting below is stamped `now` like the chat, so
    // `tr_messages_touch_chat` leaves the chat's `updated_at` alone and the
    // returned row is still the one stored. Give the greeting a later time
    // and this must read the chat again after the commit.
    let chat = repo::insert(&mut *tx, id, &input, now).await?;
    for (position, (member, talkativeness)) in members.iter().enumerate() {
        repos::chat_member::insert(&mut *tx, id, *member, position as i64, *talkativeness, now)
            .await?;
    }
    if let Some(settings) = settings {
        repos::chat_member::set_settings(&mut *tx, id, settings).await?;
    }
    if let Some(c) = character.filter(|c| !c.first_message.trim().is_empty()) {
        let speaker = (!members.is_empty()).then_some(c.id);
        let message_id = new_id();
        // Greetings are made now: their macros are evaluated once, each
        // version on its own; the shown one's `{{setvar}}` sets the chat's
        // variables.
        let cx = macros::chat::context(&mut tx, id, None, "").await?;
        let mut vars = macros::Variables::new();
        let greeting = |text: &str, vars: &mut macros::Variables| {
            let values = macros::resolve(text, &cx, vars);
            let mut metadata = json!({ "greeting": true });
            if !values.is_empty() {
                metadata[macros::METADATA_KEY] = json!(values);
            }
            metadata
        };
        let metadata = greeting(&c.first_message, &mut vars);
        repos::message::append(
            &mut tx,
            &NewMessage {
                id: message_id,
                chat_session_id: id,
                role: MessageRole::Assistant,
                status: MessageStatus::Completed,
                content: &c.first_message,
                metadata: &metadata,
                created_at: now,
                speaker_id: speaker,
                speaker_name: speaker.map(|_| c.name.as_str()),
            },
        )
        .await?;
        let greetings: Vec<&String> = c
            .alternate_greetings
            .iter()
            .filter(|g| !g.trim().is_empty())
            .collect();
        if !greetings.is_empty() {
            repos::message::add_swipe(
                &mut tx,
                new_id(),
                message_id,
                &c.first_message,
                &metadata,
                now,
            )
            .await?;
            for g in greetings {
                let metadata = greeting(g, &mut macros::Variables::new());
                repos::message::add_swipe(&mut tx, new_id(), message_id, g, &metadata, now).await?;
            }
        }
        if !vars.is_empty() {
            let json = serde_json::to_value(&vars).unwrap_or_default();
            repos::chat_session::set_variables(&mut *tx, id, &json).await?;
        }
    }
    tx.commit().await.context("create the chat")?;
    tracing::info!(chat_id = %id, "chat created");
    Ok(chat)
}

pub async fn get(pool: &SqlitePool, id: Id) -> Result<ChatSession> {
    repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("chat", id))
}

/// A page of chats; each last message with its macros expanded as the chat
/// shows it (only rows whose preview has one read more).
pub async fn list(pool: &SqlitePool, query: &ListQuery) -> Result<Page<ChatSessionSummary>> {
    let mut page = repo::list(pool, query).await.context("list the chats")?;
    for s in &mut page.items {
        if !s.last_message.as_deref().is_some_and(macros::has_macros) {
            continue;
        }
        let names = macros::chat::names_in(pool, s.id).await?;
        let (last, _) = repos::message::page(pool, s.id, None, 1).await?;
        if let Some(m) = last.first() {
            let text = macros::replay(&m.content, &names, &macros::stored(&m.metadata.0));
            s.last_message = Some(text.chars().take(PREVIEW_CHARS).collect());
        }
    }
    Ok(page)
}

/// How much of a chat's last message its row carries (as the list query).
const PREVIEW_CHARS: usize = 160;

pub async fn update(pool: &SqlitePool, id: Id, input: ChatSessionInput) -> Result<ChatSession> {
    let current = get(pool, id).await?;
    if current.deleted_at.is_some() {
        return Err(
            AppError::business("this chat is in the trash; restore it before changing it")
                .worded("in_trash_before_changing", json!({ "entity": "chat" })),
        );
    }
    let mut input = validated(pool, input).await?;
    if input.title.is_empty() {
        input.title = "Untitled chat".into();
    }
    // A group chat's character is its first member; members change
    // through `services::group`.
    if input.character_id != current.character_id && repos::chat_member::is_group(pool, id).await? {
        return Err(AppError::validation(
            "character_id",
            "this is a group chat: its characters are its members; add or remove members instead",
        )
        .worded("group_character", json!({})));
    }
    repo::update(pool, id, &input, Timestamp::now())
        .await
        .context("save the chat")?
        .ok_or_else(|| AppError::not_found("chat", id))
}

/// Moves a chat to the trash; its messages stay until it is purged.
pub async fn delete(pool: &SqlitePool, id: Id) -> Result<()> {
    if !repos::soft_delete(pool, Table::ChatSessions, id, Timestamp::now())
        .await
        .context("delete the chat")?
    {
        return Err(AppError::not_found("chat", id));
    }
    Ok(())
}

pub async fn restore(pool: &SqlitePool, id: Id) -> Result<ChatSession> {
    repos::restore(pool, id, Timestamp::now())
        .await?
        .ok_or_else(|| AppError::not_found("chat in the trash", id))
}

/// Deletes a chat and all its messages for good; only from the trash.
pub async fn purge(pool: &SqlitePool, id: Id) -> Result<()> {
    if get(pool, id).await?.deleted_at.is_none() {
        return Err(
            AppError::business("move the chat to the trash before deleting it for good")
                .worded("purge_from_trash", json!({ "entity": "chat" })),
        );
    }
    repos::purge(pool, Table::ChatSessions, id)
        .await
        .context("delete the chat")?;
    repos::erase_deleted(pool)
        .await
        .context("erase the deleted text")?;
    Ok(())
}

/// Puts a title Parley made (`chat_title`) in place of `expected`, only if
/// the chat still has it: a rename meanwhile is kept. `None` when it did not.
pub(crate) async fn set_made_title(
    pool: &SqlitePool,
    id: Id,
    expected: &str,
    title: &str,
) -> Result<Option<ChatSession>> {
    let title = validate::title("title", title)?;
    repo::replace_title(pool, id, expected, &title)
        .await
        .context("save the chat's title")
}
