//! What the window receives on a reply's channel, pinned by snapshots
//! (`tests/snapshots/reply_events__*.snap`): a change to the JSON the
//! window reads is a visible diff. Ids, times and durations are redacted.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mock_llm::{openai_tokens, status, stream, End, MockLlm, Reply};
use parley::models::ChatSessionInput;
use parley::services::chat_session;
use parley::services::generation::{self, ReplyEvent, ReplySink};
use serde_json::Value;

#[derive(Clone, Default)]
struct Channel(Arc<Mutex<Vec<Value>>>);

impl ReplySink for Channel {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0
            .lock()
            .unwrap()
            .push(serde_json::to_value(event).unwrap());
        true
    }
}

impl Channel {
    fn ended(&self) -> bool {
        self.0
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e["event"].as_str(), Some("done" | "error" | "cancelled")))
    }
}

/// The events of one reply to "Hi" answered by `reply`; `stop` stops it
/// once its first delta came.
async fn events_of(reply: Reply, stop: bool) -> Vec<Value> {
    let pool = common::pool().await;
    let mock = MockLlm::start(vec![reply]).await;
    let model = common::mock_model(&pool, &mock.base_url).await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let state = common::state(pool);
    let channel = Channel::default();
    let started = generation::send(&state, chat.id, "Hi".into(), Box::new(channel.clone()))
        .await
        .unwrap();
    for _ in 0..500 {
        let got = channel.0.lock().unwrap().len();
        if stop && got >= 2 {
            state.replies.stop(started.generation_id);
        }
        if channel.ended() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let events = channel.0.lock().unwrap().clone();
    events
}

macro_rules! pin {
    ($name:literal, $events:expr) => {
        insta::assert_json_snapshot!($name, $events, {
            "[].data.generationId" => "[id]",
            "[].data.messageId" => "[id]",
            "[].data.**.id" => "[id]",
            "[].data.**.chatSessionId" => "[id]",
            "[].data.**.createdAt" => "[time]",
            "[].data.**.updatedAt" => "[time]",
            "[].data.**.durationMs" => "[ms]",
            "[].data.**.timeToFirstTokenMs" => "[ms]",
        });
    };
}

#[tokio::test]
async fn a_completed_reply() {
    let events = events_of(stream(openai_tokens(&["Hello!"])), false).await;
    pin!("completed", events);
}

#[tokio::test]
async fn a_reply_the_provider_refuses() {
    let events = events_of(status(401, r#"{"error":{"message":"bad key"}}"#), false).await;
    pin!("refused", events);
}

#[tokio::test]
async fn a_reply_stopped_by_the_person() {
    let first = openai_tokens(&["Once"])[..1].to_vec();
    let reply = Reply::Stream {
        chunks: first,
        pause: Duration::ZERO,
        end: End::Hang,
    };
    let events = events_of(reply, true).await;
    pin!("stopped", events);
}
