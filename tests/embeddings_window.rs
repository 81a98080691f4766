//! Settings > Memory in the real window: memory is Off (keywords only) at
//! first; a model on a provider without embeddings is refused in words
//! under the picker; choosing an embedding model on the mock provider
//! starts the indexer, whose progress the section shows ("32 of 41")
//! until every passage has its vector, and the vectors are in the
//! database. Turning it off again removes them.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mock_llm::{status, End, MockLlm, Reply};
use common::seed_chat_world;
use common::window::*;
use fantoccini::{Client, Locator};
use parley::models::{AiModelInput, Id, MessageInput, MessageRole};

/// An embedding model "Embed Mock" on the seeded provider, and 40 more
/// messages in the seeded chat (two batches); the model's id.
async fn embedding_model_and_messages(data: &Path) -> Id {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let provider: Id = sqlx::query_scalar("select id from providers")
        .fetch_one(&pool)
        .await
        .unwrap();
    let chat: Id = sqlx::query_scalar("select id from chat_sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    for i in 0..40 {
        parley::services::message::add(
            &pool,
            chat,
            MessageInput {
                role: MessageRole::User,
                content: format!("Message {i}: the lighthouse keeper counts ships."),
            },
        )
        .await
        .unwrap();
    }
    let m = parley::services::ai_model::create(
        &pool,
        AiModelInput {
            provider_id: Some(provider),
            model_id: "embed-1".into(),
            display_name: "Embed Mock".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    pool.close().await;
    common::provider_with_model(
        &pool_again(data).await,
        "Anthropic",
        parley::models::ProviderKind::Anthropic,
        "https://api.anthropic.com/v1",
        "claude-test",
        None,
    )
    .await;
    m.id
}

async fn pool_again(data: &Path) -> sqlx::SqlitePool {
    parley::db::open(&data.join("parley.db")).await.unwrap().0
}

/// An embeddings answer of `n` stand-in vectors, its body sent in two
/// halves `pause` apart (a model still working).
fn slow_vectors(n: usize, pause: Duration) -> Reply {
    let data: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"index": i, "embedding": parley::services::embedding::standin::embed(&format!("passage {i}"))}))
        .collect();
    let body = serde_json::json!({ "data": data }).to_string().into_bytes();
    let (head, tail) = body.split_at(body.len() / 2);
    Reply::Stream {
        chunks: vec![head.to_vec(), tail.to_vec()],
        pause,
        end: End::Close,
    }
}

async fn vectors_of(data: &Path, model: Id) -> i64 {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let n = sqlx::query_scalar("select count(*) from embeddings where ai_model_id = ?1")
        .bind(model)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

async fn progress_text(app: &Client) -> String {
    text_of(app, "#embedding-progress").await
}

async fn wait_progress(app: &Client, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let text = progress_text(app).await;
        if text.contains(needle) {
            return text;
        }
        assert!(
            started.elapsed() < WAIT,
            "progress stayed at {text:?}, not {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn choosing_an_embedding_model_in_settings_indexes_with_progress() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(vec![status(500, "no chat in this test")]).await;
    seed_chat_world(data.path(), &mock.base_url).await;
    let model = embedding_model_and_messages(data.path()).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.set_window_size(1280, 800).await.unwrap();
    app.execute("location.hash = '#/settings'; return true;", vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#memory-title", "Memory").await;
    let off = wait_progress(&app, "Off").await;
    assert!(off.contains("fully offline"), "{off}");
    app.execute(
        "document.querySelector('.memory-settings').scrollIntoView({block: 'center'}); return true;",
        vec![],
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&app, "mem-01-off").await;
    assert!(
        mock.embedding_requests().is_empty(),
        "nothing is sent while Off"
    );

    // A chat model on a provider without embeddings: refused in words, under
    // the picker, and the setting stays Off.
    app.find(Locator::Css("#embedding-model"))
        .await
        .unwrap()
        .select_by_label("claude-test")
        .await
        .unwrap();
    wait_for_text(
        &app,
        ".memory-settings .field-error",
        "Anthropic has no embeddings endpoint",
    )
    .await;
    wait_progress(&app, "Off").await;
    shot(&app, "mem-02-refused").await;

    // The second batch takes a while, so the progress between is seen.
    mock.answer_embeddings(slow_vectors(32, Duration::from_millis(1)));
    mock.answer_embeddings(slow_vectors(9, Duration::from_millis(2500)));
    app.find(Locator::Css("#embedding-model"))
        .await
        .unwrap()
        .select_by_label("Embed Mock")
        .await
        .unwrap();
    // 40 messages and the greeting: 41 passages, in two batches.
    let between = wait_progress(&app, "32 of 41").await;
    assert_eq!(between, "Indexing: 32 of 41 passages\u{2026}");
    shot(&app, "mem-03-indexing").await;
    let ready = wait_progress(&app, "Ready").await;
    assert_eq!(ready, "Ready: 41 of 41 passages have vectors.");
    no_error_banner(&app, "Settings > Memory").await;
    shot(&app, "mem-04-ready").await;
    assert_eq!(vectors_of(data.path(), model).await, 41);
    let asked = mock.embedding_requests();
    assert_eq!(asked.len(), 2, "two batches");
    assert!(asked
        .iter()
        .all(|r| r.path == "/v1/embeddings" && r.json()["model"] == "embed-1"));

    // Off again: the vectors go, the section says keywords only.
    app.find(Locator::Css("#embedding-model"))
        .await
        .unwrap()
        .select_by_label("Off \u{2014} keywords only")
        .await
        .unwrap();
    wait_progress(&app, "Off").await;
    assert_eq!(vectors_of(data.path(), model).await, 0);
}
