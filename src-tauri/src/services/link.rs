//! Links from messages, opened in the system browser (or mail program).
//!
//! The window asks only after the person has read the full address and
//! chosen Open; this checks it again, whatever the window sent: an absolute
//! `http`, `https` or `mailto` address, nothing else (no `file:`, no
//! `javascript:`, no app scheme), and no control characters a program
//! might read differently from how the dialog showed the address.

use reqwest::Url;
use serde_json::json;

use crate::error::{AppError, Result};

/// Longest address Parley opens.
const MAX_LINK: usize = 8 * 1024;

/// The address, if Parley may hand it to the system.
pub fn outside_link(address: &str) -> Result<Url> {
    // Worded by the caller.
    let refuse = |why: &str| AppError::validation("url", why.to_string());
    if address.len() > MAX_LINK {
        return Err(refuse("the address is too long to open").worded("link_too_long", json!({})));
    }
    if address.chars().any(char::is_control) {
        return Err(
            refuse("the address holds control characters; it was not opened")
                .worded("link_controls", json!({})),
        );
    }
    let url = Url::parse(address.trim()).map_err(|_| {
        refuse("this is not a full web or mail address; it was not opened")
            .worded("link_not_address", json!({}))
    })?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "mailto" => Ok(url),
        scheme => Err(refuse(&format!(
            "Parley opens only web (http, https) and mail (mailto) addresses, not {scheme}:"
        ))
        .worded("link_scheme", json!({ "scheme": scheme }))),
    }
}

/// Opens the address with the system's handler for its scheme.
pub fn open(address: &str) -> Result<()> {
    let url = outside_link(address)?;
    open::that_detached(url.as_str()).map_err(|e| {
        AppError::internal(format!("the system could not open the link ({e})"))
            .worded("link_not_opened", json!({ "reason": e.to_string() }))
    })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::outside_link;

    #[rstest]
    #[case::https("https://example.com/a?b=c#d")]
    #[case::http("http://example.com")]
    #[case::mail("mailto:someone@example.com")]
    fn web_and_mail_addresses_are_opened(#[case] address: &str) {
        assert!(outside_link(address).is_ok(), "{address}");
    }

    #[rstest]
    #[case::javascript("javascript:alert(1)")]
    #[case::data("data:text/html,<script>alert(1)</script>")]
    #[case::file("file:///etc/passwd")]
    #[case::app("tauri://localhost/index.html")]
    #[case::ipc("ipc://localhost/open_link")]
    #[case::relative("/etc/passwd")]
    #[case::protocol_relative("//evil.example/x")]
    #[case::smb("smb://host/share")]
    #[case::newline("https://example.com/\nfile:///etc/passwd")]
    #[case::empty("")]
    fn anything_else_is_refused_in_words(#[case] address: &str) {
        let err = outside_link(address).unwrap_err().to_string();
        assert!(err.contains("open"), "{address}: {err}");
    }
}
