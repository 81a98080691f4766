//! CHARX (V3's zip form): `card.json` at the root plus assets; the avatar is
//! the `icon` asset named `main` (else the first icon), addressed as
//! `embeded://path/in/zip` (the spec's spelling; `embedded://` is taken too).
//!
//! Nothing from the archive is written to disk: entries are looked up by
//! name and read into memory, each no larger than the limits.

use std::io::{Cursor, Read};

use serde_json::Value;

use super::card::{self, Avatar, ParsedCard};
use super::{image, FormatError, Limits};

/// Reads a CHARX archive.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<ParsedCard, FormatError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| FormatError::new("the CHARX archive is corrupt (not a readable zip)"))?;
    if zip.len() > limits.max_archive_entries {
        return Err(FormatError::new(format!(
            "the CHARX archive has {} files; the limit is {}",
            zip.len(),
            limits.max_archive_entries
        )));
    }
    let json = entry(&mut zip, "card.json", limits.max_text_bytes)?
        .ok_or_else(|| FormatError::new("the CHARX archive has no card.json"))?;
    let mut parsed = card::from_json_bytes(&json, limits, None)?;
    if let Some(path) = icon_path(&parsed.card_json) {
        if let Some(bytes) = entry(&mut zip, &path, limits.max_file_bytes)? {
            if let Some(mime) = image::sniff_mime(&bytes) {
                parsed.avatar = Some(Avatar { bytes, mime });
            }
        }
    }
    Ok(parsed)
}

/// An entry's bytes, or `None` when the archive has no such entry.
fn entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    max: usize,
) -> Result<Option<Vec<u8>>, FormatError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => {
            return Err(FormatError::new(format!(
                "the CHARX archive's {name} could not be read"
            )))
        }
    };
    let mut out = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| FormatError::new(format!("the CHARX archive's {name} is corrupt")))?;
    if out.len() > max {
        return Err(FormatError::new(format!(
            "the CHARX archive's {name} is larger than {} MB",
            max / (1024 * 1024)
        )));
    }
    Ok(Some(out))
}

/// The zip path of the main icon asset, when the card names one.
fn icon_path(card: &Value) -> Option<String> {
    let assets = card.pointer("/data/assets")?.as_array()?;
    let icons = assets
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("icon"));
    let main = icons
        .clone()
        .find(|a| a.get("name").and_then(Value::as_str) == Some("main"))
        .or_else(|| icons.clone().next())?;
    let uri = main.get("uri")?.as_str()?;
    let path = uri
        .strip_prefix("embeded://")
        .or_else(|| uri.strip_prefix("embedded://"))?;
    // Only plain relative paths inside the archive.
    let safe = !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "..");
    safe.then(|| path.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    pub(crate) fn charx(card: &Value, files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("card.json", opts).unwrap();
        zip.write_all(card.to_string().as_bytes()).unwrap();
        for (name, bytes) in files {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_the_card_and_its_main_icon() {
        let icon = image::placeholder_png("Mira");
        let card = serde_json::json!({
            "spec": "chara_card_v3", "spec_version": "3.0",
            "data": {"name": "Mira", "first_mes": "Hello.", "assets": [
                {"type": "icon", "uri": "embeded://assets/icon/images/main.png", "name": "main", "ext": "png"}
            ]}
        });
        let bytes = charx(&card, &[("assets/icon/images/main.png", &icon)]);
        let parsed = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(parsed.input.name, "Mira");
        assert_eq!(parsed.avatar.unwrap().bytes, icon);
    }

    #[test]
    fn climbing_paths_are_ignored() {
        let card = serde_json::json!({"data": {"assets": [
            {"type": "icon", "uri": "embeded://../../etc/passwd", "name": "main"}
        ]}});
        assert_eq!(icon_path(&card), None);
    }

    #[test]
    fn an_archive_without_a_card_is_named() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let err = read(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(err.to_string(), "the CHARX archive has no card.json");
    }
}
