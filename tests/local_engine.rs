//! The built-in engine ("This computer") on tiny GGUF models the tests
//! write themselves: llama.cpp really loads and runs them. One engine per
//! process, so the tests take turns (`TURN`).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::gguf_writer::{write_model, Behaviour, SAYS};
use futures_util::StreamExt;
use parley::ai::instruct::Instruct;
use parley::ai::llama::{engine, EngineSettings};
use parley::ai::{ChatRequest, PromptMessage, StreamEvent};
use parley::models::{MessageRole, SamplingParams};

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn model(dir: &Path, name: &str, behaviour: Behaviour) -> PathBuf {
    let path = dir.join(format!("{name}.gguf"));
    write_model(&path, name, behaviour);
    path
}

fn request(path: &Path, said: &[&str], max_tokens: i64) -> ChatRequest {
    let mut messages = vec![PromptMessage {
        role: MessageRole::System,
        content: "You are Mira, a lighthouse keeper.".into(),
    }];
    for (i, text) in said.iter().enumerate() {
        messages.push(PromptMessage {
            role: if i % 2 == 0 {
                MessageRole::User
            } else {
                MessageRole::Assistant
            },
            content: (*text).into(),
        });
    }
    ChatRequest {
        model: path.display().to_string(),
        messages,
        max_tokens,
        params: SamplingParams {
            temperature: Some(0.9),
            top_k: Some(40),
            top_p: Some(0.95),
            min_p: Some(0.05),
            repetition_penalty: Some(1.1),
            ..Default::default()
        },
    }
}

#[derive(Debug, Default)]
struct Reply {
    text: String,
    pieces: usize,
    input: Option<i64>,
    output: Option<i64>,
    finish: Option<String>,
    done: bool,
    error: Option<String>,
}

async fn reply(request: &ChatRequest) -> Reply {
    reply_with(request, None).await
}

async fn reply_with(request: &ChatRequest, instruct: Option<Instruct>) -> Reply {
    let mut out = Reply::default();
    let mut stream = match engine().generate_with(request, instruct) {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    while let Some(event) = stream.next().await {
        match event {
            Ok(StreamEvent::Text(t)) => {
                out.text.push_str(&t);
                out.pieces += 1;
            }
            Ok(StreamEvent::Usage {
                input_tokens,
                output_tokens,
            }) => {
                out.input = input_tokens;
                out.output = output_tokens;
            }
            Ok(StreamEvent::Finish(f)) => out.finish = Some(f),
            Ok(StreamEvent::Done) => out.done = true,
            Ok(_) => {}
            Err(e) => out.error = Some(e.to_string()),
        }
    }
    out
}

fn fresh_settings() {
    engine().set_settings(EngineSettings {
        idle: Duration::from_secs(600),
        context_cap: 2048,
        threads: 2,
    });
    engine().unload();
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_gguf_model_streams_its_reply_through_its_own_chat_template() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let path = model(dir.path(), "says", Behaviour::Says);

    let r = reply(&request(&path, &["Hello, who are you?"], 64)).await;
    assert_eq!(r.error, None);
    assert_eq!(r.text, SAYS, "the words the model was made to say");
    assert!(
        r.pieces >= 5,
        "streamed piece by piece, got {} pieces",
        r.pieces
    );
    assert_eq!(r.finish.as_deref(), Some("stop"));
    assert!(r.done);
    // Five words and the end of the turn; the prompt counted exactly.
    assert_eq!(r.output, Some(6));
    assert!(r.input.unwrap() > 20, "prompt tokens: {:?}", r.input);
    assert_eq!(engine().status().loaded.as_deref(), Some(path.as_path()));
}

#[tokio::test]
async fn a_reply_ends_at_its_length_and_a_dropped_stream_stops_within_one_token() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let path = model(dir.path(), "endless", Behaviour::Endless);

    let r = reply(&request(&path, &["Count for me."], 10)).await;
    assert_eq!(r.error, None);
    assert_eq!(r.finish.as_deref(), Some("length"));
    assert_eq!(r.output, Some(10));
    assert_eq!(
        r.text.trim(),
        "tick tock tick tock tick tock tick tock tick tock"
    );

    // Stop: the stream is dropped after a few words, as the reply task
    // does when the person presses Stop.
    let mut stream = engine()
        .generate(&request(&path, &["Go on for ever."], 100_000))
        .unwrap();
    let mut words = 0;
    while words < 5 {
        if let Some(Ok(StreamEvent::Text(_))) = stream.next().await {
            words += 1;
        }
    }
    drop(stream);
    let at_stop = engine().tokens_made();
    until("the engine to stop", || !engine().busy()).await;
    let after = engine().tokens_made() - at_stop;
    assert!(after <= 1, "{after} tokens were made after the stop");

    // The engine serves the next reply at once.
    let r = reply(&request(&path, &["Again."], 4)).await;
    assert_eq!(r.output, Some(4));
}

#[tokio::test]
async fn the_next_turn_reuses_what_the_context_holds() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let path = model(dir.path(), "says", Behaviour::Says);

    let first = reply(&request(&path, &["Hello there."], 64)).await;
    let first_prompt = first.input.unwrap() as usize;
    assert_eq!(engine().status().last_prompt_computed, first_prompt);

    let second = reply(&request(
        &path,
        &["Hello there.", SAYS, "Tell me more."],
        64,
    ))
    .await;
    assert_eq!(second.text, SAYS);
    let computed = engine().status().last_prompt_computed;
    let prompt = second.input.unwrap() as usize;
    assert!(
        computed < prompt - first_prompt / 2,
        "computed {computed} of {prompt} prompt tokens; the first turn's {first_prompt} should be reused"
    );
}

#[tokio::test]
async fn an_idle_model_is_unloaded_and_only_one_model_is_in_memory() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let a = model(dir.path(), "first", Behaviour::Says);
    let b = model(dir.path(), "second", Behaviour::Says);

    let loads = engine().status().loads;
    assert_eq!(reply(&request(&a, &["Hi."], 8)).await.text, SAYS);
    assert_eq!(reply(&request(&b, &["Hi."], 8)).await.text, SAYS);
    let status = engine().status();
    assert_eq!(
        status.loaded.as_deref(),
        Some(b.as_path()),
        "the second replaced the first"
    );
    assert_eq!(status.loads, loads + 2);

    let mut quick = engine().settings();
    quick.idle = Duration::from_millis(200);
    engine().set_settings(quick);
    // The new idle time applies from the next wait.
    assert_eq!(reply(&request(&b, &["Hi."], 8)).await.text, SAYS);
    until("the idle model to unload", || {
        engine().status().loaded.is_none()
    })
    .await;
    assert_eq!(
        reply(&request(&b, &["Hi."], 8)).await.text,
        SAYS,
        "it loads again when asked"
    );
    assert_eq!(engine().status().loads, loads + 3);
}

#[tokio::test]
async fn files_parley_cannot_run_are_refused_in_words() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();

    let missing = reply(&request(&dir.path().join("gone.gguf"), &["Hi."], 8)).await;
    assert!(
        missing.error.as_deref().unwrap().contains("is not there"),
        "{missing:?}"
    );

    let text = dir.path().join("notes.gguf");
    std::fs::write(&text, "just some notes, renamed").unwrap();
    let r = reply(&request(&text, &["Hi."], 8)).await;
    assert!(
        r.error.as_deref().unwrap().contains("not a GGUF file"),
        "{r:?}"
    );

    let cut = model(dir.path(), "cut", Behaviour::Says);
    let len = std::fs::metadata(&cut).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let r = reply(&request(&cut, &["Hi."], 8)).await;
    assert!(r.error.as_deref().unwrap().contains("cut off"), "{r:?}");

    let alien = dir.path().join("alien.gguf");
    common::gguf_writer::write_with_architecture(&alien, "nosuch");
    let r = reply(&request(&alien, &["Hi."], 8)).await;
    let e = r.error.unwrap_or_default();
    assert!(
        e.contains("could not be loaded") && e.contains("nosuch"),
        "{e}"
    );

    let huge = dir.path().join("huge.gguf");
    common::gguf_writer::write_claiming(&huge, 1 << 40);
    let r = reply(&request(&huge, &["Hi."], 8)).await;
    let e = r.error.unwrap_or_default();
    assert!(e.contains("of memory"), "{e}");

    // Nothing was loaded by any of them, and a good file still works.
    let good = model(dir.path(), "good", Behaviour::Says);
    assert_eq!(reply(&request(&good, &["Hi."], 8)).await.text, SAYS);
}

/// A fixed seed gives the same reply again (a regenerate reproduces it);
/// another seed, or none, samples anew. The random model makes every
/// token a near-even choice, so the seed alone decides the words.
#[tokio::test]
async fn a_fixed_seed_gives_the_same_reply_again() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("random.gguf");
    common::gguf_writer::write_random(&path, common::gguf_writer::Shape::TINY, 11);
    let seeded = |seed: Option<i64>| {
        let mut r = request(&path, &["Tell me a story."], 16);
        r.params = SamplingParams {
            temperature: Some(1.0),
            seed,
            ..Default::default()
        };
        r
    };
    let first = reply(&seeded(Some(42))).await;
    assert_eq!(first.error, None);
    assert!(first.pieces > 0, "{first:?}");
    let other = reply(&seeded(Some(43))).await;
    let again = reply(&seeded(Some(42))).await;
    assert_eq!(again.text, first.text, "seed 42 twice");
    assert_ne!(other.text, first.text, "seeds 42 and 43");
}

/// A model file without a chat template is written to by an instruct
/// template (the person's, else the built-in one its name suggests) and
/// stops where the template's stop strings begin; a model with its own
/// template keeps it.
#[tokio::test]
async fn a_model_without_a_template_uses_the_instruct_template_and_its_stops() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare-ticker.gguf");
    common::gguf_writer::write_model_without_template(&bare, "bare", Behaviour::Endless);
    let own = model(dir.path(), "own-ticker", Behaviour::Endless);
    let instruct = Instruct {
        name: "Test".into(),
        user_prefix: "### User:\n".into(),
        assistant_prefix: "\n### Reply:\n".into(),
        stop: vec![" tock".into()],
        ..Default::default()
    };

    let r = reply_with(&request(&bare, &["Count."], 12), Some(instruct.clone())).await;
    assert_eq!(r.error, None);
    assert_eq!(r.text.trim(), "tick", "cut where the stop string begins");
    assert_eq!(r.finish.as_deref(), Some("stop"));

    // No template of the person's: the built-in format (ChatML here), whose
    // stops never appear in this model's words.
    let r = reply_with(&request(&bare, &["Count."], 6), None).await;
    assert_eq!(r.text.trim(), "tick tock tick tock tick tock");
    assert_eq!(r.finish.as_deref(), Some("length"));

    // The model's own template wins over the person's instruct template.
    let r = reply_with(&request(&own, &["Count."], 6), Some(instruct)).await;
    assert_eq!(r.text.trim(), "tick tock tick tock tick tock");
}

/// A conversation longer than the context, counted by the model's own
/// tokenizer, loses its oldest messages rather than failing: the reply
/// comes, the prompt fits with room for it, and the newest message is in.
#[tokio::test]
async fn a_conversation_too_long_by_exact_count_leaves_out_its_oldest_messages() {
    let _turn = TURN.lock().await;
    fresh_settings();
    let dir = tempfile::tempdir().unwrap();
    let path = model(dir.path(), "says-long", Behaviour::Says);
    // Byte tokens only (this vocabulary has no merges): about 300 tokens
    // each, where the estimate would say about 86.
    let long = "x".repeat(300);
    let mut said: Vec<&str> = vec![long.as_str(); 12];
    said.push("Hi");
    let r = reply(&request(&path, &said, 64)).await;
    assert_eq!(r.error, None, "{r:?}");
    assert_eq!(r.text.trim(), SAYS);
    let input = r.input.unwrap();
    assert!(
        input + 64 <= 2048,
        "the prompt fits with the reply's room: {input}"
    );
    assert!(input > 1500, "only what had to go was left out: {input}");
}
