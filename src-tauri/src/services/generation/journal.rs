//! The reply journal: a reply's text kept in a file beside the database
//! while the database cannot take it (busy, locked by another process,
//! full), so that a crash before the save lands loses nothing.
//!
//! One file per reply, `<database folder>/journal/<message id>.json`
//! (mode 0600, like the database), written atomically (a temporary file,
//! fsync, rename, fsync of the folder): a file there is always whole. It is written only when a save
//! to the database fails (a periodic one or the final one) and when Parley
//! closes mid-reply, never on the pacing path; it is removed once the
//! database holds the text. At the next start, [`recover`] puts each file's
//! text into its message (before the sweep of unfinished replies) and
//! removes the file.
//!
//! Why only then: a journal write is cheap (a 200 KB reply written,
//! fsynced and renamed took about 0.6 ms on the 2-core test machine), but
//! on every periodic save it would write the whole text a second time
//! each second, for a case the database's own periodic save already
//! covers (a crash loses at most the last second either way); the journal
//! is for when the database cannot save.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::SqlitePool;

use super::lifecycle::INTERRUPTED;
use crate::error::Result;
use crate::models::{Id, MessageStatus, Timestamp};

/// The journal folder for a database: `journal/` beside it (the data
/// folder, unless `PARLEY_DB` moves the database).
pub fn dir(db_path: &Path) -> PathBuf {
    db_path.with_file_name("journal")
}

/// One reply as it should be stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub message_id: Id,
    pub content: String,
    /// `streaming` while the reply was still being written, else its end.
    pub status: MessageStatus,
    pub metadata: Value,
}

fn file(dir: &Path, id: Id) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Writes `entry` atomically, replacing the reply's earlier file.
pub fn write(dir: &Path, entry: &Entry) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let target = file(dir, entry.message_id);
    let tmp = dir.join(format!("{}.json.tmp", entry.message_id));
    {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        // Private like the database: it holds a chat's text.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut f = open.open(&tmp)?;
        f.write_all(&serde_json::to_vec(entry)?)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &target)?;
    // The rename itself lasts only once the folder is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes `entry` off the async threads; a failure is logged (the database
/// save goes on being tried).
pub async fn keep(dir: PathBuf, entry: Entry) -> bool {
    let id = entry.message_id;
    match tokio::task::spawn_blocking(move || write(&dir, &entry)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, message_id = %id, "could not write the reply journal");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, message_id = %id, "the reply journal writer stopped");
            false
        }
    }
}

/// Removes a reply's file, if there is one: the database holds its text.
pub fn remove(dir: &Path, id: Id) {
    match std::fs::remove_file(file(dir, id)) {
        Ok(()) => tracing::info!(message_id = %id, "reply saved; its journal file is removed"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(error = %e, message_id = %id, "could not remove the reply journal")
        }
    }
}

/// Puts every journaled reply into its message and removes the files.
/// A reply that was still being written is stored as interrupted; one
/// whose final save never landed is stored as it ended. A file the
/// database has caught up with (the reply is finished there, or holds more
/// text) is only removed. Run before the sweep of unfinished replies.
/// Returns how many replies it restored.
pub async fn recover(pool: &SqlitePool, dir: &Path) -> Result<u64> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut restored = 0;
    for path in entries.flatten().map(|e| e.path()) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".json.tmp") {
            // Never renamed: the write was cut off; the file before it (if
            // any) or the database holds the text.
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        let entry: Entry = match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, path = %path.display(), "unreadable reply journal left in place");
                continue;
            }
        };
        if restore(pool, entry).await? {
            restored += 1;
        }
        let _ = std::fs::remove_file(&path);
    }
    if restored > 0 {
        tracing::warn!(count = restored, "replies restored from the journal");
    }
    Ok(restored)
}

async fn restore(pool: &SqlitePool, mut entry: Entry) -> Result<bool> {
    let Some(current) = crate::repos::message::get(pool, entry.message_id).await? else {
        // Deleted since: its text goes with it.
        return Ok(false);
    };
    // Only a reply whose last save never landed: a finished one in the
    // database, or a longer text there, is newer than the file.
    let unfinished = matches!(
        current.status,
        MessageStatus::Pending | MessageStatus::Streaming
    );
    if !unfinished || entry.content.chars().count() < current.content.chars().count() {
        return Ok(false);
    }
    if matches!(
        entry.status,
        MessageStatus::Pending | MessageStatus::Streaming
    ) {
        entry.status = MessageStatus::Failed;
        if let Some(meta) = entry.metadata.as_object_mut() {
            meta.insert("endReason".into(), "interrupted".into());
            meta.insert("error".into(), INTERRUPTED.into());
        }
    }
    let mut conn = pool.acquire().await?;
    crate::repos::message::save_reply(
        &mut conn,
        entry.message_id,
        &entry.content,
        entry.status,
        &entry.metadata,
        Timestamp::now(),
    )
    .await?;
    Ok(true)
}
