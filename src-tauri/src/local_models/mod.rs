//! GGUF model files on this computer: what one is (its facts, read from its
//! header), and where people already keep them (`scan`). Nothing here runs
//! a model; the engine is `ai::llama`.

pub mod ggml_types;
pub mod gguf;
pub mod scan;

use serde_json::json;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{AppError, Result};

/// What a GGUF file says about itself, as the model list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelFacts {
    pub path: PathBuf,
    /// `general.name`, else the file's name without `.gguf`.
    pub name: String,
    /// Where it was found ("LM Studio", "Ollama", "Added by you", ...).
    pub source: String,
    pub architecture: String,
    pub size_bytes: u64,
    /// "Q4_K_M", "F16", ... when the file says.
    pub quantization: Option<String>,
    pub parameters: u64,
    /// The context length the model was trained for.
    pub context_length: Option<i64>,
    /// Whether the file carries its own chat template.
    pub has_chat_template: bool,
    /// The template's text, for the prompt (not sent to the window).
    #[serde(skip)]
    pub chat_template: Option<String>,
    /// Layers and key/value heads, for the memory estimate.
    #[serde(skip)]
    pub layers: Option<i64>,
    #[serde(skip)]
    pub kv_width: Option<i64>,
}

/// Reads a file's facts. Errors are in words, naming the file.
pub fn inspect(path: &Path, source: &str) -> Result<ModelFacts> {
    let name_of = || path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AppError::validation(
                "path",
                format!("The model file {} is not there any more.", name_of()),
            )
            .worded("model_file_gone", json!({ "path": name_of() }))
        } else {
            AppError::validation(
                "path",
                format!("The model file {} could not be read: {e}.", name_of()),
            )
            .worded(
                "model_file_unreadable",
                json!({ "path": name_of(), "reason": e.to_string() }),
            )
        }
    })?;
    if !meta.is_file() {
        return Err(
            AppError::validation("path", format!("{} is not a file.", name_of()))
                .worded("not_a_file", json!({ "path": name_of() })),
        );
    }
    let file = std::fs::File::open(path).map_err(|e| {
        AppError::validation(
            "path",
            format!("The model file {} could not be opened: {e}.", name_of()),
        )
        .worded(
            "model_file_not_opened",
            json!({ "path": name_of(), "reason": e.to_string() }),
        )
    })?;
    let header = gguf::read(std::io::BufReader::new(file)).map_err(|e| {
        // Worded below, by the kind of refusal (a damaged header whole,
        // one code for each damage).
        let refused =
            AppError::validation("path", format!("Parley cannot use {}: {e}.", name_of()));
        match &e {
            gguf::GgufError::NotGguf => {
                refused.worded("gguf_not_gguf", json!({ "path": name_of() }))
            }
            gguf::GgufError::Version(v) => {
                refused.worded("gguf_version", json!({ "path": name_of(), "version": v }))
            }
            gguf::GgufError::Io(why) => refused.worded(
                "gguf_unreadable",
                json!({ "path": name_of(), "reason": why }),
            ),
            gguf::GgufError::Damaged(damage) => {
                refused.worded(damage.code(), json!({ "path": name_of() }))
            }
        }
    })?;
    if let Some(end) = header.data_end() {
        if end > meta.len() {
            return Err(AppError::validation("path", format!(
                "Parley cannot use {}: the file is cut off ({} of {} bytes). A download may not have finished.",
                name_of(),
                meta.len(),
                end
            ))
            .worded(
                "model_file_cut_off",
                json!({ "path": name_of(), "size": meta.len(), "expected": end }),
            ));
        }
    }
    Ok(facts(path, source, meta.len(), &header))
}

fn facts(path: &Path, source: &str, size_bytes: u64, h: &gguf::Header) -> ModelFacts {
    let architecture = h.str("general.architecture").unwrap_or("").to_string();
    let arch_key = |k: &str| h.int(&format!("{architecture}.{k}"));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = h
        .str("general.name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or(stem);
    let quantization = h
        .int("general.file_type")
        .and_then(ggml_types::file_type_name)
        .map(str::to_string);
    let heads = arch_key("attention.head_count").filter(|n| *n > 0);
    let heads_kv = arch_key("attention.head_count_kv").or(heads);
    let embd = arch_key("embedding_length");
    let kv_width = match (embd, heads, heads_kv) {
        (Some(e), Some(h), Some(kv)) => Some(e / h * kv),
        _ => None,
    };
    ModelFacts {
        path: path.to_path_buf(),
        name,
        source: source.to_string(),
        architecture: architecture.clone(),
        size_bytes,
        quantization,
        parameters: h.tensors.iter().map(gguf::TensorInfo::elements).sum(),
        context_length: arch_key("context_length"),
        has_chat_template: h.str("tokenizer.chat_template").is_some(),
        chat_template: h.str("tokenizer.chat_template").map(str::to_string),
        layers: arch_key("block_count"),
        kv_width,
    }
}

impl ModelFacts {
    /// Bytes a context of `n_ctx` tokens needs for its key/value cache
    /// (16-bit keys and values), when the file says enough to tell.
    pub fn kv_bytes(&self, n_ctx: u32) -> u64 {
        match (self.layers, self.kv_width) {
            (Some(l), Some(w)) => 2 * 2 * (l.max(0) as u64) * (w.max(0) as u64) * u64::from(n_ctx),
            _ => 0,
        }
    }
}
