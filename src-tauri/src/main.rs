//! The `parley` binary: the desktop app, and `parley db ...` for scripts.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    parley::run();
}
