//! Idempotent writes. Every write goes through [`Writer`], inside one immediate
//! transaction, so the rows and their chain entries commit together or not at all.

use crate::chain::{self, Head};
use crate::record::{Record, RecordBody};
use crate::{sql, Journal, JournalError};
use rusqlite::{CachedStatement, Connection, TransactionBehavior};
use serde::Serialize;
use slipkeeper_domain::{mask_pans, BatchNo, TerminalId, TxnKey};
use std::borrow::Cow;
use std::collections::HashSet;

/// What a write did. A replay is not an error: it is counted and reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Records stored now.
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
    /// Adds `other`'s counts to these (and its examples, up to the limit).
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
    last_batch: Option<(TerminalId, BatchNo)>,
    /// The transaction written last: its slip usually comes right after it.
    last_txn: Option<(TxnKey, i64)>,
    // The hot statements, held: a cached lookup hashes the whole SQL text every time.
    insert_batch: CachedStatement<'c>,
    insert_txn: CachedStatement<'c>,
    insert_slip: CachedStatement<'c>,
    insert_entry: CachedStatement<'c>,
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

/// A record made ready to store: everything that needs no database (masking, checks,
/// the canonical line and its label), so that a large batch can do this on a second
/// thread while the first one writes.
pub(crate) struct Prepared<'r> {
    rec: Cow<'r, Record>,
    line: String,
    label: String,
    recorded_at: String,
    /// `(prev, link(prev, line))` worked out ahead, assuming every record before this
    /// one is stored; used only if the chain's head really is `prev` when it is.
    ahead: Option<([u8; 32], [u8; 32])>,
}

/// A record that cannot be stored whatever the database holds.
pub(crate) struct BadRecord {
    field: &'static str,
    message: String,
}

impl From<BadRecord> for WriteError {
    fn from(b: BadRecord) -> Self {
        WriteError::Bad {
            field: b.field,
            message: b.message,
        }
    }
}

/// Readies one record for [`Writer::store`].
pub(crate) fn prepare(rec: Cow<'_, Record>) -> Result<Prepared<'_>, BadRecord> {
    // Scrub card numbers first: the chain hashes what is stored, and only masked
    // text is ever stored.
    let rec = normalise(rec);
    if let RecordBody::Slip(s) = &rec.body {
        sql::check_slip_lines(&s.slip).map_err(|e| BadRecord {
            field: "lines",
            message: e.to_string(),
        })?;
    }
    Ok(Prepared {
        line: rec.to_line(),
        label: chain::label(&rec),
        recorded_at: sql::utc(&rec.recorded_at),
        rec,
        ahead: None,
    })
}

/// Batches at least this long are readied on a second thread; below it a thread costs
/// more than it saves (a live booking is a handful of records).
const PIPELINE_FROM: usize = 256;
/// Records handed over at a time, and how many hand-overs may wait: bounds the memory
/// of a long import to a few thousand readied records.
const CHUNK: usize = 512;
const CHUNKS_WAITING: usize = 4;

impl<'c> Writer<'c> {
    pub fn new(conn: &'c Connection) -> Result<Self, JournalError> {
        Ok(Writer {
            conn,
            head: chain::head(conn)?,
            report: IngestReport::default(),
            batches: HashSet::new(),
            last_batch: None,
            last_txn: None,
            insert_batch: conn.prepare_cached(
                "INSERT INTO batches (terminal_id, batch_no) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?,
            insert_txn: conn.prepare_cached(sql::INSERT_TXN)?,
            insert_slip: conn.prepare_cached(sql::INSERT_SLIP)?,
            insert_entry: conn.prepare_cached(chain::INSERT_ENTRY)?,
        })
    }

    fn ensure_batch(&mut self, terminal: &TerminalId, batch: &BatchNo) -> Result<(), JournalError> {
        // Records come batch by batch: compare with the last one before building a key.
        if self
            .last_batch
            .as_ref()
            .is_some_and(|(t, b)| t == terminal && b == batch)
        {
            return Ok(());
        }
        let key = (terminal.clone(), batch.clone());
        if !self.batches.contains(&key) {
            self.insert_batch
                .execute([terminal.as_str(), batch.as_str()])?;
            self.batches.insert(key.clone());
        }
        self.last_batch = Some(key);
        Ok(())
    }

    fn txn_id(&self, key: &TxnKey) -> Result<Option<i64>, JournalError> {
        match &self.last_txn {
            Some((k, id)) if k == key => Ok(Some(*id)),
            _ => sql::txn_id_by_key(self.conn, key),
        }
    }

    /// Stores a readied record unless its key is stored already, and chains it.
    pub fn store(&mut self, p: Prepared<'_>) -> Result<(), WriteError> {
        let rec: &Record = &p.rec;
        let at = p.recorded_at.as_str();
        let inserted = match &rec.body {
            RecordBody::Transaction(t) => {
                self.ensure_batch(&t.terminal_id, &t.batch_no)?;
                match sql::insert_txn(self.conn, &mut self.insert_txn, t, at)? {
                    Some(id) => {
                        self.last_txn = Some((t.key(), id));
                        Some(id)
                    }
                    None => {
                        let stored = sql::txn_id_by_key(self.conn, &t.key())?
                            .map(|id| sql::load_txn(self.conn, id))
                            .transpose()?
                            .flatten();
                        self.replayed(stored.map(|(s, _)| &s == t).unwrap_or(false), &p.label);
                        None
                    }
                }
            }
            RecordBody::Slip(s) => {
                let txn_id = self.txn_id(&s.txn)?.ok_or_else(|| WriteError::Bad {
                    field: "txn",
                    message: format!("the slip belongs to {}, which is not in this file before it nor in the journal", s.txn),
                })?;
                match sql::insert_slip(self.conn, &mut self.insert_slip, txn_id, &s.slip, at)? {
                    Some(id) => Some(id),
                    None => {
                        let same = sql::slips_of_txn(self.conn, txn_id)?
                            .iter()
                            .any(|x| x == &s.slip);
                        self.replayed(same, &p.label);
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
                        self.replayed(stored.map(|(_, x, _)| &x == s).unwrap_or(false), &p.label);
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
                    self.replayed(true, &p.label);
                }
                id
            }
        };
        if let Some(id) = inserted {
            let hash = match p.ahead {
                Some((prev, hash)) if prev == self.head.hash => hash,
                _ => chain::link(&self.head.hash, &p.line),
            };
            chain::append(
                &mut self.insert_entry,
                &mut self.head,
                rec.body.kind(),
                id,
                &p.label,
                hash,
            )?;
            self.report.inserted += 1;
            if matches!(rec.body, RecordBody::Transaction(_)) {
                self.report.inserted_transactions += 1;
            }
        }
        Ok(())
    }

    fn replayed(&mut self, identical: bool, label: &str) {
        if identical {
            self.report.duplicates += 1;
        } else {
            self.report.conflicts += 1;
            if self.report.conflict_examples.len() < 10 {
                self.report.conflict_examples.push(label.to_owned());
            }
        }
    }

    /// Stores records in order. With `long` (a batch of [`PIPELINE_FROM`] records or
    /// more, or a file), a second thread readies them (and works out their chain
    /// hashes ahead) while this one writes.
    /// `records` yields each record with the name of where it came from (file, line)
    /// or the reason it could not even be read; the first failure, in order, stops it.
    pub fn store_all<'r, 'o, I>(&mut self, records: I, long: bool) -> Result<(), JournalError>
    where
        I: Iterator<Item = Result<(Cow<'r, Record>, Origin<'o>), JournalError>> + Send,
    {
        if !long {
            for r in records {
                let (rec, origin) = r?;
                let p = prepare(rec).map_err(|b| WriteError::from(b).at(origin.0, origin.1))?;
                self.store(p).map_err(|e| e.at(origin.0, origin.1))?;
            }
            return Ok(());
        }
        type Readied<'r, 'o> = Result<(Prepared<'r>, Origin<'o>), JournalError>;
        let start = self.head.hash;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Readied<'r, 'o>>>(CHUNKS_WAITING);
            scope.spawn(move || {
                let mut prev = start;
                let mut chunk = Vec::with_capacity(CHUNK);
                for r in records {
                    let readied = r.and_then(|(rec, origin)| match prepare(rec) {
                        Ok(mut p) => {
                            let hash = chain::link(&prev, &p.line);
                            p.ahead = Some((prev, hash));
                            prev = hash;
                            Ok((p, origin))
                        }
                        Err(b) => Err(WriteError::from(b).at(origin.0, origin.1)),
                    });
                    let stop = readied.is_err();
                    chunk.push(readied);
                    if stop || chunk.len() == CHUNK {
                        // The writer hung up: it failed, nothing more is wanted.
                        if tx.send(std::mem::take(&mut chunk)).is_err() || stop {
                            return;
                        }
                    }
                }
                if !chunk.is_empty() {
                    let _ = tx.send(chunk);
                }
            });
            for chunk in rx {
                for r in chunk {
                    let (p, origin) = r?;
                    self.store(p).map_err(|e| e.at(origin.0, origin.1))?;
                }
            }
            Ok(())
        })
    }
}

/// Where a record came from, for error messages: file name (or `<records>`) and line.
pub(crate) struct Origin<'a>(pub &'a str, pub u64);

/// The record as it will be stored: every card number in it masked — slip text, the
/// free-text fields of a transaction, and the card data of a raw frame (which is then
/// marked `masked`). Unchanged (and not copied) in the common case where there is
/// nothing to mask.
pub(crate) fn normalise(rec: Cow<'_, Record>) -> Cow<'_, Record> {
    let text = |t: &Option<String>| {
        t.as_deref()
            .is_some_and(|t| matches!(mask_pans(t), Cow::Owned(_)))
    };
    match &rec.body {
        RecordBody::Slip(s)
            if s.slip
                .lines
                .iter()
                .any(|l| matches!(mask_pans(l), Cow::Owned(_))) =>
        {
            let mut owned = rec.into_owned();
            if let RecordBody::Slip(s) = &mut owned.body {
                for l in &mut s.slip.lines {
                    if let Cow::Owned(m) = mask_pans(l) {
                        *l = m;
                    }
                }
            }
            Cow::Owned(owned)
        }
        RecordBody::Transaction(t) if text(&t.issuer) || text(&t.acquirer) => {
            let mut owned = rec.into_owned();
            if let RecordBody::Transaction(t) = &mut owned.body {
                for f in [&mut t.issuer, &mut t.acquirer].into_iter().flatten() {
                    if let Cow::Owned(m) = mask_pans(f) {
                        *f = m;
                    }
                }
            }
            Cow::Owned(owned)
        }
        RecordBody::RawFrame(f) => {
            let m = slipkeeper_zvt::mask_card_data(&f.bytes);
            if !m.masked {
                return rec;
            }
            let mut owned = rec.into_owned();
            if let RecordBody::RawFrame(f) = &mut owned.body {
                f.bytes = m.bytes;
                f.masked = true;
            }
            Cow::Owned(owned)
        }
        _ => rec,
    }
}

impl Journal {
    /// Stores `records` in one transaction: all of them, or (on error) none.
    pub fn ingest(&mut self, records: &[Record]) -> Result<IngestReport, JournalError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut w = Writer::new(&tx)?;
        let each = records
            .iter()
            .enumerate()
            .map(|(i, r)| Ok((Cow::Borrowed(r), Origin("<records>", i as u64 + 1))));
        w.store_all(each, records.len() >= PIPELINE_FROM)?;
        let report = std::mem::take(&mut w.report);
        drop(w); // its statements borrow the transaction
        tx.commit()?;
        if report.inserted > 0 {
            self.anchor()?;
        }
        Ok(report)
    }

    /// Checks the hash chain, the rows written around it, derived columns, the file's
    /// structure and the anchors beside it. See [`crate::VERIFY_LIMITS`] for what it
    /// cannot see.
    pub fn verify(&self) -> Result<crate::VerifyReport, JournalError> {
        chain::verify(&self.conn, Some(&self.path))
    }

    /// Up to `limit` chain entries after entry `after`, each with the canonical line
    /// it hashes and checked against its predecessor: what a shop sends to head
    /// office. A record changed or removed since it was chained is an error.
    pub fn chained_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<crate::ChainedRecord>, JournalError> {
        chain::entries_after(&self.conn, after, limit)
    }

    /// The hash of chain entry `seq` (32 zero bytes for 0); None past the head.
    pub fn chain_hash_at(&self, seq: i64) -> Result<Option<[u8; 32]>, JournalError> {
        chain::hash_at(&self.conn, seq)
    }

    /// Writes the chain's head to the anchors file after a commit that moved it, and
    /// to the log: a second copy outside the file, kept apart from the anchors.
    pub(crate) fn anchor(&self) -> Result<(), JournalError> {
        let head = chain::head(&self.conn)?;
        tracing::info!(
            target: "slipkeeper_journal::anchor",
            seq = head.seq,
            head = %hex::encode(head.hash),
            "chain head"
        );
        crate::anchors::append(&self.path, (&head).into())
    }
}
