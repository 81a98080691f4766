//! How the window looks: the theme (light, dark, or the system's), an
//! accent colour, the text size, the chat's layout and the language, kept
//! as preferences (`app_config` keys `ui.*`, typed here so a value out of
//! range is refused when it is set), and the person's own stylesheet, `custom.css` in the
//! data folder, which the window applies as a stylesheet object (never as
//! markup, so the CSP stays as it is).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::error::{AppError, Result};

/// Light, dark, or whatever the system says (and follow it when it changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    System,
    Light,
    Dark,
}

/// Messages as bubbles (the person's on the right), or as one document
/// down the page, each message under its author's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatLayout {
    Bubbles,
    Document,
}

/// The window's language; `System` follows the system's (English when
/// Parley does not speak it). The window holds the catalogues (ui/locales).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "system")]
    System,
    #[serde(rename = "en")]
    English,
    #[serde(rename = "zh-CN")]
    ChineseSimplified,
    #[serde(rename = "ja")]
    Japanese,
    #[serde(rename = "ko")]
    Korean,
    #[serde(rename = "es")]
    Spanish,
}

/// A colour as `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Accent(String);

impl<'de> Deserialize<'de> for Accent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let hex = s.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(serde::de::Error::custom(
                "an accent colour is written #rrggbb",
            ))
        }
    }
}

/// The text size in percent of the usual, 80 to 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TextSize(pub u32);

pub const TEXT_SIZES: (u32, u32) = (80, 200);

impl<'de> Deserialize<'de> for TextSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let n = u32::deserialize(d)?;
        if (TEXT_SIZES.0..=TEXT_SIZES.1).contains(&n) {
            Ok(Self(n))
        } else {
            Err(serde::de::Error::custom(
                "the text size is 80 to 200 percent",
            ))
        }
    }
}

/// Largest custom stylesheet read.
pub const MAX_CUSTOM_CSS: u64 = 512 * 1024;

/// Where the person's stylesheet goes: `custom.css` beside the database.
pub fn custom_css_path(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .map_or_else(|| PathBuf::from("custom.css"), |d| d.join("custom.css"))
}

/// The person's stylesheet and where it lives (so Settings can say where
/// to put one).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomCss {
    pub path: PathBuf,
    /// `None`: there is no such file.
    pub css: Option<String>,
}

/// Reads `custom.css`, if there is one; a file too big or not text is
/// refused in words.
pub fn custom_css(db_path: &Path) -> Result<CustomCss> {
    let path = custom_css_path(db_path);
    let css = match std::fs::metadata(&path) {
        Err(_) => None,
        Ok(m) if m.len() > MAX_CUSTOM_CSS => {
            return Err(AppError::validation(
                "custom.css",
                format!(
                    "{} is {} KB; a custom stylesheet may be at most {} KB",
                    path.display(),
                    m.len() / 1024,
                    MAX_CUSTOM_CSS / 1024
                ),
            )
            .worded(
                "css_too_big",
                json!({
                    "path": path.display().to_string(),
                    "kb": m.len() / 1024,
                    "limit": MAX_CUSTOM_CSS / 1024,
                }),
            ))
        }
        Ok(_) => {
            let bytes = std::fs::read(&path)?;
            Some(String::from_utf8(bytes).map_err(|_| {
                AppError::validation(
                    "custom.css",
                    format!("{} is not UTF-8 text", path.display()),
                )
                .worded("not_utf8", json!({ "path": path.display().to_string() }))
            })?)
        }
    };
    Ok(CustomCss { path, css })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_colours_and_sizes_in_range_are_read() {
        assert_eq!(
            serde_json::from_value::<Accent>(json!("#A1B2C3")).unwrap(),
            Accent("#a1b2c3".into())
        );
        for bad in [
            json!("red"),
            json!("#12345"),
            json!("#12345g"),
            json!("url(x)"),
        ] {
            assert!(serde_json::from_value::<Accent>(bad).is_err());
        }
        assert!(serde_json::from_value::<TextSize>(json!(125)).is_ok());
        assert!(serde_json::from_value::<TextSize>(json!(79)).is_err());
        assert!(serde_json::from_value::<TextSize>(json!(201)).is_err());
        assert!(serde_json::from_value::<Theme>(json!("sepia")).is_err());
        assert_eq!(
            serde_json::from_value::<Language>(json!("zh-CN")).unwrap(),
            Language::ChineseSimplified
        );
        assert!(serde_json::from_value::<Language>(json!("zh")).is_err());
        assert!(serde_json::from_value::<Language>(json!("fr")).is_err());
    }

    #[test]
    fn a_custom_stylesheet_is_read_when_there_is_one_and_refused_when_too_big() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("parley.db");
        assert_eq!(custom_css(&db).unwrap().css, None);
        std::fs::write(dir.path().join("custom.css"), "body { color: red }").unwrap();
        assert_eq!(
            custom_css(&db).unwrap().css.as_deref(),
            Some("body { color: red }")
        );
        std::fs::write(dir.path().join("custom.css"), vec![b'a'; 600 * 1024]).unwrap();
        let e = custom_css(&db).unwrap_err().to_string();
        assert!(e.contains("at most 512 KB"), "{e}");
    }
}
