//! Keys stay with their server: Parley's key file (private, written whole,
//! set aside and never emptied when it cannot be read, the store plugin's
//! old file moved in once), no key value in any reply or event the window
//! gets, and key-shaped text redacted before it reaches the database, the
//! log or the window.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::app::MockApp;
use common::mock_llm::{status, MockLlm};
use parley::key_file::{KeyFileStore, KEY_FILE, OLD_PLUGIN_FILE};
use parley::logging::{self, LogFormat};
use parley::models::{ChatSessionInput, ProviderInput, ProviderKind};
use parley::secrets::{provider_key, MemorySecretStore, Secret, SecretStore};
use parley::services::generation::{self, ReplyEvent, ReplySink};
use parley::services::{ai_model, chat_session, message, provider};
use rstest::rstest;
use serde_json::json;
use tauri::Listener;

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keys_live_in_a_private_file_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyFileStore::open(dir.path()).unwrap();
    assert!(store.notice().is_none());
    assert!(files(dir.path()).is_empty(), "no file until a key is saved");
    store
        .set("provider.a.api_key", &Secret::new("sk-first-0001"))
        .unwrap();
    store
        .set("provider.b.api_key", &Secret::new("sk-second-0002"))
        .unwrap();
    store.delete("provider.a.api_key").unwrap();
    // Only the key file: no temporary file left beside it.
    assert_eq!(files(dir.path()), vec![KEY_FILE.to_string()]);
    let path = dir.path().join(KEY_FILE);
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600, "the key file is private");
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk, json!({ "provider.b.api_key": "sk-second-0002" }));
    // A new start finds what was saved.
    let again = KeyFileStore::open(dir.path()).unwrap();
    assert_eq!(
        again.get("provider.b.api_key").unwrap().unwrap().expose(),
        "sk-second-0002"
    );
    assert!(again.get("provider.a.api_key").unwrap().is_none());
}

#[rstest]
#[case::garbage(b"\x00\xffnot json at all".as_slice(), "it is not JSON")]
#[case::truncated(br#"{"provider.a.api_key": "sk-tru"#.as_slice(), "it is not JSON")]
#[case::a_list(b"[1, 2, 3]".as_slice(), "not a JSON object")]
#[case::wrong_value(br#"{"provider.a.api_key": 42}"#.as_slice(), "is not text")]
fn an_unreadable_key_file_is_set_aside_and_never_emptied(#[case] bytes: &[u8], #[case] why: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KEY_FILE);
    std::fs::write(&path, bytes).unwrap();
    let store = KeyFileStore::open(dir.path()).unwrap();
    let notice = store.notice().expect("the person is told");
    assert!(
        notice.contains("could not read its key file")
            && notice.contains(why)
            && notice.contains("set aside as")
            && notice.contains("Enter your keys again"),
        "{notice}"
    );
    let names = files(dir.path());
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("keys.json.unreadable-"), "{names:?}");
    assert!(notice.contains(&names[0]), "the notice names the file");
    let aside = dir.path().join(&names[0]);
    assert_eq!(std::fs::read(&aside).unwrap(), bytes, "kept byte for byte");
    assert!(!path.exists(), "no empty key file replaces it");
    assert!(store.get("provider.a.api_key").unwrap().is_none());

    // A key entered again makes a new file; the set-aside one is untouched.
    store
        .set("provider.a.api_key", &Secret::new("sk-again-1234"))
        .unwrap();
    assert_eq!(std::fs::read(&aside).unwrap(), bytes);
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("sk-again-1234"));
}

#[test]
fn keys_kept_by_the_store_plugin_move_into_the_key_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join(OLD_PLUGIN_FILE);
    std::fs::write(
        &old,
        r#"{"provider.a.api_key":"sk-old-plugin-0001","provider.b.api_key":""}"#,
    )
    .unwrap();
    let store = KeyFileStore::open(dir.path()).unwrap();
    assert!(store.notice().is_none());
    assert_eq!(
        store.get("provider.a.api_key").unwrap().unwrap().expose(),
        "sk-old-plugin-0001"
    );
    assert!(
        !old.exists(),
        "the old file is gone once the new one is synced"
    );
    let path = dir.path().join(KEY_FILE);
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("sk-old-plugin-0001"));
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    // The next start reads the key file alone.
    let again = KeyFileStore::open(dir.path()).unwrap();
    assert!(again.get("provider.a.api_key").unwrap().is_some());
    assert_eq!(files(dir.path()), vec![KEY_FILE.to_string()]);
}

const KEY: &str = "sk-live-WINDOW-4b2e9d71c3a8f650";
const URL_KEY: &str = "AIzaSyQ3-urlkey-7Hq2LmZx";

/// A provider error that echoes the key and an address with `?key=`.
fn echoing_error() -> String {
    json!({ "error": { "message": format!(
        "Incorrect API key provided: {KEY}. See https://api.example.com/v1/models?key={URL_KEY}&alt=json"
    ) } })
    .to_string()
}

/// Every Tauri event the app's own code sends, found in its sources, so a
/// new one is listened to here too (today there is none: replies go over
/// their own channel, whose events are checked below with the log).
fn app_event_names() -> Vec<String> {
    let mut names = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for call in [".emit(\"", ".emit_to(\"", ".emit_filter(\""] {
                    for piece in text.split(call).skip(1) {
                        names.push(piece.split('"').next().unwrap().to_string());
                    }
                }
            }
        }
    }
    names
}

/// Everything the window could receive: command replies and events (the
/// store plugin's change event, which carries values, and the app's own).
#[test]
fn no_key_value_reaches_the_window() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mock = rt.block_on(MockLlm::start(vec![status(401, &echoing_error())]));
    // The app's own key store, as where there is no keychain.
    let dir = tempfile::tempdir().unwrap();
    let app = MockApp::with_secrets(Arc::new(KeyFileStore::open(dir.path()).unwrap()));
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let names = ["store://change".to_string(), "tauri://error".to_string()];
    for name in names.into_iter().chain(app_event_names()) {
        let heard = heard.clone();
        app.app.listen_any(name, move |event| {
            heard.lock().unwrap().push(event.payload().to_string());
        });
    }
    let mut seen = Vec::new();
    let input = json!({ "name": "Leaky", "kind": "openai_compatible", "baseUrl": mock.base_url, "apiKey": KEY });
    let created = app.ok("provider_create", json!({ "input": input }));
    assert_eq!(created["hasApiKey"], true);
    let id = created["id"].clone();
    seen.push(created);
    seen.push(app.ok("provider_get", json!({ "id": id })));
    seen.push(app.ok("provider_list", json!({})));
    seen.push(app.ok("provider_update", json!({ "id": id, "input": input })));
    seen.push(app.ok("provider_key_notice", json!({})));
    seen.push(
        app.invoke("provider_models", json!({ "id": id }))
            .unwrap_err(),
    );
    seen.push(
        app.invoke("provider_create", json!({ "input": input }))
            .unwrap_err(),
    );
    let models_error = seen[5]["error"].as_str().unwrap().to_string();
    assert!(
        models_error.contains("rejected the API key (401)"),
        "{models_error}"
    );
    let kept = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
    assert!(kept.contains(KEY), "the key is kept in the key file");
    let everything = format!("{seen:?} {:?}", heard.lock().unwrap());
    assert!(
        !everything.contains(KEY),
        "a key reached the window: {everything}"
    );
    assert!(!everything.contains(URL_KEY), "{everything}");
    assert!(
        !everything.contains("WINDOW"),
        "part of the key: {everything}"
    );
}

struct Tap(Arc<Mutex<Vec<ReplyEvent>>>);

impl ReplySink for Tap {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0.lock().unwrap().push(event.clone());
        true
    }
}

/// A provider that echoes the key fails a reply: the stored metadata, the
/// error event the window gets and the log file hold no key.
#[tokio::test]
async fn key_shaped_text_is_redacted_in_the_database_the_log_and_the_window() {
    let logs = tempfile::tempdir().unwrap();
    let guard = logging::init(LogFormat::JsonFile, logs.path()).expect("file logging");

    let pool = common::pool().await;
    let mock = MockLlm::start(vec![status(401, &echoing_error())]).await;
    let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::default());
    let p = provider::create(
        &pool,
        secrets.as_ref(),
        ProviderInput {
            name: "Echo AI".into(),
            kind: ProviderKind::OpenaiCompatible,
            base_url: mock.base_url.clone(),
            api_key: Some(Secret::new(KEY)),
        },
    )
    .await
    .unwrap();
    let model = ai_model::create(
        &pool,
        parley::models::AiModelInput {
            provider_id: Some(p.id),
            model_id: "echo-1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let state = parley::app::state(
        pool.clone(),
        secrets.clone(),
        parley::app::Opened {
            db_path: "unused.db".into(),
            log_dir: logs.path().into(),
            schema_version: 0,
        },
    );
    let events = Arc::new(Mutex::new(Vec::new()));
    let started = generation::send(
        &state,
        chat.id,
        "Hello?".into(),
        Box::new(Tap(events.clone())),
    )
    .await
    .unwrap();
    let mut window = String::new();
    for _ in 0..500 {
        let got = events.lock().unwrap().clone();
        if let Some(end) = got.iter().find(|e| matches!(e, ReplyEvent::Error { .. })) {
            window = serde_json::to_string(end).unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(window.contains("rejected the API key (401)"), "{window}");
    assert!(window.contains("[redacted]"), "{window}");

    let stored = message::get(&pool, started.message.id).await.unwrap();
    let metadata = stored.metadata.0.to_string();
    assert!(metadata.contains("rejected the API key"), "{metadata}");

    // A careless line with a key in it is redacted by the logging layer.
    tracing::warn!(
        "a careless line: Authorization: Bearer {KEY} for https://x.example/v1?api_key={URL_KEY}"
    );
    drop(guard);
    let mut log = String::new();
    for entry in std::fs::read_dir(logs.path()).unwrap() {
        log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(log.contains("a careless line"), "{log}");
    for (place, text) in [("window", &window), ("database", &metadata), ("log", &log)] {
        assert!(!text.contains(KEY), "the key reached the {place}: {text}");
        assert!(
            !text.contains(URL_KEY),
            "the ?key= value reached the {place}: {text}"
        );
    }
    assert!(secrets.get(&provider_key(p.id)).unwrap().is_some());
}
