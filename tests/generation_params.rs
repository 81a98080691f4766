//! What a provider receives follows one order for each generation value:
//! the chat's overrides, then the model, then Settings
//! (`services::generation_params::resolve`, called by the generation code).

mod common;

use std::time::Duration;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use parley::models::{ChatOverrides, ChatSessionInput, SamplingParams};
use parley::services::chat_session;
use parley::services::generation::{self, ReplyEvent, ReplySink};

struct Ignore;

impl ReplySink for Ignore {
    fn send(&self, _: &ReplyEvent) -> bool {
        true
    }
}

#[tokio::test]
async fn the_request_carries_the_chats_overrides_the_models_values_and_settings() {
    let pool = common::pool().await;
    let mock = MockLlm::start(vec![stream(openai_tokens(&["Hi"]))]).await;
    // The model sets its context length (4096) and max output (256), no sampling.
    let model = common::mock_model(&pool, &mock.base_url).await;
    common::generation_settings(&pool, 0.3, 1024, 8192).await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            generation: Some(ChatOverrides {
                max_output_tokens: Some(100),
                params: SamplingParams {
                    top_p: Some(0.5),
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let state = common::state(pool);
    generation::send(&state, chat.id, "Hello".into(), Box::new(Ignore))
        .await
        .unwrap();
    let mut waited = 0;
    while mock.requests().is_empty() {
        assert!(waited < 500, "the provider was never asked");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    let sent = mock.requests()[0].json();
    assert_eq!(sent["max_tokens"], 100, "the chat's max output: {sent}");
    assert_eq!(sent["temperature"], 0.3, "Settings' temperature: {sent}");
    assert_eq!(sent["top_p"], 0.5, "the chat's top_p: {sent}");
    assert!(sent.get("top_k").is_none(), "nobody set top_k: {sent}");
}
