//! The summaries of one chat: what needs summarizing ([`plan`]) and one
//! summary asked of the model and saved ([`write`]). When and in what order
//! they run, and how a reply goes first, is the queue's (`summary_queue`).
//!
//! What needs a summary: the messages that no longer fit the chat's model
//! (the prompt's `history_dropped`, found through the reply's own context
//! and prompt), oldest first, in ranges of up to [`Plan::range_tokens`]
//! that no entry covers yet; entries a model wrote that went stale; and
//! entries the person asked to re-summarize. A range next to the window is
//! summarized only once it holds half a range, so the newest messages that
//! fell out are not summarized a few at a time. At most [`PIECES_PER_RUN`]
//! summaries run per call, so a long imported chat is summarized a little
//! after each reply rather than all at once (each one costs a request).

use serde_json::json;
use std::time::Duration;

use futures_util::StreamExt;

use super::summary_model::{context_of, summary_model, SummaryModel};
use crate::ai::{self, ChatRequest, PromptMessage, StreamEvent};
use crate::error::{AppError, Result};
use crate::models::{
    new_id, ChatMemory, Id, MadeBy, Message, MessageRole, MessageStatus, Timestamp,
};
use crate::repos::chat_memory::{self as repo, NewMemory};
use crate::services::generation::ReplyContext;
use crate::services::{prompt, tokens};
use crate::state::AppState;

/// The most summaries one run writes.
pub const PIECES_PER_RUN: usize = 4;
/// The longest range summarized at once, in tokens of messages.
pub const RANGE_MAX_TOKENS: i64 = 2_000;
/// How long a summary may take before it counts as failed.
pub const SUMMARY_TIMEOUT: Duration = Duration::from_secs(180);
/// Framing the request costs besides the instruction and the messages.
const OVERHEAD_TOKENS: i64 = 32;
/// One range to summarize.
#[derive(Debug, Clone)]
pub struct Piece {
    pub chat_id: Id,
    pub first_seq: i64,
    pub last_seq: i64,
    /// The entry it rewrites (stale, or asked for again), else a new one.
    pub replaces: Option<Id>,
    /// Whether the person asked for it (then even their own entry is
    /// rewritten).
    pub asked: bool,
    /// The messages as the model reads them.
    pub transcript: String,
}

/// What one run of a chat does.
#[derive(Debug, Clone)]
pub struct Plan {
    pub model: SummaryModel,
    /// The most message tokens one summary reads.
    pub range_tokens: i64,
    pub pieces: Vec<Piece>,
}

/// Names for the transcript: `(character, person)`.
type Names = (String, String);

/// What to summarize in a chat now: `None` when the chat is gone or in the
/// trash (it is skipped), else the pieces (maybe none). `asked`: entries
/// the person asked to re-summarize.
pub async fn plan(state: &AppState, chat_id: Id, asked: &[Id]) -> Result<Option<Plan>> {
    let pool = &state.pool;
    match crate::repos::chat_session::get(pool, chat_id).await? {
        Some(c) if c.deleted_at.is_none() => {}
        _ => return Ok(None),
    }
    let cx = ReplyContext::load(state, chat_id).await?;
    let model = summary_model(state, &cx).await?;
    let context = context_of(state, &cx, model.ai_model_id).await?;
    let room = context - model.max_tokens - tokens::estimate(&model.instruction) - OVERHEAD_TOKENS;
    if room < 64 {
        return Err(AppError::business(format!(
            "the summary model's context ({context} tokens) leaves no room for messages to \
             summarize; choose a model with a longer context in the memory panel"
        ))
        .worded("summary_no_room", json!({ "context": context })));
    }
    let range_tokens = room.min(RANGE_MAX_TOKENS);
    let names: Names = (
        cx.character
            .as_ref()
            .map_or_else(|| "Assistant".to_string(), |c| c.name.clone()),
        cx.persona
            .as_ref()
            .map_or_else(|| prompt::DEFAULT_USER_NAME.to_string(), |p| p.name.clone()),
    );
    let entries = repo::list(pool, chat_id).await?;
    let mut pieces = Vec::new();
    for e in &entries {
        let wanted = asked.contains(&e.id);
        if !(wanted || (e.stale && e.made_by == MadeBy::Model)) {
            continue;
        }
        let messages = range(state, chat_id, e.first_seq, e.last_seq).await?;
        if messages.is_empty() {
            continue; // every message of it was deleted: nothing to read
        }
        pieces.push(Piece {
            chat_id,
            first_seq: e.first_seq,
            last_seq: e.last_seq,
            replaces: Some(e.id),
            asked: wanted,
            transcript: transcript(&messages, &names, range_tokens),
        });
    }
    if let Some(boundary) = window_start(state, &cx).await? {
        uncovered(
            state,
            chat_id,
            boundary,
            &entries,
            range_tokens,
            &names,
            &mut pieces,
        )
        .await?;
    }
    pieces.truncate(PIECES_PER_RUN);
    Ok(Some(Plan {
        model,
        range_tokens,
        pieces,
    }))
}

/// The `seq` of the oldest message the next reply's prompt still holds,
/// when older ones were left out; `None` when the whole chat fits.
async fn window_start(state: &AppState, cx: &ReplyContext) -> Result<Option<i64>> {
    let history = cx.history(&state.pool, None).await?;
    let built = cx.prompt(&state.pool, &history).await;
    if built.history_dropped == 0 {
        return Ok(None);
    }
    // The prompt keeps the newest `history_included` of the messages it
    // can use (the same filter as assembly's).
    let usable: Vec<&Message> = history
        .iter()
        .filter(|m| !(m.content.is_empty() && m.status != MessageStatus::Completed))
        .collect();
    let first_kept = usable.len() - built.history_included;
    Ok(usable.get(first_kept).map(|m| m.seq))
}

/// Ranges before `boundary` no entry covers, oldest first, until the run is
/// full; the last one only when it holds half a range.
async fn uncovered(
    state: &AppState,
    chat_id: Id,
    boundary: i64,
    entries: &[ChatMemory],
    range_tokens: i64,
    names: &Names,
    pieces: &mut Vec<Piece>,
) -> Result<()> {
    // The end of the entries covering `seq`, if any: the walk jumps past
    // them, so it reads only the messages no entry covers.
    let covered_until = |seq: i64| {
        entries
            .iter()
            .filter(|e| e.first_seq <= seq && seq <= e.last_seq)
            .map(|e| e.last_seq)
            .max()
    };
    let mut group: Vec<Message> = Vec::new();
    let mut group_tokens = 0;
    let close = |group: &mut Vec<Message>, tokens: &mut i64, pieces: &mut Vec<Piece>| {
        if let (Some(first), Some(last)) = (group.first(), group.last()) {
            pieces.push(Piece {
                chat_id,
                first_seq: first.seq,
                last_seq: last.seq,
                replaces: None,
                asked: false,
                transcript: transcript(group, names, range_tokens),
            });
        }
        group.clear();
        *tokens = 0;
    };
    let mut from = 0;
    'pages: loop {
        let page = crate::repos::message::page_from(&state.pool, chat_id, from, 200).await?;
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        for m in page {
            if pieces.len() >= PIECES_PER_RUN || m.seq >= boundary {
                break 'pages;
            }
            if let Some(end) = covered_until(m.seq) {
                close(&mut group, &mut group_tokens, pieces);
                from = end + 1;
                continue 'pages;
            }
            if m.content.trim().is_empty() {
                continue;
            }
            let cost = tokens::estimate(&m.content) + prompt::PER_MESSAGE_TOKENS;
            if !group.is_empty() && group_tokens + cost > range_tokens {
                close(&mut group, &mut group_tokens, pieces);
            }
            group_tokens += cost;
            group.push(m);
        }
    }
    if group_tokens * 2 >= range_tokens {
        close(&mut group, &mut group_tokens, pieces);
    }
    Ok(())
}

/// The messages `first..=last` of a chat with text, oldest first.
async fn range(state: &AppState, chat_id: Id, first: i64, last: i64) -> Result<Vec<Message>> {
    let mut out = Vec::new();
    let mut from = first;
    loop {
        let page = crate::repos::message::page_from(&state.pool, chat_id, from, 200).await?;
        let Some(end) = page.last().map(|m| m.seq) else {
            break;
        };
        let done = end >= last;
        out.extend(
            page.into_iter()
                .filter(|m| m.seq <= last && !m.content.trim().is_empty()),
        );
        if done {
            break;
        }
        from = end + 1;
    }
    Ok(out)
}

/// The messages as the summary model reads them, one "Name: text" block
/// each, cut to about `max_tokens`.
fn transcript(messages: &[Message], names: &Names, max_tokens: i64) -> String {
    let mut out = String::new();
    for m in messages {
        let who = match m.role {
            MessageRole::User => names.1.as_str(),
            MessageRole::Assistant => names.0.as_str(),
            MessageRole::System => "Note",
        };
        let text = prompt::message_text(m, &names.0, &names.1);
        let text = text.trim();
        out.push_str(&format!("{who}: {text}\n\n"));
    }
    // About 3.5 characters a token (`tokens::estimate`).
    let max_chars = usize::try_from(max_tokens * 7 / 2).unwrap_or(0);
    match out.char_indices().nth(max_chars) {
        Some((cut, _)) => out[..cut].to_string(),
        None => out.trim_end().to_string(),
    }
}
/// Asks the model for one summary and saves it; `None` when nothing was
/// saved because the range changed meanwhile (its messages edited, the
/// entry edited by the person or deleted): the next run plans again.
pub async fn write(
    state: &AppState,
    model: &SummaryModel,
    piece: &Piece,
    range_tokens: i64,
) -> Result<Option<ChatMemory>> {
    let request = ChatRequest {
        model: model.model_id.clone(),
        messages: vec![
            PromptMessage {
                role: MessageRole::System,
                content: model.instruction.clone(),
            },
            PromptMessage {
                role: MessageRole::User,
                content: piece.transcript.clone(),
            },
        ],
        max_tokens: model.max_tokens,
        params: crate::models::SamplingParams {
            temperature: Some(0.3),
            ..Default::default()
        },
    };
    let text = match tokio::time::timeout(SUMMARY_TIMEOUT, ask(state, model, &request)).await {
        Ok(text) => text?,
        Err(_) => {
            return Err(AppError::ExternalApi {
                provider: model.endpoint.name.clone(),
                status: None,
                message: format!(
                    "{} did not finish the summary within {} seconds",
                    model.endpoint.name,
                    SUMMARY_TIMEOUT.as_secs()
                ),
                retry_after_secs: None,
                words: None,
            }
            .worded(
                "summary_timeout",
                json!({ "name": model.endpoint.name, "seconds": SUMMARY_TIMEOUT.as_secs() }),
            ))
        }
    };
    let text = crate::services::chat_memory::content(&text).map_err(|_| {
        AppError::ExternalApi {
            provider: model.endpoint.name.clone(),
            status: None,
            message: format!(
                "{} answered the summary request with no text",
                model.endpoint.name
            ),
            retry_after_secs: None,
            words: None,
        }
        .worded("summary_empty", json!({ "name": model.endpoint.name }))
    })?;
    // The messages may have changed while the model read them.
    let cx = ReplyContext::load(state, piece.chat_id).await?;
    let names: Names = (
        cx.character.map_or_else(|| "Assistant".into(), |c| c.name),
        cx.persona
            .map_or_else(|| prompt::DEFAULT_USER_NAME.into(), |p| p.name),
    );
    let now_reads = range(state, piece.chat_id, piece.first_seq, piece.last_seq).await?;
    if transcript(&now_reads, &names, range_tokens) != piece.transcript {
        return Ok(None);
    }
    let now = Timestamp::now();
    let saved = match piece.replaces {
        Some(id) => {
            let current = repo::get(&state.pool, id).await?;
            let still_wanted =
                current.is_some_and(|e| piece.asked || (e.stale && e.made_by == MadeBy::Model));
            if !still_wanted {
                return Ok(None);
            }
            repo::rewrite(
                &state.pool,
                id,
                &text,
                MadeBy::Model,
                Some(model.ai_model_id),
                now,
            )
            .await?
        }
        None => Some(
            repo::insert(
                &state.pool,
                &NewMemory {
                    id: new_id(),
                    chat_session_id: piece.chat_id,
                    first_seq: piece.first_seq,
                    last_seq: piece.last_seq,
                    made_by: MadeBy::Model,
                    ai_model_id: Some(model.ai_model_id),
                    content: &text,
                    now,
                },
            )
            .await?,
        ),
    };
    tracing::info!(chat_id = %piece.chat_id, first_seq = piece.first_seq, last_seq = piece.last_seq, chars = text.len(), "summary saved");
    Ok(saved)
}

/// The model's answer, whole.
async fn ask(state: &AppState, model: &SummaryModel, request: &ChatRequest) -> Result<String> {
    let client = ai::provider_for(model.endpoint.clone());
    let mut stream = client.stream_chat(&state.http, request).await?;
    let mut text = String::new();
    while let Some(event) = stream.next().await {
        match event? {
            StreamEvent::Text(t) => text.push_str(&t),
            StreamEvent::Done | StreamEvent::CutShort => break,
            _ => {}
        }
    }
    Ok(text)
}
