//! Text out of a document file: plain text and Markdown (kept as they are),
//! HTML (scripts and styles dropped), PDF (`pdf`) and EPUB (`epub`).
//!
//! Everything here is pure and synchronous and refuses hostile input in
//! words: a file over the size limit, binary data posing as text, text
//! past the extracted-text limit, and (in the child modules) encrypted or
//! malformed PDFs and EPUB zip bombs. The caller runs [`extract`] on the
//! blocking pool under a time limit ([`Limits::max_time`], also checked
//! between pages and chapters) and treats a panic inside a parser as a
//! refusal. Refusals are [`Refusal`]s, sentences without the file's name,
//! which the service puts in front.

mod epub;
mod pdf;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;

pub use crate::models::DocumentKind;

impl DocumentKind {
    /// The kind a file name says, by its extension.
    pub fn of_name(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Self::Text,
            "md" | "markdown" => Self::Markdown,
            "html" | "htm" | "xhtml" => Self::Html,
            "pdf" => Self::Pdf,
            "epub" => Self::Epub,
            _ => return None,
        })
    }

    /// Whether a file name is one a document can be made of.
    pub fn wanted(name: &str) -> bool {
        Self::of_name(name).is_some()
    }
}

/// The kinds of file, as the refusal of another kind lists them.
pub const KINDS_IN_WORDS: &str = ".txt, .md, .html, .pdf or .epub";

/// How much a document may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file taken at all.
    pub max_file_bytes: usize,
    /// Most text a document may hold once extracted.
    pub max_text_bytes: usize,
    /// Longest extraction (checked between pages and chapters, and by the
    /// caller's timeout).
    pub max_time: Duration,
    /// Largest single file inside an EPUB, uncompressed.
    pub max_entry_bytes: usize,
    /// Most uncompressed bytes read out of one EPUB, all files together.
    pub max_unpacked_bytes: usize,
    /// Most files in an EPUB.
    pub max_entries: usize,
    /// Most bytes a PDF's compressed streams may expand to, together.
    pub max_inflated_bytes: usize,
    /// Most pages of a PDF.
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        const MB: usize = 1024 * 1024;
        Self {
            max_file_bytes: 50 * MB,
            max_text_bytes: 20 * MB,
            max_time: Duration::from_secs(60),
            max_entry_bytes: 32 * MB,
            max_unpacked_bytes: 200 * MB,
            max_entries: 10_000,
            max_inflated_bytes: 500 * MB,
            max_pages: 20_000,
        }
    }
}

/// Why a file was refused, in words (without its name) and by code.
pub type Refusal = crate::error::Cause;

/// Where a document's pages or chapters start in its text (stored with
/// it as JSON, `documents.marks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    /// What they count: "page" (PDF) or "section" (EPUB chapters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// (byte offset in the text, number from 1), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<(usize, u32)>,
}

impl Marks {
    /// The page or section a byte offset falls in.
    pub fn at_offset(&self, offset: usize) -> Option<u32> {
        let i = self.at.partition_point(|(at, _)| *at <= offset);
        i.checked_sub(1).map(|i| self.at[i].1)
    }
}

/// A document's text, and where its pages or chapters start in it.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub text: String,
    pub marks: Marks,
}

/// Text gathered piece by piece (pages, chapters) within the limits.
pub(super) struct Gather<'a> {
    limits: &'a Limits,
    deadline: Instant,
    out: Extracted,
}

impl<'a> Gather<'a> {
    fn new(limits: &'a Limits, mark: &'static str) -> Self {
        Self {
            limits,
            deadline: Instant::now() + limits.max_time,
            out: Extracted {
                text: String::new(),
                marks: Marks {
                    kind: Some(mark.to_string()),
                    at: Vec::new(),
                },
            },
        }
    }

    /// Refuses once the time is up.
    fn in_time(&self) -> Result<(), Refusal> {
        if Instant::now() > self.deadline {
            return Err(took_too_long(self.limits));
        }
        Ok(())
    }

    /// Adds one page's or chapter's text, numbered `n`.
    fn push(&mut self, n: u32, text: &str) -> Result<(), Refusal> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        if !self.out.text.is_empty() {
            self.out.text.push_str("\n\n");
        }
        self.out.marks.at.push((self.out.text.len(), n));
        self.out.text.push_str(text);
        check_text_size(&self.out.text, self.limits)?;
        self.in_time()
    }
}

pub(super) fn took_too_long(limits: &Limits) -> Refusal {
    stopped_after(limits.max_time.as_secs())
}

/// Reading stopped at its time limit, `seconds`.
pub(super) fn stopped_after(seconds: u64) -> Refusal {
    Refusal::new(format!(
        "reading it took longer than {seconds} seconds, so it was stopped; the file may be damaged or built to stall readers"
    ))
    .worded("doc_too_slow", json!({ "seconds": seconds }))
}

fn check_text_size(text: &str, limits: &Limits) -> Result<(), Refusal> {
    if text.len() > limits.max_text_bytes {
        let mb = limits.max_text_bytes / (1024 * 1024);
        return Err(Refusal::new(format!(
            "it holds more than {mb} MB of text, the most a document may hold; split it into smaller files"
        ))
        .worded("doc_text_too_big", json!({ "mb": mb })));
    }
    Ok(())
}

/// The file's size checked against the limit.
pub fn check_file_size(len: u64, limits: &Limits) -> Result<(), Refusal> {
    if len > limits.max_file_bytes as u64 {
        let (mb, limit) = (
            len.div_ceil(1024 * 1024),
            limits.max_file_bytes / (1024 * 1024),
        );
        return Err(Refusal::new(format!(
            "the file is {mb} MB; the largest document Parley takes is {limit} MB"
        ))
        .worded("doc_file_too_big", json!({ "mb": mb, "limit": limit })));
    }
    Ok(())
}

/// The text of a file of this kind.
pub fn extract(kind: DocumentKind, bytes: &[u8], limits: &Limits) -> Result<Extracted, Refusal> {
    check_file_size(bytes.len() as u64, limits)?;
    let extracted = match kind {
        DocumentKind::Text | DocumentKind::Markdown => Extracted {
            text: decode_text(bytes)?,
            ..Extracted::default()
        },
        DocumentKind::Html => Extracted {
            text: html_text(decode_text(bytes)?.as_bytes())?,
            ..Extracted::default()
        },
        DocumentKind::Pdf => pdf::extract(bytes, limits)?,
        DocumentKind::Epub => epub::extract(bytes, limits)?,
    };
    check_text_size(&extracted.text, limits)?;
    if extracted.text.trim().is_empty() {
        let (message, code) = match kind {
            DocumentKind::Pdf => (
                "no text was found in it (a scanned PDF holds pictures of pages, not text)",
                "doc_no_text_pdf",
            ),
            _ => ("no text was found in it", "doc_no_text"),
        };
        return Err(Refusal::new(message).worded(code, json!({})));
    }
    Ok(extracted)
}

/// A text file's bytes as text: UTF-8 (a byte-order mark dropped) or UTF-16
/// with its mark. Binary data posing as text is refused: any NUL byte, or
/// more than a few bytes in a thousand that are not UTF-8. The odd invalid
/// byte becomes U+FFFD.
pub fn decode_text(bytes: &[u8]) -> Result<String, Refusal> {
    for (bom, big_endian) in [([0xFE, 0xFF], true), ([0xFF, 0xFE], false)] {
        if let Some(rest) = bytes.strip_prefix(&bom) {
            return utf16(rest, big_endian);
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(not_text());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let mut invalid = 0usize;
    let mut rest = bytes;
    while let Err(e) = std::str::from_utf8(rest) {
        let bad = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        invalid += bad;
        rest = &rest[e.valid_up_to() + bad..];
    }
    // A few stray bytes in a long text are a damaged file; many are binary.
    if invalid * 1000 > bytes.len() * 5 {
        return Err(Refusal::new(format!(
            "it is not text: {} of its {} bytes are not UTF-8 (save it as UTF-8 text, or add the original file)",
            invalid,
            bytes.len()
        ))
        .worded(
            "doc_not_utf8",
            json!({ "invalid": invalid, "total": bytes.len() }),
        ));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn not_text() -> Refusal {
    Refusal::new("it is not text: it holds binary data (NUL bytes); add the original file (PDF, EPUB, HTML) or save it as UTF-8 text")
        .worded("doc_binary", json!({}))
}

fn utf16(bytes: &[u8], big_endian: bool) -> Result<String, Refusal> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| {
            if big_endian {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        })
        .collect();
    let text = String::from_utf16(&units).map_err(|_| {
        Refusal::new("it says it is UTF-16 text but is not (a broken character)")
            .worded("doc_bad_utf16", json!({}))
    })?;
    if text.contains('\0') {
        return Err(not_text());
    }
    Ok(text)
}

/// HTML's readable text, scripts, styles and the head dropped; links and
/// pictures leave their text only.
pub fn html_text(html: &[u8]) -> Result<String, Refusal> {
    html2text::config::plain_no_decorate()
        .allow_width_overflow()
        .string_from_read(html, 400)
        .map_err(|e| {
            Refusal::new(format!("its HTML could not be read ({e})"))
                .worded("doc_html_unreadable", json!({ "reason": e.to_string() }))
        })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::txt("notes.TXT", Some(DocumentKind::Text))]
    #[case::md("a.b.md", Some(DocumentKind::Markdown))]
    #[case::htm("page.htm", Some(DocumentKind::Html))]
    #[case::pdf("book.pdf", Some(DocumentKind::Pdf))]
    #[case::epub("book.epub", Some(DocumentKind::Epub))]
    #[case::png("card.png", None)]
    #[case::none("README", None)]
    fn kinds_come_from_extensions(#[case] name: &str, #[case] kind: Option<DocumentKind>) {
        assert_eq!(DocumentKind::of_name(name), kind);
    }

    #[rstest]
    #[case::utf8(b"caf\xC3\xA9".to_vec(), Some("café"))]
    #[case::bom(b"\xEF\xBB\xBFhi".to_vec(), Some("hi"))]
    #[case::utf16le(vec![0xFF, 0xFE, b'h', 0, b'i', 0], Some("hi"))]
    #[case::utf16be(vec![0xFE, 0xFF, 0, b'h', 0, b'i'], Some("hi"))]
    #[case::nul(b"hello\0world".to_vec(), None)]
    #[case::binary((0u8..=255).cycle().skip(1).take(4096).filter(|b| *b != 0).collect(), None)]
    fn text_is_utf8_or_refused(#[case] bytes: Vec<u8>, #[case] expected: Option<&str>) {
        match (decode_text(&bytes), expected) {
            (Ok(text), Some(want)) => assert_eq!(text, want),
            (Err(e), None) => assert!(e.message.starts_with("it is not text"), "{e}"),
            (got, want) => panic!("{got:?} for {want:?}"),
        }
    }

    #[test]
    fn a_stray_bad_byte_in_a_long_text_is_replaced() {
        let mut bytes = "word ".repeat(1000).into_bytes();
        bytes[10] = 0xFF;
        let text = decode_text(&bytes).unwrap();
        assert!(text.contains('\u{FFFD}'));
    }

    #[test]
    fn html_keeps_text_and_drops_scripts_and_styles() {
        let html = b"<html><head><title>T</title><style>p{color:red}</style></head><body>\
            <h1>Chapter</h1><p>First <b>bold</b> line.</p><script>alert('x')</script>\
            <p>Second <a href='https://e.x'>link</a>.</p></body></html>";
        let text = html_text(html).unwrap();
        assert!(
            text.contains("Chapter") && text.contains("First bold line."),
            "{text}"
        );
        assert!(text.contains("Second") && text.contains("link"), "{text}");
        assert!(!text.contains("alert") && !text.contains("color"), "{text}");
    }

    #[test]
    fn marks_say_the_page_of_an_offset() {
        let m = Marks {
            kind: Some("page".into()),
            at: vec![(0, 1), (3, 2), (6, 5)],
        };
        assert_eq!(m.at_offset(0), Some(1));
        assert_eq!(m.at_offset(4), Some(2));
        assert_eq!(m.at_offset(100), Some(5));
        assert_eq!(Marks::default().at_offset(3), None);
    }
}
