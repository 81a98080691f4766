//! Build script: embeds the migrations' change stamps and declares the app's
//! commands so capabilities can grant each one by name.

fn main() {
    // A new migration file must rebuild the binary that embeds it.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            // The capabilities live beside the Rust sources, not at the root.
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(parley_commands())),
    )
    .expect("failed to run tauri-build");
}

/// Every `#[tauri::command]` the app registers. Keep in step with
/// `src-tauri/src/commands/mod.rs` and `src-tauri/capabilities/default.json`.
fn parley_commands() -> &'static [&'static str] {
    &[
        "import_file",
        "import_paths",
        "export_character",
        "export_chat",
        "character_thumbnails",
        "message_page_after",
        "message_page_around",
        "search",
        "app_info",
        "character_list",
        "character_get",
        "character_create",
        "character_update",
        "character_delete",
        "character_restore",
        "character_purge",
        "user_profile_list",
        "user_profile_get",
        "user_profile_create",
        "user_profile_update",
        "user_profile_delete",
        "user_profile_restore",
        "user_profile_purge",
        "provider_list",
        "provider_get",
        "provider_create",
        "provider_update",
        "provider_delete",
        "ai_model_list",
        "ai_model_get",
        "ai_model_create",
        "ai_model_update",
        "ai_model_delete",
        "system_prompt_list",
        "system_prompt_get",
        "system_prompt_create",
        "system_prompt_update",
        "system_prompt_delete",
        "system_prompt_restore",
        "system_prompt_purge",
        "chat_list",
        "chat_get",
        "chat_create",
        "chat_update",
        "chat_delete",
        "chat_restore",
        "chat_purge",
        "message_page",
        "message_add",
        "message_update",
        "message_delete",
        "settings_get",
        "settings_update",
        "provider_models",
        "chat_send",
        "chat_stop",
        "chat_delta_shown",
        "chat_regenerate",
        "chat_continue",
        "chat_attach",
        "chat_prompt_preview",
        "message_swipe",
        "markdown_render",
    ]
}
