//! Provider clients against a local mock server: recorded SSE bodies for
//! OpenAI, OpenRouter, Ollama and Anthropic, split at awkward places, and
//! one test per fault, each ending in words that name the provider.

mod common;

use std::time::Duration;

use common::mock_llm::{fixture, split_every, status, stream, End, MockLlm, Reply};
use futures_util::StreamExt;
use parley::ai::{self, ChatRequest, Endpoint, PromptMessage, StreamEvent};
use parley::error::{AppError, Result};
use parley::models::{MessageRole, ProviderKind, SamplingParams};
use parley::secrets::Secret;

const TEXT: &str = "The café smells of rain 🌧️ and jasmine — naïve, perhaps.";
const KEY: &str = "sk-test-key-0123456789";

fn endpoint(kind: ProviderKind, base_url: &str) -> Endpoint {
    Endpoint {
        kind,
        name: "Test AI".into(),
        base_url: base_url.into(),
        api_key: Some(Secret::new(KEY)),
        instruct: None,
    }
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "test-model".into(),
        messages: vec![
            PromptMessage {
                role: MessageRole::System,
                content: "Be brief.".into(),
            },
            PromptMessage {
                role: MessageRole::User,
                content: "How does it smell?".into(),
            },
        ],
        max_tokens: 256,
        params: SamplingParams {
            temperature: Some(0.7),
            ..Default::default()
        },
    }
}

/// Everything a stream yields, with the first error (if any).
struct Collected {
    text: String,
    reasoning: String,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    finish: Option<String>,
    done: bool,
    cut_short: bool,
    error: Option<AppError>,
}

async fn collect(ep: Endpoint, http: &reqwest::Client) -> Result<Collected> {
    let provider = ai::provider_for(ep);
    let req = request();
    let mut s = provider.stream_chat(http, &req).await?;
    let mut c = Collected {
        text: String::new(),
        reasoning: String::new(),
        input_tokens: None,
        output_tokens: None,
        finish: None,
        done: false,
        cut_short: false,
        error: None,
    };
    while let Some(item) = s.next().await {
        match item {
            Ok(StreamEvent::Text(t)) => c.text.push_str(&t),
            Ok(StreamEvent::Reasoning(t)) => c.reasoning.push_str(&t),
            Ok(StreamEvent::Usage {
                input_tokens,
                output_tokens,
            }) => {
                c.input_tokens = input_tokens.or(c.input_tokens);
                c.output_tokens = output_tokens.or(c.output_tokens);
            }
            Ok(StreamEvent::Finish(r)) => c.finish = Some(r),
            Ok(StreamEvent::Done) => c.done = true,
            Ok(StreamEvent::CutShort) => c.cut_short = true,
            Err(e) => {
                c.error = Some(e);
                break;
            }
        }
    }
    Ok(c)
}

#[tokio::test]
async fn recorded_streams_survive_any_split() {
    let http = ai::http_client();
    for (file, kind, reasoning) in [
        ("openai.sse", ProviderKind::OpenaiCompatible, ""),
        (
            "openrouter.sse",
            ProviderKind::Openrouter,
            "The user asks about the café. Describe smells.",
        ),
        ("ollama.sse", ProviderKind::Ollama, ""),
        (
            "anthropic.sse",
            ProviderKind::Anthropic,
            "The user asks about the café. Describe smells.",
        ),
    ] {
        let body = fixture(file);
        // 1 and 3 bytes split every multi-byte character; 7 and 64 split lines.
        for size in [1, 3, 7, 64, body.len()] {
            let mock = MockLlm::start(vec![stream(split_every(&body, size))]).await;
            let c = collect(endpoint(kind, &mock.base_url), &http)
                .await
                .unwrap();
            assert!(c.error.is_none(), "{file} split {size}: {:?}", c.error);
            assert_eq!(c.text, TEXT, "{file} split {size}");
            assert_eq!(
                c.reasoning, reasoning,
                "{file} split {size}: reasoning kept apart"
            );
            assert!(c.done, "{file}: the stream ended as complete");
            assert_eq!(
                (c.input_tokens, c.output_tokens),
                (Some(52), Some(14)),
                "{file}"
            );
            assert!(c.finish.is_some(), "{file}");
        }
    }
}

#[tokio::test]
async fn requests_carry_the_right_headers_and_body() {
    let http = ai::http_client();
    let mock = MockLlm::start(vec![stream(vec![fixture("openrouter.sse")])]).await;
    collect(endpoint(ProviderKind::Openrouter, &mock.base_url), &http)
        .await
        .unwrap();
    let seen = &mock.requests()[0];
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(seen.header("x-title"), Some("Parley"));
    assert!(seen.header("http-referer").is_some());
    let body = seen.json();
    assert_eq!(body["stream"], true);
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["temperature"], 0.7);

    let mock = MockLlm::start(vec![stream(vec![fixture("anthropic.sse")])]).await;
    collect(endpoint(ProviderKind::Anthropic, &mock.base_url), &http)
        .await
        .unwrap();
    let seen = &mock.requests()[0];
    assert_eq!(seen.path, "/v1/messages");
    assert_eq!(seen.header("x-api-key"), Some(KEY));
    assert_eq!(seen.header("anthropic-version"), Some("2023-06-01"));
    let body = seen.json();
    assert_eq!(body["system"], "Be brief.");
    assert_eq!(
        body["messages"].as_array().unwrap().len(),
        1,
        "system goes apart"
    );
    assert_eq!(body["max_tokens"], 256);
}

/// Runs one request against a mock giving `reply`, expecting an error.
async fn fault(kind: ProviderKind, reply: Reply, http: &reqwest::Client) -> (AppError, String) {
    let mock = MockLlm::start(vec![reply]).await;
    let err = match collect(endpoint(kind, &mock.base_url), http).await {
        Err(e) => e,
        Ok(c) => {
            let partial = c.text.clone();
            return (c.error.expect("the stream reports the fault"), partial);
        }
    };
    (err, String::new())
}

fn status_of(e: &AppError) -> Option<u16> {
    match e {
        AppError::ExternalApi { status, .. } => *status,
        _ => None,
    }
}

#[tokio::test]
async fn http_faults_get_words_with_provider_and_status() {
    let http = ai::http_client();
    let k = ProviderKind::OpenaiCompatible;
    let cases: Vec<(Reply, Option<u16>, &str)> = vec![
        (
            status(
                401,
                r#"{"error":{"message":"Incorrect API key provided: sk-test-key-0123456789"}}"#,
            ),
            Some(401),
            "rejected the API key (401)",
        ),
        (
            status(403, r#"{"error":"forbidden"}"#),
            Some(403),
            "rejected the API key (403)",
        ),
        (
            status(404, r#"{"error":{"message":"model not found"}}"#),
            Some(404),
            "does not know the model \"test-model\"",
        ),
        (
            Reply::Status {
                code: 429,
                headers: vec![("Retry-After".into(), "20".into())],
                body: "slow down".into(),
            },
            Some(429),
            "try again in 20 seconds",
        ),
        (
            status(500, r#"{"error":{"message":"boom"}}"#),
            Some(500),
            "server error (500)",
        ),
        (
            status(503, "<html><body>Service Unavailable</body></html>"),
            Some(503),
            "server error (503)",
        ),
        (
            status(502, "upstream connect error"),
            Some(502),
            "It said: \"upstream connect error\"",
        ),
    ];
    for (reply, code, words) in cases {
        let (err, _) = fault(k, reply, &http).await;
        let text = err.to_string();
        assert_eq!(err.kind(), "ExternalApiError");
        assert_eq!(status_of(&err), code, "{text}");
        assert!(text.contains("Test AI"), "names the provider: {text}");
        assert!(text.contains(words), "{text}");
        assert!(!text.contains(KEY), "the key is never in an error: {text}");
    }
    let mock_429 = status(429, "");
    let (err, _) = fault(k, mock_429, &http).await;
    assert!(matches!(
        err,
        AppError::ExternalApi {
            retry_after_secs: None,
            ..
        }
    ));
}

#[tokio::test]
async fn broken_streams_keep_the_text_that_arrived() {
    let http = ai::http_client();
    let k = ProviderKind::OpenaiCompatible;
    let two = common::mock_llm::openai_tokens(&["Hello", " there"]);
    let partial: Vec<Vec<u8>> = two[..2].to_vec();

    // The connection drops mid-stream.
    let (err, text) = fault(
        k,
        Reply::Stream {
            chunks: partial.clone(),
            pause: Duration::from_millis(5),
            end: End::Drop,
        },
        &http,
    )
    .await;
    assert_eq!(text, "Hello there");
    assert!(
        err.to_string()
            .contains("dropped in the middle of the reply"),
        "{err}"
    );

    // The stream ends without [DONE] or a finish reason: cut short, not
    // an error, with the text kept.
    let mock = MockLlm::start(vec![stream(partial)]).await;
    let c = collect(endpoint(k, &mock.base_url), &http).await.unwrap();
    assert_eq!(c.text, "Hello there");
    assert!(c.cut_short && !c.done && c.error.is_none());

    // A 200 with no events at all.
    let (err, _) = fault(k, stream(vec![]), &http).await;
    assert!(err.to_string().contains("sent an empty reply"), "{err}");

    // A malformed chunk after some text.
    let mut chunks = common::mock_llm::openai_tokens(&["Hi"])[..1].to_vec();
    chunks.push(b"data: {\"choices\": [ {not json\n\n".to_vec());
    let (err, text) = fault(k, stream(chunks), &http).await;
    assert_eq!(text, "Hi");
    assert!(err.to_string().contains("malformed"), "{err}");

    // An error object inside the stream.
    let mut chunks = common::mock_llm::openai_tokens(&["Hi"])[..1].to_vec();
    chunks.push(
        b"data: {\"error\":{\"message\":\"Provider returned error\",\"code\":502}}\n\n".to_vec(),
    );
    let (err, text) = fault(k, stream(chunks), &http).await;
    assert_eq!(text, "Hi");
    assert_eq!(status_of(&err), Some(502));
    assert!(err.to_string().contains("Provider returned error"), "{err}");

    // Anthropic's own error event.
    let chunks = vec![
        b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n".to_vec(),
        b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Par\"}}\n\n".to_vec(),
        b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".to_vec(),
    ];
    let (err, text) = fault(ProviderKind::Anthropic, stream(chunks), &http).await;
    assert_eq!(text, "Par");
    assert!(err.to_string().contains("Overloaded"), "{err}");
}

#[tokio::test]
async fn silence_and_refused_connections_time_out_in_words() {
    // A server that accepts and then says nothing.
    let impatient = reqwest::Client::builder()
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let k = ProviderKind::OpenaiCompatible;
    let first = common::mock_llm::openai_tokens(&["Wait"])[..1].to_vec();
    let (err, text) = fault(
        k,
        Reply::Stream {
            chunks: first,
            pause: Duration::ZERO,
            end: End::Hang,
        },
        &impatient,
    )
    .await;
    assert_eq!(text, "Wait");
    assert!(err.to_string().contains("stopped sending"), "{err}");

    // Nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ep = endpoint(k, &format!("http://127.0.0.1:{port}/v1"));
    let err = collect(ep, &ai::http_client())
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("could not connect to Test AI"),
        "{err}"
    );
}

#[tokio::test]
async fn model_lists_come_back_with_context_lengths() {
    let http = ai::http_client();
    let mock = MockLlm::start(vec![status(
        200,
        r#"{"data":[{"id":"z-model","name":"Zed","context_length":32768},{"id":"a-model","top_provider":{"context_length":8192}}]}"#,
    )])
    .await;
    let models = ai::provider_for(endpoint(ProviderKind::Openrouter, &mock.base_url))
        .list_models(&http)
        .await
        .unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0].id, "a-model");
    assert_eq!(models[0].context_length, Some(8192));
    assert_eq!(models[1].name.as_deref(), Some("Zed"));
    assert_eq!(mock.requests()[0].path, "/v1/models");

    let mock = MockLlm::start(vec![status(401, r#"{"error":{"message":"bad key"}}"#)]).await;
    let err = ai::provider_for(endpoint(ProviderKind::Anthropic, &mock.base_url))
        .list_models(&http)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("rejected the API key (401)"),
        "{err}"
    );
}
