//! The corrupt key file fault, in the real app: garbage in the data
//! folder's `keys.json`, the app started, the person told in the window,
//! the garbage kept byte for byte in a set-aside file, and no empty key
//! file put in its place; a key entered again lands in a new file.

mod common;

use common::window::*;

const GARBAGE: &[u8] = b"\x00\x01 this is not JSON {\"provider\": \xff\xfe";
const NEW_KEY: &str = "sk-entered-again-5c1d7a90";

#[tokio::test]
async fn a_corrupt_key_file_is_set_aside_and_the_person_is_told() {
    let _one = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().unwrap();
    let key_file = data.path().join("keys.json");
    std::fs::write(&key_file, GARBAGE).unwrap();

    let driver = Driver::start(data.path());
    let app = driver.open_app().await;
    click(&app, "#sidebar a.nav-link[href='#/providers']").await;
    wait_for_text(&app, "#key-notice", "could not read its key file").await;
    wait_for_text(&app, "#key-notice", "set aside as").await;
    wait_for_text(&app, "#key-notice", "enter your keys again").await;
    shot(&app, "key-file-set-aside").await;

    // The garbage is kept as it was; nothing took the key file's place.
    let aside: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("keys.json.unreadable-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "one set-aside file: {aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), GARBAGE);
    let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
    wait_for_text(&app, "#key-notice", &name).await;
    assert!(
        !key_file.exists(),
        "an empty key file replaced the unreadable one"
    );

    // Entering a key again writes a new key file; the old bytes stay aside.
    click(&app, "#new-provider").await;
    fill(&app, "#provider-form [name='name']", "Again").await;
    fill(&app, "#provider-form [name='apiKey']", NEW_KEY).await;
    // "Connect" would ask OpenRouter first; this machine is offline.
    click(&app, "#save-untested").await;
    wait_for_text(&app, "#view", "key stored").await;
    app.close().await.unwrap();
    drop(driver);
    assert!(std::fs::read_to_string(&key_file)
        .unwrap()
        .contains(NEW_KEY));
    assert_eq!(std::fs::read(&aside[0]).unwrap(), GARBAGE);
}
