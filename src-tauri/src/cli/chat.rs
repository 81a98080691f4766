//! `parley chat <chat id or character name> --message TEXT [--new]`: sends
//! a message through the same reply lifecycle as the window (the message
//! and the reply saved the same way, the same faults in words) and prints
//! the reply as it streams. A character name means its newest chat, or a
//! new one with `--new` (or when it has none). Ctrl-C stops the reply, which
//! keeps what arrived, as Stop does. The exit status is 0 only when the
//! reply completed. It writes, so it holds the data folder like every
//! writing command and refuses while the app runs on it.

use std::io::Write;
use std::path::PathBuf;

use super::{default_db_path, hold_for_writing};
use crate::error::{AppError, Result};
use crate::models::{ChatSessionInput, Id, ListQuery};
use crate::services::generation::{self, ReplyEvent, ReplySink};
use crate::services::{character, chat_session};
use crate::{db, paths};

/// The reply's events, handed to the printing loop.
struct Forward(tokio::sync::mpsc::UnboundedSender<ReplyEvent>);

impl ReplySink for Forward {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0.send(event.clone()).is_ok()
    }
}

pub(super) async fn run(target: &str, message: &str, new: bool, db: Option<PathBuf>) -> Result<()> {
    if message.trim().is_empty() {
        return Err(AppError::validation(
            "message",
            "the message is empty; say something with --message",
        ));
    }
    let db_path = default_db_path(db)?;
    let _held = hold_for_writing(&db_path)?;
    let (pool, report) = db::open(&db_path).await?;
    generation::recover(&pool, &db_path).await?;
    crate::services::local_model::apply_settings(&pool).await?;
    let secrets = crate::app::secret_store(&paths::data_dir()?)?;
    let state = crate::app::state(
        pool.clone(),
        secrets,
        crate::app::Opened {
            db_path,
            log_dir: paths::log_dir()?,
            schema_version: report.schema_version,
        },
    );
    let outcome = async {
        let chat = chat_for(&pool, target, new).await?;
        reply(&state, chat, message).await
    }
    .await;
    state.replies.close(std::time::Duration::from_secs(3)).await;
    pool.close().await;
    outcome
}

/// The chat `target` names: a chat id, or a character's newest chat (a
/// new one with `new` or when it has none).
async fn chat_for(pool: &sqlx::SqlitePool, target: &str, new: bool) -> Result<Id> {
    if let Ok(id) = target.parse::<Id>() {
        if new {
            return Err(AppError::validation(
                "new",
                "--new starts a chat with a character: give the character's name, not a chat id",
            ));
        }
        return Ok(chat_session::get(pool, id).await?.id);
    }
    let character = character::find_by_name(pool, target)
        .await
        .map_err(|e| match e {
            AppError::NotFound { .. } => AppError::validation(
                "target",
                format!("no character is named \"{target}\" (and it is not a chat id)"),
            ),
            other => other,
        })?;
    if !new {
        let query = ListQuery {
            character_id: Some(character.id),
            limit: Some(1),
            ..Default::default()
        };
        if let Some(chat) = chat_session::list(pool, &query)
            .await?
            .items
            .into_iter()
            .next()
        {
            return Ok(chat.id);
        }
    }
    let chat = chat_session::create(
        pool,
        ChatSessionInput {
            character_id: Some(character.id),
            ..Default::default()
        },
    )
    .await?;
    eprintln!("new chat with {} (id {})", character.name, chat.id);
    Ok(chat.id)
}

/// Sends `message` and prints the reply as it streams; Ctrl-C stops it.
async fn reply(state: &crate::state::AppState, chat: Id, message: &str) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let started = generation::send(state, chat, message.to_string(), Box::new(Forward(tx))).await?;
    let mut out = std::io::stdout();
    let mut stopping = false;
    loop {
        let event = tokio::select! {
            e = rx.recv() => e,
            _ = tokio::signal::ctrl_c(), if !stopping => {
                stopping = true;
                state.replies.stop(started.generation_id);
                continue;
            }
        };
        match event {
            Some(ReplyEvent::Delta(d)) => {
                let _ = out.write_all(d.text.as_bytes());
                let _ = out.flush();
            }
            Some(ReplyEvent::NotSaved { error }) => eprintln!("\nnot saved yet: {error}"),
            Some(ReplyEvent::Done { .. }) => {
                println!();
                return Ok(());
            }
            Some(ReplyEvent::Cancelled { .. }) => {
                println!();
                return Err(AppError::Cancelled);
            }
            Some(ReplyEvent::Error { error, .. }) => {
                println!();
                return Err(error);
            }
            Some(_) => {}
            None => return Err(AppError::internal("the reply ended without a word")),
        }
    }
}
