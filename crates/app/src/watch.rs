//! A watched folder for shops that work from the acquirer's statements: files the owner
//! downloads from the acquirer's portal (into Downloads, say) are imported as they
//! appear, by the link service. The same rules as a manual import hold: a file is
//! imported whole or not at all, and the same file twice imports nothing. Files that are
//! not statements (a folder like Downloads holds anything) are passed over quietly; a
//! statement that does not read is an error shown on Home until the file changes.
//!
//! Like the backup plan, the folder belongs to this PC, not to the journal: it lives in
//! `statements-watch.json` in the data folder.

use crate::{App, AppError, ErrorCode};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the service looks in the folder.
pub const WATCH_CHECK: Duration = Duration::from_secs(10);
/// A file changed more recently than this may still be being written.
const SETTLING: Duration = Duration::from_secs(2);
/// What a statement file is called.
const EXTENSIONS: [&str; 3] = ["csv", "xlsx", "txt"];

/// What the last look at a file found: its size and change time, so an unchanged
/// file is not read again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The file's size.
    pub len: u64,
    /// Its change time, seconds since 1970.
    pub modified: i64,
}

/// The last statement the folder brought in.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedImport {
    /// The file's name.
    pub file: String,
    /// When it was imported.
    pub at: DateTime<Utc>,
    /// Lines new to the journal.
    pub new_lines: u64,
}

/// Settings → statements folder, and what it did last.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct WatchStatus {
    /// The folder watched; none: no folder is watched.
    pub folder: Option<PathBuf>,
    /// When the folder was last looked at.
    pub last_scan_at: Option<DateTime<Utc>>,
    /// The last statement it brought in.
    pub last_import: Option<WatchedImport>,
    /// A statement in the folder that does not read: file, row and column.
    pub last_error: Option<String>,
    /// The same in Chinese, where the core can say it.
    pub last_error_zh: Option<String>,
}

/// `statements-watch.json`: the status, and the files looked at (not for the window).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    status: WatchStatus,
    #[serde(default)]
    seen: BTreeMap<String, Seen>,
}

fn bad(message: String) -> AppError {
    AppError::new(ErrorCode::BadInput, message)
}

fn modified_secs(m: &std::fs::Metadata) -> i64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The business day a statement should have arrived for by `today`: acquirers
/// publish day D's file on D+1, weekdays; Monday expects Friday's.
pub fn expected_statement_day(today: NaiveDate) -> NaiveDate {
    let mut d = today - TimeDelta::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d -= TimeDelta::days(1);
    }
    d
}

impl App {
    fn watch_file(&self) -> PathBuf {
        self.folder().join("statements-watch.json")
    }

    /// The watched folder and what it did last.
    pub fn watch_status(&self) -> Result<WatchStatus, AppError> {
        Ok(self.stored_watch()?.status)
    }

    fn stored_watch(&self) -> Result<Stored, AppError> {
        let file = self.watch_file();
        match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                bad(format!(
                    "{}: {e}; choose the statements folder again in Settings",
                    file.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Stored::default()),
            Err(e) => Err(AppError::io(&file, e)),
        }
    }

    fn save_watch(&self, s: &Stored) -> Result<(), AppError> {
        let text = serde_json::to_string_pretty(s)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        crate::files::write_atomic(&self.watch_file(), text.as_bytes())
    }

    /// Sets the folder to watch (checked: it must exist and be a folder); None stops
    /// watching.
    pub fn set_watch_folder(&self, folder: Option<&Path>) -> Result<WatchStatus, AppError> {
        let mut stored = self.stored_watch()?;
        let s = &mut stored.status;
        if let Some(f) = folder {
            let real = f.canonicalize().map_err(|e| {
                bad(format!(
                    "{}: {e}; choose an existing folder / 找不到这个文件夹，请另选",
                    f.display()
                ))
                .with_field("folder")
            })?;
            if !real.is_dir() {
                return Err(
                    bad(format!("{} is not a folder / 这不是文件夹", f.display()))
                        .with_field("folder"),
                );
            }
            if s.folder.as_deref() != Some(real.as_path()) {
                stored.seen.clear();
                s.last_error = None;
                s.last_error_zh = None;
            }
            s.folder = Some(real);
        } else {
            s.folder = None;
        }
        self.save_watch(&stored)?;
        Ok(stored.status)
    }

    /// Imports the statements that appeared or changed in the watched folder since the
    /// last look; the reports of those that brought something in. Nothing to do
    /// without a folder.
    pub fn scan_watch_folder(&mut self) -> Result<Vec<crate::StatementReport>, AppError> {
        let mut stored = self.stored_watch()?;
        let Some(folder) = stored.status.folder.clone() else {
            return Ok(Vec::new());
        };
        let entries = match std::fs::read_dir(&folder) {
            Ok(e) => e,
            Err(e) => {
                let err = AppError::io(&folder, e);
                stored.status.last_error = Some(err.message.clone());
                stored.status.last_error_zh = err.zh.clone();
                stored.status.last_scan_at = Some(self.clock.now());
                self.save_watch(&stored)?;
                return Err(err);
            }
        };
        let mut files: Vec<(String, PathBuf, Seen)> = Vec::new();
        for e in entries.flatten() {
            let path = e.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            let ext_ok = path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()));
            // Only ordinary files: a FIFO or a device named .csv is not waited on.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if !ext_ok || !meta.is_file() || meta.len() == 0 {
                continue;
            }
            let settled = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age >= SETTLING);
            if !settled {
                continue;
            }
            let seen = Seen {
                len: meta.len(),
                modified: modified_secs(&meta),
            };
            if stored.seen.get(&name) == Some(&seen) {
                continue;
            }
            files.push((name, path, seen));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::new();
        for (name, path, seen) in files {
            match self.import_watched(&path) {
                Ok(Some(report)) => {
                    tracing::info!(file = %name, new_lines = report.import.new_lines, "statement imported from the watched folder");
                    if !report.import.same_file {
                        stored.status.last_import = Some(WatchedImport {
                            file: name.clone(),
                            at: self.clock.now(),
                            new_lines: report.import.new_lines,
                        });
                        // A good statement clears the complaint about a bad one.
                        stored.status.last_error = None;
                        stored.status.last_error_zh = None;
                    }
                    out.push(report);
                }
                Ok(None) => {
                    tracing::debug!(file = %name, "watched folder: not a statement, passed over");
                }
                Err(e) => {
                    tracing::warn!(file = %name, error = %e.message, "watched folder: statement not imported");
                    stored.status.last_error = Some(e.message);
                    stored.status.last_error_zh = e.zh;
                }
            }
            stored.seen.insert(name, seen);
        }
        stored.status.last_scan_at = Some(self.clock.now());
        self.save_watch(&stored)?;
        Ok(out)
    }

    /// One file of the watched folder: its report, or None when it is no statement.
    fn import_watched(&mut self, path: &Path) -> Result<Option<crate::StatementReport>, AppError> {
        let bytes = crate::files::read_limited(
            path,
            slipkeeper_statement::limits::FILE_BYTES,
            "a statement",
        )?;
        let mappings = self.statement_mappings()?;
        match slipkeeper_statement::parse(&bytes, &path.display().to_string(), &mappings) {
            Err(e) if e.not_a_statement => Ok(None),
            // The import reads it again and says what is wrong in the usual words.
            _ => self.import_statement(path, None, None).map(Some),
        }
    }

    /// The newest day any imported statement speaks of.
    pub fn latest_statement_day(&self) -> Result<Option<NaiveDate>, AppError> {
        Ok(self.journal.statement_span()?.map(|(_, b)| b.date()))
    }
}

/// Home's word on statements for a shop that works from them: a statement in the
/// watched folder that does not read, or none for the last business day.
pub(crate) fn statement_alert(
    w: &WatchStatus,
    latest: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<slipkeeper_domain::Text> {
    let folder = w.folder.as_ref()?;
    if let Some(e) = &w.last_error {
        return Some(slipkeeper_domain::Text::new(
            format!(
                "对账单文件夹里有一个文件读不了：{}。请重新下载这个文件。",
                w.last_error_zh.as_deref().unwrap_or(e)
            ),
            format!("A file in the statements folder cannot be read: {e}. Download it again."),
        ));
    }
    let expected = expected_statement_day(today);
    if latest.is_some_and(|d| d >= expected) {
        return None;
    }
    let have = match latest {
        Some(d) => (
            format!("最新的对账单只到 {d}"),
            format!("The newest statement is for {d}"),
        ),
        None => (
            "还没有导入过对账单".to_owned(),
            "No statement has been imported yet".to_owned(),
        ),
    };
    Some(slipkeeper_domain::Text::new(
        format!(
            "{}，缺少 {expected} 的。请从收单机构网站下载交易明细，存到 {}。",
            have.0,
            folder.display()
        ),
        format!(
            "{}; the one for {expected} is missing. Download the transaction detail from the acquirer's website into {}.",
            have.1,
            folder.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_day_skips_the_weekend() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 2026-12-07 is a Monday: Friday's statement is the one due.
        assert_eq!(expected_statement_day(d("2026-12-07")), d("2026-12-04"));
        assert_eq!(expected_statement_day(d("2026-12-08")), d("2026-12-07"));
        assert_eq!(expected_statement_day(d("2026-12-06")), d("2026-12-04"));
    }

    #[test]
    fn no_alert_without_a_folder_or_with_the_days_statement() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut w = WatchStatus::default();
        assert!(statement_alert(&w, None, d("2026-12-08")).is_none());
        w.folder = Some("/home/shop/Downloads".into());
        assert!(statement_alert(&w, Some(d("2026-12-07")), d("2026-12-08")).is_none());
        let a = statement_alert(&w, Some(d("2026-12-04")), d("2026-12-08")).unwrap();
        assert!(
            a.zh.contains("缺少 2026-12-07") && a.zh.contains("Downloads"),
            "{a:?}"
        );
        let a = statement_alert(&w, None, d("2026-12-08")).unwrap();
        assert!(a.en.contains("No statement has been imported yet"), "{a:?}");
    }
}
