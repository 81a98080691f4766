//! The installed app (issue 17): the test build's `parley` is bundled as a
//! `.deb` by Tauri's bundler (`tauri bundle --debug`, so nothing is built
//! twice), installed with dpkg, started under Xvfb from its desktop entry's
//! own command, and its window seen and closed as a person closes it; then
//! the package is removed, and the person's data folder (its database and a
//! file of theirs) is checked untouched.
//!
//! Installing needs root (CI runs as root) or password-less sudo. Built only
//! with `--features e2e` (it needs the X display `make test` gives).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// `sudo -n` unless this process is root already.
fn as_root(program: &str, args: &[&str]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let mut c = Command::new(program);
        c.args(args);
        c
    } else {
        let mut c = Command::new("sudo");
        c.arg("-n").arg(program).args(args);
        c
    }
}

fn run(mut c: Command, what: &str) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn target_dir() -> PathBuf {
    // The test binary is <target>/debug/deps/package-<hash>.
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn digest(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                format!("{:x}", Sha256::digest(&bytes)),
            )
        })
        .collect();
    out.sort();
    out
}

fn installed() -> bool {
    Command::new("dpkg")
        .args(["-s", "parley"])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).contains("Status: install ok installed")
        })
}

#[tokio::test]
async fn the_deb_installs_starts_from_its_desktop_entry_and_uninstalls_leaving_the_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The binary the tests were built with, bundled as it is.
    assert!(
        target_dir().join("debug/parley").exists(),
        "the test build's parley"
    );
    // The bundler writes into the binary it packs; an app another test left
    // running keeps the original busy, so it packs a copy in a target dir
    // of its own.
    let staging = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(staging.path().join("debug")).unwrap();
    std::fs::copy(
        target_dir().join("debug/parley"),
        staging.path().join("debug/parley"),
    )
    .unwrap();
    let mut bundle = Command::new("npx");
    bundle
        .current_dir(root)
        .args([
            "--no-install",
            "tauri",
            "bundle",
            "--debug",
            "--bundles",
            "deb",
        ])
        .env("CARGO_TARGET_DIR", staging.path());
    run(bundle, "tauri bundle --debug --bundles deb");
    let deb_dir = staging.path().join("debug/bundle/deb");
    let deb = std::fs::read_dir(&deb_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .expect("a .deb in the bundle folder");
    let info = run(
        {
            let mut c = Command::new("dpkg-deb");
            c.arg("--info").arg(&deb);
            c
        },
        "dpkg-deb --info",
    );
    assert!(info.contains("Package: parley"), "{info}");
    assert!(
        info.contains("libwebkit2gtk-4.1-0"),
        "it names WebKitGTK: {info}"
    );

    // The person's data, before: a database made by Parley and a note.
    let data = tempfile::tempdir().unwrap();
    let (pool, _) = parley::db::open(&data.path().join("parley.db"))
        .await
        .unwrap();
    pool.close().await;
    std::fs::write(data.path().join("my-notes.txt"), "keep me").unwrap();

    if installed() {
        run(
            as_root("dpkg", &["-r", "parley"]),
            "removing an earlier install",
        );
    }
    run(
        as_root("dpkg", &["-i", &deb.display().to_string()]),
        "dpkg -i",
    );
    let result = std::panic::AssertUnwindSafe(check_installed(data.path()));
    let outcome = futures_util::FutureExt::catch_unwind(result).await;
    // What the app left when it quit, as the person's data now is.
    let before = digest(data.path());
    run(as_root("dpkg", &["-r", "parley"]), "dpkg -r parley");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    assert!(!installed(), "the package is gone");
    assert!(!Path::new("/usr/bin/parley").exists(), "its binary is gone");
    assert_eq!(digest(data.path()), before, "the data folder is untouched");
    assert!(before.iter().any(|(name, _)| name == "parley.db"));
    assert!(before.iter().any(|(name, _)| name == "my-notes.txt"));
}

/// The installed entry, icons and binary; the app started from the entry's
/// command shows its window and closes with it.
async fn check_installed(data: &Path) {
    let entry =
        std::fs::read_to_string("/usr/share/applications/Parley.desktop").expect("a desktop entry");
    assert!(entry.contains("Name=Parley"), "{entry}");
    assert!(entry.contains("Icon=parley"), "{entry}");
    for size in ["32x32", "128x128", "256x256", "512x512"] {
        let icon = format!("/usr/share/icons/hicolor/{size}/apps/parley.png");
        assert!(Path::new(&icon).exists(), "{icon}");
    }
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let mut child = Command::new(&exec)
        .env("PARLEY_DATA_DIR", data)
        .env_remove("PARLEY_DB")
        .spawn()
        .unwrap_or_else(|e| panic!("start {exec}: {e}"));
    let started = Instant::now();
    // Seen: a shown top-level window of that process; closing it as a
    // window manager does ends the app.
    while common::x11_close::close_windows_of(child.id()) == 0 {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the installed parley ended without a window: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no window from the installed parley"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "it quit cleanly: {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the installed parley did not close with its window");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
