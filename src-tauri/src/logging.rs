//! Tracing setup: readable lines on stderr while developing, JSON lines in
//! a daily file under the app's log folder in release builds.
//!
//! Secrets never reach a log line: they travel as `secrets::Secret`, whose
//! `Debug` is redacted, no code logs request bodies or headers, and every
//! line passes through `crate::redact` on its way out ([`Redacting`]), so
//! key-shaped text that slipped into a message or a field is replaced.

use std::io::Write;
use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, to stderr.
    Pretty,
    /// JSON lines, to `<dir>/parley.log.<date>`.
    JsonFile,
}

impl LogFormat {
    /// JSON file in release builds, pretty in debug; `PARLEY_LOG_FORMAT=json`
    /// or `pretty` overrides.
    pub fn from_env() -> Self {
        match std::env::var("PARLEY_LOG_FORMAT").as_deref() {
            Ok("json") => Self::JsonFile,
            Ok("pretty") => Self::Pretty,
            _ if cfg!(debug_assertions) => Self::Pretty,
            _ => Self::JsonFile,
        }
    }
}

/// Installs the global subscriber. Keep the guard alive for the app's life:
/// dropping it flushes and stops the file writer. The level comes from
/// `RUST_LOG` (default `info` for Parley, `warn` for libraries).
pub fn init(format: LogFormat, log_dir: &Path) -> Option<WorkerGuard> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,parley=info"));
    match format {
        LogFormat::Pretty => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(
                    fmt::layer()
                        .with_writer(Redacting(std::io::stderr))
                        .with_target(false),
                )
                .try_init();
            None
        }
        LogFormat::JsonFile => {
            if let Err(e) = std::fs::create_dir_all(log_dir) {
                eprintln!(
                    "parley: cannot create log folder {}: {e}",
                    log_dir.display()
                );
            }
            let appender = tracing_appender::rolling::daily(log_dir, "parley.log");
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(
                    fmt::layer()
                        .json()
                        .with_current_span(true)
                        .with_span_list(false)
                        .with_writer(Redacting(writer)),
                )
                .try_init();
            Some(guard)
        }
    }
}

/// Writers whose every line is redacted before it is written. The fmt layer
/// writes one whole event per `write_all`, so a line is never split across
/// two redactions.
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(crate::redact::redact(&text, None).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
