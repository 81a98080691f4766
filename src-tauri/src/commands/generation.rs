//! Commands for replies. Each start takes the reply's own channel
//! (`on_event`) and streams [`ReplyEvent`]s over it; `chat_attach` lets a
//! reopened chat join the reply running in it.

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::Result;
use crate::models::{Id, Message};
use crate::services::generation::{self, PromptPreview, ReplyEvent, ReplySink, Sent, Started};
use crate::services::{markdown, message};
use crate::state::AppState;
use tracing::instrument;

/// A window's channel as a place reply events go.
struct ChannelSink(Channel<ReplyEvent>);

impl ReplySink for ChannelSink {
    fn send(&self, event: &ReplyEvent) -> bool {
        match self.0.send(event.clone()) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "a window stopped listening to a reply");
                false
            }
        }
    }
}

pub(super) fn sink(channel: Channel<ReplyEvent>) -> Box<dyn ReplySink> {
    Box::new(ChannelSink(channel))
}

/// Stores the person's message and starts the reply. In a group chat
/// `speaker_id` (optional) names the member who answers; without it the
/// turn order picks, and when it picks nobody (manual order, all muted)
/// only the message is stored: the answer is a `NoReply` (`noReply` set,
/// `generationId` null) and the channel hears nothing.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_send(
    state: State<'_, AppState>,
    chat_id: Id,
    text: String,
    speaker_id: Option<Id>,
    on_event: Channel<ReplyEvent>,
) -> Result<Sent> {
    generation::send_as(&state, chat_id, text, speaker_id, sink(on_event)).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_regenerate(
    state: State<'_, AppState>,
    message_id: Id,
    on_event: Channel<ReplyEvent>,
) -> Result<Started> {
    generation::regenerate(&state, message_id, sink(on_event)).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_continue(
    state: State<'_, AppState>,
    message_id: Id,
    on_event: Channel<ReplyEvent>,
) -> Result<Started> {
    generation::continue_reply(&state, message_id, sink(on_event)).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_stop(state: State<'_, AppState>, generation_id: Id) -> Result<bool> {
    async { Ok(state.replies.stop(generation_id)) }.await
}

/// The window has drawn delta `seq` of a reply; the next may come (see
/// `services::generation::pacing`). Returns whether it was still running.
#[tauri::command]
pub async fn chat_delta_shown(
    state: State<'_, AppState>,
    generation_id: Id,
    seq: u64,
) -> Result<bool> {
    Ok(state.replies.delta_shown(generation_id, seq))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attached {
    pub generation_id: Id,
    pub message_id: Id,
}

/// Joins the reply being written in a chat, if any: `on_event` hears a
/// `started` with the text so far, then the rest, like the window that
/// started it.
#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_attach(
    state: State<'_, AppState>,
    chat_id: Id,
    on_event: Channel<ReplyEvent>,
) -> Result<Option<Attached>> {
    Ok(state
        .replies
        .attach(chat_id, sink(on_event))
        .map(|(generation_id, message_id)| Attached {
            generation_id,
            message_id,
        }))
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn chat_prompt_preview(
    state: State<'_, AppState>,
    chat_id: Id,
    speaker_id: Option<Id>,
) -> Result<PromptPreview> {
    generation::preview_by(&state, chat_id, speaker_id).await
}

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn message_swipe(
    state: State<'_, AppState>,
    message_id: Id,
    index: i64,
) -> Result<Message> {
    message::set_swipe(&state.pool, message_id, index).await
}

/// Renders messages' Markdown as sanitised HTML, one string per text.
#[tauri::command]
pub async fn markdown_render(texts: Vec<String>) -> Result<Vec<String>> {
    Ok(texts.iter().map(|t| markdown::render(t)).collect())
}
