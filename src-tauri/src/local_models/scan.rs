//! Where people already keep GGUF models, and a bounded look through those
//! folders: LM Studio's and Jan's model folders, the Hugging Face cache,
//! Ollama's blob store (named through its manifests), Parley's own models
//! folder and any folder the person names. Each folder is walked at most
//! `MAX_DEPTH` deep and `MAX_ENTRIES` entries wide, symlinked folders are not
//! followed (symlinked files are, as the Hugging Face cache needs), and a file
//! found twice is listed once. Vision projectors (`clip`) are left out.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{inspect, ModelFacts};

const MAX_DEPTH: usize = 6;
const MAX_ENTRIES: usize = 10_000;

/// A folder to look in and what to call what is found there.
#[derive(Debug, Clone)]
pub struct Place {
    pub source: &'static str,
    pub dir: PathBuf,
}

/// The usual places on this computer, from the home folder and the
/// variables the tools themselves read.
pub fn usual_places(home: &Path) -> Vec<Place> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let mut places = vec![
        Place {
            source: "LM Studio",
            dir: home.join(".lmstudio/models"),
        },
        Place {
            source: "LM Studio",
            dir: home.join(".cache/lm-studio/models"),
        },
        Place {
            source: "Jan",
            dir: home.join(".local/share/Jan/data/models"),
        },
        Place {
            source: "Jan",
            dir: home.join(".local/share/Jan/data/llamacpp/models"),
        },
        Place {
            source: "Jan",
            dir: home.join("jan/models"),
        },
    ];
    let hf = env("HF_HUB_CACHE")
        .or_else(|| env("HF_HOME").map(|h| h.join("hub")))
        .unwrap_or_else(|| home.join(".cache/huggingface/hub"));
    places.push(Place {
        source: "Hugging Face",
        dir: hf,
    });
    places
}

/// Ollama's model folders, in the order Ollama itself prefers them.
pub fn ollama_places(home: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("OLLAMA_MODELS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.push(home.join(".ollama/models"));
    dirs.push(PathBuf::from("/usr/share/ollama/.ollama/models"));
    dirs
}

/// Every model in the usual places, Ollama's stores and `folders` (the
/// ones the person named, Parley's own first), each once.
pub fn found_on_this_computer(folders: &[PathBuf]) -> Vec<ModelFacts> {
    let home = crate::paths::home();
    let mut places: Vec<Place> = folders
        .iter()
        .map(|dir| Place {
            source: "Your folder",
            dir: dir.clone(),
        })
        .collect();
    places.extend(usual_places(&home));
    scan(&places, &ollama_places(&home))
}

/// Every GGUF model in `places` and Ollama's stores, each once.
pub fn scan(places: &[Place], ollama: &[PathBuf]) -> Vec<ModelFacts> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let mut keep = |path: PathBuf, source: &str, name: Option<String>| {
        let Ok(real) = std::fs::canonicalize(&path) else {
            return;
        };
        if !seen.insert(real) {
            return;
        }
        match inspect(&path, source) {
            Ok(mut facts) if facts.architecture != "clip" => {
                if let Some(name) = name {
                    facts.name = name;
                }
                found.push(facts);
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(path = %path.display(), error = %e, "not a usable model"),
        }
    };
    for dir in ollama {
        for (name, blob) in ollama_models(dir) {
            keep(blob, "Ollama", Some(name));
        }
    }
    for place in places {
        for file in gguf_files(&place.dir) {
            keep(file, place.source, None);
        }
    }
    found
}

/// The `.gguf` files under `dir`, bounded; split models only by their first
/// part (`-00001-of-00003.gguf`), which llama.cpp loads with the rest.
pub fn gguf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut entries = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut children: Vec<_> = read.flatten().collect();
        children.sort_by_key(|e| e.file_name());
        for entry in children {
            entries += 1;
            if entries > MAX_ENTRIES {
                return out;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth < MAX_DEPTH {
                    stack.push((path, depth + 1));
                }
            } else if is_first_gguf_part(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn is_first_gguf_part(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower.strip_suffix(".gguf") else {
        return false;
    };
    // "-00002-of-00003": only the first part stands for the model.
    match stem.rsplit_once("-of-") {
        Some((head, total)) if total.len() == 5 && total.bytes().all(|b| b.is_ascii_digit()) => {
            head.ends_with("-00001")
        }
        _ => true,
    }
}

/// Ollama's models: each manifest `manifests/<host>/<namespace>/<model>/<tag>`
/// names its weights layer by digest, stored as `blobs/sha256-<hex>`. The
/// name shown is `model:tag`, with the namespace unless it is `library`.
pub fn ollama_models(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let manifests = root.join("manifests");
    for host in read_dirs(&manifests) {
        for ns in read_dirs(&host) {
            for model in read_dirs(&ns) {
                let Ok(tags) = std::fs::read_dir(&model) else {
                    continue;
                };
                for tag in tags.flatten() {
                    let Some(digest) = model_layer(&tag.path()) else {
                        continue;
                    };
                    let blob = root.join("blobs").join(digest.replace(':', "-"));
                    let ns_name = ns.file_name().unwrap_or_default().to_string_lossy();
                    let model_name = model.file_name().unwrap_or_default().to_string_lossy();
                    let tag_name = tag.file_name().to_string_lossy().into_owned();
                    let name = if ns_name == "library" {
                        format!("{model_name}:{tag_name}")
                    } else {
                        format!("{ns_name}/{model_name}:{tag_name}")
                    };
                    out.push((name, blob));
                }
            }
        }
    }
    out.sort();
    out
}

fn read_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = read
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

/// The digest of a manifest's model layer (`application/vnd.ollama.image.model`).
fn model_layer(manifest: &Path) -> Option<String> {
    let meta = std::fs::metadata(manifest).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(manifest).ok()?).ok()?;
    json.get("layers")?
        .as_array()?
        .iter()
        .find(|l| {
            l.get("mediaType").and_then(|m| m.as_str())
                == Some("application/vnd.ollama.image.model")
        })?
        .get("digest")?
        .as_str()
        .filter(|d| {
            d.starts_with("sha256:")
                && d.len() == 71
                && d[7..].bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_part_of_a_split_model_stands_for_it() {
        for (name, first) in [
            ("tiny.gguf", true),
            ("Tiny.GGUF", true),
            ("big-00001-of-00003.gguf", true),
            ("big-00002-of-00003.gguf", false),
            ("notes.txt", false),
            ("model.gguf.part", false),
        ] {
            assert_eq!(is_first_gguf_part(Path::new(name)), first, "{name}");
        }
    }
}
