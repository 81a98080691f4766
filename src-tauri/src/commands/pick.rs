//! The system's own file chooser (tauri-plugin-dialog: GTK's on Linux, the
//! native panels on Windows and macOS), for the commands that ask the
//! person for a file or a folder. In `e2e` builds only, when
//! `PARLEY_E2E_PICK` names a file, that file's text answers instead (a
//! path; empty or missing for "cancelled"), read at each ask, since a test
//! cannot click inside a native dialog.

use serde_json::json;
use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::error::{AppError, Result};

/// What to ask for.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// One file, shown by its kind's name and extensions.
    File {
        kind: &'static str,
        extensions: &'static [&'static str],
    },
    Folder,
}

/// The path the person chose, or `None` when they cancelled.
pub async fn pick<R: Runtime>(
    app: &AppHandle<R>,
    what: Pick,
    title: &str,
) -> Result<Option<PathBuf>> {
    #[cfg(feature = "e2e")]
    if let Some(answers) = std::env::var_os("PARLEY_E2E_PICK") {
        let answer = std::fs::read_to_string(answers).unwrap_or_default();
        let answer = answer.trim();
        return Ok((!answer.is_empty()).then(|| PathBuf::from(answer)));
    }
    // Without the plugin (the mock app of the tests) there is no chooser.
    if app.try_state::<tauri_plugin_dialog::Dialog<R>>().is_none() {
        return Err(AppError::internal("the file chooser is not available")
            .worded("no_file_chooser", json!({})));
    }
    let mut dialog = app.dialog().file().set_title(title);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    match what {
        Pick::File { kind, extensions } => {
            dialog.add_filter(kind, extensions).pick_file(move |p| {
                let _ = tx.send(p);
            })
        }
        Pick::Folder => dialog.pick_folder(move |p| {
            let _ = tx.send(p);
        }),
    }
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|e| {
        AppError::internal(format!("the chosen path could not be read: {e}"))
            .worded("chosen_path_unreadable", json!({ "reason": e.to_string() }))
    })
}
