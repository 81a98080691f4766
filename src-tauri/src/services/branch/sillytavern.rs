//! SillyTavern's branches and checkpoints, in and out. SillyTavern saves a
//! branch as a whole chat file whose header says
//! `chat_metadata.main_chat`: the name of the file it came from (without
//! `.jsonl`); the message it was made at names the branch back
//! (`extra.branches`, or `extra.bookmark_link` for a checkpoint).
//!
//! On import each chat remembers its file's name ([`FILE_KEY`] in its
//! metadata). A chat naming a main chat that was imported for the same
//! character becomes its branch, and chats already imported that name the
//! new one as theirs become its branches: the order files come in does not
//! matter. On export a branch whose parent exists names it as `main_chat`.

use serde_json::{json, Value};
use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;
use crate::models::Id;
use crate::repos::branch as repo;

/// Metadata key of an imported chat's SillyTavern file name (no `.jsonl`).
pub const FILE_KEY: &str = "sillytavern_file";

/// Where `file` was branched off `parent`: the message that links to it,
/// else the branch's own last message (SillyTavern's branch holds the
/// history up to it), within the parent.
async fn branch_point(
    conn: &mut SqliteConnection,
    parent: Id,
    file: Option<&str>,
    branch_last: Option<i64>,
) -> Result<i64> {
    if let Some(file) = file {
        if let Some(seq) = repo::imported_branch_point(&mut *conn, parent, file).await? {
            return Ok(seq);
        }
    }
    let parent_last = repo::last_seq(&mut *conn, parent).await?.unwrap_or(0);
    Ok(branch_last.unwrap_or(0).clamp(0, parent_last))
}

/// Links a chat just imported (inside its transaction, from the file
/// `file`, with SillyTavern's header `header`) to its main chat, and the
/// chats that name it as theirs to it. Only chats of the same character.
pub async fn link_imported(
    conn: &mut SqliteConnection,
    chat: Id,
    character: Option<Id>,
    file: &str,
    header: &Value,
) -> Result<()> {
    let Some(character) = character else {
        return Ok(());
    };
    let main = header
        .get("chat_metadata")
        .and_then(|m| m.get("main_chat"))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty() && *s != file);
    if let Some(main) = main {
        if let Some(parent) =
            repo::find_imported(&mut *conn, character, FILE_KEY, main, chat).await?
        {
            let last = repo::last_seq(&mut *conn, chat).await?;
            let seq = branch_point(conn, parent, Some(file), last).await?;
            repo::link(&mut *conn, chat, parent, seq).await?;
        }
    }
    for (branch, branch_file, last) in
        repo::naming_main_chat(&mut *conn, character, FILE_KEY, file, chat).await?
    {
        let seq = branch_point(conn, chat, branch_file.as_deref(), last).await?;
        repo::link(&mut *conn, branch, chat, seq).await?;
    }
    Ok(())
}

/// The chat a branch came from, as an export names it.
#[derive(Debug, Clone)]
pub struct ParentFile {
    /// The SillyTavern file the parent was imported from (no `.jsonl`).
    pub sillytavern_file: Option<String>,
    /// The parent's title, which names its own export otherwise.
    pub title: String,
}

/// The parent of a branch while it exists (in the trash too); `None` for a
/// chat that is not a branch or whose parent was purged.
pub async fn parent_file(pool: &SqlitePool, chat: Id) -> Result<Option<ParentFile>> {
    let Some(parent) = repo::origin(pool, chat)
        .await?
        .and_then(|o| o.parent_chat_id.map(|id| (id, o.parent_title)))
    else {
        return Ok(None);
    };
    let metadata = crate::repos::chat_session::metadata(pool, parent.0)
        .await?
        .unwrap_or_default();
    Ok(Some(ParentFile {
        sillytavern_file: metadata
            .get(FILE_KEY)
            .and_then(Value::as_str)
            .map(str::to_string),
        title: parent.1,
    }))
}

/// Puts `main_chat` in a SillyTavern header, keeping its other metadata.
pub fn set_main_chat(header: &mut Value, main_chat: &str) {
    let Some(obj) = header.as_object_mut() else {
        return;
    };
    let meta = obj.entry("chat_metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    if let Some(m) = meta.as_object_mut() {
        m.insert("main_chat".into(), json!(main_chat));
    }
}
