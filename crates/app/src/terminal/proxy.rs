//! Proxy mode: relay every byte between the cash register and the terminal (TCP or
//! serial), spool it first, mirror it from the copy.

use super::*;

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

impl App {
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
        self.mirror_tapped(&rt, &mut frames, stop, Assembler::default, &mut on_progress);
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
        self.mirror_tapped(&rt, &mut frames, stop, Assembler::serial, &mut on_progress);
        drop(relay);
        drop(rt);
        Ok(())
    }

    /// Mirrors what a proxy taps until `stop` is set or the relay ends: each
    /// connection's exchanges rebuilt by its own assembler (made by `assembler`), each
    /// stored or held back and retried when the line is quiet, progress after each frame.
    fn mirror_tapped(
        &mut self,
        rt: &tokio::runtime::Runtime,
        frames: &mut tokio::sync::mpsc::UnboundedReceiver<(u64, slipkeeper_link::Frame)>,
        stop: &std::sync::atomic::AtomicBool,
        assembler: fn() -> Assembler,
        on_progress: &mut impl FnMut(&MirrorProgress),
    ) {
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
            let (asm, tid) = conns.entry(conn).or_insert_with(|| (assembler(), None));
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
    }
}
