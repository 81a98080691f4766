//! Export: a character as a card file (PNG, JSON V2 or V3), a chat as
//! SillyTavern `.jsonl` (a group chat with its group definition beside it,
//! `group`), written into a folder under a name that is new there. Reading
//! files in is `services::import`.
//!
//! Nothing exported carries a secret: cards hold the character, chats the
//! messages and their metadata.

use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

mod chat;
mod group;

pub use chat::{chat_jsonl, export_chat, export_chat_files, group_json, ChatExport};

use crate::cards;
use crate::cards::card::{self, Avatar, Spec};
use crate::error::{AppError, Result};
use crate::models::Id;
use crate::repos;
use crate::services::character;

/// Card formats Parley writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardFormat {
    Png,
    JsonV2,
    JsonV3,
}

impl CardFormat {
    fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::JsonV2 | Self::JsonV3 => "json",
        }
    }
}

/// The character as a card file's bytes.
pub async fn card_bytes(pool: &SqlitePool, id: Id, format: CardFormat) -> Result<Vec<u8>> {
    let c = character::get(pool, id).await?;
    card_bytes_of(pool, c, format).await
}

async fn card_bytes_of(
    pool: &SqlitePool,
    c: crate::models::Character,
    format: CardFormat,
) -> Result<Vec<u8>> {
    let id = c.id;
    let parts = repos::character::card_parts(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("character", id))?;
    let card_json = parts.card_json.map(|j| j.0);
    match format {
        CardFormat::JsonV2 | CardFormat::JsonV3 => {
            let spec = if format == CardFormat::JsonV2 {
                Spec::V2
            } else {
                Spec::V3
            };
            let value = card::to_card_json(&c, card_json.as_ref(), spec);
            serde_json::to_vec_pretty(&value).map_err(|e| {
                AppError::internal(format!("the card could not be written ({e})")).worded(
                    "not_written",
                    json!({ "entity": "card", "reason": e.to_string() }),
                )
            })
        }
        CardFormat::Png => {
            // The stored media type is a hint; the bytes say what they are.
            let avatar = parts.avatar.and_then(|bytes| {
                cards::image::sniff_mime(&bytes).map(|mime| Avatar { bytes, mime })
            });
            tokio::task::spawn_blocking(move || {
                card::to_png(&c, card_json.as_ref(), avatar.as_ref())
            })
            .await
            .map_err(|e| {
                AppError::internal(format!("the export stopped unexpectedly ({e})"))
                    .worded("export_stopped", json!({ "reason": e.to_string() }))
            })?
            .map_err(|e| {
                AppError::internal(format!("the card could not be written: {e}"))
                    .worded("card_write_failed", json!({ "reason": e.to_string() }))
            })
        }
    }
}

/// Where exports go: `PARLEY_EXPORT_DIR`, else the Downloads folder, else home.
pub fn exports_dir() -> PathBuf {
    std::env::var_os("PARLEY_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Longest file-name stem, in bytes: with " (99999)" and ".jsonl" added a
/// name stays under the 255 bytes every common file system allows.
const MAX_STEM_BYTES: usize = 230;

/// Names Windows keeps for devices, with or without an extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file name made from a display name in any script: no separators or
/// characters Windows refuses (`<>:"/\|?*`), no control, bidirectional or
/// zero-width characters, no leading dot or trailing dot or space, not a
/// device name (`CON`, `LPT1`), at most [`MAX_STEM_BYTES`] bytes (cut at a
/// character boundary).
pub fn safe_file_stem(name: &str) -> String {
    let cleaned: String = crate::services::validate::clean_label(name)
        .chars()
        .map(|c| if "<>:\"/\\|?*".contains(c) { '_' } else { c })
        .collect();
    let mut stem = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_start()
        .to_string();
    if stem.len() > MAX_STEM_BYTES {
        let mut cut = MAX_STEM_BYTES;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
    }
    let stem = stem.trim_end_matches(['.', ' ']);
    if stem.is_empty() {
        return "export".into();
    }
    let base = stem.split('.').next().unwrap_or(stem).trim_end();
    if RESERVED.iter().any(|r| base.eq_ignore_ascii_case(r)) {
        return format!("{stem}_");
    }
    stem.to_string()
}

/// The export folder, made if missing; refused when it is a link (Parley
/// writes only where it was told, never where a link points).
async fn export_folder(dir: &Path) -> Result<()> {
    // Without a trailing `/`, which would make the check follow the link.
    let dir: PathBuf = dir.components().collect();
    let dir = dir.as_path();
    tokio::fs::create_dir_all(dir).await.map_err(|e| {
        AppError::internal(format!(
            "the folder {} could not be made ({e})",
            dir.display()
        ))
        .worded(
            "folder_not_made",
            json!({ "path": dir.display().to_string(), "reason": e.to_string() }),
        )
    })?;
    let meta = tokio::fs::symlink_metadata(dir).await.map_err(|e| {
        AppError::internal(format!(
            "the folder {} could not be read ({e})",
            dir.display()
        ))
        .worded(
            "folder_unreadable",
            json!({ "path": dir.display().to_string(), "reason": e.to_string() }),
        )
    })?;
    if meta.file_type().is_symlink() {
        return Err(AppError::validation(
            "folder",
            format!(
                "the export folder {} is a link to another place; Parley does not write through links, choose the folder it points to",
                dir.display()
            ),
        )
        .worded("export_folder_link", json!({ "path": dir.display().to_string() })));
    }
    Ok(())
}

/// Writes `bytes` to a new file in `dir`, `stem.ext` or the first free
/// "stem (n).ext". The file is created with `create_new`, so an existing
/// file (or a link in its place) is never opened, let alone replaced.
pub(crate) async fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf> {
    export_folder(dir).await?;
    let stem = safe_file_stem(stem);
    let names = (1..100_000u32).map(|n| {
        if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem} ({n}).{ext}")
        }
    });
    write_first_free(dir, names.collect(), bytes)
        .await?
        .ok_or_else(|| {
            AppError::internal(format!(
                "{} holds too many files named {stem}; choose another folder",
                dir.display()
            ))
            .worded(
                "folder_full",
                json!({ "path": dir.display().to_string(), "stem": stem }),
            )
        })
}

/// Writes `bytes` under the first of `names` that is free in `dir` (the
/// folder already checked), created with `create_new`; `None` when every
/// name is taken.
async fn write_first_free(dir: &Path, names: Vec<String>, bytes: &[u8]) -> Result<Option<PathBuf>> {
    let dir = dir.to_path_buf();
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || {
        for name in names {
            let path = dir.join(name);
            let mut file = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(AppError::internal(format!(
                        "{} could not be written ({e})",
                        path.display()
                    ))
                    .worded(
                        "file_not_written",
                        json!({ "path": path.display().to_string(), "reason": e.to_string() }),
                    ))
                }
            };
            if let Err(e) = file.write_all(&bytes).and_then(|()| file.sync_all()) {
                drop(file);
                let _ = std::fs::remove_file(&path);
                return Err(AppError::internal(format!(
                    "{} could not be written ({e})",
                    path.display()
                ))
                .worded(
                    "file_not_written",
                    json!({ "path": path.display().to_string(), "reason": e.to_string() }),
                ));
            }
            return Ok(Some(path));
        }
        Ok(None)
    })
    .await
    .map_err(|e| {
        AppError::internal(format!("the export stopped unexpectedly ({e})"))
            .worded("export_stopped", json!({ "reason": e.to_string() }))
    })?
}

/// Writes the character as a card into `dir`; returns the file's path.
pub async fn export_character(
    pool: &SqlitePool,
    id: Id,
    format: CardFormat,
    dir: &Path,
) -> Result<PathBuf> {
    let c = character::get(pool, id).await?;
    let name = c.name.clone();
    let bytes = card_bytes_of(pool, c, format).await?;
    let path = write_new(dir, &name, format.extension(), &bytes).await?;
    tracing::info!(character_id = %id, "character exported");
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rstest::rstest;

    #[rstest]
    #[case::climbing("../../etc/x", "_.._etc_x")]
    #[case::hidden(".hidden", "hidden")]
    #[case::only_dots("..", "export")]
    #[case::windows_chars("Mira: the \"pilot\"?*<>|", "Mira_ the _pilot______")]
    #[case::backslash("a\\b", "a_b")]
    #[case::separators("///", "___")]
    #[case::empty("", "export")]
    #[case::cjk("月の少女", "月の少女")]
    #[case::emoji("Ada 👩\u{200D}💻🚀", "Ada 👩\u{200D}💻🚀")]
    #[case::rtl("مرحبا", "مرحبا")]
    #[case::bidi_trick("Mira\u{202E}gnp.exe", "Miragnp.exe")]
    #[case::device("CON", "CON_")]
    #[case::device_with_extension("lpt1.txt", "lpt1.txt_")]
    #[case::not_a_device("CONSOLE", "CONSOLE")]
    #[case::trailing_dots("Mira...", "Mira")]
    #[case::control("a\u{0}b\nc", "abc")]
    fn export_names_are_valid_file_names(#[case] name: &str, #[case] stem: &str) {
        assert_eq!(safe_file_stem(name), stem);
    }

    #[rstest]
    #[case::ascii(&"x".repeat(300))]
    #[case::cjk(&"月".repeat(300))]
    #[case::emoji(&"😀".repeat(300))]
    fn long_names_are_cut_at_a_character_boundary(#[case] name: &str) {
        let stem = safe_file_stem(name);
        assert!(stem.len() <= MAX_STEM_BYTES, "{}", stem.len());
        assert!(stem.len() + " (99999).jsonl".len() <= 255);
        assert!(name.starts_with(&stem) && stem.len() > MAX_STEM_BYTES - 4);
    }
}
