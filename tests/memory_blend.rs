//! Memory's ranking with an embedding model: the reply's prompt (here
//! through "Show prompt", the same code) blends vector similarity into the
//! keyword ranking with the person's weight, and without a model, or at
//! weight 0, keywords alone decide.

mod common;

use common::mock_llm::{status, MockLlm};
use parley::models::{new_id, Id, ProviderKind, Timestamp};
use parley::services::embedding::{self, indexer};
use parley::services::generation::preview;
use parley::state::AppState;

/// A document of the chat with these chunks; their ids.
async fn document(state: &AppState, chat: Id, chunks: &[&str]) -> Vec<i64> {
    let id = new_id();
    let now = Timestamp::now();
    sqlx::query(
        r"insert into documents (id, scope, chat_session_id, name, kind, byte_size, sha256,
            chunk_size, chunk_overlap, created_at, updated_at, content)
          values (?1, 'chat', ?2, 'notes.txt', 'text', 10, 'x', 300, 40, ?3, ?3, 'text')",
    )
    .bind(id)
    .bind(chat)
    .bind(now)
    .execute(&state.pool)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (i, text) in chunks.iter().enumerate() {
        let rowid: i64 = sqlx::query_scalar(
            r"insert into document_chunks (document_id, chunk_index, token_count, text)
              values (?1, ?2, 8, ?3) returning id",
        )
        .bind(id)
        .bind(i as i64)
        .bind(*text)
        .fetch_one(&state.pool)
        .await
        .unwrap();
        ids.push(rowid);
    }
    ids
}

/// The labels of the memory pieces the next reply would be given, sorted.
async fn remembered(state: &AppState, chat: Id) -> Vec<String> {
    let p = preview(state, chat).await.unwrap();
    let mut labels: Vec<String> = p.prompt.memory.iter().map(|m| m.label.clone()).collect();
    labels.sort();
    labels
}

#[tokio::test]
async fn vectors_blend_into_the_ranking_with_the_persons_weight() {
    let mock = MockLlm::start(vec![status(500, "no chat here")]).await;
    let pool = common::pool().await;
    let model = common::provider_with_model(
        &pool,
        "Mock",
        ProviderKind::OpenaiCompatible,
        &mock.base_url,
        "embed-1",
        None,
    )
    .await
    .id;
    let state = common::state(pool);
    let chat = common::new_chat(&state.pool, None).await;
    let chunks = document(
        &state,
        chat,
        &[
            "Mira lives in the old lighthouse by the sea.",
            "Mira lives above the bakery on the square.",
        ],
    )
    .await;
    common::say(&state.pool, chat, "Where does Mira live now?").await;

    // Keywords alone: both passages match and both fit.
    let both = vec!["notes.txt §1".to_string(), "notes.txt §2".to_string()];
    assert_eq!(remembered(&state, chat).await, both);

    // An embedding model, vectors only, and the second passage without a
    // vector (as when the indexer has not reached it): only the first one
    // has any similarity, so only it is remembered.
    embedding::set_model(&state, Some(model)).await.unwrap();
    indexer::pass(&state).await.unwrap();
    sqlx::query("delete from embeddings where owner_kind = 'chunk' and owner_rowid = ?1")
        .bind(chunks[1])
        .execute(&state.pool)
        .await
        .unwrap();
    embedding::set_weight(&state, 1.0).await.unwrap();
    assert_eq!(remembered(&state, chat).await, vec!["notes.txt §1"]);

    // Weight 0: keywords alone again.
    embedding::set_weight(&state, 0.0).await.unwrap();
    assert_eq!(remembered(&state, chat).await, both);

    // The model stops answering: keywords alone, and the reply still goes.
    embedding::set_weight(&state, 1.0).await.unwrap();
    mock.answer_embeddings(status(503, "loading"));
    common::say(&state.pool, chat, "And where does Mira live in winter?").await;
    assert_eq!(remembered(&state, chat).await, both);
}
