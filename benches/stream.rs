//! `make bench` (streaming): a mock provider sends a long reply as fast as
//! it can; the real app, in a real window under Xvfb, streams it. Measured
//! in the webview: tokens per second that reach the window and that are in
//! the DOM, the latency each delta adds (from Parley emitting it to the
//! window's listener running, p50 / p99), the longest frame while streaming,
//! the final render, and the memory (PSS) of the app and its WebKit
//! processes along the way.
//!
//! `PARLEY_BENCH_TOKENS` sets the reply length (default 100,000 tokens);
//! `PARLEY_BENCH_RATE` paces the mock at that many tokens per second
//! (default: as fast as it can); `PARLEY_BENCH_CSS` adds CSS rules for an
//! experiment; `PARLEY_BENCH_SCROLL_UP=1` scrolls away from the reply at
//! its first delta, so the window does not follow it; `PARLEY_BENCH_JS`
//! runs a script in the window before the message is sent.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "parts/first_word.rs"]
mod first_word;
#[path = "support.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::mock_llm::{End, MockLlm, Reply};
use common::window::{click_containing, fill, Driver, WAIT};
use serde_json::json;
use support::{percentile, pss_kib};

/// One SSE frame per token, written in batches as fast as the socket takes.
fn frames(tokens: usize) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let mut batch = Vec::new();
    for i in 0..tokens {
        let frame = format!(
            "data: {}\n\n",
            json!({"choices": [{"index": 0, "delta": {"content": format!("t{i:06} ")}, "finish_reason": null}]})
        );
        batch.extend_from_slice(frame.as_bytes());
        if i % 200 == 199 {
            chunks.push(std::mem::take(&mut batch));
        }
    }
    batch.extend_from_slice(b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    chunks.push(batch);
    chunks
}

/// Deltas and the reply's end as they reach the window. The reply's
/// channel delivers through Tauri's callback map, which the bench wraps
/// from outside: every callback registered from now on records the reply
/// events it carries before the app's own handler runs. (Delta timing
/// fields exist only with the `bench-timing` feature.)
const INSTRUMENT: &str = r##"
const b = window.__bench = { lat: [], queued: [], drawn: [], at: [], frameAt: [], frames: [], last: 0, running: true, firstAt: 0, doneAt: 0, chars: 0, deltas: 0 };
const tick = (t) => { if (b.last) b.frames.push(t - b.last); b.last = t; if (b.firstAt) b.frameAt.push(performance.timeOrigin + t); if (b.running) requestAnimationFrame(tick); };
requestAnimationFrame(tick);
const onDelta = (d) => {
  const now = performance.timeOrigin + performance.now();
  b.lat.push(now - d.emittedAtMs);
  b.queued.push(d.queuedMs);
  // The frame that draws this delta's text starts (the views queued their
  // frame callback for it first).
  const arrived = d.emittedAtMs - d.queuedMs;
  requestAnimationFrame((t) => b.drawn.push(performance.timeOrigin + t - arrived));
  b.at.push(now);
  b.deltas += 1;
  b.chars += d.text.length;
  if (!b.firstAt) {
    b.firstAt = now;
    // Diagnostic: as if the person scrolled up to read, so the window does
    // not follow the reply (PARLEY_BENCH_SCROLL_UP=1).
    if (window.__benchScrollUp) document.querySelector('.chat-scroll').scrollTop = 0;
  }
};
const onEnd = (name) => {
  b.doneAt = performance.timeOrigin + performance.now();
  b.end = name;
  b.running = false;
  // Then time the final render: until the reply shows its end status.
  const check = () => {
    const all = document.querySelectorAll("#messages .message[data-role='assistant']");
    const s = all.length ? all[all.length - 1].dataset.status : '';
    if (s === 'completed' || s === 'failed' || s === 'cancelled') b.finalAt = performance.timeOrigin + performance.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};
const callbacks = window.__TAURI_INTERNALS__.callbacks;
const set = callbacks.set.bind(callbacks);
callbacks.set = (id, fn) => set(id, (data) => {
  const m = data && data.message;
  if (m && m.event === 'delta') onDelta(m.data);
  else if (m && (m.event === 'done' || m.event === 'error' || m.event === 'cancelled')) onEnd(m.event);
  return fn(data);
});
return true;
"##;

#[tokio::main]
async fn main() {
    let tokens: usize = std::env::var("PARLEY_BENCH_TOKENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_parley"));
    let rate: Option<f64> = std::env::var("PARLEY_BENCH_RATE")
        .ok()
        .and_then(|v| v.parse().ok());
    // Frames go out in batches of 200 tokens; a rate spaces the batches.
    let pause = rate.map_or(Duration::ZERO, |r| Duration::from_secs_f64(200.0 / r));
    let mut replies = first_word::replies();
    replies.push(Reply::Stream {
        chunks: frames(tokens),
        pause,
        end: End::Close,
    });
    let mock = MockLlm::start(replies).await;
    let data = tempfile::tempdir().unwrap();
    common::seed_chat_world(data.path(), &mock.base_url).await;
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click_containing(&app, "#chat-list li[data-id] a", "Storyteller Sia").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    first_word::measure(&app, &mock).await;
    let (idle_kib, procs) = pss_kib(&exe);

    // Frames of the idle window, as a floor to compare with.
    let idle = app
        .execute_async(
            "const done = arguments[arguments.length - 1]; const f = []; let last = 0; \
             const tick = (t) => { if (last) f.push(t - last); last = t; \
               if (f.length < 60) requestAnimationFrame(tick); else done(f); }; \
             requestAnimationFrame(tick);",
            vec![],
        )
        .await
        .unwrap();
    let mut idle_frames: Vec<f64> = idle
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    idle_frames.sort_by(f64::total_cmp);
    // An experiment's extra CSS rules (`PARLEY_BENCH_CSS`), through the
    // CSSOM, which the CSP allows.
    if let Ok(rules) = std::env::var("PARLEY_BENCH_CSS") {
        app.execute(
            "const sheet = document.styleSheets[0]; \
             for (const r of arguments[0].split('}').filter(x => x.trim())) sheet.insertRule(r + '}', sheet.cssRules.length); \
             return true;",
            vec![json!(rules)],
        )
        .await
        .unwrap();
    }
    if let Ok(js) = std::env::var("PARLEY_BENCH_JS") {
        app.execute(&js, vec![]).await.unwrap();
    }
    if std::env::var_os("PARLEY_BENCH_SCROLL_UP").is_some() {
        app.execute("window.__benchScrollUp = true; return true;", vec![])
            .await
            .unwrap();
    }
    app.execute(INSTRUMENT, vec![]).await.unwrap();
    fill(&app, "textarea#composer", "Go").await;
    app.find(fantoccini::Locator::Css("#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let started = Instant::now();
    let mut samples = Vec::new();
    loop {
        let state = app
            .execute(
                "const b = window.__bench; return [b.chars, b.doneAt, b.end || null]",
                vec![],
            )
            .await
            .unwrap();
        let chars = state[0].as_f64().unwrap_or(0.0);
        samples.push((chars / (tokens as f64 * 8.0), pss_kib(&exe).0));
        if state[1].as_f64().unwrap_or(0.0) > 0.0 {
            break;
        }
        assert!(started.elapsed() < WAIT * 20, "the stream never ended");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Let the final render land.
    let waited = Instant::now();
    while app
        .execute("return window.__bench.finalAt || 0", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap_or(0.0)
        == 0.0
    {
        assert!(waited.elapsed() < WAIT, "the final render never landed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let result = app
        .execute(
            "const b = window.__bench; b.running = false; \
             const all = document.querySelectorAll('#messages .message'); \
             const last = all[all.length - 1]; \
             return { lat: b.lat, queued: b.queued, drawn: b.drawn, at: b.at, frameAt: b.frameAt, frames: b.frames, firstAt: b.firstAt, doneAt: b.doneAt, finalAt: b.finalAt, chars: b.chars, deltas: b.deltas, end: b.end, \
                      rendered: last ? last.textContent.length : 0, status: last ? last.dataset.status : null };",
            vec![],
        )
        .await
        .unwrap();
    let (after_kib, _) = pss_kib(&exe);
    app.close().await.unwrap();
    // Every delta's arrival and latency and every frame's start, for a
    // closer look (`PARLEY_BENCH_TRACE=file.json`).
    if let Ok(path) = std::env::var("PARLEY_BENCH_TRACE") {
        std::fs::write(&path, result.to_string()).unwrap();
    }
    drop(driver);

    // A row of p50 / p99 / max of sorted milliseconds.
    let spread = |what: &str, ms: &[f64]| {
        println!(
            "| {what}, p50 / p99 / max | {:.2} / {:.2} / {:.2} ms |",
            percentile(ms, 0.5),
            percentile(ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN)
        );
    };
    let numbers = |key: &str| -> Vec<f64> {
        result[key]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_f64())
            .collect()
    };
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let (lat, queued) = (numbers("lat"), numbers("queued"));
    // Per delta: from its oldest text reaching Parley to the window's
    // listener running (the wait in Parley plus the trip).
    let whole = sorted(lat.iter().zip(&queued).map(|(l, q)| l + q).collect());
    let (lat, queued, drawn) = (sorted(lat), sorted(queued), sorted(numbers("drawn")));
    let mut frames: Vec<f64> = result["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    frames.sort_by(f64::total_cmp);
    let seconds =
        (result["doneAt"].as_f64().unwrap() - result["firstAt"].as_f64().unwrap()) / 1000.0;
    let chars = result["chars"].as_f64().unwrap();
    let delivered_tokens = chars / 8.0;
    let at = |p: f64| samples.iter().find(|(f, _)| *f >= p).map_or(0, |s| s.1);
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);

    println!(
        "## Streaming benchmark ({tokens} tokens, {} characters, {})",
        tokens * 8,
        rate.map_or("as fast as the mock can send".to_string(), |r| format!(
            "paced at {r:.0} tokens/s"
        ))
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| ended with | `{}`, last message status `{}` |",
        result["end"].as_str().unwrap_or("?"),
        result["status"].as_str().unwrap_or("?")
    );
    println!(
        "| characters that reached the window / sent | {} / {} |",
        chars as u64,
        tokens * 8
    );
    println!(
        "| characters in the DOM after the final render | {} |",
        result["rendered"]
    );
    println!("| delta events | {} |", result["deltas"]);
    let rendered_seconds = (result["finalAt"].as_f64().unwrap_or(f64::NAN)
        - result["firstAt"].as_f64().unwrap())
        / 1000.0;
    println!(
        "| tokens per second reaching the webview (event listener) | {:.0} |",
        delivered_tokens / seconds
    );
    println!(
        "| tokens per second in the DOM (first delta to the whole reply rendered) | {:.0} |",
        tokens as f64 / rendered_seconds
    );
    println!("| stream duration in the window | {seconds:.2} s |");
    spread(
        "added latency per delta (Parley emits it, the window's listener runs)",
        &lat,
    );
    spread(
        "text waiting in Parley for the window (the oldest text of each delta)",
        &queued,
    );
    spread(
        "text reaching Parley -> the window's listener (the two above, per delta)",
        &whole,
    );
    spread(
        "text reaching Parley -> the frame that draws it starts",
        &drawn,
    );
    println!(
        "| final render after the last delta (plain chunked text above 100,000 characters) | {:.0} ms |",
        result["finalAt"].as_f64().unwrap_or(f64::NAN) - result["doneAt"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "| idle window, 60 frames: p50 / longest frame | {:.1} / {:.1} ms |",
        percentile(&idle_frames, 0.5),
        idle_frames.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "| frames while streaming; p50 / p99 / longest frame | {}; {:.1} / {:.1} / {:.1} ms |",
        frames.len(),
        percentile(&frames, 0.5),
        percentile(&frames, 0.99),
        frames.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "| PSS, app + WebKit ({procs} processes): idle with the chat open | {} MiB |",
        idle_kib / 1024
    );
    println!(
        "| PSS at 25% / 50% / 75% of the stream | {} / {} / {} MiB |",
        at(0.25) / 1024,
        at(0.5) / 1024,
        at(0.75) / 1024
    );
    println!(
        "| PSS peak while streaming / after the final render | {} / {} MiB |",
        peak / 1024,
        after_kib / 1024
    );
}
