//! The app's real command list behind Tauri's mock runtime: a window that
//! sends IPC requests as the webview would, with the state the app builds
//! (`parley::app::state`) on a fresh in-memory database. No real window,
//! no WebDriver.
//!
//! Tests using it are plain `#[test]`s: the commands run on Tauri's own
//! async runtime, where the pool is opened too.

use std::path::PathBuf;
use std::sync::Arc;

use parley::app::Opened;
use parley::secrets::{MemorySecretStore, SecretStore};
use serde_json::Value;
use sqlx::SqlitePool;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

pub struct MockApp {
    /// Kept alive for the window's sake.
    pub app: App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub pool: SqlitePool,
}

impl MockApp {
    /// The app with every command registered and a fresh database.
    pub fn new() -> MockApp {
        Self::with_secrets(Arc::new(MemorySecretStore::default()))
    }

    /// The same, with API keys kept in `secrets` (e.g. a real key file).
    pub fn with_secrets(secrets: Arc<dyn SecretStore>) -> MockApp {
        let pool = tauri::async_runtime::block_on(parley::db::open_in_memory()).unwrap();
        let app = mock_builder()
            .invoke_handler(parley::all_commands!())
            .build(mock_context(noop_assets()))
            .expect("the mock app builds");
        app.manage(parley::app::state(
            pool.clone(),
            secrets,
            Opened {
                db_path: PathBuf::from(":memory:"),
                log_dir: PathBuf::from("logs"),
                schema_version: 0,
            },
        ));
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("the mock window opens");
        MockApp { app, window, pool }
    }

    /// What the window receives for `cmd` with these arguments: the value,
    /// or the rejection's JSON.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.invoke_with(cmd, InvokeBody::Json(args), Default::default())
    }

    pub fn invoke_with(
        &self,
        cmd: &str,
        body: InvokeBody,
        headers: tauri::http::HeaderMap,
    ) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The app's own origin; anything else is refused as remote.
            url: "tauri://localhost".parse().unwrap(),
            body,
            headers,
            invoke_key: INVOKE_KEY.to_string(),
        };
        tauri::test::get_ipc_response(&self.window, request)
            .map(|b| b.deserialize::<Value>().expect("a JSON reply"))
    }

    /// `invoke`, which must succeed.
    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }
}
