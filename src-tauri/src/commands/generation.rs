//! Commands for the reply lifecycle, and the sink that turns generation
//! events into `chat://delta`, `chat://done`, `chat://error` and
//! `chat://cancelled` events to the window.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use super::traced;
use crate::error::Result;
use crate::models::{Id, Message};
use crate::services::generation::{self, ChatEvent, EventSink, Started};
use crate::services::{markdown, message, prompt::Prompt};
use crate::state::AppState;

/// Emits generation events to every window.
pub struct WindowSink<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> EventSink for WindowSink<R> {
    fn emit(&self, event: ChatEvent) {
        let sent = match &event {
            ChatEvent::Delta(d) => self.0.emit("chat://delta", d),
            ChatEvent::Done(e) => self.0.emit("chat://done", e),
            ChatEvent::Error(e) => self.0.emit("chat://error", e),
            ChatEvent::Cancelled(e) => self.0.emit("chat://cancelled", e),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not send a chat event to the window");
        }
    }
}

#[tauri::command]
pub async fn chat_send(state: State<'_, AppState>, chat_id: Id, text: String) -> Result<Started> {
    traced("chat_send", generation::send(&state.engine, chat_id, text)).await
}

#[tauri::command]
pub async fn chat_stop(state: State<'_, AppState>, generation_id: Id) -> Result<bool> {
    traced("chat_stop", async {
        Ok(state.engine.generations.stop(generation_id))
    })
    .await
}

/// The window has drawn delta `seq` of a generation (0: its new bubble);
/// the next may come (see `services::generation`). Returns whether it was
/// still running.
#[tauri::command]
pub async fn chat_delta_shown(
    state: State<'_, AppState>,
    generation_id: Id,
    seq: u64,
) -> Result<bool> {
    traced("chat_delta_shown", async {
        Ok(state.engine.generations.delta_shown(generation_id, seq))
    })
    .await
}

#[tauri::command]
pub async fn chat_regenerate(state: State<'_, AppState>, message_id: Id) -> Result<Started> {
    traced(
        "chat_regenerate",
        generation::regenerate(&state.engine, message_id),
    )
    .await
}

#[tauri::command]
pub async fn chat_continue(state: State<'_, AppState>, message_id: Id) -> Result<Started> {
    traced(
        "chat_continue",
        generation::continue_reply(&state.engine, message_id),
    )
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningGeneration {
    pub generation_id: Id,
    pub message_id: Id,
}

/// The generation writing in a chat, so a reopened chat can show it.
#[tauri::command]
pub async fn chat_running(
    state: State<'_, AppState>,
    chat_id: Id,
) -> Result<Option<RunningGeneration>> {
    Ok(state
        .engine
        .generations
        .in_chat(chat_id)
        .map(|(generation_id, message_id)| RunningGeneration {
            generation_id,
            message_id,
        }))
}

#[tauri::command]
pub async fn chat_prompt_preview(state: State<'_, AppState>, chat_id: Id) -> Result<Prompt> {
    traced(
        "chat_prompt_preview",
        generation::preview(&state.engine, chat_id),
    )
    .await
}

#[tauri::command]
pub async fn message_swipe(
    state: State<'_, AppState>,
    message_id: Id,
    index: i64,
) -> Result<Message> {
    traced(
        "message_swipe",
        message::set_swipe(&state.engine.pool, message_id, index),
    )
    .await
}

/// Renders messages' Markdown as sanitised HTML, one string per text.
#[tauri::command]
pub async fn markdown_render(texts: Vec<String>) -> Result<Vec<String>> {
    Ok(texts.iter().map(|t| markdown::render(t)).collect())
}
