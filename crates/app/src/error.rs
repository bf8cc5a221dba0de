use serde::Serialize;
use slipkeeper_journal::JournalError;
use std::path::Path;

/// What the UI can branch on. Add a code only when a caller needs to tell it apart.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The file is not a Slipkeeper journal (or not a database at all).
    NotAJournal,
    /// The journal was written by a newer version.
    NewerSchema,
    /// Bad input from the user or a file: the message says where.
    BadInput,
    /// What was asked for is not there.
    NotFound,
    /// Something the shop has not set up yet (the receipt printer, the shop's name,
    /// a backup folder): not a mistake in what was typed. `field` names the setting.
    NotSetUp,
    /// Stored data cannot be read back; run verify.
    Corrupt,
    /// A file or the network failed (the message names it).
    Io,
    /// Head office's database could not be reached or refused (the message says which).
    HeadOffice,
    /// A fault in Slipkeeper itself: the message says what to report.
    Internal,
}

/// An error as the user sees it: `{code, message}` across IPC, one line in the CLI.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// What kind of error.
    pub code: ErrorCode,
    /// What went wrong, in English (`zh` holds the Chinese when there is one).
    pub message: String,
    /// The form field or flag the error is about, when it is about one (`batch`, `from` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// The message in Chinese, where the core can say it (I/O and journal errors, …);
    /// the window shows it in the Chinese interface, `message` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub zh: Option<String>,
}

impl AppError {
    /// Every message the user sees goes through here, so no message can carry a full
    /// card number (one quoted from a file, a terminal or a typo): it is masked.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError {
            code,
            message: match slipkeeper_domain::mask_pans(&message) {
                std::borrow::Cow::Borrowed(_) => message,
                std::borrow::Cow::Owned(m) => m,
            },
            field: None,
            zh: None,
        }
    }

    /// The same error, said in Chinese too (masked like the message).
    pub fn with_zh(mut self, zh: impl Into<String>) -> Self {
        let zh = zh.into();
        self.zh = Some(slipkeeper_domain::mask_pans(&zh).into_owned());
        self
    }

    /// The same error, about `field`.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// An I/O error about `path`, said in both languages by the kind the OS reports.
    pub fn io(path: &Path, e: std::io::Error) -> Self {
        let zh = format!("{}：{}", path.display(), io_zh(&e));
        AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())).with_zh(zh)
    }
}

/// What went wrong with a file, in Chinese, by the kind the OS reports.
fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "找不到这个文件或文件夹".into(),
        K::PermissionDenied => "没有读写这个文件的权限".into(),
        K::AlreadyExists => "已经有同名的文件".into(),
        K::StorageFull => "磁盘已满，请腾出空间".into(),
        K::ReadOnlyFilesystem => "磁盘是只读的，不能写入".into(),
        K::IsADirectory => "这是一个文件夹，不是文件".into(),
        K::NotADirectory => "路径中有一段不是文件夹".into(),
        K::InvalidData | K::UnexpectedEof => "文件内容不完整或已损坏".into(),
        K::TimedOut => "等待超时".into(),
        K::ConnectionRefused => "对方拒绝连接（设备没开或地址不对）".into(),
        _ => format!("读写出错（{e}）"),
    }
}

/// A journal error in Chinese.
fn journal_zh(e: &JournalError) -> String {
    match e {
        JournalError::Open { path, .. } => {
            format!("打不开日志 {}：{}", path.display(), storage_zh(e))
        }
        JournalError::NotAJournal { path, .. } => {
            format!("{} 不是签购单管家的日志文件", path.display())
        }
        JournalError::Missing { path } => format!(
            "{} 没有日志文件：请检查路径（新日志由演示数据、导入或桌面程序首次启动时建立）",
            path.display()
        ),
        JournalError::NewerSchema {
            path,
            found,
            supported,
        } => format!(
            "日志 {} 是新版签购单管家写的（结构版本 {found}，本版本只认到 {supported}）：请安装新版，或打开一个备份",
            path.display()
        ),
        JournalError::Import(i) => format!(
            "{} 第 {} 行，字段 {}：{}",
            i.file, i.line, i.field, i.message
        ),
        JournalError::BackupDoesNotVerify {
            path,
            problems,
            first,
        } => format!(
            "备份 {} 没有通过校验（{problems} 处问题，第一处：{first}），什么都没有恢复",
            path.display()
        ),
        JournalError::Corrupt { what, reason } => {
            format!("日志里的记录 {what} 读不出来（{reason}）：请在首页检查日志")
        }
        JournalError::NotFound { what } => format!("日志里没有 {what}"),
        JournalError::Invalid(d) => format!("数据不对：{d}"),
        JournalError::Io { path, source } => format!("{}：{}", path.display(), io_zh(source)),
        JournalError::Sqlite(_) => storage_zh(e),
        _ => format!("日志出错（{e}）"),
    }
}

/// A database error in Chinese: the ones a shop meets by name.
fn storage_zh(e: &JournalError) -> String {
    use slipkeeper_journal::StorageTrouble as T;
    match e.storage_trouble() {
        Some(T::Busy) => "日志正被另一个程序占用，请稍后再试".into(),
        Some(T::ReadOnly) => "日志所在的磁盘或文件是只读的，不能写入".into(),
        Some(T::Full) => "磁盘已满，请腾出空间".into(),
        Some(T::CannotOpen) => "打不开日志文件（路径或权限不对）".into(),
        Some(T::Damaged) => "日志文件已损坏：请从备份恢复".into(),
        None => format!("数据库出错（{e}）"),
    }
}

impl From<JournalError> for AppError {
    fn from(e: JournalError) -> Self {
        let code = match &e {
            JournalError::NotAJournal { .. } => ErrorCode::NotAJournal,
            JournalError::NewerSchema { .. } => ErrorCode::NewerSchema,
            JournalError::Import(_) | JournalError::Invalid(_) => ErrorCode::BadInput,
            JournalError::NotFound { .. } | JournalError::Missing { .. } => ErrorCode::NotFound,
            JournalError::Corrupt { .. } | JournalError::BackupDoesNotVerify { .. } => {
                ErrorCode::Corrupt
            }
            JournalError::Io { .. } => ErrorCode::Io,
            _ => ErrorCode::Internal,
        };
        let zh = journal_zh(&e);
        AppError::new(code, e.to_string()).with_zh(zh)
    }
}

impl From<slipkeeper_domain::DomainError> for AppError {
    fn from(e: slipkeeper_domain::DomainError) -> Self {
        AppError::new(ErrorCode::BadInput, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_never_carries_a_full_card_number() {
        let e = AppError::new(
            ErrorCode::BadInput,
            "卡号 ６２２５８８０２１２３４５６７３ 无效",
        );
        assert_eq!(e.message, "卡号 ６２２５８８******５６７３ 无效");
    }

    #[test]
    fn crosses_ipc_as_code_and_message() {
        let e = AppError::new(ErrorCode::NotFound, "voucher 000042 is not in the journal");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({ "code": "NOT_FOUND", "message": "voucher 000042 is not in the journal" })
        );
    }

    /// I/O and journal errors say in Chinese what happened, by kind, naming the file;
    /// the English message stays as it was.
    #[test]
    fn io_and_journal_errors_are_said_in_chinese_too() {
        let gone = AppError::io(
            Path::new("/u盘/备份.db"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(
            gone.zh.as_deref(),
            Some("/u盘/备份.db：找不到这个文件或文件夹")
        );
        assert!(
            gone.message.starts_with("/u盘/备份.db: "),
            "{}",
            gone.message
        );
        let full = AppError::io(
            Path::new("j.db"),
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert_eq!(full.zh.as_deref(), Some("j.db：磁盘已满，请腾出空间"));
        let newer = AppError::from(JournalError::NewerSchema {
            path: "j.db".into(),
            found: 9,
            supported: 7,
        });
        assert!(
            newer
                .zh
                .as_deref()
                .is_some_and(|z| z.contains("新版") && z.contains("9")),
            "{newer:?}"
        );
        let line = AppError::from(JournalError::Import(slipkeeper_journal::ImportError {
            file: "a.jsonl".into(),
            line: 7,
            field: "amount".into(),
            message: "not a number".into(),
        }));
        assert_eq!(
            line.zh.as_deref(),
            Some("a.jsonl 第 7 行，字段 amount：not a number")
        );
        // Crosses IPC beside the message, and only when there is one.
        let v = serde_json::to_value(&gone).unwrap();
        assert_eq!(v["zh"], "/u盘/备份.db：找不到这个文件或文件夹");
    }

    /// A locked journal is named as such in Chinese (a real lock on a real file,
    /// held by python's sqlite3).
    #[test]
    fn a_locked_journal_is_said_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("j.db");
        let mut j = slipkeeper_journal::Journal::open(&db).unwrap();
        j.set_busy_timeout(std::time::Duration::from_millis(10))
            .unwrap();
        let lock = slipkeeper_testkit::ForeignLock::hold(&db);
        let rec = slipkeeper_journal::Record {
            body: slipkeeper_journal::RecordBody::Transaction(
                slipkeeper_domain::sample::transaction(1),
            ),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        };
        let e = AppError::from(j.ingest(&[rec]).unwrap_err());
        drop(lock); // released
        assert_eq!(
            e.zh.as_deref(),
            Some("日志正被另一个程序占用，请稍后再试"),
            "{e:?}"
        );
    }

    #[test]
    fn journal_errors_get_the_code_the_ui_branches_on() {
        let newer = JournalError::NewerSchema {
            path: "j.db".into(),
            found: 9,
            supported: 1,
        };
        assert_eq!(AppError::from(newer).code, ErrorCode::NewerSchema);
        let not = JournalError::NotAJournal {
            path: "x".into(),
            reason: "text".into(),
        };
        assert_eq!(AppError::from(not).code, ErrorCode::NotAJournal);
        let bad = slipkeeper_domain::TraceNo::new("x").unwrap_err();
        let e = AppError::from(bad);
        assert_eq!(e.code, ErrorCode::BadInput);
        assert!(e.message.contains("trace_no"), "{}", e.message);
    }
}
