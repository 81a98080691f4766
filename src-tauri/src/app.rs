//! The window app: Tauri's builder, its plugins, the managed state and the
//! setup that opens the database before the window exists.
//!
//! [`state`] builds the managed state from an app handle of any runtime, so
//! tests drive the real command list through Tauri's mock runtime with it.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::SqlitePool;
use tauri::Manager;

use crate::secrets::{self, SecretStore};
use crate::state::AppState;
use crate::{ai, db, instance, key_file, logging, paths, services};

/// Opens the window (and everything behind it) until it closes.
pub fn run() {
    // One Parley per data folder: a second launch brings the open window
    // forward and ends here, before the log, the database or the keys.
    let (data_dir, db_path) = match paths::data_dir() {
        Ok(dir) => {
            let db = db::resolve_path(&dir);
            (dir, db)
        }
        Err(e) => {
            eprintln!("parley: {e}");
            std::process::exit(1);
        }
    };
    let guard = match instance::claim(&db_path) {
        Ok(instance::Claim::First(guard)) => guard,
        Ok(instance::Claim::Running { shown }) => {
            if !shown {
                eprintln!("parley: {}", instance::refusal(&db_path));
            }
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!(
                "parley: cannot lock the data folder {}: {e}",
                data_dir.display()
            );
            std::process::exit(1);
        }
    };
    software_rendering_without_gpu();
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(crate::all_commands!())
        .setup(move |app| {
            let handle = app.handle().clone();
            guard.on_show(move || show_main_window(&handle));
            app.manage(instance::Held(std::sync::Mutex::new(guard)));
            let log_dir = paths::log_dir()?;
            let guard = logging::init(logging::LogFormat::from_env(), &log_dir);
            app.manage(LogGuard(guard));
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "parley starting");

            // The database is open and migrated before the window exists.
            let (pool, report) = match tauri::async_runtime::block_on(db::open(&db_path)) {
                Ok(opened) => opened,
                Err(e) => {
                    tracing::error!(error = %e, path = %db_path.display(), "cannot open the database");
                    eprintln!("parley: cannot open the database {}: {e}", db_path.display());
                    return Err(Box::new(std::io::Error::other(e.to_string())));
                }
            };
            if let Err(e) = tauri::async_runtime::block_on(services::generation::recover(&pool, &db_path)) {
                tracing::error!(error = %e, "could not mark interrupted replies");
            }
            // The OS keychain when there is one, else Parley's key file
            // (keys saved in it before are still found). The store plugin
            // registered above keeps no secret.
            let secrets = secret_store(&data_dir)?;
            // Models on this computer: the person's idle time, context cap, threads.
            if let Err(e) = tauri::async_runtime::block_on(services::local_model::apply_settings(&pool)) {
                tracing::warn!(error = %e, "could not read the settings for models on this computer");
            }
            // The daily backup: now if the newest is a day old, then daily.
            tauri::async_runtime::spawn(services::backup::daily(pool.clone(), db_path.clone()));
            let state = state(
                pool,
                secrets,
                Opened {
                    db_path,
                    log_dir,
                    schema_version: report.schema_version,
                },
            );
            // Summaries of older messages, in the background, for the app's life.
            tauri::async_runtime::block_on(async { services::memory::summary_worker::start(&state) });
            // Vectors for memory, when an embedding model is chosen.
            tauri::async_runtime::spawn(services::embedding::indexer::run(state.clone()));
            app.manage(state);

            let config = app
                .config()
                .app
                .windows
                .first()
                .cloned()
                .ok_or("tauri.conf.json declares no window")?;
            crate::window::keep_to_app(tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?, app.config()).build()?;
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("parley: {e}");
            std::process::exit(1);
        })
        .run(|app, event| {
            // Closing Parley mid-reply saves what arrived, as interrupted.
            if let tauri::RunEvent::Exit = event {
                if let Some(state) = app.try_state::<AppState>() {
                    tauri::async_runtime::block_on(state.replies.close(REPLY_SAVE_WAIT));
                }
            }
        });
}

/// The open window comes forward: shown, unminimized, focused.
fn show_main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    tracing::info!("a second launch asked for the window");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// How long closing Parley waits for replies being written to save.
const REPLY_SAVE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// What opening the database found, for `app_info`.
#[derive(Debug, Clone)]
pub struct Opened {
    pub db_path: PathBuf,
    pub log_dir: PathBuf,
    pub schema_version: i64,
}

/// The state every command reads (the one context: pool, HTTP client,
/// secrets, the replies being written, paths).
pub fn state(pool: SqlitePool, secrets: Arc<dyn SecretStore>, opened: Opened) -> AppState {
    AppState {
        pool,
        http: ai::http_client(),
        secrets,
        replies: Arc::default(),
        summaries: Arc::default(),
        embeddings: Arc::default(),
        downloads: Arc::default(),
        db_path: opened.db_path,
        log_dir: opened.log_dir,
        schema_version: opened.schema_version,
    }
}

/// Without a GPU (no DRM render node: a VM, a remote desktop, Xvfb), WebKit's
/// compositor runs on software GL and costs more than it saves: measured
/// here, frames while streaming halve and idle memory drops by ~85 MiB with
/// it off (docs/BENCHMARKS.md). Set before WebKit starts, on the main thread
/// before any other thread exists; a value the person set wins.
fn software_rendering_without_gpu() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux") && std::env::var_os(VAR).is_none() {
        let has_gpu = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        });
        if !has_gpu {
            std::env::set_var(VAR, "1");
        }
    }
}

/// The keychain is skipped when the data folder is moved (tests, portable
/// setups), so such runs never touch the person's real keychain.
/// Where API keys live: the OS keychain when there is one, else Parley's
/// key file in `data_dir` (keys saved in it before are still found). The
/// app and `parley chat` read keys the same way.
pub fn secret_store(data_dir: &std::path::Path) -> crate::error::Result<Arc<dyn SecretStore>> {
    let file = key_file::KeyFileStore::open(data_dir)?;
    Ok(
        match keychain_wanted()
            .then(secrets::KeychainSecretStore::probe)
            .flatten()
        {
            Some(keychain) => Arc::new(secrets::LayeredSecretStore {
                preferred: Box::new(keychain),
                fallback: Box::new(file),
            }),
            None => Arc::new(file),
        },
    )
}

fn keychain_wanted() -> bool {
    paths::data_dir_override().is_none() && std::env::var_os("PARLEY_NO_KEYCHAIN").is_none()
}

/// Keeps the log writer alive (and flushing) for the app's life.
struct LogGuard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);
