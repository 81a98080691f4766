//! The command line and the window keep their files in the same places:
//! `parley::paths` (which both use) gives what Tauri's own path resolver
//! gives the app for the identifier in `tauri.conf.json`.

use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::Manager;

#[test]
fn the_command_line_and_the_app_agree_on_the_folders() {
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        conf["identifier"],
        parley::paths::APP_IDENTIFIER,
        "tauri.conf.json's identifier names the data folder"
    );
    assert!(
        conf["app"].get("appDirectoriesOverride").is_none(),
        "the folders are moved in tauri.conf.json: teach parley::paths the same"
    );

    let mut context = mock_context(noop_assets());
    context.config_mut().identifier = parley::paths::APP_IDENTIFIER.into();
    let app = mock_builder().build(context).unwrap();
    let tauri_paths = app.path();
    if parley::paths::data_dir_override().is_some() {
        // Moved for this run: both follow the variable, which the app
        // checks first (`app::run`).
        let dir = parley::paths::data_dir().unwrap();
        assert_eq!(parley::paths::log_dir().unwrap(), dir.join("logs"));
        return;
    }
    assert_eq!(
        parley::paths::data_dir().unwrap(),
        tauri_paths.app_data_dir().unwrap()
    );
    assert_eq!(
        parley::paths::log_dir().unwrap(),
        tauri_paths.app_log_dir().unwrap()
    );
    assert_eq!(
        parley::paths::db_path().unwrap(),
        parley::db::resolve_path(&tauri_paths.app_data_dir().unwrap()),
        "the command line opens the database the app opens"
    );
}
