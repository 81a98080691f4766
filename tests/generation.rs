//! The reply lifecycle against a mock provider: streaming into the
//! database over the reply's own channel (started first, coalesced deltas,
//! exactly one terminal event), a second window joining a running reply,
//! stop keeping the partial text, faults and cut-short streams keeping it
//! too, the length limit, regenerate as swipes, continue, one reply per
//! chat, and the startup sweep.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mock_llm::{openai_tokens, status, stream, End, MockLlm, Reply};
use parley::models::{CharacterInput, ChatSessionInput, Id, MessageStatus};
use parley::services::generation::{self, ReplyEvent, ReplySink, Started};
use parley::services::{chat_session, message};
use parley::state::AppState;

/// A window's channel, as a test sees it: every event, in order, and when
/// each came.
#[derive(Default)]
struct Recorder(Mutex<Vec<ReplyEvent>>, Mutex<Vec<std::time::Instant>>);

/// What a reply's start hands the services: a sink feeding a recorder.
struct Tap(Arc<Recorder>);

impl ReplySink for Tap {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0 .0.lock().unwrap().push(event.clone());
        self.0 .1.lock().unwrap().push(std::time::Instant::now());
        true
    }
}

impl Recorder {
    fn sink(self: &Arc<Self>) -> Box<dyn ReplySink> {
        Box::new(Tap(self.clone()))
    }
    fn events(&self) -> Vec<ReplyEvent> {
        self.0.lock().unwrap().clone()
    }
    fn deltas(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                ReplyEvent::Delta(d) => Some(d.text),
                _ => None,
            })
            .collect()
    }
    fn terminals(&self) -> Vec<ReplyEvent> {
        self.events()
            .into_iter()
            .filter(|e| {
                matches!(
                    e,
                    ReplyEvent::Done { .. }
                        | ReplyEvent::Error { .. }
                        | ReplyEvent::Cancelled { .. }
                )
            })
            .collect()
    }
    async fn wait_end(&self) -> ReplyEvent {
        for _ in 0..1000 {
            if let Some(e) = self.terminals().into_iter().next() {
                // Give a second terminal event the chance to show up.
                tokio::time::sleep(Duration::from_millis(30)).await;
                return e;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the reply never ended");
    }
}

struct World {
    state: AppState,
    chat: Id,
    mock: MockLlm,
}

impl World {
    async fn send(&self, text: &str) -> (Started, Arc<Recorder>) {
        let rec = Arc::new(Recorder::default());
        let s = generation::send(&self.state, self.chat, text.into(), rec.sink())
            .await
            .unwrap();
        (s, rec)
    }
    async fn regenerate(&self, id: Id) -> (Started, Arc<Recorder>) {
        let rec = Arc::new(Recorder::default());
        let s = generation::regenerate(&self.state, id, rec.sink())
            .await
            .unwrap();
        (s, rec)
    }
    /// A stored reply's status, text and `endReason`.
    async fn stored_end(&self, id: Id) -> (MessageStatus, String, String) {
        let m = message::get(&self.state.pool, id).await.unwrap();
        let reason = m.metadata.0["endReason"].as_str().unwrap_or("").to_string();
        (m.status, m.content, reason)
    }
    async fn running(&self) -> bool {
        self.state.replies.in_chat(self.chat).is_some()
    }
}

async fn world(replies: Vec<Reply>) -> World {
    let pool = common::pool().await;
    let mock = MockLlm::start(replies).await;
    let model = common::mock_model(&pool, &mock.base_url).await;
    let mira = CharacterInput {
        name: "Mira".into(),
        description: "{{char}} captains a ship; {{user}} is new.".into(),
        first_message: "Welcome aboard.".into(),
        ..Default::default()
    };
    let chat = common::chat_with_persona(&pool, mira, "Alex", model.id).await;
    let state = common::state(pool);
    World { state, chat, mock }
}

fn words(n: usize, prefix: &str) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i} ")).collect()
}

fn refs(tokens: &[String]) -> Vec<&str> {
    tokens.iter().map(String::as_str).collect()
}

#[tokio::test]
async fn a_reply_streams_over_its_channel_into_the_database() {
    let tokens = words(300, "w");
    let w = world(vec![Reply::Stream {
        chunks: openai_tokens(&refs(&tokens)),
        pause: Duration::from_micros(100),
        end: End::Close,
    }])
    .await;

    let (started, rec) = w.send("Hello there").await;
    assert_eq!(started.message.status, MessageStatus::Pending);
    assert_eq!(
        started.user_message.as_ref().unwrap().content,
        "Hello there"
    );
    let end = rec.wait_end().await;
    assert!(matches!(end, ReplyEvent::Done { .. }), "{end:?}");
    let events = rec.events();
    let ReplyEvent::Started(first) = &events[0] else {
        panic!("the channel hears `started` first: {:?}", events[0])
    };
    assert_eq!(first.message.id, started.message.id);
    assert_eq!(rec.terminals().len(), 1, "exactly one terminal event");
    assert!(
        matches!(events.last(), Some(ReplyEvent::Done { .. })),
        "nothing after the terminal event"
    );

    let expected: String = tokens.concat();
    let deltas = rec.deltas();
    assert_eq!(deltas.concat(), expected, "the deltas add up to the reply");
    assert!(
        deltas.len() < 300,
        "deltas are coalesced: {} for 300 tokens",
        deltas.len()
    );

    let stored = message::get(&w.state.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(stored.status, MessageStatus::Completed);
    assert_eq!(stored.content, expected);
    let meta = &stored.metadata.0;
    assert_eq!(meta["model"], "mock-1");
    assert_eq!(meta["finishReason"], "stop");
    assert_eq!(meta["endReason"], "completed");
    assert_eq!(
        (meta["inputTokens"].as_i64(), meta["outputTokens"].as_i64()),
        (Some(10), Some(3))
    );
    assert!(
        meta["timeToFirstTokenMs"].is_u64() && meta["durationMs"].is_u64(),
        "{meta}"
    );
    let ReplyEvent::Done { message: done } = end else {
        unreachable!()
    };
    assert_eq!(done.content, expected, "done carries the stored reply");

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

#[tokio::test]
async fn a_window_that_joins_a_running_reply_gets_all_of_it() {
    let tokens = words(60, "j");
    let w = world(vec![Reply::Stream {
        chunks: openai_tokens(&refs(&tokens)),
        pause: Duration::from_millis(20),
        end: End::Close,
    }])
    .await;
    let nobody = Arc::new(Recorder::default());
    assert!(
        w.state.replies.attach(w.chat, nobody.sink()).is_none(),
        "nothing to join before a reply"
    );
    let (started, rec) = w.send("Go on").await;
    // Join once some text has gone out, well before the end.
    while rec.deltas().len() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let joined = Arc::new(Recorder::default());
    let (generation_id, message_id) = w.state.replies.attach(w.chat, joined.sink()).unwrap();
    assert_eq!(
        (generation_id, message_id),
        (started.generation_id, started.message.id)
    );
    rec.wait_end().await;
    joined.wait_end().await;
    let events = joined.events();
    let ReplyEvent::Started(so_far) = &events[0] else {
        panic!("a joining window hears `started` first: {:?}", events[0])
    };
    assert!(
        !so_far.message.content.is_empty() && so_far.message.content.len() < tokens.concat().len(),
        "it joined mid-reply: {:?}",
        so_far.message.content
    );
    assert_eq!(
        format!("{}{}", so_far.message.content, joined.deltas().concat()),
        tokens.concat(),
        "the text so far and the later deltas add up to the reply, nothing twice"
    );
    assert_eq!(joined.terminals().len(), 1);
    assert!(nobody.events().is_empty());
}

/// A delta as a window saw it: when it came, when it was drawn, its text.
type Seen = (std::time::Instant, Option<std::time::Instant>, String);

/// A window that draws each delta in `draw` and then says so (and repeats
/// its answer for the delta before, late, as a window may).
struct Window {
    replies: Arc<generation::Replies>,
    generation: Arc<Mutex<Option<Id>>>,
    draw: Duration,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl ReplySink for Window {
    fn send(&self, event: &ReplyEvent) -> bool {
        let d = match event {
            ReplyEvent::Started(s) => {
                *self.generation.lock().unwrap() = Some(s.generation_id);
                return true;
            }
            ReplyEvent::Delta(d) => d.clone(),
            _ => return true,
        };
        let generation = self.generation.lock().unwrap().unwrap();
        let i = {
            let mut log = self.log.lock().unwrap();
            log.push((std::time::Instant::now(), None, d.text));
            log.len() - 1
        };
        let (replies, log, draw) = (self.replies.clone(), self.log.clone(), self.draw);
        // A late, repeated answer for the delta before changes nothing.
        replies.delta_shown(generation, d.seq - 1);
        tokio::spawn(async move {
            tokio::time::sleep(draw).await;
            log.lock().unwrap()[i].1 = Some(std::time::Instant::now());
            replies.delta_shown(generation, d.seq);
        });
        true
    }
}

#[tokio::test]
async fn each_delta_waits_until_the_window_has_drawn_the_one_before() {
    let tokens = words(120, "w");
    let stream = || Reply::Stream {
        chunks: openai_tokens(&refs(&tokens)),
        pause: Duration::from_millis(4),
        end: End::Close,
    };
    let w = world(vec![stream(), stream()]).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let window = Window {
        replies: w.state.replies.clone(),
        generation: Arc::default(),
        draw: Duration::from_millis(30),
        log: log.clone(),
    };
    let started = generation::send(&w.state, w.chat, "Hello".into(), Box::new(window))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while w.running().await {
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
    let stored = message::get(&w.state.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(stored.content, tokens.concat());

    // A window that never answers still gets the text, a delta at least
    // every SHOWN_WAIT.
    let (_, rec) = w.regenerate(started.message.id).await;
    assert!(matches!(rec.wait_end().await, ReplyEvent::Done { .. }));
    let deltas = rec.deltas();
    assert_eq!(deltas.concat(), tokens.concat());
    assert!(
        (2..=12).contains(&deltas.len()),
        "{} deltas in ~480 ms without answers",
        deltas.len()
    );
}

#[tokio::test]
async fn the_first_delta_does_not_wait_for_the_window() {
    // A window that never answers. Were the first delta held until the
    // window had drawn the new bubble, it would come SHOWN_WAIT (100 ms)
    // after `started` at the earliest; it goes as soon as the text is here.
    let w = world(vec![Reply::Stream {
        chunks: openai_tokens(&["Hi", " there"]),
        pause: Duration::from_millis(300),
        end: End::Close,
    }])
    .await;
    let (_, rec) = w.send("Hello").await;
    rec.wait_end().await;
    let events = rec.events();
    let times = rec.1.lock().unwrap().clone();
    let first = events
        .iter()
        .position(|e| matches!(e, ReplyEvent::Delta(_)))
        .unwrap();
    let waited = times[first] - times[0];
    assert!(
        waited < generation::SHOWN_WAIT,
        "the first delta came {waited:?} after `started`"
    );
    assert_eq!(rec.deltas(), ["Hi", " there"]);
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
    let (started, rec) = w.send("Tell me a story").await;
    // Wait for the text to arrive, then stop.
    for _ in 0..500 {
        if rec.deltas().concat() == "Once upon " {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(w.state.replies.stop(started.generation_id));
    let end = rec.wait_end().await;
    assert!(matches!(end, ReplyEvent::Cancelled { .. }), "{end:?}");
    assert_eq!(rec.terminals().len(), 1);
    let stored = message::get(&w.state.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(
        (stored.status, stored.content.as_str()),
        (MessageStatus::Cancelled, "Once upon ")
    );
    assert_eq!(stored.metadata.0["endReason"], "stopped");
    assert!(
        !w.state.replies.stop(started.generation_id),
        "a finished reply is not running"
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
    let (started, rec) = w.send("Go").await;
    let end = rec.wait_end().await;
    let ReplyEvent::Error { error, message } = end else {
        panic!("expected an error event, got {end:?}")
    };
    let err = serde_json::to_value(&error).unwrap();
    assert_eq!(err["type"], "ExternalApiError");
    assert!(err["error"].as_str().unwrap().contains("Mock AI"), "{err}");
    assert_eq!(message.unwrap().content, "Half a reply");
    let stored = message::get(&w.state.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(
        (stored.status, stored.content.as_str()),
        (MessageStatus::Failed, "Half a reply")
    );
    assert_eq!(stored.metadata.0["endReason"], "failed");
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
async fn a_stream_that_ends_without_finishing_is_cut_short() {
    // Text, then the server closes cleanly: no finish reason, no [DONE].
    let first = openai_tokens(&["Cut ", "here"])[..2].to_vec();
    let w = world(vec![Reply::Stream {
        chunks: first,
        pause: Duration::from_millis(2),
        end: End::Close,
    }])
    .await;
    let (started, rec) = w.send("Go").await;
    let ReplyEvent::Error { error, .. } = rec.wait_end().await else {
        panic!("a cut-short reply ends in an error event")
    };
    assert!(error.to_string().contains("cut short"), "{error}");
    assert_eq!(
        w.stored_end(started.message.id).await,
        (MessageStatus::Failed, "Cut here".into(), "cut_short".into())
    );
}

#[tokio::test]
async fn a_reply_stopped_by_the_length_limit_says_so_and_keeps_its_text() {
    let mut chunks = openai_tokens(&["Long ", "answer"]);
    chunks.pop();
    chunks.push(
        b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n"
            .to_vec(),
    );
    let w = world(vec![stream(chunks)]).await;
    let (started, rec) = w.send("Go").await;
    assert!(matches!(rec.wait_end().await, ReplyEvent::Done { .. }));
    assert_eq!(
        w.stored_end(started.message.id).await,
        (
            MessageStatus::Completed,
            "Long answer".into(),
            "length".into()
        )
    );
}

#[tokio::test]
async fn an_http_error_fails_the_reply_in_words() {
    let w = world(vec![status(401, r#"{"error":{"message":"bad key"}}"#)]).await;
    let (started, rec) = w.send("Hi").await;
    let ReplyEvent::Error { error, .. } = rec.wait_end().await else {
        panic!("expected error")
    };
    assert!(
        error.to_string().contains("rejected the API key (401)"),
        "{error}"
    );
    let stored = message::get(&w.state.pool, started.message.id)
        .await
        .unwrap();
    assert_eq!(stored.status, MessageStatus::Failed);
    // The person's message is kept.
    let page = message::page(&w.state.pool, w.chat, None, None)
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
    let (s1, rec) = w.send("Question?").await;
    rec.wait_end().await;

    let (s2, rec) = w.regenerate(s1.message.id).await;
    assert_eq!(s2.message.content, "", "the new swipe starts empty");
    rec.wait_end().await;
    let m = message::get(&w.state.pool, s1.message.id).await.unwrap();
    assert_eq!(
        (m.content.as_str(), m.swipe_count, m.active_swipe),
        ("Second answer.", 2, 1)
    );
    let back = message::set_swipe(&w.state.pool, m.id, 0).await.unwrap();
    assert_eq!(back.content, "First answer.");
    assert_eq!(
        back.metadata.0["finishReason"], "stop",
        "the swipe brings its own metadata"
    );
    message::set_swipe(&w.state.pool, m.id, 1).await.unwrap();

    let rec = Arc::new(Recorder::default());
    let s3 = generation::continue_reply(&w.state, m.id, rec.sink())
        .await
        .unwrap();
    assert_eq!(
        s3.message.content, "Second answer.",
        "continue starts from the text there"
    );
    rec.wait_end().await;
    let m = message::get(&w.state.pool, m.id).await.unwrap();
    assert_eq!(m.content, "Second answer. And more.");
    assert_eq!(
        rec.deltas().concat(),
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
    let again = message::set_swipe(&w.state.pool, m.id, 1).await.unwrap();
    assert_eq!(again.content, "Second answer. And more.");

    // Only the last reply can be regenerated.
    let greeting = message::page(&w.state.pool, w.chat, None, None)
        .await
        .unwrap()
        .items[0]
        .clone();
    let err = generation::regenerate(&w.state, greeting.id, Arc::new(Recorder::default()).sink())
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), "BusinessRuleError");
}

#[tokio::test]
async fn one_reply_per_chat() {
    let first = openai_tokens(&["slow"])[..1].to_vec();
    let w = world(vec![Reply::Stream {
        chunks: first,
        pause: Duration::ZERO,
        end: End::Hang,
    }])
    .await;
    let (s, rec) = w.send("One").await;
    let err = generation::send(
        &w.state,
        w.chat,
        "Two".into(),
        Arc::new(Recorder::default()).sink(),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(err.kind(), "ConflictError");
    // The reply being written can be neither edited nor deleted meanwhile.
    let err = message::delete(&w.state.pool, s.message.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
    let err = message::update(&w.state.pool, s.message.id, "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
    w.state.replies.stop(s.generation_id);
    rec.wait_end().await;
}

#[tokio::test]
async fn partial_text_is_saved_while_streaming() {
    let tokens = words(30, "t");
    // 30 tokens, 100 ms apart: about three seconds of streaming.
    let w = world(vec![Reply::Stream {
        chunks: openai_tokens(&refs(&tokens)),
        pause: Duration::from_millis(100),
        end: End::Close,
    }])
    .await;
    let (s, rec) = w.send("Slowly").await;
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let mid = message::get(&w.state.pool, s.message.id).await.unwrap();
    assert_eq!(mid.status, MessageStatus::Streaming);
    assert!(
        mid.content.starts_with("t0 t1 t2 "),
        "saved so far: {:?}",
        mid.content
    );
    assert!(mid.content.len() < tokens.concat().len());
    rec.wait_end().await;
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
    let (s, _rec) = w.send("Go").await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    // The app "crashes": nothing finishes the reply; the next start sweeps.
    let n = generation::sweep_interrupted(&w.state.pool).await.unwrap();
    assert_eq!(n, 1);
    let m = message::get(&w.state.pool, s.message.id).await.unwrap();
    assert_eq!(m.status, MessageStatus::Failed);
    assert_eq!(m.content, "Interrupted here", "the saved text survives");
    assert_eq!(m.metadata.0["endReason"], "interrupted");
    assert!(m.metadata.0["error"]
        .as_str()
        .unwrap()
        .starts_with("interrupted"));
}

#[tokio::test]
async fn no_model_means_a_clear_error_and_nothing_written() {
    let w = world(vec![stream(openai_tokens(&["x"]))]).await;
    // The only model goes: no default can stand in.
    let model = chat_session::get(&w.state.pool, w.chat)
        .await
        .unwrap()
        .ai_model_id
        .unwrap();
    parley::services::ai_model::delete(&w.state.pool, model)
        .await
        .unwrap();
    let bare = chat_session::create(&w.state.pool, ChatSessionInput::default())
        .await
        .unwrap();
    let rec = Arc::new(Recorder::default());
    let err = generation::send(&w.state, bare.id, "Hello?".into(), rec.sink())
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), "ValidationError");
    assert!(
        err.to_string().contains("Providers & models"),
        "the error names the place that fixes it: {err}"
    );
    assert!(rec.events().is_empty(), "nothing started, nothing heard");
    assert!(message::page(&w.state.pool, bare.id, None, None)
        .await
        .unwrap()
        .items
        .is_empty());
}

#[tokio::test]
async fn the_prompt_preview_is_what_gets_sent() {
    let w = world(vec![stream(openai_tokens(&["ok"]))]).await;
    message::add(
        &w.state.pool,
        w.chat,
        parley::models::MessageInput {
            role: parley::models::MessageRole::User,
            content: "Earlier".into(),
        },
    )
    .await
    .unwrap();
    let preview = generation::preview(&w.state, w.chat).await.unwrap();
    assert_eq!(preview.prompt.messages.last().unwrap().content, "Earlier");
    assert_eq!(preview.prompt.budget_tokens, 4096 - 256);
    assert_eq!(preview.prompt.history_dropped, 0);
    // The values it goes with, and where each comes from.
    let values = serde_json::to_value(preview.generation).unwrap();
    assert_eq!(values["contextLength"], 4096);
    assert_eq!(values["source"]["contextLength"], "model");
    assert_eq!(values["source"]["temperature"], "settings");
}
