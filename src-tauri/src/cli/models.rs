//! `parley models add PATH` adds a GGUF file as a model on "This computer"
//! (checked first, refused in words), and `parley models list` prints the
//! GGUF files found in the usual places (`*` marks the ones added). Both
//! hold the database like every writing command.

use std::path::PathBuf;

use super::{default_db_path, hold_for_writing};
use crate::db;
use crate::error::Result;
use crate::secrets::MemorySecretStore;
use crate::services::local_model;

pub(super) async fn add(path: &std::path::Path, db: Option<PathBuf>) -> Result<()> {
    let db_path = default_db_path(db)?;
    let _held = hold_for_writing(&db_path)?;
    let (pool, _) = db::open(&db_path).await?;
    local_model::apply_settings(&pool).await?;
    // "This computer" has no key: nothing reaches the keychain.
    let secrets = MemorySecretStore::default();
    let added = local_model::add(&pool, &secrets, &db_path, &path.display().to_string()).await;
    pool.close().await;
    let model = added?;
    println!(
        "added {:?} ({}), id {}",
        model.display_name, model.model_id, model.id
    );
    Ok(())
}

pub(super) async fn list(db: Option<PathBuf>) -> Result<()> {
    let db_path = default_db_path(db)?;
    // Opening may apply a migration: held like a write.
    let _held = hold_for_writing(&db_path)?;
    let (pool, _) = db::open(&db_path).await?;
    let found = local_model::found(&pool, &db_path).await;
    pool.close().await;
    for m in found? {
        let f = &m.facts;
        println!(
            "{}{}\t{}\t{}\t{:.1} GB\t{}\t{}",
            if m.added { "* " } else { "  " },
            f.name,
            f.source,
            f.quantization.as_deref().unwrap_or("?"),
            f.size_bytes as f64 / 1e9,
            f.context_length
                .map_or_else(|| "?".into(), |c| c.to_string()),
            f.path.display()
        );
    }
    Ok(())
}
