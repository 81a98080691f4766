//! One Parley per database: the lock that says "Parley is open here" and
//! the local socket through which a second launch brings the open window
//! forward instead of opening the database a second time.
//!
//! The key is the database file, so the data folder in normal use
//! (`<data folder>/parley.db`); `PARLEY_DB` or `--db` move the database and
//! the guard with it. Beside the file:
//! - `parley.db.lock`: an OS file lock (`flock` / `LockFileEx`) held for the
//!   app's life. The OS lets go of it when the process ends in any way, so
//!   `kill -9` never leaves a stale lock. It holds the process id, as text,
//!   for people and tests.
//! - a Unix domain socket, `parley.db.sock` beside the file, or
//!   `parley-<hash of the path>.sock` in the runtime (else temporary) folder
//!   when that path is too long for a socket (about 100 bytes). A launch
//!   that finds the lock taken writes `show` to it; the running app shows,
//!   unminimizes and focuses its window and answers `ok`.
//!
//! Nothing here opens the database or knows about Tauri: [`claim`] runs
//! before anything else, and the app hands the guard what "show the
//! window" means ([`Guard::on_show`]). Other systems than Unix get the lock
//! but no socket: a second launch there exits with a message.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What a second launch does to the running window.
type ShowFn = Box<dyn Fn() + Send + Sync>;

/// The lock of a database's folder, held while Parley is open on it.
pub struct Guard {
    lock: Option<File>,
    lock_path: PathBuf,
    socket: Option<PathBuf>,
    on_show: Arc<Mutex<Option<ShowFn>>>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("lock_path", &self.lock_path)
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}

/// The app's hold on its database, managed for its life and let go before
/// it starts itself again (after a restore).
pub struct Held(pub Mutex<Guard>);

impl Held {
    /// Lets go of the database now.
    pub fn release(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .release();
    }
}

/// The outcome of a launch's claim on a database.
#[derive(Debug)]
pub enum Claim {
    /// This process is the one Parley on the database.
    First(Guard),
    /// Another Parley has it; its window was asked to come forward (`true`)
    /// or could not be reached (`false`).
    Running { shown: bool },
}

/// The lock file of the database at `db_path`.
pub fn lock_path(db_path: &Path) -> PathBuf {
    with_suffix(db_path, ".lock")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The database path made absolute with its folder's real path, so every
/// spelling of one file gives one key. The folder is created if missing.
fn canonical(db_path: &Path) -> io::Result<PathBuf> {
    let name = db_path
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{} is not a file name", db_path.display())))?;
    let dir = match db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir.canonicalize()?.join(name))
}

/// How long a launch keeps trying to reach a Parley that holds the lock
/// (it may be starting, or ending) before giving up on it.
const REACH_WAIT: Duration = Duration::from_secs(5);

/// Claims the database at `db_path` for this process, or, when another
/// Parley holds it, asks that one to show its window.
pub fn claim(db_path: &Path) -> io::Result<Claim> {
    let db_path = canonical(db_path)?;
    let lock_path = lock_path(&db_path);
    let started = Instant::now();
    loop {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)?;
        match file.try_lock() {
            Ok(()) => return Guard::hold(file, lock_path, &db_path).map(Claim::First),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        drop(file);
        if ask_to_show(&db_path) {
            return Ok(Claim::Running { shown: true });
        }
        // The holder is starting (no socket yet) or ending (the lock soon
        // free): try both again for a while.
        if started.elapsed() > REACH_WAIT {
            return Ok(Claim::Running { shown: false });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Holds the database at `db_path` for a command-line command that writes
/// it, without a socket; `None` when Parley is open on it (the command
/// then refuses, in the words of [`refusal`]).
pub fn claim_for_command(db_path: &Path) -> io::Result<Option<Guard>> {
    let db_path = canonical(db_path)?;
    let lock_path = lock_path(&db_path);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Guard {
            lock: Some(file),
            lock_path,
            socket: None,
            on_show: Arc::default(),
        })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Whether a Parley is open on the database at `db_path` right now.
/// Takes nothing.
pub fn is_running(db_path: &Path) -> io::Result<bool> {
    let Ok(db_path) = canonical_if_exists(db_path) else {
        return Ok(false);
    };
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .open(lock_path(&db_path))
    else {
        return Ok(false);
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(false),
        Err(std::fs::TryLockError::WouldBlock) => Ok(true),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

fn canonical_if_exists(db_path: &Path) -> io::Result<PathBuf> {
    let dir = match db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    let name = db_path
        .file_name()
        .ok_or_else(|| io::Error::other("not a file name"))?;
    Ok(dir.canonicalize()?.join(name))
}

/// The words the command line says when it will not write because the app
/// is open on the database.
pub fn refusal(db_path: &Path) -> String {
    format!(
        "Parley is open on this data folder ({}): close Parley first, or do this in the window",
        db_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .display()
    )
}

impl Guard {
    fn hold(mut file: File, lock_path: PathBuf, db_path: &Path) -> io::Result<Guard> {
        // The process id, for people and tests; the lock is what counts.
        file.set_len(0)?;
        write!(file, "{}", std::process::id())?;
        let on_show: Arc<Mutex<Option<ShowFn>>> = Arc::default();
        let socket = listen(db_path, on_show.clone());
        Ok(Guard {
            lock: Some(file),
            lock_path,
            socket,
            on_show,
        })
    }

    /// What to do when a second launch asks for the window.
    pub fn on_show(&self, show: impl Fn() + Send + Sync + 'static) {
        *self.on_show.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(show));
    }

    /// Lets go of the database now (before the app starts itself again).
    pub fn release(&mut self) {
        if let Some(socket) = self.socket.take() {
            let _ = std::fs::remove_file(socket);
        }
        if let Some(file) = self.lock.take() {
            let _ = file.unlock();
        }
    }

    /// The lock file.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.release();
    }
}

/// Longest socket path the platforms take (108 bytes on Linux, 104 on
/// macOS, both with the closing NUL).
const SOCKET_PATH_MAX: usize = 100;

/// Where the socket of the database at `db_path` lives.
pub fn socket_path(db_path: &Path) -> PathBuf {
    let beside = with_suffix(db_path, ".sock");
    if beside.as_os_str().len() < SOCKET_PATH_MAX {
        return beside;
    }
    let hash = crc32fast::hash(db_path.as_os_str().as_encoded_bytes());
    let len = db_path.as_os_str().len();
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("parley-{hash:08x}-{len}.sock"))
}

#[cfg(unix)]
fn listen(db_path: &Path, on_show: Arc<Mutex<Option<ShowFn>>>) -> Option<PathBuf> {
    use std::os::unix::net::UnixListener;
    let path = socket_path(db_path);
    // A socket left by a Parley that was killed: the lock is ours, so
    // nobody is listening on it.
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "parley: a second launch cannot reach this window ({}: {e})",
                path.display()
            );
            return None;
        }
    };
    restrict(&path);
    let spawned = std::thread::Builder::new()
        .name("parley-instance".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &on_show);
            }
        });
    spawned.ok().map(|_| path)
}

#[cfg(not(unix))]
fn listen(_db_path: &Path, _on_show: Arc<Mutex<Option<ShowFn>>>) -> Option<PathBuf> {
    None
}

#[cfg(unix)]
fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

/// Reads one short request and answers it.
#[cfg(unix)]
fn answer(
    mut stream: std::os::unix::net::UnixStream,
    on_show: &Mutex<Option<ShowFn>>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buf = [0u8; 16];
    let n = stream.read(&mut buf)?;
    if buf[..n].trim_ascii() != b"show" {
        return stream.write_all(b"unknown\n");
    }
    match &*on_show.lock().unwrap_or_else(PoisonError::into_inner) {
        Some(show) => {
            show();
            stream.write_all(b"ok\n")
        }
        // Still starting: the window shows by itself when it opens.
        None => stream.write_all(b"starting\n"),
    }
}

/// Asks the Parley on `db_path` to show its window; whether it answered.
#[cfg(unix)]
fn ask_to_show(db_path: &Path) -> bool {
    use std::os::unix::net::UnixStream;
    let Ok(mut stream) = UnixStream::connect(socket_path(db_path)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"show\n").is_err() {
        return false;
    }
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    matches!(reply.trim(), "ok" | "starting")
}

#[cfg(not(unix))]
fn ask_to_show(_db_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_folder_gets_a_short_socket_path() {
        let short = Path::new("/tmp/p/parley.db");
        assert_eq!(socket_path(short), PathBuf::from("/tmp/p/parley.db.sock"));
        let long = PathBuf::from(format!("/tmp/{}/parley.db", "x".repeat(200)));
        let s = socket_path(&long);
        assert!(s.as_os_str().len() < SOCKET_PATH_MAX, "{}", s.display());
        assert_ne!(
            socket_path(&long),
            socket_path(&long.with_file_name("o.db"))
        );
    }

    #[test]
    fn a_second_claim_in_one_folder_finds_the_first_and_another_folder_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a/parley.db");
        let Claim::First(mut guard) = claim(&a).unwrap() else {
            panic!("the first claim wins");
        };
        let asked = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = asked.clone();
        guard.on_show(move || flag.store(true, std::sync::atomic::Ordering::SeqCst));
        assert!(is_running(&a).unwrap());
        assert!(matches!(claim(&a).unwrap(), Claim::Running { shown: true }));
        assert!(asked.load(std::sync::atomic::Ordering::SeqCst));
        let b = dir.path().join("b/parley.db");
        assert!(!is_running(&b).unwrap());
        assert!(matches!(claim(&b).unwrap(), Claim::First(_)));
        guard.release();
        assert!(!is_running(&a).unwrap());
        assert!(matches!(claim(&a).unwrap(), Claim::First(_)));
    }
}
