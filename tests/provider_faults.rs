//! Providers that misbehave at the HTTP level: redirects to another server
//! (the key header and the prompt never follow), a same-origin redirect of
//! a prompt (never sent twice), and bodies without end (an error body, a
//! model list, a stream line), each stopped in bounded time and memory
//! with words.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::mock_llm::{openai_tokens, status, stream, MockLlm, Reply};
use futures_util::StreamExt;
use parley::ai::{self, ChatRequest, Endpoint, PromptMessage, StreamEvent};
use parley::models::{MessageRole, ProviderKind, SamplingParams};
use parley::secrets::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "sk-test-redirect-0123456789";

fn endpoint(base_url: &str) -> Endpoint {
    Endpoint {
        kind: ProviderKind::OpenaiCompatible,
        name: "Test AI".into(),
        base_url: base_url.into(),
        api_key: Some(Secret::new(KEY)),
        instruct: None,
    }
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "test-model".into(),
        messages: vec![PromptMessage {
            role: MessageRole::User,
            content: "a private prompt".into(),
        }],
        max_tokens: 64,
        params: SamplingParams::default(),
    }
}

fn redirect(code: u16, to: &str) -> Reply {
    Reply::Status {
        code,
        headers: vec![("Location".into(), to.into())],
        body: String::new(),
    }
}

/// The error of a reply that must fail before any text.
async fn chat_error(ep: Endpoint) -> String {
    match ai::provider_for(ep)
        .stream_chat(&ai::http_client(), &request())
        .await
    {
        Ok(_) => panic!("the request should have failed"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn redirects_to_another_server_are_never_followed() {
    let elsewhere = MockLlm::start(vec![stream(openai_tokens(&["stolen"]))]).await;
    let models_elsewhere = format!("{}/models", elsewhere.base_url);
    for code in [307, 308, 302, 301] {
        let chat_to = format!("{}/chat/completions", elsewhere.base_url);
        let home = MockLlm::start(vec![
            redirect(code, &chat_to),
            redirect(code, &models_elsewhere),
        ])
        .await;
        let error = chat_error(endpoint(&home.base_url)).await;
        assert!(
            error.contains("does not follow a provider to another server")
                && error.contains(elsewhere.base_url.trim_end_matches("/v1")),
            "{code}: {error}"
        );
        // The model list (a GET) is not followed elsewhere either.
        let err = ai::provider_for(endpoint(&home.base_url))
            .list_models(&ai::http_client())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("another server"), "{code}: {err}");
        assert!(!error.contains(KEY) && !err.contains(KEY));
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the other server got a request: {:?}",
        elsewhere.requests()
    );
}

#[tokio::test]
async fn a_prompt_is_never_sent_twice_but_a_model_list_follows_its_own_server() {
    // A POST redirected on the same server: refused, sent once.
    let home = MockLlm::start(vec![redirect(307, "/v1/other/chat/completions")]).await;
    let error = chat_error(endpoint(&home.base_url)).await;
    assert!(error.contains("does not send a prompt twice"), "{error}");
    assert_eq!(home.requests().len(), 1, "the prompt went out once");

    // A GET redirected on the same server is followed, with the key.
    let home = MockLlm::start(vec![
        redirect(308, "/v1/models/"),
        status(200, r#"{"data":[{"id":"m-1"}]}"#),
    ])
    .await;
    let models = ai::provider_for(endpoint(&home.base_url))
        .list_models(&ai::http_client())
        .await
        .unwrap();
    assert_eq!(models[0].id, "m-1");
    let seen = home.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/v1/models/");
    assert_eq!(
        seen[1].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

/// A server that answers every request with `head` and then `piece`
/// forever, counting what it managed to write before the client hung up.
struct Endless {
    base_url: String,
    written: Arc<AtomicUsize>,
}

async fn endless(head: &'static str, first: &'static str, piece: &'static [u8]) -> Endless {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let written = Arc::new(AtomicUsize::new(0));
    let count = written.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = socket.read(&mut buf).await;
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(first.as_bytes()).await.is_err()
                {
                    return;
                }
                while socket.write_all(piece).await.is_ok() {
                    count.fetch_add(piece.len(), Ordering::Relaxed);
                }
            });
        }
    });
    Endless { base_url, written }
}

const PIECE: &[u8] = &[b'x'; 16 * 1024];
/// What the kernel's socket buffers and one read may hold beyond a limit.
const SLACK: usize = 16 * 1024 * 1024;
/// Longer than any bound Parley sets; a body read without end fails here.
const PATIENCE: Duration = Duration::from_secs(40);

async fn within<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, work)
        .await
        .expect("Parley stopped reading in bounded time")
}

#[tokio::test]
async fn an_endless_error_body_is_cut_short() {
    let server = endless(
        "HTTP/1.1 500 Oops\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
        "overloaded ",
        PIECE,
    )
    .await;
    let started = Instant::now();
    let error = within(chat_error(endpoint(&server.base_url))).await;
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(error.contains("server error (500)"), "{error}");
    assert!(error.len() < 2000, "the message stays short");
    let written = server.written.load(Ordering::Relaxed);
    assert!(
        written < ai::ERROR_BODY_LIMIT + SLACK,
        "{written} bytes read"
    );
}

#[tokio::test]
async fn an_endless_model_list_is_refused_in_words() {
    let server = endless(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        r#"{"data":["#,
        br#"{"id":"model-without-end"},{"id":"another-model-without-end"},"#,
    )
    .await;
    let started = Instant::now();
    let error =
        within(ai::provider_for(endpoint(&server.base_url)).list_models(&ai::http_client()))
            .await
            .unwrap_err()
            .to_string();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(error.contains("more than 4 MiB"), "{error}");
    let written = server.written.load(Ordering::Relaxed);
    assert!(
        written < ai::LIST_BODY_LIMIT + SLACK,
        "{written} bytes read"
    );
}

#[tokio::test]
async fn an_endless_stream_line_ends_the_reply_with_words_and_keeps_the_text() {
    let server = endless(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"",
        PIECE,
    )
    .await;
    let started = Instant::now();
    let mut events = ai::provider_for(endpoint(&server.base_url))
        .stream_chat(&ai::http_client(), &request())
        .await
        .unwrap();
    let (mut text, mut error) = (String::new(), None);
    within(async {
        while let Some(item) = events.next().await {
            match item {
                Ok(StreamEvent::Text(t)) => text.push_str(&t),
                Ok(_) => {}
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(text, "Hello there", "the text before the endless line");
    let error = error.expect("the stream ends in an error");
    assert!(
        error.contains("more than 1 MiB without ending a piece of the reply")
            && error.contains("text so far is kept"),
        "{error}"
    );
    drop(events);
    let written = server.written.load(Ordering::Relaxed);
    assert!(written < ai::EVENT_LIMIT + SLACK, "{written} bytes read");
}
