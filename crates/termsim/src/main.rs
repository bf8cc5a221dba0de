//! `slipkeeper-termsim`: a ZVT terminal for trying Slipkeeper without hardware, over
//! TCP or a pseudo-terminal, with customers at its counter and faults on its line.
//! Run with `--help` for the options (clap).

use slipkeeper_termsim::{customer_flow, serve_shared, Faults, Shared, Terminal};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[allow(clippy::disallowed_methods)] // the simulator's clock is the wall clock
fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// A ZVT payment terminal for trying Slipkeeper without hardware: over TCP or a
/// pseudo-terminal, with customers at its counter and faults on its line.
#[derive(Debug, clap::Parser)]
#[command(name = "slipkeeper-termsim", version)]
struct Opts {
    /// TCP address to serve (port 0 = any free port).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:20007")]
    listen: SocketAddr,
    /// Serve on a new pseudo-terminal instead and print its path (Linux, macOS).
    #[arg(long)]
    pty: bool,
    /// The terminal id it reports.
    #[arg(long, value_name = "TERMINAL_ID", default_value = "52523535")]
    tid: String,
    /// The merchant number (VU) it reports.
    #[arg(long, value_name = "MERCHANT_NO", default_value = "898310048990001")]
    vu: String,
    /// How many customers pay at the counter (amounts keyed in at the terminal; the ECR
    /// must keep an authorisation without amount open).
    #[arg(long, default_value_t = 0)]
    customers: u64,
    /// How fast they come.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    per_minute: u32,
    /// Seed of amounts and faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the terminal's own journal in FILE (batch, trace, kind, amount, receipt).
    #[arg(long, value_name = "FILE")]
    ledger: Option<std::path::PathBuf>,
    /// Refuse 05 01 with 0x83, as terminals that know little do.
    #[arg(long)]
    no_status_enquiry: bool,
    /// Close the line after a random number of frames up to N (each connection).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    drop_within: Option<u32>,
    /// Hold a frame back with probability P …
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    delay_p: f64,
    /// … for this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_ms: u64,
    /// Stop answering (the line stays open) with probability P per frame.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    silence_p: f64,
    /// Serial: flip a byte of a frame with probability P (the CRC catches it).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    corrupt_p: f64,
    /// Serial: answer a good frame with NAK with probability P.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    nak_p: f64,
}

/// A probability: a number from 0 to 1.
fn probability(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("{s:?}: expected a probability from 0 to 1"))
}

impl Opts {
    fn faults(&self) -> Faults {
        Faults {
            seed: self.seed,
            drop_within: self.drop_within,
            delay_p: self.delay_p,
            delay: Duration::from_millis(self.delay_ms),
            silence_p: self.silence_p,
            corrupt_p: self.corrupt_p,
            nak_p: self.nak_p,
        }
    }
}

/// One booking of the ledger file: batch, trace, kind, amount, receipt, tab-separated.
fn ledger_line(b: &slipkeeper_termsim::Booked) -> String {
    format!(
        "{}\t{}\t{:?}\t{}\t{}\n",
        b.batch_no, b.trace, b.kind, b.amount, b.receipt
    )
}

#[tokio::main]
async fn main() {
    let o = <Opts as clap::Parser>::parse();
    // What the terminal's library logs (sessions that end in an error, refused
    // connections) goes to stderr beside this program's own messages.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let mut terminal = Terminal::new(&o.tid, &o.vu, 156);
    terminal.knows_status_enquiry = !o.no_status_enquiry;
    let shared = Shared::new(terminal, o.faults());
    if let Some(p) = o.ledger.clone() {
        tokio::spawn(
            shared
                .clone()
                .keep_ledger(p, Duration::from_millis(20), ledger_line),
        );
    }
    if o.customers > 0 {
        tokio::spawn(customer_flow(
            shared.clone(),
            o.per_minute,
            o.customers,
            o.seed,
        ));
    }
    if o.pty {
        serve_pty(shared, &o.tid).await;
        return;
    }
    let addr = o.listen;
    match serve_shared(addr, shared, now).await {
        Ok((bound, task)) => {
            println!("ZVT terminal {} listening on {bound}", o.tid);
            let _ = task.await;
        }
        Err(e) => {
            eprintln!("slipkeeper-termsim: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(unix)]
async fn serve_pty(shared: Arc<Shared>, tid: &str) {
    use tokio_serial::SerialPort;
    let (mut master, slave) = match tokio_serial::SerialStream::pair() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("slipkeeper-termsim: cannot make a pseudo-terminal: {e}");
            std::process::exit(1);
        }
    };
    let Some(path) = slave.name() else {
        eprintln!("slipkeeper-termsim: the pseudo-terminal has no device path");
        std::process::exit(1);
    };
    println!("ZVT terminal {tid} on serial {path}");
    // The slave end stays open here so that the line exists between ECR sessions.
    let _keep = slave;
    // A serial line does not close: after a fault the terminal listens again.
    loop {
        if let Err(e) = slipkeeper_termsim::serve_serial(&mut master, shared.clone(), now).await {
            eprintln!("slipkeeper-termsim: serial session ended: {e}; listening again");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(not(unix))]
async fn serve_pty(_shared: Arc<Shared>, _tid: &str) {
    eprintln!("slipkeeper-termsim: --pty needs Linux or macOS");
    std::process::exit(2);
}
