//! Parley: a local-first desktop app for AI character roleplay and chat.
//!
//! `run()` is the binary's whole `main`: with a command-line subcommand
//! (`parley db ...`) it runs that and exits; otherwise it opens the window
//! (`app`). Layers, one direction: `commands` -> `services` -> `repos` ->
//! SQLite; nothing below `commands` imports `tauri`. This file only
//! declares modules: nothing imports items from the crate root.

pub mod ai;
pub mod app;
pub mod backup_folder;
pub mod cards;
pub mod cli;
mod cli_prompt;
pub mod commands;
pub mod db;
pub mod error;
pub mod instance;
pub mod key_file;
pub mod local_models;
pub mod logging;
pub mod models;
pub mod paths;
pub mod redact;
pub mod repos;
pub mod secrets;
pub mod services;
pub mod state;
pub mod window;

/// Entry point of the `parley` binary.
pub fn run() {
    let args: Vec<String> = std::env::args().collect();
    if cli::is_cli(&args) {
        std::process::exit(cli::main(&args));
    }
    app::run();
}
