//! The task that writes one reply: streams from the provider, feeds the
//! [`Lifecycle`] what happens, sends deltas paced by the window, has the
//! text saved at least every [`SAVE_INTERVAL`] and always at the end
//! (`save.rs`), stops a reply at the message length limit, and ends with
//! exactly one terminal event to every listener.
//!
//! One piece by design: the reply's one loop and the metadata and terminal
//! event it ends with read as one story.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Map, Value};

use super::events::{Listeners, ReplyEvent, ReplySink, Started};
use super::lifecycle::{Effect, End, Event, Lifecycle};
use super::pacing::{Deltas, SHOWN_WAIT};
use super::registry::Ticket;
use super::save::Saver;
use crate::ai::{self, ChatRequest, Endpoint, StreamEvent};
use crate::error::AppError;
use crate::models::{Message, MessageStatus};
use crate::services::group::echo::EchoedName;
use crate::services::validate::MESSAGE_MAX_CHARS;
use crate::state::AppState;

/// Partial text is written to the database at least this often.
pub const SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// One reply to write.
pub struct Job {
    /// What the window was told at the start (the reply as stored then).
    pub started: Started,
    /// Text already in the message (continue) plus what arrives.
    pub content: String,
    pub metadata: Value,
    pub endpoint: Endpoint,
    pub request: ChatRequest,
    pub ticket: Ticket,
    /// In a group chat, a new reply's speaker name, dropped when the model
    /// begins with it (`services::group::echo`).
    pub echo: Option<EchoedName>,
}

/// What the stream told about the reply besides its text.
#[derive(Default)]
struct Facts {
    reasoning: String,
    first_token: Option<Duration>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
}

pub async fn run(state: &AppState, mut job: Job, sink: Box<dyn ReplySink>) {
    let started = Instant::now();
    let mut listeners = Listeners::default();
    listeners.add(sink);
    listeners.send(&ReplyEvent::Started(job.started.clone()));
    let mut life = Lifecycle::default();
    let mut facts = Facts::default();
    let mut deltas = Deltas::default();
    let provider = ai::provider_for(job.endpoint.clone());
    let cancel = job.ticket.cancel.clone();
    let closing = job.ticket.closing.clone();
    let shown = job.ticket.shown.clone();
    let mut saver = Saver::new(state.pool.clone(), &state.db_path, job.started.message_id);
    // Characters in the reply so far, against the message length limit.
    let mut chars = job.content.chars().count();
    // The provider's own error, kept whole (status, retry-after) for the
    // window; the lifecycle only needs its words.
    let mut failure: Option<AppError> = None;

    let end = 'stream: {
        let mut stream = tokio::select! {
            biased;
            () = closing.cancelled() => break 'stream finish(&mut life, Event::Shutdown),
            // Asked to stop: Parley stops reading, so the stream ends here.
            () = cancel.cancelled() => {
                life.handle(Event::Stop);
                break 'stream finish(&mut life, Event::StreamCut);
            }
            r = provider.stream_chat(&state.http, &job.request) => match r {
                Ok(s) => s,
                Err(e) => {
                    let words = e.to_string();
                    failure = Some(e);
                    break 'stream finish(&mut life, Event::Failed(words));
                }
            },
        };
        // Wakes the loop to send a delta the window has not answered for.
        let mut recheck = tokio::time::interval(SHOWN_WAIT / 4);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut save = tokio::time::interval(SAVE_INTERVAL);
        save.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        save.tick().await;
        loop {
            let event = tokio::select! {
                // The window and the clocks come before the stream: a
                // provider that always has a token ready must not starve
                // the window of deltas.
                biased;
                () = closing.cancelled() => Event::Shutdown,
                // Asked to stop: Parley stops reading, so the stream ends here.
                () = cancel.cancelled() => {
                    life.handle(Event::Stop);
                    Event::StreamCut
                }
                Some(joined) = job.ticket.joins.recv() => {
                    if joined.send(&welcome(&job, &deltas)) {
                        listeners.add(joined);
                    }
                    continue;
                }
                () = shown.wake.notified() => {
                    deltas.answered(&shown);
                    continue;
                }
                _ = recheck.tick() => continue,
                _ = save.tick() => {
                    saver.progress(&job.content, &job.metadata);
                    continue;
                }
                // Text has waited long enough while more kept coming.
                () = std::future::ready(()), if deltas.overdue() => {
                    send_delta(&mut deltas, &mut listeners);
                    continue;
                }
                event = stream.next() => match event {
                    Some(Ok(StreamEvent::Text(t))) => {
                        let t = match job.echo.as_mut() {
                            Some(echo) => echo.feed(&t),
                            None => t,
                        };
                        if t.is_empty() {
                            continue;
                        }
                        facts.first_token.get_or_insert_with(|| started.elapsed());
                        let (kept, full) = within_limit(&t, &mut chars);
                        job.content.push_str(kept);
                        deltas.push(kept);
                        if full {
                            // The first text may be the last: say it streamed.
                            if life.handle(Event::Text) == Effect::MarkStreaming {
                                saver.progress(&job.content, &job.metadata);
                            }
                            Event::TooLong
                        } else {
                            Event::Text
                        }
                    }
                    Some(Ok(StreamEvent::Reasoning(t))) => {
                        facts.reasoning.push_str(&t);
                        listeners.send(&ReplyEvent::Reasoning { text: t });
                        continue;
                    }
                    Some(Ok(StreamEvent::Usage { input_tokens, output_tokens })) => {
                        facts.input_tokens = input_tokens.or(facts.input_tokens);
                        facts.output_tokens = output_tokens.or(facts.output_tokens);
                        continue;
                    }
                    Some(Ok(StreamEvent::Finish(r))) => Event::FinishReason(r),
                    Some(Ok(StreamEvent::Done)) => Event::ProviderDone,
                    Some(Ok(StreamEvent::CutShort)) | None => Event::StreamCut,
                    Some(Err(e)) => {
                        let words = e.to_string();
                        failure = Some(e);
                        Event::Failed(words)
                    }
                },
                // Nothing more is here yet: what arrived together goes as
                // one delta.
                () = std::future::ready(()), if deltas.may_send() => {
                    send_delta(&mut deltas, &mut listeners);
                    continue;
                }
            };
            // A reply shorter than its speaker's name keeps what was held.
            if !matches!(event, Event::Text | Event::TooLong) {
                if let Some(held) = job.echo.as_mut().map(EchoedName::finish) {
                    job.content.push_str(&held);
                    deltas.push(&held);
                }
            }
            match life.handle(event) {
                Effect::Nothing => {}
                Effect::MarkStreaming => saver.progress(&job.content, &job.metadata),
                Effect::Finish(end) => break 'stream end,
            }
        }
    };
    // The last delta waits for the window like the others.
    deltas.wait_for_window(&shown).await;
    send_delta(&mut deltas, &mut listeners);

    job.metadata = final_metadata(
        &job,
        &life,
        &facts,
        &end,
        failure.as_ref(),
        started.elapsed(),
    );
    if job.content.contains("{{") {
        reply_macros(state, &mut job).await;
    }
    let saved = saver
        .finish(&job.content, end.status(), &job.metadata, &closing, |e| {
            listeners.send(&ReplyEvent::NotSaved {
                error: not_saved_words(e),
            });
        })
        .await;
    tracing::info!(
        generation_id = %job.ticket.generation_id,
        end = end.reason(),
        chars = job.content.len(),
        ms = started.elapsed().as_millis() as u64,
        "reply ended"
    );
    let last = terminal(&end, saved, failure, &job.endpoint.name);
    listeners.send(&last);
    // Windows that asked to join as it ended hear it all, and how it ended.
    job.ticket.joins.close();
    while let Ok(joined) = job.ticket.joins.try_recv() {
        if joined.send(&welcome(&job, &deltas)) {
            joined.send(&last);
        }
    }
    state.summaries.after_reply(job.ticket.chat_id);
}

/// Feeds the event that ends the reply and returns the end.
fn finish(life: &mut Lifecycle, event: Event) -> End {
    match life.handle(event) {
        Effect::Finish(end) => end,
        // Unreachable by the table: an ending event always finishes a
        // reply that was not finished; say so rather than panic.
        _ => End::Failed("the reply ended in an unexpected state".into()),
    }
}

/// The catalogue code of an end that failed without a provider's error.
fn end_code(end: &End) -> &'static str {
    match end {
        End::Interrupted => "reply_interrupted",
        End::CutShort => "reply_cut_short",
        _ => "reply_unexpected",
    }
}

/// What a joining window hears first: the reply with the text already
/// sent to the others (not what waits for the next delta, which it will
/// get with them).
fn welcome(job: &Job, deltas: &Deltas) -> ReplyEvent {
    let mut started = job.started.clone();
    started.user_message = None;
    let sent = job.content.len() - deltas.waiting();
    started.message.content = job.content[..sent].to_string();
    started.message.status = MessageStatus::Streaming;
    ReplyEvent::Started(started)
}

fn send_delta(deltas: &mut Deltas, listeners: &mut Listeners) {
    for d in deltas.take() {
        listeners.send(&ReplyEvent::Delta(d));
    }
}

/// A reply's macros, evaluated once as it ends; their results go into
/// the metadata saved with it. A failure here is logged and the reply is
/// saved without them (its macros then show as written).
async fn reply_macros(state: &AppState, job: &mut Job) {
    let m = &job.started.message;
    let input = job
        .started
        .user_message
        .as_ref()
        .map_or("", |u| u.content.as_str());
    let resolved = match state.pool.acquire().await {
        Ok(mut conn) => {
            crate::services::macros::chat::resolve_text(
                &mut conn,
                job.ticket.chat_id,
                &job.content,
                Some(m.seq),
                input,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match resolved {
        Ok(values) => {
            if let Some(o) = job.metadata.as_object_mut() {
                o.insert(crate::services::macros::METADATA_KEY.into(), json!(values));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, message_id = %m.id, "the reply's macros could not be evaluated");
        }
    }
}

/// The metadata saved with a finished reply: model, timings, tokens, and
/// for a failure its English words (`error`) with the code and values the
/// window words it by in the person's language (`errorCode`, `errorValues`).
fn final_metadata(
    job: &Job,
    life: &Lifecycle,
    facts: &Facts,
    end: &End,
    failure: Option<&AppError>,
    took: Duration,
) -> Value {
    let mut meta: Map<String, Value> = job.metadata.as_object().cloned().unwrap_or_default();
    meta.insert("model".into(), json!(job.request.model));
    meta.insert("provider".into(), json!(job.endpoint.name));
    meta.insert("durationMs".into(), json!(took.as_millis() as u64));
    meta.insert("endReason".into(), json!(end.reason()));
    if let Some(t) = facts.first_token {
        meta.insert("timeToFirstTokenMs".into(), json!(t.as_millis() as u64));
    }
    if let Some(r) = life.finish_reason() {
        meta.insert("finishReason".into(), json!(r));
    }
    if let Some(n) = facts.input_tokens {
        meta.insert("inputTokens".into(), json!(n));
    }
    if let Some(n) = facts.output_tokens {
        meta.insert("outputTokens".into(), json!(n));
    }
    if !facts.reasoning.is_empty() {
        meta.insert("reasoning".into(), json!(facts.reasoning));
    }
    match end.error() {
        Some(e) => meta.insert("error".into(), json!(e)),
        None => meta.remove("error"),
    };
    match failure
        .and_then(AppError::words)
        .filter(|_| end.reason() == "failed")
    {
        Some(words) => {
            meta.insert("errorCode".into(), json!(words.code));
            meta.insert("errorValues".into(), words.values);
        }
        None => {
            meta.remove("errorCode");
            meta.remove("errorValues");
        }
    }
    Value::Object(meta)
}

/// The one terminal event of a reply: the provider's own error when it
/// failed, else the end in words.
fn terminal(
    end: &End,
    saved: std::result::Result<Message, AppError>,
    failure: Option<AppError>,
    provider: &str,
) -> ReplyEvent {
    match (end, saved) {
        (End::Completed | End::Length | End::TooLong, Ok(message)) => ReplyEvent::Done { message },
        (End::Stopped, Ok(message)) => ReplyEvent::Cancelled { message },
        // Given up as Parley closes: the journal holds the text.
        (_, Err(e @ AppError::Database { .. })) => ReplyEvent::Error {
            message: None,
            error: not_saved_words(&e),
        },
        // The reply was deleted meanwhile (its chat deleted forever).
        (_, Err(error)) => ReplyEvent::Error {
            message: None,
            error,
        },
        (end, Ok(message)) => ReplyEvent::Error {
            error: failure.unwrap_or_else(|| {
                let said = end.error().unwrap_or_default().to_string();
                AppError::ExternalApi {
                    provider: provider.to_string(),
                    status: None,
                    message: said.clone(),
                    retry_after_secs: None,
                    words: None,
                }
                .worded(end_code(end), json!({ "detail": said }))
            }),
            message: Some(message),
        },
    }
}

/// Why a reply is not in the database yet, and that its text is safe.
fn not_saved_words(e: &AppError) -> AppError {
    let why = match e {
        AppError::Database { message, .. } => message.as_str(),
        _ => "a database error occurred",
    };
    let cause = e.words().map_or("database_error", |w| w.code);
    AppError::database(
        "reply_not_saved",
        format!(
            "this reply is not saved yet: {why}. Its text is kept in Parley's journal file and \
             saved as soon as the database takes it (or at the next start)"
        ),
    )
    .worded(
        "reply_not_saved",
        serde_json::json!({ "cause": why, "cause_code": cause }),
    )
}

/// The part of `text` that fits under the message length limit, with
/// `chars` (the reply's length so far) moved on, and whether the limit is
/// reached.
fn within_limit<'t>(text: &'t str, chars: &mut usize) -> (&'t str, bool) {
    let room = MESSAGE_MAX_CHARS.saturating_sub(*chars);
    match text.char_indices().nth(room) {
        Some((cut, _)) => {
            *chars = MESSAGE_MAX_CHARS;
            (&text[..cut], true)
        }
        None => {
            *chars += text.chars().count();
            (text, *chars >= MESSAGE_MAX_CHARS)
        }
    }
}
