//! SQL for `ai_models`.

use sqlx::AssertSqlSafe;
use sqlx::{Executor, Sqlite};

use super::{keyed, list_page, ListSpec};
use crate::error::Result;
use crate::models::{AiModel, AiModelInput, Id, ListQuery, Page, Timestamp};

keyed!(AiModel, display_name);

/// What `get` and the list read, and what a write returns (`returning`).
/// Unqualified, so `returning` can use them; the list has no join.
const COLUMNS: &str = r"id, provider_id, model_id, display_name, context_length,
    max_output_tokens, temperature, top_p, top_k, min_p, frequency_penalty,
    presence_penalty, repetition_penalty, seed, created_at, updated_at";

const SPEC: ListSpec<'static> = ListSpec {
    columns: COLUMNS,
    from: "ai_models m",
    alias: "m.",
    name_column: "display_name",
    soft_delete: false,
};

/// A fully validated model row to write. `None` limits are stored as NULL:
/// inherited from Settings.
#[derive(Debug, Clone)]
pub struct AiModelRow<'a> {
    pub provider_id: Id,
    pub input: &'a AiModelInput,
    pub context_length: Option<i64>,
    pub max_output_tokens: Option<i64>,
}

/// Inserts a model and returns it as stored.
pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    row: &AiModelRow<'_>,
    now: Timestamp,
) -> Result<AiModel> {
    let p = &row.input.params;
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"insert into ai_models (id, provider_id, model_id, display_name, context_length,
            max_output_tokens, temperature, top_p, top_k, min_p, frequency_penalty,
            presence_penalty, repetition_penalty, seed, created_at, updated_at)
          values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?15, ?14, ?14)
          returning {COLUMNS}"
    )))
    .bind(id)
    .bind(row.provider_id)
    .bind(&row.input.model_id)
    .bind(&row.input.display_name)
    .bind(row.context_length)
    .bind(row.max_output_tokens)
    .bind(p.temperature)
    .bind(p.top_p)
    .bind(p.top_k)
    .bind(p.min_p)
    .bind(p.frequency_penalty)
    .bind(p.presence_penalty)
    .bind(p.repetition_penalty)
    .bind(now)
    .bind(p.seed)
    .fetch_one(exec)
    .await?)
}

/// Returns the row as stored, `None` when there is none.
pub async fn update<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
    row: &AiModelRow<'_>,
    now: Timestamp,
) -> Result<Option<AiModel>> {
    let p = &row.input.params;
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        r"update ai_models
             set provider_id = ?2, model_id = ?3, display_name = ?4, context_length = ?5,
                 max_output_tokens = ?6, temperature = ?7, top_p = ?8, top_k = ?9, min_p = ?10,
                 frequency_penalty = ?11, presence_penalty = ?12, repetition_penalty = ?13,
                 seed = ?15, updated_at = ?14
           where id = ?1
           returning {COLUMNS}"
    )))
    .bind(id)
    .bind(row.provider_id)
    .bind(&row.input.model_id)
    .bind(&row.input.display_name)
    .bind(row.context_length)
    .bind(row.max_output_tokens)
    .bind(p.temperature)
    .bind(p.top_p)
    .bind(p.top_k)
    .bind(p.min_p)
    .bind(p.frequency_penalty)
    .bind(p.presence_penalty)
    .bind(p.repetition_penalty)
    .bind(now)
    .bind(p.seed)
    .fetch_optional(exec)
    .await?)
}

pub async fn get<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    id: Id,
) -> Result<Option<AiModel>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from ai_models where id = ?1"
    )))
    .bind(id)
    .fetch_optional(exec)
    .await?)
}

/// The model with this model id on a provider, other than `except`.
pub async fn find_on_provider<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    provider_id: Id,
    model_id: &str,
    except: Option<Id>,
) -> Result<Option<Id>> {
    Ok(sqlx::query_scalar(
        r"select id from ai_models
           where provider_id = ?1 and model_id = ?2 and (?3 is null or id <> ?3)",
    )
    .bind(provider_id)
    .bind(model_id)
    .bind(except)
    .fetch_optional(exec)
    .await?)
}

pub async fn list<'e>(
    exec: impl Executor<'e, Database = Sqlite>,
    q: &ListQuery,
) -> Result<Page<AiModel>> {
    let provider = q.provider_id;
    list_page(exec, &SPEC, q, |qb| {
        if let Some(p) = provider {
            qb.push(" and m.provider_id = ").push_bind(p);
        }
    })
    .await
}

/// The most recently added model, if any: the one that becomes the
/// default when the default is gone.
pub async fn newest<'e>(exec: impl Executor<'e, Database = Sqlite>) -> Result<Option<AiModel>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {COLUMNS} from ai_models order by created_at desc, id desc limit 1"
    )))
    .fetch_optional(exec)
    .await?)
}
