//! Saving one reply: the periodic saves while it streams, run beside the
//! stream (a busy database never holds up the text or the window), and the
//! final save, which does not give up while Parley runs.
//!
//! Whenever a save to the database fails, the text goes to the reply's
//! journal file (`journal.rs`) until a later save lands; a reply Parley
//! closes on is journaled before its last save is tried. Saves of one reply
//! land in order: the final save waits for a periodic one still running.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::journal::{self, Entry};
use crate::error::AppError;
use crate::models::{Id, Message, MessageStatus};
use crate::services::message;

/// The first wait before the final save is tried again; it doubles up to
/// [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// The saves of one reply.
pub struct Saver {
    pool: SqlitePool,
    journal: PathBuf,
    message_id: Id,
    in_flight: Option<JoinHandle<()>>,
    /// The reply has a journal file the database has not caught up with.
    journaled: Arc<AtomicBool>,
}

/// Whether a failed save is worth trying again: the database was busy,
/// locked, full or failed; not a reply deleted meanwhile.
fn retryable(e: &AppError) -> bool {
    matches!(e, AppError::Database { .. })
}

impl Saver {
    pub fn new(pool: SqlitePool, db_path: &std::path::Path, message_id: Id) -> Saver {
        Saver {
            pool,
            journal: journal::dir(db_path),
            message_id,
            in_flight: None,
            journaled: Arc::default(),
        }
    }

    fn entry(&self, content: &str, status: MessageStatus, metadata: &Value) -> Entry {
        Entry {
            message_id: self.message_id,
            content: content.to_string(),
            status,
            metadata: metadata.clone(),
        }
    }

    /// Saves the text so far beside the stream, unless the last such save
    /// is still running (the next tick saves the newer text).
    pub fn progress(&mut self, content: &str, metadata: &Value) {
        if self.in_flight.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let entry = self.entry(content, MessageStatus::Streaming, metadata);
        let (pool, dir, journaled) = (
            self.pool.clone(),
            self.journal.clone(),
            self.journaled.clone(),
        );
        self.in_flight = Some(tokio::spawn(async move {
            let id = entry.message_id;
            match message::save_reply(&pool, id, &entry.content, entry.status, &entry.metadata)
                .await
            {
                Ok(_) => {
                    if journaled.swap(false, Ordering::SeqCst) {
                        journal::remove(&dir, id);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, message_id = %id, "could not save partial reply; kept in the journal");
                    if journal::keep(dir, entry).await {
                        journaled.store(true, Ordering::SeqCst);
                    }
                }
            }
        }));
    }

    /// The final save, tried until it lands while Parley runs, waiting
    /// longer each time. The first failure journals the reply and calls
    /// `not_saved` with the reason, once. Returns the reply as stored, or
    /// the error when it was given up (the reply was deleted meanwhile, or
    /// Parley is closing; the journal then holds the text).
    pub async fn finish(
        &mut self,
        content: &str,
        status: MessageStatus,
        metadata: &Value,
        closing: &CancellationToken,
        mut not_saved: impl FnMut(&AppError),
    ) -> std::result::Result<Message, AppError> {
        if let Some(h) = self.in_flight.take() {
            let _ = h.await;
        }
        let entry = self.entry(content, status, metadata);
        let mut journaled_final = false;
        if closing.is_cancelled() {
            // Parley may be gone before the database answers.
            journaled_final = self.keep(&entry).await;
        }
        let mut wait = RETRY_FIRST;
        let mut told = false;
        loop {
            match message::save_reply(&self.pool, self.message_id, content, status, metadata).await
            {
                Ok(m) => {
                    if self.journaled.swap(false, Ordering::SeqCst) {
                        journal::remove(&self.journal, self.message_id);
                    }
                    return Ok(m);
                }
                Err(e) if !retryable(&e) => {
                    tracing::error!(error = %e, message_id = %self.message_id, "the reply could not be saved");
                    journal::remove(&self.journal, self.message_id);
                    return Err(e);
                }
                Err(e) => {
                    tracing::error!(error = %e, message_id = %self.message_id, wait_ms = wait.as_millis() as u64, "could not save the reply; trying again");
                    if !journaled_final {
                        journaled_final = self.keep(&entry).await;
                    }
                    if !told {
                        not_saved(&e);
                        told = true;
                    }
                    if closing.is_cancelled() {
                        return Err(e);
                    }
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = closing.cancelled() => {}
                    }
                    wait = (wait * 2).min(RETRY_MAX);
                }
            }
        }
    }

    async fn keep(&self, entry: &Entry) -> bool {
        let kept = journal::keep(self.journal.clone(), entry.clone()).await;
        if kept {
            self.journaled.store(true, Ordering::SeqCst);
        }
        kept
    }
}
