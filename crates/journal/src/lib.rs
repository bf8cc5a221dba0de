//! The journal: Slipkeeper's local, durable, tamper-evident record of everything the
//! card terminals did. This is the only crate that talks to SQLite.
//!
//! - [`Journal::open`] creates or migrates a database (WAL, foreign keys, busy timeout)
//!   and refuses files that are not Slipkeeper journals or are newer than this build.
//! - [`Journal::ingest`] stores [`Record`]s idempotently: the terminal's own identity of a
//!   record is a unique key, so a replay inserts nothing and is counted as a duplicate.
//! - Every stored record is appended to a hash chain; [`Journal::verify`] names any record
//!   altered, removed or slipped in behind Slipkeeper's back.
//! - [`Journal::search`] answers the shop owner's lookups (voucher, RRN, card last-4,
//!   amount, time, free text over slips), paged and counted.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use slipkeeper_journal::{Journal, TxnQuery};
//! let dir = tempfile::tempdir()?;
//! let journal = Journal::open(&dir.path().join("journal.db"))?;
//! assert_eq!(journal.search(&TxnQuery::default())?.total, 0);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod anchors;
mod backup;
mod cases;
mod chain;
mod error;
mod ingest;
mod interchange;
mod migrate;
mod query;
mod record;
mod remask;
mod scrub;
mod settings;
mod sql;
mod statements;

pub use anchors::path_of as anchors_path;
pub use cases::{check_proof, CaseEvent, CaseRow, ChainProof, NewCase};
pub use chain::{ChainRewrite, ChainedRecord, Problem, ProblemKind, VerifyReport, VERIFY_LIMITS};
pub use error::{ImportError, JournalError, StorageTrouble};
pub use ingest::IngestReport;
pub use interchange::parse_line;
pub use migrate::{migration_hashes, SCHEMA_VERSION};
pub use query::{Page, Probe, TxnDetail, TxnQuery, TxnRow, MAX_PAGE};
pub use record::{
    Direction, RawFrame, Record, RecordBody, SettlementRecord, SlipRecord, TxnRecord,
};
pub use settings::{MerchantProfile, TerminalOverview};
pub use statements::{LineQuery, StatementFile, StatementImport, StoredLine};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a Slipkeeper journal ("SKPJ"), so a restore can tell
/// our files from any other SQLite database.
pub const APPLICATION_ID: i32 = 0x534B_504A;

/// An open journal file.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// Opened to write ([`Journal::open`]), though SQLite may have opened the file
    /// read-only because it was write-protected then.
    for_writing: bool,
    /// The busy timeout last set, kept across a reopen.
    busy: Duration,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// Opens (creating if needed) and migrates the journal at `path`.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let conn = connect(path)?;
        let rewritten = migrate::migrate(&conn, path)?;
        let j = Journal {
            conn,
            path: path.to_owned(),
            for_writing: true,
            busy: BUSY_TIMEOUT,
        };
        anchors::compact(path)?;
        // A journal from before anchors existed starts being anchored now; one whose
        // chain a migration rewrote is anchored at its new head.
        if rewritten || (!anchors::path_of(path).exists() && j.records_stored()? > 0) {
            j.anchor()?;
        }
        Ok(j)
    }

    /// Opens the journal at `path`, which must exist: every command but the few that
    /// start a journal, so that a mistyped path is an error instead of a new, empty
    /// journal that "verifies".
    pub fn open_existing(path: &Path) -> Result<Journal, JournalError> {
        exists(path)?;
        Journal::open(path)
    }

    /// Opens an existing journal for reading only: no write lock is taken (it reads
    /// while a mirror writes), nothing is migrated or anchored, and a journal in a
    /// read-only folder can be read. A journal of an older schema is migrated first
    /// (a write), since this version cannot read it otherwise.
    pub fn open_read_only(path: &Path) -> Result<Journal, JournalError> {
        exists(path)?;
        let open = |uri: &str| -> Result<Connection, JournalError> {
            let c = Connection::open_with_flags(
                uri,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(|e| JournalError::Open {
                path: path.to_owned(),
                source: e,
            })?;
            c.busy_timeout(BUSY_TIMEOUT)?;
            // The first read needs the WAL index: in a folder nobody may write to it
            // cannot be made, and the file is then read as it stands.
            let (app_id, version) = c
                .pragma_query_value(None, "application_id", |r| r.get::<_, i32>(0))
                .and_then(|a| {
                    c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))
                        .map(|v| (a, v))
                })
                .map_err(|e| open_error(path, e))?;
            if app_id != APPLICATION_ID {
                return Err(JournalError::NotAJournal {
                    path: path.to_owned(),
                    reason: "it is not a Slipkeeper journal".into(),
                });
            }
            if version > SCHEMA_VERSION {
                return Err(JournalError::NewerSchema {
                    path: path.to_owned(),
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            c.pragma_update(None, "cache_size", -65_536)?;
            Ok(c)
        };
        let file = uri_path(path);
        let conn = match open(&format!("file:{file}?mode=ro")) {
            Err(JournalError::Open { .. }) => open(&format!("file:{file}?mode=ro&immutable=1"))?,
            other => other?,
        };
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version < SCHEMA_VERSION {
            drop(conn);
            return Journal::open(path);
        }
        Ok(Journal {
            conn,
            path: path.to_owned(),
            for_writing: false,
            busy: BUSY_TIMEOUT,
        })
    }

    /// How long a write waits for another program's lock before it fails (5 s from
    /// open). A mirror that must acknowledge the terminal within its 5 s waits less and
    /// spools instead.
    pub fn set_busy_timeout(&mut self, wait: Duration) -> Result<(), JournalError> {
        self.conn.busy_timeout(wait)?;
        self.busy = wait;
        Ok(())
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A journal opened to write whose file was write-protected then is read-only
    /// for as long as its connection lives (SQLite decides at open). Once the file
    /// takes writes again this opens it afresh, so a long-running service recovers
    /// without a restart. Returns whether it did; an error leaves the journal as it was.
    pub fn reopen_if_write_protected(&mut self) -> Result<bool, JournalError> {
        if !self.for_writing || !self.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Ok(false);
        }
        let fresh = Journal::open(&self.path)?;
        if fresh.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Ok(false);
        }
        fresh.conn.busy_timeout(self.busy)?;
        let busy = self.busy;
        *self = Journal { busy, ..fresh };
        Ok(true)
    }

    /// How many records the chain holds: grows with every stored record, so anything
    /// derived from the records can be cached against it.
    /// Raw frames exchanged with terminals per day (UTC) since `since`, for a support
    /// bundle: how busy the link was, without what was said.
    pub fn frames_per_day(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(String, i64)>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT substr(at, 1, 10), count(*) FROM raw_frames WHERE at >= ?1 GROUP BY 1 ORDER BY 1",
        )?;
        let rows = stmt.query_map([since.format("%Y-%m-%d").to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many records the chain holds (its newest entry's number).
    pub fn records_stored(&self) -> Result<i64, JournalError> {
        Ok(chain::head(&self.conn)?.seq)
    }

    /// Caps this connection's page cache (64 MiB by default). A connection that scans
    /// the whole journal once in the background, or only appends, needs little;
    /// memory it filled stays with the process after the connection closes.
    pub fn limit_cache(&self, mib: u32) -> Result<(), JournalError> {
        self.conn
            .pragma_update(None, "cache_size", -(i64::from(mib) * 1024))?;
        Ok(())
    }

    /// How many transactions are stored, without counting them: rows are only ever
    /// appended (a replay inserts nothing and takes no row id; a failed write rolls
    /// back; nothing deletes), so the highest row id is the count. `count(*)` reads a
    /// whole index — most of a second on a cold disk at a million rows — and the home
    /// screen asks at start-up. A row deleted behind Slipkeeper's back would make this
    /// one too high; `verify` reports that row.
    pub fn transactions_stored(&self) -> Result<u64, JournalError> {
        let n: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM transactions", [], |r| {
                    r.get(0)
                })?;
        Ok(n as u64)
    }

    /// Terminal local time of the newest transaction (by when it happened).
    pub fn newest_transaction_at(&self) -> Result<Option<chrono::NaiveDateTime>, JournalError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT occurred_at FROM transactions ORDER BY occurred_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        at.map(|s| sql::parse_local(&s, "occurred_at")).transpose()
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<u32, JournalError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))?)
    }

    /// `sqlite_master` as text, ordered: the schema snapshot that tests compare.
    pub fn schema_dump(&self) -> Result<String, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "-- {} {}\n{};\n",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        let mut out = String::new();
        for r in rows {
            out.push_str(&r?);
        }
        Ok(out)
    }
}

/// How long a connection waits for another's lock by default: long enough for an
/// import's or a backup's write to finish, so "database is locked" never reaches
/// the owner.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn connect(path: &Path) -> Result<Connection, JournalError> {
    let conn = Connection::open(path).map_err(|e| JournalError::Open {
        path: path.to_owned(),
        source: e,
    })?;
    let setup = || -> rusqlite::Result<()> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL stays set in the file. Switching needs a lock the busy handler does not
        // wait for, so a process opening a new journal while another one creates it
        // retries for a moment.
        let mut tries = 0;
        loop {
            let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            if mode.eq_ignore_ascii_case("wal") {
                break;
            }
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && tries < 250 =>
                {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => {
                    other?;
                    break;
                }
            }
        }
        // FULL: a committed payment record survives a power cut, not just a crash.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache keeps the indexes of a large journal in memory while
        // a mirror or an import writes.
        conn.pragma_update(None, "cache_size", -65_536)?;
        Ok(())
    };
    setup().map_err(|e| open_error(path, e))?;
    Ok(conn)
}

/// The first read of a file that is not a database says so; anything else is a failure
/// to open it.
fn open_error(path: &Path, e: rusqlite::Error) -> JournalError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => JournalError::NotAJournal {
            path: path.to_owned(),
            reason: "the file is not an SQLite database".into(),
        },
        _ => JournalError::Open {
            path: path.to_owned(),
            source: e,
        },
    }
}

fn exists(path: &Path) -> Result<(), JournalError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(JournalError::NotAJournal {
            path: path.to_owned(),
            reason: "it is not a file".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(JournalError::Missing {
            path: path.to_owned(),
        }),
        Err(e) => Err(JournalError::Io {
            path: path.to_owned(),
            source: e,
        }),
    }
}

/// A path as the file part of an SQLite URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    let text = path.to_string_lossy();
    // A Windows drive path becomes file:///C:/…
    if text.as_bytes().get(1) == Some(&b':') {
        out.push_str("///");
    }
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            '\\' => out.push('/'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test: fail loudly
    use super::*;

    fn cache_size(j: &Journal) -> i64 {
        j.conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_connection_caps_only_its_own_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let background = Journal::open(&path).unwrap();
        let window = Journal::open(&path).unwrap();
        assert_eq!(cache_size(&background), -65_536);
        background.limit_cache(4).unwrap();
        assert_eq!(cache_size(&background), -4_096);
        assert_eq!(cache_size(&window), -65_536);
    }
}
