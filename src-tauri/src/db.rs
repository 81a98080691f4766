//! Opening Parley's SQLite file: pragmas, file mode, backup and migrations.
//!
//! Everything here runs before the window shows. A database that already
//! holds data is backed up (`backup_folder`, kind "before migration")
//! before a migration changes it, so a failed or unwanted upgrade never
//! costs a message. Every connection runs with `secure_delete` on, so what
//! is deleted is overwritten, not left in free pages. [`check`] opens the
//! file read-only and changes nothing, not even a pending migration.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::AssertSqlSafe;
use sqlx::SqlitePool;

use crate::backup_folder::{self, Kind};
use crate::error::{AppError, Result, ResultExt};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The file name inside the app's data folder.
pub const DB_FILE_NAME: &str = "parley.db";

/// Environment variable that points the app at another database file.
pub const DB_ENV: &str = "PARLEY_DB";

/// What opening the database did, for the log and `parley db init`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenReport {
    pub path: PathBuf,
    pub created: bool,
    pub schema_version: i64,
    pub applied_migrations: Vec<i64>,
    pub backup: Option<PathBuf>,
}

/// The database path: `PARLEY_DB` if set, else `<data_dir>/parley.db`.
pub fn resolve_path(data_dir: &Path) -> PathBuf {
    match std::env::var_os(DB_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => data_dir.join(DB_FILE_NAME),
    }
}

fn connect_options(path: &Path) -> SqliteConnectOptions {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .optimize_on_close(true, None)
        // Deleted text is overwritten with zeros ("Delete forever" means it).
        .pragma("secure_delete", "on");
    // The fault tests' full disk: a database that may not grow past this
    // many pages. Only in builds for the end-to-end tests.
    #[cfg(feature = "e2e")]
    if let Some(pages) = std::env::var("PARLEY_TEST_MAX_PAGES")
        .ok()
        .filter(|v| v.parse::<u64>().is_ok())
    {
        return options.pragma("max_page_count", pages);
    }
    options
}

/// Opens (creating if needed) and migrates the database at `path`.
pub async fn open(path: &Path) -> Result<(SqlitePool, OpenReport)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).context("create the data folder")?;
    }
    let created = !path.exists() || std::fs::metadata(path)?.len() == 0;
    create_private(path)?;

    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(connect_options(path))
        .await
        .context("open the database")?;
    restrict_files(path);

    let pending = pending_migrations(&pool).await?;
    let mut backup = None;
    if !created && !pending.is_empty() && has_user_tables(&pool).await? {
        backup = Some(backup_before_migration(&pool, path).await?);
    }
    MIGRATOR.run(&pool).await?;
    restrict_files(path);

    let schema_version = schema_version(&pool).await?;
    let report = OpenReport {
        path: path.to_path_buf(),
        created,
        schema_version,
        applied_migrations: pending,
        backup,
    };
    tracing::info!(
        path = %report.path.display(),
        created = report.created,
        schema_version = report.schema_version,
        applied = ?report.applied_migrations,
        backup = ?report.backup,
        "database ready"
    );
    Ok((pool, report))
}

/// A private in-memory database with the migrations applied, for tests.
/// One connection: every in-memory connection is a database of its own.
pub async fn open_in_memory() -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// The newest migration applied, 0 for an empty database.
pub async fn schema_version(pool: &SqlitePool) -> Result<i64> {
    if !migrations_table_exists(pool).await? {
        return Ok(0);
    }
    let v: Option<i64> =
        sqlx::query_scalar(r"select max(version) from _sqlx_migrations where success = 1")
            .fetch_one(pool)
            .await?;
    Ok(v.unwrap_or(0))
}

async fn migrations_table_exists(pool: &SqlitePool) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        r"select count(*) from sqlite_schema where type = 'table' and name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// Versions of embedded migrations not yet applied.
async fn pending_migrations(pool: &SqlitePool) -> Result<Vec<i64>> {
    let applied: Vec<i64> = if migrations_table_exists(pool).await? {
        sqlx::query_scalar(r"select version from _sqlx_migrations where success = 1")
            .fetch_all(pool)
            .await?
    } else {
        Vec::new()
    };
    Ok(MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect())
}

async fn has_user_tables(pool: &SqlitePool) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        r"select count(*) from sqlite_schema where type = 'table' and name not like 'sqlite_%'",
    )
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// Backs the database up (checked and synced) into the backup folder
/// before a migration.
async fn backup_before_migration(pool: &SqlitePool, path: &Path) -> Result<PathBuf> {
    let made = backup_folder::make(pool, path, Kind::BeforeMigration)
        .await
        .context("back up the database before upgrading it")?;
    tracing::info!(backup = %made.path.display(), "database backed up before migration");
    Ok(made.path)
}

/// Creates the file with mode 0600 before SQLite does, so it is never
/// readable by others even for a moment.
fn create_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map(drop)
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .context("create the database file")?;
        }
    }
    restrict(path);
    Ok(())
}

/// Mode 0600 on the database and its WAL and shared-memory files.
fn restrict_files(path: &Path) {
    restrict(path);
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        restrict(Path::new(&p));
    }
}

fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
                tracing::warn!(path = %path.display(), error = %e, "could not make file private");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The health of a database file, for `parley db check` and the settings
/// screen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub path: PathBuf,
    pub integrity: String,
    pub schema_version: i64,
    /// Migrations this Parley would apply at its next start.
    pub pending_migrations: Vec<i64>,
    pub file_bytes: u64,
    pub wal_bytes: u64,
    pub page_size: i64,
    pub page_count: i64,
    pub free_pages: i64,
    pub tables: Vec<(String, i64)>,
}

/// Opens an existing database read-only: nothing is created, migrated or
/// written (for `parley db check`, also while the app runs on it).
pub async fn open_read_only(path: &Path) -> Result<SqlitePool> {
    if !path.is_file() {
        // Command line only: `parley db check` (the window opens its own).
        return Err(AppError::validation(
            "db",
            format!(
                "there is no database at {}; `parley db init` creates one",
                path.display()
            ),
        ));
    }
    // Without a WAL file nobody has the database open (a WAL writer always
    // keeps one): read it as immutable, so SQLite creates no `-wal` and no
    // `-shm` beside it. With one, read through it.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(!Path::new(&wal).exists())
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .context("open the database to read it")
}

/// Runs `pragma integrity_check` and gathers sizes and row counts; reads
/// only.
pub async fn check(pool: &SqlitePool, path: &Path) -> Result<CheckReport> {
    let integrity: Vec<String> = sqlx::query_scalar(r"pragma integrity_check")
        .fetch_all(pool)
        .await?;
    let page_size: i64 = sqlx::query_scalar(r"pragma page_size")
        .fetch_one(pool)
        .await?;
    let page_count: i64 = sqlx::query_scalar(r"pragma page_count")
        .fetch_one(pool)
        .await?;
    let free_pages: i64 = sqlx::query_scalar(r"pragma freelist_count")
        .fetch_one(pool)
        .await?;
    let existing: Vec<String> =
        sqlx::query_scalar(r"select name from sqlite_schema where type = 'table'")
            .fetch_all(pool)
            .await?;
    let mut tables = Vec::new();
    for table in [
        "characters",
        "user_profiles",
        "providers",
        "ai_models",
        "system_prompts",
        "chat_sessions",
        "messages",
        "message_swipes",
        "app_config",
    ] {
        if !existing.iter().any(|t| t == table) {
            continue;
        }
        // Table names come from the list above, never from input.
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("select count(*) from {table}")))
            .fetch_one(pool)
            .await?;
        tables.push((table.to_string(), n));
    }
    let wal = {
        let mut p = path.as_os_str().to_owned();
        p.push("-wal");
        std::fs::metadata(Path::new(&p))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    Ok(CheckReport {
        path: path.to_path_buf(),
        integrity: integrity.join("; "),
        schema_version: schema_version(pool).await?,
        pending_migrations: pending_migrations(pool).await?,
        file_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        wal_bytes: wal,
        page_size,
        page_count,
        free_pages,
        tables,
    })
}
