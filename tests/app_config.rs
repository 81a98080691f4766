//! Preferences (`app_config`): typed keys read their default until set,
//! keep what was set, and refuse what does not fit; the table refuses
//! anything that is not JSON.

mod common;

use parley::services::app_config::{self, ENTER_SENDS};
use serde_json::json;

#[tokio::test]
async fn a_key_reads_its_default_until_it_is_set() {
    let pool = common::pool().await;
    assert!(app_config::read(&pool, &ENTER_SENDS).await.unwrap());
    app_config::write(&pool, &ENTER_SENDS, &false)
        .await
        .unwrap();
    assert!(!app_config::read(&pool, &ENTER_SENDS).await.unwrap());

    // The row explains itself in a SQLite shell.
    let (value, description): (String, String) =
        sqlx::query_as("select value, description from app_config where key = 'chat.enter_sends'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(value, "false");
    assert_eq!(description, ENTER_SENDS.description);
}

#[tokio::test]
async fn any_key_works_with_a_default_and_a_type() {
    let pool = common::pool().await;
    let window: Vec<u32> = vec![800, 600];
    assert_eq!(
        app_config::get(&pool, "test.window", window.clone())
            .await
            .unwrap(),
        window
    );
    app_config::set(&pool, "test.window", &vec![1024, 768])
        .await
        .unwrap();
    assert_eq!(
        app_config::get(&pool, "test.window", window).await.unwrap(),
        vec![1024, 768]
    );
    // A value that no longer reads as the type gives the default.
    assert_eq!(
        app_config::get(&pool, "test.window", "fallback".to_string())
            .await
            .unwrap(),
        "fallback"
    );
}

#[tokio::test]
async fn the_window_reaches_known_keys_with_values_that_fit() {
    let pool = common::pool().await;
    assert_eq!(
        app_config::get_value(&pool, "chat.enter_sends")
            .await
            .unwrap(),
        json!(true)
    );
    assert_eq!(
        app_config::set_value(&pool, "chat.enter_sends", json!(false))
            .await
            .unwrap(),
        json!(false)
    );
    assert_eq!(
        app_config::get_value(&pool, "chat.enter_sends")
            .await
            .unwrap(),
        json!(false)
    );

    let err = app_config::set_value(&pool, "chat.enter_sends", json!("sometimes"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "ValidationError");
    assert!(err.to_string().contains("chat.enter_sends"), "{err}");
    let err = app_config::get_value(&pool, "secrets.api_key")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "ValidationError");
    assert!(
        err.to_string().contains("chat.enter_sends"),
        "names the known keys: {err}"
    );
}

#[tokio::test]
async fn the_table_refuses_text_that_is_not_json() {
    let pool = common::pool().await;
    let err = sqlx::query(
        "insert into app_config (key, value, description, updated_at) values ('k', 'not json', '', 0)",
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("ck_app_config_value"), "{err}");
}
