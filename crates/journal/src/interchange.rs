//! JSON Lines import and export: the journal's own interchange format.
//!
//! One line per record, `{"type": "...", "data": {...}, "recorded_at": "..."}`, in chain
//! order. Exporting, importing into an empty journal and exporting again gives the
//! same bytes. An import is checked whole before anything is written, and then written
//! in a single transaction: a bad line, a crash or a kill leaves the journal as it was.

use crate::ingest::{Origin, Writer};
use crate::record::{Record, RecordBody};
use crate::{sql, ImportError, IngestReport, Journal, JournalError};
use chrono::{DateTime, Utc};
use rusqlite::TransactionBehavior;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// Parses one line. `now` is the storing time for lines that carry none.
pub fn parse_line(
    text: &str,
    file: &str,
    line: u64,
    now: DateTime<Utc>,
) -> Result<Record, ImportError> {
    // Messages can quote the offending value; never let that be a card number.
    let err = |field: &str, message: String| ImportError {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message: slipkeeper_domain::mask_pans_in_text(&message),
    };
    let mut v: serde_json::Map<String, Value> = match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(err("-", "expected a JSON object".into())),
        Err(e) => return Err(err("-", format!("not valid JSON: {e}"))),
    };
    let kind = match v.remove("type") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(err("type", "must be a string".into())),
        None => return Err(err("type", "missing".into())),
    };
    let recorded_at = match v.remove("recorded_at") {
        None | Some(Value::Null) => now,
        Some(x) => serde_json::from_value::<DateTime<Utc>>(x)
            .map_err(|e| err("recorded_at", format!("not an RFC 3339 time: {e}")))?,
    };
    let data = v
        .remove("data")
        .ok_or_else(|| err("data", "missing".into()))?;
    if let Some(extra) = v.keys().next() {
        return Err(err(extra, "unknown field".into()));
    }
    fn typed<T: DeserializeOwned>(data: Value) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(data).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() {
                "data".to_owned()
            } else {
                path
            };
            (field, e.into_inner().to_string())
        })
    }
    let body = match kind.as_str() {
        "transaction" => typed(data).map(RecordBody::Transaction),
        "slip" => typed(data).map(RecordBody::Slip),
        "settlement" => typed(data).map(RecordBody::Settlement),
        "raw_frame" => typed(data).map(RecordBody::RawFrame),
        other => return Err(err("type", format!("unknown record type {other:?}"))),
    }
    .map_err(|(f, m)| err(&f, m))?;
    Ok(Record { body, recorded_at })
}

fn lines_of(
    path: &Path,
) -> Result<impl Iterator<Item = (u64, std::io::Result<String>)>, JournalError> {
    let f = File::open(path).map_err(|e| JournalError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    Ok(BufReader::new(f)
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l)))
}

impl Journal {
    /// Imports a JSON Lines file. Nothing is written unless every line is valid.
    pub fn import_file(
        &mut self,
        path: &Path,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, JournalError> {
        let name = path.display().to_string();
        let io = |e: std::io::Error| JournalError::Io {
            path: path.to_owned(),
            source: e,
        };
        // Pass 1: check every line without touching the database.
        for (n, l) in lines_of(path)? {
            let l = l.map_err(io)?;
            if !l.trim().is_empty() {
                parse_line(&l, &name, n, now)?;
            }
        }
        // Pass 2: write, in one transaction.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut w = Writer::new(&tx)?;
        // Parsing and readying lines goes on beside the writing (see Writer::store_all).
        let each = lines_of(path)?.filter_map(|(n, l)| match l {
            Err(e) => Some(Err(io(e))),
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(
                parse_line(&l, &name, n, now)
                    .map(|rec| (Cow::Owned(rec), Origin(name.as_str(), n)))
                    .map_err(JournalError::from),
            ),
        });
        w.store_all(each, true)?;
        let report = std::mem::take(&mut w.report);
        drop(w); // its statements borrow the transaction
        tx.commit()?;
        if report.inserted > 0 {
            self.anchor()?;
        }
        Ok(report)
    }

    /// Writes every record, in chain order, as JSON Lines. Returns the count.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64, JournalError> {
        // One read transaction: a consistent snapshot even while a mirror keeps writing.
        let tx = self.conn.unchecked_transaction()?;
        let mut stmt = tx.prepare("SELECT kind, row_id FROM chain ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        let io = |e: std::io::Error| JournalError::Io {
            path: "<export>".into(),
            source: e,
        };
        while let Some(r) = rows.next()? {
            let (kind, id): (String, i64) = (r.get(0)?, r.get(1)?);
            let rec = sql::load_record(&tx, &kind, id)?.ok_or_else(|| JournalError::Corrupt {
                what: format!("{kind} #{id}"),
                reason: "removed; run verify".into(),
            })?;
            out.write_all(rec.to_line().as_bytes()).map_err(io)?;
            out.write_all(b"\n").map_err(io)?;
            n += 1;
        }
        Ok(n)
    }
}
