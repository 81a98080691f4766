//! The reply lifecycle: send, stop, regenerate (a new swipe), continue,
//! and the startup sweep of replies a crash interrupted.
//!
//! A generation writes into one assistant message. Its status moves
//! `pending` -> `streaming` -> `completed` / `failed` / `cancelled`; the text
//! that arrived is saved at least every second while streaming and always at
//! the end, so nothing that arrived is lost. Deltas reach the window through
//! an [`EventSink`], at most one per frame, and every generation ends with
//! exactly one terminal event. One generation per chat.
//!
//! Deltas are paced by the window: after a delta the next one waits until
//! the window says it has drawn it ([`Generations::delta_shown`]), and
//! carries everything that arrived meanwhile. A window drawing a frame is
//! busy, and a delta sent then waits behind the frame: pacing sends each
//! delta when the window is free (docs/BENCHMARKS.md measures it). A window
//! that does not answer (hidden, or a test's recorder) still gets a delta
//! every [`SHOWN_WAIT`] (checked four times as often, so 100-125 ms), and
//! the reply's end waits at most that long for the delta before it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::SqlitePool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::prompt::{self, Prompt, PromptInputs};
use crate::ai::{self, ChatRequest, Endpoint, StreamEvent};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{new_id, ChatSession, Id, Message, MessageRole, MessageStatus, Timestamp};
use crate::repos;
use crate::repos::message::NewMessage;
use crate::secrets::SecretStore;

/// How long a delta waits for the window to say it drew the one before
/// before it is sent anyway.
pub const SHOWN_WAIT: Duration = Duration::from_millis(100);
/// Text that arrives in a burst is gathered into one delta for at most this
/// long once the window is free for it.
pub const GATHER: Duration = Duration::from_millis(2);
/// Partial text is written to the database at least this often.
pub const SAVE_INTERVAL: Duration = Duration::from_secs(1);
/// What an interrupted reply says about itself.
pub const INTERRUPTED: &str = "interrupted: Parley closed while this reply was being written";

/// What the window hears about a generation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeltaEvent {
    pub generation_id: Id,
    pub message_id: Id,
    pub text: String,
    /// Its number in the generation, from 1; the window answers with it
    /// (0 answers for the reply's new bubble).
    pub seq: u64,
    /// When Parley sent it (Unix epoch, milliseconds), so the window can
    /// measure how long a delta takes to reach the screen (`make bench`).
    pub emitted_at_ms: f64,
    /// How long the oldest text in it waited in Parley to be sent, in
    /// milliseconds (`make bench`).
    pub queued_ms: f64,
}

/// The terminal events carry the message as stored.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndEvent {
    pub generation_id: Id,
    pub message_id: Id,
    pub message: Option<Message>,
    /// For `error`: the error as the UI shows any other.
    pub error: Option<Value>,
}

#[derive(Debug, Clone)]
pub enum ChatEvent {
    Delta(DeltaEvent),
    Done(EndEvent),
    Error(EndEvent),
    Cancelled(EndEvent),
}

/// Where generation events go (the window, or a test's recorder).
pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: ChatEvent);
}

struct Running {
    generation_id: Id,
    message_id: Id,
    cancel: CancellationToken,
    shown: Arc<Shown>,
}

/// What the window has said it drew of a generation.
#[derive(Default)]
struct Shown {
    /// The highest number answered, plus one (0: nothing yet).
    answered: AtomicU64,
    wake: Notify,
}

impl Shown {
    fn drew(&self, seq: u64) {
        self.answered
            .fetch_max(seq.saturating_add(1), Ordering::AcqRel);
        self.wake.notify_one();
    }

    /// The window has drawn delta `seq` (0: the new bubble).
    fn has_drawn(&self, seq: u64) -> bool {
        self.answered.load(Ordering::Acquire) > seq
    }
}

/// The generations in flight, by chat.
#[derive(Default)]
pub struct Generations {
    running: Mutex<HashMap<Id, Running>>,
}

impl Generations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Running>> {
        // A panic while holding the lock leaves a usable map behind.
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reserves the chat for a generation writing into `message_id`; the
    /// reservation ends when the [`Slot`] drops unless it was launched.
    fn reserve(&self, chat_id: Id, message_id: Id) -> Result<Slot<'_>> {
        let mut running = self.lock();
        if running.contains_key(&chat_id) {
            return Err(busy());
        }
        let generation_id = new_id();
        let cancel = CancellationToken::new();
        let shown = Arc::new(Shown::default());
        running.insert(
            chat_id,
            Running {
                generation_id,
                message_id,
                cancel: cancel.clone(),
                shown: shown.clone(),
            },
        );
        Ok(Slot {
            generations: self,
            chat_id,
            generation_id,
            cancel: Some(cancel),
            shown,
        })
    }

    fn end(&self, chat_id: Id, generation_id: Id) {
        let mut running = self.lock();
        if running
            .get(&chat_id)
            .is_some_and(|r| r.generation_id == generation_id)
        {
            running.remove(&chat_id);
        }
    }

    /// Asks a generation to stop. Returns whether it was running.
    pub fn stop(&self, generation_id: Id) -> bool {
        let running = self.lock();
        match running.values().find(|r| r.generation_id == generation_id) {
            Some(r) => {
                r.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// The window has drawn delta `seq` of a generation (0: the reply's new
    /// bubble): the next one may go. An answer for an older delta than the
    /// last one sent changes nothing. Returns whether the generation was
    /// running.
    pub fn delta_shown(&self, generation_id: Id, seq: u64) -> bool {
        let running = self.lock();
        match running.values().find(|r| r.generation_id == generation_id) {
            Some(r) => {
                r.shown.drew(seq);
                true
            }
            None => false,
        }
    }

    /// The generation writing in a chat, if any: `(generation, message)`.
    pub fn in_chat(&self, chat_id: Id) -> Option<(Id, Id)> {
        self.lock()
            .get(&chat_id)
            .map(|r| (r.generation_id, r.message_id))
    }
}

fn busy() -> AppError {
    AppError::Conflict {
        field: None,
        message: "a reply is still being written in this chat; stop it or wait for it to finish"
            .into(),
    }
}

/// A chat reserved for one generation; released on drop unless launched.
struct Slot<'a> {
    generations: &'a Generations,
    chat_id: Id,
    generation_id: Id,
    cancel: Option<CancellationToken>,
    shown: Arc<Shown>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if self.cancel.is_some() {
            self.generations.end(self.chat_id, self.generation_id);
        }
    }
}

/// Everything a generation needs; cheap to clone into its task.
#[derive(Clone)]
pub struct Engine {
    pub pool: SqlitePool,
    pub http: reqwest::Client,
    pub secrets: Arc<dyn SecretStore>,
    pub generations: Arc<Generations>,
    pub sink: Arc<dyn EventSink>,
}

/// What starting a generation returns at once.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub generation_id: Id,
    /// The person's message, for `send`.
    pub user_message: Option<Message>,
    /// The reply being written (status `pending`).
    pub message: Message,
}

/// The chat's model, provider, key, character, persona and prompt text.
struct Setup {
    chat: ChatSession,
    endpoint: Endpoint,
    model_id: String,
    context_length: i64,
    max_output_tokens: i64,
    params: crate::models::SamplingParams,
    character: Option<crate::models::Character>,
    persona: Option<crate::models::UserProfile>,
    system_prompt: Option<String>,
}

async fn setup(engine: &Engine, chat_id: Id) -> Result<Setup> {
    let pool = &engine.pool;
    let chat = repos::chat_session::get(pool, chat_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat", chat_id))?;
    if chat.deleted_at.is_some() {
        return Err(AppError::BusinessRule(
            "this chat is in the trash; restore it first".into(),
        ));
    }
    let settings = repos::settings::get(pool).await?;
    let model_id = chat
        .ai_model_id
        .or(settings.default_ai_model_id)
        .ok_or_else(|| {
            AppError::validation(
                "ai_model_id",
                "choose a model for this chat first (Chat settings)",
            )
        })?;
    let model = repos::ai_model::get(pool, model_id).await?.ok_or_else(|| {
        AppError::validation(
            "ai_model_id",
            "this chat's model was deleted; choose another in Chat settings",
        )
    })?;
    let endpoint =
        super::provider::endpoint(pool, engine.secrets.as_ref(), model.provider_id).await?;
    let character = match chat.character_id {
        Some(id) => repos::character::get(pool, id).await?,
        None => None,
    };
    let persona = match chat.user_profile_id {
        Some(id) => repos::user_profile::get(pool, id).await?,
        None => None,
    };
    let prompt_id = chat.system_prompt_id.or(settings.default_system_prompt_id);
    let system_prompt = match prompt_id {
        Some(id) => repos::system_prompt::get(pool, id)
            .await?
            .map(|p| p.content),
        None => None,
    };
    Ok(Setup {
        endpoint,
        model_id: model.model_id,
        context_length: model.context_length,
        max_output_tokens: model.max_output_tokens,
        params: model.params,
        chat,
        character,
        persona,
        system_prompt,
    })
}

/// The messages before `before_seq` (or all), oldest first, reading pages
/// from the end only until the token budget is surely spent.
async fn history(
    pool: &SqlitePool,
    chat_id: Id,
    before_seq: Option<i64>,
    budget: i64,
) -> Result<Vec<Message>> {
    const PAGE: u32 = 200;
    let mut all: Vec<Message> = Vec::new();
    let mut cursor = before_seq;
    let mut tokens = 0;
    loop {
        let (page, more) = repos::message::page(pool, chat_id, cursor, PAGE).await?;
        tokens += page
            .iter()
            .map(|m| super::tokens::estimate(&m.content))
            .sum::<i64>();
        cursor = page.first().map(|m| m.seq);
        let mut page = page;
        page.append(&mut all);
        all = page;
        if !more || tokens > budget {
            return Ok(all);
        }
    }
}

fn build_prompt(s: &Setup, history: &[Message]) -> Prompt {
    let chat_prompt = s.system_prompt.as_deref();
    prompt::assemble(PromptInputs {
        character: s.character.as_ref(),
        persona: s.persona.as_ref(),
        system_prompt: prompt::choose_system_prompt(s.character.as_ref(), chat_prompt),
        history,
        context_length: s.context_length,
        max_output_tokens: s.max_output_tokens,
    })
}

fn request(s: &Setup, prompt: Prompt) -> ChatRequest {
    ChatRequest {
        model: s.model_id.clone(),
        messages: prompt.messages,
        max_tokens: s.max_output_tokens,
        params: s.params,
    }
}

/// What will be sent for the next reply in a chat ("show prompt").
pub async fn preview(engine: &Engine, chat_id: Id) -> Result<Prompt> {
    let s = setup(engine, chat_id).await?;
    let h = history(&engine.pool, chat_id, None, s.context_length).await?;
    Ok(build_prompt(&s, &h))
}

/// Stores the person's message and a pending reply in one transaction and
/// starts writing the reply.
pub async fn send(engine: &Engine, chat_id: Id, text: String) -> Result<Started> {
    super::validate::message_content(&text, true)?;
    let s = setup(engine, chat_id).await?;
    let user_id = new_id();
    let reply_id = new_id();
    // Reserve the chat before writing, so two sends never both write.
    let slot = engine.generations.reserve(chat_id, reply_id)?;
    let now = Timestamp::now();
    let mut tx = engine.pool.begin().await?;
    repos::message::append(
        &mut tx,
        &NewMessage {
            id: user_id,
            chat_session_id: chat_id,
            role: MessageRole::User,
            status: MessageStatus::Completed,
            content: &text,
            metadata: &json!({}),
            created_at: now,
        },
    )
    .await?;
    repos::message::append(
        &mut tx,
        &NewMessage {
            id: reply_id,
            chat_session_id: chat_id,
            role: MessageRole::Assistant,
            status: MessageStatus::Pending,
            content: "",
            metadata: &json!({ "model": s.model_id, "provider": s.endpoint.name }),
            created_at: now,
        },
    )
    .await?;
    tx.commit().await.context("save the message")?;
    let reply = super::message::get(&engine.pool, reply_id).await?;
    let h = history(&engine.pool, chat_id, Some(reply.seq), s.context_length).await?;
    let user_message = super::message::get(&engine.pool, user_id).await?;
    let generation_id = launch(engine, slot, &s, reply.clone(), String::new(), &h);
    Ok(Started {
        generation_id,
        user_message: Some(user_message),
        message: reply,
    })
}

/// The last message of a chat, which regenerate and continue work on.
async fn last_reply(engine: &Engine, message_id: Id) -> Result<Message> {
    let m = super::message::get(&engine.pool, message_id).await?;
    if m.role != MessageRole::Assistant {
        return Err(AppError::BusinessRule(
            "only a character's reply can be regenerated or continued".into(),
        ));
    }
    let (last, _) = repos::message::page(&engine.pool, m.chat_session_id, None, 1).await?;
    if last.first().map(|l| l.id) != Some(m.id) {
        return Err(AppError::BusinessRule(
            "only the last reply can be regenerated or continued; delete the messages after it first".into(),
        ));
    }
    Ok(m)
}

/// Writes a new version of the last reply as a new swipe; the old versions
/// stay one swipe away.
pub async fn regenerate(engine: &Engine, message_id: Id) -> Result<Started> {
    let m = last_reply(engine, message_id).await?;
    let s = setup(engine, m.chat_session_id).await?;
    let slot = engine.generations.reserve(m.chat_session_id, m.id)?;
    let now = Timestamp::now();
    let mut tx = engine.pool.begin().await?;
    if m.swipe_count == 0 {
        repos::message::add_swipe(&mut tx, new_id(), m.id, &m.content, &m.metadata.0, now).await?;
    }
    let metadata = json!({ "model": s.model_id, "provider": s.endpoint.name });
    let index = repos::message::add_swipe(&mut tx, new_id(), m.id, "", &metadata, now).await?;
    repos::message::set_active_swipe(&mut *tx, m.id, index, now).await?;
    repos::message::save_reply(&mut tx, m.id, "", MessageStatus::Pending, &metadata, now).await?;
    tx.commit().await.context("start a new swipe")?;
    let reply = super::message::get(&engine.pool, m.id).await?;
    let h = history(
        &engine.pool,
        m.chat_session_id,
        Some(m.seq),
        s.context_length,
    )
    .await?;
    let generation_id = launch(engine, slot, &s, reply.clone(), String::new(), &h);
    Ok(Started {
        generation_id,
        user_message: None,
        message: reply,
    })
}

/// Asks the model to carry on from where the last reply stops.
pub async fn continue_reply(engine: &Engine, message_id: Id) -> Result<Started> {
    let m = last_reply(engine, message_id).await?;
    let s = setup(engine, m.chat_session_id).await?;
    let slot = engine.generations.reserve(m.chat_session_id, m.id)?;
    let mut metadata = m.metadata.0.clone();
    if let Some(obj) = metadata.as_object_mut() {
        obj.remove("error");
    }
    let mut conn = engine.pool.acquire().await?;
    repos::message::save_reply(
        &mut conn,
        m.id,
        &m.content,
        MessageStatus::Pending,
        &metadata,
        Timestamp::now(),
    )
    .await?;
    drop(conn);
    let reply = super::message::get(&engine.pool, m.id).await?;
    // The history ends with the reply itself, so the model continues it.
    let h = history(
        &engine.pool,
        m.chat_session_id,
        Some(m.seq + 1),
        s.context_length,
    )
    .await?;
    let generation_id = launch(engine, slot, &s, reply.clone(), m.content.clone(), &h);
    Ok(Started {
        generation_id,
        user_message: None,
        message: reply,
    })
}

/// Marks replies left `pending` / `streaming` by a crash as failed, keeping
/// their text. Run at startup, before the window opens.
pub async fn sweep_interrupted(pool: &SqlitePool) -> Result<u64> {
    let n = repos::message::fail_unfinished(pool, INTERRUPTED, Timestamp::now()).await?;
    if n > 0 {
        tracing::warn!(
            count = n,
            "replies interrupted by the last shutdown marked failed"
        );
    }
    Ok(n)
}

/// Starts the generation task in its reserved slot.
fn launch(
    engine: &Engine,
    mut slot: Slot<'_>,
    s: &Setup,
    reply: Message,
    prefix: String,
    history: &[Message],
) -> Id {
    let generation_id = slot.generation_id;
    let cancel = slot.cancel.take().unwrap_or_default();
    let job = Job {
        generation_id,
        chat_id: s.chat.id,
        message_id: reply.id,
        content: prefix,
        metadata: reply.metadata.0.clone(),
        endpoint: s.endpoint.clone(),
        request: request(s, build_prompt(s, history)),
        cancel,
        shown: slot.shown.clone(),
    };
    let engine = engine.clone();
    tokio::spawn(async move {
        let chat_id = job.chat_id;
        run(&engine, job).await;
        engine.generations.end(chat_id, generation_id);
    });
    generation_id
}

struct Job {
    generation_id: Id,
    chat_id: Id,
    message_id: Id,
    /// Text already in the message (continue) plus what arrives.
    content: String,
    metadata: Value,
    endpoint: Endpoint,
    request: ChatRequest,
    cancel: CancellationToken,
    /// What the window has drawn.
    shown: Arc<Shown>,
}

enum Outcome {
    Completed,
    Cancelled,
    Failed(AppError),
}

async fn run(engine: &Engine, mut job: Job) {
    let started = Instant::now();
    let provider = ai::provider_for(job.endpoint.clone());
    let mut reasoning = String::new();
    let mut first_token: Option<Duration> = None;
    let mut finish_reason: Option<String> = None;
    let mut usage: (Option<i64>, Option<i64>) = (None, None);
    // The window is drawing the new reply's bubble: the first delta waits
    // for it to say so too (the window answers when it has drawn it).
    let mut deltas = Deltas {
        in_flight: Some(Instant::now()),
        ..Deltas::default()
    };

    let opened = tokio::select! {
        biased;
        () = job.cancel.cancelled() => Err(None),
        r = provider.stream_chat(&engine.http, &job.request) => r.map_err(Some),
    };
    let outcome = match opened {
        Err(None) => Outcome::Cancelled,
        Err(Some(e)) => Outcome::Failed(e),
        Ok(mut stream) => {
            // Wakes the loop to send a delta the window has not answered for.
            let mut recheck = tokio::time::interval(SHOWN_WAIT / 4);
            recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut save = tokio::time::interval(SAVE_INTERVAL);
            save.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            save.tick().await;
            loop {
                tokio::select! {
                    // The window and the clocks come before the stream: a
                    // provider that always has a token ready must not starve
                    // the window of deltas.
                    biased;
                    () = job.cancel.cancelled() => break Outcome::Cancelled,
                    () = job.shown.wake.notified() => {
                        if job.shown.has_drawn(deltas.sent) {
                            deltas.in_flight = None;
                        }
                    }
                    _ = recheck.tick() => {}
                    _ = save.tick() => save_progress(engine, &job, MessageStatus::Streaming).await,
                    // Text has waited long enough while more kept coming.
                    () = std::future::ready(()), if deltas.overdue() => deltas.send(engine, &job),
                    event = stream.next() => match event {
                        Some(Ok(StreamEvent::Text(t))) => {
                            if first_token.is_none() {
                                first_token = Some(started.elapsed());
                                save_progress(engine, &job, MessageStatus::Streaming).await;
                            }
                            job.content.push_str(&t);
                            deltas.push(&t);
                        }
                        Some(Ok(StreamEvent::Reasoning(t))) => reasoning.push_str(&t),
                        Some(Ok(StreamEvent::Usage { input_tokens, output_tokens })) => {
                            usage.0 = input_tokens.or(usage.0);
                            usage.1 = output_tokens.or(usage.1);
                        }
                        Some(Ok(StreamEvent::Finish(r))) => finish_reason = Some(r),
                        Some(Ok(StreamEvent::Done)) | None => break Outcome::Completed,
                        Some(Err(e)) => break Outcome::Failed(e),
                    },
                    // Nothing more is here yet: what arrived together goes
                    // as one delta.
                    () = std::future::ready(()), if deltas.may_send() => deltas.send(engine, &job),
                }
            }
        }
    };
    // The last delta waits for the window like the others.
    deltas.wait_for_window(&job.shown).await;
    deltas.send(engine, &job);

    let meta = job
        .metadata
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut meta = meta;
    meta.insert("model".into(), json!(job.request.model));
    meta.insert("provider".into(), json!(job.endpoint.name));
    meta.insert(
        "durationMs".into(),
        json!(started.elapsed().as_millis() as u64),
    );
    if let Some(t) = first_token {
        meta.insert("timeToFirstTokenMs".into(), json!(t.as_millis() as u64));
    }
    if let Some(r) = &finish_reason {
        meta.insert("finishReason".into(), json!(r));
    }
    if let Some(n) = usage.0 {
        meta.insert("inputTokens".into(), json!(n));
    }
    if let Some(n) = usage.1 {
        meta.insert("outputTokens".into(), json!(n));
    }
    if !reasoning.is_empty() {
        meta.insert("reasoning".into(), json!(reasoning));
    }
    let status = match &outcome {
        Outcome::Completed => MessageStatus::Completed,
        Outcome::Cancelled => MessageStatus::Cancelled,
        Outcome::Failed(e) => {
            meta.insert("error".into(), json!(e.to_string()));
            MessageStatus::Failed
        }
    };
    job.metadata = Value::Object(meta);
    // The final write is retried: it holds the whole reply.
    let mut saved = false;
    for attempt in 0..3 {
        match write(engine, &job, status).await {
            Ok(()) => {
                saved = true;
                break;
            }
            Err(e) => {
                tracing::error!(error = %e, attempt, message_id = %job.message_id, "could not save the reply");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    let message = super::message::get(&engine.pool, job.message_id).await.ok();
    let end = |error: Option<Value>| EndEvent {
        generation_id: job.generation_id,
        message_id: job.message_id,
        message: message.clone(),
        error,
    };
    let event = match outcome {
        Outcome::Completed if saved => ChatEvent::Done(end(None)),
        Outcome::Cancelled if saved => ChatEvent::Cancelled(end(None)),
        Outcome::Failed(e) => ChatEvent::Error(end(serde_json::to_value(&e).ok())),
        _ => ChatEvent::Error(end(serde_json::to_value(AppError::Database {
            message: "the reply could not be saved; the log has details".into(),
        })
        .ok())),
    };
    tracing::info!(
        generation_id = %job.generation_id,
        status = ?status,
        chars = job.content.len(),
        ms = started.elapsed().as_millis() as u64,
        "generation ended"
    );
    engine.sink.emit(event);
}

/// Text on its way to the window, one delta at a time.
#[derive(Default)]
struct Deltas {
    /// Arrived, not yet sent.
    pending: String,
    /// When the oldest of `pending` arrived.
    since: Option<Instant>,
    /// When the delta the window has not yet said it drew was sent.
    in_flight: Option<Instant>,
    /// The number of the last delta sent (0: none, the new bubble).
    sent: u64,
}

impl Deltas {
    fn push(&mut self, text: &str) {
        self.since.get_or_insert_with(Instant::now);
        self.pending.push_str(text);
    }

    /// Text is waiting and the window is free for it (or has not answered
    /// for [`SHOWN_WAIT`]).
    fn may_send(&self) -> bool {
        !self.pending.is_empty() && self.in_flight.is_none_or(|t| t.elapsed() >= SHOWN_WAIT)
    }

    /// As [`Self::may_send`], and the oldest text has waited [`GATHER`].
    fn overdue(&self) -> bool {
        self.may_send() && self.since.is_some_and(|t| t.elapsed() >= GATHER)
    }

    /// Until the window says it drew the delta in flight, at most until
    /// [`SHOWN_WAIT`] after it was sent.
    async fn wait_for_window(&mut self, shown: &Shown) {
        if self.pending.is_empty() {
            return;
        }
        while let Some(sent_at) = self.in_flight {
            if shown.has_drawn(self.sent) {
                self.in_flight = None;
                break;
            }
            let left = SHOWN_WAIT.saturating_sub(sent_at.elapsed());
            if left.is_zero()
                || tokio::time::timeout(left, shown.wake.notified())
                    .await
                    .is_err()
            {
                break;
            }
        }
    }

    fn send(&mut self, engine: &Engine, job: &Job) {
        if self.pending.is_empty() {
            return;
        }
        let now = Instant::now();
        let queued = self.since.take().map_or(Duration::ZERO, |t| now - t);
        self.in_flight = Some(now);
        self.sent += 1;
        engine.sink.emit(ChatEvent::Delta(DeltaEvent {
            generation_id: job.generation_id,
            message_id: job.message_id,
            text: std::mem::take(&mut self.pending),
            seq: self.sent,
            emitted_at_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            queued_ms: queued.as_secs_f64() * 1000.0,
        }));
    }
}

async fn write(engine: &Engine, job: &Job, status: MessageStatus) -> Result<()> {
    let mut conn = engine.pool.acquire().await?;
    repos::message::save_reply(
        &mut conn,
        job.message_id,
        &job.content,
        status,
        &job.metadata,
        Timestamp::now(),
    )
    .await
}

/// A periodic save; a failure is logged and the stream goes on (the final
/// write tries again).
async fn save_progress(engine: &Engine, job: &Job, status: MessageStatus) {
    if let Err(e) = write(engine, job, status).await {
        tracing::warn!(error = %e, message_id = %job.message_id, "could not save partial reply");
    }
}
