//! Slipkeeper's use cases: what the desktop app and the `slipkeeper` CLI both do,
//! with one error type whose `code` the UI can branch on.
//!
//! ```
//! # fn main() -> Result<(), slipkeeper_app::AppError> {
//! use slipkeeper_app::{App, FixedClock};
//! let dir = tempfile::tempdir().unwrap();
//! let mut app = App::open(&dir.path().join("journal.db"), FixedClock::at("2026-11-22T03:00:00Z"))?;
//! app.seed_demo(10)?;
//! assert_eq!(app.search(&Default::default())?.total, 10);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod acquirers;
pub mod agent;
pub mod backups;
mod cases;
mod casework;
mod check;
mod clock;
pub mod contract;
mod desk;
mod error;
mod evidence;
mod files;
pub mod find;
pub mod forms;
pub mod head_office;
mod live;
pub mod logs;
mod printers;
mod reconcile;
mod reprint;
mod story;
mod support;
mod terminal;
pub mod watch;
pub mod window;
mod witness;
pub use live::{serial_ports, ConnectRequest, LinkSlot, LinkStatus, LiveMirror, PortInfo};
pub use printers::{Printers, RECEIPT_PORT};

pub use acquirers::{directory_note, Acquirer};
pub use agent::{SavedLink, ServiceClient, ServiceLink, ServiceStatus};
pub use backups::{BackupCopy, BackupPlan, BackupStatus};
pub use cases::{missing_profile_fields, CasePage, CaseSummary, CaseUpdate, CaseView, ContactPlan};
pub use casework::Lookup;
pub use check::Finding;
pub use clock::{clock_from_env, Clock, EnvClock, FixedClock, SystemClock, NOW_VAR};
pub use contract::{CopyChoice, FileFilter, Purpose, SlipRequest};
pub use desk::{AlertFix, DataFolder, Home, HomeAlert, SchemeTotal, SlipView};
pub use error::{AppError, ErrorCode};
pub use evidence::{verify_evidence, PackCheck, PackReport, MAX_ATTACHMENT};
pub use find::{Field, Found, Hit, StatementRow};
pub use forms::{JournalForm, SearchMode};
pub use reconcile::{ReconcileReport, StatementReport};
pub use reprint::{
    closest_vouchers, open_with_os, print_pdf_on_system_printer, EscposTarget, MAX_RANGE_SLIPS,
};
pub use slipkeeper_journal::{
    IngestReport, Page, Problem, ProblemKind, TxnDetail, TxnQuery, TxnRow, VerifyReport,
};
pub use slipkeeper_journal::{MerchantProfile, TerminalOverview, VERIFY_LIMITS};
pub use slipkeeper_slip::{Columns, Paper};
pub use story::StoryReport;
pub use support::BundleReport;
pub use terminal::{
    run_live_demo, start_demo_terminal, start_demo_terminal_on, ConnectOptions, DemoTerminal,
    MirrorEvent, MirrorProgress, TerminalCommand, TerminalReport, TotalsCheck,
};
pub use watch::{WatchStatus, WatchedImport};

use slipkeeper_domain::{sample, BatchNo, CopyType, TerminalId, TraceNo};
use slipkeeper_journal::{Journal, Record, RecordBody, SlipRecord};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the journal lives when no path is given: the platform's data directory
/// (e.g. `~/.local/share/slipkeeper/journal.db` on Linux).
pub fn default_db_path() -> Result<PathBuf, AppError> {
    directories::ProjectDirs::from("", "", "slipkeeper")
        .map(|d| d.data_dir().join("journal.db"))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Io,
                "cannot find a home directory for the journal; pass --db PATH",
            )
        })
}

/// An open journal plus the clock that stamps what is stored.
pub struct App {
    journal: Journal,
    clock: Arc<dyn Clock>,
    /// `check()` scans every voucher number; the home screen asks every few seconds.
    /// Kept with the record count it was computed at, and recomputed when it grows.
    /// Shared with a background check started by [`App::home_now`].
    findings: Arc<std::sync::Mutex<Option<(i64, check::Alerts)>>>,
    /// A background check is running.
    checking: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("journal", &self.journal)
            .finish()
    }
}

impl App {
    /// Opens the journal at `path`, creating its folder and the file if needed.
    pub fn open(path: &Path, clock: impl Clock + 'static) -> Result<App, AppError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| AppError::io(dir, e))?;
        }
        Ok(App {
            journal: Journal::open(path)?,
            clock: Arc::new(clock),
            findings: Default::default(),
            checking: Default::default(),
        })
    }

    /// Opens the journal at `path`, which must exist (a mistyped path is an error, not
    /// a new empty journal).
    pub fn open_existing(path: &Path, clock: impl Clock + 'static) -> Result<App, AppError> {
        Ok(App {
            journal: Journal::open_existing(path)?,
            clock: Arc::new(clock),
            findings: Default::default(),
            checking: Default::default(),
        })
    }

    /// Opens an existing journal for reading only: no write lock, works while a mirror
    /// writes and in a folder that cannot be written.
    pub fn open_read_only(path: &Path, clock: impl Clock + 'static) -> Result<App, AppError> {
        Ok(App {
            journal: Journal::open_read_only(path)?,
            clock: Arc::new(clock),
            findings: Default::default(),
            checking: Default::default(),
        })
    }

    /// The journal for writes the use cases here do not cover (tools, benchmarks).
    pub fn journal_mut(&mut self) -> &mut Journal {
        &mut self.journal
    }

    /// The journal, for reading what the use cases here do not cover.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// One page of transactions matching `q`.
    pub fn search(&self, q: &TxnQuery) -> Result<Page<TxnRow>, AppError> {
        Ok(self.journal.search(q)?)
    }

    /// The journal screen's form, read by [`JournalForm::query`] (errors name the field).
    pub fn search_form(&self, form: &JournalForm) -> Result<Found, AppError> {
        self.find(form)
    }

    /// Everything about one transaction: its batch, slips, related transactions, frames.
    pub fn detail(&self, id: i64) -> Result<TxnDetail, AppError> {
        Ok(self.journal.detail(id)?)
    }

    /// Every transaction with this voucher number, optionally narrowed to a terminal
    /// and batch (voucher numbers repeat across terminals and wrap at 999999).
    pub fn by_voucher(
        &self,
        voucher: &TraceNo,
        terminal: Option<&TerminalId>,
        batch: Option<&BatchNo>,
    ) -> Result<Vec<TxnDetail>, AppError> {
        let q = TxnQuery {
            voucher: Some(voucher.clone()),
            terminal: terminal.cloned(),
            batch: batch.cloned(),
            limit: 100,
            ..Default::default()
        };
        let page = self.journal.search(&q)?;
        if page.items.is_empty() {
            let mut what = format!("voucher {voucher}");
            if let Some(t) = terminal {
                what.push_str(&format!(" on terminal {t}"));
            }
            if let Some(b) = batch {
                what.push_str(&format!(" in batch {b}"));
            }
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("{what} is not in the journal"),
            ));
        }
        page.items.iter().map(|r| self.detail(r.id)).collect()
    }

    /// Checks the journal's hash chain, anchors and file (see `VERIFY_LIMITS`).
    pub fn verify(&self) -> Result<VerifyReport, AppError> {
        Ok(self.journal.verify()?)
    }

    /// Imports a JSON Lines file, all or nothing; the same records again are counted as
    /// duplicates, not stored twice.
    pub fn import(&mut self, file: &Path) -> Result<IngestReport, AppError> {
        let report = self.journal.import_file(file, self.clock.now())?;
        tracing::info!(file = %file.display(), inserted = report.inserted, duplicates = report.duplicates, "journal file imported");
        self.index_search()?;
        Ok(report)
    }

    /// Brings the free-text index up to date, in chunks (each its own transaction, so
    /// an interruption keeps what was done).
    pub fn index_search(&mut self) -> Result<u64, AppError> {
        let mut total = 0;
        loop {
            match self.journal.index_slips(50_000)? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// Writes every record as JSON Lines to `out`; returns how many.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64, AppError> {
        Ok(self.journal.export(out)?)
    }

    /// Exports into `file`, written under a temporary name and renamed when complete.
    pub fn export_to_file(&self, file: &Path) -> Result<u64, AppError> {
        let tmp = file.with_extension("partial");
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(&tmp).map_err(|e| AppError::io(&tmp, e))?,
        );
        let n = self.export(&mut w)?;
        w.into_inner()
            .map_err(|e| AppError::io(&tmp, e.into_error()))?
            .sync_all()
            .map_err(|e| AppError::io(&tmp, e))?;
        std::fs::rename(&tmp, file).map_err(|e| AppError::io(file, e))?;
        Ok(n)
    }

    /// Copies the journal to `dest`, safely while it is in use, with its anchors beside it.
    pub fn backup(&self, dest: &Path) -> Result<(), AppError> {
        self.not_the_journal(dest, "back up onto")?;
        Ok(self.journal.backup_to(dest)?)
    }

    /// Restores a backup; one that does not verify only with `anyway`.
    pub fn restore(&mut self, src: &Path, anyway: bool) -> Result<VerifyReport, AppError> {
        self.not_the_journal(src, "restore from")?;
        Ok(self.journal.restore_from(src, anyway)?)
    }

    /// A file picked in a dialog can be the journal itself (or its write-ahead log):
    /// a backup onto it would replace the live journal with a copy under its feet.
    fn not_the_journal(&self, path: &Path, what: &str) -> Result<(), AppError> {
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let journal = canon(self.journal.path());
        let picked = canon(path);
        let in_use = ["", "-wal", "-shm"].iter().any(|suffix| {
            let mut f = journal.clone().into_os_string();
            f.push(suffix);
            picked == Path::new(&f)
        });
        if in_use {
            return Err(AppError::new(
                ErrorCode::BadInput,
                format!(
                    "{} is the journal in use; choose another file to {what}",
                    path.display()
                ),
            ));
        }
        Ok(())
    }

    /// Fills the journal with `count` demo transactions and their slips (idempotent:
    /// the same records are generated every time).
    pub fn seed_demo(&mut self, count: u64) -> Result<IngestReport, AppError> {
        let mut report = IngestReport::default();
        let now = self.clock.now();
        for chunk_start in (0..count).step_by(10_000) {
            let end = (chunk_start + 10_000).min(count);
            report.merge(self.journal.ingest(&demo_records(chunk_start..end, now))?);
        }
        self.index_search()?;
        Ok(report)
    }
}

/// Demo records `range` (a transaction followed by its merchant slip), stamped `now`.
pub fn demo_records(
    range: std::ops::Range<u64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Record> {
    range
        .flat_map(|i| {
            let t = sample::transaction(i);
            let slip = sample::slip(&t, CopyType::Merchant);
            [
                Record {
                    body: RecordBody::Slip(SlipRecord { txn: t.key(), slip }),
                    recorded_at: now,
                },
                Record {
                    body: RecordBody::Transaction(t),
                    recorded_at: now,
                },
            ]
            .into_iter()
            .rev()
        })
        .collect()
}

/// Writes `count` demo records as JSON Lines. The storing time is fixed so that the
/// same count always gives the same bytes.
pub fn write_demo_jsonl(count: u64, w: &mut dyn Write) -> Result<u64, AppError> {
    let at = FixedClock::at("2026-01-01T00:00:00Z").now();
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    let mut n = 0;
    for start in (0..count).step_by(10_000) {
        for r in demo_records(start..(start + 10_000).min(count), at) {
            w.write_all(r.to_line().as_bytes()).map_err(io)?;
            w.write_all(b"\n").map_err(io)?;
            n += 1;
        }
    }
    w.flush().map_err(io)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(
            &dir.path().join("sub/dir/journal.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        (dir, app)
    }

    #[test]
    fn open_creates_the_folder_and_demo_seeding_is_idempotent() {
        let (_d, mut app) = app();
        assert_eq!(app.seed_demo(120).unwrap().inserted, 240);
        let again = app.seed_demo(120).unwrap();
        assert_eq!((again.inserted, again.duplicates), (0, 240));
        assert_eq!(app.search(&TxnQuery::default()).unwrap().total, 120);
    }

    #[test]
    fn by_voucher_narrows_and_says_what_is_missing() {
        let (_d, mut app) = app();
        app.seed_demo(40).unwrap();
        let v = TraceNo::new("7").unwrap();
        assert_eq!(
            app.by_voucher(&v, None, None).unwrap().len(),
            2,
            "both demo terminals have a voucher 000007"
        );
        let t = TerminalId::new("10000002").unwrap();
        let one = app.by_voucher(&v, Some(&t), None).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].row.txn.terminal_id, t);
        let b = BatchNo::new("9").unwrap();
        let e = app.by_voucher(&v, Some(&t), Some(&b)).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(
            e.message,
            "voucher 000007 on terminal 10000002 in batch 000009 is not in the journal"
        );
    }

    #[test]
    fn demo_jsonl_is_the_same_bytes_every_time() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        assert_eq!(write_demo_jsonl(25, &mut a).unwrap(), 50);
        write_demo_jsonl(25, &mut b).unwrap();
        assert_eq!(a, b);
    }
}
