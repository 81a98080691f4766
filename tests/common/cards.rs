//! The card and chat fixture corpus: files under tests/fixtures and PNG
//! cards built from them.

use base64::Engine as _;

pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A placeholder image carrying `texts` as tEXt chunks (keyword, text).
pub fn png_with(texts: &[(&str, &str)]) -> Vec<u8> {
    let base = parley::cards::image::placeholder_png("fixture");
    parley::cards::png::with_text_chunks(&base, texts).expect("build PNG")
}

/// A PNG card holding a card fixture in a `chara` chunk.
pub fn png_card(fixture_path: &str) -> Vec<u8> {
    png_with(&[("chara", &b64(&fixture(fixture_path)))])
}
