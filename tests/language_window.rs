//! The window in the person's language (issue 17), in the real window: a
//! person picks Japanese in Settings > Appearance; the screens' words, an
//! error the Rust side raises (worded from its code and values), and the
//! dates follow at once; after a restart the window opens in Japanese and
//! an import's refusal is worded in Japanese too.
//! Spanish then writes numbers its own way. The words expected are read
//! from the catalogues themselves, so the test holds as translations are
//! improved.
//!
//! Built only with `--features e2e`.

mod common;

use std::path::Path;

use common::window::*;
use fantoccini::Client;
use serde_json::{json, Map, Value};

/// A catalogue's words (`ui/locales/<lang>.js`: `export default <JSON>;`).
fn catalogue(lang: &str) -> Map<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("ui/locales/{lang}.js"));
    let text = std::fs::read_to_string(path).unwrap();
    let body = &text[text.find("export default").unwrap() + "export default".len()..];
    serde_json::from_str::<Value>(body.trim().trim_end_matches(';'))
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn words<'a>(cat: &'a Map<String, Value>, key: &str) -> &'a str {
    cat.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("the catalogue has {key}"))
}

async fn js(app: &Client, script: &str) -> Value {
    app.execute(script, vec![]).await.unwrap()
}

async fn choose_language(app: &Client, code: &str) {
    app.execute("location.hash = '#/settings'", vec![])
        .await
        .unwrap();
    app.wait()
        .at_most(WAIT)
        .for_element(fantoccini::Locator::Css("select[name='language']"))
        .await
        .expect("Settings shows the language");
    js(
        app,
        &format!(
            "const s = document.querySelector(\"select[name='language']\"); s.value = '{code}'; \
             s.dispatchEvent(new Event('change')); return null;"
        ),
    )
    .await;
    let started = std::time::Instant::now();
    while js(app, "return document.documentElement.lang").await != json!(code) {
        assert!(
            started.elapsed() < WAIT,
            "the window never switched to {code}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_person_switches_to_japanese_and_the_window_stays_in_it_after_a_restart() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let ja = catalogue("ja");
    let es = catalogue("es");

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    choose_language(&app, "ja").await;
    // Settings is written again in Japanese.
    wait_for_text(&app, "#view", words(&ja, "settings.language")).await;
    shot(&app, "language-settings-ja").await;

    // An error the back end raises, worded in Japanese from its code: a
    // character saved without a name.
    click(&app, "#new-character").await;
    fill(&app, "#character-form [name='name']", "").await;
    click(&app, "#save").await;
    let required = words(&ja, "error.required").replace("{label}", words(&ja, "field.name"));
    wait_for_text(&app, "#character-form .field-error", &required).await;

    // Dates in Japanese: the window's own date writer (ui/i18n.js, the
    // module every screen uses) writes the Japanese way.
    let date = js(
        &app,
        "return import('./i18n.js').then((m) => m.when(new Date(2026, 0, 2, 15, 4)))",
    )
    .await;
    assert_eq!(date, json!("2026/01/02 15:04"), "a date in Japanese");
    no_error_banner(&app, "Japanese settings").await;
    app.close().await.unwrap();
    drop(driver);

    // After a restart: Japanese from the first screen, and Settings shows it.
    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    assert_eq!(
        js(&app, "return document.documentElement.lang").await,
        json!("ja")
    );
    app.execute("location.hash = '#/settings'", vec![])
        .await
        .unwrap();
    wait_for_text(&app, "#view", words(&ja, "settings.language")).await;
    // The select is drawn with "system", then shows the saved choice once
    // `config_get` answers.
    let started = std::time::Instant::now();
    loop {
        let chosen = js(
            &app,
            "return document.querySelector(\"select[name='language']\").value",
        )
        .await;
        if chosen == json!("ja") {
            break;
        }
        assert!(
            started.elapsed() < WAIT,
            "Settings shows the saved language: {chosen}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A file the import refuses: the report says why in Japanese (the
    // cause's own code, error.rs `Cause`), not in the back end's English.
    let files = tempfile::tempdir().unwrap();
    let broken = files.path().join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\ncut short").unwrap();
    app.execute("location.hash = '#/'", vec![]).await.unwrap();
    let input = app
        .wait()
        .at_most(WAIT)
        .for_element(fantoccini::Locator::Css("#import-input"))
        .await
        .unwrap();
    input
        .send_keys(&broken.display().to_string())
        .await
        .unwrap();
    wait_for_text(&app, "#import-skipped .skipped-file", "broken.png").await;
    let reason = js(
        &app,
        "return document.querySelector('#import-skipped .skipped-reason').textContent",
    )
    .await;
    let reason = reason.as_str().unwrap_or_default();
    assert!(
        reason
            .chars()
            .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)
                || ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "the refusal is worded in Japanese: {reason:?}"
    );
    assert!(!reason.contains("truncated"), "no English left: {reason:?}");
    shot(&app, "language-import-ja").await;

    // Spanish: the words and the numbers (a thousands point, not a comma).
    choose_language(&app, "es").await;
    wait_for_text(&app, "#view", words(&es, "settings.language")).await;
    let number = js(
        &app,
        "return import('./i18n.js').then((m) => m.formatNumber(1234567))",
    )
    .await;
    assert_eq!(number, json!("1.234.567"));
    drop(app);
}
