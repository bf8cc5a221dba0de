//! The demo shop's week in a journal ([`slipkeeper_domain::story`]): its transactions
//! with their slips, the nightly settlements, and the acquirer's statement of the
//! settled days saved in the exports folder, ready for the Reconcile screen.

use crate::{App, AppError};
use serde::Serialize;
use slipkeeper_domain::{sample, story, CopyType};
use slipkeeper_journal::{Record, RecordBody, SlipRecord};
use std::path::PathBuf;

/// What `demo story` made.
#[derive(Clone, Debug, Serialize)]
pub struct StoryReport {
    /// Transactions in the demo week.
    pub transactions: u64,
    /// Batches settled.
    pub settlements: u64,
    /// The sample statement, to import on the Reconcile screen.
    pub statement: PathBuf,
    /// The sale whose void fails (settled): terminal, voucher, amount, when.
    pub try_terminal: String,
    /// Its voucher.
    pub try_voucher: String,
    /// Its amount.
    pub try_amount: String,
    /// When.
    pub try_at: String,
}

impl App {
    /// Seeds the demo shop's week as of the clock's local time (idempotent: the same
    /// day again adds nothing) and writes its statement.
    pub fn seed_story(&mut self) -> Result<StoryReport, AppError> {
        let now = self.clock.now();
        let s = story::story(self.clock.local_now());
        let mut records: Vec<Record> = Vec::new();
        for t in &s.transactions {
            records.push(Record {
                body: RecordBody::Transaction(t.clone()),
                recorded_at: now,
            });
            records.push(Record {
                body: RecordBody::Slip(SlipRecord {
                    txn: t.key(),
                    slip: sample::slip(t, CopyType::Merchant),
                }),
                recorded_at: now,
            });
        }
        for st in &s.settlements {
            records.push(Record {
                body: RecordBody::Settlement(st.clone()),
                recorded_at: now,
            });
        }
        self.journal.ingest(&records)?;
        self.index_search()?;
        let (from, to) = s.statement_days;
        let path = self
            .exports_dir()?
            .join(format!("示例对账单-{from}至{to}.csv"));
        crate::files::write_atomic(&path, s.statement_csv().as_bytes())?;
        let f = &s.featured;
        Ok(StoryReport {
            transactions: s.transactions.len() as u64,
            settlements: s.settlements.len() as u64,
            statement: path,
            try_terminal: f.terminal_id.to_string(),
            try_voucher: f.trace_no.to_string(),
            try_amount: f.amount.to_string(),
            try_at: f.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
        })
    }
}
