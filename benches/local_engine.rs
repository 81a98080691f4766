//! `cargo bench --bench local_engine`: Parley's built-in engine against a
//! minimal loop on the same llama.cpp binding (issue 15).
//!
//! The same generated GGUF (random weights, `PARLEY_BENCH_LAYERS` (8) layers
//! 512 wide, about 110 MB, F32, so decoding is real work), the same prompt,
//! the same thread count and greedy sampling, `PARLEY_BENCH_TOKENS` (256)
//! tokens per reply, `PARLEY_BENCH_RUNS` (5) runs each, alternating:
//! - raw: load once, then per run clear the context, decode the prompt,
//!   sample and turn each token into text;
//! - Parley: a whole reply through the services (`generation::send`: the
//!   message and the pending reply saved, the prompt built, the engine's
//!   worker thread, events to a sink, partial and final saves), the model
//!   loaded before the first run.
//!
//! Reported: time to first token (raw: from the prompt's decode to the
//! first token's text; Parley: from `send` to the first delta) and decode
//! tokens/s (tokens after the first over the time after it), medians; the
//! model's load time and the process's resident memory after loading.
//! Targets: Parley's decode tokens/s at least 95 % of raw, its time to
//! first token at most 20 ms more. Threads: `PARLEY_BENCH_THREADS` (the
//! engine's default, the cores less one).
//!
//! Each run has a system prompt of its own, so neither reuses the run
//! before's prompt (Parley would: its context keeps the last prompt).

#[path = "../tests/common/gguf_writer.rs"]
#[allow(dead_code)]
mod gguf_writer;

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use parley::ai::llama::{backend, engine, EngineSettings};
use parley::models::{AiModelInput, ChatSessionInput, SamplingParams};
use parley::services::generation::{self, ReplyEvent, ReplySink};
use parley::services::{ai_model, chat_session, local_model};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const PROMPT: &str = "The keeper climbed the lighthouse stairs as the storm came in from the west, counting the steps.";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// (time to first token, decode tokens/s) of one raw run.
fn raw_run(
    model: &LlamaModel,
    said: &[(String, String)],
    threads: i32,
    tokens: usize,
) -> (Duration, f64) {
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(2048))
        .with_n_batch(512)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
    let mut ctx = model.new_context(backend().unwrap(), params).unwrap();
    let template = model.chat_template(None).unwrap();
    let chat: Vec<LlamaChatMessage> = said
        .iter()
        .map(|(role, content)| LlamaChatMessage::new(role.clone(), content.clone()).unwrap())
        .collect();
    let text = model.apply_chat_template(&template, &chat, true).unwrap();
    let vocab = model.vocab();
    let start = Instant::now();
    let prompt = vocab.tokenize(text.as_bytes(), true, true);
    let mut batch = LlamaBatch::new(512, 1);
    for (i, t) in prompt.iter().enumerate() {
        batch
            .add(*t, i as i32, &[0], i + 1 == prompt.len())
            .unwrap();
    }
    ctx.decode(&mut batch).unwrap();
    let mut sampler = LlamaSampler::chain_simple([LlamaSampler::greedy()]);
    let mut first = None;
    let mut at = batch.n_tokens() - 1;
    for pos in (prompt.len() as i32..).take(tokens) {
        let token = sampler.sample(&ctx, at);
        sampler.accept(token);
        let _piece = vocab.token_to_piece(token, false, None);
        first.get_or_insert_with(Instant::now);
        batch.clear();
        batch.add(token, pos, &[0], true).unwrap();
        ctx.decode(&mut batch).unwrap();
        at = 0;
    }
    let first = first.unwrap();
    let rate = (tokens - 1) as f64 / first.elapsed().as_secs_f64();
    (first - start, rate)
}

/// A sink that notes when the first delta and the end came.
#[derive(Default)]
struct Clock(Mutex<(Option<Instant>, Option<Instant>, Option<i64>)>);
struct Tap(Arc<Clock>);
impl ReplySink for Tap {
    fn send(&self, event: &ReplyEvent) -> bool {
        let mut c = self.0 .0.lock().unwrap();
        match event {
            ReplyEvent::Delta(_) => {
                c.0.get_or_insert_with(Instant::now);
            }
            ReplyEvent::Done { message } => {
                c.1 = Some(Instant::now());
                c.2 = message
                    .metadata
                    .0
                    .pointer("/outputTokens")
                    .and_then(serde_json::Value::as_i64);
            }
            ReplyEvent::Error { error, .. } => panic!("the reply failed: {error}"),
            _ => {}
        }
        true
    }
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let layers = env("PARLEY_BENCH_LAYERS", 8) as u64;
    let tokens = env("PARLEY_BENCH_TOKENS", 256);
    let runs = env("PARLEY_BENCH_RUNS", 5);
    let threads = env(
        "PARLEY_BENCH_THREADS",
        EngineSettings::default().threads as usize,
    ) as i32;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench-random.gguf");
    let shape = gguf_writer::Shape {
        layers,
        n_embd: 512,
        heads: 8,
        n_ff: 1536,
        context: 4096,
    };
    gguf_writer::write_random(&file, shape, 7);
    let size = std::fs::metadata(&file).unwrap().len();
    println!("model: {layers} layers x 512, {:.0} MB; {tokens} tokens a reply; {threads} threads; {runs} runs each", size as f64 / 1e6);

    // Parley: the model as a person adds it, in a chat at temperature 0.
    engine().set_settings(EngineSettings {
        threads,
        context_cap: 2048,
        ..EngineSettings::default()
    });
    let pool = parley::db::open_in_memory().await.unwrap();
    let secrets = parley::secrets::MemorySecretStore::default();
    let db_path = dir.path().join("parley.db");
    let model = local_model::add(&pool, &secrets, &db_path, &file.display().to_string())
        .await
        .unwrap();
    let mut input = AiModelInput {
        provider_id: Some(model.provider_id),
        model_id: model.model_id.clone(),
        display_name: model.display_name.clone(),
        context_length: Some(2048),
        max_output_tokens: Some(tokens as i64),
        ..Default::default()
    };
    input.params = SamplingParams {
        temperature: Some(0.0),
        ..Default::default()
    };
    ai_model::update(&pool, model.id, input).await.unwrap();
    let state = parley::app::state(
        pool.clone(),
        Arc::new(secrets),
        parley::app::Opened {
            db_path,
            log_dir: dir.path().join("logs"),
            schema_version: 0,
        },
    );

    // The raw loop's own load, timed; memory after it.
    let before = rss_mib();
    let started = Instant::now();
    let raw_model =
        LlamaModel::load_from_file(backend().unwrap(), &file, &LlamaModelParams::default())
            .unwrap();
    let load = started.elapsed();
    let loaded = rss_mib();
    println!(
        "load: {:.0} ms; resident memory {:.0} MiB -> {:.0} MiB",
        load.as_secs_f64() * 1e3,
        before,
        loaded
    );

    let (mut raw_first, mut raw_rate, mut our_first, mut our_rate) =
        (vec![], vec![], vec![], vec![]);
    for run in 0..=runs {
        // Each Parley run in a new chat; the raw loop is given the very
        // messages Parley will send (its prompt preview).
        // A system prompt of its own, first in the prompt: nothing of the
        // run before is reused, so both compute the whole prompt.
        let system = parley::services::system_prompt::create(
            &pool,
            parley::models::SystemPromptInput {
                name: format!("Run {run}"),
                content: format!("Run {run}. You are a patient narrator who answers at length."),
            },
        )
        .await
        .unwrap();
        let chat = chat_session::create(
            &pool,
            ChatSessionInput {
                ai_model_id: Some(model.id),
                system_prompt_id: Some(system.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let preview = generation::preview_in(
            &pool,
            &parley::secrets::MemorySecretStore::default(),
            chat.id,
            Some(PROMPT),
        )
        .await
        .unwrap();
        let said: Vec<(String, String)> = preview
            .prompt
            .messages
            .iter()
            .map(|m| {
                (
                    serde_json::to_value(m.role)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string(),
                    m.content.clone(),
                )
            })
            .collect();
        let (first, rate) = raw_run(&raw_model, &said, threads, tokens);
        let clock = Arc::new(Clock::default());
        let sent = Instant::now();
        generation::send(&state, chat.id, PROMPT.into(), Box::new(Tap(clock.clone())))
            .await
            .unwrap();
        let (first_delta, done, made) = loop {
            let c = *clock.0.lock().unwrap();
            if let (Some(f), Some(d)) = (c.0, c.1) {
                break (f, d, c.2.unwrap_or(tokens as i64));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        if run == 0 {
            // The first Parley run loads the model: a warm-up for both.
            println!(
                "warm-up: Parley's first reply (with its model load) took {:.0} ms",
                (done - sent).as_secs_f64() * 1e3
            );
            continue;
        }
        raw_first.push(first.as_secs_f64() * 1e3);
        raw_rate.push(rate);
        our_first.push((first_delta - sent).as_secs_f64() * 1e3);
        our_rate.push((made - 1) as f64 / (done - first_delta).as_secs_f64());
    }
    let (rf, rr, of, or) = (
        median(raw_first),
        median(raw_rate),
        median(our_first),
        median(our_rate),
    );
    println!("| | time to first token (ms, median) | decode tokens/s (median) |");
    println!("|---|---|---|");
    println!("| raw llama-cpp-2 loop | {rf:.1} | {rr:.1} |");
    println!("| Parley (a whole reply) | {of:.1} | {or:.1} |");
    println!(
        "Parley / raw decode: {:.1} % (target >= 95 %); first token +{:.1} ms (target <= 20 ms)",
        or / rr * 100.0,
        of - rf
    );
    println!("resident memory at the end: {:.0} MiB", rss_mib());
}
