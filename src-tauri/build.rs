//! Build script: embeds the migrations' change stamps and declares the app's
//! commands so capabilities can grant each one by name.

// The command names: `COMMANDS`, shared with the app and its tests.
include!("src/commands/names.rs");

fn main() {
    // A new migration file must rebuild the binary that embeds it.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/src/commands/names.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            // The capabilities live beside the Rust sources, not at the root.
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
