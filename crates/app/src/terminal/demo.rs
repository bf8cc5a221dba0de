//! The built-in demo terminal (the simulator) and demo payments arriving live.

use super::*;

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
        self.runtime.spawn(self.terminal.clone().keep_ledger(
            path,
            std::time::Duration::from_millis(100),
            |b| {
                format!(
                    "{}\n",
                    serde_json::json!({"batch": b.batch_no, "trace": b.trace, "kind": b.kind.as_str(), "amount": b.amount})
                )
            },
        ));
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

/// The demo terminal on a free port of 127.0.0.1.
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
