//! CHARX (V3's zip form): `card.json` at the root plus assets; the avatar is
//! the `icon` asset named `main` (else the first icon), addressed as
//! `embeded://path/in/zip` (the spec's spelling; `embedded://` is taken too).
//!
//! Nothing from the archive is written to disk: entries are looked up by
//! name and read into memory, each no larger than the limits.

use std::io::{Cursor, Read};

use serde_json::{json, Value};

use super::card::{self, Avatar, ParsedCard};
use super::{image, FormatError, Limits};

/// Reads a CHARX archive.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<ParsedCard, FormatError> {
    check_directory(bytes, limits)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        FormatError::new("the CHARX archive is corrupt (not a readable zip)")
            .worded("charx_not_zip", json!({}))
    })?;
    if zip.len() > limits.max_archive_entries {
        let (count, limit) = (zip.len(), limits.max_archive_entries);
        return Err(FormatError::new(format!(
            "the CHARX archive has {count} files; the limit is {limit}"
        ))
        .worded(
            "charx_too_many_files",
            json!({ "count": count, "limit": limit }),
        ));
    }
    let json = entry(&mut zip, "card.json", limits.max_text_bytes)?.ok_or_else(|| {
        FormatError::new("the CHARX archive has no card.json").worded("charx_no_card", json!({}))
    })?;
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

/// Refuses an archive whose end record declares more entries, or a larger
/// directory, than the limit allows, before the zip reader allocates one
/// record per entry (a small file can declare hundreds of thousands).
fn check_directory(bytes: &[u8], limits: &Limits) -> Result<(), FormatError> {
    // The end record is 22 bytes plus a comment of up to 65,535.
    let tail_from = bytes.len().saturating_sub(22 + 65_535);
    let Some(at) = bytes[tail_from..]
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .map(|i| tail_from + i)
    else {
        return Ok(()); // not a zip: the reader says so in its own words
    };
    let Some(end) = bytes.get(at..at + 22) else {
        return Ok(());
    };
    let entries = u16::from_le_bytes([end[10], end[11]]) as usize;
    let directory = u32::from_le_bytes([end[12], end[13], end[14], end[15]]) as usize;
    // Each entry's record is 46 bytes plus its name; a card's names are short.
    let max_directory = limits.max_archive_entries * 1024;
    if entries == 0xFFFF || entries > limits.max_archive_entries {
        let limit = limits.max_archive_entries;
        let (at_least, code) = if entries == 0xFFFF {
            ("at least ", "charx_declares_at_least")
        } else {
            ("", "charx_declares_too_many")
        };
        return Err(FormatError::new(format!(
            "the CHARX archive declares {at_least}{entries} files; the limit is {limit}"
        ))
        .worded(code, json!({ "count": entries, "limit": limit })));
    }
    if directory > max_directory {
        let (size, limit) = (directory / 1024, max_directory / 1024);
        return Err(FormatError::new(format!(
            "the CHARX archive's list of files is {size} KB; the limit is {limit} KB"
        ))
        .worded(
            "charx_list_too_big",
            json!({ "size": size, "limit": limit }),
        ));
    }
    Ok(())
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
            return Err(
                FormatError::new(format!("the CHARX archive's {name} could not be read"))
                    .worded("charx_entry_unreadable", json!({ "name": name })),
            )
        }
    };
    let mut out = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| {
            FormatError::new(format!("the CHARX archive's {name} is corrupt"))
                .worded("charx_entry_corrupt", json!({ "name": name }))
        })?;
    if out.len() > max {
        let limit = max / (1024 * 1024);
        return Err(FormatError::new(format!(
            "the CHARX archive's {name} is larger than {limit} MB"
        ))
        .worded(
            "charx_entry_too_big",
            json!({ "name": name, "limit": limit }),
        ));
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
    fn thousands_of_entries_are_refused_before_they_are_read() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..3000 {
            zip.start_file(format!("{i}"), zip::write::SimpleFileOptions::default())
                .unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let err = read(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the CHARX archive declares 3000 files; the limit is 2000"
        );
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
