//! Automatic backups: once a day the link service copies the journal to a second place
//! the owner chose (another disk, a USB stick), keeping the newest few copies. Where
//! and how many belong to this PC, not to the journal (a restored journal must not send
//! its backups to another shop's stick), so the plan and the last result live in
//! `backups.json` in the data folder, written whole.

use crate::{App, AppError, ErrorCode, VerifyReport};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How often a backup is made.
pub const BACKUP_EVERY: TimeDelta = TimeDelta::hours(24);
/// Past this without a good backup, Home raises an alert.
pub const BACKUP_OVERDUE: TimeDelta = TimeDelta::hours(48);
/// Copies kept when the owner does not say.
pub const DEFAULT_KEEP: u32 = 7;
/// How the copies are named: `slipkeeper-backup-20261203-040000.db`.
const PREFIX: &str = "slipkeeper-backup-";

/// Settings → automatic backups.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct BackupPlan {
    /// The folder the copies go to; none: no automatic backups.
    pub folder: Option<PathBuf>,
    /// How many copies to keep (1 to 365); older ones are removed.
    pub keep: u32,
}

impl Default for BackupPlan {
    fn default() -> Self {
        BackupPlan {
            folder: None,
            keep: DEFAULT_KEEP,
        }
    }
}

/// The plan, the last backup and whether one is due, for Settings and Home.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct BackupStatus {
    /// What is set.
    pub plan: BackupPlan,
    /// When the last backup was written, and where.
    pub last_at: Option<DateTime<Utc>>,
    /// Where the last backup was written.
    pub last_path: Option<PathBuf>,
    /// Why the last attempt failed (cleared by the next good one).
    pub last_error: Option<String>,
    /// When the folder was chosen: no backup is overdue before two days after.
    pub since: Option<DateTime<Utc>>,
    /// More than [`BACKUP_OVERDUE`] without a good backup while a folder is set.
    #[serde(skip_deserializing)]
    pub overdue: bool,
}

fn bad(message: String) -> AppError {
    AppError::new(ErrorCode::BadInput, message)
}

/// The copies in `folder`, oldest first (their names sort by time).
fn copies(folder: &Path) -> Result<Vec<PathBuf>, AppError> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| AppError::io(folder, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(".db"))
        })
        .collect();
    v.sort();
    Ok(v)
}

impl App {
    fn backups_file(&self) -> PathBuf {
        self.folder().join("backups.json")
    }

    /// The automatic backups' plan and last result.
    pub fn backups(&self) -> Result<BackupStatus, AppError> {
        let file = self.backups_file();
        let mut s: BackupStatus = match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                bad(format!(
                    "{}: {e}; choose the backup folder again in Settings",
                    file.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BackupStatus::default(),
            Err(e) => return Err(AppError::io(&file, e)),
        };
        let now = self.clock.now();
        s.overdue = s.plan.folder.is_some()
            && s.last_at
                .or(s.since)
                .is_none_or(|at| now - at > BACKUP_OVERDUE);
        Ok(s)
    }

    fn save_backups(&self, s: &BackupStatus) -> Result<(), AppError> {
        let text = serde_json::to_string_pretty(s)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        crate::files::write_atomic(&self.backups_file(), text.as_bytes())
    }

    /// Sets where the copies go and how many are kept, checked first: the folder
    /// must exist, take a file, and not be the journal's own folder (a second place is
    /// the point). A folder of None turns automatic backups off.
    pub fn set_backup_plan(&self, plan: &BackupPlan) -> Result<BackupStatus, AppError> {
        if !(1..=365).contains(&plan.keep) {
            return Err(bad(format!(
                "keep: {} copies: choose 1 to 365 / 保留份数应为 1 到 365",
                plan.keep
            ))
            .with_field("keep"));
        }
        if let Some(folder) = &plan.folder {
            let real = folder.canonicalize().map_err(|e| {
                bad(format!(
                    "{}: {e}; plug the disk in or choose another folder / 找不到这个文件夹，请插好磁盘或另选",
                    folder.display()
                ))
                .with_field("folder")
            })?;
            if !real.is_dir() {
                return Err(bad(format!(
                    "{} is not a folder / 这不是文件夹",
                    folder.display()
                ))
                .with_field("folder"));
            }
            let home = self
                .folder()
                .canonicalize()
                .unwrap_or_else(|_| self.folder());
            if real == home {
                return Err(bad(format!(
                    "{} is the journal's own folder: choose another disk or a USB stick / 这是日志本身所在的文件夹，请选另一块磁盘或U盘",
                    folder.display()
                ))
                .with_field("folder"));
            }
            // Can a file be written there?
            let probe = tempfile::NamedTempFile::new_in(&real).map_err(|e| {
                bad(format!(
                    "{}: cannot write there: {e} / 无法写入这个文件夹",
                    folder.display()
                ))
                .with_field("folder")
            })?;
            drop(probe);
        }
        let mut s = self.backups()?;
        if s.plan.folder != plan.folder {
            s.since = Some(self.clock.now());
        }
        s.plan = plan.clone();
        self.save_backups(&s)?;
        self.backups()
    }

    /// A backup when one is due (a folder is set and the last good one is a day old or
    /// more): the copy's path, or None when none was due. A failure is recorded for
    /// Home and Settings, and returned.
    pub fn backup_if_due(&self) -> Result<Option<PathBuf>, AppError> {
        let s = self.backups()?;
        let due = s.plan.folder.is_some()
            && s.last_at
                .is_none_or(|at| self.clock.now() - at >= BACKUP_EVERY);
        if !due {
            return Ok(None);
        }
        self.backup_now().map(Some)
    }

    /// A backup into the plan's folder now, the oldest copies beyond `keep` removed.
    pub fn backup_now(&self) -> Result<PathBuf, AppError> {
        let mut s = self.backups()?;
        let Some(folder) = s.plan.folder.clone() else {
            return Err(AppError::new(
                ErrorCode::NotSetUp,
                "no backup folder is set: choose one in Settings / 还没有设置备份文件夹，请在设置里选择",
            )
            .with_field("folder"));
        };
        let now = self.clock.now();
        let name = format!(
            "{PREFIX}{}.db",
            self.clock.local_now().format("%Y%m%d-%H%M%S")
        );
        let dest = folder.join(name);
        let result = self.backup(&dest).and_then(|()| {
            let all = copies(&folder)?;
            let extra = all.len().saturating_sub(s.plan.keep as usize);
            for old in &all[..extra] {
                std::fs::remove_file(old).map_err(|e| AppError::io(old, e))?;
                // Its anchors go with it (a copy made before anchors has none).
                let anchors = slipkeeper_journal::anchors_path(old);
                match std::fs::remove_file(&anchors) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(AppError::io(&anchors, e))
                    }
                    _ => {}
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                tracing::info!(path = %dest.display(), "automatic backup written");
                s.last_at = Some(now);
                s.last_path = Some(dest.clone());
                s.last_error = None;
                self.save_backups(&s)?;
                Ok(dest)
            }
            Err(e) => {
                tracing::warn!(error = %e.message, folder = %folder.display(), "automatic backup failed");
                s.last_error = Some(e.message.clone());
                self.save_backups(&s)?;
                Err(e)
            }
        }
    }
}

/// One automatic copy in the backup folder, for Settings to offer a restore from it.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackupCopy {
    /// The file's name in the backup folder: what the window sends back to restore it.
    pub name: String,
    /// When it was made, from its name (the shop's local time).
    pub made_at: Option<chrono::NaiveDateTime>,
    /// Its size.
    pub size_bytes: u64,
}

impl App {
    /// The automatic copies in the backup folder, newest first (none without a folder).
    pub fn backup_copies(&self) -> Result<Vec<BackupCopy>, AppError> {
        let Some(folder) = self.backups()?.plan.folder else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for p in copies(&folder)?.into_iter().rev() {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let made_at = name
                .strip_prefix(PREFIX)
                .and_then(|n| n.strip_suffix(".db"))
                .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y%m%d-%H%M%S").ok());
            let size_bytes = std::fs::metadata(&p)
                .map_err(|e| AppError::io(&p, e))?
                .len();
            out.push(BackupCopy {
                name,
                made_at,
                size_bytes,
            });
        }
        Ok(out)
    }

    /// Restores the journal from the automatic copy named `name`. Only a name the
    /// backup folder lists is taken, so the window can name a copy but no other file.
    pub fn restore_backup_copy(&mut self, name: &str) -> Result<VerifyReport, AppError> {
        let Some(folder) = self.backups()?.plan.folder else {
            return Err(AppError::new(
                ErrorCode::NotSetUp,
                "no backup folder is set: choose one in Settings / 还没有设置备份文件夹，请在设置里选择",
            )
            .with_field("folder"));
        };
        let path = copies(&folder)?
            .into_iter()
            .find(|p| p.file_name().is_some_and(|n| n == name))
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("{name} is not an automatic backup in {}", folder.display()),
                )
                .with_zh(format!("备份文件夹 {} 里没有 {name}", folder.display()))
            })?;
        tracing::info!(path = %path.display(), "restoring from an automatic backup");
        self.restore(&path, false)
    }
}
