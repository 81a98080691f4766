//! One reply on the loaded model: the prompt through its template into
//! tokens, the part of it the context does not hold already computed in
//! batches, then one token at a time sampled, turned into text and sent,
//! until the model ends its turn, the reply reaches its length, or the
//! stream is dropped (the person stopped it), which is checked before every
//! batch and every token.
//!
//! The context keeps the tokens of the last prompt and reply (`cache`): the
//! next prompt usually begins with all of them (the next turn, a regenerate,
//! a continue), so only what differs is computed again.

use std::sync::atomic::{AtomicU64, Ordering};

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use serde_json::json;

use super::stops::{Seen, Stops};
use super::{failed, fit, template, Job, Loaded};
use crate::ai::StreamEvent;
use crate::error::Result;
use crate::models::SamplingParams;

const BATCH: usize = 512;
/// Temperature when neither the model nor the chat sets one.
const DEFAULT_TEMPERATURE: f32 = 0.8;
/// How far back the repetition penalties look.
const PENALTY_WINDOW: i32 = 64;

/// Serves one job; returns how many prompt tokens had to be computed.
pub(super) fn serve(
    loaded: &Loaded,
    ctx: &mut LlamaContext<'_>,
    cache: &mut Vec<LlamaToken>,
    job: &Job,
    made: &AtomicU64,
) -> usize {
    match reply(loaded, ctx, cache, job, made) {
        Ok(computed) => computed,
        Err(e) => {
            let _ = job.events.blocking_send(Err(e));
            // The context may hold a half-computed prompt: start clean.
            ctx.clear_kv_cache();
            cache.clear();
            0
        }
    }
}

/// llama.cpp failed on the prompt.
fn not_computed(e: &impl std::fmt::Display) -> crate::error::AppError {
    failed(
        format!("the prompt could not be computed: {e}"),
        "llama_prompt_failed",
        json!({ "reason": e.to_string() }),
    )
}

/// llama.cpp failed in the middle of the reply.
fn not_going_on(e: &impl std::fmt::Display) -> crate::error::AppError {
    failed(
        format!("the reply could not go on: {e}"),
        "llama_reply_failed",
        json!({ "reason": e.to_string() }),
    )
}

fn reply(
    loaded: &Loaded,
    ctx: &mut LlamaContext<'_>,
    cache: &mut Vec<LlamaToken>,
    job: &Job,
    counter: &AtomicU64,
) -> Result<usize> {
    let model = &loaded.model;
    let vocab = model.vocab();
    let file_name = job
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bos_text = vocab
        .text(vocab.bos())
        .and_then(|c| c.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let n_ctx = loaded.n_ctx as usize;
    // Room for the reply, but never more than half the context.
    let reserve = (job.max_tokens as usize).min(n_ctx / 2);
    let mut messages = std::borrow::Cow::Borrowed(&job.messages[..]);
    let (prompt, stops) = loop {
        let rendered = template::render(
            model,
            &loaded.specials,
            &messages,
            job.instruct.as_ref(),
            &file_name,
        )?;
        let add_bos = bos_text.is_empty() || !rendered.text.starts_with(&bos_text);
        let prompt = vocab.tokenize(rendered.text.as_bytes(), add_bos, true);
        let over = (prompt.len() + reserve).saturating_sub(n_ctx);
        let drop = if over == 0 {
            Vec::new()
        } else {
            fit::oldest_to_drop(&messages, over, |t| {
                vocab.tokenize(t.as_bytes(), false, false).len()
            })
        };
        if drop.is_empty() {
            break (prompt, rendered.stops);
        }
        tracing::info!(
            left_out = drop.len(),
            over,
            "older messages left out to fit the model's context (exact count)"
        );
        messages = std::borrow::Cow::Owned(fit::without(&messages, &drop));
    };
    let mut stops = Stops::new(stops);
    if prompt.is_empty() {
        return Err(failed(
            "the prompt is empty",
            "llama_prompt_empty",
            json!({}),
        ));
    }
    if prompt.len() >= n_ctx {
        let fits = n_ctx.saturating_sub(job.max_tokens as usize).max(256);
        return Err(failed(
            format!(
                "the conversation is {} tokens, more than this model's context of {} holds. Lower the \
                 chat's context length to {} or less, or raise the context limit for this computer in Settings.",
                prompt.len(),
                n_ctx,
                fits
            ),
            "llama_prompt_too_long",
            json!({ "tokens": prompt.len(), "context": n_ctx, "fits": fits }),
        ));
    }

    // Reuse what the context holds; keep at least the last prompt token to
    // compute, so there are logits to sample from.
    let mut keep = cache
        .iter()
        .zip(&prompt)
        .take_while(|(a, b)| a == b)
        .count();
    keep = keep.min(prompt.len() - 1);
    let removed = ctx
        .clear_kv_cache_seq(Some(0), u32::try_from(keep).ok(), None)
        .unwrap_or(false);
    if !removed {
        ctx.clear_kv_cache();
        keep = 0;
    }
    cache.truncate(keep);

    let mut batch = LlamaBatch::new(BATCH, 1);
    let rest = &prompt[keep..];
    for (n, chunk) in rest.chunks(BATCH).enumerate() {
        if job.events.is_closed() {
            return Ok(rest.len());
        }
        batch.clear();
        let last_chunk = (n + 1) * BATCH >= rest.len();
        for (i, token) in chunk.iter().enumerate() {
            let pos = i32::try_from(cache.len()).unwrap_or(i32::MAX);
            batch
                .add(*token, pos, &[0], last_chunk && i + 1 == chunk.len())
                .map_err(|e| not_computed(&e))?;
            cache.push(*token);
        }
        ctx.decode(&mut batch).map_err(|e| not_computed(&e))?;
    }

    let mut sampler = sampler(&job.params, model.n_vocab());
    let budget = (job.max_tokens as usize).min(n_ctx - prompt.len());
    let mut utf8 = Utf8::default();
    let mut made = 0usize;
    let mut logits_at = batch.n_tokens() - 1;
    let mut by_stop_string = false;
    let finish = loop {
        if made >= budget {
            break "length";
        }
        if job.events.is_closed() {
            return Ok(rest.len());
        }
        let token = sampler.sample(ctx, logits_at);
        sampler.accept(token);
        made += 1;
        counter.fetch_add(1, Ordering::SeqCst);
        if vocab.is_eog(token) {
            break "stop";
        }
        let (piece, stopped) =
            match stops.push(&utf8.push(&vocab.token_to_piece(token, false, None))) {
                Seen::Go(piece) => (piece, false),
                Seen::Stop(piece) => (piece, true),
            };
        if !piece.is_empty()
            && job
                .events
                .blocking_send(Ok(StreamEvent::Text(piece)))
                .is_err()
        {
            return Ok(rest.len());
        }
        if stopped {
            by_stop_string = true;
            break "stop";
        }
        #[cfg(feature = "e2e")]
        e2e_pause();
        batch.clear();
        let pos = i32::try_from(cache.len()).unwrap_or(i32::MAX);
        batch
            .add(token, pos, &[0], true)
            .map_err(|e| not_going_on(&e))?;
        ctx.decode(&mut batch).map_err(|e| not_going_on(&e))?;
        cache.push(token);
        logits_at = 0;
    };
    let tail = if by_stop_string {
        String::new()
    } else {
        let (Seen::Go(mut t) | Seen::Stop(mut t)) = stops.push(&utf8.finish());
        t.push_str(&stops.finish());
        t
    };
    if !tail.is_empty() {
        let _ = job.events.blocking_send(Ok(StreamEvent::Text(tail)));
    }
    for event in [
        StreamEvent::Usage {
            input_tokens: i64::try_from(prompt.len()).ok(),
            output_tokens: i64::try_from(made).ok(),
        },
        StreamEvent::Finish(finish.into()),
        StreamEvent::Done,
    ] {
        if job.events.blocking_send(Ok(event)).is_err() {
            break;
        }
    }
    Ok(rest.len())
}

/// The sampling chain for the person's settings: penalties, then top-k,
/// top-p, min-p and temperature, then a random draw; greedy at temperature 0.
fn sampler(p: &SamplingParams, n_vocab: i32) -> LlamaSampler {
    let f = |v: Option<f64>| v.map(|v| v as f32);
    let mut chain = Vec::new();
    let repeat = f(p.repetition_penalty).unwrap_or(1.0);
    let freq = f(p.frequency_penalty).unwrap_or(0.0);
    let present = f(p.presence_penalty).unwrap_or(0.0);
    if repeat != 1.0 || freq != 0.0 || present != 0.0 {
        chain.push(LlamaSampler::penalties(
            n_vocab,
            PENALTY_WINDOW,
            repeat,
            freq,
            present,
        ));
    }
    let temperature = f(p.temperature).unwrap_or(DEFAULT_TEMPERATURE);
    if temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
        return LlamaSampler::chain_simple(chain);
    }
    if let Some(k) = p.top_k.filter(|k| *k > 0) {
        chain.push(LlamaSampler::top_k(i32::try_from(k).unwrap_or(i32::MAX)));
    }
    if let Some(top_p) = f(p.top_p).filter(|v| *v < 1.0) {
        chain.push(LlamaSampler::top_p(top_p, 1));
    }
    if let Some(min_p) = f(p.min_p).filter(|v| *v > 0.0) {
        chain.push(LlamaSampler::min_p(min_p, 1));
    }
    chain.push(LlamaSampler::temp(temperature));
    let seed = p
        .seed
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or_else(random_seed);
    chain.push(LlamaSampler::dist(seed));
    LlamaSampler::chain_simple(chain)
}

/// In builds for the end-to-end tests only, `PARLEY_E2E_TOKEN_DELAY_MS`
/// slows each token, so a window test can press Stop while a tiny model
/// is still writing.
#[cfg(feature = "e2e")]
fn e2e_pause() {
    static DELAY: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let delay = DELAY.get_or_init(|| {
        std::env::var("PARLEY_E2E_TOKEN_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(ms) = delay {
        std::thread::sleep(std::time::Duration::from_millis(*ms));
    }
}

fn random_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id()
}

/// Token pieces in, whole characters out: a character whose bytes span
/// two tokens waits for its second half.
#[derive(Default)]
struct Utf8 {
    pending: Vec<u8>,
}

impl Utf8 {
    fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        match std::str::from_utf8(&self.pending) {
            Ok(s) => {
                let out = s.to_string();
                self.pending.clear();
                out
            }
            Err(e) if e.error_len().is_none() => {
                // An unfinished character at the end: keep it for the next piece.
                let valid = e.valid_up_to();
                let out = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
                self.pending.drain(..valid);
                out
            }
            Err(_) => {
                let out = String::from_utf8_lossy(&self.pending).into_owned();
                self.pending.clear();
                out
            }
        }
    }

    fn finish(&mut self) -> String {
        let out = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_pieces_comes_out_whole() {
        let mut u = Utf8::default();
        let heart = "é♥".as_bytes();
        assert_eq!(u.push(&heart[..1]), "");
        assert_eq!(u.push(&heart[1..3]), "é");
        assert_eq!(u.push(&heart[3..]), "♥");
        assert_eq!(u.push(b"ok"), "ok");
        assert_eq!(u.push(&[0xE2]), "");
        assert_eq!(u.finish(), "\u{FFFD}");
    }
}
