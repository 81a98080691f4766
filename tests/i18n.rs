//! The window's words live in one catalogue per language (issue 17):
//! `scripts/check-i18n.mjs` passes on the UI as it is, and fails when a
//! catalogue lacks a key English has, when a translation drops a
//! placeholder, or when a view writes words outside the catalogue. The
//! failing cases are planted in a copy of the UI, so the check is seen to
//! catch each. Needs node and the npm dev tools (`make lint` installs them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Map, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(ui: &Path) -> Output {
    Command::new("node")
        .arg(root().join("scripts/check-i18n.mjs"))
        .arg(ui)
        .current_dir(root())
        .output()
        .expect("node runs (make lint installs the npm dev tools)")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A catalogue file's keys and words (`export default <JSON>;`).
fn catalogue(path: &Path) -> Map<String, Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let body = &text[text.find("export default").unwrap() + "export default".len()..];
    let body = body.trim().trim_end_matches(';');
    serde_json::from_str::<Value>(body)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn write_catalogue(path: &Path, map: &Map<String, Value>) {
    let json = serde_json::to_string_pretty(map).unwrap();
    std::fs::write(path, format!("// @ts-check\nexport default {json};\n")).unwrap();
}

#[test]
fn every_catalogue_is_complete_and_the_ui_writes_no_words_outside_them() {
    let out = check(&root().join("ui"));
    assert!(out.status.success(), "{}", said(&out));
    let en = catalogue(&root().join("ui/locales/en.js"));
    assert!(en.len() > 500, "English has {} keys", en.len());
    // Each translation is a translation: most of its words differ from English.
    for lang in ["zh-CN", "ja", "ko", "es"] {
        let other = catalogue(&root().join(format!("ui/locales/{lang}.js")));
        let same = en.iter().filter(|(k, v)| other.get(*k) == Some(v)).count();
        assert!(
            same * 5 < en.len(),
            "{lang}: {same} of {} entries are the English words",
            en.len()
        );
    }
}

#[test]
fn a_missing_key_a_lost_placeholder_a_stray_sentence_an_early_lookup_and_an_unworded_rust_error_each_fail_the_check(
) {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    copy_dir(&root().join("ui"), &ui);

    // Japanese lacks a key English has.
    let ja_path = ui.join("locales/ja.js");
    let mut ja = catalogue(&ja_path);
    ja.remove("common.cancel").unwrap();
    write_catalogue(&ja_path, &ja);
    // Spanish drops the {label} an error needs.
    let es_path = ui.join("locales/es.js");
    let mut es = catalogue(&es_path);
    es.insert("error.required".into(), Value::from("es obligatorio"));
    write_catalogue(&es_path, &es);
    // A view writes a sentence straight into the page.
    std::fs::write(
        ui.join("views/stray.js"),
        "// @ts-check\nimport { h } from '../dom.js';\n\
         export const stray = () => h('p', null, 'Nothing here yet.');\n\
         import { t } from '../i18n.js';\nexport const early = t('common.ok');\n",
    )
    .unwrap();

    // The Rust side makes an error the window cannot word, and words one
    // by a code no catalogue has.
    let rust = dir.path().join("src-tauri/src/services");
    std::fs::create_dir_all(&rust).unwrap();
    std::fs::write(
        rust.join("planted.rs"),
        "pub fn a() -> AppError {\n    AppError::business(\"no words\")\n}\n\
         pub fn b() -> AppError {\n    AppError::internal(\"x\").worded(\"nowhere_said\", json!({}))\n}\n",
    )
    .unwrap();

    let out = check(&ui);
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("src-tauri/src/services/planted.rs:2: AppError::business is not worded"),
        "{text}"
    );
    assert!(
        text.contains("planted.rs:5: error code \"nowhere_said\" is not \"error.nowhere_said\""),
        "{text}"
    );
    assert!(
        text.contains("locales/ja.js: lacks \"common.cancel\""),
        "{text}"
    );
    assert!(
        text.contains("locales/es.js: \"error.required\" has placeholders"),
        "{text}"
    );
    assert!(
        text.contains("views/stray.js:3: words outside the catalogue: \"Nothing here yet.\""),
        "{text}"
    );
    // Words looked up as the module loads, before the language is chosen.
    assert!(
        text.contains("views/stray.js:5: t() at the module's top level"),
        "{text}"
    );
}
