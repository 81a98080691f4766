//! Checks before a model loads, each failure in words: the file is there
//! and is a whole GGUF file, this CPU can run the engine as built, and the
//! computer has the memory the model and its context need. llama.cpp
//! itself then refuses an architecture it does not know (`worker`).

use std::path::Path;

use serde_json::json;

use super::{failed, failed_as, EngineSettings};
use crate::error::Result;
use crate::local_models::{inspect, ModelFacts};

/// Whether this CPU has what the engine was built for (x86-64-v3 on x86;
/// `.cargo/config.toml`), so loading cannot crash on an unknown instruction.
pub fn cpu_can_run() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        true
    }
}

/// The file's facts when it may be loaded with `settings`.
pub fn check(path: &Path, settings: &EngineSettings) -> Result<ModelFacts> {
    let facts = inspect(path, "").map_err(|e| failed_as(&e))?;
    if !cpu_can_run() {
        return Err(failed(
            "This computer's processor lacks AVX2 and FMA, which Parley's built-in engine needs \
             (Intel and AMD processors from 2013 on have them). Use a local server such as \
             KoboldCpp or Ollama instead.",
            "llama_cpu_unsupported",
            json!({}),
        ));
    }
    let needed = needed_bytes(&facts, settings);
    if let Some(available) = available_memory() {
        // Leave a tenth for everything else.
        if needed > available / 10 * 9 {
            return Err(failed(
                format!(
                    "{} needs about {} of memory and this computer has {} free. Close other programs, \
                     or choose a smaller model (a lower quantization such as Q4_K_M).",
                    facts.name,
                    gib(needed),
                    gib(available)
                ),
                "llama_memory_short",
                json!({ "name": facts.name, "needed": gb(needed), "free": gb(available) }),
            ));
        }
    }
    Ok(facts)
}

/// The weights, the key/value cache of the context it will get, and a
/// tenth more for the compute buffers.
pub fn needed_bytes(facts: &ModelFacts, settings: &EngineSettings) -> u64 {
    let n_ctx = context_for(facts, settings);
    let base = facts.size_bytes.saturating_add(facts.kv_bytes(n_ctx));
    base.saturating_add(base / 10)
}

/// The context a model gets: what it was trained for, capped by Settings.
pub fn context_for(facts: &ModelFacts, settings: &EngineSettings) -> u32 {
    let trained = facts
        .context_length
        .and_then(|c| u32::try_from(c).ok())
        .filter(|c| *c > 0)
        .unwrap_or(settings.context_cap);
    trained.min(settings.context_cap).max(256)
}

fn available_memory() -> Option<u64> {
    let mut sys = sysinfo::System::new();
    sys.refresh_memory();
    Some(sys.available_memory()).filter(|m| *m > 0)
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

/// GB to one decimal, as a number the window writes its language's way.
fn gb(bytes: u64) -> f64 {
    (bytes as f64 / 1e8).round() / 10.0
}
