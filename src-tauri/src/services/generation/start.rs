//! The ways a reply starts: send (the person's message and a new reply),
//! regenerate (a new swipe of the last reply), continue (more of it).
//! Each checks and writes through `services::message`, reserves the chat,
//! and hands the reply to its task, which tells `sink` everything. The
//! memory a reply is given is found before its row is written and goes in
//! its metadata (`metadata.memory`, docs/MEMORY.md).

use serde_json::json;

use super::context::ReplyContext;
use super::events::{ReplySink, Started};
use super::registry::Slot;
use super::task::{self, Job};
use crate::ai::ChatRequest;
use crate::error::Result;
use crate::models::{new_id, Id, Message};
use crate::services::memory::pieces::Piece;
use crate::services::message;
use crate::state::AppState;

/// The metadata a new reply starts with, and the memory it was given.
fn fresh_metadata(cx: &ReplyContext, memory: &[Piece]) -> serde_json::Value {
    let mut metadata = json!({ "model": cx.model_id, "provider": cx.endpoint.name });
    if let Some(note) = &cx.model_note {
        metadata["modelNote"] = json!(note);
    }
    if !memory.is_empty() {
        metadata["memory"] = json!(memory);
    }
    metadata
}

/// Stores the person's message (checked by `message::add_exchange`) and a
/// pending reply in one transaction and starts writing the reply.
pub async fn send(
    state: &AppState,
    chat_id: Id,
    text: String,
    sink: Box<dyn ReplySink>,
) -> Result<Started> {
    let mut cx = ReplyContext::for_reply(state, chat_id).await?;
    let planned = cx.check_send(&state.pool, &text).await?;
    let reply_id = new_id();
    // Reserve the chat before writing, so two sends never both write.
    let slot = state.replies.reserve(chat_id, reply_id)?;
    let metadata = fresh_metadata(&cx, &planned.memory);
    let (user, reply) =
        message::add_exchange(&state.pool, chat_id, &text, reply_id, &metadata).await?;
    if user.content.contains("{{") {
        cx.refresh_variables(&state.pool).await?;
    }
    // The same memory, placed in the history as written.
    let history = cx.history(&state.pool, Some(reply.seq)).await?;
    let prompt = cx.prompt_with(&history, &planned.memory, 0);
    let memory = prompt.memory.clone();
    let request = cx.request(prompt)?;
    let started = Started {
        generation_id: slot.generation_id(),
        message_id: reply.id,
        user_message: Some(user),
        message: reply,
    };
    launch(
        state,
        slot,
        &cx,
        (request, &memory),
        started.clone(),
        String::new(),
        sink,
    );
    Ok(started)
}

/// The last reply of its chat, the chat's context, and the chat reserved
/// for a new reply into it.
async fn on_last_reply(
    state: &AppState,
    message_id: Id,
) -> Result<(Message, ReplyContext, Slot<'_>)> {
    let m = message::last_reply(&state.pool, message_id).await?;
    let cx = ReplyContext::for_reply(state, m.chat_session_id).await?;
    let slot = state.replies.reserve(m.chat_session_id, m.id)?;
    Ok((m, cx, slot))
}

/// Writes a new version of the last reply as a new swipe; the old versions
/// stay one swipe away.
pub async fn regenerate(
    state: &AppState,
    message_id: Id,
    sink: Box<dyn ReplySink>,
) -> Result<Started> {
    let (m, cx, slot) = on_last_reply(state, message_id).await?;
    let history = cx.history(&state.pool, Some(m.seq)).await?;
    let prompt = cx.prompt(&state.pool, &history).await;
    let memory = prompt.memory.clone();
    let request = cx.request(prompt)?;
    let reply = message::begin_swipe(&state.pool, &m, &fresh_metadata(&cx, &memory)).await?;
    start_on(
        state,
        slot,
        &cx,
        (request, &memory),
        reply,
        String::new(),
        sink,
    )
}

/// Asks the model to carry on from where the last reply stops.
pub async fn continue_reply(
    state: &AppState,
    message_id: Id,
    sink: Box<dyn ReplySink>,
) -> Result<Started> {
    let (m, cx, slot) = on_last_reply(state, message_id).await?;
    // The history ends with the reply itself, so the model continues it.
    let history = cx.history(&state.pool, Some(m.seq + 1)).await?;
    let prompt = cx.prompt(&state.pool, &history).await;
    let memory = prompt.memory.clone();
    let request = cx.request(prompt)?;
    let reply = message::reopen(&state.pool, &m).await?;
    let prefix = reply.content.clone();
    start_on(state, slot, &cx, (request, &memory), reply, prefix, sink)
}

fn start_on(
    state: &AppState,
    slot: Slot<'_>,
    cx: &ReplyContext,
    request: (ChatRequest, &[Piece]),
    reply: Message,
    prefix: String,
    sink: Box<dyn ReplySink>,
) -> Result<Started> {
    let started = Started {
        generation_id: slot.generation_id(),
        message_id: reply.id,
        user_message: None,
        message: reply,
    };
    launch(state, slot, cx, request, started.clone(), prefix, sink);
    Ok(started)
}

/// Starts the reply's task in its reserved slot; the memory it was given
/// is kept in its metadata (a continued reply keeps what it had when the
/// continuation found none).
fn launch(
    state: &AppState,
    slot: Slot<'_>,
    cx: &ReplyContext,
    (request, memory): (ChatRequest, &[Piece]),
    started: Started,
    prefix: String,
    sink: Box<dyn ReplySink>,
) {
    let Some(ticket) = slot.launch() else {
        return;
    };
    let mut metadata = started.message.metadata.0.clone();
    if let Some(meta) = metadata.as_object_mut().filter(|_| !memory.is_empty()) {
        meta.insert("memory".into(), json!(memory));
    }
    let job = Job {
        metadata,
        content: prefix,
        endpoint: cx.endpoint.clone(),
        request,
        started,
        ticket,
    };
    let state = state.clone();
    tokio::spawn(async move {
        let (chat_id, generation_id) = (job.ticket.chat_id, job.ticket.generation_id);
        task::run(&state, job, sink).await;
        state.replies.end(chat_id, generation_id);
    });
}
