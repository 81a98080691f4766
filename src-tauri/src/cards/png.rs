//! PNG chunks: reading a card's text chunks and writing them back.
//!
//! Cards put their JSON in `tEXt` (sometimes `zTXt` or `iTXt`) chunks named
//! `chara` (V1/V2) or `ccv3` (V3), usually after the image data. The `png`
//! crate only hands over chunks after the image once it has decoded every
//! pixel, which for a hostile file is the attack; so this walks the chunk
//! list itself (length, type, data, CRC-32), never touching pixels, and
//! checks every length against a limit before reading it.
//!
//! One piece by design: the chunk reader, its bounds and each worded
//! refusal of a damaged PNG belong together.

use std::io::Read;

use flate2::read::ZlibDecoder;
use serde_json::json;

use super::{FormatError, Limits};

pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// One chunk of a PNG file, borrowed from its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub kind: [u8; 4],
    pub data: &'a [u8],
    /// The whole chunk as stored (length, type, data, CRC), for copying.
    pub raw: &'a [u8],
}

/// Whether `bytes` start like a PNG file.
pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(&SIGNATURE)
}

/// Every chunk up to and including `IEND`, each with its CRC checked; at
/// most `max_chunks` of them.
pub fn chunks(bytes: &[u8], max_chunks: usize) -> Result<Vec<Chunk<'_>>, FormatError> {
    if !is_png(bytes) {
        return Err(FormatError::new("it is not a PNG image (wrong signature)")
            .worded("png_not_png", json!({})));
    }
    let mut out = Vec::new();
    let mut pos = SIGNATURE.len();
    loop {
        let Some(header) = bytes.get(pos..pos + 8) else {
            return Err(
                FormatError::new("the PNG is truncated (it ends before its last chunk)")
                    .worded("png_truncated", json!({})),
            );
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(FormatError::new(format!(
                "the PNG is corrupt (a chunk at byte {pos} has an invalid name)"
            ))
            .worded("png_bad_chunk_name", json!({ "pos": pos })));
        }
        let end = pos
            .checked_add(12)
            .and_then(|p| p.checked_add(len))
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| {
                let chunk = kind_name(kind);
                FormatError::new(format!(
                    "the PNG is truncated (chunk {chunk} claims {len} bytes)"
                ))
                .worded(
                    "png_chunk_truncated",
                    json!({ "chunk": chunk, "bytes": len }),
                )
            })?;
        let data = &bytes[pos + 8..pos + 8 + len];
        let stored = u32::from_be_bytes([
            bytes[end - 4],
            bytes[end - 3],
            bytes[end - 2],
            bytes[end - 1],
        ]);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&kind);
        crc.update(data);
        if crc.finalize() != stored {
            let chunk = kind_name(kind);
            return Err(FormatError::new(format!(
                "the PNG is corrupt (chunk {chunk} fails its checksum)"
            ))
            .worded("png_bad_checksum", json!({ "chunk": chunk })));
        }
        if out.len() == max_chunks {
            return Err(FormatError::new(format!(
                "the PNG has more than {max_chunks} chunks; the limit is {max_chunks}"
            ))
            .worded("png_too_many_chunks", json!({ "limit": max_chunks })));
        }
        out.push(Chunk {
            kind,
            data,
            raw: &bytes[pos..end],
        });
        pos = end;
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

fn kind_name(kind: [u8; 4]) -> String {
    String::from_utf8_lossy(&kind).into_owned()
}

/// Width and height from `IHDR`, refused when larger than the limits allow.
pub fn check_dimensions(chunks: &[Chunk<'_>], limits: &Limits) -> Result<(u32, u32), FormatError> {
    let ihdr = chunks
        .first()
        .filter(|c| &c.kind == b"IHDR" && c.data.len() == 13)
        .ok_or_else(|| {
            FormatError::new("the PNG is corrupt (it does not start with IHDR)")
                .worded("png_no_ihdr", json!({}))
        })?;
    let w = u32::from_be_bytes([ihdr.data[0], ihdr.data[1], ihdr.data[2], ihdr.data[3]]);
    let h = u32::from_be_bytes([ihdr.data[4], ihdr.data[5], ihdr.data[6], ihdr.data[7]]);
    if w == 0 || h == 0 {
        return Err(FormatError::new("the PNG is corrupt (it has no pixels)")
            .worded("png_no_pixels", json!({})));
    }
    if w > limits.max_image_side || h > limits.max_image_side {
        let side = limits.max_image_side;
        return Err(FormatError::new(format!(
            "the image is {w}x{h} pixels; the limit is {side}x{side}"
        ))
        .worded(
            "png_too_large",
            json!({ "width": w, "height": h, "side": side }),
        ));
    }
    Ok((w, h))
}

/// A text chunk's keyword and text, decompressed as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChunk {
    pub keyword: String,
    pub text: String,
}

/// Decodes a `tEXt`, `zTXt` or `iTXt` chunk; `None` for other chunks.
pub fn text_of(chunk: &Chunk<'_>, limits: &Limits) -> Result<Option<TextChunk>, FormatError> {
    if !is_text(chunk) {
        return Ok(None);
    }
    let kind = &chunk.kind;
    let name = kind_name(*kind);
    let nul = chunk
        .data
        .iter()
        .position(|&b| b == 0)
        .filter(|&n| (1..=79).contains(&n))
        .ok_or_else(|| {
            FormatError::new(format!("a {name} chunk has no valid keyword"))
                .worded("png_text_no_keyword", json!({ "chunk": name }))
        })?;
    let keyword = latin1(&chunk.data[..nul]);
    let rest = &chunk.data[nul + 1..];
    let text = match kind {
        b"tEXt" => latin1(rest),
        b"zTXt" => {
            let (&method, compressed) = rest.split_first().ok_or_else(|| {
                FormatError::new(format!("the {keyword} chunk is empty"))
                    .worded("png_text_empty", json!({ "keyword": keyword }))
            })?;
            if method != 0 {
                return Err(unknown_compression(&keyword));
            }
            latin1(&inflate(compressed, &keyword, limits)?)
        }
        _ => {
            // iTXt: flag, method, language\0, translated keyword\0, text.
            if rest.len() < 2 {
                return Err(truncated(&keyword));
            }
            let (flag, method) = (rest[0], rest[1]);
            let mut fields = rest[2..].splitn(3, |&b| b == 0);
            let (_lang, _translated, body) = (fields.next(), fields.next(), fields.next());
            let body = body.ok_or_else(|| truncated(&keyword))?;
            let bytes = match (flag, method) {
                (0, _) => body.to_vec(),
                (1, 0) => inflate(body, &keyword, limits)?,
                _ => return Err(unknown_compression(&keyword)),
            };
            String::from_utf8(bytes).map_err(|_| {
                FormatError::new(format!("the {keyword} chunk is not valid UTF-8"))
                    .worded("png_text_not_utf8", json!({ "keyword": keyword }))
            })?
        }
    };
    if text.len() > limits.max_text_bytes {
        return Err(too_big(&keyword, limits));
    }
    Ok(Some(TextChunk { keyword, text }))
}

fn too_big(keyword: &str, limits: &Limits) -> FormatError {
    let limit = limits.max_text_bytes / (1024 * 1024);
    FormatError::new(format!("the {keyword} text is larger than {limit} MB")).worded(
        "png_text_too_big",
        json!({ "keyword": keyword, "limit": limit }),
    )
}

fn truncated(keyword: &str) -> FormatError {
    FormatError::new(format!("the {keyword} chunk is truncated"))
        .worded("png_text_truncated", json!({ "keyword": keyword }))
}

fn unknown_compression(keyword: &str) -> FormatError {
    FormatError::new(format!("the {keyword} chunk uses an unknown compression"))
        .worded("png_text_compression", json!({ "keyword": keyword }))
}

/// zlib data, read no further than the text limit (a small chunk can
/// inflate to gigabytes).
fn inflate(data: &[u8], keyword: &str, limits: &Limits) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::new();
    ZlibDecoder::new(data)
        .take(limits.max_text_bytes as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| {
            FormatError::new(format!("the {keyword} chunk's compressed data is corrupt"))
                .worded("png_text_corrupt", json!({ "keyword": keyword }))
        })?;
    if out.len() > limits.max_text_bytes {
        return Err(too_big(keyword, limits));
    }
    Ok(out)
}

fn latin1(bytes: &[u8]) -> String {
    // Card tools write UTF-8 (base64 is ASCII anyway) into tEXt despite the
    // spec's Latin-1; take UTF-8 when it is valid.
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn is_text(chunk: &Chunk<'_>) -> bool {
    matches!(&chunk.kind, b"tEXt" | b"zTXt" | b"iTXt")
}

/// Whether the chunk is a text chunk that carries card data, told by its
/// keyword alone (nothing is decompressed to find out).
pub fn is_card_chunk(chunk: &Chunk<'_>) -> bool {
    is_text(chunk) && keyword_is_card(chunk.data)
}

/// Whether a text chunk carries card data (`chara` or `ccv3`).
fn is_card_keyword(keyword: &str) -> bool {
    keyword.eq_ignore_ascii_case("chara") || keyword.eq_ignore_ascii_case("ccv3")
}

/// The PNG without any card text chunks: the avatar as Parley keeps it.
pub fn strip_card_chunks(chunks: &[Chunk<'_>]) -> Vec<u8> {
    let mut out = SIGNATURE.to_vec();
    for c in chunks {
        if !is_card_chunk(c) {
            out.extend_from_slice(c.raw);
        }
    }
    out
}

fn keyword_is_card(data: &[u8]) -> bool {
    data.iter()
        .position(|&b| b == 0)
        .is_some_and(|n| is_card_keyword(&latin1(&data[..n])))
}

/// `png` with its card chunks replaced by `tEXt` chunks `texts`
/// (keyword, text), inserted just before `IEND`.
pub fn with_text_chunks(png: &[u8], texts: &[(&str, &str)]) -> Result<Vec<u8>, FormatError> {
    let all = chunks(png, usize::MAX)?;
    let stripped = strip_card_chunks(&all);
    let iend_at = stripped.len() - 12;
    let mut out = stripped[..iend_at].to_vec();
    for (keyword, text) in texts {
        let mut data = Vec::with_capacity(keyword.len() + 1 + text.len());
        data.extend_from_slice(keyword.as_bytes());
        data.push(0);
        data.extend_from_slice(text.as_bytes());
        write_chunk(&mut out, *b"tEXt", &data);
    }
    out.extend_from_slice(&stripped[iend_at..]);
    Ok(out)
}

fn write_chunk(out: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 1x1 PNG built by hand, with `extra` chunks before IEND.
    pub(crate) fn tiny_png(extra: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&1u32.to_be_bytes());
        ihdr.extend_from_slice(&1u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        write_chunk(&mut out, *b"IHDR", &ihdr);
        // One grey pixel: filter byte 0 then value 0x80, zlib-compressed.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut z, &[0, 0x80]).unwrap();
        write_chunk(&mut out, *b"IDAT", &z.finish().unwrap());
        for (kind, data) in extra {
            write_chunk(&mut out, *kind, data);
        }
        write_chunk(&mut out, *b"IEND", &[]);
        out
    }

    #[test]
    fn reads_text_chunks_after_the_image_data() {
        let png = tiny_png(&[(*b"tEXt", b"chara\0aGVsbG8=".to_vec())]);
        let all = chunks(&png, 100).unwrap();
        let texts: Vec<_> = all
            .iter()
            .filter_map(|c| text_of(c, &Limits::default()).unwrap())
            .collect();
        assert_eq!(
            texts,
            vec![TextChunk {
                keyword: "chara".into(),
                text: "aGVsbG8=".into()
            }]
        );
    }

    #[test]
    fn a_bad_checksum_is_named() {
        let mut png = tiny_png(&[(*b"tEXt", b"chara\0abc".to_vec())]);
        let n = png.len();
        png[n - 14] ^= 0xff; // inside the tEXt chunk's CRC
        let err = chunks(&png, 100).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }

    #[test]
    fn a_truncated_file_is_named() {
        let png = tiny_png(&[]);
        let err = chunks(&png[..png.len() - 5], 100).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn a_compression_bomb_stops_at_the_limit() {
        let limits = Limits {
            max_text_bytes: 1000,
            ..Limits::default()
        };
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, &vec![b'A'; 1_000_000]).unwrap();
        let mut data = b"chara\0\0".to_vec();
        data.extend(z.finish().unwrap());
        let png = tiny_png(&[(*b"zTXt", data)]);
        let all = chunks(&png, 100).unwrap();
        let err = all.iter().find_map(|c| text_of(c, &limits).err()).unwrap();
        assert!(err.to_string().contains("larger than"), "{err}");
    }

    #[test]
    fn too_many_chunks_are_refused_by_count() {
        let many: Vec<_> = (0..50)
            .map(|_| (*b"tEXt", b"Comment\0x".to_vec()))
            .collect();
        let png = tiny_png(&many);
        let err = chunks(&png, 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the PNG has more than 20 chunks; the limit is 20"
        );
    }

    #[test]
    fn writing_replaces_old_card_chunks_and_keeps_the_rest() {
        let png = tiny_png(&[
            (*b"tEXt", b"chara\0old".to_vec()),
            (*b"tEXt", b"Comment\0kept".to_vec()),
        ]);
        let limits = Limits::default();
        let out = with_text_chunks(&png, &[("chara", "new2"), ("ccv3", "new3")]).unwrap();
        let texts: Vec<_> = chunks(&out, 100)
            .unwrap()
            .iter()
            .filter_map(|c| text_of(c, &limits).unwrap())
            .map(|t| format!("{}={}", t.keyword, t.text))
            .collect();
        assert_eq!(texts, vec!["Comment=kept", "chara=new2", "ccv3=new3"]);
        // And the image itself still decodes.
        image::load_from_memory(&out).unwrap();
    }
}
