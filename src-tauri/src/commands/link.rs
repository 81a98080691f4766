//! Opening a link from a message outside Parley, after the person has
//! confirmed its address in the window.

use tracing::instrument;

use crate::error::Result;
use crate::services::link;

#[tauri::command]
#[instrument(skip_all, fields(request_id = %super::request_id()), err(level = "warn", Debug))]
pub async fn open_link(url: String) -> Result<()> {
    link::open(&url)
}
