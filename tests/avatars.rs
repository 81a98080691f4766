//! Pictures in the window: a persona's and a character's picture uploaded
//! through their editors' file inputs, shown there and on the chat's
//! messages (both speakers, one cached picture each), replaced by paste and
//! by a drop on it; a file that is not a picture refused in words; the character editor's tabs and token counts;
//! lorebook entries folded to their keys; the import report naming the
//! character an imported chat made.

mod common;

use common::window::*;
use fantoccini::{Client, Locator};
use image::{ImageFormat, Rgba, RgbaImage};
use parley::models::{CharacterInput, ChatSessionInput, UserProfileInput};
use parley::services::{character, chat_session, user_profile};

struct World {
    persona: String,
    character: String,
    chat: String,
}

/// A persona, a character with a one-entry lorebook, and a chat between
/// them with a message from each.
async fn seed(data: &std::path::Path) -> World {
    let (pool, _) = parley::db::open(&data.join("parley.db")).await.unwrap();
    let persona = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Sam Reyes".into(),
            description: "A tired courier.".into(),
        },
    )
    .await
    .unwrap();
    let c = character::create(
        &pool,
        CharacterInput {
            name: "Mira Kade".into(),
            description: "Ship mechanic with a short temper and a long memory.".into(),
            first_message: "The engine is making that noise again.".into(),
            character_book: Some(serde_json::json!({
                "entries": [{"id": 0, "keys": ["Gull", "freighter"], "content": "The Gull is a patched-up freighter.",
                             "enabled": true, "insertion_order": 100, "extensions": {}}],
                "extensions": {}
            })),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(c.id),
            user_profile_id: Some(persona.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    common::say(&pool, chat.id, "Which noise? The rattle or the whine?").await;
    pool.close().await;
    World {
        persona: persona.id.to_string(),
        character: c.id.to_string(),
        chat: chat.id.to_string(),
    }
}

async fn go(app: &Client, hash: &str) {
    app.execute(&format!("location.hash = {hash:?}; return true"), vec![])
        .await
        .unwrap();
}

async fn js(app: &Client, script: &str) -> serde_json::Value {
    app.execute(script, vec![]).await.unwrap()
}

/// Sends a file path to a file input, as a person choosing it would.
async fn choose_file(app: &Client, css: &str, path: &std::path::Path) {
    let input = app
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();
}

/// Waits until the `src` of `css` is no longer `before`.
async fn wait_changed(app: &Client, css: &str, before: &serde_json::Value) {
    for _ in 0..150 {
        let now = js(
            app,
            &format!("return document.querySelector({css:?})?.src ?? null"),
        )
        .await;
        if !now.is_null() && &now != before {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} kept its picture");
}

#[tokio::test]
async fn pictures_are_uploaded_in_the_editors_and_shown_on_each_message() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let world = seed(data.path()).await;
    let wide = files.path().join("wide.png");
    RgbaImage::from_fn(300, 100, |x, _| {
        Rgba(if x < 100 {
            [200, 40, 40, 255]
        } else {
            [40, 160, 90, 255]
        })
    })
    .save_with_format(&wide, ImageFormat::Png)
    .unwrap();
    let tall = files.path().join("tall.png");
    RgbaImage::from_pixel(90, 200, Rgba([60, 90, 220, 255]))
        .save_with_format(&tall, ImageFormat::Png)
        .unwrap();
    let notes = files.path().join("notes.txt");
    std::fs::write(&notes, "not a picture at all").unwrap();

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    app.set_window_size(1280, 800).await.unwrap();

    // The persona: a text file is refused in words, a picture is taken.
    go(&app, &format!("#/personas/{}", world.persona)).await;
    choose_file(&app, "#persona-avatar-file", &notes).await;
    wait_for_text(
        &app,
        "#persona-avatar-status",
        "not a picture Parley can use",
    )
    .await;
    shot(&app, "av-01-persona-refused").await;
    choose_file(&app, "#persona-avatar-file", &wide).await;
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#persona-avatar .avatar-pic-img"))
        .await
        .unwrap();
    assert_eq!(text_of(&app, "#persona-avatar-status").await, "");
    // Stored as a square, whatever the file's shape.
    let side = js(
        &app,
        "const i = document.querySelector('#persona-avatar .avatar-pic-img'); \
         return i.complete ? [i.naturalWidth, i.naturalHeight] : null",
    )
    .await;
    assert_eq!(side, serde_json::json!([512, 512]), "a square picture");
    no_error_banner(&app, "persona with picture").await;
    shot(&app, "av-02-persona-picture").await;

    // Paste (Ctrl+V of an image) replaces it: a 40x40 red picture made in
    // the page and pasted as a file.
    let before = js(
        &app,
        "return document.querySelector('#persona-avatar .avatar-pic-img').src",
    )
    .await;
    app.execute_async(
        "const done = arguments[arguments.length - 1]; \
         const c = document.createElement('canvas'); c.width = 40; c.height = 40; \
         const g = c.getContext('2d'); g.fillStyle = '#d22'; g.fillRect(0, 0, 40, 40); \
         c.toBlob((b) => { const dt = new DataTransfer(); \
           dt.items.add(new File([b], 'pasted.png', { type: 'image/png' })); \
           window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt })); done(true); }, 'image/png');",
        vec![],
    )
    .await
    .unwrap();
    wait_changed(&app, "#persona-avatar .avatar-pic-img", &before).await;
    // A picture dropped on it replaces it again and imports nothing. The
    // window may not emit Tauri's own drop event (only listen), so the drop
    // is handed, as the importer's listener hands it, to `avatarDrop` with
    // where it landed in physical pixels.
    let before = js(
        &app,
        "return document.querySelector('#persona-avatar .avatar-pic-img').src",
    )
    .await;
    let routed = app
        .execute_async(
            "const [path, done] = arguments; \
             const r = document.querySelector('#persona-avatar .avatar-pic').getBoundingClientRect(); \
             const d = window.devicePixelRatio; \
             import('/views/avatar.js').then((m) => done([ \
               m.avatarDrop([path], { x: 5 * d, y: 5 * d }), \
               m.avatarDrop([path], { x: (r.left + r.width / 2) * d, y: (r.top + r.height / 2) * d })]));",
            vec![serde_json::json!(tall.display().to_string())],
        )
        .await
        .unwrap();
    assert_eq!(
        routed,
        serde_json::json!([false, true]),
        "only a drop on the picture is taken"
    );
    wait_changed(&app, "#persona-avatar .avatar-pic-img", &before).await;
    let dialogs = js(
        &app,
        "return document.querySelectorAll('#import-summary').length",
    )
    .await;
    assert_eq!(
        dialogs,
        serde_json::json!(0),
        "a drop on the picture is no import"
    );

    // The character editor: tabs, token counts, the picture.
    go(&app, &format!("#/character/{}", world.character)).await;
    let tabs = js(
        &app,
        "return Array.from(document.querySelectorAll('#character-form [role=tab]')).map(t => t.textContent)",
    )
    .await;
    assert_eq!(
        tabs,
        serde_json::json!([
            "Basics",
            "Greetings",
            "Examples & prompts",
            "Lorebook",
            "Documents",
            "Details"
        ])
    );
    wait_for_text(&app, "[data-tokens-for='description'] ", "tokens").await;
    let before = text_of(&app, "[data-tokens-for='description']").await;
    fill(
        &app,
        "#character-form [name='description']",
        &"word ".repeat(70),
    )
    .await;
    // 350 characters: 100 tokens by the prompt's own estimate.
    wait_for_text(&app, "[data-tokens-for='description']", "100 tokens").await;
    assert_ne!(before, "100 tokens");
    wait_for_text(&app, "#token-total", "tokens in every prompt").await;
    choose_file(&app, "#character-avatar-file", &tall).await;
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#character-avatar .avatar-pic-img"))
        .await
        .unwrap();
    // The header's picture follows at once.
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(".view-header .avatar-pic-img"))
        .await
        .unwrap();
    no_error_banner(&app, "character with picture").await;
    shot(&app, "av-03-character-basics").await;
    // The lorebook's entry is folded to its keys until opened.
    click(&app, "#tab-lorebook").await;
    wait_for_text(&app, "#lore-entries .lore-entry-keys", "Gull, freighter").await;
    let open = js(
        &app,
        "return document.querySelector('#lore-entries details').open",
    )
    .await;
    assert_eq!(open, serde_json::json!(false));
    shot(&app, "av-04-character-lorebook").await;
    click(&app, "#lore-entries summary").await;
    shot(&app, "av-05-lore-entry-open").await;
    click(&app, "#save").await;
    wait_for_text(&app, "#toast", "Character saved").await;

    // The chat: each message with its speaker's picture and name, the same
    // cached picture on every message of a speaker.
    go(&app, &format!("#/chat/{}", world.chat)).await;
    wait_for_text(&app, "#messages .message[data-role='user']", "rattle").await;
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(
            "#messages .message[data-role='user'] .message-avatar img",
        ))
        .await
        .unwrap();
    app.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(
            "#messages .message[data-role='assistant'] .message-avatar img",
        ))
        .await
        .unwrap();
    let heads = js(
        &app,
        "return Array.from(document.querySelectorAll('#messages .message')).map(m => ({ \
           role: m.dataset.role, name: m.querySelector('.message-author').textContent, \
           src: m.querySelector('.message-avatar img')?.getAttribute('src') ?? null }))",
    )
    .await;
    let heads = heads.as_array().unwrap();
    let of = |role: &str| {
        heads
            .iter()
            .find(|h| h["role"] == role)
            .unwrap_or_else(|| panic!("a {role} message: {heads:?}"))
    };
    assert_eq!(of("assistant")["name"], "Mira Kade");
    assert_eq!(of("user")["name"], "Sam Reyes");
    let (mira, sam) = (
        of("assistant")["src"].as_str().unwrap(),
        of("user")["src"].as_str().unwrap(),
    );
    assert!(
        mira.starts_with("blob:") && sam.starts_with("blob:"),
        "{mira} {sam}"
    );
    assert_ne!(mira, sam, "each speaker has their own picture");
    no_error_banner(&app, "chat with pictures").await;
    shot(&app, "av-06-chat-1280").await;
    app.set_window_size(800, 600).await.unwrap();
    shot(&app, "av-07-chat-800").await;
    go(&app, &format!("#/character/{}", world.character)).await;
    wait_for_text(&app, "#character-form", "Basics").await;
    shot(&app, "av-08-character-800").await;

    // A SillyTavern chat whose character Parley does not have: the import
    // report says the character was made.
    app.set_window_size(1280, 800).await.unwrap();
    let chat_file = files.path().join("Mira Vance - 2024.jsonl");
    std::fs::write(&chat_file, common::cards::fixture("chats/st_modern.jsonl")).unwrap();
    choose_file(&app, "#import-input", &chat_file).await;
    wait_for_text(&app, "#import-summary", "Imported 1").await;
    wait_for_text(
        &app,
        "#import-imported .import-created",
        "created the character Mira Vance",
    )
    .await;
    shot(&app, "av-09-import-report").await;
    app.close().await.unwrap();
}
