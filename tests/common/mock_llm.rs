//! A local mock of an LLM provider for the tests: it answers each request
//! with a scripted reply, byte for byte, so tests can split SSE bodies at
//! awkward places (mid-line, mid-UTF-8 character), drop the connection,
//! hang, or answer with any status. Requests are recorded for assertions.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the mock answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status with headers and a body, all at once.
    Status {
        code: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A 200 event stream written in `chunks`, `pause` apart.
    Stream {
        chunks: Vec<Vec<u8>>,
        pause: Duration,
        end: End,
    },
}

/// How a streamed reply ends after its chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Close the connection cleanly (the body ends).
    Close,
    /// Send a chunked body and cut it mid-chunk: a transport error.
    Drop,
    /// Keep the connection open and silent until the client gives up.
    Hang,
}

/// A request the mock received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

pub struct MockLlm {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    replies: Arc<Mutex<Vec<Reply>>>,
    /// Stream chunks written so far, over every request.
    sent: Arc<AtomicUsize>,
    /// A chat's title requests (`services::chat_title`), kept apart so they
    /// never take a reply meant for a chat nor count among `requests()`.
    titles: Titles,
    /// Summary requests (`services::memory::summarize`, told by the default
    /// summary instruction), kept apart like the titles.
    summaries: Titles,
    /// Embeddings requests (`/v1/embeddings`, `/api/embed`), kept apart
    /// like titles; answered with the stand-in vectors unless told.
    embeds: Titles,
}

/// The title requests seen and the answers waiting for them (none: 503,
/// so the app falls back to the first message's words).
#[derive(Clone, Default)]
struct Titles {
    seen: Arc<Mutex<Vec<Seen>>>,
    answers: Arc<Mutex<Vec<Reply>>>,
}

impl MockLlm {
    /// Starts a mock that gives `replies` in order (the last one repeats).
    pub async fn start(replies: Vec<Reply>) -> MockLlm {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(replies));
        let sent = Arc::new(AtomicUsize::new(0));
        let titles = Titles::default();
        let summaries = Titles::default();
        let embeds = Titles::default();
        let (s, r, n) = (seen.clone(), replies.clone(), sent.clone());
        let (t, m, e) = (titles.clone(), summaries.clone(), embeds.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (s, r, n) = (s.clone(), r.clone(), n.clone());
                let (t, m, e) = (t.clone(), m.clone(), e.clone());
                tokio::spawn(async move {
                    let _ = serve(socket, s, r, n, t, m, e).await;
                });
            }
        });
        MockLlm {
            base_url,
            seen,
            replies,
            sent,
            titles,
            summaries,
            embeds,
        }
    }

    /// The answer to the next embeddings request (else the stand-in
    /// vectors of its inputs).
    pub fn answer_embeddings(&self, reply: Reply) {
        self.embeds.answers.lock().unwrap().push(reply);
    }

    /// The embeddings requests seen (not among `requests()`).
    pub fn embedding_requests(&self) -> Vec<Seen> {
        self.embeds.seen.lock().unwrap().clone()
    }

    /// How many stream chunks the mock has written, over every request.
    pub fn chunks_sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push(reply);
    }

    /// The answer to the next chat title request.
    pub fn answer_title(&self, reply: Reply) {
        self.titles.answers.lock().unwrap().push(reply);
    }

    /// The answer to the next summary request (none queued: a 503).
    pub fn answer_summary(&self, reply: Reply) {
        self.summaries.answers.lock().unwrap().push(reply);
    }

    /// The summary requests seen (not among `requests()`).
    pub fn summary_requests(&self) -> Vec<Seen> {
        self.summaries.seen.lock().unwrap().clone()
    }

    /// The chat title requests seen (not among `requests()`).
    pub fn title_requests(&self) -> Vec<Seen> {
        self.titles.seen.lock().unwrap().clone()
    }
}

async fn serve(
    mut socket: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    replies: Arc<Mutex<Vec<Reply>>>,
    sent: Arc<AtomicUsize>,
    titles: Titles,
    summaries: Titles,
    embeds: Titles,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let is_title = body.contains(parley::services::chat_title::TITLE_INSTRUCTION);
    // The instruction as JSON escapes it in the request body.
    let summary_marker =
        serde_json::to_string(parley::services::template::builtin::SUMMARY_INSTRUCTION).unwrap();
    let is_summary = body.contains(summary_marker.trim_matches('"'));
    let request = Seen {
        method,
        path,
        headers,
        body,
    };
    let apart = if is_title {
        Some((&titles, "no title here"))
    } else if is_summary {
        Some((&summaries, "no summary here"))
    } else {
        None
    };
    let reply = if request.path.ends_with("/embeddings") || request.path == "/api/embed" {
        let answer = embedding_answer(&request);
        embeds.seen.lock().unwrap().push(request);
        let mut answers = embeds.answers.lock().unwrap();
        if answers.is_empty() {
            answer
        } else {
            answers.remove(0)
        }
    } else if let Some((kept, none)) = apart {
        kept.seen.lock().unwrap().push(request);
        let mut answers = kept.answers.lock().unwrap();
        if answers.is_empty() {
            status(503, &format!("{{\"error\":\"{none}\"}}"))
        } else {
            answers.remove(0)
        }
    } else {
        seen.lock().unwrap().push(request);
        next(&replies)
    };
    write_reply(&mut socket, reply, &sent).await?;
    socket.shutdown().await
}

/// The stand-in vectors (`parley::services::embedding::standin`) of an
/// embeddings request's inputs, in the shape of its path: OpenAI's
/// `data[].embedding` or Ollama's `embeddings`.
fn embedding_answer(request: &Seen) -> Reply {
    use parley::services::embedding::standin;
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&request.body) else {
        return status(400, "{\"error\":\"not JSON\"}");
    };
    let inputs: Vec<String> = match &body["input"] {
        serde_json::Value::String(one) => vec![one.clone()],
        serde_json::Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => return status(400, "{\"error\":\"no input\"}"),
    };
    let vectors: Vec<Vec<f32>> = inputs.iter().map(|t| standin::embed(t)).collect();
    let json = if request.path == "/api/embed" {
        serde_json::json!({ "model": body["model"], "embeddings": vectors })
    } else {
        let data: Vec<serde_json::Value> = vectors
            .iter()
            .enumerate()
            .map(|(i, v)| serde_json::json!({ "object": "embedding", "index": i, "embedding": v }))
            .collect();
        serde_json::json!({ "object": "list", "model": body["model"], "data": data })
    };
    status(200, &json.to_string())
}

/// The next reply: the first in line, the last one repeating.
fn next(replies: &Mutex<Vec<Reply>>) -> Reply {
    let mut r = replies.lock().unwrap();
    if r.len() > 1 {
        r.remove(0)
    } else {
        r[0].clone()
    }
}

async fn write_reply(
    socket: &mut TcpStream,
    reply: Reply,
    sent: &AtomicUsize,
) -> std::io::Result<()> {
    match reply {
        Reply::Status {
            code,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {code} Status\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(body.as_bytes()).await?;
        }
        Reply::Stream { chunks, pause, end } => {
            let chunked = end == End::Drop;
            let mut head = String::from(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n",
            );
            if chunked {
                head.push_str("Transfer-Encoding: chunked\r\n");
            }
            head.push_str("\r\n");
            socket.write_all(head.as_bytes()).await?;
            for chunk in chunks {
                if chunked {
                    socket
                        .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                        .await?;
                    socket.write_all(&chunk).await?;
                    socket.write_all(b"\r\n").await?;
                } else {
                    socket.write_all(&chunk).await?;
                }
                socket.flush().await?;
                sent.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(pause).await;
            }
            match end {
                End::Close => {}
                // A chunk header promising more than is sent, then close.
                End::Drop => socket.write_all(b"400\r\npartial").await?,
                End::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
            }
        }
    }
    Ok(())
}

/// A fixture from `tests/fixtures/sse/`.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/sse/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Splits bytes into pieces of `size` (the last may be shorter).
pub fn split_every(bytes: &[u8], size: usize) -> Vec<Vec<u8>> {
    bytes.chunks(size).map(<[u8]>::to_vec).collect()
}

/// An OpenAI-style stream of `tokens`, one chunk per token, with `[DONE]`.
pub fn openai_tokens(tokens: &[&str]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = tokens
        .iter()
        .map(|t| {
            format!(
                "data: {}\n\n",
                serde_json::json!({"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": null}]})
            )
            .into_bytes()
        })
        .collect();
    out.push(
        b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n"
            .to_vec(),
    );
    out
}

pub fn stream(chunks: Vec<Vec<u8>>) -> Reply {
    Reply::Stream {
        chunks,
        pause: Duration::from_millis(1),
        end: End::Close,
    }
}

pub fn status(code: u16, body: &str) -> Reply {
    Reply::Status {
        code,
        headers: Vec::new(),
        body: body.to_string(),
    }
}
