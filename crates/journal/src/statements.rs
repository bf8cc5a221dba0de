//! Acquirer statements: imported whole or not at all, never twice.

use crate::query::Probe;
use crate::sql::{local, utc};
use crate::{Journal, JournalError};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, TransactionBehavior};
use slipkeeper_domain::{AuthCode, Rrn, StatementLine, TerminalId, TraceNo, Transaction};
use std::collections::HashSet;

/// What importing one statement file did.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatementImport {
    /// The stored statement, or the earlier one when this exact file was imported before.
    pub statement_id: i64,
    /// True when this exact file (same SHA-256) was imported before: nothing was written.
    pub same_file: bool,
    /// Lines stored now.
    pub new_lines: u64,
    /// Lines already stored from another file (an overlapping period, a re-export).
    pub known_lines: u64,
}

/// A stored statement file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatementFile {
    /// Its id.
    pub id: i64,
    /// The file's name as imported.
    pub file_name: String,
    /// Hex SHA-256 of the file: the same file is not imported twice.
    pub file_sha256: String,
    /// The mapping that read it.
    pub mapping_id: String,
    /// The acquirer it came from, when said.
    pub acquirer: Option<String>,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// Lines read from it.
    pub line_count: u64,
}

fn corrupt(what: String, e: impl ToString) -> JournalError {
    JournalError::Corrupt {
        what,
        reason: e.to_string(),
    }
}

/// What identifies a line at the acquirer, across files.
fn line_key(l: &StatementLine) -> String {
    let o = |v: Option<&str>| v.unwrap_or("").to_owned();
    [
        o(l.merchant_id.as_ref().map(|v| v.as_str())),
        o(l.terminal_id.as_ref().map(|v| v.as_str())),
        o(l.trace_no.as_ref().map(|v| v.as_str())),
        o(l.rrn.as_ref().map(|v| v.as_str())),
        local(&l.occurred_at),
        l.kind.as_str().to_owned(),
        l.amount.minor().to_string(),
        l.amount.currency().as_str().to_owned(),
    ]
    .join("|")
}

/// What to look statement lines up by: every field given must match.
#[derive(Clone, Debug, Default)]
pub struct LineQuery {
    /// The terminal id.
    pub terminal: Option<TerminalId>,
    /// The voucher (trace) number.
    pub voucher: Option<TraceNo>,
    /// The reference number.
    pub rrn: Option<Rrn>,
    /// The authorisation code.
    pub auth_code: Option<AuthCode>,
    /// The card's last four digits.
    pub last4: Option<String>,
    /// The exact amount in minor units.
    pub amount_minor: Option<i64>,
    /// Lines matching at least one of these (a search box read every way it could be).
    pub any_of: Vec<Probe>,
    /// Terminal local time, inclusive.
    pub from: Option<NaiveDateTime>,
    /// Terminal local time, exclusive.
    pub to: Option<NaiveDateTime>,
    /// 0 means 200.
    pub limit: u64,
    /// Newest first (a list to browse) instead of oldest first.
    pub newest_first: bool,
}

/// The columns [`stored_row`] reads: a line and the file it came from.
const STORED_LINE: &str = "SELECT l.id, l.statement_id, s.file_name, s.imported_at, l.line
     FROM statement_lines l JOIN statements s ON s.id = l.statement_id";

type StoredRow = (i64, i64, String, String, String);

fn stored_row(r: &rusqlite::Row) -> rusqlite::Result<StoredRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn stored_line(
    (id, statement_id, file_name, at, json): StoredRow,
) -> Result<StoredLine, JournalError> {
    let line =
        serde_json::from_str(&json).map_err(|e| corrupt(format!("statement line #{id}"), e))?;
    let imported_at = NaiveDateTime::parse_from_str(&at, crate::sql::UTC_TIME)
        .map_err(|e| corrupt(format!("statement #{statement_id}"), e))?
        .and_utc();
    Ok(StoredLine {
        id,
        statement_id,
        file_name,
        imported_at,
        line,
    })
}

/// A stored statement line with the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLine {
    /// The line's id.
    pub id: i64,
    /// The statement file it came from.
    pub statement_id: i64,
    /// That file's name.
    pub file_name: String,
    /// When that file was imported.
    pub imported_at: DateTime<Utc>,
    /// The line.
    pub line: StatementLine,
}

impl Journal {
    /// Stores a parsed statement in one transaction: all its lines or none.
    pub fn import_statement(
        &mut self,
        file_name: &str,
        file_sha256: &str,
        mapping_id: &str,
        acquirer: Option<&str>,
        lines: &[StatementLine],
        now: DateTime<Utc>,
    ) -> Result<StatementImport, JournalError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let earlier: Option<i64> = tx
            .query_row(
                "SELECT id FROM statements WHERE file_sha256 = ?1",
                [file_sha256],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = earlier {
            return Ok(StatementImport {
                statement_id: id,
                same_file: true,
                new_lines: 0,
                known_lines: lines.len() as u64,
            });
        }
        tx.execute(
            "INSERT INTO statements (file_name, file_sha256, mapping_id, acquirer, imported_at, line_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![crate::scrub::text(file_name), file_sha256, mapping_id, acquirer, utc(&now), lines.len() as i64],
        )?;
        let id = tx.last_insert_rowid();
        let (mut new_lines, mut known_lines) = (0, 0);
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO statement_lines (statement_id, line_key, occurred_at, line,
                     terminal_id, trace_no, rrn, auth_code, last4, amount_minor, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (line_key) DO NOTHING",
            )?;
            for l in lines {
                let json = serde_json::to_string(l)
                    .map_err(|e| corrupt(format!("{file_name}:{}", l.line_no), e))?;
                match ins.execute(rusqlite::params![
                    id,
                    line_key(l),
                    local(&l.occurred_at),
                    crate::scrub::json(json),
                    l.terminal_id.as_ref().map(|v| v.as_str()),
                    l.trace_no.as_ref().map(|v| v.as_str()),
                    l.rrn.as_ref().map(|v| v.as_str()),
                    l.auth_code.as_ref().map(|v| v.as_str()),
                    l.last4(),
                    l.amount.minor(),
                    l.kind.as_str(),
                ])? {
                    0 => known_lines += 1,
                    _ => new_lines += 1,
                }
            }
        }
        tx.commit()?;
        Ok(StatementImport {
            statement_id: id,
            same_file: false,
            new_lines,
            known_lines,
        })
    }

    /// Every imported statement file, in the order imported.
    pub fn statements(&self) -> Result<Vec<StatementFile>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file_name, file_sha256, mapping_id, acquirer, imported_at, line_count
             FROM statements ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, file_name, file_sha256, mapping_id, acquirer, at, n) = row?;
            let imported_at = NaiveDateTime::parse_from_str(&at, crate::sql::UTC_TIME)
                .map_err(|e| corrupt(format!("statement #{id}"), e))?
                .and_utc();
            out.push(StatementFile {
                id,
                file_name,
                file_sha256,
                mapping_id,
                acquirer,
                imported_at,
                line_count: n as u64,
            });
        }
        Ok(out)
    }

    /// Statement lines with `from <= time < to` (terminal local time), with their ids.
    pub fn statement_lines(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<(i64, StatementLine)>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, line FROM statement_lines WHERE occurred_at >= ?1 AND occurred_at < ?2 ORDER BY occurred_at, id",
        )?;
        let rows = stmt.query_map([local(&from), local(&to)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            let line = serde_json::from_str(&json)
                .map_err(|e| corrupt(format!("statement line #{id}"), e))?;
            out.push((id, line));
        }
        Ok(out)
    }

    /// Statement lines matching `q`, oldest first, each with the file it came from.
    pub fn find_statement_lines(&self, q: &LineQuery) -> Result<Vec<StoredLine>, JournalError> {
        let mut w: Vec<String> = Vec::new();
        let mut p: Vec<Value> = Vec::new();
        let text = |v: &str| Value::Text(v.to_owned());
        let mut eq = |col: &str, v: Value, w: &mut Vec<String>| {
            p.push(v);
            w.push(format!("{col} = ?{}", p.len()));
        };
        if let Some(v) = &q.terminal {
            eq("l.terminal_id", text(v.as_str()), &mut w);
        }
        if let Some(v) = &q.voucher {
            eq("l.trace_no", text(v.as_str()), &mut w);
        }
        if let Some(v) = &q.rrn {
            eq("l.rrn", text(v.as_str()), &mut w);
        }
        if let Some(v) = &q.auth_code {
            eq("l.auth_code", text(v.as_str()), &mut w);
        }
        if let Some(v) = &q.last4 {
            eq("l.last4", text(v), &mut w);
        }
        if let Some(v) = q.amount_minor {
            eq("l.amount_minor", Value::Integer(v), &mut w);
        }
        if !q.any_of.is_empty() {
            let mut any = Vec::new();
            for probe in &q.any_of {
                let (col, lo, hi) = match probe {
                    Probe::Voucher(v) => ("l.trace_no", text(v.as_str()), None),
                    Probe::Rrn(v) => ("l.rrn", text(v.as_str()), None),
                    Probe::Auth(v) => ("l.auth_code", text(v.as_str()), None),
                    Probe::Last4(v) => ("l.last4", text(v), None),
                    Probe::Amount(lo, hi) => (
                        "l.amount_minor",
                        Value::Integer(*lo),
                        Some(Value::Integer(*hi)),
                    ),
                };
                p.push(lo);
                match hi {
                    None => any.push(format!("{col} = ?{}", p.len())),
                    Some(hi) => {
                        p.push(hi);
                        any.push(format!("{col} BETWEEN ?{} AND ?{}", p.len() - 1, p.len()));
                    }
                }
            }
            w.push(format!("({})", any.join(" OR ")));
        }
        if let Some(v) = &q.from {
            p.push(Value::Text(local(v)));
            w.push(format!("l.occurred_at >= ?{}", p.len()));
        }
        if let Some(v) = &q.to {
            p.push(Value::Text(local(v)));
            w.push(format!("l.occurred_at < ?{}", p.len()));
        }
        let filter = if w.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", w.join(" AND "))
        };
        let limit = if q.limit == 0 {
            200
        } else {
            q.limit.min(10_000)
        };
        let sql = format!(
            "{STORED_LINE} {filter} ORDER BY l.occurred_at {dir}, l.id {dir} LIMIT {limit}",
            dir = if q.newest_first { "DESC" } else { "ASC" }
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(p), stored_row)?;
        rows.map(|r| stored_line(r?)).collect()
    }

    /// One stored line with the file it came from.
    pub fn statement_line_by_id(&self, id: i64) -> Result<StoredLine, JournalError> {
        let row = self
            .conn
            .query_row(&format!("{STORED_LINE} WHERE l.id = ?1"), [id], stored_row)
            .optional()?
            .ok_or_else(|| JournalError::NotFound {
                what: format!("statement line #{id}"),
            })?;
        stored_line(row)
    }

    /// Whether any imported statement has a line with `from <= time < to` (for the
    /// terminal, when given: lines that name no terminal count for every terminal).
    /// A statement that covers a day and lacks a payment says the acquirer lacks it.
    pub fn statements_cover(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        terminal: Option<&TerminalId>,
    ) -> Result<bool, JournalError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM statement_lines WHERE occurred_at >= ?1 AND occurred_at < ?2
                 AND (?3 IS NULL OR terminal_id IS NULL OR terminal_id = ?3))",
            rusqlite::params![local(&from), local(&to), terminal.map(|t| t.as_str())],
            |r| r.get(0),
        )?)
    }

    /// The earliest and latest time on any imported statement line.
    pub fn statement_span(&self) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, JournalError> {
        let (a, b): (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT min(occurred_at), max(occurred_at) FROM statement_lines",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let parse = |s: String| {
            NaiveDateTime::parse_from_str(&s, crate::sql::LOCAL_TIME)
                .map_err(|e| corrupt("statement line time".into(), e))
        };
        match (a, b) {
            (Some(a), Some(b)) => Ok(Some((parse(a)?, parse(b)?))),
            _ => Ok(None),
        }
    }

    /// One statement line and the name of the file it came from.
    pub fn statement_line(&self, id: i64) -> Result<(StatementLine, String), JournalError> {
        let s = self.statement_line_by_id(id)?;
        Ok((s.line, s.file_name))
    }

    /// Every transaction with `from <= time < to`, oldest first, with its id: the
    /// journal side of a reconciliation.
    pub fn transactions_between(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<(i64, Transaction)>, JournalError> {
        let sql = format!(
            "SELECT {} FROM transactions t WHERE t.occurred_at >= ?1 AND t.occurred_at < ?2 ORDER BY t.occurred_at, t.id",
            crate::sql::TXN_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([local(&from), local(&to)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, t, _) = crate::sql::txn_from_row(r)?;
            out.push((id, t));
        }
        Ok(out)
    }

    /// Terminals the journal has transactions from or is configured to talk to.
    pub fn known_terminals(&self) -> Result<HashSet<TerminalId>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT terminal_id FROM batches UNION SELECT id FROM terminals")?;
        let ids: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter()
            .map(|s| TerminalId::new(s).map_err(JournalError::from))
            .collect()
    }

    /// Column mappings the user saved (JSON), by id.
    pub fn statement_mappings(&self) -> Result<Vec<(String, String)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, mapping FROM statement_mappings ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Saves a column mapping (JSON) under `id`, replacing the one there.
    pub fn set_statement_mapping(&self, id: &str, json: &str) -> Result<(), JournalError> {
        self.conn.execute(
            "INSERT INTO statement_mappings (id, mapping) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET mapping = excluded.mapping",
            [id, json],
        )?;
        Ok(())
    }
}
