//! A PDF's text, page by page, through `lopdf` (parsing, the empty
//! password that most "protected" PDFs use) and `pdf-extract` (text out
//! of each page's content).
//!
//! Before either parser sees the file, every compressed stream in it is
//! inflated into nothing with a cap, so a decompression bomb is refused
//! before a parser would hold it in memory. A PDF that needs a password is
//! refused in words. Pages that fail to read are skipped (and counted);
//! a PDF whose pages all fail is refused.

use std::io::Read;
use std::sync::OnceLock;

use regex::bytes::Regex;
use serde_json::json;

use super::{Extracted, Gather, Limits, Refusal};

pub(super) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, Refusal> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(Refusal::new(
            "it is not a PDF (it does not start as one); check that it is the file you meant",
        )
        .worded("pdf_not_pdf", json!({})));
    }
    let mut gather = Gather::new(limits, "page");
    check_inflation(bytes, limits, &gather)?;
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| {
        tracing::debug!(error = %e, "pdf refused");
        let reason = short(&e.to_string());
        Refusal::new(format!(
            "it is not a readable PDF (it is damaged or malformed: {reason})"
        ))
        .worded("pdf_unreadable", json!({ "reason": reason }))
    })?;
    if doc.is_encrypted() {
        return Err(Refusal::new(
            "it is protected by a password, and Parley does not open encrypted PDFs; save a copy without the password and add that",
        )
        .worded("pdf_encrypted", json!({})));
    }
    let pages = doc.get_pages();
    if pages.len() > limits.max_pages {
        return Err(Refusal::new(format!(
            "it has {} pages; the most Parley takes is {}",
            pages.len(),
            limits.max_pages
        ))
        .worded(
            "pdf_too_many_pages",
            json!({ "pages": pages.len(), "limit": limits.max_pages }),
        ));
    }
    let (mut failed, total) = (0usize, pages.len());
    for &n in pages.keys() {
        gather.in_time()?;
        let mut text = String::new();
        let read = {
            let mut out = pdf_extract::PlainTextOutput::new(&mut text);
            pdf_extract::output_doc_page(&doc, &mut out, n)
        };
        match read {
            Ok(()) => gather.push(n, &text)?,
            Err(e) => {
                tracing::debug!(page = n, error = %e, "a pdf page could not be read");
                failed += 1;
            }
        }
    }
    if total > 0 && failed == total {
        return Err(Refusal::new(
            "none of its pages could be read (the PDF is damaged or uses features Parley cannot read)",
        )
        .worded("pdf_no_page_read", json!({})));
    }
    if failed > 0 {
        tracing::info!(failed, total, "pdf pages skipped");
    }
    Ok(gather.out)
}

/// The first line of a parser's message, short.
fn short(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message);
    line.chars().take(120).collect()
}

/// Where a stream's data may start: after `stream` and its end of line
/// (`endstream` matches too, and inflates to nothing).
fn stream_starts() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?-u)stream\r?\n").expect("a valid pattern"))
}

/// Refuses a PDF whose compressed streams expand, together, past
/// [`Limits::max_inflated_bytes`]. Each stream is inflated into nothing, a
/// budget at a time; data that is not zlib stops at its first bytes.
fn check_inflation(bytes: &[u8], limits: &Limits, gather: &Gather) -> Result<(), Refusal> {
    let mut left = limits.max_inflated_bytes as u64;
    for m in stream_starts().find_iter(bytes) {
        gather.in_time()?;
        let data = &bytes[m.end()..];
        if data.len() < 2 || (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 != 0 {
            continue; // not a zlib header
        }
        let mut inflater = flate2::read::ZlibDecoder::new(data).take(left + 1);
        let got = std::io::copy(&mut inflater, &mut std::io::sink()).unwrap_or_else(|_| {
            // A broken stream still counts what came out before it broke.
            inflater.limit().abs_diff(left + 1)
        });
        if got > left {
            let mb = limits.max_inflated_bytes / (1024 * 1024);
            return Err(Refusal::new(format!(
                "its compressed contents expand to more than {mb} MB (a decompression bomb, or far too large a PDF)"
            ))
            .worded("pdf_bomb", json!({ "mb": mb })));
        }
        left -= got;
    }
    Ok(())
}
