//! Backups a person can use: made and rotated, made daily while the app
//! runs, listed, deleted, and restored.
//!
//! The files and how one is written (copied, checked, synced) are
//! `backup_folder`'s; here are the rules: after each new backup only the
//! newest [`BACKUPS_KEPT`] stay (only Parley's own files are ever deleted);
//! the app backs up at start when the newest backup is older than a day,
//! then daily; a restore checks the chosen file on a copy beside the
//! database, keeps the current database as a backup ("before restore"),
//! and only then puts the copy in its place, with no connection open.
//! Never while a reply is being written.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

use crate::backup_folder::{self, BackupFile, Kind};
use crate::db;
use crate::error::{AppError, Result, ResultExt};
use crate::services::app_config::{self, BACKUPS_KEPT};
use crate::services::generation::registry::Replies;

/// How old the newest backup may get before the app makes another.
pub const DAILY: Duration = Duration::from_secs(24 * 60 * 60);

/// Parley's backups of the database, newest first.
pub fn list(db_path: &Path) -> Result<Vec<BackupFile>> {
    backup_folder::list(db_path)
}

/// Makes a backup of `kind`, then rotates.
pub async fn make(pool: &SqlitePool, db_path: &Path, kind: Kind) -> Result<BackupFile> {
    let made = backup_folder::make(pool, db_path, kind)
        .await
        .context("back up the database")?;
    tracing::info!(backup = %made.path.display(), kind = ?kind, "backup made");
    let keep = app_config::read(pool, &BACKUPS_KEPT).await.unwrap_or(10);
    rotate(db_path, keep)?;
    Ok(made)
}

/// Writes a checked copy of the database to a file of the person's choice
/// (`parley db backup --out FILE`); no rotation there.
pub async fn make_to(pool: &SqlitePool, target: &Path) -> Result<()> {
    backup_folder::write_checked(pool, target).await
}

/// Deletes all but the newest `keep` backups (at least one stays); the
/// files deleted.
pub fn rotate(db_path: &Path, keep: u32) -> Result<Vec<PathBuf>> {
    let keep = keep.max(1) as usize;
    let mut gone = Vec::new();
    for old in list(db_path)?.into_iter().skip(keep) {
        std::fs::remove_file(&old.path).context("delete an old backup")?;
        gone.push(old.path);
    }
    Ok(gone)
}

/// The backup named `name` (a file name from [`list`], nothing else).
fn find(db_path: &Path, name: &str) -> Result<BackupFile> {
    list(db_path)?
        .into_iter()
        .find(|b| b.name == name)
        .ok_or_else(|| AppError::not_found("backup", name))
}

/// Deletes one backup by name.
pub fn delete(db_path: &Path, name: &str) -> Result<()> {
    let backup = find(db_path, name)?;
    std::fs::remove_file(&backup.path).context("delete the backup")
}

/// Deletes every backup made before `before` (after "Delete forever", whose
/// text older backups still hold); how many.
pub fn delete_older_than(db_path: &Path, before: DateTime<Utc>) -> Result<usize> {
    let mut n = 0;
    for b in list(db_path)?
        .into_iter()
        .filter(|b| b.created_at <= before)
    {
        std::fs::remove_file(&b.path).context("delete a backup")?;
        n += 1;
    }
    Ok(n)
}

/// Backs up now when the newest backup is older than a day (or there is
/// none); whether it did.
pub async fn backup_if_due(pool: &SqlitePool, db_path: &Path) -> Result<bool> {
    let newest = list(db_path)?.first().map(|b| b.created_at);
    let due = newest.is_none_or(|at| {
        Utc::now()
            .signed_duration_since(at)
            .to_std()
            .is_ok_and(|age| age >= DAILY)
    });
    if due {
        make(pool, db_path, Kind::Automatic).await?;
    }
    Ok(due)
}

/// The daily backup while the app runs: at start when due, then checked
/// every hour (a machine that slept still gets its backup when it wakes).
pub async fn daily(pool: SqlitePool, db_path: PathBuf) {
    loop {
        if pool.is_closed() {
            return;
        }
        if let Err(e) = backup_if_due(&pool, &db_path).await {
            tracing::warn!(error = %e, "the daily backup failed");
        }
        tokio::time::sleep(Duration::from_secs(60 * 60)).await;
    }
}

/// A backup copied beside the database and checked, ready to replace it.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
}

/// Copies `file` beside the database at `db_path` and checks the copy: a
/// damaged file, one that is not Parley's, or one from a newer Parley is
/// refused in words, and nothing else is touched.
pub async fn stage(file: &Path, db_path: &Path) -> Result<Staged> {
    if !file.is_file() {
        return Err(AppError::validation(
            "file",
            format!("there is no backup file at {}", file.display()),
        )
        .worded(
            "no_backup_file",
            json!({ "path": file.display().to_string() }),
        ));
    }
    let staged = backup_folder::partial_path(&with_suffix(db_path, ".restore"));
    let _ = std::fs::remove_file(&staged);
    let checked = async {
        std::fs::copy(file, &staged).context("copy the backup beside the database")?;
        let version = backup_folder::check(&staged).await?;
        if version == 0 {
            return Err(AppError::validation(
                "file",
                format!(
                    "{} is not a sound Parley database (it holds no Parley data); nothing was changed",
                    file.display()
                ),
            )
            .worded("backup_not_parley", json!({ "path": file.display().to_string() })));
        }
        let newest = db::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if version > newest {
            return Err(AppError::validation(
                "file",
                format!(
                    "{} was made by a newer Parley (schema {version}); update Parley to restore it",
                    file.display()
                ),
            )
            .worded(
                "backup_too_new",
                json!({ "path": file.display().to_string(), "schema": version.to_string() }),
            ));
        }
        backup_folder::sync_file(&staged)
    }
    .await;
    match checked {
        Ok(()) => Ok(Staged { path: staged }),
        Err(e) => {
            remove_with_journals(&staged);
            Err(e)
        }
    }
}

/// Puts a staged backup in the database's place. No connection to the
/// database may be open (the app closed its pool, or it is not running).
pub fn swap_in(staged: Staged, db_path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        let journal = with_suffix(db_path, suffix);
        if journal.exists() {
            std::fs::remove_file(&journal).context("set the old journal aside")?;
        }
    }
    std::fs::rename(&staged.path, db_path).context("put the backup in place")?;
    backup_folder::sync_dir(db_path)?;
    tracing::info!(path = %db_path.display(), "backup restored");
    Ok(())
}

/// Restores from the command line (the app is not running on the
/// database): checks `file`, keeps the current database as a backup, puts
/// `file` in its place. The backup of the current database, if any.
pub async fn restore_closed(db_path: &Path, file: &Path) -> Result<Option<BackupFile>> {
    let staged = stage(file, db_path).await?;
    let mut kept = None;
    if db_path.is_file() && std::fs::metadata(db_path)?.len() > 0 {
        let options = SqliteConnectOptions::new()
            .filename(db_path)
            .create_if_missing(false);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .context("open the current database")?;
        let made = make(&pool, db_path, Kind::BeforeRestore).await;
        pool.close().await;
        kept = Some(made?);
    }
    swap_in(staged, db_path)?;
    Ok(kept)
}

/// Restores a backup (by name) while the app runs on `pool`: refused while
/// a reply is being written; else the backup is checked, the current
/// database kept as a backup, the pool closed and the file swapped. Once
/// the pool is closed (`pool.is_closed()`), the caller starts the app again
/// whatever the outcome: a failed swap leaves the current file in place.
pub async fn restore_open(
    pool: &SqlitePool,
    replies: &Replies,
    db_path: &Path,
    name: &str,
) -> Result<BackupFile> {
    if replies.writing() {
        return Err(AppError::business(
            "a reply is being written; wait for it to finish (or stop it), then restore",
        )
        .worded("restore_while_writing", json!({})));
    }
    let backup = find(db_path, name)?;
    let staged = stage(&backup.path, db_path).await?;
    if let Err(e) = make(pool, db_path, Kind::BeforeRestore).await {
        remove_with_journals(&staged.path);
        return Err(e);
    }
    pool.close().await;
    swap_in(staged, db_path)?;
    Ok(backup)
}

fn remove_with_journals(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}
