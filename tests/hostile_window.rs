//! The hostile-content pass: a character card, a persona and a chat whose
//! every text field (name, description, greeting, lorebook, messages, chat
//! title) holds payloads (script tags, `<img onerror>`, `javascript:` links,
//! `<iframe>`, `<svg onload>`, `<meta http-equiv=refresh>`, Markdown links
//! and images to remote hosts and relative paths, bidi tricks, `{{char}}`
//! with a name that is Markdown and HTML, a chat variable set to markup
//! and read back, CSS), brought in through the
//! window and shown on every screen that shows them, with the mock provider
//! streaming more of the same as a reply.
//!
//! The window fails the test on any script run (payloads call `__pwned`),
//! any CSP violation (a `securitypolicyviolation` listener installed before
//! any of the content arrives), any request other than the app's own (the
//! resource timeline, and a local canary server every payload points to,
//! which must receive nothing), or any navigation (the page's marker
//! survives, the address is unchanged, and a script's own attempts to leave
//! or open a window are refused by the native handler in
//! `src-tauri/src/window.rs`).
//!
//! One piece: a single pass, its watchers installed once, through every
//! screen; split, each part would need the whole setup again.

mod common;

use std::io::Read as _;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::mock_llm::{openai_tokens, End, MockLlm, Reply};
use common::window::*;
use serde_json::json;

/// A server the payloads point to: it must never be asked for anything.
struct Canary {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Canary {
    fn start() -> Canary {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = hits.clone();
        std::thread::spawn(move || {
            for mut s in listener.incoming().flatten() {
                seen.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).unwrap_or(0);
                eprintln!(
                    "canary asked: {}",
                    String::from_utf8_lossy(&buf[..n])
                        .lines()
                        .next()
                        .unwrap_or("")
                );
            }
        });
        Canary { port, hits }
    }
}

/// Every trick at once, tagged so a hit says which field let it through.
fn payload(tag: &str, canary: u16) -> String {
    let c = format!("http://127.0.0.1:{canary}");
    format!(
        "Payload {tag}: {{{{char}}}} and {{{{user}}}} [a real link](https://example.invalid/{tag})\n\n\
         <script>__pwned('{tag}-script')</script>\
         <img src=x onerror=\"__pwned('{tag}-img')\"><img src=\"{c}/{tag}.png\">\
         <iframe src=\"{c}/{tag}-frame\"></iframe><svg onload=\"__pwned('{tag}-svg')\"></svg>\
         <meta http-equiv=\"refresh\" content=\"0;url={c}/{tag}-meta\">\
         <a href=\"javascript:__pwned('{tag}-a')\">js</a> <object data=\"{c}/{tag}-obj\"></object>\n\n\
         [md link](javascript:__pwned('{tag}-md')) [relative](/{tag}) [proto](//127.0.0.1:{canary}/{tag}) \
         [data](data:text/html,<script>__pwned('{tag}-data')</script>) [file](file:///etc/passwd) \
         ![remote]({c}/{tag}-md.png) ![relative](/{tag}.png) <{c}/{tag}-auto>\n\n\
         <style>body{{background:url({c}/{tag}.css)}}</style>\
         <div style=\"background:url({c}/{tag}-style)\">css</div> \
         \u{202E}desrever\u{202C} {{{{char}}}} and {{{{user}}}}\n\n\
         {{{{setvar::x::<img src=x onerror=\"__pwned('{tag}-var')\">}}}}Var: {{{{getvar::x}}}}"
    )
}

const CHAR_NAME: &str = "Eve <img src=x onerror=__pwned('charname')> **[x](/n)** \u{202E}";
const PERSONA_NAME: &str = "# Big <b>bold</b> [y](https://example.invalid/y)";

#[tokio::test]
async fn hostile_cards_personas_chats_and_replies_cannot_act_in_the_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    let canary = Canary::start();
    let reply = payload("reply", canary.port);
    // 40 characters a token (never a cut character).
    let tokens: Vec<String> = reply
        .chars()
        .collect::<Vec<_>>()
        .chunks(40)
        .map(|c| c.iter().collect())
        .collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mock = MockLlm::start(vec![Reply::Stream {
        chunks: openai_tokens(&refs),
        pause: Duration::from_millis(5),
        end: End::Close,
    }])
    .await;

    let data = tempfile::tempdir().unwrap();
    {
        let (pool, _) = parley::db::open(&data.path().join("parley.db"))
            .await
            .unwrap();
        common::default_mock_model(&pool, &mock.base_url).await;
        pool.close().await;
    }

    // The files a person would drop: a card and a chat, payloads everywhere.
    let files = tempfile::tempdir().unwrap();
    let p = |tag: &str| payload(tag, canary.port);
    let card = json!({
        "spec": "chara_card_v2", "spec_version": "2.0",
        "data": {
            "name": CHAR_NAME,
            "description": p("description"),
            "personality": p("personality"),
            "scenario": p("scenario"),
            "first_mes": p("greeting"),
            "mes_example": p("examples"),
            "creator_notes": p("notes"),
            "alternate_greetings": [p("alternate")],
            "tags": ["<script>__pwned('tag')</script>"],
            "character_book": {"name": p("book"), "entries": [
                {"keys": ["Payload"], "content": p("lore"), "enabled": true,
                 "insertion_order": 1, "name": p("entry"), "comment": p("comment")}
            ]}
        }
    });
    let card_path = files.path().join("hostile.json");
    std::fs::write(&card_path, card.to_string()).unwrap();
    let mut chat = json!({"user_name": PERSONA_NAME, "character_name": CHAR_NAME.trim_end_matches('\u{202E}').trim_end(), "create_date": 1_700_000_000_000u64}).to_string();
    for (i, tag) in ["msg-user", "msg-char", "msg-user2", "msg-char2"]
        .iter()
        .enumerate()
    {
        chat.push('\n');
        chat.push_str(
            &json!({
                "name": "x", "is_user": i % 2 == 0, "send_date": 1_700_000_000_000u64 + i as u64,
                "mes": p(tag), "swipes": [p(tag), p(&format!("{tag}-swipe"))], "swipe_id": 0
            })
            .to_string(),
        );
    }
    let title = "\u{202E}<svg onload=__pwned('title')> [t](javascript:__pwned('t'))";
    let chat_path = files.path().join(format!("{title}.jsonl"));
    std::fs::write(&chat_path, chat).unwrap();

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    // Watch from before any payload arrives.
    app.execute(
        r#"window.__hits = []; window.__csp = []; window.__res = []; window.__alive = 'yes';
           window.__pwned = (w) => window.__hits.push(String(w));
           document.addEventListener('securitypolicyviolation',
             (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI), true);
           new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__res.push(e.name); })
             .observe({ type: 'resource', buffered: true });
           return true;"#,
        vec![],
    )
    .await
    .unwrap();

    // Bring it all in through the window: the persona, then the files.
    let made = app
        .execute_async(
            r#"const [name, description, paths, done] = arguments;
               const { invoke, Channel } = window.__TAURI__.core;
               invoke('user_profile_create', { input: { name, description } })
                 .then((persona) => invoke('import_paths', { paths, onProgress: new Channel() })
                   .then((report) => done({ persona, report })))
                 .catch((e) => done({ e }));"#,
            vec![
                json!(PERSONA_NAME),
                json!(p("persona")),
                json!([
                    card_path.display().to_string(),
                    chat_path.display().to_string()
                ]),
            ],
        )
        .await
        .unwrap();
    let imported = made["report"]["imported"]
        .as_array()
        .unwrap_or_else(|| panic!("{made}"));
    assert_eq!(imported.len(), 2, "{made}");
    let id_of = |kind: &str| {
        imported
            .iter()
            .find(|i| i["kind"] == kind)
            .and_then(|i| i["id"].as_str())
            .unwrap_or_else(|| panic!("{made}"))
            .to_string()
    };
    let (character_id, chat_id) = (id_of("character"), id_of("chat"));
    let persona_id = made["persona"]["id"].as_str().unwrap().to_string();
    // Names and titles lose their bidi controls.
    let labels = [
        &made["persona"]["name"],
        &imported[0]["name"],
        &imported[0]["file"],
        &imported[1]["name"],
        &imported[1]["file"],
    ];
    assert!(
        labels.iter().all(|l| !l.to_string().contains('\u{202E}')),
        "{labels:?}"
    );

    let go = |hash: String| {
        let app = app.clone();
        async move {
            app.execute(
                "location.hash = arguments[0]; return true;",
                vec![json!(hash)],
            )
            .await
            .unwrap();
        }
    };
    // Home, and the sidebar's character list with the name.
    go("#/".into()).await;
    fill(&app, "#character-search", "Eve").await;
    wait_for_text(&app, "#character-list li", "Eve <img").await;
    // The character's editor, lorebook included.
    go(format!("#/character/{character_id}")).await;
    wait_for_text(&app, "#view", "Lorebook").await;
    no_error_banner(&app, "hostile character").await;
    // The persona.
    go("#/personas".into()).await;
    wait_for_text(&app, "#view", "# Big").await;
    let _ = persona_id;
    // The chat: every message, the names in place of the macros as text.
    go(format!("#/chat/{chat_id}")).await;
    wait_for_text(&app, "#messages .message-body", "Payload msg-char2").await;
    let bodies = app
        .execute(
            "return Array.from(document.querySelectorAll('#messages .message-body')).map(b => ({ \
               text: b.textContent, html: b.innerHTML, \
               links: Array.from(b.querySelectorAll('a[href]')).map(a => a.getAttribute('href')), \
               tags: Array.from(b.querySelectorAll('*')).map(e => e.tagName.toLowerCase()) }))",
            vec![],
        )
        .await
        .unwrap();
    for body in bodies.as_array().unwrap() {
        let text = body["text"].as_str().unwrap();
        if text.contains("Payload") {
            assert!(
                text.contains("Eve <img src=x onerror=__pwned('charname')> **[x](/n)**"),
                "{{char}} as text: {text}"
            );
            assert!(
                text.contains("# Big <b>bold</b> [y](https://example.invalid/y)"),
                "{{user}} as text: {text}"
            );
            assert!(
                text.contains("**[x](/n)** and # Big"),
                "no bidi override from a name: {text}"
            );
            if text.contains("Payload reply") {
                // Set and read back when the reply ended: the value is text.
                assert!(
                    text.contains("Var: <img src=x onerror=\"__pwned('reply-var')\">"),
                    "a variable's value as text: {text}"
                );
            }
        }
        for link in body["links"].as_array().unwrap() {
            let href = link.as_str().unwrap_or("");
            assert!(
                ["https://", "http://", "mailto:"]
                    .iter()
                    .any(|s| href.starts_with(s)),
                "only absolute web links: {href} in {body}"
            );
        }
        for tag in body["tags"].as_array().unwrap() {
            let tag = tag.as_str().unwrap();
            assert!(
                [
                    "p",
                    "a",
                    "em",
                    "strong",
                    "code",
                    "pre",
                    "br",
                    "del",
                    "ul",
                    "ol",
                    "li",
                    "blockquote",
                    "span",
                    "div",
                    "mark"
                ]
                .contains(&tag),
                "a <{tag}> in a message: {body}"
            );
        }
    }
    // A link asks first, showing the whole address; Close leaves it.
    app.execute(
        "document.querySelector('#messages .message-body a').click(); return true;",
        vec![],
    )
    .await
    .unwrap();
    wait_for_text(
        &app,
        "#link-dialog #link-address",
        "https://example.invalid/",
    )
    .await;
    shot(&app, "link-dialog").await;
    click(&app, "#link-dialog .modal-x").await;
    // A reply streams payloads in.
    fill(&app, "textarea#composer", "Payload, please.").await;
    click(&app, "#send").await;
    wait_for_text(&app, "#messages .message-body", "Payload reply").await;
    wait_for_text(&app, "#messages .message-body", "reply-style").await;
    // The whole reply: the payload's last lines come after "reply-style".
    let text = wait_status(&app, "completed").await;
    assert!(text.contains("Payload reply"), "{text}");
    assert!(text.contains("Eve <img"), "{text}");
    // Search shows snippets of it all.
    go("#/search".into()).await;
    fill(&app, "#search-input", "Payload").await;
    wait_for_text(&app, "#search-results", "Payload").await;
    // The trash, and the recent chats (reloaded when the reply ended) with
    // the chat's title.
    go("#/trash".into()).await;
    go("#/".into()).await;
    wait_for_text(&app, "#chat-list li", "svg onload").await;

    // A script's own attempts to leave, which no click handler sees: the
    // native handler refuses them.
    let canary_url = format!("http://127.0.0.1:{}", canary.port);
    app.execute(
        "window.open(arguments[0] + '/new-window'); location.href = arguments[0] + '/navigate'; return true;",
        vec![json!(canary_url)],
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let seen = app
        .execute(
            "return { hits: window.__hits, csp: window.__csp, alive: window.__alive, href: location.href, \
               res: (window.__res || []).concat(performance.getEntriesByType('resource').map(e => e.name)) }",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(seen["alive"], "yes", "the page was navigated away: {seen}");
    let href = seen["href"].as_str().unwrap();
    let rest = href
        .strip_prefix("tauri://localhost")
        .or_else(|| href.strip_prefix("http://tauri.localhost"));
    assert!(
        rest.is_some_and(|r| r.is_empty() || r.starts_with(['/', '#', '?'])),
        "the window left the app: {href}"
    );
    assert_eq!(seen["hits"], json!([]), "a payload ran: {seen}");
    assert_eq!(
        seen["csp"],
        json!([]),
        "the CSP had to block something: {seen}"
    );
    let foreign: Vec<&str> = seen["res"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.as_str())
        .filter(|r| {
            ![
                "tauri://localhost",
                "http://tauri.localhost/",
                "ipc://localhost/",
                "http://ipc.localhost/",
                "data:",
                "blob:",
            ]
            .iter()
            .any(|own| r.starts_with(own))
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "requests away from the app: {foreign:?}"
    );
    assert_eq!(
        canary.hits.load(Ordering::SeqCst),
        0,
        "the canary was asked for something"
    );
    // The provider heard only what the chat sent.
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.json().get("messages").is_some()));
    app.close().await.unwrap();
}
