//! `make bench` (streaming), first part: how soon the first word shows.
//! The mock provider answers its first token after a fixed wait (its own
//! time to first token, TTFT); side by side in one run, alternating, the
//! bench measures (a) that TTFT as a plain HTTP client sees it, straight
//! from the mock, and (b) in the real window, Enter in the composer to the
//! frame that shows the reply's first word. (b) - (a) is what Parley adds;
//! the budget for a plain chat is 30 ms.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use futures_util::StreamExt;
use serde_json::json;

use crate::common::mock_llm::{End, MockLlm, Reply};
use crate::common::window::{fill, WAIT};
use crate::support::percentile;

/// The mock's own time to first token.
pub const TTFT: Duration = Duration::from_millis(60);
/// Sends measured each way.
const RUNS: usize = 10;

/// A reply whose first token comes `TTFT` after the headers.
pub fn reply(word: &str) -> Reply {
    let token = format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": {"content": word}, "finish_reason": null}]})
    );
    let rest = format!("{token}data: {{\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}]}}\n\ndata: [DONE]\n\n");
    Reply::Stream {
        // An SSE comment at once, then the token after the wait.
        chunks: vec![b": thinking\n\n".to_vec(), rest.into_bytes()],
        pause: TTFT,
        end: End::Close,
    }
}

/// The words of each run: (straight from the mock, in the window).
fn words(i: usize) -> (String, String) {
    (format!("alpha{i}"), format!("omega{i}"))
}

/// The mock's replies for [`measure`], in the order it asks for them; the
/// mock answers requests in order, so these go before any other reply.
pub fn replies() -> Vec<Reply> {
    (0..RUNS)
        .flat_map(|i| {
            let (a, b) = words(i);
            [reply(&a), reply(&b)]
        })
        .collect()
}

/// (a): request to the first token's bytes, as any HTTP client sees it.
async fn provider_ttft(mock: &MockLlm, word: &str) -> f64 {
    let http = reqwest::Client::new();
    let t0 = Instant::now();
    let res = http
        .post(format!("{}/chat/completions", mock.base_url))
        .json(&json!({"model": "m", "stream": true, "messages": []}))
        .send()
        .await
        .unwrap();
    let mut body = res.bytes_stream();
    let mut seen = Vec::new();
    while let Some(chunk) = body.next().await {
        seen.extend_from_slice(&chunk.unwrap());
        if String::from_utf8_lossy(&seen).contains(word) {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
    }
    panic!("the mock never sent {word}");
}

/// Watches for Enter in the composer and for `word` in the newest reply;
/// `window.__firstWord` becomes the time between them, to the frame that
/// shows it. (Installed first, then Enter is pressed: WebDriver runs one
/// command at a time.)
const WATCH: &str = r#"
const word = arguments[0];
window.__firstWord = 0;
let t0 = 0;
const onKey = (e) => { if (e.key === 'Enter') t0 = performance.now(); };
document.addEventListener('keydown', onKey, true);
const list = document.querySelector('#messages');
const seen = () => {
  const all = list.querySelectorAll(".message[data-role='assistant']");
  const last = all[all.length - 1];
  return t0 > 0 && last && last.textContent.includes(word);
};
const obs = new MutationObserver(() => {
  if (!seen()) return;
  obs.disconnect();
  document.removeEventListener('keydown', onKey, true);
  // The frame that paints it.
  requestAnimationFrame((t) => { window.__firstWord = t - t0; });
});
obs.observe(list, { childList: true, subtree: true, characterData: true });
return true;
"#;

/// (b): Enter to the first word on screen, in the open chat.
async fn window_ttft(app: &Client, word: &str) -> f64 {
    fill(app, "textarea#composer", &format!("Say {word}")).await;
    app.execute(WATCH, vec![json!(word)]).await.unwrap();
    app.find(Locator::Css("textarea#composer"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    let t = Instant::now();
    let ms = loop {
        let ms = app
            .execute("return window.__firstWord", vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap_or(0.0);
        if ms > 0.0 {
            break ms;
        }
        assert!(t.elapsed() < WAIT, "the first word never showed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Wait for the reply to end before the next send.
    while app.find(Locator::Css("#send")).await.is_err() {
        assert!(t.elapsed() < WAIT, "the reply never ended");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ms
}

/// Prints the first-word rows; the chat must be open in `app`.
pub async fn measure(app: &Client, mock: &MockLlm) {
    let (mut provider, mut window) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let (a, b) = words(i);
        provider.push(provider_ttft(mock, &a).await);
        window.push(window_ttft(app, &b).await);
    }
    let mut added: Vec<f64> = window.iter().zip(&provider).map(|(w, p)| w - p).collect();
    provider.sort_by(f64::total_cmp);
    window.sort_by(f64::total_cmp);
    added.sort_by(f64::total_cmp);
    println!(
        "## First word ({RUNS} sends each way, alternating; the mock's TTFT is {} ms)",
        TTFT.as_millis()
    );
    println!();
    println!("| measure | p50 | max |");
    println!("|---|---|---|");
    let row = |what: &str, v: &[f64]| {
        println!(
            "| {what} | {:.1} ms | {:.1} ms |",
            percentile(v, 0.5),
            v.last().copied().unwrap_or(f64::NAN)
        );
    };
    row(
        "provider's own time to first token (HTTP client)",
        &provider,
    );
    row("Enter -> first word on screen, in the window", &window);
    row(
        "added by Parley (window - provider, per pair; budget 30 ms)",
        &added,
    );
    println!();
}
