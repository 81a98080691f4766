//! Models on this computer: the GGUF files found in the usual places, and
//! adding one as a model to chat with. Adding makes the one "This computer"
//! provider when it is missing (its folder is `models` in the data folder),
//! then a model whose id is the file's path, named and sized from the
//! file's own metadata. Adding the same file twice gives the same model.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::SqlitePool;

use crate::ai::llama::{engine, ENGINE_NAME};
use crate::error::{AppError, Result};
use crate::local_models::{inspect, scan, ModelFacts};
use crate::models::{AiModel, AiModelInput, Provider, ProviderInput, ProviderKind};
use crate::repos::{ai_model as model_repo, provider as provider_repo};
use crate::secrets::SecretStore;

/// Parley's own models folder, beside the database.
pub fn models_folder(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .map_or_else(|| PathBuf::from("models"), |d| d.join("models"))
}

/// A model file found on this computer, and whether it is added already.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundModel {
    #[serde(flatten)]
    pub facts: ModelFacts,
    pub added: bool,
}

/// The GGUF files in the usual places and Parley's models folder.
pub async fn found(pool: &SqlitePool, db_path: &Path) -> Result<Vec<FoundModel>> {
    let folder = models_folder(db_path);
    let facts = tokio::task::spawn_blocking(move || scan::found_on_this_computer(&[folder]))
        .await
        .map_err(|e| AppError::internal(format!("look for models: {e}")))?;
    let provider = provider_repo::first_of_kind(pool, ProviderKind::Local).await?;
    let mut out = Vec::with_capacity(facts.len());
    for f in facts {
        let added = match &provider {
            Some(p) => {
                model_repo::find_on_provider(pool, p.id, &f.path.display().to_string(), None)
                    .await?
                    .is_some()
            }
            None => false,
        };
        out.push(FoundModel { facts: f, added });
    }
    Ok(out)
}

/// The "This computer" provider, made when missing.
pub async fn provider(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    db_path: &Path,
) -> Result<Provider> {
    if let Some(p) = provider_repo::first_of_kind(pool, ProviderKind::Local).await? {
        return Ok(p);
    }
    super::provider::create(
        pool,
        secrets,
        ProviderInput {
            name: ENGINE_NAME.into(),
            kind: ProviderKind::Local,
            base_url: models_folder(db_path).display().to_string(),
            api_key: None,
        },
    )
    .await
}

/// Adds a GGUF file as a model to chat with; the file is checked first and
/// refused in words (missing, not a GGUF, cut off).
pub async fn add(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    db_path: &Path,
    path: &str,
) -> Result<AiModel> {
    let path = PathBuf::from(path.trim());
    if !path.is_absolute() {
        return Err(AppError::validation(
            "path",
            "give the model file's whole path",
        ));
    }
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let checked = path.clone();
    let facts = tokio::task::spawn_blocking(move || inspect(&checked, "Added by you"))
        .await
        .map_err(|e| AppError::internal(format!("read the model file: {e}")))??;
    let provider = provider(pool, secrets, db_path).await?;
    let model_id = path.display().to_string();
    if let Some(id) = model_repo::find_on_provider(pool, provider.id, &model_id, None).await? {
        return super::ai_model::get(pool, id).await;
    }
    let cap = i64::from(engine().settings().context_cap);
    let context = facts
        .context_length
        .filter(|c| *c >= 256)
        .map_or(cap, |c| c.min(cap));
    let model = super::ai_model::create(
        pool,
        AiModelInput {
            provider_id: Some(provider.id),
            model_id,
            display_name: facts.name.chars().take(200).collect(),
            context_length: Some(context),
            ..Default::default()
        },
    )
    .await?;
    super::settings::default_model(pool).await?;
    tracing::info!(ai_model_id = %model.id, size = facts.size_bytes, "local model added");
    Ok(model)
}
