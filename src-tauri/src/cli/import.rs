//! `parley import`: cards, chats and folders through the import service,
//! and document files named directly through the document service (into
//! the library, or the chat or character given). Holds the database while
//! it writes, like every writing command.

use std::path::PathBuf;

use super::{default_db_path, hold_for_writing};
use crate::db;
use crate::error::{AppError, Result};

/// Prints a line per file and a summary; fails when any file was refused.
/// Document files named directly become documents; everything else (cards,
/// chats, folders) is imported as before.
pub(super) async fn run(
    paths: &[PathBuf],
    db: Option<PathBuf>,
    chat: Option<String>,
    character: Option<String>,
) -> Result<()> {
    use crate::services::document::{self, extract::DocumentKind, AddReport, Limits};
    use crate::services::import::{self, ImportKind, ImportReport};
    let path = default_db_path(db)?;
    let _held = hold_for_writing(&path)?;
    let (pool, _) = db::open(&path).await?;
    let (docs, others): (Vec<PathBuf>, Vec<PathBuf>) = paths.iter().cloned().partition(|p| {
        p.is_file() && DocumentKind::wanted(&p.file_name().unwrap_or_default().to_string_lossy())
    });
    let place = document_place(&pool, chat, character).await;
    let report = if others.is_empty() {
        ImportReport::default()
    } else {
        import::import_paths(&pool, &others, |_| {}).await
    };
    let added = match place {
        Ok(place) => document::add_paths(&pool, place, &docs, &Limits::default()).await,
        Err(e) if !docs.is_empty() => {
            pool.close().await;
            return Err(e);
        }
        Err(_) => AddReport::default(),
    };
    pool.close().await;
    for i in &report.imported {
        let kind = match i.kind {
            ImportKind::Character => "character",
            ImportKind::Chat => "chat",
            ImportKind::Group => "group",
        };
        println!("imported {kind} {:?} from {} (id {})", i.name, i.file, i.id);
        if !i.missing_members.is_empty() {
            println!(
                "  members not found (their lines keep the name): {}",
                i.missing_members.join(", ")
            );
        }
    }
    for d in &added.added {
        println!(
            "added document {:?} to the {} ({} chunks, id {})",
            d.name, d.scope, d.chunk_count, d.id
        );
    }
    let skipped: Vec<_> = report.skipped.iter().chain(&added.skipped).collect();
    for s in &skipped {
        println!("skipped {}: {}", s.file, s.reason);
    }
    println!(
        "{} imported, {} skipped",
        report.imported.len() + added.added.len(),
        skipped.len()
    );
    if skipped.is_empty() {
        Ok(())
    } else {
        Err(crate::error::AppError::validation(
            "file",
            format!("{} file(s) could not be imported", skipped.len()),
        ))
    }
}

/// Where `parley import` puts documents: a chat by id, a character by id
/// or name, else the library.
async fn document_place(
    pool: &sqlx::SqlitePool,
    chat: Option<String>,
    character: Option<String>,
) -> Result<crate::models::DocumentPlace> {
    use crate::models::DocumentPlace;
    if let Some(chat) = chat {
        let id = chat
            .parse()
            .map_err(|_| AppError::validation("chat", "that is not a chat id"))?;
        return Ok(DocumentPlace::Chat(id));
    }
    if let Some(character) = character {
        let id = match character.parse() {
            Ok(id) => id,
            Err(_) => {
                crate::services::character::find_by_name(pool, &character)
                    .await?
                    .id
            }
        };
        return Ok(DocumentPlace::Character(id));
    }
    Ok(DocumentPlace::Library)
}
