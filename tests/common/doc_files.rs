//! Document files made in code for the document tests and the ingest
//! bench: small real PDFs (lopdf, a standard font, one text line per line
//! of the page), password-protected PDFs, PDFs with a decompression bomb,
//! and EPUBs (zip + package + XHTML chapters), sound or hostile.

#![allow(dead_code)]

use std::io::{Cursor, Write};

use lopdf::content::{Content, Operation};
use lopdf::encryption::{EncryptionState, EncryptionVersion, Permissions};
use lopdf::{dictionary, Document, Object, Stream};

/// A PDF with one page per entry, each page's lines as text lines.
pub fn pdf(pages: &[&[&str]]) -> Vec<u8> {
    let mut out = Vec::new();
    pdf_document(pages).save_to(&mut out).unwrap();
    out
}

fn pdf_document(pages: &[&[&str]]) -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for lines in pages {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 11.into()]),
            Operation::new("TL", vec![14.into()]),
            Operation::new("Td", vec![50.into(), 800.into()]),
        ];
        for line in *lines {
            ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc
}

/// A PDF that opens only with the password "secret".
pub fn encrypted_pdf() -> Vec<u8> {
    let mut doc = pdf_document(&[&["A secret page."]]);
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::string_literal("0123456789abcdef"),
            Object::string_literal("0123456789abcdef"),
        ]),
    );
    let state = EncryptionState::try_from(EncryptionVersion::V1 {
        document: &doc,
        owner_password: "owner",
        user_password: "secret",
        permissions: Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A small PDF holding a stream that inflates to `inflated` zero bytes.
pub fn pdf_bomb(inflated: usize) -> Vec<u8> {
    let mut doc = pdf_document(&[&["Bait."]]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated.div_ceil(zeros.len()) {
        z.write_all(&zeros).unwrap();
    }
    let packed = z.finish().unwrap();
    doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        packed,
    ));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// An EPUB whose spine lists `chapters` (file name, XHTML body) in order;
/// the zip holds them in reverse, so only the spine gives the order.
pub fn epub(chapters: &[(&str, &str)]) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    files.push(("mimetype".into(), b"application/epub+zip".to_vec()));
    files.push((
        "META-INF/container.xml".into(),
        br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#.to_vec(),
    ));
    let items: String = chapters
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(r#"<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>"#)
        })
        .collect();
    let spine: String = (0..chapters.len())
        .map(|i| format!(r#"<itemref idref="c{i}"/>"#))
        .collect();
    files.push((
        "OEBPS/content.opf".into(),
        format!(r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/><manifest>{items}</manifest><spine>{spine}</spine></package>"#).into_bytes(),
    ));
    for (name, body) in chapters.iter().rev() {
        files.push((
            format!("OEBPS/{name}"),
            format!(r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title><style>p {{ color: red }}</style></head><body>{body}</body></html>"#).into_bytes(),
        ));
    }
    zip_of(&files)
}

/// A zip of these files, deflated.
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// An EPUB whose one chapter unpacks to `size` bytes of spaces inside a
/// paragraph: a zip bomb when `size` is large.
pub fn epub_bomb(size: usize) -> Vec<u8> {
    let mut body = String::with_capacity(size + 16);
    body.push_str("<p>");
    body.push_str(&" ".repeat(size));
    body.push_str("</p>");
    epub(&[("bomb.xhtml", &body)])
}

/// Rewrites every size a zip's headers claim for the entry named `name`
/// (local header and central directory) to `claim`: a zip that lies.
pub fn lie_about_size(zip: &mut [u8], name: &str, claim: u32) {
    let name = name.as_bytes();
    for sig_at in 0..zip.len().saturating_sub(46) {
        let sig = &zip[sig_at..sig_at + 4];
        let (size_at, name_len_at, name_at) = match sig {
            b"PK\x03\x04" => (sig_at + 22, sig_at + 26, sig_at + 30),
            b"PK\x01\x02" => (sig_at + 24, sig_at + 28, sig_at + 46),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[name_len_at], zip[name_len_at + 1]]) as usize;
        if zip.get(name_at..name_at + len) == Some(name) {
            zip[size_at..size_at + 4].copy_from_slice(&claim.to_le_bytes());
        }
    }
}
