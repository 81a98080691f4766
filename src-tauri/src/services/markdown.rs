//! Markdown to safe HTML for the chat view: pulldown-cmark renders, ammonia
//! sanitises. No script, no event handlers, no styles, no images (nothing
//! remote loads), links only to http, https and mailto, marked
//! `noopener noreferrer nofollow`. Raw HTML in the text is escaped, not
//! interpreted, so card and model text can never become markup.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "hr",
        "em",
        "strong",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "sub",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// Renders a message's Markdown as sanitised HTML.
pub fn render(text: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    // Inline and block HTML become text, never markup.
    let parser = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    html::push_html(&mut out, parser);
    CLEANER.clean(&out).to_string()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::render;

    #[rstest]
    #[case::emphasis("*hi* **there**", "<p><em>hi</em> <strong>there</strong></p>\n")]
    #[case::code_block("```\nlet x = 1;\n```", "<pre><code>let x = 1;\n</code></pre>\n")]
    #[case::quote("> said", "<blockquote>\n<p>said</p>\n</blockquote>\n")]
    #[case::list("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n")]
    fn markdown_renders(#[case] input: &str, #[case] html: &str) {
        assert_eq!(render(input), html);
    }

    #[rstest]
    #[case::script("<script>alert(1)</script>")]
    #[case::handler("<img src=x onerror=alert(1)>")]
    #[case::js_link("[click](javascript:alert(1))")]
    #[case::remote_image("![x](https://evil.example/t.png)")]
    #[case::iframe("<iframe src=https://evil.example></iframe>")]
    #[case::style("<p style=\"background:url(https://evil.example)\">x</p>")]
    fn nothing_active_survives(#[case] input: &str) {
        let out = render(input);
        // Every real tag in the output (escaped text has no `<`) must be a
        // harmless one, without handlers, styles, sources or script URLs.
        for tag in out
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
        {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            assert!(
                ["p", "a", "em", "strong", "code", "pre", "blockquote"].contains(&name.as_str()),
                "{input:?} rendered the tag <{tag}> in {out:?}"
            );
            let attrs: Vec<&str> = tag.split_whitespace().skip(1).collect();
            assert!(
                attrs.iter().all(|a| !a.starts_with("on")
                    && !a.starts_with("style")
                    && !a.starts_with("src")
                    && !a.contains("javascript:")),
                "{input:?} rendered <{tag}>"
            );
        }
    }

    #[test]
    fn links_are_kept_but_inert() {
        let out = render("[docs](https://example.com/a)");
        assert!(out.contains("href=\"https://example.com/a\""), "{out}");
        assert!(
            out.contains("rel=\"noopener noreferrer nofollow\""),
            "{out}"
        );
    }
}
