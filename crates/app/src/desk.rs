//! What the desktop screens ask for that the CLI prints in its own way: the home
//! summary, slips as data for the in-app preview, and where saved files go.

use crate::check::Finding;
use crate::{App, AppError, CaseSummary, ErrorCode};
use chrono::{NaiveDateTime, NaiveTime, TimeDelta};
use serde::Serialize;
use slipkeeper_domain::{CopyType, Outcome, SlipOrigin, TxnKind};
use slipkeeper_journal::TxnQuery;
use slipkeeper_slip::Slip;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Today's total of one card scheme.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct SchemeTotal {
    /// The scheme, as the journal names it.
    pub scheme: String,
    /// Approved payments.
    pub count: u64,
    /// Their sum, minor units.
    pub minor: i64,
}

/// The home screen.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct Home {
    /// The shop's today.
    pub today: chrono::NaiveDate,
    /// Approved payments today.
    pub today_count: u64,
    /// Their sum, minor units.
    pub today_minor: i64,
    /// Today's totals by card scheme.
    pub by_scheme: Vec<SchemeTotal>,
    /// Transactions in the journal.
    pub journal_total: u64,
    /// When the newest happened.
    pub last_transaction_at: Option<NaiveDateTime>,
    /// Gaps, totals mismatches, backups and statements overdue: each a sentence and
    /// where to deal with it.
    pub alerts: Vec<HomeAlert>,
    /// Transactions whose outcome the terminal never reported.
    pub unknown_outcomes: u64,
    /// Open cases due within the week, or overdue.
    pub cases_due: Vec<CaseSummary>,
    /// The journal-wide checks are still running (alerts follow on a later call).
    pub checking: bool,
    /// When the alerts were last worked out ("last checked 04:31: all in order").
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The automatic backups: the last one, and whether one is overdue.
    pub backup: crate::BackupStatus,
    /// The newest day an imported statement of the acquirer speaks of.
    pub latest_statement: Option<chrono::NaiveDate>,
    /// The folder statements are imported from as they appear, when one is watched.
    pub watch: crate::WatchStatus,
}

/// One alert on Home, with the screen where the owner deals with it.
#[derive(ts_rs::TS, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HomeAlert {
    /// The alert in both languages.
    pub text: slipkeeper_domain::Text,
    /// The screen that deals with it.
    pub fix: AlertFix,
}

/// Where an alert is dealt with.
#[derive(ts_rs::TS, Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AlertFix {
    /// The terminal link: its totals, fetched afresh on connecting.
    Connect,
    /// The acquirer's statement fills what the journal missed and settles totals.
    Reconcile,
    /// Backups and the statements folder are set there.
    Settings,
}

impl HomeAlert {
    fn new(text: slipkeeper_domain::Text, fix: AlertFix) -> HomeAlert {
        HomeAlert { text, fix }
    }
}

impl Finding {
    /// Where the owner deals with the finding: a gap or a settled batch that
    /// disagrees is answered by the acquirer's statement; an open batch that
    /// disagrees by the terminal's own totals, asked again on the Connect screen.
    fn fix(&self) -> AlertFix {
        match self {
            Finding::Gap { .. } | Finding::TotalsMismatch { .. } => AlertFix::Reconcile,
            Finding::OpenBatchMismatch { .. } => AlertFix::Connect,
        }
    }
}

/// Settings → data folder.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct DataFolder {
    /// The journal file.
    pub journal: PathBuf,
    /// The folder it is in (backups default here).
    pub folder: PathBuf,
    /// Where reprints and evidence packs are saved.
    pub exports: PathBuf,
    /// The journal file and its write-ahead log, in bytes.
    pub size_bytes: u64,
    /// Where the logs are (Settings opens it).
    pub logs: PathBuf,
    /// The level the logs are kept at.
    pub log_level: String,
}

/// A slip for the in-app preview.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct SlipView {
    /// Merchant's or cardholder's copy.
    pub copy: CopyType,
    /// Who wrote the text.
    pub origin: SlipOrigin,
    /// The lines, marked 重打印 REPRINT.
    pub lines: Vec<String>,
}

impl From<&Slip> for SlipView {
    fn from(s: &Slip) -> Self {
        SlipView {
            copy: s.copy,
            origin: s.origin,
            lines: s.lines.iter().map(|l| l.text.clone()).collect(),
        }
    }
}

impl App {
    /// Where the desktop app saves reprints and evidence packs: `exports/` beside the
    /// journal.
    pub fn exports_dir(&self) -> Result<PathBuf, AppError> {
        let dir = self.folder().join("exports");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::io(&dir, e))?;
        Ok(dir)
    }

    /// The folder the journal is in; everything the app saves goes in or under it.
    pub(crate) fn folder(&self) -> PathBuf {
        match self.journal.path().parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// The terminals the journal knows, for the Journal screen's filter and Settings.
    pub fn terminal_overview(&self) -> Result<Vec<slipkeeper_journal::TerminalOverview>, AppError> {
        Ok(self.journal.terminal_overview()?)
    }

    /// Where the journal lives, for Settings ("data folder") and for backups.
    pub fn data_folder(&self) -> Result<DataFolder, AppError> {
        let journal = self.journal.path().to_path_buf();
        let size_bytes = ["", "-wal"]
            .iter()
            .filter_map(|s| {
                let mut p = journal.clone().into_os_string();
                p.push(s);
                std::fs::metadata(p).ok()
            })
            .map(|m| m.len())
            .sum();
        Ok(DataFolder {
            logs: crate::logs::log_dir(&journal),
            log_level: crate::logs::level(&journal),
            exports: self.exports_dir()?,
            journal,
            folder: self.folder(),
            size_bytes,
        })
    }

    /// `path` if the desktop app may hand it to the OS to open: the data folder, a
    /// folder inside it, or a file inside it of a type Slipkeeper writes (PDF reprints,
    /// ZIP evidence packs, CSV and JSON Lines exports). The window must not be able to
    /// make the OS open or run anything else — a script dropped into the data folder
    /// included.
    pub fn openable(&self, path: &Path) -> Result<PathBuf, AppError> {
        let folder = self.folder();
        let inside = |p: &Path| -> Option<PathBuf> {
            let p = p.canonicalize().ok()?;
            let root = folder.canonicalize().ok()?;
            let ours = p.is_dir()
                || (p.is_file()
                    && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        ["pdf", "zip", "csv", "jsonl"]
                            .iter()
                            .any(|x| e.eq_ignore_ascii_case(x))
                    }));
            (p.starts_with(&root) && ours).then_some(p)
        };
        inside(path).ok_or_else(|| {
            AppError::new(
                ErrorCode::BadInput,
                format!(
                    "{} is not a file Slipkeeper made (only files in {} are opened from the app)",
                    path.display(),
                    folder.display()
                ),
            )
        })
    }

    /// The home screen, with the journal-wide checks run now (waits for them).
    pub fn home(&self) -> Result<Home, AppError> {
        let alerts = self.alerts()?;
        self.home_with(alerts, false)
    }

    /// [`App::home`] without waiting for the journal-wide checks (seconds on a large
    /// journal, on a cold disk): their last result while a fresh one is computed on a
    /// second connection in the background, or none yet with `checking` set.
    pub fn home_now(&self) -> Result<Home, AppError> {
        let stored = self.journal.records_stored()?;
        let cached = self.findings.lock().ok().and_then(|c| c.clone());
        let fresh = cached.as_ref().is_some_and(|(at, _)| *at == stored);
        if !fresh
            && !self
                .checking
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let (path, clock) = (self.journal.path().to_owned(), self.clock.clone());
            let (findings, checking) = (self.findings.clone(), self.checking.clone());
            std::thread::spawn(move || {
                match slipkeeper_journal::Journal::open(&path) {
                    Err(e) => tracing::warn!(error = %e, "journal check: cannot open the journal"),
                    Ok(journal) => {
                        // One pass over the journal: a small cache reads it just as fast.
                        if let Err(e) = journal.limit_cache(4) {
                            tracing::debug!(error = %e, "journal check: cache not limited");
                        }
                        let bg = App {
                            journal,
                            clock,
                            findings,
                            checking: checking.clone(),
                        };
                        // A failed check shows as no alerts; the next call tries again.
                        if let Err(e) = bg.alerts() {
                            tracing::warn!(error = %e.message, "journal check failed");
                        }
                    }
                }
                checking.store(false, std::sync::atomic::Ordering::SeqCst);
            });
        }
        // "Checking the journal…" only while there is nothing to show yet: a journal a
        // terminal keeps adding to is never "fresh", and an older answer shown while
        // the next check runs is no reason to say so (it would never go away).
        let checking = cached.is_none() && self.checking.load(std::sync::atomic::Ordering::SeqCst);
        let alerts = cached.map(|(_, a)| a).unwrap_or_default();
        self.home_with(alerts, checking)
    }

    fn home_with(&self, alerts: crate::check::Alerts, checking: bool) -> Result<Home, AppError> {
        let today = self.clock.local_now().date();
        let start = today.and_time(NaiveTime::MIN);
        let mut q = TxnQuery {
            from: Some(start),
            to: Some(start + TimeDelta::days(1)),
            limit: slipkeeper_journal::MAX_PAGE,
            ..Default::default()
        };
        let mut by: BTreeMap<String, (u64, i64)> = BTreeMap::new();
        let (mut count, mut minor) = (0u64, 0i64);
        loop {
            let page = self.journal.search(&q)?;
            for r in &page.items {
                let t = &r.txn;
                if t.outcome != Outcome::Approved
                    || !matches!(
                        t.kind,
                        TxnKind::Sale | TxnKind::Refund | TxnKind::PreAuthCompletion
                    )
                {
                    continue;
                }
                let signed = if t.kind == TxnKind::Refund {
                    -t.amount.minor()
                } else {
                    t.amount.minor()
                };
                let e = by
                    .entry(
                        t.scheme
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_else(|| "other".into()),
                    )
                    .or_default();
                e.0 += 1;
                e.1 += signed;
                count += 1;
                minor += signed;
            }
            if page.items.len() < q.limit as usize {
                break;
            }
            q.offset += q.limit;
        }
        // A backup that cannot be read is itself worth an alert, not a broken Home.
        let backup = self.backups().unwrap_or_else(|e| crate::BackupStatus {
            last_error: Some(e.message),
            ..Default::default()
        });
        let watch = self.watch_status().unwrap_or_else(|e| crate::WatchStatus {
            last_error: Some(e.message),
            ..Default::default()
        });
        let latest_statement = self.latest_statement_day()?;
        Ok(Home {
            today,
            today_count: count,
            today_minor: minor,
            by_scheme: by
                .into_iter()
                .map(|(scheme, (count, minor))| SchemeTotal {
                    scheme,
                    count,
                    minor,
                })
                .collect(),
            journal_total: self.journal.transactions_stored()?,
            last_transaction_at: self.journal.newest_transaction_at()?,
            alerts: {
                let mut v: Vec<HomeAlert> = alerts
                    .findings
                    .iter()
                    .map(|f| HomeAlert::new(f.text(), f.fix()))
                    .collect();
                if let Some(a) = backup_alert(&backup) {
                    v.push(HomeAlert::new(a, AlertFix::Settings));
                }
                if let Some(a) = crate::watch::statement_alert(&watch, latest_statement, today) {
                    // A file the folder could not read is fixed by downloading it again
                    // into the folder; a missing day by importing it.
                    let fix = if watch.last_error.is_some() {
                        AlertFix::Settings
                    } else {
                        AlertFix::Reconcile
                    };
                    v.push(HomeAlert::new(a, fix));
                }
                v
            },
            unknown_outcomes: alerts.unknown_outcomes,
            cases_due: self.cases_due(7)?,
            checking,
            checked_at: alerts.checked_at,
            backup,
            latest_statement,
            watch,
        })
    }

    /// Slips of a voucher as the preview shows them.
    pub fn reprint_preview(
        &self,
        voucher: &slipkeeper_domain::TraceNo,
        terminal: Option<&slipkeeper_domain::TerminalId>,
        batch: Option<&slipkeeper_domain::BatchNo>,
        copies: &[CopyType],
    ) -> Result<Vec<SlipView>, AppError> {
        Ok(self
            .reprint(voucher, terminal, batch, copies)?
            .iter()
            .map(SlipView::from)
            .collect())
    }

    /// The PDF a reprint would save, for the window to show before anything is saved
    /// or printed: the same bytes [`App::reprint_to_exports`] writes.
    pub fn reprint_pdf_preview(
        &self,
        voucher: &slipkeeper_domain::TraceNo,
        terminal: Option<&slipkeeper_domain::TerminalId>,
        batch: Option<&slipkeeper_domain::BatchNo>,
        copies: &[CopyType],
        paper: slipkeeper_slip::Paper,
    ) -> Result<Vec<u8>, AppError> {
        crate::reprint::pdf_bytes(&self.reprint(voucher, terminal, batch, copies)?, paper)
    }

    /// Saves the reprint of a voucher as a PDF in the exports folder and returns its path.
    pub fn reprint_to_exports(
        &self,
        voucher: &slipkeeper_domain::TraceNo,
        terminal: Option<&slipkeeper_domain::TerminalId>,
        batch: Option<&slipkeeper_domain::BatchNo>,
        copies: &[CopyType],
        paper: slipkeeper_slip::Paper,
    ) -> Result<PathBuf, AppError> {
        let slips = self.reprint(voucher, terminal, batch, copies)?;
        let t = terminal.map(|t| t.as_str()).unwrap_or("any");
        let path = self.exports_dir()?.join(format!(
            "reprint-{t}-{voucher}-{}.pdf",
            self.clock.local_now().format("%Y%m%d-%H%M%S")
        ));
        self.save_pdf(&slips, paper, &path)?;
        Ok(path)
    }

    /// Builds the evidence pack of a case in the exports folder.
    pub fn evidence_to_exports(&mut self, case_id: i64) -> Result<crate::PackReport, AppError> {
        let path = self.exports_dir()?.join(format!(
            "SK-{case_id}-{}.zip",
            self.clock.local_now().format("%Y%m%d-%H%M%S")
        ));
        self.build_evidence(case_id, &[], &path)
    }
}

/// Home's alert about the automatic backups: the last one failed, or none for too long.
fn backup_alert(b: &crate::BackupStatus) -> Option<slipkeeper_domain::Text> {
    let days =
        |at: Option<chrono::DateTime<chrono::Utc>>| at.map(|a| a.format("%Y-%m-%d").to_string());
    if let Some(e) = &b.last_error {
        return Some(slipkeeper_domain::Text::new(
            format!("自动备份失败：{e}。请检查备份盘（U盘）是否插好，或在设置里另选文件夹。"),
            format!("The automatic backup failed: {e}. Check that the backup disk (USB stick) is plugged in, or choose another folder in Settings."),
        ));
    }
    if b.overdue {
        return Some(match days(b.last_at) {
            Some(d) => slipkeeper_domain::Text::new(
                format!("已经两天多没有备份了（上次备份 {d}）。请确认签购单管家的后台服务在运行、备份盘已插好。"),
                format!("No backup for more than two days (last one {d}). Check that Slipkeeper's service runs and the backup disk is plugged in."),
            ),
            None => slipkeeper_domain::Text::new(
                "自动备份还没有做过一次。请确认签购单管家的后台服务在运行、备份盘已插好。",
                "No automatic backup has been made yet. Check that Slipkeeper's service runs and the backup disk is plugged in.",
            ),
        });
    }
    None
}
