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
    DemoPayment { amount_minor: u64 },
}

/// What happened, for the user.
#[derive(Clone, Debug, Serialize)]
pub struct TerminalReport {
    /// "completed", "aborted", "acknowledged", or "not_supported" for a status
    /// enquiry the terminal refuses (it is there, but does not know the command).
    pub end: String,
    /// The terminal's result code when it aborted.
    pub result_code: Option<u8>,
    pub terminal_id: Option<String>,
    pub software: Option<String>,
    pub terminal_status: Option<u8>,
    /// The batch was settled and Slipkeeper moved on to the next batch number.
    pub settled: bool,
    pub stored: IngestReport,
}

impl From<LinkError> for AppError {
    fn from(e: LinkError) -> Self {
        let code = match e {
            LinkError::Protocol(_) => ErrorCode::BadInput,
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

/// Exchanges a proxy holds in memory while the journal refuses them.
const MAX_HELD_BACK: usize = 10_000;

/// Exchanges the journal refused (locked, full, read-only), retried while the
/// counter is quiet until it takes them; the spool has them too, for a restart.
#[derive(Default)]
struct HeldBack(std::collections::VecDeque<(Option<String>, Exchange)>);

impl HeldBack {
    /// Stores `ex`, or holds it back if the journal refuses; the relay goes on either way.
    fn store(
        &mut self,
        app: &mut App,
        tid: Option<String>,
        ex: Exchange,
        progress: &mut MirrorProgress,
    ) {
        match app.store(tid.as_deref(), &[&ex]) {
            Ok((report, _)) => progress.transactions += report.inserted_transactions,
            Err(e) => {
                tracing::warn!(error = %e.message, "proxy: journal refused an exchange; holding it back");
                if self.0.len() >= MAX_HELD_BACK {
                    tracing::warn!("proxy: too many exchanges held back; the oldest waits in the spool for the next start");
                    self.0.pop_front();
                }
                self.0.push_back((tid, ex));
            }
        }
    }

    /// Tries again, oldest first, until the journal refuses one.
    fn retry(&mut self, app: &mut App, progress: &mut MirrorProgress) {
        while let Some((tid, ex)) = self.0.pop_front() {
            match app.store(tid.as_deref(), &[&ex]) {
                Ok((report, _)) => {
                    progress.transactions += report.inserted_transactions;
                    tracing::info!("proxy: a held-back exchange is stored now");
                }
                Err(_) => {
                    self.0.push_front((tid, ex));
                    return;
                }
            }
        }
    }
}

/// How to stay connected to a terminal in ECR mode.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    pub endpoint: slipkeeper_link::service::Endpoint,
    /// Keep the terminal armed for amounts keyed in at the counter, this long per
    /// authorisation; `None` for terminals a cash register drives (heartbeats only).
    pub arm: Option<std::time::Duration>,
    pub heartbeat: std::time::Duration,
    pub ack_timeout: std::time::Duration,
    pub backoff: slipkeeper_link::service::Backoff,
}

impl ConnectOptions {
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
    pub since: chrono::DateTime<chrono::Utc>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub exchanges: u64,
    pub frames: u64,
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
    pub terminal: String,
    pub batch: String,
    pub terminal_count: u32,
    pub terminal_minor: i64,
    pub journal_count: u32,
    pub journal_minor: i64,
    pub checked_at: chrono::DateTime<chrono::Utc>,
}

impl TotalsCheck {
    pub fn agrees(&self) -> bool {
        self.terminal_count == self.journal_count && self.terminal_minor == self.journal_minor
    }
}

/// What a running mirror reports.
#[derive(Debug)]
pub enum MirrorEvent<'a> {
    State(&'a slipkeeper_link::service::State),
    Progress(&'a MirrorProgress),
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

    /// Proxy mode: listens for the cash register on `listen`, relays every byte to the
    /// terminal at `terminal`, and mirrors each finished exchange into the journal as
    /// it completes. Every chunk is in the spool before it is forwarded; the journal
    /// is written from the spool's copy on this thread, so a slow or broken journal
    /// never holds up a payment and a killed process loses nothing. `on_ready` gets
    /// the bound address. Runs until the listener fails.
    pub fn run_proxy(
        &mut self,
        listen: &str,
        terminal: &str,
        on_ready: impl FnOnce(&str),
    ) -> Result<(), AppError> {
        let never = std::sync::atomic::AtomicBool::new(false);
        self.run_proxy_until(listen, terminal, &never, on_ready, |_| {})
    }

    /// [`App::run_proxy`] until `stop` is set (then the listener and every relayed
    /// connection close and the port is free again), with progress after each frame.
    pub fn run_proxy_until(
        &mut self,
        listen: &str,
        terminal: &str,
        stop: &std::sync::atomic::AtomicBool,
        on_ready: impl FnOnce(&str),
        mut on_progress: impl FnMut(&MirrorProgress),
    ) -> Result<(), AppError> {
        self.drain_spool()?;
        let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(2))?;
        let listen_addr: std::net::SocketAddr = listen.parse().map_err(|e| {
            AppError::new(
                ErrorCode::BadInput,
                format!("proxy address {listen:?}: {e}"),
            )
        })?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let spool = Spool::open(&self.spool_path()).map_err(spool_error)?;
        let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
        let (bound, _task) = rt
            .block_on(slipkeeper_link::proxy::run(
                listen_addr,
                terminal.to_owned(),
                slipkeeper_link::proxy::Recorder::new(tap, spool),
                link_clock,
            ))
            .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot listen on {listen}: {e}")))?;
        on_ready(&bound.to_string());
        let now = self.clock.now();
        let mut progress = MirrorProgress {
            since: now,
            at: now,
            ..Default::default()
        };
        let mut conns: std::collections::HashMap<u64, (Assembler, Option<String>)> =
            Default::default();
        let tick = std::time::Duration::from_millis(100);
        let mut held = HeldBack::default();
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let next = rt.block_on(async { tokio::time::timeout(tick, frames.recv()).await });
            let (conn, frame) = match next {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => {
                    held.retry(self, &mut progress);
                    continue;
                }
            };
            progress.frames += 1;
            progress.bytes += frame.bytes.len() as u64;
            let (asm, tid) = conns.entry(conn).or_default();
            for ex in asm.push(frame) {
                if let Some(t) = terminal_id_of(&ex) {
                    *tid = Some(t);
                }
                progress.exchanges += 1;
                held.store(self, tid.clone(), ex, &mut progress);
            }
            progress.at = self.clock.now();
            on_progress(&progress);
        }
        // Dropping the runtime closes the listener and every relayed connection.
        drop(rt);
        Ok(())
    }

    /// Serial proxy: the cash register on serial port `ecr`, the terminal on `pt`,
    /// both at `baud` with ZVT's line settings. As [`App::run_proxy`]: spooled first,
    /// relayed unchanged, mirrored from the copy. Runs until either port fails.
    pub fn run_proxy_serial(
        &mut self,
        ecr: &str,
        pt: &str,
        baud: u32,
        on_ready: impl FnOnce(),
    ) -> Result<(), AppError> {
        let never = std::sync::atomic::AtomicBool::new(false);
        self.run_proxy_serial_until(ecr, pt, baud, &never, on_ready, |_| {})
    }

    /// [`App::run_proxy_serial`] until `stop` is set, with progress after each frame.
    pub fn run_proxy_serial_until(
        &mut self,
        ecr: &str,
        pt: &str,
        baud: u32,
        stop: &std::sync::atomic::AtomicBool,
        on_ready: impl FnOnce(),
        mut on_progress: impl FnMut(&MirrorProgress),
    ) -> Result<(), AppError> {
        self.drain_spool()?;
        let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(2))?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let spool = Spool::open(&self.spool_path()).map_err(spool_error)?;
        let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
        let relay = rt.block_on(async {
            let ecr_port = slipkeeper_link::open_serial_port(ecr, baud)?;
            let pt_port = slipkeeper_link::open_serial_port(pt, baud)?;
            Ok::<_, LinkError>(slipkeeper_link::proxy::run_serial(
                ecr_port,
                pt_port,
                slipkeeper_link::proxy::Recorder::serial(tap, spool),
                link_clock,
            ))
        })?;
        on_ready();
        let mut asm = Assembler::serial();
        let mut tid: Option<String> = None;
        let now = self.clock.now();
        let mut progress = MirrorProgress {
            since: now,
            at: now,
            ..Default::default()
        };
        let mut held = HeldBack::default();
        let tick = std::time::Duration::from_millis(100);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let next = rt.block_on(async { tokio::time::timeout(tick, frames.recv()).await });
            let frame = match next {
                Ok(Some((_, f))) => f,
                Ok(None) => break,
                Err(_) => {
                    held.retry(self, &mut progress);
                    continue;
                }
            };
            progress.frames += 1;
            progress.bytes += frame.bytes.len() as u64;
            for ex in asm.push(frame) {
                if let Some(t) = terminal_id_of(&ex) {
                    tid = Some(t);
                }
                progress.exchanges += 1;
                held.store(self, tid.clone(), ex, &mut progress);
            }
            progress.at = self.clock.now();
            on_progress(&progress);
        }
        drop(relay);
        drop(rt);
        Ok(())
    }

    /// ECR mode, long-running: stays connected to the terminal at `opts.addr`
    /// (catch-up on every connect, armed for payments keyed in at the counter,
    /// reconnect with backoff) and mirrors everything it says into the journal. Each
    /// status information, completion and abort is committed before it is
    /// acknowledged; if the journal cannot take it, it goes to the spool (synced) and
    /// is stored later. `on_event` hears connection states, progress and totals
    /// checks. Runs until `stop` is set (checked between events) or the process ends.
    pub fn connect(
        &mut self,
        opts: &ConnectOptions,
        stop: &std::sync::atomic::AtomicBool,
        mut on_event: impl FnMut(MirrorEvent<'_>),
    ) -> Result<(), AppError> {
        use slipkeeper_link::service::{self, Event};
        self.drain_spool()?;
        let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(1))?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let mut cfg = service::Config::new(&opts.endpoint.to_string());
        cfg.endpoint = Some(opts.endpoint.clone());
        cfg.heartbeat = opts.heartbeat;
        cfg.arm = opts.arm;
        cfg.catch_up = true;
        cfg.commit_before_ack = true;
        cfg.ack_timeout = opts.ack_timeout;
        cfg.backoff = opts.backoff;
        // Kept open for the service's lifetime; back-office commands will go through it.
        let (_requests, req_rx) = tokio::sync::mpsc::channel(8);
        let (ev_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let service = rt.spawn(service::run(cfg, link_clock, req_rx, ev_tx));
        let mut tid: Option<String> = None;
        let mut progress = MirrorProgress {
            since: self.clock.now(),
            ..Default::default()
        };
        let mut spool: Option<Spool> = None;
        // Whole exchanges add only the last acknowledgement to what their checkpoints
        // stored; they wait here and go in with the next write (one commit, not two).
        let mut pending: Vec<Exchange> = Vec::new();
        // Checkpoints stored since the search index was last brought up to date.
        let mut unindexed = 0u32;
        let tick = std::time::Duration::from_millis(200);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if unindexed >= INDEX_AFTER {
                // A terminal that never pauses still gets its slips indexed now and then.
                if let Err(e) = self.index_search() {
                    tracing::warn!(error = %e.message, "search index not brought up to date");
                }
                unindexed = 0;
            }
            let ev = match rt.block_on(async { tokio::time::timeout(tick, events.recv()).await }) {
                Ok(Some(ev)) => ev,
                Ok(None) => break,
                Err(_) => {
                    self.flush_pending(tid.as_deref(), &mut pending, &mut spool);
                    if unindexed > 0 {
                        // Quiet at the counter: index what came in. A failure here
                        // loses nothing (the slips are stored); the next quiet moment
                        // tries again.
                        if let Err(e) = self.index_search() {
                            tracing::warn!(error = %e.message, "search index not brought up to date");
                        }
                        unindexed = 0;
                    }
                    continue; // look at `stop` again
                }
            };
            match ev {
                Event::State(s) => {
                    tracing::info!(state = ?s, "terminal link");
                    on_event(MirrorEvent::State(&s))
                }
                Event::Exchange(ex, None) => {
                    if let Some(t) = terminal_id_of(&ex) {
                        tid = Some(t);
                    }
                    progress.exchanges += 1;
                    progress.frames += ex.frames.len() as u64;
                    progress.bytes += ex.frames.iter().map(|f| f.bytes.len() as u64).sum::<u64>();
                    progress.at = self.clock.now();
                    pending.push(ex);
                    if pending.len() >= 64 {
                        self.flush_pending(tid.as_deref(), &mut pending, &mut spool);
                    }
                    on_event(MirrorEvent::Progress(&progress));
                }
                Event::Exchange(ex, Some(commit)) => {
                    if let Some(t) = terminal_id_of(&ex) {
                        tid = Some(t);
                    }
                    let mut batch: Vec<&Exchange> = pending.iter().collect();
                    batch.push(&ex);
                    let result = match self.store_unindexed(tid.as_deref(), &batch) {
                        Ok((r, _)) => {
                            progress.transactions += r.inserted_transactions;
                            unindexed += 1;
                            Ok(())
                        }
                        Err(e) => {
                            tracing::warn!(error = %e.message, "journal refused a checkpoint; spooling it");
                            batch
                                .iter()
                                .try_for_each(|x| self.spool_exchange(&mut spool, x))
                                .map_err(|s| {
                                    tracing::error!(error = %e.message, spool = %s.message, "checkpoint neither stored nor spooled; the terminal will repeat it");
                                    format!("{}; spool: {}", e.message, s.message)
                                })
                        }
                    };
                    pending.clear();
                    if commit.send(result).is_err() {
                        tracing::warn!("the link went away before the commit was confirmed; the terminal will repeat the exchange");
                    }
                }
                Event::Totals(ex) => {
                    if let Some(t) = terminal_id_of(&ex) {
                        tid = Some(t);
                    }
                    if let Err(e) = self.store(tid.as_deref(), &[&ex]) {
                        tracing::warn!(error = %e.message, "totals answer not stored");
                    }
                    if let Some(check) = self.check_terminal_totals(tid.as_deref(), &ex)? {
                        on_event(MirrorEvent::Totals(&check));
                    }
                }
            }
        }
        self.flush_pending(tid.as_deref(), &mut pending, &mut spool);
        service.abort();
        if let Err(e) = self.index_search() {
            tracing::warn!(error = %e.message, "search index not brought up to date");
        }
        tracing::info!("mirror stopped");
        Ok(())
    }

    /// Stores the whole exchanges held back; into the spool if the journal refuses.
    fn flush_pending(
        &mut self,
        tid: Option<&str>,
        pending: &mut Vec<Exchange>,
        spool: &mut Option<Spool>,
    ) {
        if pending.is_empty() {
            return;
        }
        let batch: Vec<&Exchange> = pending.iter().collect();
        if let Err(e) = self.store(tid, &batch) {
            tracing::warn!(error = %e.message, exchanges = batch.len(), "journal refused exchanges; spooling them");
            for x in &batch {
                // Nothing more can be done here than say so; the checkpoints are
                // stored or spooled already.
                if let Err(s) = self.spool_exchange(spool, x) {
                    tracing::error!(error = %s.message, "exchange neither stored nor spooled");
                }
            }
        }
        pending.clear();
    }

    fn spool_exchange(&mut self, spool: &mut Option<Spool>, ex: &Exchange) -> Result<(), AppError> {
        if spool.is_none() {
            *spool = Some(Spool::open(&self.spool_path()).map_err(spool_error)?);
        }
        let frames: Vec<(u64, &slipkeeper_link::Frame)> =
            ex.frames.iter().map(|f| (0, f)).collect();
        match spool {
            Some(s) => s.append(&frames, true).map_err(spool_error),
            None => Ok(()),
        }
    }

    /// Compares the terminal's turnover totals (a 06 10 exchange) with the journal's
    /// open batch of that terminal and records the result (cursor `totals_check`).
    fn check_terminal_totals(
        &mut self,
        tid: Option<&str>,
        ex: &Exchange,
    ) -> Result<Option<TotalsCheck>, AppError> {
        let Some(fields) = ex.messages.iter().find_map(|(m, _)| match m {
            Message::StatusInformation(f) if f.totals.is_some() => Some(f),
            _ => None,
        }) else {
            return Ok(None);
        };
        let terminal_id = TerminalId::new(tid.unwrap_or("UNKNOWN"))?;
        let batch_text = self
            .journal
            .cursor(&terminal_id, CURSOR_BATCH)?
            .unwrap_or_else(|| "1".to_owned());
        let batch_no = BatchNo::new(&batch_text)?;
        let terminal_count = mirror::totals_count(fields);
        let terminal_minor = i64::try_from(fields.amount.unwrap_or(0)).unwrap_or(i64::MAX);
        let txns = self.journal.batch_transactions(&terminal_id, &batch_no)?;
        // The same rule as for settlements: approved sales and completions not voided.
        let (journal_count, journal_total) = slipkeeper_domain::expected_debits(&txns)?;
        let check = TotalsCheck {
            terminal: terminal_id.as_str().to_owned(),
            batch: batch_no.as_str().to_owned(),
            terminal_count,
            terminal_minor,
            journal_count,
            journal_minor: journal_total.map_or(0, |m| m.minor()),
            checked_at: self.clock.now(),
        };
        let json = serde_json::to_string(&check)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.journal
            .set_cursor(&terminal_id, CURSOR_TOTALS, &json, check.checked_at)?;
        Ok(Some(check))
    }

    /// The last comparison of a terminal's own totals with the journal.
    pub fn totals_checks(&self) -> Result<Vec<TotalsCheck>, AppError> {
        let mut out = Vec::new();
        for t in self.journal.known_terminals()? {
            if let Some(json) = self.journal.cursor(&t, CURSOR_TOTALS)? {
                if let Ok(c) = serde_json::from_str::<TotalsCheck>(&json) {
                    out.push(c);
                }
            }
        }
        out.sort_by(|a, b| a.terminal.cmp(&b.terminal));
        Ok(out)
    }

    /// Runs `cmd` on the terminal at `addr` (host:port, ZVT over TCP) and mirrors it.
    pub fn terminal(
        &mut self,
        addr: &str,
        cmd: TerminalCommand,
        password: u32,
    ) -> Result<TerminalReport, AppError> {
        let rt = runtime(&mut tokio::runtime::Builder::new_current_thread())?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let (reg, ex) = rt.block_on(async {
            let mut link = Link::connect_tcp(addr, link_clock).await?;
            let reg = link
                .command(&commands::registration(
                    password,
                    commands::MIRROR_CONFIG,
                    156,
                ))
                .await?;
            let status = matches!(cmd, TerminalCommand::Status);
            let apdu: Apdu = match cmd {
                TerminalCommand::Status => commands::status_enquiry(),
                TerminalCommand::Totals => commands::turnover_totals(password),
                TerminalCommand::EndOfDay => commands::end_of_day(password),
                TerminalCommand::RepeatReceipt => commands::repeat_receipt(password),
                TerminalCommand::Diagnosis => commands::diagnosis(),
                TerminalCommand::DemoPayment { amount_minor } => {
                    commands::authorisation(amount_minor, 156)
                }
            };
            let ex = match link.command(&apdu).await {
                Ok(ex) => Ok(ex),
                // Some terminals know only registration, authorisation and end of
                // day: "function not possible" to an enquiry still says it is there.
                Err(LinkError::Refused(rc)) if status => Err(rc),
                Err(e) => return Err(e),
            };
            Ok::<_, LinkError>((reg, ex))
        })?;
        match ex {
            Ok(ex) => self.mirror(&reg, &ex),
            Err(rc) => {
                tracing::info!(
                    result_code = rc,
                    "the terminal does not support the status enquiry"
                );
                let tid_text = terminal_id_of(&reg);
                let (stored, _) = self.store(tid_text.as_deref(), &[&reg])?;
                Ok(TerminalReport {
                    end: "not_supported".to_owned(),
                    result_code: Some(rc),
                    terminal_id: tid_text,
                    software: None,
                    terminal_status: None,
                    settled: false,
                    stored,
                })
            }
        }
    }

    fn mirror(&mut self, reg: &Exchange, ex: &Exchange) -> Result<TerminalReport, AppError> {
        let tid_text = terminal_id_of(reg).or_else(|| terminal_id_of(ex));
        let (stored, settled) = self.store(tid_text.as_deref(), &[reg, ex])?;
        let (end, result_code) = match ex.end {
            End::Completed => ("completed", None),
            End::Aborted(rc) => ("aborted", rc),
            End::Acknowledged | End::Open => ("acknowledged", None),
        };
        let status = ex.terminal_status();
        Ok(TerminalReport {
            end: end.to_owned(),
            result_code,
            terminal_id: tid_text,
            software: status.as_ref().and_then(|s| s.0.clone()),
            terminal_status: status.map(|s| s.1),
            settled,
            stored,
        })
    }
}

/// The built-in demo terminal (the simulator) on 127.0.0.1; it runs until dropped.
#[derive(Debug)]
pub struct DemoTerminal {
    /// host:port to connect to.
    pub addr: String,
    /// The simulator itself: customers can be sent to its counter.
    pub terminal: Arc<slipkeeper_termsim::Shared>,
    runtime: tokio::runtime::Runtime,
}

impl DemoTerminal {
    /// Writes the demo terminal's own bookings to `path` as they happen, one JSON line
    /// each (`batch`, `trace`, `kind`, `amount`), replaced whole: what an end-to-end
    /// test compares the journal with.
    pub fn keep_ledger(&self, path: std::path::PathBuf) {
        let term = self.terminal.clone();
        self.runtime.spawn(async move {
            let mut last = String::from("-");
            loop {
                let text: String = term
                    .ledger()
                    .iter()
                    .map(|b| {
                        format!(
                            "{}\n",
                            serde_json::json!({"batch": b.batch_no, "trace": b.trace, "kind": b.kind.as_str(), "amount": b.amount})
                        )
                    })
                    .collect();
                if text != last {
                    let tmp = path.with_extension("tmp");
                    match std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &path)) {
                        Ok(()) => last = text,
                        Err(e) => tracing::warn!(error = %e, "demo ledger not written"),
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        });
    }

    /// Customers pay at the demo terminal's counter, `per_minute`, from now on.
    pub fn customers(&self, per_minute: u32) {
        self.runtime.spawn(slipkeeper_termsim::customer_flow(
            self.terminal.clone(),
            per_minute,
            u64::MAX,
            2026,
        ));
    }
}

pub fn start_demo_terminal() -> Result<DemoTerminal, AppError> {
    start_demo_terminal_on("127.0.0.1:0")
}

/// The demo terminal on a given address (port 0: any free port).
pub fn start_demo_terminal_on(addr: &str) -> Result<DemoTerminal, AppError> {
    let listen: std::net::SocketAddr = addr
        .parse()
        .map_err(|e| AppError::new(ErrorCode::BadInput, format!("{addr:?}: {e}")))?;
    let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(1))?;
    let term = slipkeeper_termsim::Shared::new(
        slipkeeper_termsim::Terminal::new("52523535", slipkeeper_domain::sample::MERCHANT, 156),
        Default::default(),
    );
    let (addr, _task) = rt
        .block_on(slipkeeper_termsim::serve_shared(
            listen,
            term.clone(),
            demo_local_now,
        ))
        .map_err(|e| {
            AppError::new(
                ErrorCode::Io,
                format!("cannot start the demo terminal: {e}"),
            )
        })?;
    Ok(DemoTerminal {
        addr: addr.to_string(),
        terminal: term,
        runtime: rt,
    })
}

/// Demo payments arriving live, as if a cash register drove the demo terminal: one
/// every `every`, until `stop` is set. Amounts follow a fixed pseudo-random sequence
/// (about one in twenty is declined, as the simulator declines amounts ending in .13).
pub fn run_live_demo(
    app: &std::sync::Mutex<App>,
    addr: &str,
    every: std::time::Duration,
    stop: &std::sync::atomic::AtomicBool,
) {
    let mut n: u64 = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        n += 1;
        let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let amount = if n % 20 == 7 { 1013 } else { 500 + h % 30_000 };
        if let Ok(mut a) = app.lock() {
            // A failed demo payment is shown by its absence; the demo keeps going.
            if let Err(e) = a.terminal(
                addr,
                TerminalCommand::DemoPayment {
                    amount_minor: amount,
                },
                0,
            ) {
                tracing::info!(error = %e.message, "demo payment not taken");
            }
        }
        std::thread::sleep(every);
    }
}

#[allow(clippy::disallowed_methods)] // the demo terminal's own clock, like a real terminal's
fn demo_local_now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, TxnQuery};

    #[test]
    fn back_office_commands_against_the_demo_terminal_are_mirrored() {
        let demo = start_demo_terminal().unwrap();
        let addr = demo.addr.clone();
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();

        let st = app.terminal(&addr, TerminalCommand::Status, 0).unwrap();
        assert_eq!(
            (st.end.as_str(), st.terminal_status, st.software.as_deref()),
            ("completed", Some(0), Some("SIM-1.00"))
        );
        assert_eq!(st.terminal_id.as_deref(), Some("52523535"));

        let paid = app
            .terminal(
                &addr,
                TerminalCommand::DemoPayment { amount_minor: 4200 },
                0,
            )
            .unwrap();
        assert_eq!(paid.end, "completed");
        let page = app.search(&TxnQuery::default()).unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].txn.batch_no.as_str(), "000001");
        assert_eq!(app.detail(page.items[0].id).unwrap().slips.len(), 2);

        let eod = app.terminal(&addr, TerminalCommand::EndOfDay, 0).unwrap();
        assert!(eod.settled);
        app.terminal(&addr, TerminalCommand::DemoPayment { amount_minor: 100 }, 0)
            .unwrap();
        let newest = app.search(&TxnQuery::default()).unwrap().items.remove(0);
        assert_eq!(
            newest.txn.batch_no.as_str(),
            "000002",
            "after end-of-day the next batch begins"
        );
        assert!(
            app.search(&TxnQuery {
                text: Some("VOUCHER NO.: 000001".into()),
                ..Default::default()
            })
            .unwrap()
            .total
                >= 1
        );
        assert!(app.verify().unwrap().is_clean());

        let declined = app
            .terminal(&addr, TerminalCommand::DemoPayment { amount_minor: 513 }, 0)
            .unwrap();
        assert_eq!(
            (declined.end.as_str(), declined.result_code),
            ("aborted", Some(5))
        );
    }

    #[test]
    fn an_unreachable_terminal_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        drop(l);
        let e = app.terminal(&addr, TerminalCommand::Status, 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::Io);
        assert!(
            e.message.contains("cannot reach the terminal"),
            "{}",
            e.message
        );
    }
}
