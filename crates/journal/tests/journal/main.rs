//! Integration tests of the journal against real SQLite files.

#![allow(clippy::unwrap_used, clippy::new_without_default)] // tests fail loudly by design

mod backup;
mod chain;
mod fuzz;
mod ingest;
mod interchange;
mod migrations;
mod query;
mod records;

use chrono::{DateTime, TimeZone, Utc};
use slipkeeper_domain::{sample, CopyType, Transaction};
use slipkeeper_journal::{Journal, Record, RecordBody, SlipRecord};
use std::path::PathBuf;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub journal: Journal,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
        Fixture { dir, journal }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("journal.db")
    }
}

pub fn txn_record(t: &Transaction) -> Record {
    Record {
        body: RecordBody::Transaction(t.clone()),
        recorded_at: now(),
    }
}

pub fn slip_record(t: &Transaction) -> Record {
    Record {
        body: RecordBody::Slip(SlipRecord {
            txn: t.key(),
            slip: sample::slip(t, CopyType::Merchant),
        }),
        recorded_at: now(),
    }
}

/// Transactions 0..n, each followed by its merchant slip.
pub fn sample_records(n: u64) -> Vec<Record> {
    (0..n)
        .flat_map(|i| {
            let t = sample::transaction(i);
            [txn_record(&t), slip_record(&t)]
        })
        .collect()
}

/// A raw connection, as someone editing the file with another tool would have.
pub fn raw(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Recomputes the whole chain of the journal at `path` over `lines` (its canonical
/// lines, in chain order), as someone who knows the format could: what tampering tests
/// and old-schema fixtures need.
pub fn write_chain(path: &std::path::Path, lines: &[u8]) {
    use sha2::{Digest, Sha256};
    let c = raw(path);
    let mut prev = [0u8; 32];
    for (i, line) in String::from_utf8(lines.to_vec())
        .unwrap()
        .lines()
        .enumerate()
    {
        let mut h = Sha256::new();
        h.update(prev);
        h.update(line.as_bytes());
        prev = h.finalize().into();
        c.execute(
            "UPDATE chain SET hash = ?2 WHERE seq = ?1",
            rusqlite::params![i as i64 + 1, &prev[..]],
        )
        .unwrap();
    }
}
