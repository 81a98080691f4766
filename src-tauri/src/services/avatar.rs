//! Pictures a person sets for a character or a persona: checked, cropped to
//! a centred square and scaled once here, then stored as PNG (a character
//! also gets its list thumbnail). Imported card images never pass through
//! here: import keeps them as they came, and export writes them back as they
//! are.
//!
//! The window reads pictures as `data:` URLs, once per picture (it caches
//! them); the small ones (`small`) are what chats and lists show.

use serde_json::json;
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use image::{ImageFormat, ImageReader};
use sqlx::SqlitePool;

pub use crate::repos::avatar::Owner;

use crate::cards::image as pixels;
use crate::error::{AppError, Result, ResultExt};
use crate::models::{Id, Timestamp};
use crate::repos::avatar as repo;

/// Side of the stored square picture, in pixels.
pub const SIDE: u32 = 512;
/// Largest file taken, in bytes.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Widest or tallest picture taken, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// Most pixels taken (a 6000x4000 photo is 24 million).
pub const MAX_PIXELS: u64 = 40_000_000;

/// A checked picture, ready to store.
#[derive(Debug)]
pub struct Prepared {
    /// `SIDE` x `SIDE` PNG.
    pub png: Vec<u8>,
    /// The list thumbnail, a smaller PNG.
    pub thumbnail: Vec<u8>,
}

const NOT_A_PICTURE: &str =
    "this file is not a picture Parley can use; choose a PNG, JPEG, WebP or GIF image";

fn refuse(message: impl Into<String>) -> AppError {
    // Worded by the caller.
    AppError::validation("avatar", message)
}

/// True when the picture moves (GIF with more than one frame, APNG,
/// animated WebP).
fn animated(bytes: &[u8], format: ImageFormat) -> bool {
    use image::codecs::{gif::GifDecoder, png::PngDecoder, webp::WebPDecoder};
    use image::AnimationDecoder as _;
    match format {
        ImageFormat::Png => PngDecoder::new(Cursor::new(bytes))
            .and_then(|d| d.is_apng())
            .unwrap_or(false),
        ImageFormat::WebP => WebPDecoder::new(Cursor::new(bytes))
            .map(|d| d.has_animation())
            .unwrap_or(false),
        ImageFormat::Gif => GifDecoder::new(Cursor::new(bytes))
            .map(|d| d.into_frames().take(2).count() > 1)
            .unwrap_or(false),
        _ => false,
    }
}

/// Checks a picture and makes the stored square and thumbnail from it.
/// Refused in words: not a picture Parley reads (PNG, JPEG, WebP, GIF),
/// too large a file or too many pixels (checked from the header before
/// any pixel is decoded, so a small file claiming a huge picture is
/// refused cheaply), animated, or not decodable.
pub fn prepare(bytes: &[u8]) -> Result<Prepared> {
    if bytes.is_empty() {
        return Err(
            refuse("the file is empty; choose a picture").worded("picture_empty", json!({}))
        );
    }
    if bytes.len() > MAX_BYTES {
        return Err(refuse(format!(
            "the picture is too large ({} MB); choose one under {} MB",
            bytes.len().div_ceil(1024 * 1024),
            MAX_BYTES / (1024 * 1024)
        ))
        .worded(
            "picture_too_big",
            json!({ "mb": bytes.len().div_ceil(1024 * 1024), "limit": MAX_BYTES / (1024 * 1024) }),
        ));
    }
    // Only the formats Parley shows (`sniff_mime`), whatever else `image` knows.
    let format = image::guess_format(bytes)
        .ok()
        .filter(|_| pixels::sniff_mime(bytes).is_some())
        .ok_or_else(|| refuse(NOT_A_PICTURE).worded("not_a_picture", json!({})))?;
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| {
            refuse("the picture could not be read; it may be damaged")
                .worded("picture_unreadable", json!({}))
        })?;
    if w == 0 || h == 0 {
        return Err(refuse("the picture has no pixels").worded("picture_no_pixels", json!({})));
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(refuse(format!(
            "the picture is too large ({w} x {h} pixels); choose one at most {MAX_SIDE} pixels a side and {} megapixels",
            MAX_PIXELS / 1_000_000
        ))
        .worded(
            "picture_too_many_pixels",
            json!({
                "width": w,
                "height": h,
                "side": MAX_SIDE,
                "megapixels": MAX_PIXELS / 1_000_000,
            }),
        ));
    }
    if animated(bytes, format) {
        return Err(
            refuse("animated pictures are not supported; choose a still image")
                .worded("picture_animated", json!({})),
        );
    }
    let img = pixels::decode(bytes).map_err(|_| {
        refuse("the picture could not be decoded; it may be damaged")
            .worded("picture_damaged", json!({}))
    })?;
    let square = img.resize_to_fill(SIDE, SIDE, image::imageops::FilterType::Lanczos3);
    let png = pixels::encode_png(&square).map_err(|e| {
        AppError::internal(e.to_string())
            .worded("picture_not_encoded", json!({ "reason": e.to_string() }))
    })?;
    let thumbnail = pixels::thumbnail(&png).ok_or_else(|| {
        AppError::internal("the thumbnail could not be made").worded("thumbnail_failed", json!({}))
    })?;
    Ok(Prepared { png, thumbnail })
}

/// Whose picture, in words, for errors.
fn noun(owner: Owner) -> &'static str {
    match owner {
        Owner::Character => "character",
        Owner::Persona => "persona",
    }
}

/// Sets a picture from a file's bytes, sent as base64 (a `data:` URL's
/// prefix is allowed).
pub async fn set(pool: &SqlitePool, owner: Owner, id: Id, data: &str) -> Result<()> {
    let b64 = data.split_once(',').map_or(data, |(_, rest)| rest);
    if b64.len() > MAX_BYTES / 3 * 4 + 4 {
        return Err(too_big_file());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| {
            refuse("the picture did not arrive whole; try again")
                .worded("picture_incomplete", json!({}))
        })?;
    store(pool, owner, id, bytes).await
}

/// Sets a picture from a file dropped on the window (the window knows only
/// its path).
pub async fn set_from_path(pool: &SqlitePool, owner: Owner, id: Id, path: &Path) -> Result<()> {
    let path = path.to_path_buf();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
        let unreadable = |e: std::io::Error| {
            refuse(format!("the file could not be read ({e}); choose another")).worded(
                "picture_file_unreadable",
                json!({ "reason": e.to_string() }),
            )
        };
        let meta = std::fs::metadata(&path).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(
                refuse("drop a picture file, not a folder").worded("picture_is_folder", json!({}))
            );
        }
        if meta.len() > MAX_BYTES as u64 {
            return Err(too_big_file());
        }
        std::fs::read(&path).map_err(unreadable)
    })
    .await
    .map_err(|e| {
        AppError::internal(format!("the file could not be read ({e})"))
            .worded("file_not_read", json!({ "reason": e.to_string() }))
    })??;
    store(pool, owner, id, bytes).await
}

fn too_big_file() -> AppError {
    refuse(format!(
        "the picture is too large; choose one under {} MB",
        MAX_BYTES / (1024 * 1024)
    ))
    .worded(
        "picture_file_too_big",
        json!({ "limit": MAX_BYTES / (1024 * 1024) }),
    )
}

async fn store(pool: &SqlitePool, owner: Owner, id: Id, bytes: Vec<u8>) -> Result<()> {
    let prepared = tokio::task::spawn_blocking(move || prepare(&bytes))
        .await
        .map_err(|e| {
            AppError::internal(format!("the picture could not be prepared ({e})"))
                .worded("picture_not_prepared", json!({ "reason": e.to_string() }))
        })??;
    let stored = repo::set(
        pool,
        owner,
        id,
        Some((&prepared.png, "image/png")),
        Some(&prepared.thumbnail),
        Timestamp::now(),
    )
    .await
    .context("save the picture")?;
    if !stored {
        return Err(AppError::not_found(noun(owner), id));
    }
    tracing::info!(owner = noun(owner), %id, bytes = prepared.png.len(), "avatar set");
    Ok(())
}

/// Removes a picture; the window shows the initial again.
pub async fn clear(pool: &SqlitePool, owner: Owner, id: Id) -> Result<()> {
    let stored = repo::set(pool, owner, id, None, None, Timestamp::now())
        .await
        .context("remove the picture")?;
    if !stored {
        return Err(AppError::not_found(noun(owner), id));
    }
    Ok(())
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    format!("data:{mime};base64,{}", engine.encode(bytes))
}

/// The whole picture as a `data:` URL, `None` when there is none.
pub async fn get(pool: &SqlitePool, owner: Owner, id: Id) -> Result<Option<String>> {
    let row = repo::get(pool, owner, id)
        .await
        .context("load the picture")?;
    Ok(row.map(|(bytes, mime)| data_url(&mime, &bytes)))
}

/// Small pictures for chats and lists: id -> `data:` URL, for those of
/// `ids` (at most 500) that have one.
pub async fn small(pool: &SqlitePool, owner: Owner, ids: &[Id]) -> Result<HashMap<String, String>> {
    let ids = &ids[..ids.len().min(500)];
    let rows = repo::small(pool, owner, ids)
        .await
        .context("load the pictures")?;
    Ok(rows
        .into_iter()
        .map(|(id, bytes, mime)| {
            let mime = match owner {
                Owner::Character => "image/png",
                Owner::Persona => mime.as_deref().unwrap_or("image/png"),
            };
            (id.to_string(), data_url(mime, &bytes))
        })
        .collect())
}
