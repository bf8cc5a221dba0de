//! The log: `tracing` events from the link, the mirror, the proxy, journal writes and
//! the desktop's commands, written to a file beside the journal that rolls over daily
//! and keeps a week. Every line goes through the card-number masker on its way to
//! disk: whatever a frame, a file or an error message carried, no full card number
//! reaches the log.

use crate::{AppError, ErrorCode};
use std::io::Write;
use std::path::{Path, PathBuf};
use tracing_subscriber::fmt::MakeWriter;

/// Days of log kept.
pub const KEEP_DAYS: usize = 7;
/// The variable that sets the level ("info" when unset): error, warn, info, debug, trace.
pub const LEVEL_VAR: &str = "SLIPKEEPER_LOG";

/// The log folder for the journal at `journal`: `logs/` beside it.
pub fn log_dir(journal: &Path) -> PathBuf {
    journal
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join("logs")
}

/// The levels Settings offers, least to most said.
pub const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

fn level_file(journal: &Path) -> PathBuf {
    log_dir(journal).join("level")
}

/// The level chosen in Settings ("info" until one is).
pub fn level(journal: &Path) -> String {
    std::fs::read_to_string(level_file(journal))
        .ok()
        .map(|l| l.trim().to_owned())
        .filter(|l| LEVELS.contains(&l.as_str()))
        .unwrap_or_else(|| "info".to_owned())
}

/// How much the logs keep, from errors only to everything.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// What the service does, and the above (the default).
    Info,
    /// Detail for a support person.
    Debug,
    /// Everything the code traces.
    Trace,
}

impl LogLevel {
    /// The level's name in settings and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// Keeps `level` for the processes that start from now on (the service after its
/// next start, the window after it opens again).
pub fn set_level(journal: &Path, level: LogLevel) -> Result<(), AppError> {
    let dir = log_dir(journal);
    std::fs::create_dir_all(&dir).map_err(|e| AppError::io(&dir, e))?;
    let f = level_file(journal);
    std::fs::write(&f, level.as_str()).map_err(|e| AppError::io(&f, e))
}

/// Keeps the log writer's background thread alive; drop it last (it flushes).
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogGuard")
    }
}

/// A writer that masks card numbers in what passes through it.
struct Masking<W>(W);

impl<W: Write> Write for Masking<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut line = buf.to_vec();
        slipkeeper_domain::mask_pans_in_bytes(&mut line);
        self.0.write_all(&line)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[derive(Clone)]
struct MaskingMake<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for MaskingMake<M> {
    type Writer = Masking<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Masking(self.0.make_writer())
    }
}

/// Starts logging into `log_dir(journal)` for this process (`who` names the file:
/// "service", "desktop", "cli"). The level comes from `SLIPKEEPER_LOG` or `level`.
/// Fails if the folder cannot be written; the caller says so and runs on.
pub fn start_logging(journal: &Path, who: &str, level: &str) -> Result<LogGuard, AppError> {
    let dir = log_dir(journal);
    std::fs::create_dir_all(&dir).map_err(|e| AppError::io(&dir, e))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(format!("slipkeeper-{who}"))
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .build(&dir)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", dir.display())))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    // The variable wins, then the level chosen in Settings, then the caller's.
    let chosen = std::fs::read_to_string(level_file(journal))
        .ok()
        .map(|l| l.trim().to_owned())
        .filter(|l| LEVELS.contains(&l.as_str()));
    let level = std::env::var(LEVEL_VAR)
        .ok()
        .or(chosen)
        .unwrap_or_else(|| level.to_owned());
    let filter = tracing_subscriber::EnvFilter::try_new(format!(
        "{level},slipkeeper_app={level},slipkeeper_link={level},slipkeeper_journal={level}"
    ))
    .map_err(|e| AppError::new(ErrorCode::BadInput, format!("log level {level:?}: {e}")))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(MaskingMake(writer))
        .try_init()
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("logging: {e}")))?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), who, "log started");
    Ok(LogGuard(guard))
}

/// The log files, newest last.
pub fn log_files(journal: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(log_dir(journal))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "log"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_number_in_a_line_is_masked_on_its_way_to_disk() {
        let mut out = Vec::new();
        Masking(&mut out)
            .write_all(b"frame 6225880212345673 stored\n")
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "frame 622588******5673 stored\n"
        );
    }

    #[test]
    fn the_level_chosen_is_kept_and_only_a_level_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.db");
        assert_eq!(level(&journal), "info");
        set_level(&journal, LogLevel::Debug).unwrap();
        assert_eq!(level(&journal), "debug");
        let l: LogLevel = serde_json::from_str("\"warn\"").unwrap();
        assert_eq!(l.as_str(), "warn");
        assert!(serde_json::from_str::<LogLevel>("\"loud\"").is_err());
    }
}
