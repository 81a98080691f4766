//! Models on this computer: the GGUF files found in the usual places, and
//! adding one as a model to chat with. Adding makes the one "This computer"
//! provider when it is missing (its folder is `models` in the data folder),
//! then a model whose id is the file's path, named and sized from the
//! file's own metadata. Adding the same file twice gives the same model.

use serde_json::json;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::SqlitePool;

use crate::ai::llama::{engine, ENGINE_NAME};
use crate::error::{AppError, Result};
use crate::local_models::{inspect, scan, ModelFacts};
use crate::models::{AiModel, AiModelInput, Provider, ProviderInput, ProviderKind};
use crate::repos::{ai_model as model_repo, provider as provider_repo};
use crate::secrets::SecretStore;

/// Gives the engine the person's settings (idle time, context cap,
/// threads), each kept to a range that works.
pub async fn apply_settings(pool: &SqlitePool) -> Result<()> {
    use super::app_config::{read, LOCAL_CONTEXT_CAP, LOCAL_IDLE_MINUTES, LOCAL_THREADS};
    let mut settings = engine().settings();
    let defaults = crate::ai::llama::EngineSettings::default();
    settings.idle = std::time::Duration::from_secs(
        u64::from(read(pool, &LOCAL_IDLE_MINUTES).await?.max(1)) * 60,
    );
    settings.context_cap = read(pool, &LOCAL_CONTEXT_CAP).await?.clamp(512, 131_072);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    settings.threads = match read(pool, &LOCAL_THREADS).await? {
        0 => defaults.threads,
        n => i32::try_from((n as usize).min(cores)).unwrap_or(defaults.threads),
    };
    engine().set_settings(settings);
    Ok(())
}

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

/// The folders the person named for model files.
pub async fn folders(pool: &SqlitePool) -> Result<Vec<String>> {
    super::app_config::read(pool, &super::app_config::LOCAL_FOLDERS).await
}

/// Most folders a person may name.
const MAX_FOLDERS: usize = 50;

/// Names a folder to look for model files in; it must exist. Naming one
/// twice keeps one. Gives the folders now named.
pub async fn add_folder(pool: &SqlitePool, path: &str) -> Result<Vec<String>> {
    let dir = PathBuf::from(path.trim());
    if !dir.is_absolute() {
        return Err(AppError::validation(
            "folder",
            "give the folder's whole path, from / (or a drive letter)",
        )
        .worded("folder_whole_path", json!({})));
    }
    if !dir.is_dir() {
        return Err(AppError::validation(
            "folder",
            format!("there is no folder at {}", dir.display()),
        )
        .worded(
            "no_such_folder",
            json!({ "path": dir.display().to_string() }),
        ));
    }
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let mut list = folders(pool).await?;
    let name = dir.display().to_string();
    if !list.contains(&name) {
        if list.len() >= MAX_FOLDERS {
            return Err(AppError::validation(
                "folder",
                format!("at most {MAX_FOLDERS} folders; remove one first"),
            )
            .worded("too_many_folders", json!({ "limit": MAX_FOLDERS })));
        }
        list.push(name);
        super::app_config::write(pool, &super::app_config::LOCAL_FOLDERS, &list).await?;
    }
    Ok(list)
}

/// Stops looking in a named folder (its files stay where they are, and
/// models added from it stay added). Gives the folders now named.
pub async fn remove_folder(pool: &SqlitePool, path: &str) -> Result<Vec<String>> {
    let mut list = folders(pool).await?;
    list.retain(|f| f != path);
    super::app_config::write(pool, &super::app_config::LOCAL_FOLDERS, &list).await?;
    Ok(list)
}

/// The GGUF files in the usual places, Parley's models folder and the
/// folders the person named.
pub async fn found(pool: &SqlitePool, db_path: &Path) -> Result<Vec<FoundModel>> {
    let mut look_in = vec![models_folder(db_path)];
    look_in.extend(folders(pool).await?.into_iter().map(PathBuf::from));
    let facts = tokio::task::spawn_blocking(move || scan::found_on_this_computer(&look_in))
        .await
        .map_err(|e| {
            AppError::internal(format!("look for models: {e}"))
                .worded("models_search_failed", json!({ "reason": e.to_string() }))
        })?;
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
        return Err(
            AppError::validation("path", "give the model file's whole path")
                .worded("model_whole_path", json!({})),
        );
    }
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let checked = path.clone();
    let facts = tokio::task::spawn_blocking(move || inspect(&checked, "Added by you"))
        .await
        .map_err(|e| {
            AppError::internal(format!("read the model file: {e}"))
                .worded("model_file_read_failed", json!({ "reason": e.to_string() }))
        })??;
    let provider = provider(pool, secrets, db_path).await?;
    let model_id = path.display().to_string();
    if let Some(id) = model_repo::find_on_provider(pool, provider.id, &model_id, None).await? {
        return super::ai_model::get(pool, id).await;
    }
    let cap = i64::from(engine().settings().context_cap);
    let settings = crate::repos::settings::get(pool).await?;
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
            // A small context still leaves room for the prompt.
            max_output_tokens: (settings.max_output_tokens >= context).then_some(context / 4),
            ..Default::default()
        },
    )
    .await?;
    super::settings::default_model(pool).await?;
    tracing::info!(ai_model_id = %model.id, size = facts.size_bytes, "local model added");
    Ok(model)
}
