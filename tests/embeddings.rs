//! Embeddings, when the person has them: the client against the mock
//! provider (OpenAI's and Ollama's shapes, a refused key, vectors that do
//! not fit, a body without end), vectors stored and removed with their
//! chunk or message, the indexer (only what is missing, progress, waiting
//! for a reply, a new model starting over), and the scores retrieval
//! blends with BM25.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::mock_llm::{status, End, MockLlm, Reply};
use parley::ai::embeddings::{embed, EMBED_BODY_LIMIT};
use parley::ai::Endpoint;
use parley::error::AppError;
use parley::models::{new_id, Id, IndexState, MessageRole, Owner, ProviderKind, Timestamp};
use parley::secrets::Secret;
use parley::services::embedding::{self, indexer, standin, Scope};
use parley::services::memory::blend::{blend, cosine};
use parley::state::AppState;
use rstest::rstest;
use sqlx::SqlitePool;

const KEY: &str = "sk-embed-secret-0123456789";

fn endpoint(kind: ProviderKind, base_url: &str) -> Endpoint {
    Endpoint {
        kind,
        name: "Local Embedder".into(),
        base_url: base_url.into(),
        api_key: Some(Secret::new(KEY)),
        instruct: None,
    }
}

fn texts(t: &[&str]) -> Vec<String> {
    t.iter().map(ToString::to_string).collect()
}

fn external_message(err: AppError) -> String {
    match err {
        AppError::ExternalApi { message, .. } => message,
        other => panic!("expected a provider error, got {other:?}"),
    }
}

#[tokio::test]
async fn openai_shape_gives_one_vector_per_text_in_order() {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    let http = parley::ai::http_client();
    let input = texts(&[
        "Mira lives in the lighthouse",
        "the key is hidden under the stone",
    ]);
    let got = embed(
        &http,
        &endpoint(ProviderKind::OpenaiCompatible, &mock.base_url),
        "nomic",
        &input,
    )
    .await
    .unwrap();
    assert_eq!(
        got,
        vec![standin::embed(&input[0]), standin::embed(&input[1])]
    );
    let seen = mock.embedding_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1/embeddings");
    assert_eq!(seen[0].json()["model"], "nomic");
    assert_eq!(seen[0].json()["input"][1], input[1]);
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[tokio::test]
async fn ollama_shape_uses_its_own_endpoint_at_the_root() {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    let http = parley::ai::http_client();
    let input = texts(&["one", "two", "three"]);
    let got = embed(
        &http,
        &endpoint(ProviderKind::Ollama, &mock.base_url),
        "all-minilm",
        &input,
    )
    .await
    .unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], standin::embed("three"));
    assert_eq!(mock.embedding_requests()[0].path, "/api/embed");
}

#[tokio::test]
async fn a_refused_key_is_said_in_words_without_the_key() {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    mock.answer_embeddings(status(
        401,
        &format!(r#"{{"error":{{"message":"bad key {KEY}"}}}}"#),
    ));
    let err = embed(
        &parley::ai::http_client(),
        &endpoint(ProviderKind::OpenaiCompatible, &mock.base_url),
        "nomic",
        &texts(&["a"]),
    )
    .await
    .unwrap_err();
    let text = external_message(err);
    assert!(
        text.contains("Local Embedder rejected the API key (401)"),
        "{text}"
    );
    assert!(!text.contains(KEY), "{text}");
}

#[rstest]
#[case::lengths_differ(
    r#"{"data":[{"index":0,"embedding":[1,0,0]},{"index":1,"embedding":[1,0]}]}"#,
    "different lengths (3 and 2)"
)]
#[case::too_few(
    r#"{"data":[{"index":0,"embedding":[1,0]}]}"#,
    "1 vectors for 2 passages"
)]
#[case::empty(
    r#"{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]}"#,
    "empty vectors"
)]
#[case::not_vectors(r#"{"object":"list"}"#, "without the vectors")]
#[case::not_json("<html>hello</html>", "not JSON")]
#[tokio::test]
async fn answers_that_do_not_fit_are_refused_in_words(#[case] body: &str, #[case] says: &str) {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    mock.answer_embeddings(status(200, body));
    let err = embed(
        &parley::ai::http_client(),
        &endpoint(ProviderKind::OpenaiCompatible, &mock.base_url),
        "nomic",
        &texts(&["a", "b"]),
    )
    .await
    .unwrap_err();
    let text = external_message(err);
    assert!(text.starts_with("Local Embedder "), "{text}");
    assert!(text.contains(says), "{text}");
}

#[tokio::test]
async fn an_endless_body_is_cut_off_at_the_limit() {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    let chunk = b"[0.125, ".repeat(128 * 1024); // 1 MiB
    let chunks = vec![chunk; EMBED_BODY_LIMIT / (1024 * 1024) + 4];
    mock.answer_embeddings(Reply::Stream {
        chunks,
        pause: Duration::from_millis(1),
        end: End::Hang,
    });
    let started = Instant::now();
    let err = embed(
        &parley::ai::http_client(),
        &endpoint(ProviderKind::OpenaiCompatible, &mock.base_url),
        "nomic",
        &texts(&["a"]),
    )
    .await
    .unwrap_err();
    let text = external_message(err);
    assert!(text.contains("more than 16 MiB"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn anthropic_and_glm_have_no_embeddings_here() {
    for kind in [ProviderKind::Anthropic, ProviderKind::Glm] {
        let err = embed(
            &parley::ai::http_client(),
            &endpoint(kind, "http://127.0.0.1:9"),
            "m",
            &texts(&["a"]),
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("Local Embedder has no embeddings endpoint"),
            "{err}"
        );
    }
}

// ---- the database side ----

struct World {
    mock: MockLlm,
    state: AppState,
    model: Id,
    chat: Id,
}

async fn world() -> World {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    let pool = common::pool().await;
    let model = common::provider_with_model(
        &pool,
        "Mock Embeddings",
        ProviderKind::OpenaiCompatible,
        &mock.base_url,
        "embed-1",
        None,
    )
    .await
    .id;
    let chat = common::new_chat(&pool, None).await;
    World {
        mock,
        state: common::state(pool),
        model,
        chat,
    }
}

async fn say(pool: &SqlitePool, chat: Id, text: &str) -> Id {
    common::say(pool, chat, text).await
}

/// A library document with these chunks (as the documents service writes
/// them); returns the chunks' ids.
async fn document(pool: &SqlitePool, scope_chat: Option<Id>, chunks: &[&str]) -> (Id, Vec<i64>) {
    let id = new_id();
    let now = Timestamp::now();
    let scope = if scope_chat.is_some() {
        "chat"
    } else {
        "library"
    };
    sqlx::query(
        r"insert into documents (id, scope, chat_session_id, name, kind, byte_size, sha256,
            chunk_size, chunk_overlap, created_at, updated_at, content)
          values (?1, ?2, ?3, 'notes.txt', 'text', 10, 'x', 300, 40, ?4, ?4, 'text')",
    )
    .bind(id)
    .bind(scope)
    .bind(scope_chat)
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (i, text) in chunks.iter().enumerate() {
        let rowid: i64 = sqlx::query_scalar(
            r"insert into document_chunks (document_id, chunk_index, token_count, text)
              values (?1, ?2, 5, ?3) returning id",
        )
        .bind(id)
        .bind(i as i64)
        .bind(*text)
        .fetch_one(pool)
        .await
        .unwrap();
        ids.push(rowid);
    }
    (id, ids)
}

async fn vectors(pool: &SqlitePool, owner: &str) -> Vec<(i64, Vec<u8>)> {
    sqlx::query_as(
        "select owner_rowid, ai_model_id from embeddings where owner_kind = ?1 order by owner_rowid",
    )
    .bind(owner)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn rowid(pool: &SqlitePool, message: Id) -> i64 {
    sqlx::query_scalar("select rowid from messages where id = ?1")
        .bind(message)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_indexer_fills_what_is_missing_and_says_how_far_it_is() {
    let w = world().await;
    let pool = w.state.pool.clone();
    say(&pool, w.chat, "Mira lives in the lighthouse").await;
    say(&pool, w.chat, "The key is hidden under the stone").await;
    document(
        &pool,
        None,
        &["The harbour closes at dusk.", "Ships leave at dawn."],
    )
    .await;

    // Off by default: nothing asked, memory on keywords alone.
    let off = indexer::pass(&w.state).await.unwrap();
    assert_eq!(off.state, IndexState::Off);
    assert!(w.mock.embedding_requests().is_empty());

    let status = embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    assert_eq!((status.progress.done, status.progress.total), (0, 4));
    let done = indexer::pass(&w.state).await.unwrap();
    assert_eq!(
        (done.state, done.done, done.total),
        (IndexState::Done, 4, 4)
    );
    assert_eq!(vectors(&pool, "chunk").await.len(), 2);
    assert_eq!(vectors(&pool, "message").await.len(), 2);
    // Chunks first, then messages, a batch each.
    assert_eq!(w.mock.embedding_requests().len(), 2);

    // Only the new message is sent next time.
    say(&pool, w.chat, "A storm is coming").await;
    let again = indexer::pass(&w.state).await.unwrap();
    assert_eq!((again.done, again.total), (5, 5));
    let last = w.mock.embedding_requests().pop().unwrap();
    assert_eq!(
        last.json()["input"],
        serde_json::json!(["A storm is coming"])
    );
    assert_eq!(embedding::status(&w.state).await.unwrap().progress.done, 5);
}

#[tokio::test]
async fn vectors_go_when_their_chunk_or_message_goes_or_changes() {
    let w = world().await;
    let pool = w.state.pool.clone();
    let a = say(&pool, w.chat, "first words").await;
    let b = say(&pool, w.chat, "second words").await;
    let (doc, chunks) = document(&pool, None, &["chunk one", "chunk two"]).await;
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    indexer::pass(&w.state).await.unwrap();
    assert_eq!(vectors(&pool, "message").await.len(), 2);

    parley::services::message::update(&pool, a, "first words, edited")
        .await
        .unwrap();
    parley::services::message::delete(&pool, b).await.unwrap();
    let left: Vec<i64> = vectors(&pool, "message")
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert!(left.is_empty(), "{left:?}");
    sqlx::query("delete from document_chunks where id = ?1")
        .bind(chunks[0])
        .execute(&pool)
        .await
        .unwrap();
    let left: Vec<i64> = vectors(&pool, "chunk")
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(left, vec![chunks[1]]);

    // The edited message gets a vector of its new text; a deleted
    // document's chunks no longer count.
    sqlx::query("update documents set deleted_at = 1 where id = ?1")
        .bind(doc)
        .execute(&pool)
        .await
        .unwrap();
    let p = indexer::pass(&w.state).await.unwrap();
    assert_eq!((p.done, p.total), (1, 1));
    let sent = w.mock.embedding_requests().pop().unwrap();
    assert_eq!(
        sent.json()["input"],
        serde_json::json!(["first words, edited"])
    );
    assert_eq!(vectors(&pool, "message").await[0].0, rowid(&pool, a).await);
}

#[tokio::test]
async fn choosing_another_model_clears_the_old_vectors() {
    let w = world().await;
    let pool = w.state.pool.clone();
    say(&pool, w.chat, "hello there").await;
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    indexer::pass(&w.state).await.unwrap();
    let other = common::provider_with_model(
        &pool,
        "Local Ollama",
        ProviderKind::Ollama,
        &w.mock.base_url,
        "all-minilm",
        None,
    )
    .await
    .id;
    let status = embedding::set_model(&w.state, Some(other)).await.unwrap();
    assert_eq!((status.progress.done, status.progress.total), (0, 1));
    assert!(vectors(&pool, "message").await.is_empty());
    indexer::pass(&w.state).await.unwrap();
    let rows = vectors(&pool, "message").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, other.as_bytes().to_vec());
    assert_eq!(
        w.mock.embedding_requests().last().unwrap().path,
        "/api/embed"
    );

    // Off removes every vector.
    embedding::set_model(&w.state, None).await.unwrap();
    assert!(vectors(&pool, "message").await.is_empty());
}

#[tokio::test]
async fn a_model_without_embeddings_or_a_weight_out_of_range_is_refused() {
    let w = world().await;
    let pool = w.state.pool.clone();
    let claude = common::provider_with_model(
        &pool,
        "Anthropic",
        ProviderKind::Anthropic,
        "https://api.anthropic.com/v1",
        "claude",
        None,
    )
    .await
    .id;
    let err = embedding::set_model(&w.state, Some(claude))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Anthropic has no embeddings endpoint"),
        "{err}"
    );
    assert_eq!(embedding::status(&w.state).await.unwrap().model_id, None);
    let err = embedding::set_weight(&w.state, 1.5).await.unwrap_err();
    assert!(
        err.to_string().contains("from 0 (keywords only) to 1"),
        "{err}"
    );
    let s = embedding::set_weight(&w.state, 0.25).await.unwrap();
    assert_eq!(s.vector_weight, 0.25);
}

#[tokio::test]
async fn the_indexer_waits_while_a_reply_is_written() {
    let w = world().await;
    let pool = w.state.pool.clone();
    let m = say(&pool, w.chat, "a message to index").await;
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    let slot = w.state.replies.reserve(w.chat, m).unwrap();
    let running = tokio::spawn({
        let state = w.state.clone();
        async move { indexer::pass(&state).await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(w.state.embeddings.progress().state, IndexState::Paused);
    assert!(w.mock.embedding_requests().is_empty());
    drop(slot);
    let done = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((done.state, done.done), (IndexState::Done, 1));
}

#[tokio::test]
async fn a_model_whose_vectors_change_length_is_said_in_words() {
    let w = world().await;
    let pool = w.state.pool.clone();
    say(&pool, w.chat, "first").await;
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    indexer::pass(&w.state).await.unwrap();
    say(&pool, w.chat, "second").await;
    w.mock.answer_embeddings(status(
        200,
        r#"{"data":[{"index":0,"embedding":[0.5,0.5,0.5]}]}"#,
    ));
    let err = indexer::pass(&w.state).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("now answers with 3 numbers per passage where it gave 256"),
        "{err}"
    );
    assert_eq!(vectors(&pool, "message").await.len(), 1);
}

// ---- scores ----

#[tokio::test]
async fn scores_are_none_without_a_model_and_rank_by_meaning_with_one() {
    let w = world().await;
    let pool = w.state.pool.clone();
    let (_, chunks) = document(
        &pool,
        Some(w.chat),
        &[
            "Mira lives in the old lighthouse by the sea.",
            "The baker sells bread on Tuesdays.",
        ],
    )
    .await;
    let other_chat = common::new_chat(&pool, None).await;
    let (_, elsewhere) = document(
        &pool,
        Some(other_chat),
        &["Mira lived in a lighthouse too."],
    )
    .await;
    let query = "where does Mira live?";
    assert_eq!(
        embedding::scores(&w.state, Owner::Chunk, query, &chunks)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        embedding::nearest(&w.state, Scope::ChatDocuments { chat: w.chat }, query, 5)
            .await
            .unwrap(),
        None
    );

    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    indexer::pass(&w.state).await.unwrap();
    let s = embedding::scores(&w.state, Owner::Chunk, query, &chunks)
        .await
        .unwrap()
        .unwrap();
    assert!(s[&chunks[0]] > s[&chunks[1]], "{s:?}");
    let near = embedding::nearest(&w.state, Scope::ChatDocuments { chat: w.chat }, query, 5)
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<i64> = near.iter().map(|r| r.0).collect();
    assert_eq!(ids, chunks, "the other chat's {elsewhere:?} stays out");

    // A model that stops answering: keywords alone, no error.
    w.mock.answer_embeddings(status(503, "loading"));
    let s = embedding::scores(&w.state, Owner::Chunk, "something new", &chunks)
        .await
        .unwrap();
    assert_eq!(s, None);
}

#[tokio::test]
async fn nearest_messages_are_those_before_the_window() {
    let w = world().await;
    let pool = w.state.pool.clone();
    for text in [
        "the treasure is buried under the oak",
        "we ate soup",
        "the oak fell in the storm",
    ] {
        say(&pool, w.chat, text).await;
    }
    parley::services::message::add(
        &pool,
        w.chat,
        parley::models::MessageInput {
            role: MessageRole::Assistant,
            content: "where is the treasure buried?".into(),
        },
    )
    .await
    .unwrap();
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    indexer::pass(&w.state).await.unwrap();
    let near = embedding::nearest(
        &w.state,
        Scope::ChatMessages {
            chat: w.chat,
            before_seq: 2,
        },
        "treasure buried",
        1,
    )
    .await
    .unwrap()
    .unwrap();
    let first: i64 = sqlx::query_scalar(
        "select rowid from messages where chat_session_id = ?1 order by seq limit 1",
    )
    .bind(w.chat)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(near.len(), 1);
    assert_eq!(near[0].0, first);
}

// ---- pure scoring ----

#[rstest]
#[case::same(&[1.0, 2.0], &[1.0, 2.0], 1.0)]
#[case::scaled(&[1.0, 2.0], &[2.0, 4.0], 1.0)]
#[case::opposite(&[1.0, 0.0], &[-1.0, 0.0], -1.0)]
#[case::orthogonal(&[1.0, 0.0], &[0.0, 3.0], 0.0)]
#[case::zero_vector(&[0.0, 0.0], &[1.0, 1.0], 0.0)]
#[case::lengths_differ(&[1.0, 0.0, 0.0], &[1.0, 0.0], 0.0)]
#[case::empty(&[], &[], 0.0)]
fn cosine_similarity(#[case] a: &[f32], #[case] b: &[f32], #[case] want: f32) {
    assert!((cosine(a, b) - want).abs() < 1e-6, "{}", cosine(a, b));
}

fn v(pairs: &[(i64, f32)]) -> HashMap<i64, f32> {
    pairs.iter().copied().collect()
}

#[rstest]
#[case::keywords_only(&[(1, 10.0), (2, 5.0), (3, 0.0)], &[(3, 1.0)], 0.0, &[1, 2, 3])]
#[case::vectors_only(&[(1, 10.0), (2, 5.0)], &[(2, 0.9), (1, 0.1), (4, 0.5)], 1.0, &[2, 4, 1])]
#[case::a_tie_goes_to_the_smaller_id(&[(1, 10.0), (2, 8.0), (3, 0.0)], &[(1, 0.0), (2, 0.0), (3, 1.0)], 0.5, &[1, 3, 2])]
#[case::meaning_lifts_a_weak_keyword_hit(&[(1, 10.0), (2, 9.0)], &[(1, 0.0), (2, 1.0)], 0.5, &[2, 1])]
#[case::only_vectors_found_it(&[(1, 10.0)], &[(7, 0.9)], 0.6, &[7, 1])]
#[case::negative_cosine_counts_as_none(&[(1, 10.0), (2, 10.0)], &[(1, -0.9)], 0.5, &[1, 2])]
#[case::weight_above_one_is_one(&[(1, 10.0), (2, 1.0)], &[(2, 0.5)], 7.0, &[2, 1])]
#[case::nothing(&[], &[], 0.5, &[])]
fn blend_order(
    #[case] bm25: &[(i64, f64)],
    #[case] vectors: &[(i64, f32)],
    #[case] weight: f64,
    #[case] want: &[i64],
) {
    let got: Vec<i64> = blend(bm25, &v(vectors), weight)
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(got, want);
}

#[test]
fn blend_scales_bm25_to_zero_one_before_mixing() {
    let got = blend(&[(1, -2.0), (2, -6.0), (3, -4.0)], &HashMap::new(), 0.0);
    assert_eq!(got, vec![(1, 1.0), (3, 0.5), (2, 0.0)]);
    // Scores >= 0 keep their share of the best.
    let got = blend(&[(1, 10.0), (2, 9.0)], &HashMap::new(), 0.0);
    assert_eq!(got, vec![(1, 1.0), (2, 0.9)]);
    // One hit alone is a full keyword match.
    assert_eq!(blend(&[(9, -3.5)], &v(&[(9, 0.5)]), 0.5), vec![(9, 0.75)]);
}

#[rstest]
#[case::plural(
    "Mira lives by the sea",
    "where does Mira live",
    "the baker sells bread"
)]
#[case::participle(
    "the map is hidden in the cellar",
    "where did they hide the map",
    "ships leave at dawn"
)]
fn the_stand_in_puts_word_forms_together(
    #[case] fact: &str,
    #[case] question: &str,
    #[case] other: &str,
) {
    let q = standin::embed(question);
    assert_eq!(q.len(), standin::DIMS);
    assert!(cosine(&q, &standin::embed(fact)) > cosine(&q, &standin::embed(other)) + 0.1);
    assert_eq!(
        standin::embed(question),
        q,
        "the same text, the same vector"
    );
}

#[tokio::test]
async fn turning_it_off_stops_the_indexer_and_a_late_batch_is_not_kept() {
    let w = world().await;
    let pool = w.state.pool.clone();
    let m = say(&pool, w.chat, "a message to index").await;
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();

    // Waiting for a reply, then turned off: it stops without asking.
    let slot = w.state.replies.reserve(w.chat, m).unwrap();
    let running = tokio::spawn({
        let state = w.state.clone();
        async move { indexer::pass(&state).await }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    embedding::set_model(&w.state, None).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    drop(slot);
    assert!(w.mock.embedding_requests().is_empty());

    // A batch still on its way when the model changes is not kept.
    embedding::set_model(&w.state, Some(w.model)).await.unwrap();
    let body = serde_json::json!({"data": [{"index": 0, "embedding": standin::embed("a message to index")}]})
        .to_string()
        .into_bytes();
    let (head, tail) = body.split_at(body.len() / 2);
    w.mock.answer_embeddings(Reply::Stream {
        chunks: vec![head.to_vec(), tail.to_vec()],
        pause: Duration::from_millis(600),
        end: End::Close,
    });
    let running = tokio::spawn({
        let state = w.state.clone();
        async move { indexer::pass(&state).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        w.mock.embedding_requests().len(),
        1,
        "the batch is on its way"
    );
    embedding::set_model(&w.state, None).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(vectors(&pool, "message").await.is_empty());
}
