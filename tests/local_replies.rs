//! Replies from "This computer" through the one reply path: a GGUF file
//! added as a model, then send, stop, continue and regenerate in a chat,
//! each reply streamed, saved and ended by exactly one terminal event, as
//! with every provider. The models are the tests' own tiny files.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::gguf_writer::{write_model, Behaviour, SAYS};
use common::recorder::Recorder;
use parley::models::{AiModelInput, CharacterInput, Id, MessageStatus};
use parley::services::generation::{self, ReplyEvent};
use parley::services::{ai_model, local_model, message};
use parley::state::AppState;

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct World {
    state: AppState,
    chat: Id,
    model: Id,
    _dir: tempfile::TempDir,
}

async fn world(behaviour: Behaviour, max_tokens: i64) -> World {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.gguf");
    write_model(&file, "Tiny Lighthouse 1B", behaviour);
    let pool = common::pool().await;
    let secrets = parley::secrets::MemorySecretStore::default();
    let model = local_model::add(
        &pool,
        &secrets,
        &dir.path().join("parley.db"),
        &file.display().to_string(),
    )
    .await
    .unwrap();
    assert_eq!(
        model.display_name, "Tiny Lighthouse 1B",
        "named from the file's metadata"
    );
    assert_eq!(
        model.context_length,
        Some(2048),
        "the context the file was trained for"
    );
    let again = local_model::add(
        &pool,
        &secrets,
        &dir.path().join("parley.db"),
        &file.display().to_string(),
    )
    .await
    .unwrap();
    assert_eq!(again.id, model.id, "the same file is the same model");
    let input = AiModelInput {
        provider_id: Some(model.provider_id),
        model_id: model.model_id.clone(),
        display_name: model.display_name.clone(),
        context_length: model.context_length,
        max_output_tokens: Some(max_tokens),
        ..Default::default()
    };
    ai_model::update(&pool, model.id, input).await.unwrap();
    let mira = CharacterInput {
        name: "Mira".into(),
        description: "{{char}} keeps the lighthouse.".into(),
        ..Default::default()
    };
    let chat = common::chat_with_persona(&pool, mira, "Alex", model.id).await;
    World {
        state: common::state(pool),
        chat,
        model: model.id,
        _dir: dir,
    }
}

fn only_end(rec: &Recorder) -> ReplyEvent {
    let ends = rec.terminals();
    assert_eq!(ends.len(), 1, "exactly one terminal event: {ends:?}");
    ends[0].clone()
}

async fn stored(w: &World, id: Id) -> (MessageStatus, String) {
    let m = message::get(&w.state.pool, id).await.unwrap();
    (m.status, m.content)
}

#[tokio::test]
async fn a_local_model_answers_in_a_chat_and_regenerates_as_a_swipe() {
    let _turn = TURN.lock().await;
    let w = world(Behaviour::Says, 64).await;
    let rec = Arc::new(Recorder::default());
    let started = generation::send(&w.state, w.chat, "Good evening, Mira.".into(), rec.sink())
        .await
        .unwrap();
    assert!(matches!(rec.wait_end().await, ReplyEvent::Done { .. }));
    only_end(&rec);
    assert_eq!(rec.text(), SAYS, "streamed to the window");
    assert_eq!(
        stored(&w, started.message_id).await,
        (MessageStatus::Completed, SAYS.to_string())
    );

    let again = Arc::new(Recorder::default());
    generation::regenerate(&w.state, started.message_id, again.sink())
        .await
        .unwrap();
    assert!(matches!(again.wait_end().await, ReplyEvent::Done { .. }));
    only_end(&again);
    let m = message::get(&w.state.pool, started.message_id)
        .await
        .unwrap();
    assert_eq!(m.content, SAYS);
    assert!(
        m.swipe_count >= 2,
        "the first answer stays a swipe away: {m:?}"
    );
    let _ = w.model;
}

#[tokio::test]
async fn a_stopped_local_reply_keeps_its_words() {
    let _turn = TURN.lock().await;
    let w = world(Behaviour::Endless, 1500).await;
    let rec = Arc::new(Recorder::default());
    let started = generation::send(&w.state, w.chat, "Count the waves.".into(), rec.sink())
        .await
        .unwrap();
    for _ in 0..500 {
        if rec.text().split_whitespace().count() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(w.state.replies.stop(started.generation_id));
    assert!(
        matches!(rec.wait_end().await, ReplyEvent::Cancelled { .. }),
        "{:?}",
        rec.terminals()
    );
    only_end(&rec);
    let (status, kept) = stored(&w, started.message_id).await;
    assert_eq!(status, MessageStatus::Cancelled);
    let words = kept.split_whitespace().count();
    assert!(
        (4..1500).contains(&words),
        "the words so far are kept: {kept:?}"
    );
    assert!(
        kept.split_whitespace().all(|x| x == "tick" || x == "tock"),
        "{kept:?}"
    );
}

#[tokio::test]
async fn a_local_reply_continues_from_its_last_word() {
    let _turn = TURN.lock().await;
    let w = world(Behaviour::Endless, 6).await;
    let rec = Arc::new(Recorder::default());
    let started = generation::send(&w.state, w.chat, "Count the waves.".into(), rec.sink())
        .await
        .unwrap();
    assert!(matches!(rec.wait_end().await, ReplyEvent::Done { .. }));
    let (_, first) = stored(&w, started.message_id).await;
    assert_eq!(
        first.trim(),
        "tick tock tick tock tick tock",
        "ended at its length"
    );

    let more = Arc::new(Recorder::default());
    generation::continue_reply(&w.state, started.message_id, more.sink())
        .await
        .unwrap();
    assert!(
        matches!(more.wait_end().await, ReplyEvent::Done { .. }),
        "{:?}",
        more.terminals()
    );
    only_end(&more);
    let (_, grown) = stored(&w, started.message_id).await;
    assert!(
        grown.starts_with(&first),
        "continued after what was there: {grown:?}"
    );
    assert_eq!(
        grown.split_whitespace().count(),
        12,
        "six more words, carrying on the model's own text: {grown:?}"
    );
}

#[tokio::test]
async fn a_missing_model_file_fails_the_reply_in_words() {
    let _turn = TURN.lock().await;
    let w = world(Behaviour::Says, 16).await;
    let path = ai_model::get(&w.state.pool, w.model)
        .await
        .unwrap()
        .model_id;
    std::fs::remove_file(Path::new(&path)).unwrap();
    let rec = Arc::new(Recorder::default());
    generation::send(&w.state, w.chat, "Are you there?".into(), rec.sink())
        .await
        .unwrap();
    match rec.wait_end().await {
        ReplyEvent::Error { error, .. } => {
            assert!(
                error.to_string().contains("is not there any more"),
                "{error}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    only_end(&rec);
}

#[tokio::test]
async fn the_settings_for_this_computer_reach_the_engine_and_new_models() {
    use parley::ai::llama::{engine, EngineSettings};
    use parley::services::app_config;
    let _turn = TURN.lock().await;
    let pool = common::pool().await;
    for (key, value) in [
        ("local.context_cap", 1024),
        ("local.idle_minutes", 3),
        ("local.threads", 1),
    ] {
        app_config::set_value(&pool, key, serde_json::json!(value))
            .await
            .unwrap();
    }
    local_model::apply_settings(&pool).await.unwrap();
    let s = engine().settings();
    assert_eq!(
        (s.context_cap, s.idle, s.threads),
        (1024, Duration::from_secs(180), 1)
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.gguf");
    write_model(&file, "Tiny", Behaviour::Says);
    let secrets = parley::secrets::MemorySecretStore::default();
    let model = local_model::add(
        &pool,
        &secrets,
        &dir.path().join("parley.db"),
        &file.display().to_string(),
    )
    .await
    .unwrap();
    assert_eq!(model.context_length, Some(1024), "capped by the setting");

    // Out of range: kept to what works.
    app_config::set_value(&pool, "local.context_cap", serde_json::json!(10))
        .await
        .unwrap();
    app_config::set_value(&pool, "local.idle_minutes", serde_json::json!(0))
        .await
        .unwrap();
    local_model::apply_settings(&pool).await.unwrap();
    let s = engine().settings();
    assert_eq!((s.context_cap, s.idle), (512, Duration::from_secs(60)));
    engine().set_settings(EngineSettings::default());
}
