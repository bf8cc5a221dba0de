//! The hash chain over stored records: entry n holds SHA-256(hash of entry n-1 ||
//! canonical line of the record). Checking each entry against its stored predecessor
//! pinpoints the one record that changed instead of flagging everything after it.
//! Anyone able to rewrite the whole chain can hide a change; the head hash printed by
//! `verify` is what a user can write down or send elsewhere to anchor it.

use crate::record::{Record, RecordBody};
use crate::sql;
use crate::JournalError;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use slipkeeper_domain::TxnKey;

pub(crate) const GENESIS: [u8; 32] = [0; 32];

pub(crate) struct Head {
    pub seq: i64,
    pub hash: [u8; 32],
}

pub(crate) fn head(conn: &Connection) -> Result<Head, JournalError> {
    let row = conn
        .query_row(
            "SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((seq, h)) => Head {
            seq,
            hash: to32(&h).unwrap_or(GENESIS),
        },
        None => Head {
            seq: 0,
            hash: GENESIS,
        },
    })
}

fn to32(v: &[u8]) -> Option<[u8; 32]> {
    v.try_into().ok()
}

pub(crate) fn link(prev: &[u8; 32], line: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(line.as_bytes());
    h.finalize().into()
}

/// Human name of a record: what a shop owner would look for.
pub(crate) fn label(rec: &Record) -> String {
    match &rec.body {
        // The two records of every payment, written out piece by piece: the key's
        // Display without cloning the key or going through `format!` (a fifth of
        // readying a record for the journal). Writing into a String cannot fail.
        RecordBody::Transaction(t) => {
            let mut out = String::with_capacity(64);
            let _ = TxnKey::write_parts(&mut out, &t.terminal_id, &t.batch_no, &t.trace_no, t.kind);
            out
        }
        RecordBody::Slip(s) => {
            let mut out = String::with_capacity(80);
            out.push_str(s.slip.copy.as_str());
            out.push_str(" slip of ");
            let k = &s.txn;
            let _ = TxnKey::write_parts(&mut out, &k.terminal_id, &k.batch_no, &k.trace_no, k.kind);
            out
        }
        RecordBody::Settlement(s) => format!(
            "settlement of terminal {} batch {}",
            s.terminal_id, s.batch_no
        ),
        RecordBody::RawFrame(f) => format!(
            "{} frame of terminal {} at {}",
            f.direction.as_str(),
            f.terminal_id,
            sql::utc(&f.at)
        ),
    }
}

pub(crate) const INSERT_ENTRY: &str =
    "INSERT INTO chain (seq, kind, row_id, label, hash) VALUES (?1, ?2, ?3, ?4, ?5)";

/// Appends the entry of a stored record (`stmt` is [`INSERT_ENTRY`]). `hash` is
/// `link(head.hash, line)`, computed by the caller (perhaps ahead, on another thread).
pub(crate) fn append(
    stmt: &mut rusqlite::Statement<'_>,
    head: &mut Head,
    kind: &str,
    row_id: i64,
    label: &str,
    hash: [u8; 32],
) -> Result<(), JournalError> {
    head.seq += 1;
    stmt.execute(rusqlite::params![head.seq, kind, row_id, label, &hash[..]])?;
    head.hash = hash;
    Ok(())
}

#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The record's content no longer matches its hash.
    Altered,
    /// The chain names a record that is no longer there.
    Removed,
    /// The record is there but can no longer be read as a valid record.
    Unreadable,
    /// Chain entries themselves were deleted.
    ChainGap,
    /// A row that never went through Slipkeeper's chain (inserted behind its back).
    Unchained,
}

#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// e.g. "transaction #17".
    pub record: String,
    /// What it was: terminal, batch, voucher…
    pub label: String,
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {} — {}", self.kind, self.record, self.label)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    /// Hex of the last chain hash: write it down to anchor the journal's current state.
    pub head: String,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

const TABLES: &[(&str, &str)] = &[
    ("transaction", "transactions"),
    ("slip", "slips"),
    ("settlement", "settlements"),
    ("raw_frame", "raw_frames"),
];

pub(crate) fn verify(conn: &Connection) -> Result<VerifyReport, JournalError> {
    let mut problems = Vec::new();
    let mut checked = 0u64;
    let mut prev = GENESIS;
    let mut expected_seq = 1i64;
    let mut stmt = conn.prepare("SELECT seq, kind, row_id, label, hash FROM chain ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, kind, row_id, label, stored): (i64, String, i64, String, Vec<u8>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let record = format!("{kind} #{row_id}");
        if seq != expected_seq {
            problems.push(Problem {
                kind: ProblemKind::ChainGap,
                record: format!("chain entries {expected_seq}..{}", seq - 1),
                label: "removed from the chain".into(),
                detail: String::new(),
            });
        }
        expected_seq = seq + 1;
        checked += 1;
        let stored = to32(&stored).unwrap_or(GENESIS);
        match sql::load_record(conn, &kind, row_id) {
            Ok(Some(rec)) => {
                if link(&prev, &rec.to_line()) != stored {
                    problems.push(Problem {
                        kind: ProblemKind::Altered,
                        record,
                        label: label.clone(),
                        detail: format!("now: {}", self::label(&rec)),
                    });
                }
            }
            Ok(None) => problems.push(Problem {
                kind: ProblemKind::Removed,
                record,
                label,
                detail: String::new(),
            }),
            Err(e) => problems.push(Problem {
                kind: ProblemKind::Unreadable,
                record,
                label,
                detail: e.to_string(),
            }),
        }
        prev = stored;
    }
    for (kind, table) in TABLES {
        let sql = format!(
            "SELECT id FROM {table} WHERE id NOT IN (SELECT row_id FROM chain WHERE kind = '{kind}') ORDER BY id"
        );
        let mut stmt = conn.prepare(&sql)?;
        let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        for id in ids {
            let id = id?;
            let label = match sql::load_record(conn, kind, id) {
                Ok(Some(rec)) => self::label(&rec),
                _ => String::from("unreadable"),
            };
            problems.push(Problem {
                kind: ProblemKind::Unchained,
                record: format!("{kind} #{id}"),
                label,
                detail: "not written by Slipkeeper".into(),
            });
        }
    }
    Ok(VerifyReport {
        checked,
        head: hex::encode(prev),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use slipkeeper_domain::{sample, CopyType};

    // Labels are stored in the chain: the written-out form must stay the Display one.
    #[test]
    fn labels_read_as_the_keys_display() {
        let at = chrono::DateTime::UNIX_EPOCH;
        for i in 0..200 {
            let t = sample::transaction(i);
            let txn = Record {
                body: RecordBody::Transaction(t.clone()),
                recorded_at: at,
            };
            assert_eq!(label(&txn), t.key().to_string());
            for copy in [CopyType::Merchant, CopyType::Cardholder] {
                let slip = Record {
                    body: RecordBody::Slip(crate::SlipRecord {
                        txn: t.key(),
                        slip: sample::slip(&t, copy),
                    }),
                    recorded_at: at,
                };
                assert_eq!(label(&slip), format!("{} slip of {}", copy, t.key()));
            }
        }
    }
}
