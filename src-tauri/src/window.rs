//! The window stays Parley's: its webview may show only the app's own pages.
//!
//! Every navigation the webview is about to make (a link, a form, a
//! `location` change, a `<meta http-equiv=refresh>`) is checked natively by
//! wry before it happens, so it holds even if some markup got past the
//! sanitiser and the window's click handlers; a page's request for a new
//! window (`window.open`, `target=_blank`) is refused outright. Links open in
//! the system browser only through `commands::link`, after the person has
//! confirmed the address.
//!
//! The app's own origin is `tauri://localhost` (Linux, macOS) or
//! `http(s)://tauri.localhost` (Windows). `tauri.conf.json` has no `devUrl`:
//! debug builds embed `ui/` and serve it from that same origin; should a
//! dev server be configured later, its origin is allowed in debug builds.

use tauri::webview::NewWindowResponse;
use tauri::{Manager, Runtime, Url, WebviewWindowBuilder};

/// Whether `url` is one of the app's own pages.
pub fn is_app_page(url: &Url, dev_url: Option<&Url>) -> bool {
    let own = match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    };
    own || (cfg!(debug_assertions) && dev_url.is_some_and(|dev| dev.origin() == url.origin()))
}

/// `builder` with navigation away from the app refused and new windows
/// refused. What was refused is logged by scheme and host only (a URL's
/// path or query may carry anything).
pub fn keep_to_app<'a, R: Runtime, M: Manager<R>>(
    builder: WebviewWindowBuilder<'a, R, M>,
    config: &tauri::Config,
) -> WebviewWindowBuilder<'a, R, M> {
    let dev_url = config.build.dev_url.clone();
    builder
        .on_navigation(move |url| {
            let allowed = is_app_page(url, dev_url.as_ref());
            if !allowed {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str().unwrap_or(""),
                    "refused to navigate the window away from Parley"
                );
            }
            allowed
        })
        .on_new_window(|url, _features| {
            tracing::warn!(
                scheme = url.scheme(),
                host = url.host_str().unwrap_or(""),
                "refused to open a new window"
            );
            NewWindowResponse::Deny
        })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::linux("tauri://localhost/index.html", true)]
    #[case::windows("http://tauri.localhost/#/chat/1", true)]
    #[case::windows_https("https://tauri.localhost/", true)]
    #[case::remote("https://example.com/", false)]
    #[case::lookalike("tauri://localhost.example.com/", false)]
    #[case::lookalike_http("http://tauri.localhost.evil.example/", false)]
    #[case::javascript("javascript:alert(1)", false)]
    #[case::data("data:text/html,<script>alert(1)</script>", false)]
    #[case::file("file:///etc/passwd", false)]
    #[case::ipc("ipc://localhost/x", false)]
    fn only_the_apps_own_pages(#[case] url: &str, #[case] allowed: bool) {
        assert_eq!(
            is_app_page(&Url::parse(url).unwrap(), None),
            allowed,
            "{url}"
        );
    }
}
