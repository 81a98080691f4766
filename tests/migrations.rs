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
