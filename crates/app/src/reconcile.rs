//! Statements in, discrepancies out: the acquirer's word against the journal's.

use crate::{App, AppError, ErrorCode};
use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};
use slipkeeper_domain::{reconcile, Reconciliation};
use slipkeeper_journal::StatementImport;
use slipkeeper_statement::{builtin_mappings, Mapping};
use std::path::Path;

/// What importing a statement did, for the user.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct StatementReport {
    pub file: String,
    pub mapping_id: String,
    pub encoding: String,
    pub lines: u64,
    #[serde(flatten)]
    pub import: StatementImport,
}

impl StatementReport {
    pub fn summary(&self) -> String {
        if self.import.same_file {
            format!(
                "{}: this file was imported before (statement #{}); nothing new",
                self.file, self.import.statement_id
            )
        } else {
            format!(
                "{}: {} line(s) read with mapping {} ({}); {} new, {} already known from another file",
                self.file,
                self.lines,
                self.mapping_id,
                self.encoding,
                self.import.new_lines,
                self.import.known_lines
            )
        }
    }
}

/// A reconciliation over a period, with how much each side had.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct ReconcileReport {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub journal_transactions: u64,
    pub statement_lines: u64,
    #[serde(flatten)]
    pub result: Reconciliation,
}

fn bad(e: impl ToString) -> AppError {
    AppError::new(ErrorCode::BadInput, e.to_string())
}

impl App {
    /// The built-in mappings followed by the user's own.
    pub fn statement_mappings(&self) -> Result<Vec<Mapping>, AppError> {
        let mut all = builtin_mappings();
        for (id, json) in self.journal.statement_mappings()? {
            let m: Mapping = serde_json::from_str(&json).map_err(|e| {
                AppError::new(ErrorCode::Corrupt, format!("saved mapping {id}: {e}"))
            })?;
            all.retain(|b| b.id != m.id);
            all.push(m);
        }
        Ok(all)
    }

    /// Saves a user mapping (JSON file) so imports can use it by id.
    pub fn save_statement_mapping(&self, file: &Path) -> Result<Mapping, AppError> {
        let text = std::fs::read_to_string(file).map_err(|e| AppError::io(file, e))?;
        let m: Mapping = serde_json::from_str(&text)
            .map_err(|e| bad(format!("{}:{}: {e}", file.display(), e.line())))?;
        m.validate()
            .map_err(|e| bad(format!("{}: {e}", file.display())))?;
        let json = serde_json::to_string(&m)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.journal.set_statement_mapping(&m.id, &json)?;
        Ok(m)
    }

    /// A mapping proposed from a statement file's header row, for the user to review.
    pub fn propose_statement_mapping(&self, file: &Path, id: &str) -> Result<Mapping, AppError> {
        let bytes = std::fs::read(file).map_err(|e| AppError::io(file, e))?;
        slipkeeper_statement::propose_for_file(&bytes, id).ok_or_else(|| {
            bad(format!(
                "{}: no row in the first 30 looks like a header with an amount and a date",
                file.display()
            ))
        })
    }

    /// Reads and stores a statement file: every line or none; the same file twice
    /// stores nothing and says so.
    pub fn import_statement(
        &mut self,
        file: &Path,
        mapping: Option<&str>,
        acquirer: Option<&str>,
    ) -> Result<StatementReport, AppError> {
        let bytes = std::fs::read(file).map_err(|e| AppError::io(file, e))?;
        let all = self.statement_mappings()?;
        let candidates: Vec<Mapping> = match mapping {
            Some(id) => vec![all.into_iter().find(|m| m.id == id).ok_or_else(|| {
                bad(format!(
                    "--mapping {id:?} is not a known mapping; `slipkeeper statement mappings` lists them"
                ))
            })?],
            None => all,
        };
        let name = file.display().to_string();
        let parsed = slipkeeper_statement::parse(&bytes, &name, &candidates).map_err(bad)?;
        let sha = hex::encode(Sha256::digest(&bytes));
        let import = self.journal.import_statement(
            &name,
            &sha,
            &parsed.mapping_id,
            acquirer,
            &parsed.lines,
            self.clock.now(),
        )?;
        Ok(StatementReport {
            file: name,
            mapping_id: parsed.mapping_id,
            encoding: parsed.encoding.to_owned(),
            lines: parsed.lines.len() as u64,
            import,
        })
    }

    /// Reconciles the journal against the imported statements for `from <= t < to`.
    pub fn reconcile(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<ReconcileReport, AppError> {
        if from >= to {
            return Err(bad(format!("--from {from} is not before --to {to}")));
        }
        let txns = self.journal.transactions_between(from, to)?;
        let lines = self.journal.statement_lines(from, to)?;
        let known = self.journal.known_terminals()?;
        let result = reconcile(&txns, &lines, &known);
        Ok(ReconcileReport {
            from,
            to,
            journal_transactions: txns.len() as u64,
            statement_lines: lines.len() as u64,
            result,
        })
    }

    /// The period the imported statements cover, whole days: the default range.
    pub fn statement_period(&self) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, AppError> {
        let span = self.journal.statement_span()?;
        Ok(span.map(|(a, b)| {
            (
                a.date().and_time(chrono::NaiveTime::MIN),
                (b.date() + chrono::TimeDelta::days(1)).and_time(chrono::NaiveTime::MIN),
            )
        }))
    }
}
