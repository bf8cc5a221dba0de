//! Talking to the counter terminal from the back office: connect, register (asking
//! for receipts and status to be sent here), run one command, and mirror everything the
//! terminal said into the journal.

use crate::{App, AppError, ErrorCode, IngestReport};
use serde::Serialize;
use slipkeeper_domain::{BatchNo, Currency, MerchantId, TerminalId};
use slipkeeper_link::proxy::Assembler;
use slipkeeper_link::spool::Spool;
use slipkeeper_link::{commands, mirror, End, Exchange, Link, LinkError};
use slipkeeper_zvt::{Apdu, Message};
use std::sync::Arc;

// One concern each: back-office commands, the long-running ECR mirror, the proxy,
// the demo terminal; what they share (the types, storing exchanges, the spool) is here.
mod back_office;
mod demo;
mod ecr;
mod proxy;

pub use demo::{run_live_demo, start_demo_terminal, start_demo_terminal_on, DemoTerminal};

/// What the back office asks of the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalCommand {
    /// 05 01: is it there, which software, ready?
    Status,
    /// 06 10: turnover totals of the open batch.
    Totals,
    /// 06 50: settle the batch (end-of-day).
    EndOfDay,
    /// 06 20: print the last receipt again.
    RepeatReceipt,
    /// 06 70: diagnosis.
    Diagnosis,
    /// 06 01: a payment, for the demo and tests only.
    DemoPayment {
        /// The amount in minor units.
        amount_minor: u64,
    },
}

/// What happened, for the user.
#[derive(Clone, Debug, Serialize)]
pub struct TerminalReport {
    /// "completed", "aborted", "acknowledged", or "not_supported" for a status
    /// enquiry the terminal refuses (it is there, but does not know the command).
    pub end: String,
    /// The terminal's result code when it aborted.
    pub result_code: Option<u8>,
    /// The terminal's id, when it said.
    pub terminal_id: Option<String>,
    /// Its software version, when it said.
    pub software: Option<String>,
    /// Its status byte (00: ready), when it said.
    pub terminal_status: Option<u8>,
    /// The batch was settled and Slipkeeper moved on to the next batch number.
    pub settled: bool,
    /// What was mirrored into the journal.
    pub stored: IngestReport,
}

impl From<LinkError> for AppError {
    fn from(e: LinkError) -> Self {
        let code = match e {
            LinkError::Protocol(_) | LinkError::Command(_) => ErrorCode::BadInput,
            _ => ErrorCode::Io,
        };
        AppError::new(code, e.to_string())
    }
}

const CURSOR_BATCH: &str = "batch";
const CURSOR_TOTALS: &str = "totals_check";
/// The live mirror indexes slips for search when the terminal is quiet, or after this
/// many stored checkpoints (about half as many payments) if it never is.
const INDEX_AFTER: u32 = 500;

fn spool_error(e: slipkeeper_link::spool::SpoolError) -> AppError {
    AppError::new(ErrorCode::Io, e.to_string())
}

/// How to stay connected to a terminal in ECR mode.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Where the terminal is.
    pub endpoint: slipkeeper_link::service::Endpoint,
    /// Keep the terminal armed for amounts keyed in at the counter, this long per
    /// authorisation; `None` for terminals a cash register drives (heartbeats only).
    pub arm: Option<std::time::Duration>,
    /// Quiet time after which a status enquiry checks the terminal is there.
    pub heartbeat: std::time::Duration,
    /// How long to wait for the terminal's acknowledgement of a command (ZVT T3).
    pub ack_timeout: std::time::Duration,
    /// The delays between connection attempts.
    pub backoff: slipkeeper_link::service::Backoff,
}

impl ConnectOptions {
    /// The defaults for `endpoint`: armed 20 s at a time, heartbeat every 30 s.
    pub fn new(endpoint: slipkeeper_link::service::Endpoint) -> ConnectOptions {
        ConnectOptions {
            endpoint,
            arm: Some(std::time::Duration::from_secs(20)),
            heartbeat: std::time::Duration::from_secs(30),
            ack_timeout: slipkeeper_link::ACK_TIMEOUT,
            backoff: Default::default(),
        }
    }
}

/// Counts since the mirror started, for a progress line or bar.
#[derive(ts_rs::TS, Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct MirrorProgress {
    /// When the mirror started.
    pub since: chrono::DateTime<chrono::Utc>,
    /// When these counts were taken.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Commands run to their end.
    pub exchanges: u64,
    /// Frames both ways.
    pub frames: u64,
    /// Bytes both ways.
    pub bytes: u64,
    /// New transactions stored.
    pub transactions: u64,
}

impl MirrorProgress {
    /// Transactions per minute since the start.
    pub fn per_minute(&self) -> f64 {
        let secs = (self.at - self.since).num_milliseconds() as f64 / 1000.0;
        if secs <= 0.0 {
            0.0
        } else {
            self.transactions as f64 * 60.0 / secs
        }
    }
}

/// The terminal's own totals of its open batch next to the journal's.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TotalsCheck {
    /// The terminal.
    pub terminal: String,
    /// Its open batch.
    pub batch: String,
    /// Bookings the terminal counted.
    pub terminal_count: u32,
    /// Their sum on the terminal, minor units.
    pub terminal_minor: i64,
    /// Bookings in the journal.
    pub journal_count: u32,
    /// Their sum in the journal, minor units.
    pub journal_minor: i64,
    /// When the terminal was asked.
    pub checked_at: chrono::DateTime<chrono::Utc>,
}

impl TotalsCheck {
    /// Both sides count and add up the same.
    pub fn agrees(&self) -> bool {
        self.terminal_count == self.journal_count && self.terminal_minor == self.journal_minor
    }
}

/// What a running mirror reports.
#[derive(Debug)]
pub enum MirrorEvent<'a> {
    /// The link's state changed.
    State(&'a slipkeeper_link::service::State),
    /// More was mirrored.
    Progress(&'a MirrorProgress),
    /// The terminal's totals were compared with the journal's.
    Totals(&'a TotalsCheck),
}

fn runtime(b: &mut tokio::runtime::Builder) -> Result<tokio::runtime::Runtime, AppError> {
    b.enable_all().build().map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot start the network runtime: {e}"),
        )
    })
}

fn terminal_id_of(ex: &Exchange) -> Option<String> {
    ex.messages.iter().find_map(|(m, _)| match m {
        Message::Completion(slipkeeper_zvt::Completion::Fields(f)) => f.terminal_id.clone(),
        Message::StatusInformation(f) => f.terminal_id.clone(),
        _ => None,
    })
}

impl App {
    /// Mirrors exchanges of terminal `tid` into the journal, in the terminal's open
    /// batch, and brings the slip search index up to date; returns what was stored and
    /// whether the batch was settled (the batch counter then moves on).
    fn store(
        &mut self,
        tid: Option<&str>,
        exchanges: &[&Exchange],
    ) -> Result<(IngestReport, bool), AppError> {
        let stored = self.store_unindexed(tid, exchanges)?;
        self.index_search()?;
        Ok(stored)
    }

    /// [`App::store`] without the search index: the live mirror indexes when the
    /// terminal is quiet, so that a payment's acknowledgement waits for one commit,
    /// not two (searches read the slips not yet indexed directly).
    fn store_unindexed(
        &mut self,
        tid: Option<&str>,
        exchanges: &[&Exchange],
    ) -> Result<(IngestReport, bool), AppError> {
        // A journal file write-protected when the service started is read-only to
        // it until opened again: try, so what was held back is stored once it can be.
        match self.journal.reopen_if_write_protected() {
            Ok(true) => tracing::info!("the journal takes writes again: reopened"),
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "the journal is still write-protected"),
        }
        let terminal_id = TerminalId::new(tid.unwrap_or("UNKNOWN"))?;
        let merchant_id = match self.journal.merchant_profile()?.merchant_id {
            Some(m) => m,
            None => MerchantId::new("UNKNOWN")?,
        };
        let batch_text = self
            .journal
            .cursor(&terminal_id, CURSOR_BATCH)?
            .unwrap_or_else(|| "1".to_owned());
        let ctx = mirror::Context {
            terminal_id: terminal_id.clone(),
            merchant_id,
            batch_no: BatchNo::new(&batch_text)?,
            currency: Currency::CNY,
            local_now: self.clock.local_now(),
        };
        let now = self.clock.now();
        let mut stored = IngestReport::default();
        let mut settled = false;
        // One write for all of them: one commit, one wait for the disk.
        let mut records = Vec::new();
        for e in exchanges {
            let (r, s) = mirror::records(&ctx, e, now);
            records.extend(r);
            settled |= s;
        }
        stored.merge(self.journal.ingest(&records)?);
        if settled {
            let next = batch_text.parse::<u32>().unwrap_or(0) + 1;
            self.journal
                .set_cursor(&terminal_id, CURSOR_BATCH, &next.to_string(), now)?;
        }
        Ok((stored, settled))
    }

    /// The spool beside the journal: frames that could not be stored yet.
    pub fn spool_path(&self) -> std::path::PathBuf {
        let mut p = self.journal.path().as_os_str().to_owned();
        p.push(".spool");
        std::path::PathBuf::from(p)
    }

    /// Stores whatever a previous run left in the spool (exchanges rebuilt from their
    /// frames, stored idempotently), then empties it. Returns what was stored.
    pub fn drain_spool(&mut self) -> Result<IngestReport, AppError> {
        let path = self.spool_path();
        let frames = Spool::read(&path).map_err(spool_error)?;
        let mut stored = IngestReport::default();
        if frames.is_empty() {
            return Ok(stored);
        }
        let mut conns: std::collections::BTreeMap<u64, (Assembler, Option<String>)> =
            Default::default();
        let mut done: Vec<(u64, Exchange)> = Vec::new();
        for (conn, f) in frames {
            let (asm, _) = conns.entry(conn).or_default();
            done.extend(asm.push(f).into_iter().map(|e| (conn, e)));
        }
        for (conn, (asm, _)) in conns.iter_mut() {
            done.extend(asm.finish().map(|e| (*conn, e)));
        }
        for (conn, ex) in done {
            let tid = &mut conns.entry(conn).or_default().1;
            if let Some(t) = terminal_id_of(&ex) {
                *tid = Some(t);
            }
            let tid = tid.clone();
            stored.merge(self.store(tid.as_deref(), &[&ex])?.0);
        }
        Spool::open(&path)
            .and_then(|mut s| s.clear())
            .map_err(spool_error)?;
        Ok(stored)
    }
}
