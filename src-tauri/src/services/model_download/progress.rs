//! Where each download is, for the window: bytes, speed, time left, its
//! state, and the token that cancels it. Kept apart from the downloading
//! itself because the app's state holds it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::models::Id;

/// Where a download is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadState {
    Running,
    /// Whole, checked and added as a model.
    Done,
    Failed,
    /// Stopped by the person; the `.part` stays for a resume.
    Cancelled,
}

/// A download as the window shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Download {
    pub id: Id,
    pub url: String,
    pub file: PathBuf,
    pub received: u64,
    /// The whole size, when the server says.
    pub total: Option<u64>,
    /// Bytes per second over the last few seconds.
    pub speed: u64,
    /// Seconds left at that speed, when the size is known.
    pub seconds_left: Option<u64>,
    /// Bytes that were already there when it started (a resume).
    pub resumed_from: u64,
    pub state: DownloadState,
    /// Why it failed, in English.
    pub error: Option<String>,
    /// The code and values the window words `error` by (error.rs `Words`),
    /// when it has them.
    pub error_code: Option<String>,
    pub error_values: Option<serde_json::Value>,
    /// The model it became.
    pub ai_model_id: Option<Id>,
}

#[derive(Default)]
pub struct Downloads {
    all: Mutex<HashMap<Id, (Download, CancellationToken)>>,
}

impl std::fmt::Debug for Downloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloads").finish_non_exhaustive()
    }
}

impl Downloads {
    /// Adds a download; false when the same file is being downloaded.
    pub(super) fn begin(&self, download: Download, token: CancellationToken) -> bool {
        let mut all = self
            .all
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if all
            .values()
            .any(|(d, _)| d.file == download.file && d.state == DownloadState::Running)
        {
            return false;
        }
        all.insert(download.id, (download, token));
        true
    }

    pub(super) fn update(&self, id: Id, f: impl FnOnce(&mut Download)) {
        if let Some((d, _)) = self
            .all
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_mut(&id)
        {
            f(d);
        }
    }

    /// Every download since Parley started, newest first.
    pub fn list(&self) -> Vec<Download> {
        let all = self
            .all
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut list: Vec<Download> = all.values().map(|(d, _)| d.clone()).collect();
        list.sort_by_key(|d| std::cmp::Reverse(d.id));
        list
    }

    pub fn cancel(&self, id: Id) -> bool {
        let all = self
            .all
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match all.get(&id) {
            Some((d, token)) if d.state == DownloadState::Running => {
                token.cancel();
                true
            }
            _ => false,
        }
    }
}
