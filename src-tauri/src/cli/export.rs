//! `parley export character <id or name> [--format png|json-v2|json-v3]`
//! and `parley export chat <id>` (a group chat writes its group file beside
//! it), into `--out`, `$PARLEY_EXPORT_DIR` or Downloads; prints each file.

use std::path::PathBuf;

use super::{default_db_path, ExportFormat, ExportWhat};
use crate::db;
use crate::error::Result;

pub(super) async fn run(what: ExportWhat, db: Option<PathBuf>, out: Option<PathBuf>) -> Result<()> {
    use crate::services::export::{self, CardFormat};
    let (pool, _) = db::open(&default_db_path(db)?).await?;
    let dir = out.unwrap_or_else(export::exports_dir);
    let written = match what {
        ExportWhat::Character { character, format } => {
            let id = match character.parse() {
                Ok(id) => id,
                Err(_) => {
                    crate::services::character::find_by_name(&pool, &character)
                        .await?
                        .id
                }
            };
            let format = match format {
                ExportFormat::Png => CardFormat::Png,
                ExportFormat::JsonV2 => CardFormat::JsonV2,
                ExportFormat::JsonV3 => CardFormat::JsonV3,
            };
            export::export_character(&pool, id, format, &dir)
                .await
                .map(|p| vec![p])
        }
        ExportWhat::Chat { id } => {
            let id = id
                .parse()
                .map_err(|_| crate::error::AppError::validation("id", "that is not a chat id"))?;
            // A group chat writes its group file beside it.
            export::export_chat_files(&pool, id, &dir)
                .await
                .map(|f| std::iter::once(f.chat).chain(f.group).collect())
        }
    };
    pool.close().await;
    for path in written? {
        println!("{}", path.display());
    }
    Ok(())
}
