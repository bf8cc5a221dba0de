//! Online backup and restore, through SQLite's backup API so that a journal in use
//! (the desktop app mirroring a terminal) can be copied consistently.

use crate::{migrate, Journal, JournalError, VerifyReport, APPLICATION_ID};
use rusqlite::{Connection, OpenFlags, MAIN_DB};
use std::io::Read;
use std::path::Path;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Journal {
    /// Copies the journal to `dest` (written beside it under a temporary name, then
    /// renamed, so `dest` is never a half-written file), with the copy's chain head
    /// anchored beside it (`dest.anchors`).
    pub fn backup_to(&self, dest: &Path) -> Result<(), JournalError> {
        // A temporary name of our own that nothing else has: no file the user keeps
        // beside the backup is replaced or removed on the way.
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = (0..1000)
            .map(|i| {
                dest.with_file_name(format!(
                    ".{name}.slipkeeper-{}-{i}.partial",
                    std::process::id()
                ))
            })
            .find(|p| !p.exists())
            .ok_or_else(|| JournalError::Io {
                path: dest.to_owned(),
                source: std::io::Error::other("no free temporary name beside it"),
            })?;
        let copied = self.conn.backup(MAIN_DB, &tmp, None);
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        // The copy must open on its own, without a -wal file beside it.
        let c = Connection::open(&tmp)?;
        c.pragma_update(None, "journal_mode", "DELETE")?;
        let head = crate::chain::head(&c)?;
        drop(c);
        std::fs::rename(&tmp, dest).map_err(|e| JournalError::Io {
            path: dest.to_owned(),
            source: e,
        })?;
        // The copy's head, anchored beside it: `verify` of the copy, and a restore from
        // it, then see newest records dropped from the copy together with their chain
        // entries. Written after the copy is complete, so it never names more than
        // the copy holds.
        crate::anchors::reset(dest, (&head).into())
    }

    /// Replaces the journal's content with the backup at `src`, after checking that it
    /// is a Slipkeeper journal this version can read and that it verifies: its chain,
    /// its structure, the anchors written beside it when it was made (if kept), and
    /// this journal's anchors for the records both hold. A backup
    /// that does not verify is refused unless `anyway` (the caller warns the user).
    /// What is restored is the backup brought to this version's schema (card data an
    /// older version kept is masked). Returns the restored journal's verification.
    pub fn restore_from(&mut self, src: &Path, anyway: bool) -> Result<VerifyReport, JournalError> {
        check_backup(src)?;
        // Check (and migrate) a private copy, never the file the user picked.
        let mut staged = self.path.as_os_str().to_owned();
        staged.push(".restore");
        let staged = std::path::PathBuf::from(staged);
        let cleanup = |p: &Path| {
            for suffix in ["", "-wal", "-shm", ".anchors"] {
                let mut f = p.as_os_str().to_owned();
                f.push(suffix);
                let _ = std::fs::remove_file(std::path::PathBuf::from(f));
            }
        };
        cleanup(&staged);
        let result = (|| {
            Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?
                .backup(MAIN_DB, &staged, None)?;
            let copy = Journal::open(&staged)?;
            // The backup's own anchors (written when it was made), then this journal's.
            let mut report = crate::chain::verify(&copy.conn, Some(src))?;
            report.problems.extend(crate::chain::against_anchors(
                &copy.conn,
                &self.path,
                &report.rewrites,
            )?);
            if !report.is_clean() && !anyway {
                let first = report.problems[0].to_string();
                return Err(JournalError::BackupDoesNotVerify {
                    path: src.to_owned(),
                    problems: report.problems.len(),
                    first,
                });
            }
            drop(copy);
            self.conn
                .restore(MAIN_DB, &staged, None::<fn(rusqlite::backup::Progress)>)?;
            migrate::migrate(&self.conn, &self.path)?;
            // The journal's history is now the backup's: anchors start from its head.
            crate::anchors::reset(&self.path, (&crate::chain::head(&self.conn)?).into())?;
            Ok(())
        })();
        cleanup(&staged);
        result?;
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
