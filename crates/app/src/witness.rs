//! The acquirer's statement as a second witness: the lines that speak of the
//! transaction asked about, for diagnosis, the journal screen, reprints and packs.

use crate::casework::Lookup;
use crate::{App, AppError};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use slipkeeper_domain::{Transaction, Witness};
use slipkeeper_journal::{LineQuery, StoredLine};
use std::path::Path;

/// How far apart journal and statement may put the same payment's time: acquirers
/// stamp their own receipt time, a minute or two after the terminal's.
const SAME_PAYMENT: TimeDelta = TimeDelta::minutes(10);

impl App {
    /// A stored line as a witness: its file named without the folder, its import day
    /// in shop time.
    pub(crate) fn witness(&self, s: StoredLine) -> Witness {
        let offset = self.clock.local_now() - self.clock.now().naive_utc();
        let file_name = Path::new(&s.file_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(s.file_name);
        Witness {
            line_id: s.id,
            file_name,
            imported_on: (s.imported_at.naive_utc() + offset).date(),
            line: s.line,
        }
    }

    fn witnesses(&self, q: LineQuery) -> Result<Vec<Witness>, AppError> {
        Ok(self
            .journal
            .find_statement_lines(&q)?
            .into_iter()
            .map(|s| self.witness(s))
            .collect())
    }

    /// The statement's line for a journal transaction: by RRN, else by terminal,
    /// voucher and day, else by amount, card and time.
    pub(crate) fn witness_for_txn(&self, t: &Transaction) -> Result<Option<Witness>, AppError> {
        if let Some(rrn) = &t.rrn {
            let v = self.witnesses(LineQuery {
                rrn: Some(rrn.clone()),
                limit: 5,
                ..Default::default()
            })?;
            if let Some(w) = v.into_iter().next() {
                return Ok(Some(w));
            }
        }
        let day = t.occurred_at.date().and_time(chrono::NaiveTime::MIN);
        let v = self.witnesses(LineQuery {
            voucher: Some(t.trace_no.clone()),
            terminal: Some(t.terminal_id.clone()),
            from: Some(day - TimeDelta::days(1)),
            to: Some(day + TimeDelta::days(2)),
            limit: 5,
            ..Default::default()
        })?;
        if let Some(w) = v.into_iter().next() {
            return Ok(Some(w));
        }
        let Some(last4) = t.pan.as_ref().map(|p| p.last4().to_owned()) else {
            return Ok(None);
        };
        let mut v = self.witnesses(LineQuery {
            amount_minor: Some(t.amount.minor()),
            last4: Some(last4),
            from: Some(t.occurred_at - SAME_PAYMENT),
            to: Some(t.occurred_at + SAME_PAYMENT),
            limit: 5,
            ..Default::default()
        })?;
        v.retain(|w| w.line.kind == t.kind);
        v.sort_by_key(|w| (w.line.occurred_at - t.occurred_at).abs());
        Ok(v.into_iter().next())
    }

    /// The statement's lines for what the owner asked about when the journal has no
    /// such transaction, most recent first.
    pub(crate) fn witnesses_for_lookup(&self, lookup: &Lookup) -> Result<Vec<Witness>, AppError> {
        let mut v = match lookup {
            Lookup::Voucher {
                voucher, terminal, ..
            } => self.witnesses(LineQuery {
                voucher: Some(voucher.clone()),
                terminal: terminal.clone(),
                limit: 20,
                ..Default::default()
            })?,
            Lookup::Rrn { rrn } => self.witnesses(LineQuery {
                rrn: Some(rrn.clone()),
                limit: 20,
                ..Default::default()
            })?,
            Lookup::Auth { auth, terminal } => self.witnesses(LineQuery {
                auth_code: Some(auth.clone()),
                terminal: terminal.clone(),
                limit: 20,
                ..Default::default()
            })?,
            Lookup::AmountTime {
                amount_minor,
                at,
                last4,
                terminal,
            } => {
                let mut v = self.witnesses(LineQuery {
                    amount_minor: Some(*amount_minor),
                    last4: last4.clone(),
                    terminal: terminal.clone(),
                    from: Some(*at - crate::casework::AROUND),
                    to: Some(*at + crate::casework::AROUND),
                    limit: 20,
                    ..Default::default()
                })?;
                // Closest first; twins (a double charge) follow.
                v.sort_by_key(|w| (!w.line.kind.is_debit(), (w.line.occurred_at - *at).abs()));
                return Ok(v);
            }
            Lookup::Txn { .. } => Vec::new(),
        };
        v.sort_by_key(|w| std::cmp::Reverse((w.line.occurred_at, w.line_id)));
        Ok(v)
    }

    /// Whether an imported statement covers `day` for `terminal`.
    pub(crate) fn statements_cover(
        &self,
        day: NaiveDate,
        terminal: Option<&slipkeeper_domain::TerminalId>,
    ) -> Result<bool, AppError> {
        let from: NaiveDateTime = day.and_time(chrono::NaiveTime::MIN);
        Ok(self
            .journal
            .statements_cover(from, from + TimeDelta::days(1), terminal)?)
    }
}
