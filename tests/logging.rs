//! The log: JSON lines with a span per command and its request id, and an
//! API key given to the app never appears in it, even at trace level and
//! even when the request carrying it fails.

mod common;

use common::app::MockApp;
use parley::logging::{self, LogFormat};
use parley::models::{ProviderInput, ProviderKind};
use parley::secrets::Secret;
use serde_json::json;

const CANARY: &str = "sk-live-CANARY-7f3a9c2e-never-log-me";

/// The commands run through the app's IPC, as the window calls them, so
/// the key crosses the same deserialization and spans as in the app.
#[test]
fn api_keys_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    // Everything Parley and sqlx can say, including every SQL statement.
    std::env::set_var("RUST_LOG", "trace,hyper=off,tokio=off");
    let guard = logging::init(LogFormat::JsonFile, dir.path()).expect("file logging");

    let app = MockApp::new();
    let input =
        json!({ "name": "OpenRouter", "kind": "openrouter", "baseUrl": "", "apiKey": CANARY });
    let created = app.ok("provider_create", json!({ "input": input }));
    // The same name again fails, with the key in the request.
    let err = app
        .invoke("provider_create", json!({ "input": input }))
        .unwrap_err();
    assert_eq!(err["type"], "ConflictError", "{err}");
    // A bad URL fails validation, with the key in the request.
    let bad =
        json!({ "name": "Other", "kind": "openrouter", "baseUrl": "not a url", "apiKey": CANARY });
    app.invoke("provider_create", json!({ "input": bad }))
        .unwrap_err();
    app.ok(
        "provider_update",
        json!({ "id": created["id"], "input": input }),
    );
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
    assert!(
        lines.iter().any(|l| l["level"] == "WARN"
            && l["span"]["name"] == "provider_create"
            && l["fields"]["error"].is_string()),
        "a failed command logs its error in its span: {log}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["name"] == "provider_create" && l["span"]["request_id"].is_string()),
        "each command has a span named after it, with a request id: {log}"
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
