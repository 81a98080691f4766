//! Command-line entry points on the app's own binary, for people and
//! scripts: `parley db init | check | seed-demo`.
//!
//! They open the same database the app would (`PARLEY_DB`, `--db`, or the
//! app's data folder) through the same `db::open`, so migrations and
//! backups behave exactly as at app start.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::db;
use crate::error::Result;

#[derive(Debug, Parser)]
#[command(
    name = "parley",
    version,
    about = "Parley: AI character chat, local-first"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with Parley's database.
    Db {
        #[command(subcommand)]
        action: DbAction,
        /// Database file (default: $PARLEY_DB, else the app's data folder).
        #[arg(long, global = true)]
        db: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum DbAction {
    /// Create the database if needed and apply pending migrations.
    Init,
    /// Integrity check, schema version, sizes and row counts.
    Check {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add a demo library (characters, personas, prompts, a local provider,
    /// chats). Safe to run twice.
    SeedDemo,
}

/// Whether the arguments ask for the command line rather than the window.
/// Unknown arguments (a WebDriver's, a desktop launcher's) open the app.
pub fn is_cli(args: &[String]) -> bool {
    matches!(
        args.get(1).map(String::as_str),
        Some("db" | "help" | "--help" | "-h" | "--version" | "-V")
    )
}

/// Runs the command line and returns the process exit code.
pub fn main(args: &[String]) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    // Quiet unless asked: scripts read stdout, people read the error line.
    if std::env::var_os("RUST_LOG").is_some() {
        crate::logging::init(crate::logging::LogFormat::Pretty, std::path::Path::new("."));
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("parley: cannot start: {e}");
            return 1;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("parley: {e}");
            1
        }
    }
}

fn default_db_path(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    let data_dir = crate::data_dir_override().unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(crate::APP_IDENTIFIER)
    });
    db::resolve_path(&data_dir)
}

async fn dispatch(command: Command) -> Result<()> {
    let Command::Db { action, db: flag } = command;
    let path = default_db_path(flag);
    let (pool, report) = db::open(&path).await?;
    match action {
        DbAction::Init => {
            println!(
                "{} {} (schema version {}{})",
                if report.created { "created" } else { "opened" },
                report.path.display(),
                report.schema_version,
                if report.applied_migrations.is_empty() {
                    String::new()
                } else {
                    format!(", applied {} migration(s)", report.applied_migrations.len())
                }
            );
            if let Some(b) = report.backup {
                println!("backup before migrating: {}", b.display());
            }
        }
        DbAction::Check { json } => {
            let check = db::check(&pool, &path).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&check)?);
            } else {
                println!("database:       {}", check.path.display());
                println!("integrity:      {}", check.integrity);
                println!("schema version: {}", check.schema_version);
                println!(
                    "size:           {} bytes ({} pages of {} bytes, {} free); WAL {} bytes",
                    check.file_bytes,
                    check.page_count,
                    check.page_size,
                    check.free_pages,
                    check.wal_bytes
                );
                for (table, rows) in &check.tables {
                    println!("  {table:<16} {rows:>10} rows");
                }
            }
            if check.integrity != "ok" {
                pool.close().await;
                return Err(crate::error::AppError::Database {
                    message: format!("integrity check failed: {}", check.integrity),
                });
            }
        }
        DbAction::SeedDemo => {
            let added = crate::services::demo::seed(&pool).await?;
            println!(
                "demo library in {}: added {} characters, {} personas, {} providers, {} models, {} prompts, {} chats, {} messages",
                path.display(),
                added.characters,
                added.user_profiles,
                added.providers,
                added.ai_models,
                added.system_prompts,
                added.chats,
                added.messages
            );
        }
    }
    pool.close().await;
    Ok(())
}
