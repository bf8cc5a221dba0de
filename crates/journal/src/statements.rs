//! Acquirer statements: imported whole or not at all, never twice.

use crate::sql::{local, utc};
use crate::{Journal, JournalError};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior};
use slipkeeper_domain::{StatementLine, TerminalId, Transaction};
use std::collections::HashSet;

/// What importing one statement file did.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatementImport {
    /// The stored statement, or the earlier one when this exact file was imported before.
    pub statement_id: i64,
    /// True when this exact file (same SHA-256) was imported before: nothing was written.
    pub same_file: bool,
    pub new_lines: u64,
    /// Lines already stored from another file (an overlapping period, a re-export).
    pub known_lines: u64,
}

/// A stored statement file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatementFile {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub mapping_id: String,
    pub acquirer: Option<String>,
    pub imported_at: DateTime<Utc>,
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
                "INSERT INTO statement_lines (statement_id, line_key, occurred_at, line)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (line_key) DO NOTHING",
            )?;
            for l in lines {
                let json = serde_json::to_string(l)
                    .map_err(|e| corrupt(format!("{file_name}:{}", l.line_no), e))?;
                match ins.execute(rusqlite::params![
                    id,
                    line_key(l),
                    local(&l.occurred_at),
                    crate::scrub::json(json)
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
        let (json, file): (String, String) = self
            .conn
            .query_row(
                "SELECT l.line, s.file_name FROM statement_lines l JOIN statements s ON s.id = l.statement_id WHERE l.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| JournalError::NotFound {
                what: format!("statement line #{id}"),
            })?;
        let line =
            serde_json::from_str(&json).map_err(|e| corrupt(format!("statement line #{id}"), e))?;
        Ok((line, file))
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

    pub fn set_statement_mapping(&self, id: &str, json: &str) -> Result<(), JournalError> {
        self.conn.execute(
            "INSERT INTO statement_mappings (id, mapping) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET mapping = excluded.mapping",
            [id, json],
        )?;
        Ok(())
    }
}
