//! The token estimate for texts the window shows counts of (the character
//! editor's fields), so the window and prompt assembly count alike.

use tracing::instrument;

use crate::services::tokens;

/// Estimated tokens of each text, in order.
#[tauri::command]
#[instrument(skip_all)]
pub fn tokens_count(texts: Vec<String>) -> Vec<u32> {
    texts
        .iter()
        .map(|t| u32::try_from(tokens::estimate(t)).unwrap_or(u32::MAX))
        .collect()
}
