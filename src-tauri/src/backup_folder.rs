//! The backup folder beside the database: what Parley's backup files are
//! called, which files are Parley's, and the one way a backup is written
//! (copied, checked, synced to disk, then given its name).
//!
//! A backup is `<database folder>/backups/parley-YYYYMMDD-HHMMSS-<kind>.db`
//! (UTC time; `-2`, `-3`... when two land in one second). Only files with
//! such a name are ever listed, rotated or deleted: anything else a person
//! puts in the folder stays. This module knows no rules about when to back
//! up or how many to keep (`services::backup` does) and does not depend on
//! `db`, which uses it before a migration.

use serde_json::json;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqlitePool};

use crate::error::{AppError, Result, ResultExt};

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// "Back up now" or `parley db backup`.
    Manual,
    /// The daily backup while the app runs.
    Automatic,
    /// Before a migration changed the database.
    BeforeMigration,
    /// The database as it was before a restore replaced it.
    BeforeRestore,
}

impl Kind {
    const ALL: [Kind; 4] = [
        Kind::Manual,
        Kind::Automatic,
        Kind::BeforeMigration,
        Kind::BeforeRestore,
    ];

    /// The word in the file name.
    fn word(self) -> &'static str {
        match self {
            Kind::Manual => "manual",
            Kind::Automatic => "auto",
            Kind::BeforeMigration => "migration",
            Kind::BeforeRestore => "restore",
        }
    }
}

/// One of Parley's backup files.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    /// The file name, which is also how the window names it.
    pub name: String,
    #[serde(skip)]
    pub path: PathBuf,
    pub kind: Kind,
    pub created_at: DateTime<Utc>,
    pub bytes: u64,
    /// 1, or the `-N` of a second backup within one second.
    #[serde(skip)]
    pub seq: u32,
}

/// `<database folder>/backups`.
pub fn dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

const PREFIX: &str = "parley-";
const STAMP: &str = "%Y%m%d-%H%M%S";

/// What a Parley backup's file name says: when and why. `None` for any
/// other file.
pub fn parse_name(name: &str) -> Option<(DateTime<Utc>, Kind)> {
    parse(name).map(|(at, kind, _)| (at, kind))
}

fn parse(name: &str) -> Option<(DateTime<Utc>, Kind, u32)> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(".db")?;
    let stamp = rest.get(..15)?;
    let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
    let tail = rest.get(15..)?.strip_prefix('-')?;
    let (word, counter) = match tail.split_once('-') {
        Some((w, n)) => (w, Some(n)),
        None => (tail, None),
    };
    let seq = match counter {
        None => 1,
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
        Some(_) => return None,
    };
    let kind = Kind::ALL.into_iter().find(|k| k.word() == word)?;
    Some((at, kind, seq))
}

/// Parley's backups of the database at `db_path`, newest first.
pub fn list(db_path: &Path) -> Result<Vec<BackupFile>> {
    let dir = dir(db_path);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::from(e).context("read the backup folder")),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((created_at, kind, seq)) = parse(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        found.push(BackupFile {
            path: entry.path(),
            name,
            kind,
            created_at,
            bytes: meta.len(),
            seq,
        });
    }
    found.sort_by_key(|b| std::cmp::Reverse((b.created_at, b.seq)));
    Ok(found)
}

/// A free name for a backup made now.
fn new_path(db_path: &Path, kind: Kind) -> PathBuf {
    let dir = dir(db_path);
    let stamp = Utc::now().format(STAMP).to_string();
    // After every backup of this second, even one rotated away meanwhile,
    // so the newest always sorts first.
    let last = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| parse(&e.file_name().to_string_lossy()).map(|(_, _, seq)| (e, seq)))
        .filter(|(e, _)| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{PREFIX}{stamp}-"))
        })
        .map(|(_, seq)| seq)
        .max();
    let mut seq = last.map_or(1, |n| n + 1);
    loop {
        let name = if seq == 1 {
            format!("{PREFIX}{stamp}-{}.db", kind.word())
        } else {
            format!("{PREFIX}{stamp}-{}-{seq}.db", kind.word())
        };
        let path = dir.join(name);
        if !path.exists() {
            return path;
        }
        seq += 1;
    }
}

/// Backs the open database up into the backup folder.
pub async fn make(pool: &SqlitePool, db_path: &Path, kind: Kind) -> Result<BackupFile> {
    let dir = dir(db_path);
    std::fs::create_dir_all(&dir).context("create the backup folder")?;
    let path = new_path(db_path, kind);
    write_checked(pool, &path).await?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (created_at, kind, seq) = parse(&name).unwrap_or((Utc::now(), kind, 1));
    Ok(BackupFile {
        seq,
        bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        path,
        name,
        kind,
        created_at,
    })
}

/// Writes a copy of the open database to `target` (which must not exist):
/// `VACUUM INTO` a temporary file beside it, `integrity_check` on the copy,
/// fsync of the file, rename, fsync of the folder. Only then is there a
/// file under `target`; a failed copy leaves nothing behind.
pub async fn write_checked(pool: &SqlitePool, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(AppError::validation(
            "file",
            format!(
                "{} already exists; choose a new file name",
                target.display()
            ),
        )
        .worded(
            "file_exists",
            json!({ "path": target.display().to_string() }),
        ));
    }
    let partial = partial_path(target);
    let _ = std::fs::remove_file(&partial);
    let result = async {
        sqlx::query(r"vacuum into ?1")
            .bind(partial.to_string_lossy().into_owned())
            .execute(pool)
            .await
            .context("copy the database")?;
        private(&partial);
        check(&partial).await?;
        sync_file(&partial)?;
        std::fs::rename(&partial, target).context("name the backup")?;
        sync_dir(target)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// `<target>.partial`, where a copy is written before it is checked.
pub fn partial_path(target: &Path) -> PathBuf {
    let mut p = target.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

/// Runs `integrity_check` on the database file at `path` (opened, never
/// created); the schema version it holds when it is sound (0: no Parley
/// migration was ever applied to it).
pub async fn check(path: &Path) -> Result<i64> {
    let damaged = |why: String| {
        AppError::validation(
            "file",
            format!(
                "{} is not a sound Parley database ({why}); nothing was changed",
                path.display()
            ),
        )
        .worded(
            "backup_damaged",
            json!({ "path": path.display().to_string(), "reason": why }),
        )
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(|e| {
            damaged(format!("cannot be opened: {e}")).worded(
                "backup_not_opened",
                json!({ "path": path.display().to_string(), "reason": e.to_string() }),
            )
        })?;
    let outcome = async {
        let report: Vec<String> = sqlx::query_scalar(r"pragma integrity_check")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| damaged(e.to_string()))?;
        if report.len() != 1 || report[0] != "ok" {
            return Err(damaged(report.join("; ")));
        }
        let tracked: i64 = sqlx::query_scalar(
            r"select count(*) from sqlite_schema where type = 'table' and name = '_sqlx_migrations'",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| damaged(e.to_string()))?;
        if tracked == 0 {
            return Ok(0);
        }
        let version: Option<i64> =
            sqlx::query_scalar(r"select max(version) from _sqlx_migrations where success = 1")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| damaged(e.to_string()))?;
        Ok(version.unwrap_or(0))
    }
    .await;
    let _ = conn.close().await;
    outcome
}

fn private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The file's bytes are on the disk.
pub fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .context("write the backup to the disk")
}

/// The folder entry of `path` (a new or renamed file) is on the disk.
pub fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .context("write the backup folder to the disk")?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_parley_backup_names_are_ours() {
        let (at, kind) = parse_name("parley-20261201-172530-auto.db").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-01T17:25:30+00:00");
        assert_eq!(kind, Kind::Automatic);
        assert_eq!(
            parse_name("parley-20261201-172530-restore-3.db").map(|p| p.1),
            Some(Kind::BeforeRestore)
        );
        for other in [
            "parley.db",
            "parley-20261201-172530.db",
            "parley-20261201-172530-manual.db.partial",
            "parley-20261301-172530-manual.db",
            "parley-20261201-172530-holiday.db",
            "parley-20261201-172530-manual-.db",
            "notes.txt",
        ] {
            assert!(parse_name(other).is_none(), "{other}");
        }
    }
}
