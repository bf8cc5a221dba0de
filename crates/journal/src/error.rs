use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JournalError {
    #[error("cannot open the journal {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path} is not a Slipkeeper journal: {reason}")]
    NotAJournal { path: PathBuf, reason: String },
    #[error(
        "there is no journal at {path}: check the path (a new journal is started by `demo seed`, `import` or the desktop app)"
    )]
    Missing { path: PathBuf },
    #[error(
        "the journal {path} was written by a newer Slipkeeper (schema {found}, this version knows up to {supported}); \
         install the newer version or open a backup"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error(
        "the backup {path} does not verify ({problems} problem(s); first: {first}); nothing was restored"
    )]
    BackupDoesNotVerify {
        path: PathBuf,
        problems: usize,
        first: String,
    },
    #[error("stored record {what} cannot be read: {reason}")]
    Corrupt { what: String, reason: String },
    #[error("{what} is not in the journal")]
    NotFound { what: String },
    #[error("invalid value: {0}")]
    Invalid(#[from] slipkeeper_domain::DomainError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What kind of trouble the database itself is in, for saying so in the shop
/// owner's words (without naming the database library outside this crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageTrouble {
    /// Another program holds the lock past the busy timeout.
    Busy,
    /// The file or its disk does not take writes.
    ReadOnly,
    Full,
    CannotOpen,
    Damaged,
}

impl JournalError {
    /// The database's own trouble, when that is what this is.
    pub fn storage_trouble(&self) -> Option<StorageTrouble> {
        use rusqlite::ErrorCode as C;
        let e = match self {
            JournalError::Sqlite(e) | JournalError::Open { source: e, .. } => e,
            _ => return None,
        };
        Some(match e.sqlite_error_code()? {
            C::DatabaseBusy | C::DatabaseLocked => StorageTrouble::Busy,
            C::ReadOnly => StorageTrouble::ReadOnly,
            C::DiskFull => StorageTrouble::Full,
            C::CannotOpen => StorageTrouble::CannotOpen,
            C::DatabaseCorrupt | C::NotADatabase => StorageTrouble::Damaged,
            _ => return None,
        })
    }
}

/// A bad line in an import file: where, which field, and why. Nothing of the file is
/// stored when this is returned.
#[derive(Debug, Error)]
#[error("{file}:{line}: {field}: {message}")]
pub struct ImportError {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub message: String,
}
