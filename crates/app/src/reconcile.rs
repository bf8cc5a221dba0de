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
    /// The file's name.
    pub file: String,
    /// The mapping that read it.
    pub mapping_id: String,
    /// How it was read: "utf-8", "gb18030" or "xlsx".
    pub encoding: String,
    /// Lines read.
    pub lines: u64,
    /// What was stored.
    #[serde(flatten)]
    pub import: StatementImport,
}

impl StatementReport {
    /// One line for the owner: what was read and what was new.
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
    /// The period's start (inclusive).
    pub from: NaiveDateTime,
    /// Its end (exclusive).
    pub to: NaiveDateTime,
    /// Journal transactions in the period.
    pub journal_transactions: u64,
    /// Statement lines in the period.
    pub statement_lines: u64,
    /// What paired, what disagrees, and totals.
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
        let bytes = crate::files::read_limited(
            file,
            slipkeeper_statement::limits::FILE_BYTES,
            "a statement",
        )?;
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
        let bytes = crate::files::read_limited(
            file,
            slipkeeper_statement::limits::FILE_BYTES,
            "a statement",
        )?;
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
        let parsed = slipkeeper_statement::parse(&bytes, &name, &candidates)
            .map_err(|e| bad(&e).with_zh(e.zh_text()))?;
        let sha = hex::encode(Sha256::digest(&bytes));
        let import = self.journal.import_statement(
            &name,
            &sha,
            &parsed.mapping_id,
            acquirer,
            &parsed.lines,
            self.clock.now(),
        )?;
        tracing::info!(file = %name, mapping = %parsed.mapping_id, lines = parsed.lines.len(), "statement imported");
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

impl App {
    /// Opens a case about one discrepancy of a reconciliation, identified the way
    /// the acquirer will look for it: by voucher when the journal has the
    /// transaction, else by the statement's RRN, else by amount and time. The
    /// statement line is attached, so the case shows what the acquirer itself listed.
    pub fn open_case_from_discrepancy(
        &mut self,
        d: &slipkeeper_domain::Discrepancy,
        acquirer_id: Option<&str>,
    ) -> Result<i64, AppError> {
        use crate::Lookup;
        use slipkeeper_domain::{Complaint, DiscrepancyKind};
        let line = d
            .line_id
            .map(|id| self.journal.statement_line(id))
            .transpose()?
            .map(|(line, _)| line);
        let lookup = match (d.txn_id, &line) {
            (Some(id), _) => {
                let t = self.detail(id)?.row.txn;
                Lookup::Voucher {
                    voucher: t.trace_no,
                    terminal: Some(t.terminal_id),
                    batch: Some(t.batch_no),
                }
            }
            (None, Some(l)) => match &l.rrn {
                Some(rrn) => Lookup::Rrn { rrn: rrn.clone() },
                None => Lookup::AmountTime {
                    amount_minor: l.amount.minor(),
                    at: l.occurred_at,
                    last4: l.card.as_deref().and_then(|c| {
                        let digits: String = c.chars().filter(char::is_ascii_digit).collect();
                        (digits.len() >= 4).then(|| digits[digits.len() - 4..].to_owned())
                    }),
                    terminal: l.terminal_id.clone(),
                },
            },
            (None, None) => {
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    "this discrepancy names neither a transaction nor a statement line",
                ))
            }
        };
        let complaint = match d.kind {
            // The journal has it, the acquirer does not: the upload may have been lost.
            DiscrepancyKind::MissingFromStatement => Complaint::NotInAcquirerBackEnd,
            DiscrepancyKind::AmountMismatch | DiscrepancyKind::TypeMismatch => Complaint::Dispute,
            DiscrepancyKind::MissingFromJournal | DiscrepancyKind::OtherTerminal => {
                Complaint::Other
            }
        };
        self.open_case(complaint, &lookup, acquirer_id, d.line_id)
    }
}
