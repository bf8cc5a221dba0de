//! ECR mode, long-running: stay connected to the terminal and mirror what it says,
//! each checkpoint committed before it is acknowledged.

use super::*;

impl App {
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
        self.drain_spool()?;
        // The terminal waits 5 s for its acknowledgement; a journal locked by another
        // program must not use that up, or the terminal gives up on the exchange.
        // Writes wait at most this long, then the checkpoint goes to the spool.
        self.journal.set_busy_timeout(MIRROR_LOCK_WAIT)?;
        let result = self.mirror_until_stopped(opts, stop, &mut on_event);
        self.journal
            .set_busy_timeout(slipkeeper_journal::BUSY_TIMEOUT)?;
        result
    }

    fn mirror_until_stopped(
        &mut self,
        opts: &ConnectOptions,
        stop: &std::sync::atomic::AtomicBool,
        on_event: &mut impl FnMut(MirrorEvent<'_>),
    ) -> Result<(), AppError> {
        use slipkeeper_link::service::{self, Event};
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
        let mut session = Session::new(self.clock.now());
        let tick = std::time::Duration::from_millis(200);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if session.unindexed >= INDEX_AFTER {
                // A terminal that never pauses still gets its slips indexed now and then.
                session.index(self);
            }
            let ev = match rt.block_on(async { tokio::time::timeout(tick, events.recv()).await }) {
                Ok(Some(ev)) => ev,
                Ok(None) => break,
                Err(_) => {
                    // Quiet at the counter: store what waits, index what came in, and
                    // what the journal refused earlier once it takes writes again.
                    session.flush(self);
                    if session.unindexed > 0 {
                        session.index(self);
                    }
                    session.drain(self);
                    continue; // look at `stop` again
                }
            };
            match ev {
                Event::State(s) => {
                    tracing::info!(state = ?s, "terminal link");
                    on_event(MirrorEvent::State(&s))
                }
                Event::Exchange(ex, None) => {
                    session.exchange(self, ex);
                    on_event(MirrorEvent::Progress(&session.progress));
                }
                Event::Exchange(ex, Some(commit)) => {
                    let result = session.checkpoint(self, ex);
                    if commit.send(result).is_err() {
                        tracing::warn!("the link went away before the commit was confirmed; the terminal will repeat the exchange");
                    }
                }
                Event::Totals(ex) => {
                    if let Some(check) = session.totals(self, &ex)? {
                        on_event(MirrorEvent::Totals(&check));
                    }
                }
            }
        }
        session.flush(self);
        service.abort();
        session.index(self);
        tracing::info!("mirror stopped");
        Ok(())
    }

    pub(super) fn spool_exchange(
        &mut self,
        spool: &mut Option<Spool>,
        ex: &Exchange,
    ) -> Result<(), AppError> {
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
}

/// One mirror session's state: which terminal it is, how far it got, what waits to be
/// stored, and the spool opened when the journal refused something.
struct Session {
    /// The terminal id, from the first exchange that names it.
    tid: Option<String>,
    progress: MirrorProgress,
    /// Opened the first time the journal refuses a write.
    spool: Option<Spool>,
    /// Whole exchanges add only the last acknowledgement to what their checkpoints
    /// stored; they wait here and go in with the next write (one commit, not two).
    pending: Vec<Exchange>,
    /// Checkpoints stored since the search index was last brought up to date.
    unindexed: u32,
    /// When the spool was last drained or tried: a journal that still refuses makes
    /// every try wait out its busy timeout, so tries are spaced by [`DRAIN_EVERY`].
    drained_at: Option<std::time::Instant>,
}

/// How long a mirror's write waits for another program's lock before spooling.
const MIRROR_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// How often a mirror that spooled tries to move the spool into the journal.
const DRAIN_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl Session {
    fn new(since: chrono::DateTime<chrono::Utc>) -> Session {
        Session {
            tid: None,
            progress: MirrorProgress {
                since,
                ..Default::default()
            },
            spool: None,
            pending: Vec::new(),
            unindexed: 0,
            drained_at: None,
        }
    }

    /// Moves what this session spooled into the journal, once it takes writes again,
    /// without waiting for the next start. The spool is emptied only when everything
    /// in it is stored; a failed try stores what it can (idempotently) and tries again
    /// later.
    fn drain(&mut self, app: &mut App) {
        if self.spool.is_none() || self.drained_at.is_some_and(|at| at.elapsed() < DRAIN_EVERY) {
            return;
        }
        self.drained_at = Some(std::time::Instant::now());
        self.spool = None; // closed: draining empties the file
        match app.drain_spool() {
            Ok(r) => {
                tracing::info!(
                    transactions = r.inserted_transactions,
                    records = r.inserted,
                    "spooled exchanges are stored now"
                );
                self.progress.transactions += r.inserted_transactions;
            }
            Err(e) => {
                tracing::warn!(error = %e.message, "journal still refuses the spooled exchanges; trying again later");
                // Reopened so the next quiet moment tries again (and new refusals append).
                match Spool::open(&app.spool_path()) {
                    Ok(s) => self.spool = Some(s),
                    Err(s) => {
                        tracing::error!(error = %s, "spool not reopened; it is stored at the next start")
                    }
                }
            }
        }
    }

    fn learn_terminal(&mut self, ex: &Exchange) {
        if let Some(t) = terminal_id_of(ex) {
            self.tid = Some(t);
        }
    }

    /// Brings the search index up to date. A failure loses nothing (the slips are
    /// stored); the next quiet moment tries again.
    fn index(&mut self, app: &mut App) {
        if let Err(e) = app.index_search() {
            tracing::warn!(error = %e.message, "search index not brought up to date");
        }
        self.unindexed = 0;
    }

    /// A whole exchange: counted, held back for the next write (or stored now when
    /// many wait).
    fn exchange(&mut self, app: &mut App, ex: Exchange) {
        self.learn_terminal(&ex);
        self.progress.exchanges += 1;
        self.progress.frames += ex.frames.len() as u64;
        self.progress.bytes += ex.frames.iter().map(|f| f.bytes.len() as u64).sum::<u64>();
        self.progress.at = app.clock.now();
        self.pending.push(ex);
        if self.pending.len() >= 64 {
            self.flush(app);
        }
    }

    /// A checkpoint (status information, completion, abort) with what waits before it:
    /// stored, or spooled; the answer goes to the link, which acknowledges only then.
    fn checkpoint(&mut self, app: &mut App, ex: Exchange) -> Result<(), String> {
        self.learn_terminal(&ex);
        let mut batch: Vec<&Exchange> = self.pending.iter().collect();
        batch.push(&ex);
        let result = match app.store_unindexed(self.tid.as_deref(), &batch) {
            Ok((r, _)) => {
                self.progress.transactions += r.inserted_transactions;
                self.unindexed += 1;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e.message, "journal refused a checkpoint; spooling it");
                batch
                    .iter()
                    .try_for_each(|x| app.spool_exchange(&mut self.spool, x))
                    .map_err(|s| {
                        tracing::error!(error = %e.message, spool = %s.message, "checkpoint neither stored nor spooled; the terminal will repeat it");
                        format!("{}; spool: {}", e.message, s.message)
                    })
            }
        };
        self.pending.clear();
        result
    }

    /// The terminal's turnover totals: stored, and compared with the open batch.
    fn totals(&mut self, app: &mut App, ex: &Exchange) -> Result<Option<TotalsCheck>, AppError> {
        self.learn_terminal(ex);
        if let Err(e) = app.store(self.tid.as_deref(), &[ex]) {
            tracing::warn!(error = %e.message, "totals answer not stored");
        }
        app.check_terminal_totals(self.tid.as_deref(), ex)
    }

    /// Stores the whole exchanges held back; into the spool if the journal refuses.
    fn flush(&mut self, app: &mut App) {
        if self.pending.is_empty() {
            return;
        }
        let batch: Vec<&Exchange> = self.pending.iter().collect();
        if let Err(e) = app.store(self.tid.as_deref(), &batch) {
            tracing::warn!(error = %e.message, exchanges = batch.len(), "journal refused exchanges; spooling them");
            for x in &batch {
                // Nothing more can be done here than say so; the checkpoints are
                // stored or spooled already.
                if let Err(s) = app.spool_exchange(&mut self.spool, x) {
                    tracing::error!(error = %s.message, "exchange neither stored nor spooled");
                }
            }
        }
        self.pending.clear();
    }
}
