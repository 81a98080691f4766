//! A reply's context: the chat's model, provider and key, character,
//! persona, system prompt and objectives, the history that fits the budget,
//! the memory found for it (`services::memory`), and the prompt and request
//! built from them. Reads only, but for one write:
//! a chat without a model (its model was deleted, or it never had one)
//! takes the default model for good when a reply starts (`for_reply`), so
//! its settings show the model in use and the reply's note says so once.
//! In a group chat the speaker's card stands in `character`
//! (`speaker.rs`) and the history lines get names here.
//!
//! One piece: the context, the history read under its budget and the
//! prompt with memory fitted to that budget are read together ("Show
//! prompt" at the end is the same path without the write); what is read
//! once per reply (chat, model, names, variables) feeds the several prompts
//! a reply builds.

use serde_json::json;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::Serialize;
use sqlx::SqlitePool;

use crate::ai::{ChatRequest, Endpoint};
use crate::error::{AppError, Result};
use crate::models::{Character, ChatSession, Id, Message, MessageRole, Owner, UserProfile};
use crate::repos;
use crate::secrets::SecretStore;
use crate::services::generation_params::Effective;
use crate::services::macros;
use crate::services::memory::pieces::{Piece, Settings as MemorySettings};
use crate::services::memory::{query::Query, retrieve};
use crate::services::prompt::{self, MemoryInputs, Prompt, PromptInputs};
use crate::services::tokens::thousands;
use crate::state::AppState;

/// Messages before the newest that the memory query reads too.
const QUERY_CONTEXT: usize = 3;

/// Everything a reply in one chat is written with.
pub struct ReplyContext {
    pub chat: ChatSession,
    pub endpoint: Endpoint,
    /// The model's row (`model_id` is the provider's name for it).
    pub ai_model_id: Id,
    pub model_id: String,
    /// Context length, max output and sampling values, each from the chat,
    /// the model or Settings.
    pub generation: Effective,
    pub character: Option<Character>,
    pub persona: Option<UserProfile>,
    pub system_prompt: Option<String>,
    /// Set when the chat had no model and the default stands in: that
    /// model's name, for the reply's note.
    pub model_note: Option<String>,
    /// Memory's budgets, placement and templates.
    pub memory: MemorySettings,
    /// The chat's open tasks as objectives, when it lets them in.
    pub objectives: Option<String>,
    /// The app, when an embedding model may blend vector similarity into
    /// memory's ranking (`services::embedding`); `None` from the command
    /// line, which calls no provider: keywords alone.
    pub vectors: Option<AppState>,
    /// A group chat's members and settings (`None`: one character).
    pub group: Option<crate::services::group::Group>,
    /// In a group chat, the member this reply is by (`speaker.rs`), whose
    /// card `character` then holds as the group sees it.
    pub speaker: Option<crate::services::group::speaker::Speaker>,
    /// The names the chat's macros stand for.
    pub names: macros::Names,
    /// The chat's variables (`{{getvar}}`), as read; `refresh_variables`
    /// reads them again after the person's message set some.
    pub variables: macros::Variables,
    /// The person's messages older than the last `history` read (for the
    /// author's note's frequency).
    users_before: AtomicI64,
}

impl ReplyContext {
    /// Reads a chat's context; a chat in the trash or without a usable
    /// model is refused in words.
    pub async fn load(state: &AppState, chat_id: Id) -> Result<ReplyContext> {
        let mut cx = Self::load_from(&state.pool, state.secrets.as_ref(), chat_id).await?;
        cx.vectors = Some(state.clone());
        Ok(cx)
    }

    /// `load` from a pool and a secret store (the command line reads
    /// without the app's state).
    pub async fn load_from(
        pool: &SqlitePool,
        secrets: &dyn SecretStore,
        chat_id: Id,
    ) -> Result<ReplyContext> {
        let chat = crate::services::message::live_chat(pool, chat_id).await?;
        let settings = repos::settings::get(pool).await?;
        let (model, model_note) = match chat.ai_model_id {
            Some(id) => {
                let model = repos::ai_model::get(pool, id).await?.ok_or_else(|| {
                    AppError::validation(
                        "ai_model_id",
                        "this chat's model was deleted; choose another in Chat settings",
                    )
                    .worded("chat_model_deleted", json!({}))
                })?;
                (model, None)
            }
            None => {
                let model = crate::services::settings::default_model(pool)
                    .await?
                    .ok_or_else(no_model)?;
                let name = model.display_name.clone();
                (model, Some(name))
            }
        };
        let endpoint =
            crate::services::provider::endpoint(pool, secrets, model.provider_id).await?;
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
        // One order for every value: the chat, then the model, then Settings.
        let effective =
            crate::services::generation_params::resolve(&chat.generation, &model, &settings);
        let mut conn = pool.acquire().await?;
        let names = macros::chat::names(&mut conn, chat.id).await?;
        let variables = macros::chat::variables(&mut conn, chat.id).await?;
        drop(conn);
        Ok(ReplyContext {
            names,
            variables,
            users_before: AtomicI64::new(0),
            endpoint,
            ai_model_id: model.id,
            model_id: model.model_id,
            generation: effective,
            chat,
            character,
            persona,
            system_prompt,
            model_note,
            memory: MemorySettings::load(pool).await?,
            objectives: crate::services::task::objectives(pool, chat_id).await?,
            vectors: None,
            group: crate::services::group::Group::load(pool, chat_id).await?,
            speaker: None,
        })
    }

    /// `load` for a reply about to start: a chat without a model is given
    /// the default it falls back to, so the fallback happens (and is told
    /// in the reply's note) once.
    pub async fn for_reply(state: &AppState, chat_id: Id) -> Result<ReplyContext> {
        let mut cx = Self::load(state, chat_id).await?;
        if cx.model_note.is_some() {
            let model = cx.ai_model_id;
            let now = crate::models::Timestamp::now();
            if repos::chat_session::fill_model(&state.pool, chat_id, model, now).await? {
                cx.chat.ai_model_id = Some(model);
                tracing::info!(chat_id = %chat_id, ai_model_id = %model, "chat without a model took the default");
            } else {
                cx.model_note = None;
            }
        }
        Ok(cx)
    }

    /// Reads the chat's variables again (the person's message just sent
    /// may have set some).
    pub async fn refresh_variables(&mut self, pool: &SqlitePool) -> Result<()> {
        let mut conn = pool.acquire().await?;
        self.variables = macros::chat::variables(&mut conn, self.chat.id).await?;
        Ok(())
    }

    /// The messages before `before_seq` (or all), oldest first, reading
    /// pages from the end only until the token budget is surely spent.
    pub async fn history(
        &self,
        pool: &SqlitePool,
        before_seq: Option<i64>,
    ) -> Result<Vec<Message>> {
        const PAGE: u32 = 200;
        let mut all: Vec<Message> = Vec::new();
        let mut cursor = before_seq;
        let mut tokens = 0;
        loop {
            let (mut page, more) = repos::message::page(pool, self.chat.id, cursor, PAGE).await?;
            tokens += page
                .iter()
                .map(|m| crate::services::tokens::estimate(&m.content))
                .sum::<i64>();
            cursor = page.first().map(|m| m.seq);
            page.append(&mut all);
            all = page;
            if !more || tokens > self.generation.context_length {
                let older = match all.first() {
                    Some(first) if more => {
                        repos::message::count_users_before(pool, self.chat.id, first.seq).await?
                    }
                    _ => 0,
                };
                self.users_before.store(older, Ordering::Relaxed);
                return Ok(all);
            }
        }
    }

    /// The prompt for a reply after `history`, with these memory pieces
    /// and `reserve` tokens kept free for more.
    pub fn prompt_with(&self, history: &[Message], pieces: &[Piece], reserve: i64) -> Prompt {
        let cx = macros::chat::prompt_context(&self.names, history);
        let users = history
            .iter()
            .filter(|m| m.role == MessageRole::User)
            .count();
        let turn = self.users_before.load(Ordering::Relaxed) + users as i64;
        // In a group chat each line names its author.
        let named;
        let history = match &self.speaker {
            Some(s) => {
                let user = self
                    .persona
                    .as_ref()
                    .map_or(prompt::DEFAULT_USER_NAME, |p| p.name.as_str());
                named = s.named(history, user);
                &named[..]
            }
            None => history,
        };
        prompt::assemble(PromptInputs {
            macros: Some((&cx, &self.variables)),
            authors_note: Some((&self.chat.authors_note, turn)),
            character: self.character.as_ref(),
            persona: self.persona.as_ref(),
            system_prompt: prompt::choose_system_prompt(
                self.character.as_ref(),
                self.system_prompt.as_deref(),
            ),
            history,
            context_length: self.generation.context_length,
            max_output_tokens: self.generation.max_output_tokens,
            memory: Some(MemoryInputs {
                pieces,
                settings: &self.memory,
                reserve,
            }),
            objectives: self.objectives.as_deref(),
        })
    }

    /// The prompt for a reply after `history`, with the memory found for
    /// it. Memory never stops a reply: when it cannot be read (logged) or
    /// would not fit, the prompt goes without it.
    pub async fn prompt(&self, pool: &SqlitePool, history: &[Message]) -> Prompt {
        let bare = self.prompt_with(history, &[], 0);
        match self.with_memory(pool, history, &bare).await {
            Ok(p) if p.estimated_tokens <= p.budget_tokens || p.memory.is_empty() => p,
            Ok(_) => bare,
            Err(e) => {
                tracing::warn!(chat_id = %self.chat.id, error = %e, "memory could not be read; the reply goes without it");
                bare
            }
        }
    }

    /// Documents first (they do not depend on the history); then, when
    /// history is left out, summaries and recalled messages older than
    /// where the history would start with room kept for them. No source
    /// takes more than a quarter of the prompt's room.
    async fn with_memory(
        &self,
        pool: &SqlitePool,
        history: &[Message],
        bare: &Prompt,
    ) -> Result<Prompt> {
        let Some(newest) = history.last() else {
            return Ok(bare.clone());
        };
        let earlier: Vec<&str> = history
            .iter()
            .rev()
            .skip(1)
            .take(QUERY_CONTEXT)
            .map(|m| m.content.as_str())
            .collect();
        let query = Query::build(&newest.content, &earlier);
        let cap = bare.budget_tokens / 4;
        let m = &self.memory;
        // A group's documents: the speaker's.
        let character = self
            .speaker_row()
            .map_or(self.chat.character_id, |(id, _)| Some(id));
        let chat = self.chat.id;
        let documents = m.documents_budget.min(cap);
        let mut found =
            retrieve::document_candidates(pool, chat, character, &query, documents).await?;
        self.blend(Owner::Chunk, &newest.content, &mut found)
            .await?;
        let mut pieces = retrieve::fill(retrieve::rank(found), documents);
        let (summaries, recall) = (m.summaries_budget.min(cap), m.recall_budget.min(cap));
        if bare.history_dropped == 0 || summaries + recall <= 0 {
            return Ok(self.prompt_with(history, &pieces, 0));
        }
        let room = self.prompt_with(history, &pieces, summaries + recall);
        if let Some(first) = room.history_first_seq {
            pieces.extend(retrieve::summaries(pool, chat, first, summaries).await?);
            let mut found = retrieve::recall_candidates(pool, chat, &query, first, recall).await?;
            self.blend(Owner::Message, &newest.content, &mut found)
                .await?;
            pieces.extend(retrieve::choose_in_story_order(found, recall));
        }
        Ok(self.prompt_with(history, &pieces, 0))
    }

    /// With an embedding model chosen, blends the vector similarity of
    /// `candidates` to `text` (the newest message) into their BM25 scores;
    /// without one, or when it does not answer in time, they keep their
    /// keyword scores (`services::embedding::scores`).
    async fn blend(&self, owner: Owner, text: &str, candidates: &mut [Piece]) -> Result<()> {
        let Some(state) = &self.vectors else {
            return Ok(());
        };
        if candidates.is_empty() {
            return Ok(());
        }
        let keys: Vec<i64> = candidates.iter().map(|p| p.key).collect();
        if let Some(vectors) = crate::services::embedding::scores(state, owner, text, &keys).await?
        {
            let weight = crate::services::app_config::read(
                &state.pool,
                &crate::services::app_config::VECTOR_WEIGHT,
            )
            .await?;
            retrieve::blend_scores(candidates, &vectors, weight);
        }
        Ok(())
    }

    /// The request sent to the provider for `prompt`, or a refusal in
    /// words, with the numbers, when even the trimmed prompt (system
    /// prompt, character, the newest message) and the room kept for the
    /// reply exceed the model's context: a provider answers that with a
    /// puzzling error, or cuts the prompt silently.
    pub fn request(&self, prompt: Prompt) -> Result<ChatRequest> {
        let context = self.generation.context_length;
        let reply = self.generation.max_output_tokens;
        let needed = prompt.estimated_tokens + reply;
        if needed > context {
            return Err(AppError::business(format!(
                "this prompt does not fit the model: the system prompt, the character and the \
                 newest message come to about {} tokens, plus {} kept for the reply, about {} \
                 tokens; this model takes {}. Shorten the message or the character, lower the \
                 reply length, or raise the context length in Chat settings. Nothing was sent.",
                thousands(prompt.estimated_tokens),
                thousands(reply),
                thousands(needed),
                thousands(context),
            ))
            .worded(
                "prompt_too_big",
                json!({
                    "prompt": prompt.estimated_tokens,
                    "reply": reply,
                    "needed": needed,
                    "context": context,
                }),
            ));
        }
        Ok(ChatRequest {
            model: self.model_id.clone(),
            messages: prompt.messages,
            max_tokens: reply,
            params: self.generation.params,
        })
    }

    /// The prompt (memory found) for a reply to `text` sent after the
    /// chat's history, checked to fit the model's context before anything
    /// is written.
    pub async fn check_send(&self, pool: &SqlitePool, text: &str) -> Result<Prompt> {
        let mut history = self.history(pool, None).await?;
        history.push(self.unsent(&history, text));
        let prompt = self.prompt(pool, &history).await;
        self.request(prompt.clone())?;
        Ok(prompt)
    }

    /// A message the person has not sent yet, after `history`.
    fn unsent(&self, history: &[Message], text: &str) -> Message {
        let now = crate::models::Timestamp::now();
        Message {
            id: crate::models::Id::nil(),
            chat_session_id: self.chat.id,
            seq: history.last().map_or(0, |m| m.seq + 1),
            role: crate::models::MessageRole::User,
            status: crate::models::MessageStatus::Completed,
            active_swipe: 0,
            swipe_count: 0,
            created_at: now,
            updated_at: now,
            metadata: sqlx::types::Json(serde_json::json!({})),
            content: text.to_string(),
            speaker_id: None,
            speaker_name: None,
        }
    }
}

/// No model at all: the window offers Providers & models for this field.
fn no_model() -> AppError {
    AppError::validation(
        "ai_model_id",
        "no model is set up yet: connect a local server or an API key in Providers & models",
    )
    .worded("no_model", json!({}))
}

/// "Show prompt": what will be sent for the next reply in a chat, and the
/// generation values it goes with and where each comes from.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptPreview {
    #[serde(flatten)]
    pub prompt: Prompt,
    pub generation: Effective,
    /// In a group chat, whose reply this prompt is for and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<crate::services::group::speaker::PreviewSpeaker>,
}

pub async fn preview(state: &AppState, chat_id: Id) -> Result<PromptPreview> {
    preview_by(state, chat_id, None).await
}

/// `preview`, in a group chat for `speaker` (a member) when given, else
/// for the member the turn order would pick now.
pub async fn preview_by(
    state: &AppState,
    chat_id: Id,
    speaker: Option<Id>,
) -> Result<PromptPreview> {
    let cx = ReplyContext::load(state, chat_id).await?;
    preview_of(cx, &state.pool, None, speaker).await
}

/// The preview from a pool and a secret store (`parley prompt` reads
/// without the app's state, so calls no embedding model: keywords alone),
/// with `message` as if the person had sent it.
pub async fn preview_in(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    chat_id: Id,
    message: Option<&str>,
) -> Result<PromptPreview> {
    let cx = ReplyContext::load_from(pool, secrets, chat_id).await?;
    preview_of(cx, pool, message, None).await
}

async fn preview_of(
    mut cx: ReplyContext,
    pool: &SqlitePool,
    message: Option<&str>,
    speaker: Option<Id>,
) -> Result<PromptPreview> {
    let speaker = cx.preview_speaker(pool, speaker, message).await?;
    let mut history = cx.history(pool, None).await?;
    if let Some(text) = message {
        history.push(cx.unsent(&history, text));
    }
    Ok(PromptPreview {
        prompt: cx.prompt(pool, &history).await,
        generation: cx.generation,
        speaker,
    })
}
