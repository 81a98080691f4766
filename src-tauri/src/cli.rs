//! Command-line entry points on the app's own binary, for people and
//! scripts: `parley db init | check | seed-demo | backup | restore`,
//! `parley import <files or folders> [--chat ID | --character ID]` (cards,
//! chats, and documents), `parley export character|chat`,
//! `parley prompt <chat id>` (what the next reply would be sent),
//! `parley models add PATH | list` (GGUF models on this computer),
//! `parley chat <chat id or character> --message TEXT [--new]` (a reply,
//! printed as it streams).
//!
//! They open the same database the app would (`PARLEY_DB`, `--db`, or the
//! app's data folder) through the same `db::open`, so migrations and
//! backups behave exactly as at app start. A command that writes the
//! database holds its lock (`instance`) while it runs and refuses, in
//! words, when the app is open on it; `check`, `backup` and `prompt` only
//! read (the file is opened read-only) and work while the app runs.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{AppError, Result};
use crate::services::backup;
use crate::{db, instance, paths};

mod chat;
mod export;
mod import;
mod models;

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
    /// Import character cards (.png, .json, .charx) and SillyTavern chats
    /// (.jsonl), or folders of them (a SillyTavern data folder too); and
    /// documents (.txt, .md, .html, .htm, .pdf, .epub files), into the
    /// library unless --chat or --character says where.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Attach the documents to this chat (its id).
        #[arg(long, conflicts_with = "character")]
        chat: Option<String>,
        /// Attach the documents to this character (its id or name).
        #[arg(long)]
        character: Option<String>,
        /// Database file (default: $PARLEY_DB, else the app's data folder).
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Export a character as a card, or a chat as SillyTavern .jsonl.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
        /// Database file (default: $PARLEY_DB, else the app's data folder).
        #[arg(long, global = true)]
        db: Option<PathBuf>,
        /// Folder to write into (default: $PARLEY_EXPORT_DIR, else Downloads).
        #[arg(long, global = true)]
        out: Option<PathBuf>,
    },
    /// Print the messages Parley would send for a chat's next reply, each
    /// memory piece marked by its source (document, summary, recalled
    /// message). Reads only, so it works while the app runs.
    Prompt {
        /// The chat's id.
        chat: String,
        /// As if this message were sent next.
        #[arg(long)]
        message: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Database file (default: $PARLEY_DB, else the app's data folder).
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Send a message and print the reply as it streams, through the same
    /// reply lifecycle as the window. Exit status 0 only when the reply
    /// completed; Ctrl-C stops it and keeps what arrived.
    Chat {
        /// A chat's id, or a character's name (its newest chat).
        target: String,
        /// The message to send.
        #[arg(long, short)]
        message: String,
        /// Start a new chat with the character.
        #[arg(long)]
        new: bool,
        /// Database file (default: $PARLEY_DB, else the app's data folder).
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// GGUF models on this computer, run by Parley's built-in engine.
    Models {
        #[command(subcommand)]
        action: ModelsAction,
        /// Database file (default: $PARLEY_DB, else the app's data folder).
        #[arg(long, global = true)]
        db: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ModelsAction {
    /// Add a .gguf file as a model to chat with.
    Add { path: PathBuf },
    /// List the GGUF files found in the usual places (LM Studio, Jan,
    /// Ollama, the Hugging Face cache, Parley's models folder).
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportWhat {
    /// A character, by id or by name.
    Character {
        character: String,
        #[arg(long, value_enum, default_value = "png")]
        format: ExportFormat,
    },
    /// A chat, by id.
    Chat { id: String },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    Png,
    JsonV2,
    JsonV3,
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
    /// Back the database up (checked and synced) into its backup folder, or
    /// to FILE.
    Backup {
        /// Write the backup here instead (a new file).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Replace the database with a backup, after checking it; the current
    /// database is kept in the backup folder first.
    Restore { file: PathBuf },
}

/// Holds the database for a command that writes it; refuses in words while
/// the app is open on it. Keep the guard until the command ends.
fn hold_for_writing(path: &std::path::Path) -> Result<instance::Guard> {
    match instance::claim_for_command(path) {
        Ok(Some(guard)) => Ok(guard),
        Ok(None) => Err(AppError::business(instance::refusal(path))),
        Err(e) => Err(AppError::internal(format!(
            "cannot lock the data folder of {}: {e}",
            path.display()
        ))),
    }
}

/// Whether the arguments ask for the command line rather than the window.
/// Unknown arguments (a WebDriver's, a desktop launcher's) open the app.
pub fn is_cli(args: &[String]) -> bool {
    matches!(
        args.get(1).map(String::as_str),
        Some(
            "db" | "import"
                | "export"
                | "prompt"
                | "models"
                | "chat"
                | "help"
                | "--help"
                | "-h"
                | "--version"
                | "-V"
        )
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

fn default_db_path(flag: Option<PathBuf>) -> Result<PathBuf> {
    match flag {
        Some(p) => Ok(p),
        None => paths::db_path(),
    }
}

async fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Db { action, db } => db_command(action, db).await,
        Command::Import {
            paths,
            db,
            chat,
            character,
        } => import::run(&paths, db, chat, character).await,
        Command::Export { what, db, out } => export::run(what, db, out).await,
        Command::Prompt {
            chat,
            message,
            json,
            db,
        } => {
            let path = default_db_path(db)?;
            crate::cli_prompt::run(&path, &chat, message.as_deref(), json).await
        }
        Command::Chat {
            target,
            message,
            new,
            db,
        } => chat::run(&target, &message, new, db).await,
        Command::Models { action, db } => match action {
            ModelsAction::Add { path } => models::add(&path, db).await,
            ModelsAction::List => models::list(db).await,
        },
    }
}

async fn db_command(action: DbAction, flag: Option<PathBuf>) -> Result<()> {
    let path = default_db_path(flag)?;
    match action {
        DbAction::Check { json } => return check(&path, json).await,
        DbAction::Backup { out } => return backup_now(&path, out).await,
        DbAction::Restore { file } => return restore(&path, &file).await,
        DbAction::Init | DbAction::SeedDemo => {}
    }
    let _held = hold_for_writing(&path)?;
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
        DbAction::SeedDemo => {
            let added = crate::services::demo::seed(&pool).await;
            pool.close().await;
            let added = added?;
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
        DbAction::Check { .. } | DbAction::Backup { .. } | DbAction::Restore { .. } => {}
    }
    pool.close().await;
    Ok(())
}

/// Reads the database (opened read-only: nothing created, migrated or
/// written) and reports its health.
async fn check(path: &std::path::Path, json: bool) -> Result<()> {
    let pool = db::open_read_only(path).await?;
    let check = db::check(&pool, path).await;
    pool.close().await;
    let check = check?;
    if json {
        println!("{}", serde_json::to_string_pretty(&check)?);
    } else {
        println!("database:       {}", check.path.display());
        println!("integrity:      {}", check.integrity);
        println!("schema version: {}", check.schema_version);
        if !check.pending_migrations.is_empty() {
            println!(
                "pending:        {} migration(s), applied (after a backup) when Parley next opens it",
                check.pending_migrations.len()
            );
        }
        println!(
            "size:           {} bytes ({} pages of {} bytes, {} free); WAL {} bytes",
            check.file_bytes, check.page_count, check.page_size, check.free_pages, check.wal_bytes
        );
        for (table, rows) in &check.tables {
            println!("  {table:<16} {rows:>10} rows");
        }
    }
    if check.integrity != "ok" {
        return Err(AppError::database(
            "integrity_failed",
            format!("integrity check failed: {}", check.integrity),
        ));
    }
    Ok(())
}

/// `parley db backup [--out FILE]`: reads only, so it works while the app
/// runs.
async fn backup_now(path: &std::path::Path, out: Option<PathBuf>) -> Result<()> {
    let pool = db::open_read_only(path).await?;
    let made = match &out {
        Some(file) => backup::make_to(&pool, file).await.map(|()| file.clone()),
        None => backup::make(&pool, path, crate::backup_folder::Kind::Manual)
            .await
            .map(|b| b.path),
    };
    pool.close().await;
    println!("backed up {} to {}", path.display(), made?.display());
    Ok(())
}

/// `parley db restore FILE`: refused while the app is open on the
/// database.
async fn restore(path: &std::path::Path, file: &std::path::Path) -> Result<()> {
    let _held = hold_for_writing(path)?;
    let kept = backup::restore_closed(path, file).await?;
    println!("restored {} from {}", path.display(), file.display());
    if let Some(kept) = kept {
        println!("the database as it was is kept as {}", kept.path.display());
    }
    Ok(())
}
