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
use std::path::Path;

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

/// One chain entry with the canonical line it hashes: what a shop sends to head office,
/// which recomputes `hash` from the previous entry's hash and `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainedRecord {
    /// The entry's number in the chain.
    pub seq: i64,
    /// The kind of record.
    pub kind: String,
    /// What it is, for people.
    pub label: String,
    /// The entry's hash.
    pub hash: [u8; 32],
    /// The record's canonical JSON line, exactly as hashed.
    pub line: String,
}

/// The hash of chain entry `seq` (the genesis hash for 0), None when there is no such
/// entry.
pub(crate) fn hash_at(conn: &Connection, seq: i64) -> Result<Option<[u8; 32]>, JournalError> {
    if seq == 0 {
        return Ok(Some(GENESIS));
    }
    let h = conn
        .prepare_cached("SELECT hash FROM chain WHERE seq = ?1")?
        .query_row([seq], |r| r.get::<_, Vec<u8>>(0))
        .optional()?;
    Ok(h.and_then(|h| to32(&h)))
}

/// Up to `limit` chain entries after `after`, in order, each with its record's line.
/// Each is checked against its predecessor as it is read: what leaves the shop must be
/// the chain as recorded, so a record changed or missing here is an error naming the
/// entry, never sent.
pub(crate) fn entries_after(
    conn: &Connection,
    after: i64,
    limit: usize,
) -> Result<Vec<ChainedRecord>, JournalError> {
    let broken = |seq: i64, why: &str| JournalError::Corrupt {
        what: format!("chain entry {seq}"),
        reason: format!("{why}; run `slipkeeper journal verify`"),
    };
    let mut prev = hash_at(conn, after)?.ok_or_else(|| broken(after, "it is missing"))?;
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, row_id, label, hash FROM chain WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(rusqlite::params![after, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (expected, (seq, kind, row_id, label, hash)) in (after + 1..).zip(rows) {
        if seq != expected {
            return Err(broken(expected, "it was removed from the chain"));
        }
        let hash = to32(&hash).ok_or_else(|| broken(seq, "its hash is not 32 bytes"))?;
        let rec = sql::load_record(conn, &kind, row_id)?
            .ok_or_else(|| broken(seq, &format!("its {kind} #{row_id} was removed")))?;
        let line = rec.to_line();
        if link(&prev, &line) != hash {
            return Err(broken(
                seq,
                &format!("its {kind} #{row_id} no longer matches its hash"),
            ));
        }
        prev = hash;
        out.push(ChainedRecord {
            seq,
            kind,
            label,
            hash,
            line,
        });
    }
    Ok(out)
}

/// What kind of problem `verify` found.
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
    /// A column derived from the record (the card's last four, which searches use)
    /// disagrees with the record itself.
    Inconsistent,
    /// SQLite's own check found the file damaged: an index that no longer matches its
    /// table (a lookup would miss rows that are there), a broken page.
    Damaged,
    /// The chain is shorter than an anchor written outside the file says it was: the
    /// newest records were removed together with their chain entries.
    Truncated,
    /// An anchor names a head the chain does not have at that length, and no recorded
    /// rewrite explains it: the chain was recomputed outside Slipkeeper.
    AnchorMismatch,
}

/// One problem `verify` found, with the record it is about.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind.
    pub kind: ProblemKind,
    /// e.g. "transaction #17".
    pub record: String,
    /// What it was: terminal, batch, voucher…
    pub label: String,
    /// More about it, when there is more to say.
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

/// What `verify` found.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Chain entries checked.
    pub checked: u64,
    /// Hex of the last chain hash: write it down to anchor the journal's current state.
    pub head: String,
    /// Every problem found; empty when the journal is intact.
    pub problems: Vec<Problem>,
    /// Every time Slipkeeper itself recomputed the chain, and why (e.g. the migration
    /// that masked card numbers kept by older versions). Not a problem: a record.
    pub rewrites: Vec<ChainRewrite>,
    /// The longest chain an anchor outside the file vouches for (None: no anchors
    /// file beside the journal, e.g. a copy).
    pub anchored: Option<i64>,
}

/// One recorded recomputation of the chain (table `chain_rewrites`).
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainRewrite {
    /// UTC, as stored.
    pub at: String,
    /// Why Slipkeeper recomputed it.
    pub reason: String,
    /// The first entry recomputed.
    pub from_seq: i64,
    /// The newest entry then.
    pub head_seq: i64,
    /// Hex of the head before.
    pub old_head: String,
    /// Hex of the head after.
    pub new_head: String,
    /// How many records were rewritten.
    pub records: i64,
}

/// What `verify` cannot see, said plainly wherever its result is shown.
pub const VERIFY_LIMITS: &str = "verify cannot detect: a change made by someone who rewrote \
the whole chain and the anchors file beside the journal together (compare the head with one \
kept elsewhere — a backup, an evidence pack, a note); records that never reached Slipkeeper; \
settings outside the chain (terminals, merchant profile, cases)";

impl VerifyReport {
    /// No problem found.
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

/// Checks the chain, the rows around it, derived columns, SQLite's own structure and,
/// when `journal` is the file's path, the anchors written beside it.
pub(crate) fn verify(
    conn: &Connection,
    journal: Option<&Path>,
) -> Result<VerifyReport, JournalError> {
    let mut problems = Vec::new();
    // SQLite's structure first: with a damaged index, the lookups below could miss rows.
    let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
    let damage: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    if damage != ["ok"] {
        for d in damage {
            problems.push(Problem {
                kind: ProblemKind::Damaged,
                record: "database file".into(),
                label: "SQLite integrity check".into(),
                detail: d,
            });
        }
    }
    let anchors = match journal {
        Some(p) => Some(crate::anchors::read(p)?),
        None => None,
    };
    let wanted: std::collections::HashMap<i64, [u8; 32]> = anchors
        .iter()
        .flat_map(|a| a.anchors.iter().map(|x| (x.seq, x.hash)))
        .collect();
    let mut at_anchor: Vec<(i64, [u8; 32])> = Vec::new();
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
        if let Some(h) = wanted.get(&seq) {
            if *h != stored {
                at_anchor.push((seq, *h));
            }
        }
        match sql::load_record(conn, &kind, row_id) {
            Ok(Some(rec)) => {
                let now = self::label(&rec);
                if link(&prev, &rec.to_line()) != stored {
                    problems.push(Problem {
                        kind: ProblemKind::Altered,
                        record,
                        label: label.clone(),
                        detail: format!("now: {now}"),
                    });
                } else if now != label {
                    // The label is not hashed: it names the record even once removed,
                    // so it must say what the hashed record is.
                    problems.push(Problem {
                        kind: ProblemKind::Altered,
                        record,
                        label: label.clone(),
                        detail: format!("the chain's label was changed; the record is {now}"),
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
    derived_columns(conn, &mut problems)?;
    let rewrites = rewrites(conn)?;
    let mut anchored = None;
    if let Some(a) = &anchors {
        for line in &a.bad_lines {
            problems.push(Problem {
                kind: ProblemKind::AnchorMismatch,
                record: format!("anchors file line {line}"),
                label: "not an anchor".into(),
                detail: "the anchors file beside the journal was edited".into(),
            });
        }
        if let Some(newest) = a.anchors.iter().map(|x| x.seq).max() {
            anchored = Some(newest);
            if newest > checked as i64 {
                problems.push(Problem {
                    kind: ProblemKind::Truncated,
                    record: format!("chain entries {}..{newest}", checked + 1),
                    label: format!("{} newest record(s) removed", newest - checked as i64),
                    detail: format!(
                        "an anchor written after a commit says the chain had {newest} entries; it has {checked}"
                    ),
                });
            }
        }
        for (seq, h) in at_anchor {
            // A recorded rewrite from an entry at or before this one explains it.
            if rewrites
                .iter()
                .any(|r| r.from_seq <= seq && seq <= r.head_seq)
            {
                continue;
            }
            problems.push(Problem {
                kind: ProblemKind::AnchorMismatch,
                record: format!("chain entry {seq}"),
                label: "the chain was recomputed".into(),
                detail: format!("anchored head {}", hex::encode(h)),
            });
        }
    }
    Ok(VerifyReport {
        checked,
        head: hex::encode(prev),
        problems,
        rewrites,
        anchored,
    })
}

/// A copy's chain (a backup) against the anchors of the journal at `journal`, for the
/// entries the copy holds: a backup is older, so only a mismatch counts, not length.
pub(crate) fn against_anchors(
    conn: &Connection,
    journal: &Path,
    rewrites: &[ChainRewrite],
) -> Result<Vec<Problem>, JournalError> {
    let read = crate::anchors::read(journal)?;
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT hash FROM chain WHERE seq = ?1")?;
    for a in read.anchors {
        let Some(h) = stmt
            .query_row([a.seq], |r| r.get::<_, Vec<u8>>(0))
            .optional()?
        else {
            continue;
        };
        let explained = rewrites
            .iter()
            .any(|r| r.from_seq <= a.seq && a.seq <= r.head_seq);
        if h[..] != a.hash[..] && !explained {
            out.push(Problem {
                kind: ProblemKind::AnchorMismatch,
                record: format!("chain entry {}", a.seq),
                label: "differs from what this journal anchored".into(),
                detail: format!("anchored head {}", hex::encode(a.hash)),
            });
        }
    }
    Ok(out)
}

/// Columns kept beside the record for searching must say what the record says.
fn derived_columns(conn: &Connection, problems: &mut Vec<Problem>) -> Result<(), JournalError> {
    let mut stmt = conn.prepare(
        "SELECT id, terminal_id, batch_no, trace_no, kind, pan, pan_last4 FROM transactions
         WHERE pan_last4 IS NOT substr(pan, -4) ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            format!(
                "terminal {} batch {} voucher {} ({})",
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?
            ),
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    for row in rows {
        let (id, label, pan, last4) = row?;
        problems.push(Problem {
            kind: ProblemKind::Inconsistent,
            record: format!("transaction #{id}"),
            label,
            detail: format!(
                "pan_last4 is {} but the card number is {}; a search by last four finds the wrong card",
                last4.as_deref().unwrap_or("empty"),
                pan.as_deref().unwrap_or("empty")
            ),
        });
    }
    Ok(())
}

fn rewrites(conn: &Connection) -> Result<Vec<ChainRewrite>, JournalError> {
    let mut stmt = conn.prepare(
        "SELECT at, reason, from_seq, head_seq, old_head, new_head, records FROM chain_rewrites ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ChainRewrite {
            at: r.get(0)?,
            reason: r.get(1)?,
            from_seq: r.get(2)?,
            head_seq: r.get(3)?,
            old_head: hex::encode(r.get::<_, Vec<u8>>(4)?),
            new_head: hex::encode(r.get::<_, Vec<u8>>(5)?),
            records: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
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
