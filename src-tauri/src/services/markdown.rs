//! Markdown to safe HTML for the chat view: pulldown-cmark renders, ammonia
//! sanitises. No script, no event handlers, no styles, no images (a remote
//! image would be a request to another host; the CSP would block it too, and
//! `data:` images are not worth the markup), links only to absolute http,
//! https and mailto addresses (a relative link, `//host` or any other scheme
//! is dropped, keeping its text), marked `noopener noreferrer nofollow`. Raw
//! HTML in the text is escaped, not interpreted, so card and model text can
//! never become markup. A link still never navigates the window: the window
//! asks before opening it outside (`services::link`).

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
        .url_relative(ammonia::UrlRelative::Deny)
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

    #[rstest]
    #[case::relative("[x](/etc/passwd)")]
    #[case::dot_relative("[x](../index.html)")]
    #[case::fragment("[x](#top)")]
    #[case::protocol_relative("[x](//evil.example/a)")]
    #[case::javascript("[x](javascript:alert(1))")]
    #[case::javascript_case("[x](JaVaScRiPt:alert(1))")]
    #[case::javascript_entity("[x](javascript&#58;alert(1))")]
    #[case::data("[x](data:text/html;base64,PHNjcmlwdD4=)")]
    #[case::file("[x](file:///etc/passwd)")]
    #[case::app("[x](tauri://localhost/index.html)")]
    #[case::ipc("[x](ipc://localhost/open_link)")]
    #[case::vbscript("[x](vbscript:msgbox)")]
    #[case::autolink("<file:///etc/passwd>")]
    #[case::reference("[x][r]\n\n[r]: /relative")]
    #[case::raw_anchor("<a href=\"/x\">x</a>")]
    fn only_absolute_web_and_mail_links_survive(#[case] input: &str) {
        let out = render(input);
        // Escaped text has no `<`: only real tags are looked at.
        let real_href = out
            .split('<')
            .skip(1)
            .any(|tag| tag.split('>').next().unwrap_or("").contains("href"));
        assert!(!real_href, "{input:?} kept a link: {out}");
    }

    #[rstest]
    #[case::markdown_image("![x](https://evil.example/t.png)")]
    #[case::relative_image("![x](/avatar.png)")]
    #[case::data_image("![x](data:image/png;base64,iVBORw0KGgo=)")]
    fn images_never_load(#[case] input: &str) {
        let out = render(input);
        assert!(!out.contains("<img") && !out.contains("src"), "{out}");
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
