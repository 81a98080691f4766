//! The reply lifecycle against a mock provider: streaming into the
//! database, coalesced deltas and exactly one terminal event, stop keeping
//! the partial text, faults keeping it too, regenerate as swipes, continue,
//! one generation per chat, and the startup sweep.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mock_llm::{openai_tokens, status, stream, End, MockLlm, Reply};
use parley::models::{
    CharacterInput, ChatSessionInput, Id, MessageStatus, ProviderKind, UserProfileInput,
};
use parley::secrets::MemorySecretStore;
use parley::services::generation::{self, ChatEvent, Engine, EventSink, Generations};
use parley::services::{character, chat_session, message, user_profile};

#[derive(Default)]
struct Recorder(Mutex<Vec<ChatEvent>>);

impl EventSink for Recorder {
    fn emit(&self, event: ChatEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    fn events(&self) -> Vec<ChatEvent> {
        self.0.lock().unwrap().clone()
    }
    fn deltas(&self, generation: Id) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                ChatEvent::Delta(d) if d.generation_id == generation => Some(d.text),
                _ => None,
            })
            .collect()
    }
    fn terminals(&self, generation: Id) -> Vec<ChatEvent> {
        self.events()
            .into_iter()
            .filter(|e| match e {
                ChatEvent::Done(x) | ChatEvent::Error(x) | ChatEvent::Cancelled(x) => {
                    x.generation_id == generation
                }
                ChatEvent::Delta(_) => false,
            })
            .collect()
    }
    async fn wait_end(&self, generation: Id) -> ChatEvent {
        for _ in 0..1000 {
            if let Some(e) = self.terminals(generation).into_iter().next() {
                // Give a second terminal event the chance to show up.
                tokio::time::sleep(Duration::from_millis(30)).await;
                return e;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("generation {generation} never ended");
    }
}

struct World {
    engine: Engine,
    events: Arc<Recorder>,
    chat: Id,
    mock: MockLlm,
}

async fn world(replies: Vec<Reply>) -> World {
    let pool = common::pool().await;
    let secrets = Arc::new(MemorySecretStore::default());
    let mock = MockLlm::start(replies).await;
    let model = common::provider_with_model(
        &pool,
        "Mock AI",
        ProviderKind::OpenaiCompatible,
        &mock.base_url,
        "mock-1",
        Some(4096),
    )
    .await;
    let c = character::create(
        &pool,
        CharacterInput {
            name: "Mira".into(),
            description: "{{char}} captains a ship; {{user}} is new.".into(),
            first_message: "Welcome aboard.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let me = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Alex".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(c.id),
            user_profile_id: Some(me.id),
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let events = Arc::new(Recorder::default());
    let engine = Engine {
        pool,
        http: parley::ai::http_client(),
        secrets,
        generations: Arc::new(Generations::default()),
        sink: events.clone(),
    };
    World {
        engine,
        events,
        chat: chat.id,
        mock,
    }
}

#[tokio::test]
async fn a_reply_streams_into_the_database_with_one_terminal_event() {
    let tokens: Vec<String> = (0..300).map(|i| format!("w{i} ")).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let w = world(vec![Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_micros(100),
        end: End::Close,
    }])
    .await;

    let started = generation::send(&w.engine, w.chat, "Hello there".into())
        .await
        .unwrap();
    assert_eq!(started.message.status, MessageStatus::Pending);
    assert_eq!(
        started.user_message.as_ref().unwrap().content,
        "Hello there"
    );
    let end = w.events.wait_end(started.generation_id).await;
    assert!(matches!(end, ChatEvent::Done(_)), "{end:?}");
    assert_eq!(
        w.events.terminals(started.generation_id).len(),
        1,
        "exactly one terminal event"
    );

    let expected: String = tokens.concat();
    let deltas = w.events.deltas(started.generation_id);
    assert_eq!(deltas.concat(), expected, "the deltas add up to the reply");
    assert!(
        deltas.len() < 300,
        "deltas are coalesced: {} for 300 tokens",
        deltas.len()
    );

    let stored = message::get(&w.engine.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(stored.status, MessageStatus::Completed);
    assert_eq!(stored.content, expected);
    let meta = &stored.metadata.0;
    assert_eq!(meta["model"], "mock-1");
    assert_eq!(meta["finishReason"], "stop");
    assert_eq!(
        (meta["inputTokens"].as_i64(), meta["outputTokens"].as_i64()),
        (Some(10), Some(3))
    );
    assert!(
        meta["timeToFirstTokenMs"].is_u64() && meta["durationMs"].is_u64(),
        "{meta}"
    );

    // The prompt: system block with macros resolved, greeting, the user's text.
    let sent = w.mock.requests()[0].json();
    let msgs = sent["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["role"], "system");
    assert!(msgs[0]["content"]
        .as_str()
        .unwrap()
        .contains("Mira captains a ship; Alex is new."));
    assert_eq!(msgs[msgs.len() - 2]["content"], "Welcome aboard.");
    assert_eq!(msgs[msgs.len() - 1]["content"], "Hello there");
}

/// A delta as a window saw it: when it came, when it was drawn, its text.
type Seen = (std::time::Instant, Option<std::time::Instant>, String);

/// A window that draws each delta in `draw` and then says so (and repeats
/// its answer for the delta before, late, as a window may).
struct Window {
    generations: Arc<Generations>,
    draw: Duration,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl EventSink for Window {
    fn emit(&self, event: ChatEvent) {
        let ChatEvent::Delta(d) = event else { return };
        let i = {
            let mut log = self.log.lock().unwrap();
            log.push((std::time::Instant::now(), None, d.text));
            log.len() - 1
        };
        let (generations, log, draw) = (self.generations.clone(), self.log.clone(), self.draw);
        // A late, repeated answer for the delta before changes nothing.
        generations.delta_shown(d.generation_id, d.seq - 1);
        tokio::spawn(async move {
            tokio::time::sleep(draw).await;
            log.lock().unwrap()[i].1 = Some(std::time::Instant::now());
            generations.delta_shown(d.generation_id, d.seq);
        });
    }
}

#[tokio::test]
async fn each_delta_waits_until_the_window_has_drawn_the_one_before() {
    let tokens: Vec<String> = (0..120).map(|i| format!("w{i} ")).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let stream = || Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_millis(4),
        end: End::Close,
    };
    let mut w = world(vec![stream(), stream()]).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    w.engine.sink = Arc::new(Window {
        generations: w.engine.generations.clone(),
        draw: Duration::from_millis(30),
        log: log.clone(),
    });
    let started = generation::send(&w.engine, w.chat, "Hello".into())
        .await
        .unwrap();
    // The window answers the start once it has drawn the new bubble.
    assert!(w.engine.generations.delta_shown(started.generation_id, 0));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while w.engine.generations.in_chat(w.chat).is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the reply never ended"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let log = log.lock().unwrap().clone();
    let text: String = log.iter().map(|(_, _, t)| t.as_str()).collect();
    assert_eq!(text, tokens.concat(), "the deltas add up to the reply");
    // The stream lasts ~480 ms: deltas come about once per drawn frame, not
    // once per token, and never while the window is still drawing (the last
    // one, sent when the reply ends, excepted).
    assert!(
        (4..60).contains(&log.len()),
        "{} deltas for 120 tokens",
        log.len()
    );
    for pair in log[..log.len() - 1].windows(2) {
        let drawn = pair[0].1.expect("every delta was drawn");
        assert!(
            pair[1].0 >= drawn,
            "a delta came {:?} before the window had drawn the one before",
            drawn - pair[1].0
        );
    }
    let stored = message::get(&w.engine.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(stored.content, tokens.concat());

    // A window that never answers still gets the text, a delta at least
    // every SHOWN_WAIT.
    w.engine.sink = w.events.clone();
    let again = generation::regenerate(&w.engine, started.message.id)
        .await
        .unwrap();
    assert!(matches!(
        w.events.wait_end(again.generation_id).await,
        ChatEvent::Done(_)
    ));
    let deltas = w.events.deltas(again.generation_id);
    assert_eq!(deltas.concat(), tokens.concat());
    assert!(
        (2..=12).contains(&deltas.len()),
        "{} deltas in ~480 ms without answers",
        deltas.len()
    );
}

#[tokio::test]
async fn stop_keeps_the_partial_text_as_cancelled() {
    let first = openai_tokens(&["Once ", "upon "])[..2].to_vec();
    let w = world(vec![Reply::Stream {
        chunks: first,
        pause: Duration::from_millis(5),
        end: End::Hang,
    }])
    .await;
    let started = generation::send(&w.engine, w.chat, "Tell me a story".into())
        .await
        .unwrap();
    // Wait for the text to arrive, then stop.
    for _ in 0..500 {
        if w.events.deltas(started.generation_id).concat() == "Once upon " {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(w.engine.generations.stop(started.generation_id));
    let end = w.events.wait_end(started.generation_id).await;
    assert!(matches!(end, ChatEvent::Cancelled(_)), "{end:?}");
    assert_eq!(w.events.terminals(started.generation_id).len(), 1);
    let stored = message::get(&w.engine.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(
        (stored.status, stored.content.as_str()),
        (MessageStatus::Cancelled, "Once upon ")
    );
    assert!(
        !w.engine.generations.stop(started.generation_id),
        "a finished generation is not running"
    );
}

#[tokio::test]
async fn a_fault_mid_stream_keeps_the_text_and_says_why() {
    let first = openai_tokens(&["Half ", "a reply"])[..2].to_vec();
    let w = world(vec![Reply::Stream {
        chunks: first,
        pause: Duration::from_millis(2),
        end: End::Drop,
    }])
    .await;
    let started = generation::send(&w.engine, w.chat, "Go".into())
        .await
        .unwrap();
    let end = w.events.wait_end(started.generation_id).await;
    let ChatEvent::Error(e) = end else {
        panic!("expected an error event, got {end:?}")
    };
    let err = e.error.unwrap();
    assert_eq!(err["type"], "ExternalApiError");
    assert!(err["error"].as_str().unwrap().contains("Mock AI"), "{err}");
    let stored = message::get(&w.engine.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(
        (stored.status, stored.content.as_str()),
        (MessageStatus::Failed, "Half a reply")
    );
    assert!(
        stored.metadata.0["error"]
            .as_str()
            .unwrap()
            .contains("dropped"),
        "{:?}",
        stored.metadata
    );
}

#[tokio::test]
async fn an_http_error_fails_the_reply_in_words() {
    let w = world(vec![status(401, r#"{"error":{"message":"bad key"}}"#)]).await;
    let started = generation::send(&w.engine, w.chat, "Hi".into())
        .await
        .unwrap();
    let ChatEvent::Error(e) = w.events.wait_end(started.generation_id).await else {
        panic!("expected error")
    };
    assert!(e.error.unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("rejected the API key (401)"));
    let stored = message::get(&w.engine.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(stored.status, MessageStatus::Failed);
    // The person's message is kept.
    let page = message::page(&w.engine.pool, w.chat, None, None)
        .await
        .unwrap();
    assert!(page.items.iter().any(|m| m.content == "Hi"));
}

#[tokio::test]
async fn regenerate_adds_a_swipe_and_continue_appends() {
    let w = world(vec![
        stream(openai_tokens(&["First answer."])),
        stream(openai_tokens(&["Second answer."])),
        stream(openai_tokens(&[" And more."])),
    ])
    .await;
    let s1 = generation::send(&w.engine, w.chat, "Question?".into())
        .await
        .unwrap();
    w.events.wait_end(s1.generation_id).await;

    let s2 = generation::regenerate(&w.engine, s1.message.id)
        .await
        .unwrap();
    assert_eq!(s2.message.content, "", "the new swipe starts empty");
    w.events.wait_end(s2.generation_id).await;
    let m = message::get(&w.engine.pool, s1.message.id).await.unwrap();
    assert_eq!(
        (m.content.as_str(), m.swipe_count, m.active_swipe),
        ("Second answer.", 2, 1)
    );
    let back = message::set_swipe(&w.engine.pool, m.id, 0).await.unwrap();
    assert_eq!(back.content, "First answer.");
    assert_eq!(
        back.metadata.0["finishReason"], "stop",
        "the swipe brings its own metadata"
    );
    message::set_swipe(&w.engine.pool, m.id, 1).await.unwrap();

    let s3 = generation::continue_reply(&w.engine, m.id).await.unwrap();
    w.events.wait_end(s3.generation_id).await;
    let m = message::get(&w.engine.pool, m.id).await.unwrap();
    assert_eq!(m.content, "Second answer. And more.");
    assert_eq!(
        w.events.deltas(s3.generation_id).concat(),
        " And more.",
        "continue streams only the new text"
    );
    let last_prompt = w.mock.requests().last().unwrap().json();
    let msgs = last_prompt["messages"].as_array().unwrap();
    assert_eq!(
        msgs.last().unwrap()["content"],
        "Second answer.",
        "the model continues its own reply"
    );
    // The swipe kept step with the continued text.
    let again = message::set_swipe(&w.engine.pool, m.id, 1).await.unwrap();
    assert_eq!(again.content, "Second answer. And more.");

    // Only the last reply can be regenerated.
    let greeting = message::page(&w.engine.pool, w.chat, None, None)
        .await
        .unwrap()
        .items[0]
        .clone();
    let err = generation::regenerate(&w.engine, greeting.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
}

#[tokio::test]
async fn one_generation_per_chat() {
    let first = openai_tokens(&["slow"])[..1].to_vec();
    let w = world(vec![Reply::Stream {
        chunks: first,
        pause: Duration::ZERO,
        end: End::Hang,
    }])
    .await;
    let s = generation::send(&w.engine, w.chat, "One".into())
        .await
        .unwrap();
    let err = generation::send(&w.engine, w.chat, "Two".into())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "ConflictError");
    // The reply being written can be neither edited nor deleted meanwhile.
    let err = message::delete(&w.engine.pool, s.message.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
    let err = message::update(&w.engine.pool, s.message.id, "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
    w.engine.generations.stop(s.generation_id);
    w.events.wait_end(s.generation_id).await;
}

#[tokio::test]
async fn partial_text_is_saved_while_streaming() {
    let tokens: Vec<String> = (0..30).map(|i| format!("t{i} ")).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    // 30 tokens, 100 ms apart: about three seconds of streaming.
    let w = world(vec![Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_millis(100),
        end: End::Close,
    }])
    .await;
    let s = generation::send(&w.engine, w.chat, "Slowly".into())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let mid = message::get(&w.engine.pool, s.message.id).await.unwrap();
    assert_eq!(mid.status, MessageStatus::Streaming);
    assert!(
        mid.content.starts_with("t0 t1 t2 "),
        "saved so far: {:?}",
        mid.content
    );
    assert!(mid.content.len() < tokens.concat().len());
    w.events.wait_end(s.generation_id).await;
}

#[tokio::test]
async fn replies_interrupted_by_a_crash_become_failed_at_startup() {
    let first = openai_tokens(&["Interrupted ", "here"])[..2].to_vec();
    let w = world(vec![Reply::Stream {
        chunks: first,
        pause: Duration::from_millis(2),
        end: End::Hang,
    }])
    .await;
    let s = generation::send(&w.engine, w.chat, "Go".into())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1300)).await;
    // The app "crashes": nothing finishes the generation; the next start sweeps.
    let n = generation::sweep_interrupted(&w.engine.pool).await.unwrap();
    assert_eq!(n, 1);
    let m = message::get(&w.engine.pool, s.message.id).await.unwrap();
    assert_eq!(m.status, MessageStatus::Failed);
    assert_eq!(m.content, "Interrupted here", "the saved text survives");
    assert!(m.metadata.0["error"]
        .as_str()
        .unwrap()
        .starts_with("interrupted"));
}

#[tokio::test]
async fn no_model_means_a_clear_error_and_nothing_written() {
    let w = world(vec![stream(openai_tokens(&["x"]))]).await;
    let bare = chat_session::create(&w.engine.pool, ChatSessionInput::default())
        .await
        .unwrap();
    let err = generation::send(&w.engine, bare.id, "Hello?".into())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "ValidationError");
    assert!(err.to_string().contains("choose a model"), "{err}");
    assert!(message::page(&w.engine.pool, bare.id, None, None)
        .await
        .unwrap()
        .items
        .is_empty());
}

#[tokio::test]
async fn the_prompt_preview_is_what_gets_sent() {
    let w = world(vec![stream(openai_tokens(&["ok"]))]).await;
    message::add(
        &w.engine.pool,
        w.chat,
        parley::models::MessageInput {
            role: parley::models::MessageRole::User,
            content: "Earlier".into(),
        },
    )
    .await
    .unwrap();
    let preview = generation::preview(&w.engine, w.chat).await.unwrap();
    assert_eq!(preview.messages.last().unwrap().content, "Earlier");
    assert_eq!(preview.budget_tokens, 4096 - 256);
    assert_eq!(preview.history_dropped, 0);
}
