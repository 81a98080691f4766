//! Which files an import of paths reads: the files named, and under the
//! folders named the card and chat files, cards first; then each file's
//! bytes, within the size limit.
//!
//! A SillyTavern data folder is read through its `characters` and `chats`
//! folders only, so its settings and secrets are never opened. Inside
//! folders, symlinks are not followed.

use std::path::{Path, PathBuf};

use crate::cards::FileKind;

/// A file found under the paths given, with what its place says.
#[derive(Debug, Clone)]
pub(super) struct Job {
    pub path: PathBuf,
    pub is_chat: bool,
    /// For `chats/<character>/x.jsonl`: the folder's name.
    pub character_hint: Option<String>,
}

/// Most files one import looks at.
const MAX_FILES: usize = 100_000;

/// The files to import under `paths`: cards first, then chats. A
/// SillyTavern data folder (one holding `characters` and `chats`) is read
/// through those two folders only, so its settings and secrets are never
/// opened.
pub(super) fn collect(paths: &[PathBuf]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for p in paths {
        walk(p, 0, &mut jobs);
    }
    jobs.sort_by_key(|j| j.is_chat);
    jobs
}

fn walk(path: &Path, depth: usize, jobs: &mut Vec<Job>) {
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
        jobs.push(Job {
            path: path.to_path_buf(),
            is_chat,
            character_hint,
        });
        return;
    }
    if !meta.is_dir() {
        return; // symlinks and devices are not followed
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    children.sort();
    let is_st_root = ["characters", "chats"].iter().all(|d| {
        children
            .iter()
            .any(|c| c.file_name().is_some_and(|n| n == *d) && c.is_dir())
    });
    for child in children {
        let keep = !is_st_root
            || child
                .file_name()
                .is_some_and(|n| n == "characters" || n == "chats");
        if keep {
            walk(&child, depth + 1, jobs);
        }
    }
}

/// The file's bytes, or why they cannot be had, said of the file.
pub(super) async fn read(path: &Path, limit: usize) -> std::result::Result<Vec<u8>, String> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "there is no such file or folder".to_string(),
            _ => format!("it could not be read ({e})"),
        })?;
    if meta.is_dir() {
        return Err("the folder could not be read".into());
    }
    if meta.len() > limit as u64 {
        return Err(format!(
            "the file is {} MB; the limit is {} MB",
            meta.len() / (1024 * 1024),
            limit / (1024 * 1024)
        ));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("it could not be read ({e})"))
}
