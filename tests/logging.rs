//! The log: JSON lines with a span per command and its request id, and an
//! API key given to the app never appears in it, even at trace level and
//! even when the request carrying it fails.

use parley::commands::traced;
use parley::logging::{self, LogFormat};
use parley::models::{ProviderInput, ProviderKind};
use parley::secrets::{MemorySecretStore, Secret};
use parley::services::provider;

const CANARY: &str = "sk-live-CANARY-7f3a9c2e-never-log-me";

#[tokio::test]
async fn api_keys_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    // Everything Parley and sqlx can say, including every SQL statement.
    std::env::set_var("RUST_LOG", "trace,hyper=off,tokio=off");
    let guard = logging::init(LogFormat::JsonFile, dir.path()).expect("file logging");

    let pool = parley::db::open_in_memory().await.unwrap();
    let secrets = MemorySecretStore::default();
    let input = ProviderInput {
        name: "OpenRouter".into(),
        kind: ProviderKind::Openrouter,
        base_url: String::new(),
        api_key: Some(Secret::new(CANARY)),
    };
    let created = traced(
        "provider_create",
        provider::create(&pool, &secrets, input.clone()),
    )
    .await
    .unwrap();
    // The same name again fails, with the key in the request.
    let err = traced(
        "provider_create",
        provider::create(&pool, &secrets, input.clone()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), "ConflictError");
    // A bad URL fails validation, with the key in the request.
    let bad = ProviderInput {
        name: "Other".into(),
        base_url: "not a url".into(),
        ..input.clone()
    };
    traced("provider_create", provider::create(&pool, &secrets, bad))
        .await
        .unwrap_err();
    traced(
        "provider_update",
        provider::update(&pool, &secrets, created.id, input),
    )
    .await
    .unwrap();
    tracing::debug!(request = ?ProviderInput {
        name: "debug print".into(),
        kind: ProviderKind::Glm,
        base_url: String::new(),
        api_key: Some(Secret::new(CANARY)),
    }, "a careless debug print of a whole request");
    drop(guard);

    let mut log = String::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert!(lines.len() >= 5, "the log has the work in it: {log}");
    assert!(log.contains("provider created"), "{log}");
    assert!(log.contains("command failed"), "{log}");
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["command"] == "provider_create"
                && l["span"]["request_id"].is_string()),
        "each command has a span with a request id: {log}"
    );
    assert!(
        log.contains("insert into providers"),
        "SQL was logged at trace level: {log}"
    );
    assert!(!log.contains(CANARY), "the API key leaked into the log");
    assert!(
        !log.contains("CANARY"),
        "part of the API key leaked into the log"
    );
}
