//! Text-completion servers against a local mock: KoboldCpp's generate API
//! (and its abort when a reply is stopped), llama.cpp's `/completion`, and
//! OpenAI-compatible `/v1/completions`; each gets the conversation written
//! out by an instruct template, with the template's stop strings, and
//! reports the context length the server runs with.

mod common;

use std::time::Duration;

use common::mock_llm::{status, stream, End, MockLlm, Reply};
use futures_util::StreamExt;
use parley::ai::instruct::{builtin, Instruct};
use parley::ai::{self, ChatRequest, Endpoint, PromptMessage, StreamEvent};
use parley::models::{MessageRole, ProviderKind, SamplingParams};

fn endpoint(kind: ProviderKind, base_url: &str, instruct: Option<Instruct>) -> Endpoint {
    Endpoint {
        kind,
        name: "Local writer".into(),
        base_url: base_url.into(),
        api_key: None,
        instruct,
    }
}

fn request(model: &str) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        messages: vec![
            PromptMessage {
                role: MessageRole::System,
                content: "You are Mira.".into(),
            },
            PromptMessage {
                role: MessageRole::User,
                content: "Where are we?".into(),
            },
        ],
        max_tokens: 120,
        params: SamplingParams {
            temperature: Some(0.7),
            top_k: Some(40),
            repetition_penalty: Some(1.1),
            seed: Some(42),
            ..Default::default()
        },
    }
}

fn frames(frames: &[serde_json::Value], done: bool) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| format!("event: message\ndata: {f}\n\n").into_bytes())
        .collect();
    if done {
        out.push(b"data: [DONE]\n\n".to_vec());
    }
    out
}

#[derive(Debug, Default)]
struct Got {
    text: String,
    finish: Option<String>,
    usage: Option<(Option<i64>, Option<i64>)>,
    done: bool,
    cut: bool,
}

async fn collect(endpoint: Endpoint, request: &ChatRequest) -> Got {
    let http = ai::http_client();
    let provider = ai::provider_for(endpoint);
    let mut s = provider.stream_chat(&http, request).await.unwrap();
    let mut got = Got::default();
    while let Some(e) = s.next().await {
        match e.unwrap() {
            StreamEvent::Text(t) => got.text.push_str(&t),
            StreamEvent::Finish(f) => got.finish = Some(f),
            StreamEvent::Usage {
                input_tokens,
                output_tokens,
            } => got.usage = Some((input_tokens, output_tokens)),
            StreamEvent::Done => got.done = true,
            StreamEvent::CutShort => got.cut = true,
            StreamEvent::Reasoning(_) => {}
        }
    }
    got
}

fn root(mock: &MockLlm) -> String {
    mock.base_url.trim_end_matches("/v1").to_string()
}

#[tokio::test]
async fn koboldcpp_streams_a_reply_written_out_by_the_models_instruct_template() {
    let mock = MockLlm::start(vec![stream(frames(
        &[
            serde_json::json!({"token": "On the ", "finish_reason": null}),
            serde_json::json!({"token": "lighthouse.", "finish_reason": null}),
            serde_json::json!({"token": "", "finish_reason": "stop"}),
        ],
        false,
    ))])
    .await;
    let got = collect(
        endpoint(ProviderKind::Koboldcpp, &root(&mock), None),
        &request("Meta-Llama-3-8B-Instruct"),
    )
    .await;
    assert_eq!(got.text, "On the lighthouse.");
    assert_eq!(got.finish.as_deref(), Some("stop"));
    assert!(got.done && !got.cut, "{got:?}");

    let seen = &mock.requests()[0];
    assert_eq!(seen.path, "/api/extra/generate/stream");
    let body = seen.json();
    let llama3 = builtin().into_iter().find(|f| f.name == "Llama 3").unwrap();
    assert_eq!(body["prompt"], llama3.render(&request("x").messages));
    assert!(body["prompt"]
        .as_str()
        .unwrap()
        .ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"));
    assert_eq!(body["stop_sequence"][0], "<|eot_id|>");
    assert_eq!(body["max_length"], 120);
    assert_eq!(body["rep_pen"], 1.1);
    assert_eq!(body["top_k"], 40);
    assert_eq!(body["sampler_seed"], 42);
}

#[tokio::test]
async fn a_stopped_koboldcpp_reply_is_aborted_on_the_server() {
    let mock = MockLlm::start(vec![
        Reply::Stream {
            chunks: frames(
                &[serde_json::json!({"token": "Once ", "finish_reason": null})],
                false,
            ),
            pause: Duration::from_millis(1),
            end: End::Hang,
        },
        status(200, r#"{"success": true}"#),
    ])
    .await;
    let http = ai::http_client();
    let provider = ai::provider_for(endpoint(ProviderKind::Koboldcpp, &root(&mock), None));
    let request = request("tiefighter");
    let mut s = provider.stream_chat(&http, &request).await.unwrap();
    assert!(matches!(s.next().await, Some(Ok(StreamEvent::Text(_)))));
    drop(s);
    let start = std::time::Instant::now();
    while mock.requests().len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no abort was sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = mock.requests();
    assert_eq!(seen[1].path, "/api/extra/abort");
    assert_eq!(
        seen[1].json()["genkey"],
        seen[0].json()["genkey"],
        "the abort names the generation"
    );
}

#[tokio::test]
async fn llama_cpp_completion_reports_length_and_exact_counts() {
    let mock = MockLlm::start(vec![stream(
        [
            "data: {\"content\":\"The \",\"stop\":false}\n\n",
            "data: {\"content\":\"sea\",\"stop\":false}\n\n",
            "data: {\"content\":\"\",\"stop\":true,\"stop_type\":\"limit\",\"tokens_evaluated\":31,\"tokens_predicted\":2}\n\n",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
    )])
    .await;
    let mine = Instruct {
        name: "Mine".into(),
        user_prefix: "### You: ".into(),
        user_suffix: "\n".into(),
        assistant_prefix: "### Mira: ".into(),
        stop: vec!["### You:".into()],
        ..Default::default()
    };
    let got = collect(
        endpoint(ProviderKind::Llamacpp, &root(&mock), Some(mine)),
        &request("any"),
    )
    .await;
    assert_eq!(got.text, "The sea");
    assert_eq!(got.finish.as_deref(), Some("length"));
    assert_eq!(got.usage, Some((Some(31), Some(2))));
    let seen = &mock.requests()[0];
    assert_eq!(seen.path, "/completion");
    let body = seen.json();
    assert_eq!(
        body["prompt"], "You are Mira.### You: Where are we?\n### Mira: ",
        "the person's own template"
    );
    assert_eq!(body["stop"][0], "### You:");
    assert_eq!(body["cache_prompt"], true);
    assert_eq!(body["n_predict"], 120);
    assert_eq!(body["seed"], 42);
}

#[tokio::test]
async fn openai_compatible_completions_stream_text_choices() {
    let chunks = [
        "data: {\"choices\":[{\"text\":\"Near \",\"finish_reason\":null}]}\n\n",
        "data: {\"choices\":[{\"text\":\"the cliffs.\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":4}}\n\n",
        "data: [DONE]\n\n",
    ];
    let mock = MockLlm::start(vec![stream(
        chunks.iter().map(|s| s.as_bytes().to_vec()).collect(),
    )])
    .await;
    let got = collect(
        endpoint(ProviderKind::TextCompletion, &mock.base_url, None),
        &request("mistral-7b-instruct"),
    )
    .await;
    assert_eq!(got.text, "Near the cliffs.");
    assert_eq!(got.usage, Some((Some(20), Some(4))));
    assert!(got.done);
    let seen = &mock.requests()[0];
    assert_eq!(seen.path, "/v1/completions");
    assert_eq!(
        seen.json()["prompt"],
        "<s>[INST] You are Mira. [/INST][INST] Where are we? [/INST]"
    );
    assert_eq!(seen.json()["model"], "mistral-7b-instruct");
}

#[tokio::test]
async fn servers_report_the_context_they_run_with() {
    let kobold = MockLlm::start(vec![
        status(200, r#"{"result": "koboldcpp/Tiefighter-13B"}"#),
        status(200, r#"{"value": 12288}"#),
    ])
    .await;
    let http = ai::http_client();
    let models = ai::provider_for(endpoint(ProviderKind::Koboldcpp, &root(&kobold), None))
        .list_models(&http)
        .await
        .unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].id, "Tiefighter-13B");
    assert_eq!(models[0].context_length, Some(12288));
    assert_eq!(
        kobold.requests()[1].path,
        "/api/extra/true_max_context_length"
    );

    let llama = MockLlm::start(vec![status(
        200,
        r#"{"default_generation_settings": {"n_ctx": 16384}, "model_path": "/models/qwen2.5-7b-instruct-q4_k_m.gguf"}"#,
    )])
    .await;
    let models = ai::provider_for(endpoint(ProviderKind::Llamacpp, &root(&llama), None))
        .list_models(&http)
        .await
        .unwrap();
    assert_eq!(models[0].id, "qwen2.5-7b-instruct-q4_k_m.gguf");
    assert_eq!(models[0].context_length, Some(16384));
    assert_eq!(llama.requests()[0].path, "/props");
}

#[tokio::test]
async fn local_servers_found_say_the_context_each_model_runs_with() {
    use parley::ai::RemoteModel;
    use parley::services::local_servers::context_lengths;
    let http = ai::http_client();
    let model = |id: &str| RemoteModel {
        id: id.into(),
        name: None,
        context_length: None,
    };

    let ollama = MockLlm::start(vec![status(
        200,
        r#"{"model_info": {"general.architecture": "llama", "llama.context_length": 131072}}"#,
    )])
    .await;
    let mut models = vec![model("llama3.1:8b")];
    context_lengths(&http, "Ollama", &root(&ollama), &mut models).await;
    assert_eq!(models[0].context_length, Some(131_072));
    assert_eq!(ollama.requests()[0].path, "/api/show");
    assert_eq!(ollama.requests()[0].json()["model"], "llama3.1:8b");

    let lm_studio = MockLlm::start(vec![status(
        200,
        r#"{"data": [{"id": "qwen2.5-7b", "max_context_length": 32768, "loaded_context_length": 8192}, {"id": "phi-3", "max_context_length": 4096}]}"#,
    )])
    .await;
    let mut models = vec![model("qwen2.5-7b"), model("phi-3"), model("other")];
    context_lengths(&http, "LM Studio", &root(&lm_studio), &mut models).await;
    let lengths: Vec<Option<i64>> = models.iter().map(|m| m.context_length).collect();
    assert_eq!(
        lengths,
        vec![Some(8192), Some(4096), None],
        "loaded length first, else the maximum"
    );

    let silent = MockLlm::start(vec![status(500, "oops")]).await;
    let mut models = vec![model("x")];
    context_lengths(&http, "llama.cpp server", &root(&silent), &mut models).await;
    assert_eq!(
        models[0].context_length, None,
        "a server that does not say leaves it unknown"
    );
}
