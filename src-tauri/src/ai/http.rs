//! The HTTP side of every provider: the one client, where it may follow a
//! redirect, and how much of an answer it reads.
//!
//! - **Redirects.** A redirect to another origin (scheme, host, port) is
//!   never followed: the key header and the prompt stay with the server the
//!   person configured. A same-origin redirect is followed only for a GET
//!   (a model list); a POST carrying a prompt is never sent a second time.
//! - **Bounds.** An error body is read up to [`ERROR_BODY_LIMIT`], a model
//!   list up to [`LIST_BODY_LIMIT`], each within [`BODY_WAIT`]; a stream
//!   may go [`EVENT_LIMIT`] bytes without ending an event, then it is
//!   stopped with words and the text so far is kept.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::{Method, Url};

use super::errors::{self, BodyError};
use super::Endpoint;
use crate::error::Result;

/// How long to wait for a connection to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a stream may stay silent before it is given up (local models can
/// take a while to load, so this is generous).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How much of an error body is read (the message is at its start).
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// How large a model list may be (OpenRouter's is about 400 KiB).
pub const LIST_BODY_LIMIT: usize = 4 * 1024 * 1024;
/// How long reading a whole non-stream body may take.
pub const BODY_WAIT: Duration = Duration::from_secs(30);
/// How many bytes a stream may send without ending an event.
pub const EVENT_LIMIT: usize = 1024 * 1024;
/// How many same-origin redirects a GET follows.
const MAX_REDIRECTS: usize = 5;

/// The one HTTP client for the app's life. It follows no redirect by
/// itself: one to another origin is an error, a same-origin one comes back
/// to [`send`], which follows it only for a GET.
pub fn http_client() -> reqwest::Client {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let from = attempt.previous().last().cloned();
        match from {
            Some(from) if same_origin(&from, attempt.url()) => attempt.stop(),
            Some(from) => {
                let to = attempt.url().clone();
                attempt.error(errors::CrossOrigin { from, to })
            }
            None => attempt.stop(),
        }
    });
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(IDLE_TIMEOUT)
        .redirect(policy)
        .user_agent(concat!("Parley/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// Same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Sends a request and turns a failure (no answer, a redirect Parley does
/// not follow, or an error status) into words; `model` names the model for
/// a 404.
pub(crate) async fn send(
    endpoint: &Endpoint,
    request: reqwest::RequestBuilder,
    model: Option<&str>,
) -> Result<reqwest::Response> {
    let (client, request) = request.build_split();
    let mut request = request.map_err(|e| errors::from_reqwest(endpoint, &e))?;
    let mut hops = 0;
    let response = loop {
        let again = (request.method() == Method::GET)
            .then(|| request.try_clone())
            .flatten();
        let response = client
            .execute(request)
            .await
            .map_err(|e| errors::from_reqwest(endpoint, &e))?;
        let Some(to) = redirect_target(&response) else {
            break response;
        };
        let from = response.url().clone();
        match again {
            Some(mut next) if same_origin(&from, &to) && hops < MAX_REDIRECTS => {
                hops += 1;
                *next.url_mut() = to;
                request = next;
            }
            _ => return Err(errors::redirected(endpoint, &from, &to)),
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let headers = response.headers().clone();
    // A body that fails or takes too long is no reason to hide the status.
    let body = match read_limited(response, ERROR_BODY_LIMIT).await {
        Ok(Some((bytes, _))) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    };
    Err(errors::from_status(
        endpoint, model, status, &headers, &body,
    ))
}

/// Where a 3xx answer points, if it is a redirect with a usable address.
fn redirect_target(response: &reqwest::Response) -> Option<Url> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    response.url().join(location).ok()
}

/// Sends a request expecting a JSON body of at most [`LIST_BODY_LIMIT`],
/// returned as text.
pub(crate) async fn send_for_text(
    endpoint: &Endpoint,
    request: reqwest::RequestBuilder,
) -> Result<String> {
    let response = send(endpoint, request, None).await?;
    let (bytes, complete) = read_limited(response, LIST_BODY_LIMIT)
        .await
        .map_err(|e| errors::from_reqwest(endpoint, &e))?
        .ok_or_else(|| errors::too_slow(endpoint))?;
    if !complete {
        return Err(errors::too_large(endpoint, LIST_BODY_LIMIT));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Up to `limit` bytes of a body, read within [`BODY_WAIT`]; `None` when
/// the time ran out, and whether the body ended within the limit.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<(Vec<u8>, bool)>> {
    let read = async {
        let mut out = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            let room = limit - out.len();
            if chunk.len() > room {
                out.extend_from_slice(&chunk[..room]);
                return Ok((out, false));
            }
            out.extend_from_slice(&chunk);
        }
        Ok::<_, reqwest::Error>((out, true))
    };
    match tokio::time::timeout(BODY_WAIT, read).await {
        Ok(result) => result.map(Some),
        Err(_) => Ok(None),
    }
}

/// A response's bytes, cut off with [`BodyError::EventTooLong`] once
/// `limit` bytes pass without a blank line (the end of an SSE event), so a
/// server cannot make Parley buffer without end.
pub(crate) fn bounded_events(
    response: reqwest::Response,
    limit: usize,
) -> impl Stream<Item = std::result::Result<Bytes, BodyError>> + Send {
    BoundedEvents {
        inner: Box::pin(response.bytes_stream()),
        limit,
        since_end: 0,
        at_line_start: true,
        after_cr: false,
        cut: Cut::No,
    }
}

struct BoundedEvents {
    inner: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    limit: usize,
    /// Bytes since the last blank line.
    since_end: usize,
    at_line_start: bool,
    after_cr: bool,
    cut: Cut,
}

/// Whether the stream was cut for an event too long.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    No,
    /// The error is the next item.
    Now,
    Done,
}

impl BoundedEvents {
    /// Counts `chunk`; where it runs past the limit, if it does.
    fn overflow(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &b) in chunk.iter().enumerate() {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    if self.at_line_start {
                        self.since_end = 0;
                    }
                    self.at_line_start = true;
                    self.after_cr = b == b'\r';
                }
                _ => {
                    self.at_line_start = false;
                    self.after_cr = false;
                    self.since_end += 1;
                    if self.since_end > self.limit {
                        return Some(i);
                    }
                }
            }
        }
        None
    }
}

impl Stream for BoundedEvents {
    type Item = std::result::Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.cut {
            Cut::No => {}
            Cut::Now => {
                self.cut = Cut::Done;
                return Poll::Ready(Some(Err(BodyError::EventTooLong(self.limit))));
            }
            Cut::Done => return Poll::Ready(None),
        }
        match self.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => match self.overflow(&chunk) {
                None => Poll::Ready(Some(Ok(chunk))),
                // The events complete before the cut still count.
                Some(at) => {
                    self.cut = Cut::Now;
                    Poll::Ready(Some(Ok(chunk.slice(..at))))
                }
            },
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
