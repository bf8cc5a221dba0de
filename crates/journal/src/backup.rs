//! Online backup and restore, through SQLite's backup API so that a journal in use
//! (the desktop app mirroring a terminal) can be copied consistently.

use crate::{migrate, Journal, JournalError, VerifyReport, APPLICATION_ID};
use rusqlite::{Connection, OpenFlags, MAIN_DB};
use std::io::Read;
use std::path::Path;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Journal {
    /// Copies the journal to `dest` (written beside it under a temporary name, then
    /// renamed, so `dest` is never a half-written file).
    pub fn backup_to(&self, dest: &Path) -> Result<(), JournalError> {
        let tmp = dest.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        self.conn.backup(MAIN_DB, &tmp, None)?;
        // The copy must open on its own, without a -wal file beside it.
        let c = Connection::open(&tmp)?;
        c.pragma_update(None, "journal_mode", "DELETE")?;
        drop(c);
        std::fs::rename(&tmp, dest).map_err(|e| JournalError::Io {
            path: dest.to_owned(),
            source: e,
        })
    }

    /// Replaces the journal's content with the backup at `src`, after checking that it
    /// is a Slipkeeper journal this version can read. Returns the restored journal's
    /// verification.
    pub fn restore_from(&mut self, src: &Path) -> Result<VerifyReport, JournalError> {
        check_backup(src)?;
        self.conn
            .restore(MAIN_DB, src, None::<fn(rusqlite::backup::Progress)>)?;
        migrate::migrate(&self.conn, &self.path)?;
        self.verify()
    }
}

fn check_backup(src: &Path) -> Result<(), JournalError> {
    let not = |reason: &str| JournalError::NotAJournal {
        path: src.to_owned(),
        reason: reason.to_owned(),
    };
    let mut magic = [0u8; 16];
    std::fs::File::open(src)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => not("the file is too short to be a database"),
            _ => JournalError::Io {
                path: src.to_owned(),
                source: e,
            },
        })?;
    if &magic != SQLITE_MAGIC {
        return Err(not("the file is not an SQLite database"));
    }
    let c = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let app_id: i32 = c.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        return Err(not("it is an SQLite database of another program"));
    }
    let version: u32 = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > migrate::SCHEMA_VERSION {
        return Err(JournalError::NewerSchema {
            path: src.to_owned(),
            found: version,
            supported: migrate::SCHEMA_VERSION,
        });
    }
    let ok: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if ok != "ok" {
        return Err(not(&format!("the database is damaged ({ok})")));
    }
    Ok(())
}
