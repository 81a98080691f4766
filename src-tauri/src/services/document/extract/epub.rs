//! An EPUB's text: its chapters in reading order (the package's spine),
//! each XHTML file through the HTML extraction, numbered as sections.
//!
//! An EPUB is a zip, so it is read as a possible zip bomb: the number of
//! files is checked before the zip reader lists them, each file's size is
//! checked as its header claims and again as the bytes actually come out
//! (a header can lie), and so is the total unpacked. Nothing is written to
//! disk; only the files the package names are opened.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use serde_json::json;

use super::{html_text, Extracted, Gather, Limits, Refusal};

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

pub(super) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, Refusal> {
    check_declared_entries(bytes, limits)?;
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        Refusal::new("it is not a readable EPUB (its zip is damaged)")
            .worded("epub_zip_damaged", json!({}))
    })?;
    if zip.len() > limits.max_entries {
        return Err(too_many(zip.len(), limits));
    }
    let mut book = Book {
        zip,
        limits,
        unpacked: 0,
    };
    let container = book.entry("META-INF/container.xml")?.ok_or_else(|| {
        Refusal::new("it is not an EPUB: it has no META-INF/container.xml")
            .worded("epub_no_container", json!({}))
    })?;
    let package_path = rootfile(&container)?;
    let package = book.entry(&package_path)?.ok_or_else(|| {
        Refusal::new("it is not a complete EPUB: the package file it names is missing")
            .worded("epub_no_package", json!({}))
    })?;
    let base = package_path
        .rsplit_once('/')
        .map_or(String::new(), |(dir, _)| format!("{dir}/"));
    let chapters = spine(&package, &base)?;
    let mut gather = Gather::new(limits, "section");
    for (n, path) in chapters.iter().enumerate() {
        gather.in_time()?;
        let Some(html) = book.entry(path)? else {
            continue; // a spine entry the zip lacks: a damaged book
        };
        gather.push(n as u32 + 1, &html_text(&html)?)?;
    }
    Ok(gather.out)
}

fn too_many(n: usize, limits: &Limits) -> Refusal {
    Refusal::new(format!(
        "its zip holds {n} files; the most an EPUB may hold is {}",
        limits.max_entries
    ))
    .worded(
        "epub_too_many_files",
        json!({ "count": n, "limit": limits.max_entries }),
    )
}

/// Refuses a zip whose end record declares more files than the limit,
/// before the zip reader makes a record for each.
fn check_declared_entries(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let tail_from = bytes.len().saturating_sub(22 + 65_535);
    let end = bytes[tail_from..]
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .and_then(|i| bytes.get(tail_from + i..tail_from + i + 22));
    if let Some(end) = end {
        let entries = u16::from_le_bytes([end[10], end[11]]) as usize;
        if entries > limits.max_entries {
            return Err(too_many(entries, limits));
        }
    }
    Ok(())
}

/// The zip, and what has been unpacked from it so far.
struct Book<'a, 'b> {
    zip: Zip<'a>,
    limits: &'b Limits,
    unpacked: usize,
}

impl Book<'_, '_> {
    /// A file's bytes, `None` when the zip has no such file. Its size is
    /// checked as claimed and as read, and counted toward the total.
    fn entry(&mut self, name: &str) -> Result<Option<Vec<u8>>, Refusal> {
        let max = self.limits.max_entry_bytes;
        let file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(_) => {
                return Err(Refusal::new(format!(
                    "its file {} could not be read (the EPUB is damaged or encrypted)",
                    shown(name)
                ))
                .worded("epub_entry_unreadable", json!({ "name": shown(name) })))
            }
        };
        let bomb = || {
            Refusal::new(format!(
                "its file {} unpacks to more than {} MB (a zip bomb, or far too large a book)",
                shown(name),
                max / (1024 * 1024)
            ))
            .worded(
                "epub_entry_too_big",
                json!({ "name": shown(name), "mb": max / (1024 * 1024) }),
            )
        };
        if file.size() > max as u64 {
            return Err(bomb());
        }
        let mut out = Vec::new();
        file.take(max as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| {
                Refusal::new(format!("its file {} is damaged", shown(name)))
                    .worded("epub_entry_damaged", json!({ "name": shown(name) }))
            })?;
        if out.len() > max {
            return Err(bomb());
        }
        self.unpacked += out.len();
        if self.unpacked > self.limits.max_unpacked_bytes {
            let mb = self.limits.max_unpacked_bytes / (1024 * 1024);
            return Err(Refusal::new(format!(
                "its files unpack to more than {mb} MB together (a zip bomb, or far too large a book)"
            ))
            .worded("epub_too_big_unpacked", json!({ "mb": mb })));
        }
        Ok(Some(out))
    }
}

/// A name from inside the file, for a message: short, quoted.
fn shown(name: &str) -> String {
    format!("\"{}\"", name.chars().take(80).collect::<String>())
}

fn xml_text(bytes: &[u8]) -> Result<&str, Refusal> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Refusal::new("its package description is not UTF-8 text")
            .worded("epub_package_not_utf8", json!({}))
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// An attribute's value, unescaped, by its local name.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name).then(|| {
            quick_xml::escape::unescape(&a.value).map_or_else(|_| a.value.to_string(), Into::into)
        })
    })
}

/// Walks the elements (start and empty tags) of an XML text.
fn each_element(xml: &str, mut f: impl FnMut(&BytesStart<'_>)) -> Result<(), Refusal> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => f(&e),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => {
                return Err(
                    Refusal::new(format!("its package description is not valid XML ({e})"))
                        .worded("epub_package_not_xml", json!({ "reason": e.to_string() })),
                )
            }
        }
    }
}

/// The package file's path, from `META-INF/container.xml`.
fn rootfile(container: &[u8]) -> Result<String, Refusal> {
    let mut found = None;
    each_element(xml_text(container)?, |e| {
        if found.is_none() && e.local_name().as_ref() == "rootfile" {
            found = attr(e, "full-path");
        }
    })?;
    found.filter(|p| !p.is_empty()).ok_or_else(|| {
        Refusal::new("it is not a complete EPUB: its container names no package")
            .worded("epub_no_package_named", json!({}))
    })
}

/// The chapters' zip paths in reading order.
fn spine(package: &[u8], base: &str) -> Result<Vec<String>, Refusal> {
    let mut items = std::collections::HashMap::new();
    let mut order = Vec::new();
    each_element(xml_text(package)?, |e| match e.local_name().as_ref() {
        "item" => {
            if let (Some(id), Some(href)) = (attr(e, "id"), attr(e, "href")) {
                items.insert(id, href);
            }
        }
        "itemref" => order.extend(attr(e, "idref")),
        _ => {}
    })?;
    let paths: Vec<String> = order
        .iter()
        .filter_map(|id| items.get(id))
        .filter_map(|href| resolve(base, href))
        .collect();
    if paths.is_empty() {
        return Err(
            Refusal::new("it is not a complete EPUB: its package lists no chapters")
                .worded("epub_no_chapters", json!({})),
        );
    }
    Ok(paths)
}

/// A chapter's path inside the zip: `href` (percent-encoded, maybe with a
/// `#fragment`) relative to the package's folder; `None` when it leaves
/// the zip (`..` past the top) or points outside (a URL).
fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.split('#').next()?;
    if href.is_empty() || href.contains(':') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(href)
        .decode_utf8()
        .ok()?;
    let joined = if let Some(rooted) = decoded.strip_prefix('/') {
        rooted.to_string()
    } else {
        format!("{base}{decoded}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::resolve;

    #[rstest]
    #[case::plain("OEBPS/", "ch1.xhtml", Some("OEBPS/ch1.xhtml"))]
    #[case::fragment("OEBPS/", "ch1.xhtml#top", Some("OEBPS/ch1.xhtml"))]
    #[case::encoded("", "text/chapter%201.html", Some("text/chapter 1.html"))]
    #[case::parent("OEBPS/text/", "../ch2.xhtml", Some("OEBPS/ch2.xhtml"))]
    #[case::escape("", "../../etc/passwd", None)]
    #[case::url("", "https://example.com/x.html", None)]
    fn chapter_paths_stay_inside_the_zip(
        #[case] base: &str,
        #[case] href: &str,
        #[case] want: Option<&str>,
    ) {
        assert_eq!(resolve(base, href).as_deref(), want);
    }
}
