//! Providers: unique names, URLs that parse, and API keys kept in the
//! secret store, never in SQLite, logs or replies. A key belongs to the
//! server it was given for: moving a provider to another scheme, host or
//! port forgets its key unless a new one comes with the move.
//!
//! "Connect" asks a server that is not saved yet for its models (`probe`),
//! then saves the provider and the models picked together (`connect`), so
//! a provider that cannot answer is never saved by it.

use serde_json::json;
use sqlx::SqlitePool;

use super::validate;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    new_id, AiModelInput, ChosenModel, Id, ListQuery, Page, Provider, ProviderInput, ProviderKind,
    Timestamp,
};
use crate::repos::{self, provider as repo, Table};
use crate::secrets::{provider_key, SecretStore};

async fn validated(
    pool: &SqlitePool,
    mut input: ProviderInput,
    except: Option<Id>,
) -> Result<ProviderInput> {
    input.name = validate::name("name", &input.name)?;
    input.base_url = if input.kind == ProviderKind::Local {
        local_folder(&input.base_url)?
    } else if input.base_url.trim().is_empty() {
        input.kind.default_base_url().to_string()
    } else {
        validate::http_url("base_url", &input.base_url)?
    };
    if repos::find_by_name(pool, Table::Providers, &input.name, except)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "name",
            format!(
                "a provider named \"{}\" already exists; choose another name",
                input.name
            ),
        )
        .worded(
            "name_taken",
            json!({ "entity": "provider", "name": input.name }),
        ));
    }
    Ok(input)
}

/// A "This computer" provider's folder: a whole path, not a URL.
fn local_folder(folder: &str) -> Result<String> {
    let folder = folder.trim();
    if folder.is_empty() || !std::path::Path::new(folder).is_absolute() {
        return Err(AppError::validation(
            "base_url",
            "the models folder must be a whole path, such as /home/you/models",
        )
        .worded("folder_not_absolute", json!({})));
    }
    Ok(folder.to_string())
}

/// Stores, keeps or removes the key as the input says.
fn apply_key(secrets: &dyn SecretStore, id: Id, input: &ProviderInput) -> Result<()> {
    match &input.api_key {
        None => Ok(()),
        Some(key) if key.is_empty() => secrets.delete(&provider_key(id)),
        Some(key) => {
            crate::redact::remember(key);
            secrets.set(&provider_key(id), key)
        }
    }
    .context("store the API key")
}

fn with_key_flag(secrets: &dyn SecretStore, mut p: Provider) -> Result<Provider> {
    p.has_api_key = secrets.get(&provider_key(p.id))?.is_some();
    Ok(p)
}

pub async fn create(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    input: ProviderInput,
) -> Result<Provider> {
    let input = validated(pool, input, None).await?;
    let id = new_id();
    let provider = repo::insert(pool, id, &input, Timestamp::now())
        .await
        .context("save the provider")?;
    apply_key(secrets, id, &input)?;
    tracing::info!(provider_id = %id, kind = ?input.kind, key_given = input.api_key.is_some(), "provider created");
    with_key_flag(secrets, provider)
}

pub async fn get(pool: &SqlitePool, secrets: &dyn SecretStore, id: Id) -> Result<Provider> {
    let p = repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("provider", id))?;
    with_key_flag(secrets, p)
}

pub async fn list(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    query: &ListQuery,
) -> Result<Page<Provider>> {
    let page = repo::list(pool, query)
        .await
        .context("list the providers")?;
    let items = page
        .items
        .into_iter()
        .map(|p| with_key_flag(secrets, p))
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

pub async fn update(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    id: Id,
    input: ProviderInput,
) -> Result<Provider> {
    let before = get(pool, secrets, id).await?;
    let input = validated(pool, input, Some(id)).await?;
    let new_key = input.api_key.as_ref().is_some_and(|k| !k.is_empty());
    // The key goes before the address changes: it is never sent elsewhere.
    let key_cleared =
        before.has_api_key && !new_key && !same_server(&before.base_url, &input.base_url);
    if key_cleared {
        secrets
            .delete(&provider_key(id))
            .context("forget the API key")?;
        tracing::info!(provider_id = %id, "provider moved to another server; its key was forgotten");
    }
    let provider = repo::update(pool, id, &input, Timestamp::now())
        .await
        .context("save the provider")?
        .ok_or_else(|| AppError::not_found("provider", id))?;
    apply_key(secrets, id, &input)?;
    let mut provider = with_key_flag(secrets, provider)?;
    provider.key_cleared = key_cleared;
    Ok(provider)
}

/// Whether two base URLs name the same server (scheme, host and port).
fn same_server(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => crate::ai::same_origin(&a, &b),
        _ => a == b,
    }
}

/// Deletes a provider, its models and its key. Chats that used one of its
/// models keep their messages and go on with the default model, which
/// another provider's model becomes if it was one of these.
pub async fn delete(pool: &SqlitePool, secrets: &dyn SecretStore, id: Id) -> Result<()> {
    if !repos::purge(pool, Table::Providers, id)
        .await
        .context("delete the provider")?
    {
        return Err(AppError::not_found("provider", id));
    }
    secrets.delete(&provider_key(id))?;
    super::settings::default_model(pool).await?;
    Ok(())
}

/// Asks the provider which models it offers, with the stored key. Serves
/// both "test connection" and "fetch models".
pub async fn remote_models(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    http: &reqwest::Client,
    id: Id,
) -> Result<Vec<crate::ai::RemoteModel>> {
    crate::ai::provider_for(endpoint(pool, secrets, id).await?)
        .list_models(http)
        .await
}

/// Where and how to reach a provider: its stored row and its key.
pub async fn endpoint(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    id: Id,
) -> Result<crate::ai::Endpoint> {
    let p = repo::get(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("provider", id))?;
    let api_key = secrets.get(&provider_key(id))?;
    if let Some(key) = &api_key {
        crate::redact::remember(key);
    }
    let instruct = match p.kind {
        // "This computer" uses it for a model file without a chat template.
        ProviderKind::Koboldcpp
        | ProviderKind::Llamacpp
        | ProviderKind::TextCompletion
        | ProviderKind::Local => instruct_template(pool).await?,
        _ => None,
    };
    Ok(crate::ai::Endpoint {
        kind: p.kind,
        name: p.name,
        base_url: p.base_url,
        api_key,
        instruct,
    })
}

/// The person's instruct template for text-completion servers: the
/// library's default of type "instruct", when there is one that reads.
async fn instruct_template(pool: &SqlitePool) -> Result<Option<crate::ai::instruct::Instruct>> {
    let Some(t) =
        crate::repos::template::default_of(pool, crate::models::TemplateType::Instruct).await?
    else {
        return Ok(None);
    };
    match serde_json::from_str::<crate::ai::instruct::Instruct>(&t.content) {
        Ok(mut instruct) => {
            if instruct.name.is_empty() {
                instruct.name = t.name;
            }
            Ok(Some(instruct))
        }
        Err(e) => {
            tracing::warn!(error = %e, "the default instruct template does not read; one is chosen by the model's name");
            Ok(None)
        }
    }
}

/// Asks a provider that is not saved yet which models it offers, with the
/// URL and key as typed: "Connect" tests before it saves.
pub async fn probe(
    pool: &SqlitePool,
    http: &reqwest::Client,
    input: ProviderInput,
) -> Result<Vec<crate::ai::RemoteModel>> {
    let input = validated(pool, input, None).await?;
    let api_key = input.api_key.filter(|k| !k.is_empty());
    if let Some(key) = &api_key {
        crate::redact::remember(key);
    }
    crate::ai::provider_for(crate::ai::Endpoint {
        kind: input.kind,
        name: input.name,
        base_url: input.base_url,
        api_key,
        instruct: None,
    })
    .list_models(http)
    .await
}

/// Saves a provider and the models picked from its list together. A model
/// that cannot be saved takes the provider back out: nothing half-saved.
pub async fn connect(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    input: ProviderInput,
    models: Vec<ChosenModel>,
) -> Result<Provider> {
    if models.is_empty() {
        return Err(
            AppError::validation("models", "pick at least one model to chat with")
                .worded("pick_a_model", json!({})),
        );
    }
    let provider = create(pool, secrets, input).await?;
    for m in models {
        let added = super::ai_model::create(
            pool,
            AiModelInput {
                provider_id: Some(provider.id),
                display_name: m.name.unwrap_or_default(),
                model_id: m.id,
                context_length: m.context_length,
                ..Default::default()
            },
        )
        .await;
        if let Err(e) = added {
            delete(pool, secrets, provider.id).await?;
            return Err(e);
        }
    }
    Ok(provider)
}
