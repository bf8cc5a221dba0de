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
}
