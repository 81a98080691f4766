//! A chat's memory entries (`services::chat_memory`) and the background
//! summarizer (`services::memory`: `summary_queue`, `summary_worker`), against real SQLite and
//! the mock provider: a long chat whose history no longer fits a small
//! context gets summaries tied to the ranges that fell out, oldest first;
//! the person adds, edits, pins and deletes entries, with bad ranges
//! refused in words; editing or deleting a message inside a range marks
//! its entry stale (and a stale summary is written again), outside it
//! does not; a reply starting on the same model interrupts a running
//! summary, which is written after the reply; a failing summary says why
//! and is tried again.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mock_llm::{openai_tokens, stream, End, MockLlm, Reply};
use common::{new_character, pool, provider_with_model};
use parley::error::AppError;
use parley::models::{
    ChatMemory, ChatMemoryInput, ChatSessionInput, Id, MadeBy, MessageInput, MessageRole,
    ProviderKind,
};
use parley::services::generation::{self, ReplyEvent, ReplySink};
use parley::services::memory::summary_queue::{Summaries, SummaryStatus};
use parley::services::memory::summary_worker;
use parley::services::{chat_memory, chat_session, message};
use parley::state::AppState;

/// A reply's terminal event, as a window would hear it.
#[derive(Default, Clone)]
struct Ends(Arc<Mutex<Vec<ReplyEvent>>>);

impl ReplySink for Ends {
    fn send(&self, event: &ReplyEvent) -> bool {
        if matches!(
            event,
            ReplyEvent::Done { .. } | ReplyEvent::Error { .. } | ReplyEvent::Cancelled { .. }
        ) {
            self.0.lock().unwrap().push(event.clone());
        }
        true
    }
}

struct World {
    state: AppState,
    chat: Id,
    model: Id,
    mock: MockLlm,
}

/// A chat of `n` messages ("[m0]", "[m1]", ... with some words each, about
/// 30 tokens) with Sia on a model of 600 tokens of context (256 of them for
/// the reply): the last ten or so fit, the rest fall out.
async fn long_chat(n: usize, replies: Vec<Reply>) -> World {
    let pool = pool().await;
    let mock = MockLlm::start(replies).await;
    let model = provider_with_model(
        &pool,
        "Mock AI",
        ProviderKind::OpenaiCompatible,
        &mock.base_url,
        "mock-1",
        Some(600),
    )
    .await;
    let sia = new_character(&pool, "Sia").await;
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(sia),
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for i in 0..n {
        let role = if i % 2 == 0 {
            MessageRole::User
        } else {
            MessageRole::Assistant
        };
        message::add(
            &pool,
            chat.id,
            MessageInput {
                role,
                content: format!(
                    "[m{i}] we walked along the harbour and talked about boats and the weather"
                ),
            },
        )
        .await
        .unwrap();
    }
    let mut state = common::state(pool);
    state.summaries = Arc::new(Summaries::with_backoff(vec![
        Duration::from_millis(300),
        Duration::from_millis(300),
    ]));
    summary_worker::start(&state);
    World {
        state,
        chat: chat.id,
        model: model.id,
        mock,
    }
}

impl World {
    async fn entries(&self) -> Vec<ChatMemory> {
        let mut all = chat_memory::list(&self.state.pool, self.chat)
            .await
            .unwrap();
        all.reverse();
        all
    }
    fn status(&self) -> SummaryStatus {
        self.state.summaries.status(self.chat)
    }
    /// The seq of the oldest message the next reply's prompt holds.
    async fn window_start(&self) -> i64 {
        let p = generation::preview(&self.state, self.chat).await.unwrap();
        let (page, _) = parley::repos::message::page(
            &self.state.pool,
            self.chat,
            None,
            u32::try_from(p.prompt.history_included).unwrap(),
        )
        .await
        .unwrap();
        page[0].seq
    }
    async fn send(&self, text: &str) -> Ends {
        let ends = Ends::default();
        generation::send(&self.state, self.chat, text.into(), Box::new(ends.clone()))
            .await
            .unwrap();
        ends
    }
    async fn message_at(&self, seq: i64) -> Id {
        parley::repos::message::page_from(&self.state.pool, self.chat, seq, 1)
            .await
            .unwrap()[0]
            .id
    }
}

/// Waits up to 15 s for `cond`.
async fn until<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1500 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting: {what}");
}

fn answer(text: &str) -> Reply {
    stream(openai_tokens(&[text]))
}

#[tokio::test]
async fn a_long_chat_gets_summaries_of_the_ranges_that_fell_out_after_a_reply() {
    let w = long_chat(40, vec![answer("Of course.")]).await;
    // The answer to the n-th summary request is "Summary number n.".
    for i in 1..=8 {
        w.mock
            .answer_summary(answer(&format!("Summary number {i}.")));
    }
    assert!(w.entries().await.is_empty());

    let ends = w.send("Where did we walk?").await;
    until("the reply and its summaries", || async {
        !ends.0.lock().unwrap().is_empty()
            && w.status() == SummaryStatus::Idle
            && !w.entries().await.is_empty()
    })
    .await;
    assert!(matches!(ends.0.lock().unwrap()[0], ReplyEvent::Done { .. }));

    let entries = w.entries().await;
    let start = w.window_start().await;
    let asked = w.mock.summary_requests();
    assert!(
        start > 20,
        "most of the chat fell out of the window: {start}"
    );
    assert_eq!(asked.len(), entries.len(), "one request per entry");
    assert!(entries.len() >= 2, "{entries:?}");
    // Oldest first, back to back from the first message, all out of the window.
    assert_eq!(entries[0].first_seq, 0);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.made_by, MadeBy::Model);
        assert_eq!(e.ai_model_id, Some(w.model));
        assert!(!e.stale && !e.pinned);
        assert!(
            e.last_seq < start,
            "{e:?} reaches into the window at {start}"
        );
        assert_eq!(e.content, format!("Summary number {}.", i + 1));
        if i > 0 {
            assert_eq!(e.first_seq, entries[i - 1].last_seq + 1);
        }
        // The model read exactly the messages of the range, in order.
        let body = asked[i].json()["messages"][1]["content"]
            .as_str()
            .unwrap()
            .to_string();
        let inside: Vec<i64> = (0..40)
            .filter(|s| body.contains(&format!("[m{s}]")))
            .collect();
        assert_eq!(inside, (e.first_seq..=e.last_seq).collect::<Vec<_>>());
        assert!(
            body.starts_with("User: [m") || body.starts_with("Sia: [m"),
            "{body}"
        );
        let system = asked[i].json()["messages"][0]["content"].clone();
        assert_eq!(
            system,
            parley::services::template::builtin::SUMMARY_INSTRUCTION
        );
    }
    assert_eq!(
        w.mock.requests().len(),
        1,
        "summaries never take a reply's answer"
    );

    // A message edited inside the first range makes it stale; the next run
    // writes it again over the same range.
    let before = entries[0].clone();
    message::update(
        &w.state.pool,
        w.message_at(1).await,
        "[m1] we sailed to the island instead",
    )
    .await
    .unwrap();
    assert!(w.entries().await[0].stale);
    summary_worker::resummarize(&w.state, w.chat, None);
    until("the stale entry rewritten", || async {
        !w.entries().await[0].stale && w.status() == SummaryStatus::Idle
    })
    .await;
    let after = w.entries().await[0].clone();
    assert_eq!(
        (after.id, after.first_seq, after.last_seq),
        (before.id, 0, before.last_seq)
    );
    let asked = w.mock.summary_requests();
    let n = asked
        .iter()
        .position(|r| r.body.contains("sailed to the island instead"))
        .expect("the model read the edited message")
        + 1;
    assert!(n > entries.len());
    assert_eq!(after.content, format!("Summary number {n}."));
    assert_eq!(after.made_by, MadeBy::Model);
}

#[tokio::test]
async fn a_person_adds_edits_pins_and_deletes_entries_and_bad_input_is_refused_in_words() {
    let w = long_chat(12, vec![answer("Fine.")]).await;
    let pool = &w.state.pool;
    let add = |first: i64, last: i64, content: &str| {
        chat_memory::add(
            pool,
            w.chat,
            ChatMemoryInput {
                first_seq: first,
                last_seq: last,
                content: content.into(),
            },
        )
    };
    let field = |e: AppError| match e {
        AppError::Validation { field, message, .. } => (field, message),
        other => panic!("not a validation error: {other:?}"),
    };

    let (f, words) = field(add(5, 2, "Backwards").await.unwrap_err());
    assert_eq!(f, "last_seq");
    assert!(words.contains("messages 6–3"), "{words}");
    let (f, words) = field(add(3, 40, "Too far").await.unwrap_err());
    assert_eq!(f, "first_seq");
    assert!(words.contains("no message 4 or 41"), "{words}");
    let (f, _) = field(add(0, 3, "   ").await.unwrap_err());
    assert_eq!(f, "content");
    let (f, _) = field(add(-1, 3, "Before the start").await.unwrap_err());
    assert_eq!(f, "first_seq");
    assert!(w.entries().await.is_empty(), "nothing was written");

    let first = add(0, 3, "  They met at the harbour.  ").await.unwrap();
    assert_eq!(first.content, "They met at the harbour.");
    assert_eq!(
        (first.made_by, first.pinned, first.stale),
        (MadeBy::Person, false, false)
    );
    let second = add(4, 9, "They talked about boats.").await.unwrap();
    let listed = chat_memory::list(pool, w.chat).await.unwrap();
    assert_eq!(
        listed.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![second.id, first.id],
        "newest range first"
    );

    let edited = chat_memory::update(pool, first.id, "They met at the old harbour.")
        .await
        .unwrap();
    assert_eq!(edited.content, "They met at the old harbour.");
    assert_eq!(edited.made_by, MadeBy::Person);
    assert!(chat_memory::update(pool, first.id, "").await.is_err());
    assert_eq!(
        chat_memory::get(pool, first.id).await.unwrap().content,
        "They met at the old harbour."
    );

    assert!(
        chat_memory::set_pinned(pool, second.id, true)
            .await
            .unwrap()
            .pinned
    );
    assert!(chat_memory::get(pool, second.id).await.unwrap().pinned);
    assert!(
        !chat_memory::set_pinned(pool, second.id, false)
            .await
            .unwrap()
            .pinned
    );

    chat_memory::delete(pool, second.id).await.unwrap();
    assert!(matches!(
        chat_memory::get(pool, second.id).await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        chat_memory::delete(pool, second.id).await,
        Err(AppError::NotFound { .. })
    ));
    assert_eq!(w.entries().await.len(), 1);

    // A chat in the trash takes no new entry and is never summarized.
    chat_session::delete(pool, w.chat).await.unwrap();
    assert!(matches!(
        add(0, 1, "In the trash").await,
        Err(AppError::BusinessRule { .. })
    ));
    summary_worker::resummarize(&w.state, w.chat, None);
    until("the trashed chat skipped", || async {
        w.status() == SummaryStatus::Idle
    })
    .await;
    assert!(w.mock.summary_requests().is_empty());
}

#[tokio::test]
async fn editing_or_deleting_a_message_in_a_range_marks_its_entry_stale_and_outside_it_does_not() {
    let w = long_chat(20, vec![answer("Fine.")]).await;
    let pool = &w.state.pool;
    let entry = |first: i64, last: i64| {
        chat_memory::add(
            pool,
            w.chat,
            ChatMemoryInput {
                first_seq: first,
                last_seq: last,
                content: format!("Messages {first} to {last}."),
            },
        )
    };
    let a = entry(0, 4).await.unwrap();
    let b = entry(5, 9).await.unwrap();
    let stale = |id: Id| async move { chat_memory::get(pool, id).await.unwrap().stale };

    message::update(pool, w.message_at(15).await, "[m15] outside every range")
        .await
        .unwrap();
    assert!(
        !stale(a.id).await && !stale(b.id).await,
        "an edit outside the ranges"
    );

    message::update(pool, w.message_at(2).await, "[m2] changed")
        .await
        .unwrap();
    assert!(stale(a.id).await, "an edit inside the first range");
    assert!(!stale(b.id).await);

    message::delete(pool, w.message_at(7).await).await.unwrap();
    assert!(
        stale(b.id).await,
        "a message deleted inside the second range"
    );

    // The person's edit makes it theirs and fresh again.
    let fixed = chat_memory::update(pool, a.id, "Fixed by hand.")
        .await
        .unwrap();
    assert!(!fixed.stale);
    assert!(stale(b.id).await);
    // A stale entry of the person's is not rewritten by a run on its own.
    summary_worker::resummarize(&w.state, w.chat, None);
    until("the run", || async { w.status() == SummaryStatus::Idle }).await;
    assert!(w.mock.summary_requests().is_empty());
    assert_eq!(
        chat_memory::get(pool, b.id).await.unwrap().content,
        "Messages 5 to 9."
    );
    // Asked for, it is.
    w.mock.answer_summary(answer("Rewritten on request."));
    summary_worker::resummarize(&w.state, w.chat, Some(b.id));
    until("the entry rewritten", || async { !stale(b.id).await }).await;
    let b2 = chat_memory::get(pool, b.id).await.unwrap();
    assert_eq!(
        (b2.content.as_str(), b2.made_by),
        ("Rewritten on request.", MadeBy::Model)
    );
}

#[tokio::test]
async fn a_reply_on_the_same_model_interrupts_a_running_summary_which_is_written_after_it() {
    // The reply streams for about a second.
    let tokens: Vec<String> = (0..20).map(|i| format!("t{i} ")).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let w = long_chat(
        40,
        vec![Reply::Stream {
            chunks: openai_tokens(&refs),
            pause: Duration::from_millis(50),
            end: End::Close,
        }],
    )
    .await;
    // The first summary is slow: it would never finish on its own.
    w.mock.answer_summary(Reply::Stream {
        chunks: openai_tokens(&["Slow ", "summary"]),
        pause: Duration::from_secs(30),
        end: End::Hang,
    });
    w.mock.answer_summary(answer("Written after the reply."));
    summary_worker::resummarize(&w.state, w.chat, None);
    until("the summary running", || async {
        matches!(w.status(), SummaryStatus::Running { .. }) && w.mock.summary_requests().len() == 1
    })
    .await;

    let ends = w.send("Tell me more.").await;
    until("the summary giving way", || async {
        matches!(
            w.status(),
            SummaryStatus::WaitingForReply { first_seq: 0, .. }
        )
    })
    .await;
    assert!(w.entries().await.is_empty());
    assert_eq!(
        w.mock.summary_requests().len(),
        1,
        "nothing asked while the reply runs"
    );
    until("the reply", || async { !ends.0.lock().unwrap().is_empty() }).await;
    assert!(matches!(ends.0.lock().unwrap()[0], ReplyEvent::Done { .. }));

    until("the summary written after the reply", || async {
        !w.entries().await.is_empty()
    })
    .await;
    let first = &w.entries().await[0];
    assert_eq!(first.content, "Written after the reply.");
    assert_eq!(first.first_seq, 0);
    assert!(w.mock.summary_requests().len() >= 2);
}

#[tokio::test]
async fn a_failing_summary_says_why_and_is_tried_again() {
    let w = long_chat(40, vec![answer("Fine.")]).await;
    // No answer queued: the mock says 503 to summaries.
    summary_worker::resummarize(&w.state, w.chat, None);
    until("the failure", || async {
        matches!(w.status(), SummaryStatus::Failed { .. })
    })
    .await;
    let SummaryStatus::Failed {
        error,
        tries,
        retry_in_secs,
    } = w.status()
    else {
        unreachable!()
    };
    assert_eq!(tries, 1);
    assert!(retry_in_secs.is_some(), "a retry is planned");
    assert!(
        error.contains("Mock AI"),
        "the words name the provider: {error}"
    );
    assert!(error.contains("503"), "{error}");
    assert!(w.entries().await.is_empty());

    // The second try fails too; the third finds the model answering.
    until("the second try", || async {
        w.mock.summary_requests().len() >= 2
    })
    .await;
    w.mock.answer_summary(answer("Finally summarized."));
    for _ in 0..4 {
        w.mock.answer_summary(answer("And the rest."));
    }
    until("the retry that works", || async {
        !w.entries().await.is_empty()
    })
    .await;
    assert_eq!(w.entries().await[0].content, "Finally summarized.");
    until("idle", || async { w.status() == SummaryStatus::Idle }).await;
}
