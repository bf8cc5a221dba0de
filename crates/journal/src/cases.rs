//! Cases with the acquirer, their history, acquirer directory edits, and the chain
//! entries that let anyone check an evidence excerpt.

use crate::sql::{utc, UTC_TIME};
use crate::{Journal, JournalError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;
use slipkeeper_domain::{CaseStatus, Complaint};

/// A case as stored.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    /// The case's number (shown as SK-n).
    pub id: i64,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Where it stands.
    pub status: CaseStatus,
    /// What the customer or the terminal said.
    pub complaint: Complaint,
    /// The diagnosis code it was opened with.
    pub code: String,
    /// The transaction it is about, when it is in the journal.
    pub txn_id: Option<i64>,
    /// The statement line it is about, when opened from a reconciliation.
    pub statement_line_id: Option<i64>,
    /// The acquirer it is with, when chosen.
    pub acquirer_id: Option<String>,
    /// The acquirer's own reference for it.
    pub acquirer_ref: Option<String>,
    /// The day an answer is due.
    pub due_on: Option<NaiveDate>,
    /// JSON of how the transaction was identified.
    pub lookup: String,
    /// JSON of the diagnosis when the case was opened.
    pub diagnosis: String,
}

/// One entry of a case's history.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What kind of entry (opened, a status change, a note, …).
    pub kind: String,
    /// What happened, in words.
    pub text: String,
}

/// What a new case starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCase {
    /// What the customer or the terminal said.
    pub complaint: Complaint,
    /// The diagnosis code.
    pub code: String,
    /// The transaction it is about, when in the journal.
    pub txn_id: Option<i64>,
    /// The statement line it is about, when opened from a reconciliation.
    pub statement_line_id: Option<i64>,
    /// The acquirer, when chosen.
    pub acquirer_id: Option<String>,
    /// The day an answer is due (from the acquirer's response time).
    pub due_on: Option<NaiveDate>,
    /// JSON of how the transaction was identified.
    pub lookup: String,
    /// JSON of the diagnosis.
    pub diagnosis: String,
}

/// One chain entry with what it hashes: `hash = SHA-256(prev_hash || line)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChainProof {
    /// The entry's number in the chain.
    pub seq: i64,
    /// The kind of record (transaction, slip, settlement, raw_frame).
    pub kind: String,
    /// The record's row in its table.
    pub row_id: i64,
    /// What it is, for people: terminal, batch, voucher.
    pub label: String,
    /// Hex; 64 zeros for the first entry.
    pub prev_hash: String,
    /// Hex of this entry's hash.
    pub hash: String,
    /// The record's canonical JSON line, exactly as hashed.
    pub line: String,
}

fn corrupt(what: String, e: impl ToString) -> JournalError {
    JournalError::Corrupt {
        what,
        reason: e.to_string(),
    }
}

fn parse_utc(s: &str, what: &str) -> Result<DateTime<Utc>, JournalError> {
    NaiveDateTime::parse_from_str(s, UTC_TIME)
        .map(|t| t.and_utc())
        .map_err(|e| corrupt(what.to_owned(), e))
}

const CASE_COLUMNS: &str = "id, opened_at, updated_at, status, complaint, code, txn_id, statement_line_id, acquirer_id, acquirer_ref, due_on, lookup, diagnosis";

fn case_from_row(r: &rusqlite::Row<'_>) -> Result<CaseRow, JournalError> {
    let id: i64 = r.get(0)?;
    let what = format!("case #{id}");
    let status: String = r.get(3)?;
    let complaint: String = r.get(4)?;
    let due: Option<String> = r.get(10)?;
    Ok(CaseRow {
        id,
        opened_at: parse_utc(&r.get::<_, String>(1)?, &what)?,
        updated_at: parse_utc(&r.get::<_, String>(2)?, &what)?,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| corrupt(what.clone(), format!("status {status:?}")))?,
        complaint: Complaint::parse(&complaint)
            .ok_or_else(|| corrupt(what.clone(), format!("complaint {complaint:?}")))?,
        code: r.get(5)?,
        txn_id: r.get(6)?,
        statement_line_id: r.get(7)?,
        acquirer_id: r.get(8)?,
        acquirer_ref: r.get(9)?,
        due_on: due
            .map(|d| {
                NaiveDate::parse_from_str(&d, crate::sql::DATE)
                    .map_err(|e| corrupt(what.clone(), e))
            })
            .transpose()?,
        lookup: r.get(11)?,
        diagnosis: r.get(12)?,
    })
}

impl Journal {
    /// Opens a case at `now` with its first history entry; returns its number.
    pub fn open_case(&mut self, c: &NewCase, now: DateTime<Utc>) -> Result<i64, JournalError> {
        let tx = self.conn.transaction()?;
        let at = utc(&now);
        tx.execute(
            "INSERT INTO cases (opened_at, updated_at, status, complaint, code, txn_id, statement_line_id, acquirer_id, due_on, lookup, diagnosis)
             VALUES (?1, ?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![
                at,
                c.complaint.as_str(),
                c.code,
                c.txn_id,
                c.statement_line_id,
                c.acquirer_id,
                c.due_on.map(|d| d.format(crate::sql::DATE).to_string()),
                crate::scrub::json(c.lookup.clone()),
                crate::scrub::json(c.diagnosis.clone())
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO case_events (case_id, at, kind, text) VALUES (?1, ?2, 'opened', ?3)",
            rusqlite::params![id, at, format!("{} → {}", c.complaint.as_str(), c.code)],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Every case, in the order opened.
    pub fn cases(&self) -> Result<Vec<CaseRow>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY id"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(case_from_row(r)?);
        }
        Ok(out)
    }

    /// One case and its history, oldest entry first.
    pub fn case(&self, id: i64) -> Result<(CaseRow, Vec<CaseEvent>), JournalError> {
        let row = {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"))?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(r) => case_from_row(r)?,
                None => {
                    return Err(JournalError::NotFound {
                        what: format!("case #{id}"),
                    })
                }
            }
        };
        let mut stmt = self
            .conn
            .prepare("SELECT at, kind, text FROM case_events WHERE case_id = ?1 ORDER BY id")?;
        let raw: Vec<(String, String, String)> = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let events = raw
            .into_iter()
            .map(|(at, kind, text)| {
                Ok(CaseEvent {
                    at: parse_utc(&at, "case event")?,
                    kind,
                    text,
                })
            })
            .collect::<Result<_, JournalError>>()?;
        Ok((row, events))
    }

    /// Changes a case's status, reference or due date, and notes it in the history;
    /// all in one transaction.
    pub fn update_case(
        &mut self,
        id: i64,
        status: Option<CaseStatus>,
        acquirer_ref: Option<&str>,
        due_on: Option<NaiveDate>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let tx = self.conn.transaction()?;
        let at = utc(&now);
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(JournalError::NotFound {
                what: format!("case #{id}"),
            });
        }
        let event = |kind: &str, text: String| -> Result<(), JournalError> {
            tx.execute(
                "INSERT INTO case_events (case_id, at, kind, text) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, at, kind, crate::scrub::text(&text)],
            )?;
            Ok(())
        };
        if let Some(s) = status {
            event("status", s.as_str().to_owned())?;
        }
        if let Some(r) = acquirer_ref {
            event("reference", r.to_owned())?;
        }
        if let Some(d) = due_on {
            event("due", d.to_string())?;
        }
        if let Some(n) = note {
            event("note", n.to_owned())?;
        }
        tx.execute(
            "UPDATE cases SET updated_at = ?2,
                status = coalesce(?3, status),
                acquirer_ref = coalesce(?4, acquirer_ref),
                due_on = coalesce(?5, due_on)
             WHERE id = ?1",
            rusqlite::params![
                id,
                at,
                status.map(|s| s.as_str()),
                acquirer_ref.map(crate::scrub::text),
                due_on.map(|d| d.format(crate::sql::DATE).to_string())
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a line to a case's history (e.g. an evidence pack built).
    pub fn add_case_event(
        &self,
        id: i64,
        kind: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn.execute(
            "INSERT INTO case_events (case_id, at, kind, text) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, utc(&now), kind, crate::scrub::text(text)],
        )?;
        Ok(())
    }

    /// Acquirer entries the user saved (JSON), by id.
    pub fn acquirer_overrides(&self) -> Result<Vec<(String, String)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, acquirer FROM acquirers ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Saves an acquirer directory entry (JSON) under `id`, replacing the one there.
    pub fn set_acquirer(&self, id: &str, json: &str) -> Result<(), JournalError> {
        self.conn.execute(
            "INSERT INTO acquirers (id, acquirer) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET acquirer = excluded.acquirer",
            [id, &crate::scrub::json(json.to_owned())],
        )?;
        Ok(())
    }

    /// The records a transaction consists of: itself, its slips and its raw frames,
    /// as (kind, row id) in chain order.
    pub fn records_of_transaction(&self, txn_id: i64) -> Result<Vec<(String, i64)>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.kind, c.row_id FROM chain c WHERE
                (c.kind = 'transaction' AND c.row_id = ?1)
             OR (c.kind = 'slip' AND c.row_id IN (SELECT id FROM slips WHERE txn_id = ?1))
             OR (c.kind = 'raw_frame' AND c.row_id IN (SELECT id FROM raw_frames WHERE txn_id = ?1))
             ORDER BY c.seq",
        )?;
        let v = stmt
            .query_map([txn_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(v)
    }

    /// The chain entry of a stored record with the previous hash and the exact line
    /// hashed, so that the record can be checked without this program.
    pub fn chain_proof(&self, kind: &str, row_id: i64) -> Result<ChainProof, JournalError> {
        let (seq, label, hash): (i64, String, Vec<u8>) = self
            .conn
            .prepare_cached("SELECT seq, label, hash FROM chain WHERE kind = ?1 AND row_id = ?2")?
            .query_row(rusqlite::params![kind, row_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
            .ok_or_else(|| JournalError::NotFound {
                what: format!("chain entry of {kind} #{row_id}"),
            })?;
        let prev: Vec<u8> = self
            .conn
            .prepare_cached("SELECT hash FROM chain WHERE seq < ?1 ORDER BY seq DESC LIMIT 1")?
            .query_row([seq], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| crate::chain::GENESIS.to_vec());
        let rec = crate::sql::load_record(&self.conn, kind, row_id)?.ok_or_else(|| {
            JournalError::NotFound {
                what: format!("{kind} #{row_id}"),
            }
        })?;
        Ok(ChainProof {
            seq,
            kind: kind.to_owned(),
            row_id,
            label,
            prev_hash: hex::encode(prev),
            hash: hex::encode(hash),
            line: rec.to_line(),
        })
    }

    /// The settlement row id of a batch, when it has been settled.
    pub fn settlement_id(
        &self,
        terminal: &slipkeeper_domain::TerminalId,
        batch: &slipkeeper_domain::BatchNo,
    ) -> Result<Option<i64>, JournalError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM settlements WHERE terminal_id = ?1 AND batch_no = ?2")?
            .query_row([terminal.as_str(), batch.as_str()], |r| r.get(0))
            .optional()?)
    }
}

/// Checks a proof by itself: SHA-256(prev_hash || line) must equal hash.
pub fn check_proof(p: &ChainProof) -> bool {
    use sha2::{Digest, Sha256};
    let Ok(prev) = hex::decode(&p.prev_hash) else {
        return false;
    };
    let mut h = Sha256::new();
    h.update(&prev);
    h.update(p.line.as_bytes());
    hex::encode(h.finalize()) == p.hash
}
