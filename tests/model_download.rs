//! Downloading a model from an address, against a local HTTP server the
//! test runs: a break mid-file and the resume that finishes it (with a
//! `Range` request), the checksum checked, cancel keeping what arrived,
//! and a file bigger than the disk refused before a byte is written. The
//! file is one of the tests' own tiny GGUF models, so the download ends as a
//! model on "This computer".

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parley::services::model_download::{self, Download, DownloadState};
use parley::state::AppState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the server answers each request, in turn (the last repeats).
#[derive(Clone, Copy, Debug)]
enum Serve {
    /// The whole file, or the asked range.
    Whole,
    /// Announces the whole file and closes after this many bytes.
    CutAfter(usize),
    /// Slowly: 16 KB every 20 ms.
    Slow,
    /// Claims this many bytes.
    Claims(u64),
}

struct Server {
    url: String,
    ranges: Arc<Mutex<Vec<Option<String>>>>,
}

async fn server(body: Vec<u8>, plan: Vec<Serve>) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/models/tiny-lighthouse.Q8_0.gguf",
        listener.local_addr().unwrap()
    );
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let seen = ranges.clone();
    let body = Arc::new(body);
    let n = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (body, seen, plan) = (body.clone(), seen.clone(), plan.clone());
            let turn = n.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    let Ok(k) = socket.read(&mut buf).await else {
                        return;
                    };
                    if k == 0 {
                        return;
                    }
                    head.extend_from_slice(&buf[..k]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let range = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("range: ")
                            .or_else(|| l.strip_prefix("Range: "))
                    })
                    .map(str::to_string);
                seen.lock().unwrap().push(range.clone());
                let from: usize = range
                    .as_deref()
                    .and_then(|r| r.strip_prefix("bytes="))
                    .and_then(|r| r.trim_end_matches('-').parse().ok())
                    .unwrap_or(0);
                let serve = plan[turn.min(plan.len() - 1)];
                let rest = &body[from..];
                let (status, len) = match serve {
                    Serve::Claims(n) => ("200 OK", n),
                    _ if from > 0 => ("206 Partial Content", rest.len() as u64),
                    _ => ("200 OK", rest.len() as u64),
                };
                let mut head =
                    format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n");
                if from > 0 {
                    head.push_str(&format!(
                        "Content-Range: bytes {from}-{}/{}\r\n",
                        body.len() - 1,
                        body.len()
                    ));
                }
                head.push_str("\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                match serve {
                    Serve::Whole | Serve::Claims(_) => {
                        let _ = socket.write_all(rest).await;
                    }
                    Serve::CutAfter(k) => {
                        let _ = socket.write_all(&rest[..k.min(rest.len())]).await;
                        let _ = socket.flush().await;
                    }
                    Serve::Slow => {
                        for piece in rest.chunks(16 * 1024) {
                            if socket.write_all(piece).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            });
        }
    });
    Server { url, ranges }
}

fn tiny_model() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.gguf");
    common::gguf_writer::write_model(
        &path,
        "Tiny Lighthouse",
        common::gguf_writer::Behaviour::Says,
    );
    std::fs::read(path).unwrap()
}

async fn app(dir: &std::path::Path) -> AppState {
    parley::app::state(
        common::pool().await,
        Arc::new(parley::secrets::MemorySecretStore::default()),
        parley::app::Opened {
            db_path: dir.join("parley.db"),
            log_dir: dir.join("logs"),
            schema_version: 0,
        },
    )
}

async fn until_over(state: &AppState, id: parley::models::Id) -> Download {
    for _ in 0..1500 {
        let d = state
            .downloads
            .list()
            .into_iter()
            .find(|d| d.id == id)
            .unwrap();
        if d.state != DownloadState::Running {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the download never ended");
}

#[tokio::test]
async fn a_broken_download_resumes_where_it_stopped_and_becomes_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let body = tiny_model();
    let half = body.len() / 2;
    let srv = server(body.clone(), vec![Serve::CutAfter(half), Serve::Whole]).await;
    let state = app(dir.path()).await;

    let first = model_download::start(&state, &srv.url, None).await.unwrap();
    let broken = until_over(&state, first.id).await;
    assert_eq!(broken.state, DownloadState::Failed);
    assert!(
        broken.error.as_deref().unwrap().contains("resume"),
        "{broken:?}"
    );
    assert_eq!(broken.total, Some(body.len() as u64));
    assert!(!broken.file.exists(), "a half file is never the model");

    let again = model_download::start(&state, &srv.url, None).await.unwrap();
    let done = until_over(&state, again.id).await;
    assert_eq!(done.state, DownloadState::Done, "{done:?}");
    assert_eq!(done.resumed_from, half as u64, "it went on from the break");
    assert_eq!(
        srv.ranges.lock().unwrap()[1].as_deref(),
        Some(format!("bytes={half}-").as_str())
    );
    assert_eq!(std::fs::read(&done.file).unwrap(), body, "byte for byte");
    let model = parley::services::ai_model::get(&state.pool, done.ai_model_id.unwrap())
        .await
        .unwrap();
    assert_eq!(model.display_name, "Tiny Lighthouse");
    assert_eq!(model.model_id, done.file.display().to_string());
}

#[tokio::test]
async fn a_wrong_checksum_keeps_nothing_and_a_right_one_passes() {
    let dir = tempfile::tempdir().unwrap();
    let body = tiny_model();
    let srv = server(body.clone(), vec![Serve::Whole]).await;
    let state = app(dir.path()).await;

    let wrong = "0".repeat(64);
    let d = model_download::start(&state, &srv.url, Some(wrong))
        .await
        .unwrap();
    let d = until_over(&state, d.id).await;
    assert_eq!(d.state, DownloadState::Failed);
    assert!(d.error.as_deref().unwrap().contains("SHA-256"), "{d:?}");
    assert!(
        !d.file.exists() && !d.file.with_extension("gguf.part").exists(),
        "nothing kept"
    );

    use sha2::Digest;
    let right: String = sha2::Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let d = model_download::start(&state, &srv.url, Some(right.to_uppercase()))
        .await
        .unwrap();
    assert_eq!(until_over(&state, d.id).await.state, DownloadState::Done);

    let refused = model_download::start(&state, &srv.url, Some("abc".into())).await;
    assert!(
        refused.is_err(),
        "a checksum that is not one is refused at once"
    );
    let refused = model_download::start(&state, "ftp://example.com/a.gguf", None).await;
    assert!(refused.unwrap_err().to_string().contains("web address"));
}

#[tokio::test]
async fn cancel_stops_keeping_what_arrived_and_a_file_too_big_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let body = tiny_model();
    let srv = server(body.clone(), vec![Serve::Slow]).await;
    let state = app(dir.path()).await;
    let d = model_download::start(&state, &srv.url, None).await.unwrap();
    for _ in 0..500 {
        let now = state.downloads.list()[0].clone();
        // Running long enough to show its speed and time left.
        if now.speed > 0 && now.seconds_left.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(state.downloads.cancel(d.id));
    let d = until_over(&state, d.id).await;
    assert_eq!(d.state, DownloadState::Cancelled);
    let part = std::fs::metadata(d.file.with_extension("gguf.part"))
        .unwrap()
        .len();
    assert!(
        part > 0 && part < body.len() as u64,
        "what arrived is kept for a resume: {part}"
    );
    assert!(d.speed > 0, "its speed was shown");
    assert!(d.received > 0 && d.total == Some(body.len() as u64));

    let huge = server(body, vec![Serve::Claims(1 << 50)]).await;
    let other = tempfile::tempdir().unwrap();
    let state = app(other.path()).await;
    let d = model_download::start(&state, &huge.url, None)
        .await
        .unwrap();
    let d = until_over(&state, d.id).await;
    assert_eq!(d.state, DownloadState::Failed);
    assert!(d.error.as_deref().unwrap().contains("free"), "{d:?}");
    let part = d.file.with_extension("gguf.part");
    assert!(
        !part.exists() || std::fs::metadata(part).unwrap().len() == 0,
        "nothing written"
    );
}
