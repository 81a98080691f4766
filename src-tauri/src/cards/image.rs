//! Avatar pixels: thumbnails for list rows, PNG conversion for export and a
//! placeholder for characters with no picture. Decoding is bounded by
//! `image`'s own limits so a hostile file cannot allocate gigabytes.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits as DecodeLimits, Rgba, RgbaImage};
use serde_json::json;

use super::FormatError;

/// Side of the square list thumbnails, in pixels (2x the 48 px CSS size).
pub const THUMBNAIL_SIDE: u32 = 96;

/// Largest image Parley decodes, per side, and memory for decoding.
const MAX_SIDE: u32 = 8192;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// The media type of an image Parley can show, from its first bytes.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    match image::guess_format(bytes).ok()? {
        ImageFormat::Png => Some("image/png"),
        ImageFormat::Jpeg => Some("image/jpeg"),
        ImageFormat::WebP => Some("image/webp"),
        ImageFormat::Gif => Some("image/gif"),
        _ => None,
    }
}

pub(crate) fn decode(bytes: &[u8]) -> Result<image::DynamicImage, FormatError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| {
            FormatError::new("the image could not be read").worded("image_unreadable", json!({}))
        })?;
    let mut limits = DecodeLimits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| {
        FormatError::new(format!("the image could not be decoded ({e})"))
            .worded("image_not_decoded", json!({ "reason": e.to_string() }))
    })
}

pub(crate) fn encode_png(img: &image::DynamicImage) -> Result<Vec<u8>, FormatError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).map_err(|e| {
        FormatError::new(format!("the image could not be written as PNG ({e})"))
            .worded("image_not_png", json!({ "reason": e.to_string() }))
    })?;
    Ok(out.into_inner())
}

/// A small PNG of the avatar, cropped to a square; `None` when the bytes do
/// not decode (the avatar is kept anyway; lists show the initial).
pub fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let img = decode(bytes).ok()?;
    let thumb = img.resize_to_fill(
        THUMBNAIL_SIDE,
        THUMBNAIL_SIDE,
        image::imageops::FilterType::Triangle,
    );
    encode_png(&thumb).ok()
}

/// Any image Parley takes, as PNG bytes.
pub fn to_png(bytes: &[u8]) -> Result<Vec<u8>, FormatError> {
    encode_png(&decode(bytes)?)
}

/// A 400x600 card of one soft colour chosen from the name, for export of a
/// character with no avatar.
pub fn placeholder_png(name: &str) -> Vec<u8> {
    let hash = name.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    let [r, g, b, _] = hash.to_le_bytes();
    let soften = |c: u8| 96 + c / 3;
    let img = RgbaImage::from_pixel(400, 600, Rgba([soften(r), soften(g), soften(b), 255]));
    encode_png(&image::DynamicImage::ImageRgba8(img))
        .expect("encoding a fixed in-memory image as PNG cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_are_small_squares() {
        let big = placeholder_png("Mira");
        let thumb = thumbnail(&big).unwrap();
        let img = image::load_from_memory(&thumb).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            (THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        );
        assert!(thumb.len() < big.len());
        assert_eq!(sniff_mime(&thumb), Some("image/png"));
    }

    #[test]
    fn garbage_has_no_thumbnail() {
        assert_eq!(thumbnail(b"not an image"), None);
        assert!(to_png(b"not an image").is_err());
    }
}
