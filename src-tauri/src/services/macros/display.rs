//! A stored message as the window shows it: its macros replayed
//! (`super::segments`), as plain text and as sanitised Markdown HTML.
//!
//! Expansion happens after sanitising and inserts text: each result is a
//! private-use stand-in while Markdown renders and `ammonia` cleans, then
//! the stand-in is replaced by the result, HTML-escaped. So a persona
//! named `<img src=x onerror=alert(1)>`, `# Big` or `**[x](https://e.com)**`,
//! or a variable set to `<b>`, shows as written and never becomes markup.
//! Stand-ins are made of two private-use characters the text does not hold,
//! so a message cannot forge one.

use serde::{Deserialize, Serialize};

use super::{segments, Names, Segment};
use crate::services::markdown;

/// Messages longer than this are shown as plain text, not Markdown
/// (laying out one huge rendered paragraph freezes the window).
pub const PLAIN_LIMIT: usize = 100_000;

/// One message to show: its text and the results stored with it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Item {
    pub text: String,
    /// `metadata.macros` of the message (absent: none).
    pub macros: Vec<String>,
    /// Who wrote it, in a group chat: its `{{char}}`.
    pub speaker: Option<String>,
}

/// How a message shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shown {
    /// Sanitised HTML; `None` for a text too long for Markdown.
    pub html: Option<String>,
    /// The text with its macros expanded (copy, long texts, previews).
    pub text: String,
}

/// Shows one message.
pub fn show(item: &Item, names: &Names) -> Shown {
    let text = item.text.as_str();
    let segs = segments(text, names, &item.macros);
    let plain = super::eval::join(text, &segs);
    let html = (plain.len() <= PLAIN_LIMIT).then(|| html(text, &segs));
    Shown { html, text: plain }
}

/// The segments as sanitised HTML, the results put in as escaped text.
fn html(text: &str, segs: &[Segment]) -> String {
    let values: Vec<&str> = segs
        .iter()
        .filter_map(|s| match s {
            Segment::Value(v) => Some(v.as_str()),
            Segment::Text(_) => None,
        })
        .collect();
    if values.is_empty() {
        return markdown::render(text);
    }
    let (open, close) = marks(text);
    let mut source = String::with_capacity(text.len() + values.len() * 8);
    let mut k = 0;
    for s in segs {
        match s {
            Segment::Text(r) => source.push_str(&text[r.clone()]),
            Segment::Value(_) => {
                source.push(open);
                source.push_str(&k.to_string());
                source.push(close);
                k += 1;
            }
        }
    }
    let rendered = markdown::render(&source);
    let mut out =
        String::with_capacity(rendered.len() + values.iter().map(|v| v.len()).sum::<usize>());
    let mut rest = rendered.as_str();
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        let after = &rest[i + open.len_utf8()..];
        let Some(j) = after.find(close) else {
            rest = after;
            continue;
        };
        if let Some(v) = after[..j].parse::<usize>().ok().and_then(|n| values.get(n)) {
            escape_into(v, &mut out);
        }
        rest = &after[j + close.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Two private-use characters `text` does not contain.
fn marks(text: &str) -> (char, char) {
    let mut free = ('\u{E000}'..='\u{F8FF}').filter(|c| !text.contains(*c));
    let open = free.next().unwrap_or('\u{E000}');
    let close = free.next().unwrap_or('\u{E001}');
    (open, close)
}

/// `v` as HTML text, without bidirectional controls or zero-width
/// characters (which could reorder or hide what is around the value).
fn escape_into(v: &str, out: &mut String) {
    for c in v.chars() {
        match c {
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{2060}'
            | '\u{FEFF}' => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn names(user: &str) -> Names {
        Names {
            char: "Mira".into(),
            user: user.into(),
            members: vec![],
        }
    }

    #[rstest]
    #[case::plain("*hi*", "Alex", "<p><em>hi</em></p>\n")]
    #[case::name_in_markdown("**{{user}}**", "Alex", "<p><strong>Alex</strong></p>\n")]
    #[case::markup_name(
        "{{user}}",
        "<img src=x onerror=alert(1)>",
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"
    )]
    #[case::markdown_name(
        "{{user}}",
        "**[x](https://e.com)**",
        "<p>**[x](https://e.com)**</p>\n"
    )]
    #[case::heading_name("{{user}} waves", "# Big", "<p># Big waves</p>\n")]
    #[case::bidi("{{user}}", "a\u{202E}b", "<p>ab</p>\n")]
    #[case::raw_html_stays_text("<b>{{char}}</b>", "Alex", "<p>&lt;b&gt;Mira&lt;/b&gt;</p>\n")]
    fn values_are_text(#[case] text: &str, #[case] user: &str, #[case] want: &str) {
        let shown = show(
            &Item {
                text: text.into(),
                macros: vec![],
                ..Item::default()
            },
            &names(user),
        );
        assert_eq!(shown.html.as_deref(), Some(want));
    }

    #[test]
    fn stored_results_show_and_cannot_be_markup() {
        // `{{setvar::x::<b>}}{{getvar::x}}` as stored when sent: "" then "<b>".
        let shown = show(
            &Item {
                text: "{{setvar::x::<b>}}{{getvar::x}} and {{roll:1d6}}".into(),
                macros: vec![String::new(), "<b>".into(), "4".into()],
                ..Item::default()
            },
            &names("Alex"),
        );
        assert_eq!(shown.text, "<b> and 4");
        assert_eq!(shown.html.as_deref(), Some("<p>&lt;b&gt; and 4</p>\n"));
    }

    #[test]
    fn forged_stand_ins_are_not_replaced() {
        let shown = show(
            &Item {
                text: "\u{E000}0\u{E001} {{user}}".into(),
                macros: vec![],
                ..Item::default()
            },
            &names("Alex"),
        );
        assert_eq!(shown.text, "\u{E000}0\u{E001} Alex");
        assert!(shown.html.unwrap().contains("\u{E000}0\u{E001} Alex"));
    }

    #[test]
    fn long_texts_are_plain() {
        let text = format!("{{{{user}}}} {}", "x".repeat(PLAIN_LIMIT));
        let shown = show(
            &Item {
                text,
                ..Item::default()
            },
            &names("Alex"),
        );
        assert!(shown.html.is_none());
        assert!(shown.text.starts_with("Alex x"));
    }
}
