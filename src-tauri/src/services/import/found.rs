//! SillyTavern data folders in their usual places, for the first run to
//! offer in one click. A data folder is one holding `characters` (and
//! usually `chats`): each `data/<user>` of an install, and the older
//! `public` layout. Only folder listings are read here, bounded; the import
//! itself (`import_paths`) reads the cards and chats and never the
//! settings or secrets beside them.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Most user folders looked at under one `data` folder.
const MAX_USERS: usize = 50;
/// Most entries counted in one folder.
const MAX_ENTRIES: usize = 20_000;

/// A SillyTavern data folder and what it holds.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundSillyTavern {
    pub path: PathBuf,
    /// Card files (`.png`, `.json`) in `characters`.
    pub characters: usize,
    /// Chat files (`.jsonl`) in `chats/<character>` and `group chats`.
    pub chats: usize,
}

/// Where SillyTavern is usually installed or keeps its data: a clone in the
/// home folder (as its guide says), the Launcher's folder, Documents and
/// Desktop, and the data folder of a global install.
pub fn usual_installs(home: &Path) -> Vec<PathBuf> {
    [
        "SillyTavern",
        "sillytavern",
        "SillyTavern-Launcher/SillyTavern",
        "Documents/SillyTavern",
        "Desktop/SillyTavern",
        ".local/share/SillyTavern",
    ]
    .iter()
    .map(|p| home.join(p))
    .collect()
}

/// The data folders under the usual places for `home`, each once.
pub fn found(home: &Path) -> Vec<FoundSillyTavern> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for install in usual_installs(home) {
        for dir in data_folders(&install) {
            let real = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
            if seen.insert(real) {
                out.push(FoundSillyTavern {
                    characters: count(&dir.join("characters"), &["png", "json"]),
                    chats: count_chats(&dir),
                    path: dir,
                });
            }
        }
    }
    out
}

/// The data folders of one install: `data/<user>`, an older `public`, or
/// the folder itself when it is one.
fn data_folders(install: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if is_data_folder(install) {
        out.push(install.to_path_buf());
    }
    for base in [install.join("data"), install.to_path_buf()] {
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut users: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| is_data_folder(p))
            .take(MAX_USERS)
            .collect();
        users.sort();
        out.extend(users);
    }
    let public = install.join("public");
    if is_data_folder(&public) {
        out.push(public);
    }
    out
}

fn is_data_folder(dir: &Path) -> bool {
    dir.join("characters").is_dir() && dir.join("chats").is_dir()
}

/// Files directly in `dir` with one of `extensions`.
fn count(dir: &Path, extensions: &[&str]) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .take(MAX_ENTRIES)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            e.path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| extensions.iter().any(|w| x.eq_ignore_ascii_case(w)))
        })
        .count()
}

fn count_chats(data: &Path) -> usize {
    let per_character = std::fs::read_dir(data.join("chats"))
        .map(|entries| {
            entries
                .flatten()
                .take(MAX_ENTRIES)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| count(&e.path(), &["jsonl"]))
                .sum()
        })
        .unwrap_or(0);
    per_character + count(&data.join("group chats"), &["jsonl"])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"x").unwrap();
    }

    #[test]
    fn each_users_data_folder_is_found_with_its_cards_and_chats_counted() {
        let home = tempfile::tempdir().unwrap();
        let st = home.path().join("SillyTavern");
        let user = st.join("data/default-user");
        touch(&user.join("characters/Mira.png"));
        touch(&user.join("characters/Ash.json"));
        touch(&user.join("characters/notes.txt"));
        touch(&user.join("characters/Mira/sprite.png"));
        touch(&user.join("chats/Mira/one.jsonl"));
        touch(&user.join("chats/Mira/two.jsonl"));
        touch(&user.join("group chats/g.jsonl"));
        touch(&user.join("secrets.json"));
        // An install's own folders are not data folders.
        touch(&st.join("public/index.html"));
        touch(&st.join("default/content/x.png"));
        // An old install's layout, under the Launcher.
        let old = home.path().join("SillyTavern-Launcher/SillyTavern/public");
        touch(&old.join("characters/Old.png"));
        std::fs::create_dir_all(old.join("chats")).unwrap();

        let found = found(home.path());
        let seen: Vec<(PathBuf, usize, usize)> = found
            .iter()
            .map(|f| (f.path.clone(), f.characters, f.chats))
            .collect();
        assert_eq!(seen, vec![(user, 2, 3), (old, 1, 0)]);
    }

    #[test]
    fn a_home_without_sillytavern_finds_nothing() {
        let home = tempfile::tempdir().unwrap();
        touch(&home.path().join("Documents/SillyTavern/readme.txt"));
        assert!(found(home.path()).is_empty());
    }
}
