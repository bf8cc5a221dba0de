//! What every subcommand runs with: the journal's path, opened the way the command
//! needs it; the output form; head office's address when one was given.

use crate::output::Out;
use slipkeeper_app::{clock_from_env, App, AppError};
use std::path::PathBuf;
use std::process::ExitCode;

/// What a subcommand's `run` returns: its exit code, or the error `main` reports.
pub type Done = Result<ExitCode, AppError>;

/// A subcommand that did what it was asked.
pub fn done() -> Done {
    Ok(ExitCode::SUCCESS)
}

pub struct Ctx {
    /// The journal file (`--db`, or the platform's data folder).
    pub db: PathBuf,
    pub out: Out,
    hq: Option<String>,
}

impl Ctx {
    pub fn new(db: PathBuf, out: Out, hq: Option<String>) -> Ctx {
        Ctx { db, out, hq }
    }

    /// Head office's address (`--hq` or SLIPKEEPER_HQ), when given.
    pub fn hq(&self) -> Option<&str> {
        self.hq.as_deref()
    }

    /// The journal, made when missing: only for the commands that may start one
    /// (`Command::starts_journal`).
    pub fn start_journal(&self) -> Result<App, AppError> {
        App::open(&self.db, clock_from_env()?)
    }

    /// The journal, which must exist: a mistyped --db is an error, not a new empty
    /// journal.
    pub fn journal(&self) -> Result<App, AppError> {
        App::open_existing(&self.db, clock_from_env()?)
    }

    /// The journal for reading only: no write lock is taken, so reading commands run
    /// beside a mirror and on a journal in a read-only folder.
    pub fn reading(&self) -> Result<App, AppError> {
        App::open_read_only(&self.db, clock_from_env()?)
    }
}
