//! Downloading a GGUF model from an address the person gives, into Parley's
//! models folder, then adding it as a model on "This computer".
//!
//! The file is written as `<name>.part` and renamed only when whole, so a
//! half file is never mistaken for a model. A `.part` left by a break (a
//! dropped connection, a cancel, Parley closed) is resumed with an HTTP
//! `Range` request when the server allows it, else started again. Before
//! writing, the size the server announces is checked against the free space
//! of the folder's disk. An optional SHA-256 is checked over the whole file
//! before it is kept. Progress (bytes, speed, time left) is read by the
//! window from [`Downloads`]; a cancel stops at the next chunk and keeps the
//! `.part` for a later resume.
//!
//! Model downloads are public files and carry no key, so they use their own
//! client, which follows redirects (Hugging Face sends files from a CDN);
//! the providers' client never does.

pub mod progress;

use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use crate::error::{AppError, Result};
use crate::models::{new_id, Id};
use crate::state::AppState;

pub use progress::{Download, DownloadState, Downloads};

/// The file name a URL gives, kept to what a file may be called.
fn file_name(url: &reqwest::Url) -> Result<String> {
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._-+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if !clean.to_ascii_lowercase().ends_with(".gguf") || clean.len() <= 5 {
        return Err(AppError::validation(
            "url",
            "the address must end in a .gguf file name (on Hugging Face, the file's \"download\" link)",
        )
        .worded("not_gguf_address", json!({})));
    }
    Ok(clean)
}

/// Starts downloading `url` into the models folder; its progress is in
/// `state.downloads`.
pub async fn start(state: &AppState, url: &str, sha256: Option<String>) -> Result<Download> {
    let url = reqwest::Url::parse(url.trim())
        .ok()
        .filter(|u| u.scheme() == "https" || u.scheme() == "http")
        .ok_or_else(|| {
            AppError::validation("url", "that is not a web address (http or https)")
                .worded("not_web_address", json!({}))
        })?;
    let sha256 = match sha256
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
    {
        Some(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => Some(s),
        Some(_) => {
            return Err(AppError::validation(
                "sha256",
                "a SHA-256 checksum is 64 hexadecimal characters",
            )
            .worded("checksum_form", json!({})))
        }
        None => None,
    };
    let folder = super::local_model::models_folder(&state.db_path);
    let file = folder.join(file_name(&url)?);
    if file.exists() {
        return Err(AppError::validation(
            "url",
            format!(
                "{} is already in the models folder; add it from the list",
                file.display()
            ),
        )
        .worded(
            "model_file_here",
            json!({ "path": file.display().to_string() }),
        ));
    }
    let download = Download {
        id: new_id(),
        url: url.to_string(),
        file: file.clone(),
        received: 0,
        total: None,
        speed: 0,
        seconds_left: None,
        resumed_from: 0,
        state: DownloadState::Running,
        error: None,
        error_code: None,
        error_values: None,
        ai_model_id: None,
    };
    let token = CancellationToken::new();
    if !state.downloads.begin(download.clone(), token.clone()) {
        return Err(
            AppError::conflict("url", "that file is being downloaded already")
                .worded("download_running", json!({})),
        );
    }
    let (state2, id) = (state.clone(), download.id);
    tokio::spawn(async move {
        let result = fetch(&state2, id, &url, &file, sha256.as_deref(), &token).await;
        let ai_model = match result {
            Ok(()) => {
                let path = file.display().to_string();
                super::local_model::add(
                    &state2.pool,
                    state2.secrets.as_ref(),
                    &state2.db_path,
                    &path,
                )
                .await
            }
            Err(e) => Err(e),
        };
        state2.downloads.update(id, |d| match ai_model {
            Ok(m) => {
                d.state = DownloadState::Done;
                d.ai_model_id = Some(m.id);
                d.seconds_left = Some(0);
            }
            Err(AppError::Cancelled) => d.state = DownloadState::Cancelled,
            Err(e) => {
                d.state = DownloadState::Failed;
                d.error = Some(e.to_string());
                if let Some(words) = e.words() {
                    d.error_code = Some(words.code.to_string());
                    d.error_values = Some(words.values);
                }
            }
        });
    });
    Ok(download)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::limited(10))
        .user_agent(concat!("Parley/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// "the download failed: {what}", worded by `code` with `values`.
fn failed(what: impl std::fmt::Display, code: &'static str, values: serde_json::Value) -> AppError {
    AppError::business(format!("the download failed: {what}")).worded(code, values)
}

async fn fetch(
    state: &AppState,
    id: Id,
    url: &reqwest::Url,
    file: &Path,
    sha256: Option<&str>,
    token: &CancellationToken,
) -> Result<()> {
    let folder = file.parent().unwrap_or(Path::new("."));
    tokio::fs::create_dir_all(folder).await?;
    let part = file.with_extension("gguf.part");
    let have = tokio::fs::metadata(&part)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    let mut request = client().get(url.clone());
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let response = request.send().await.map_err(|e| {
        let reason = e.to_string();
        failed(e, "download_failed", json!({ "reason": reason }))
    })?;
    let status = response.status();
    let resumed = status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0;
    if !status.is_success() {
        return Err(failed(
            format!("the server answered {status}"),
            "download_status",
            json!({ "status": status.to_string() }),
        ));
    }
    let start = if resumed { have } else { 0 };
    let total = response.content_length().map(|n| n + start);
    if let Some(total) = total {
        let needed = total - start;
        if let Some(free) = free_space(folder) {
            if needed > free {
                return Err(failed(
                    format!(
                        "the file needs {:.1} GB and the disk of {} has {:.1} GB free",
                        needed as f64 / 1e9,
                        folder.display(),
                        free as f64 / 1e9
                    ),
                    "download_no_space",
                    json!({
                        "needed": (needed as f64 / 1e8).round() / 10.0,
                        "path": folder.display().to_string(),
                        "free": (free as f64 / 1e8).round() / 10.0,
                    }),
                ));
            }
        }
    }
    state.downloads.update(id, |d| {
        d.total = total;
        d.received = start;
        d.resumed_from = start;
    });
    let mut out = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(&part)
        .await?;
    let mut received = start;
    let mut window = (Instant::now(), received);
    let mut body = response.bytes_stream();
    loop {
        let chunk = tokio::select! {
            () = token.cancelled() => {
                out.flush().await?;
                return Err(AppError::Cancelled);
            }
            c = body.next() => c,
        };
        let Some(chunk) = chunk else { break };
        let chunk = chunk.map_err(|e| {
            failed(
                format!("the connection broke ({e}); start it again to resume"),
                "download_broke",
                json!({ "reason": e.to_string() }),
            )
        })?;
        out.write_all(&chunk).await?;
        received += chunk.len() as u64;
        let elapsed = window.0.elapsed();
        if elapsed >= Duration::from_millis(500) {
            let speed = ((received - window.1) as f64 / elapsed.as_secs_f64()) as u64;
            window = (Instant::now(), received);
            state.downloads.update(id, |d| {
                d.received = received;
                d.speed = speed;
                d.seconds_left = total
                    .filter(|_| speed > 0)
                    .map(|t| t.saturating_sub(received) / speed);
            });
        } else {
            state.downloads.update(id, |d| d.received = received);
        }
    }
    out.flush().await?;
    out.sync_all().await?;
    drop(out);
    if let Some(total) = total {
        if received < total {
            return Err(failed(
                format!("the server sent {received} of {total} bytes; start it again to resume"),
                "download_short",
                json!({ "received": received, "total": total }),
            ));
        }
    }
    if let Some(want) = sha256 {
        let got = hash(&part).await?;
        if got != want {
            tokio::fs::remove_file(&part).await?;
            return Err(failed(
                format!("the file's SHA-256 is {got}, not the {want} given; it was deleted"),
                "download_checksum",
                json!({ "got": got, "want": want }),
            ));
        }
    }
    tokio::fs::rename(&part, file).await?;
    Ok(())
}

async fn hash(path: &Path) -> Result<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<String> {
        use sha2::{Digest, Sha256};
        use std::io::Read;
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    })
    .await
    .map_err(|e| {
        AppError::internal(format!("check the download: {e}"))
            .worded("download_check_failed", json!({ "reason": e.to_string() }))
    })?
}

/// Free bytes on the disk that holds `folder` (the mount point that is the
/// longest prefix of it).
fn free_space(folder: &Path) -> Option<u64> {
    let folder = std::fs::canonicalize(folder).ok()?;
    let disks = sysinfo::Disks::new_with_refreshed_list();
    disks
        .list()
        .iter()
        .filter(|d| folder.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
        .map(sysinfo::Disk::available_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_named_by_its_gguf_file_and_nothing_else() {
        let name = |u: &str| file_name(&reqwest::Url::parse(u).unwrap());
        assert_eq!(
            name("https://huggingface.co/a/b/resolve/main/Qwen2.5-7B-Q4_K_M.gguf?download=true")
                .unwrap(),
            "Qwen2.5-7B-Q4_K_M.gguf"
        );
        assert_eq!(
            name("http://x/m%20y%2F..%2Fz.gguf").unwrap(),
            "m_y_.._z.gguf"
        );
        assert!(name("https://x/model.bin").is_err());
        assert!(name("https://x/").is_err());
        assert!(name("https://x/.gguf").is_err());
    }
}
