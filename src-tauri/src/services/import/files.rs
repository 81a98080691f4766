//! Which files an import of paths reads: the files named, and under the
//! folders named the card and chat files, cards first; then each file's
//! bytes, within the size limit.
//!
//! A SillyTavern data folder is read through its `characters`, `chats`,
//! `groups` and `group chats` folders only, so its settings and secrets are
//! never opened; of `characters` and `groups`, only the files directly
//! inside (not the sprite folders beside the cards). A whole SillyTavern install (its app folder, with `node_modules`,
//! `public`, `default` and `data`) is read through its data folders only:
//! each `data/<user>` and the older `public` layout, never the thousands of
//! images and JSON files of the app itself. `node_modules` is never entered.
//! Inside folders, symlinks are not followed.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cards::FileKind;
use crate::error::Cause;

/// A file found under the paths given, with what its place says.
#[derive(Debug, Clone)]
pub(super) struct Job {
    pub path: PathBuf,
    pub is_chat: bool,
    /// For `chats/<character>/x.jsonl`: the folder's name.
    pub character_hint: Option<String>,
    /// The file is in a `group chats` folder.
    pub in_group_chats: bool,
}

/// Most files one import looks at.
const MAX_FILES: usize = 100_000;

/// The files to import under `paths`: cards (and group definitions) first,
/// then chats. A SillyTavern data folder (one holding `characters` and
/// `chats`) is read through those and its group folders only, so its
/// settings and secrets are never opened.
pub(super) fn collect(paths: &[PathBuf]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for p in paths {
        walk(p, 0, Depth::Any, &mut jobs);
    }
    jobs.sort_by_key(|j| j.is_chat);
    jobs
}

/// How far down a folder is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    Any,
    /// Only the files directly inside (a data folder's `characters`).
    FilesOnly,
}

/// Whether `children` (sorted paths) include a folder named `name`.
fn has_dir(children: &[PathBuf], name: &str) -> bool {
    children
        .iter()
        .any(|c| c.file_name().is_some_and(|n| n == name) && c.is_dir())
}

fn has_file(children: &[PathBuf], name: &str) -> bool {
    children
        .iter()
        .any(|c| c.file_name().is_some_and(|n| n == name) && c.is_file())
}

/// A SillyTavern data folder: `characters` and `chats` side by side.
fn is_data_folder(children: &[PathBuf]) -> bool {
    has_dir(children, "characters") && has_dir(children, "chats")
}

/// A SillyTavern install: the app (`package.json`, `server.js` or
/// `node_modules`) with its `public` folder.
fn is_install(children: &[PathBuf]) -> bool {
    has_dir(children, "public")
        && has_file(children, "package.json")
        && (has_file(children, "server.js") || has_dir(children, "node_modules"))
}

fn sorted_children(path: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    children.sort();
    children
}

/// An install's data folders: each `data/<user>` that is one, and `public`
/// when it is one (the layout before SillyTavern 1.12).
fn install_data_folders(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = sorted_children(&root.join("data"))
        .into_iter()
        .filter(|d| d.is_dir() && is_data_folder(&sorted_children(d)))
        .collect();
    let public = root.join("public");
    if is_data_folder(&sorted_children(&public)) {
        found.push(public);
    }
    found
}

fn walk(path: &Path, depth: usize, mode: Depth, jobs: &mut Vec<Job>) {
    if jobs.len() >= MAX_FILES || depth > 8 {
        return;
    }
    // What the person named is followed (a symlink too) and, when it cannot
    // be read, reported; inside folders, symlinks are not followed.
    let meta = if depth == 0 {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let Ok(meta) = meta else {
        if depth == 0 {
            jobs.push(Job {
                path: path.to_path_buf(),
                is_chat: false,
                character_hint: None,
                in_group_chats: false,
            });
        }
        return;
    };
    if meta.is_file() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if depth > 0 && !name.as_deref().is_some_and(FileKind::wanted) {
            return;
        }
        let is_chat = name
            .as_deref()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".jsonl"));
        let parent = path.parent();
        let in_chats = parent
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .is_some_and(|n| n.eq_ignore_ascii_case("chats"));
        let character_hint = (is_chat && in_chats)
            .then(|| parent.and_then(Path::file_name))
            .flatten()
            .map(|n| n.to_string_lossy().into_owned());
        let in_group_chats = is_chat
            && parent
                .and_then(Path::file_name)
                .is_some_and(|n| n.eq_ignore_ascii_case("group chats"));
        jobs.push(Job {
            path: path.to_path_buf(),
            is_chat,
            character_hint,
            in_group_chats,
        });
        return;
    }
    if !meta.is_dir() {
        return; // symlinks and devices are not followed
    }
    if path.file_name().is_some_and(|n| n == "node_modules") {
        return;
    }
    let children = sorted_children(path);
    if is_install(&children) {
        for data in install_data_folders(path) {
            walk(&data, depth + 1, Depth::Any, jobs);
        }
        return;
    }
    let is_st_root = is_data_folder(&children);
    for child in children {
        let name = child.file_name().map(|n| n.to_string_lossy().into_owned());
        if mode == Depth::FilesOnly && child.is_dir() {
            continue; // a character's sprites, not a card
        }
        let child_mode = match name.as_deref() {
            _ if !is_st_root => Depth::Any,
            Some("characters" | "groups") => Depth::FilesOnly,
            Some("chats" | "group chats") => Depth::Any,
            _ => continue,
        };
        walk(&child, depth + 1, child_mode, jobs);
    }
}

/// The file's bytes, or why they cannot be had (said of the file by the
/// caller).
pub(super) async fn read(path: &Path, limit: usize) -> std::result::Result<Vec<u8>, Cause> {
    let unreadable = |e: std::io::Error| {
        Cause::new(format!("it could not be read ({e})"))
            .worded("import_unreadable", json!({ "reason": e.to_string() }))
    };
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Cause::new("there is no such file or folder")
                .worded("import_no_such_file", json!({})),
            _ => unreadable(e),
        })?;
    if meta.is_dir() {
        return Err(Cause::new("the folder could not be read")
            .worded("import_folder_unreadable", json!({})));
    }
    if meta.len() > limit as u64 {
        let size = meta.len() / (1024 * 1024);
        let limit = limit / (1024 * 1024);
        return Err(
            Cause::new(format!("the file is {size} MB; the limit is {limit} MB")).worded(
                "import_file_too_big",
                json!({ "size": size, "limit": limit }),
            ),
        );
    }
    tokio::fs::read(path).await.map_err(unreadable)
}
