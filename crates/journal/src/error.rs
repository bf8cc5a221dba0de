use std::path::PathBuf;
use thiserror::Error;

/// Why the journal could not do what was asked. Each names the file or the record.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JournalError {
    /// SQLite could not open the file.
    #[error("cannot open the journal {path}: {source}")]
    Open {
        /// The journal file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file opens but is not a Slipkeeper journal (another database, another file).
    #[error("{path} is not a Slipkeeper journal: {reason}")]
    NotAJournal {
        /// The file.
        path: PathBuf,
        /// What gives it away.
        reason: String,
    },
    /// No journal at the path, for a command that must not start one.
    #[error(
        "there is no journal at {path}: check the path (a new journal is started by `demo seed`, `import` or the desktop app)"
    )]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// A newer Slipkeeper migrated the file further than this one knows.
    #[error(
        "the journal {path} was written by a newer Slipkeeper (schema {found}, this version knows up to {supported}); \
         install the newer version or open a backup"
    )]
    NewerSchema {
        /// The journal file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this version knows.
        supported: u32,
    },
    /// A line of an import file is wrong: nothing of the file was stored.
    #[error("{0}")]
    Import(#[from] ImportError),
    /// A restore was refused: the backup does not verify.
    #[error(
        "the backup {path} does not verify ({problems} problem(s); first: {first}); nothing was restored"
    )]
    BackupDoesNotVerify {
        /// The backup.
        path: PathBuf,
        /// How many problems verify found.
        problems: usize,
        /// The first of them.
        first: String,
    },
    /// A stored record does not read back as what was stored.
    #[error("stored record {what} cannot be read: {reason}")]
    Corrupt {
        /// Which record.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// What was asked for is not in the journal.
    #[error("{what} is not in the journal")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A value does not satisfy the domain's rules.
    #[error("invalid value: {0}")]
    Invalid(#[from] slipkeeper_domain::DomainError),
    /// A file beside the journal (a backup, its anchors) could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// SQLite refused (see [`JournalError::storage_trouble`] for what kind).
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
    /// The disk is full.
    Full,
    /// The file cannot be opened (missing folder, no permission).
    CannotOpen,
    /// The file is damaged, or not a database.
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
    /// The file, as named by the user.
    pub file: String,
    /// The line, counted from 1.
    pub line: u64,
    /// The field at fault (or "json" for a line that does not parse).
    pub field: String,
    /// What is wrong.
    pub message: String,
}
