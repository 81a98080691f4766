//! The seam between the window and the Rust side: one list of command
//! names (`commands::names::COMMANDS`) that the capability grants and the
//! handler registers exactly, commands driven through Tauri's mock runtime
//! as the window calls them, and the JSON the window receives pinned by
//! snapshots (`tests/snapshots/`).

mod common;

use std::collections::BTreeSet;

use common::app::MockApp;
use parley::commands::names::COMMANDS;
use parley::error::AppError;
use serde_json::{json, Value};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn names() -> BTreeSet<String> {
    let set: BTreeSet<String> = COMMANDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(set.len(), COMMANDS.len(), "a name is listed twice");
    set
}

#[test]
fn the_capability_grants_exactly_the_listed_commands() {
    let text = std::fs::read_to_string(root().join("src-tauri/capabilities/default.json")).unwrap();
    let capability: Value = serde_json::from_str(&text).unwrap();
    // The app's own permissions have no `plugin:` prefix.
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(Value::as_str)
        .filter(|p| !p.contains(':'))
        .map(String::from)
        .collect();
    let wanted: BTreeSet<String> = names()
        .iter()
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .collect();
    let missing: Vec<_> = wanted.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&wanted).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "capabilities/default.json must grant exactly the commands in \
         commands/names.rs; not granted: {missing:?}; granted but not listed: {extra:?}"
    );
}

#[test]
fn the_handler_registers_exactly_the_listed_commands() {
    // What `all_commands!` names, read from its source...
    let text = std::fs::read_to_string(root().join("src-tauri/src/commands/mod.rs")).unwrap();
    let body = &text[text.find("macro_rules! all_commands").expect("the macro")..];
    let registered: BTreeSet<String> = body
        .lines()
        .filter_map(|l| l.trim().strip_prefix("$crate::commands::"))
        .filter_map(|l| l.trim_end_matches(',').rsplit("::").next())
        .map(String::from)
        .collect();
    assert_eq!(registered, names(), "all_commands! and COMMANDS differ");

    // ...and what the running handler answers: every listed name is known
    // (it may refuse the empty arguments, but not as an unknown command).
    let app = MockApp::new();
    for name in COMMANDS {
        if let Err(e) = app.invoke(name, json!({})) {
            assert_ne!(
                e,
                json!(format!("Command {name} not found")),
                "{name} is listed but not registered"
            );
        }
    }
    let unknown = app.invoke("no_such_command", json!({})).unwrap_err();
    assert_eq!(unknown, json!("Command no_such_command not found"));
}

#[test]
fn errors_reach_the_window_as_kind_message_and_details() {
    let errors = vec![
        AppError::validation("name", "the name is empty; give the character a name"),
        AppError::not_found("character", "0190b2a4-0000-7000-8000-000000000001"),
        AppError::conflict(
            "name",
            "a provider with that name exists; pick another name",
        ),
        AppError::business("only a deleted character can be purged; delete it first"),
        AppError::database("database_busy", "the database is busy; try again"),
        AppError::ExternalApi {
            provider: "OpenRouter".into(),
            status: Some(401),
            message:
                "the API key was rejected by OpenRouter (401); check it in Settings > Providers"
                    .into(),
            retry_after_secs: None,
            words: None,
        },
        AppError::Cancelled,
        AppError::internal("could not write the export: the disk is full"),
    ];
    insta::assert_json_snapshot!("app_error_kinds", errors);
}

#[test]
fn a_character_is_created_read_listed_and_deleted_through_ipc() {
    let app = MockApp::new();
    let created = app.ok(
        "character_create",
        json!({ "input": { "name": "Mira", "description": "A pilot." } }),
    );
    let id = created["id"].clone();
    assert_eq!(created["name"], "Mira");

    let got = app.ok("character_get", json!({ "id": id }));
    assert_eq!(got["description"], "A pilot.");

    let page = app.ok("character_list", json!({}));
    assert_eq!(page["items"][0]["id"], id);

    assert_eq!(app.ok("character_delete", json!({ "id": id })), Value::Null);
    let page = app.ok("character_list", json!({ "query": null }));
    assert_eq!(
        page["items"],
        json!([]),
        "a deleted character leaves the list"
    );
    let trash = app.ok(
        "character_list",
        json!({ "query": { "deleted": "deleted" } }),
    );
    assert_eq!(trash["items"][0]["id"], id, "{trash}");
}

#[test]
fn a_validation_error_reaches_the_window_naming_the_field() {
    let app = MockApp::new();
    let err = app
        .invoke("character_create", json!({ "input": { "name": "  " } }))
        .unwrap_err();
    insta::assert_json_snapshot!("character_create_without_a_name", err);

    let missing = app
        .invoke(
            "character_get",
            json!({ "id": "0190b2a4-0000-7000-8000-000000000001" }),
        )
        .unwrap_err();
    insta::assert_json_snapshot!("character_get_unknown_id", missing);
}

#[test]
fn list_pages_as_the_window_receives_them() {
    let app = MockApp::new();
    for (name, tags) in [("Mira", json!(["pilot"])), ("Old Tom", json!([]))] {
        app.ok(
            "character_create",
            json!({ "input": { "name": name, "creator": "tests", "tags": tags } }),
        );
    }
    let characters = app.ok(
        "character_list",
        json!({ "query": { "sort": "name", "direction": "asc", "limit": 1 } }),
    );
    insta::assert_json_snapshot!("character_list_page", characters, {
        ".items[].id" => "[id]",
        ".items[].createdAt" => "[timestamp]",
        ".items[].updatedAt" => "[timestamp]",
        ".nextCursor" => "[cursor]",
    });

    let mira = &app.ok("character_list", json!({ "query": { "search": "Mira" } }))["items"][0];
    let chat = app.ok(
        "chat_create",
        json!({ "input": { "title": "Night flight", "characterId": mira["id"] } }),
    );
    app.ok(
        "message_add",
        json!({ "chatId": chat["id"], "input": { "role": "user", "content": "Ready for take-off?" } }),
    );
    let chats = app.ok("chat_list", json!({}));
    insta::assert_json_snapshot!("chat_list_page", chats, {
        ".items[].id" => "[id]",
        ".items[].characterId" => "[id]",
        ".items[].createdAt" => "[timestamp]",
        ".items[].updatedAt" => "[timestamp]",
    });
}

#[test]
fn preferences_round_trip_through_ipc() {
    let app = MockApp::new();
    assert_eq!(
        app.ok("config_get", json!({ "key": "chat.enter_sends" })),
        json!(true)
    );
    app.ok(
        "config_set",
        json!({ "key": "chat.enter_sends", "value": false }),
    );
    assert_eq!(
        app.ok("config_get", json!({ "key": "chat.enter_sends" })),
        json!(false)
    );
    let err = app
        .invoke(
            "config_set",
            json!({ "key": "chat.enter_sends", "value": "yes" }),
        )
        .unwrap_err();
    assert_eq!(err["type"], "ValidationError", "{err}");
    assert_eq!(err["details"]["field"], "value", "{err}");
}
