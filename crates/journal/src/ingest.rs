//! Idempotent writes. Every write goes through [`Writer`], inside one immediate
//! transaction, so the rows and their chain entries commit together or not at all.

use crate::chain::{self, Head};
use crate::record::{Record, RecordBody};
use crate::{sql, Journal, JournalError};
use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;
use slipkeeper_domain::{mask_pans_in_text, BatchNo, SlipText, TerminalId, TxnKey};
use std::borrow::Cow;
use std::collections::HashSet;

/// What a write did. A replay is not an error: it is counted and reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub inserted: u64,
    /// Of `inserted`, how many were transactions.
    pub inserted_transactions: u64,
    /// Records already stored, identical: skipped.
    pub duplicates: u64,
    /// Records whose key is stored with different content: the stored one is kept.
    pub conflicts: u64,
    /// The first few conflicting keys, to show the user.
    pub conflict_examples: Vec<String>,
}

impl IngestReport {
    pub fn merge(&mut self, other: IngestReport) {
        self.inserted += other.inserted;
        self.inserted_transactions += other.inserted_transactions;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        for e in other.conflict_examples {
            if self.conflict_examples.len() < 10 {
                self.conflict_examples.push(e);
            }
        }
    }
}

pub(crate) struct Writer<'c> {
    conn: &'c Connection,
    head: Head,
    pub report: IngestReport,
    /// Batches known to exist, so that most records skip that insert.
    batches: HashSet<(TerminalId, BatchNo)>,
    /// The transaction written last: its slip usually comes right after it.
    last_txn: Option<(TxnKey, i64)>,
}

/// Why a single record could not be written (distinct from database failure).
pub(crate) enum WriteError {
    Bad {
        field: &'static str,
        message: String,
    },
    Db(JournalError),
}

impl WriteError {
    /// A bad record becomes an import error naming where it came from.
    pub(crate) fn at(self, file: &str, line: u64) -> JournalError {
        match self {
            WriteError::Bad { field, message } => JournalError::Import(crate::ImportError {
                file: file.to_owned(),
                line,
                field: field.into(),
                message,
            }),
            WriteError::Db(e) => e,
        }
    }
}

impl From<JournalError> for WriteError {
    fn from(e: JournalError) -> Self {
        match e {
            JournalError::Invalid(d) => WriteError::Bad {
                field: d.field().unwrap_or("data"),
                message: d.to_string(),
            },
            other => WriteError::Db(other),
        }
    }
}
impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        WriteError::Db(e.into())
    }
}

impl<'c> Writer<'c> {
    pub fn new(conn: &'c Connection) -> Result<Self, JournalError> {
        Ok(Writer {
            conn,
            head: chain::head(conn)?,
            report: IngestReport::default(),
            batches: HashSet::new(),
            last_txn: None,
        })
    }

    fn ensure_batch(&mut self, terminal: &TerminalId, batch: &BatchNo) -> Result<(), JournalError> {
        let key = (terminal.clone(), batch.clone());
        if !self.batches.contains(&key) {
            sql::insert_batch(self.conn, terminal, batch)?;
            self.batches.insert(key);
        }
        Ok(())
    }

    fn txn_id(&self, key: &TxnKey) -> Result<Option<i64>, JournalError> {
        match &self.last_txn {
            Some((k, id)) if k == key => Ok(Some(*id)),
            _ => sql::txn_id_by_key(self.conn, key),
        }
    }

    pub fn write(&mut self, rec: &Record) -> Result<(), WriteError> {
        // Scrub card numbers first: the chain hashes what is stored, and only masked
        // text is ever stored.
        let rec = normalise(rec);
        let rec: &Record = &rec;
        sql_check(rec)?;
        let at = &rec.recorded_at;
        let inserted = match &rec.body {
            RecordBody::Transaction(t) => {
                self.ensure_batch(&t.terminal_id, &t.batch_no)?;
                match sql::insert_txn(self.conn, t, at)? {
                    Some(id) => {
                        self.last_txn = Some((t.key(), id));
                        Some(id)
                    }
                    None => {
                        let stored = sql::txn_id_by_key(self.conn, &t.key())?
                            .map(|id| sql::load_txn(self.conn, id))
                            .transpose()?
                            .flatten();
                        self.replayed(stored.map(|(s, _)| &s == t).unwrap_or(false), rec);
                        None
                    }
                }
            }
            RecordBody::Slip(s) => {
                let txn_id = self.txn_id(&s.txn)?.ok_or_else(|| WriteError::Bad {
                    field: "txn",
                    message: format!("the slip belongs to {}, which is not in this file before it nor in the journal", s.txn),
                })?;
                match sql::insert_slip(self.conn, txn_id, &s.slip, at)? {
                    Some(id) => Some(id),
                    None => {
                        let same = sql::slips_of_txn(self.conn, txn_id)?
                            .iter()
                            .any(|x| x == &s.slip);
                        self.replayed(same, rec);
                        None
                    }
                }
            }
            RecordBody::Settlement(s) => {
                self.ensure_batch(&s.terminal_id, &s.batch_no)?;
                match sql::insert_settlement(self.conn, s, at)? {
                    Some(id) => Some(id),
                    None => {
                        let stored = sql::load_settlement_where(
                            self.conn,
                            "terminal_id = ?1 AND batch_no = ?2",
                            [s.terminal_id.as_str(), s.batch_no.as_str()],
                        )?;
                        self.replayed(stored.map(|(_, x, _)| &x == s).unwrap_or(false), rec);
                        None
                    }
                }
            }
            RecordBody::RawFrame(f) => {
                let txn_id = match &f.txn {
                    Some(k) => Some(self.txn_id(k)?.ok_or_else(|| WriteError::Bad {
                        field: "txn",
                        message: format!("the frame is linked to {k}, which is not in the journal"),
                    })?),
                    None => None,
                };
                let id = sql::insert_frame(self.conn, f, txn_id, at)?;
                if id.is_none() {
                    self.replayed(true, rec);
                }
                id
            }
        };
        if let Some(id) = inserted {
            chain::append(self.conn, &mut self.head, rec, id)?;
            self.report.inserted += 1;
            if matches!(rec.body, RecordBody::Transaction(_)) {
                self.report.inserted_transactions += 1;
            }
        }
        Ok(())
    }

    fn replayed(&mut self, identical: bool, rec: &Record) {
        if identical {
            self.report.duplicates += 1;
        } else {
            self.report.conflicts += 1;
            if self.report.conflict_examples.len() < 10 {
                self.report.conflict_examples.push(chain::label(rec));
            }
        }
    }
}

/// The record as it will be stored: slip text with card numbers masked. Borrowed
/// unchanged in the common case where there is nothing to mask.
fn normalise(rec: &Record) -> Cow<'_, Record> {
    match &rec.body {
        RecordBody::Slip(s) => {
            let masked: Vec<String> = s.slip.lines.iter().map(|l| mask_pans_in_text(l)).collect();
            if masked == s.slip.lines {
                return Cow::Borrowed(rec);
            }
            let mut s = s.clone();
            s.slip = SlipText {
                lines: masked,
                ..s.slip
            };
            Cow::Owned(Record {
                body: RecordBody::Slip(s),
                recorded_at: rec.recorded_at,
            })
        }
        _ => Cow::Borrowed(rec),
    }
}

fn sql_check(rec: &Record) -> Result<(), WriteError> {
    if let RecordBody::Slip(s) = &rec.body {
        sql::check_slip_lines(&s.slip).map_err(|e| WriteError::Bad {
            field: "lines",
            message: e.to_string(),
        })?;
    }
    Ok(())
}

impl Journal {
    /// Stores `records` in one transaction: all of them, or (on error) none.
    pub fn ingest(&mut self, records: &[Record]) -> Result<IngestReport, JournalError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut w = Writer::new(&tx)?;
        for (i, rec) in records.iter().enumerate() {
            w.write(rec).map_err(|e| e.at("<records>", i as u64 + 1))?;
        }
        let report = w.report;
        tx.commit()?;
        Ok(report)
    }

    /// Checks the hash chain and looks for rows written around it.
    pub fn verify(&self) -> Result<crate::VerifyReport, JournalError> {
        chain::verify(&self.conn)
    }
}
