//! The ways a reply starts: send (the person's message and a new reply),
//! a group's turn (a reply with no message of the person's), regenerate
//! (a new swipe of the last reply), continue (more of it). In a group
//! chat each first settles who speaks (`speaker.rs`).
//! Each checks and writes through `services::message`, reserves the chat,
//! and hands the reply to its task, which tells `sink` everything. The
//! memory a reply is given is found before its row is written and goes in
//! its metadata (`metadata.memory`, docs/MEMORY.md).

use serde_json::json;

use super::context::ReplyContext;
use super::events::{NoReply, ReplySink, Sent, Started};
use super::registry::Slot;
use super::task::{self, Job};
use crate::ai::ChatRequest;
use crate::error::{AppError, Result};
use crate::models::{new_id, Id, Message, MessageInput, MessageRole};
use crate::services::group::echo::EchoedName;
use crate::services::memory::pieces::Piece;
use crate::services::message;
use crate::state::AppState;

/// The metadata a new reply starts with, and the memory it was given.
fn fresh_metadata(cx: &ReplyContext, memory: &[Piece]) -> serde_json::Value {
    let mut metadata = json!({ "model": cx.model_id, "provider": cx.endpoint.name });
    if let Some(name) = &cx.model_note {
        // In English for older readers; the window words it from the name.
        metadata["modelNote"] = json!(format!(
            "This chat had no model (it was removed or never chosen), so it now uses \
             the default model, {name}."
        ));
        metadata["defaultedModel"] = json!(name);
    }
    if !memory.is_empty() {
        metadata["memory"] = json!(memory);
    }
    metadata
}

/// Stores the person's message (checked by `message::add_exchange`) and a
/// pending reply in one transaction and starts writing the reply. In a
/// group chat the turn order picks the speaker; when it picks nobody the
/// message is stored and this is refused (the window uses [`send_as`]).
pub async fn send(
    state: &AppState,
    chat_id: Id,
    text: String,
    sink: Box<dyn ReplySink>,
) -> Result<Started> {
    match send_as(state, chat_id, text, None, sink).await? {
        Sent::Started(s) => Ok(s),
        Sent::NoReply(_) => Err(AppError::business(
            "the message was saved, but no member was chosen to answer it; pick who speaks",
        )
        .worded("no_speaker_chosen", json!({}))),
    }
}

/// `send` with, in a group chat, the member who answers (`speaker`, any
/// member, muted too) or the turn order's pick. When nobody is picked
/// (manual order, or every member muted) only the person's message is
/// stored: [`Sent::NoReply`], and nothing goes to `sink`.
pub async fn send_as(
    state: &AppState,
    chat_id: Id,
    text: String,
    speaker: Option<Id>,
    sink: Box<dyn ReplySink>,
) -> Result<Sent> {
    let mut cx = ReplyContext::for_reply(state, chat_id).await?;
    if let Some(reason) = cx.pick_speaker(&state.pool, speaker, Some(&text)).await? {
        // Not while a reply is written: the message would land after it.
        let _slot = state.replies.reserve(chat_id, Id::nil())?;
        let user = message::add(
            &state.pool,
            chat_id,
            MessageInput {
                role: MessageRole::User,
                content: text,
            },
        )
        .await?;
        return Ok(Sent::NoReply(NoReply {
            generation_id: None,
            message_id: None,
            user_message: user,
            message: None,
            no_reply: reason,
        }));
    }
    let planned = cx.check_send(&state.pool, &text).await?;
    let reply_id = new_id();
    // Reserve the chat before writing, so two sends never both write.
    let slot = state.replies.reserve(chat_id, reply_id)?;
    let metadata = fresh_metadata(&cx, &planned.memory);
    let (user, reply) = message::add_exchange_by(
        &state.pool,
        chat_id,
        &text,
        reply_id,
        &metadata,
        cx.speaker_row(),
    )
    .await?;
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
    Ok(Sent::Started(started))
}

/// A group chat's turn with no message of the person's: the reply of
/// `speaker` (any member, muted too: "force talk") or of the turn order's
/// pick after the chat's newest message (auto-mode). `None` when the turn
/// order picks nobody (manual order, or every member muted); a
/// one-character chat is refused.
pub async fn turn(
    state: &AppState,
    chat_id: Id,
    speaker: Option<Id>,
    sink: Box<dyn ReplySink>,
) -> Result<Option<Started>> {
    let mut cx = ReplyContext::for_reply(state, chat_id).await?;
    if cx.group.is_none() {
        return Err(crate::services::group::not_a_group());
    }
    if cx.pick_speaker(&state.pool, speaker, None).await?.is_some() {
        return Ok(None);
    }
    let history = cx.history(&state.pool, None).await?;
    let prompt = cx.prompt(&state.pool, &history).await;
    let memory = prompt.memory.clone();
    let request = cx.request(prompt)?;
    let reply_id = new_id();
    let slot = state.replies.reserve(chat_id, reply_id)?;
    let Some(who) = cx.speaker_row() else {
        return Err(crate::services::group::not_a_group());
    };
    let metadata = fresh_metadata(&cx, &memory);
    let reply = message::add_reply(&state.pool, chat_id, reply_id, &metadata, who).await?;
    start_on(
        state,
        slot,
        &cx,
        (request, &memory),
        reply,
        String::new(),
        sink,
    )
    .map(Some)
}

/// The last reply of its chat, the chat's context, and the chat reserved
/// for a new reply into it.
async fn on_last_reply(
    state: &AppState,
    message_id: Id,
) -> Result<(Message, ReplyContext, Slot<'_>)> {
    let m = message::last_reply(&state.pool, message_id).await?;
    let mut cx = ReplyContext::for_reply(state, m.chat_session_id).await?;
    // The same speaker writes it again.
    cx.keep_speaker(&state.pool, &m).await?;
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
    // A new reply by a group member drops its name if the model writes it
    // first; a continued one goes on from its text.
    let echo = cx
        .speaker
        .as_ref()
        .filter(|_| prefix.is_empty())
        .map(|s| EchoedName::new(&s.name));
    let job = Job {
        echo,
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
