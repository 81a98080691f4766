//! The migrations themselves: they apply, revert and apply again, and
//! opening a file sets it up the way the design says.

use parley::db::{self, MIGRATOR};
use sqlx::Row;

async fn table_names(pool: &sqlx::SqlitePool) -> Vec<String> {
    sqlx::query(
        "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' \
         and name <> '_sqlx_migrations' order by name",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect()
}

#[tokio::test]
async fn migrations_apply_revert_and_apply_again() {
    let pool = db::open_in_memory().await.unwrap();
    let tables = table_names(&pool).await;
    for t in [
        "characters",
        "user_profiles",
        "providers",
        "ai_models",
        "system_prompts",
        "chat_sessions",
        "messages",
        "message_swipes",
        "application_settings",
        "app_config",
        "documents",
        "document_chunks",
        "document_chunks_fts",
        "chat_documents_off",
        "chat_memories",
        "embeddings",
    ] {
        assert!(
            tables.contains(&t.to_string()),
            "missing table {t}: {tables:?}"
        );
    }
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
    assert_eq!(db::schema_version(&pool).await.unwrap(), latest);

    MIGRATOR.undo(&pool, 0).await.unwrap();
    assert_eq!(
        table_names(&pool).await,
        Vec::<String>::new(),
        "revert left tables behind"
    );
    assert_eq!(db::schema_version(&pool).await.unwrap(), 0);

    MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(table_names(&pool).await, tables);
    // The seeded rows come back too: the settings singleton and built-in prompts.
    let settings: i64 = sqlx::query_scalar("select count(*) from application_settings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(settings, 1);
}

#[tokio::test]
async fn a_new_file_is_private_wal_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("parley.db");
    let (pool, report) = db::open(&path).await.unwrap();
    assert!(report.created);
    assert!(report.backup.is_none(), "a new database needs no backup");

    let mode: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("pragma foreign_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query_scalar("pragma busy_timeout")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(busy >= 1000, "busy timeout {busy} ms");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perm = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(perm, 0o600, "database file mode {perm:o}");
    }
    pool.close().await;

    // Opening again applies nothing and backs nothing up.
    let (pool, report) = db::open(&path).await.unwrap();
    assert!(!report.created);
    assert!(report.applied_migrations.is_empty());
    assert!(report.backup.is_none());
    pool.close().await;
}

#[tokio::test]
async fn an_existing_database_is_backed_up_before_migrating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parley.db");
    {
        // A database with data but none of our migrations yet.
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query("create table notes (body text)")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("insert into notes values ('do not lose me')")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let (pool, report) = db::open(&path).await.unwrap();
    pool.close().await;
    let backup = report.backup.expect("a backup before the migration");
    assert!(backup.exists());

    let url = format!("sqlite://{}?mode=ro", backup.display());
    let copy = sqlx::SqlitePool::connect(&url).await.unwrap();
    let body: String = sqlx::query_scalar("select body from notes")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(body, "do not lose me");
    let migrated: i64 =
        sqlx::query_scalar("select count(*) from sqlite_schema where name = 'characters'")
            .fetch_one(&copy)
            .await
            .unwrap();
    assert_eq!(migrated, 0, "the backup is the database as it was before");
}

/// The last migration before 20261201000002_generation_precedence: undoing
/// down to it reverts that one (and anything newer) only.
const BEFORE_GENERATION_PRECEDENCE: i64 = 20261201000001;

/// `ai_models` as SQLite keeps it: its definition from the first `(` on
/// (the rebuild renames the table, so the head differs), and its indexes.
async fn ai_models_shape(pool: &sqlx::SqlitePool) -> (String, Vec<String>) {
    let sql: String = sqlx::query_scalar(
        "select sql from sqlite_schema where type = 'table' and name = 'ai_models'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let indexes: Vec<String> = sqlx::query_scalar(
        "select sql from sqlite_schema where type = 'index' and tbl_name = 'ai_models' \
         and sql is not null order by name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (sql[sql.find('(').unwrap()..].to_string(), indexes)
}

async fn scalar_i64(pool: &sqlx::SqlitePool, sql: &'static str) -> Option<i64> {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// A model's context length, max output tokens and temperature.
async fn model_values(
    pool: &sqlx::SqlitePool,
    hex_id: &str,
) -> (Option<i64>, Option<i64>, Option<f64>) {
    sqlx::query_as(
        "select context_length, max_output_tokens, temperature from ai_models
          where lower(hex(id)) = ?1",
    )
    .bind(hex_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn no_foreign_key_violations(pool: &sqlx::SqlitePool) {
    let rows = sqlx::query("pragma foreign_key_check")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(rows.is_empty(), "{} foreign key violations", rows.len());
}

#[tokio::test]
async fn generation_precedence_keeps_models_and_the_links_to_them_both_ways() {
    let pool = db::open_in_memory().await.unwrap();
    MIGRATOR
        .undo(&pool, BEFORE_GENERATION_PRECEDENCE)
        .await
        .unwrap();
    let old_shape = ai_models_shape(&pool).await;

    // Data in the old shape: a model with the old column defaults, one with
    // values typed in, a chat on the second, Settings' default on the first.
    sqlx::query(
        "insert into providers (id, name, kind, base_url, created_at, updated_at)
         values (x'00000000000070008000000000000001', 'Local', 'ollama', 'http://localhost', 1, 1);
         insert into ai_models (id, provider_id, model_id, display_name, created_at, updated_at)
         values (x'00000000000070008000000000000002', x'00000000000070008000000000000001',
                 'plain', 'Plain', 1, 1);
         insert into ai_models (id, provider_id, model_id, display_name, context_length,
                 max_output_tokens, temperature, created_at, updated_at)
         values (x'00000000000070008000000000000003', x'00000000000070008000000000000001',
                 'tuned', 'Tuned', 32768, 2048, 0.5, 1, 1);
         insert into chat_sessions (id, title, ai_model_id, created_at, updated_at)
         values (x'00000000000070008000000000000004', 'Chat',
                 x'00000000000070008000000000000003', 1, 1);
         update application_settings set default_ai_model_id = x'00000000000070008000000000000002';",
    )
    .execute(&pool)
    .await
    .unwrap();

    MIGRATOR.run(&pool).await.unwrap();
    const PLAIN: &str = "00000000000070008000000000000002";
    const TUNED: &str = "00000000000070008000000000000003";
    assert_eq!(
        model_values(&pool, PLAIN).await,
        (Some(8192), Some(1024), None),
        "stored values are kept, even the old defaults"
    );
    assert_eq!(
        model_values(&pool, TUNED).await,
        (Some(32_768), Some(2048), Some(0.5))
    );
    let links = "select (select lower(hex(ai_model_id)) from chat_sessions) || ' ' || \
                 (select lower(hex(default_ai_model_id)) from application_settings)";
    let linked: String = sqlx::query_scalar(links).fetch_one(&pool).await.unwrap();
    assert_eq!(
        linked,
        format!("{TUNED} {PLAIN}"),
        "rebuilding ai_models must not clear the chat's model or the default model"
    );
    let generation: String = sqlx::query_scalar("select generation from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(generation, "{}");
    let unique = sqlx::query(
        "insert into ai_models (id, provider_id, model_id, display_name, created_at, updated_at)
         values (x'00000000000070008000000000000009', x'00000000000070008000000000000001',
                 'plain', 'Again', 1, 1)",
    )
    .execute(&pool)
    .await;
    assert!(unique.is_err(), "one row per model id on a provider, still");
    no_foreign_key_violations(&pool).await;

    // Inherit now; revert: the model takes what Settings gave it.
    sqlx::query(
        "update ai_models set context_length = null, max_output_tokens = null
          where lower(hex(id)) = ?1",
    )
    .bind(PLAIN)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "update application_settings set context_length = 4096, max_output_tokens = 512;
         update chat_sessions set generation = '{\"temperature\":1.2}';",
    )
    .execute(&pool)
    .await
    .unwrap();
    MIGRATOR
        .undo(&pool, BEFORE_GENERATION_PRECEDENCE)
        .await
        .unwrap();
    assert_eq!(
        ai_models_shape(&pool).await,
        old_shape,
        "the old shape, exactly"
    );
    assert_eq!(
        model_values(&pool, PLAIN).await,
        (Some(4096), Some(512), None)
    );
    assert_eq!(
        model_values(&pool, TUNED).await,
        (Some(32_768), Some(2048), Some(0.5))
    );
    let linked: String = sqlx::query_scalar(links).fetch_one(&pool).await.unwrap();
    assert_eq!(linked, format!("{TUNED} {PLAIN}"));
    assert_eq!(
        scalar_i64(
            &pool,
            "select count(*) from pragma_table_info('chat_sessions') where name = 'generation'"
        )
        .await,
        Some(0)
    );
    no_foreign_key_violations(&pool).await;

    // And up again; the cascade from providers still reaches models and chats.
    MIGRATOR.run(&pool).await.unwrap();
    sqlx::query("delete from providers")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        scalar_i64(&pool, "select count(*) from ai_models").await,
        Some(0)
    );
    assert_eq!(
        scalar_i64(
            &pool,
            "select count(*) from chat_sessions where ai_model_id is null"
        )
        .await,
        Some(1)
    );
}

/// The last migration before 20261204000001_local_provider.
const BEFORE_LOCAL_PROVIDER: i64 = 20261203000040;

#[tokio::test]
async fn new_provider_kinds_keep_every_model_and_chat_link_both_ways() {
    let pool = db::open_in_memory().await.unwrap();
    MIGRATOR.undo(&pool, BEFORE_LOCAL_PROVIDER).await.unwrap();
    sqlx::query(
        "insert into providers (id, name, kind, base_url, created_at, updated_at)
         values (x'00000000000070008000000000000011', 'Ollama', 'ollama', 'http://localhost', 1, 1);
         insert into ai_models (id, provider_id, model_id, display_name, created_at, updated_at)
         values (x'00000000000070008000000000000012', x'00000000000070008000000000000011',
                 'llama3', 'Llama 3', 1, 1);
         insert into chat_sessions (id, title, ai_model_id, created_at, updated_at)
         values (x'00000000000070008000000000000013', 'Chat',
                 x'00000000000070008000000000000012', 1, 1);",
    )
    .execute(&pool)
    .await
    .unwrap();

    MIGRATOR.run(&pool).await.unwrap();
    let chat_model = "select lower(hex(ai_model_id)) from chat_sessions";
    let linked: Option<String> = sqlx::query_scalar(chat_model)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        linked.as_deref(),
        Some("00000000000070008000000000000012"),
        "the rebuild kept the model and the chat's link"
    );
    for kind in ["local", "koboldcpp", "llamacpp", "text_completion"] {
        sqlx::query(
            "insert into providers (id, name, kind, base_url, created_at, updated_at)
             values (randomblob(16), ?1, ?1, '/models', 1, 1)",
        )
        .bind(kind)
        .execute(&pool)
        .await
        .unwrap();
    }
    let bad = sqlx::query(
        "insert into providers (id, name, kind, base_url, created_at, updated_at)
         values (randomblob(16), 'x', 'nonsense', 'http://x', 1, 1)",
    )
    .execute(&pool)
    .await;
    assert!(bad.is_err(), "the kind is still checked");
    let on: i64 = sqlx::query_scalar("pragma foreign_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(on, 1, "foreign keys are back on after the rebuild");
    no_foreign_key_violations(&pool).await;

    MIGRATOR.undo(&pool, BEFORE_LOCAL_PROVIDER).await.unwrap();
    assert_eq!(
        scalar_i64(&pool, "select count(*) from providers").await,
        Some(1),
        "the new kinds went"
    );
    assert_eq!(
        scalar_i64(&pool, "select count(*) from ai_models").await,
        Some(1)
    );
    let linked: Option<String> = sqlx::query_scalar(chat_model)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(linked.is_some());
    no_foreign_key_violations(&pool).await;
}
