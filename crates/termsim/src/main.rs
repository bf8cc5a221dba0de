//! `slipkeeper-termsim`: a ZVT terminal for trying Slipkeeper without hardware, over
//! TCP or a pseudo-terminal, with customers at its counter and faults on its line.
//! Run with `--help` for the options.

use slipkeeper_termsim::{customer_flow, serve_shared, Faults, Shared, Terminal};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[allow(clippy::disallowed_methods)] // the simulator's clock is the wall clock
fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

const USAGE: &str =
    "usage: slipkeeper-termsim [--listen HOST:PORT | --pty] [--tid TERMINAL_ID] [--vu MERCHANT_NO]
    [--customers N] [--per-minute N] [--seed N] [--ledger FILE] [--no-status-enquiry]
    [--drop-within N] [--delay-p P] [--delay-ms N] [--silence-p P] [--corrupt-p P] [--nak-p P]

  --listen      TCP address to serve (default 127.0.0.1:20007; port 0 = any free port)
  --pty         serve on a new pseudo-terminal instead and print its path (Linux, macOS)
  --customers   how many customers pay at the counter (amounts keyed in at the terminal;
                the ECR must keep an authorisation without amount open), default 0
  --per-minute  how fast they come (default 30)
  --seed        seed of amounts and faults (default 1)
  --ledger      keep the terminal's own journal in FILE (batch, trace, kind, amount, receipt)
  --no-status-enquiry  refuse 05 01 with 0x83, as terminals that know little do
  --drop-within close the line after a random number of frames up to N (each connection)
  --delay-p / --delay-ms   hold a frame back with probability P for N ms
  --silence-p   stop answering (line stays open) with probability P per frame
  --corrupt-p   serial: flip a byte of a frame with probability P (the CRC catches it)
  --nak-p       serial: answer a good frame with NAK with probability P";

struct Opts {
    listen: String,
    pty: bool,
    tid: String,
    vu: String,
    customers: u64,
    per_minute: u32,
    seed: u64,
    ledger: Option<std::path::PathBuf>,
    faults: Faults,
    status_enquiry: bool,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        listen: "127.0.0.1:20007".into(),
        pty: false,
        tid: "52523535".into(),
        vu: "898310048990001".into(),
        customers: 0,
        per_minute: 30,
        seed: 1,
        ledger: None,
        faults: Faults::default(),
        status_enquiry: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--pty" {
            o.pty = true;
            continue;
        }
        if a == "--no-status-enquiry" {
            o.status_enquiry = false;
            continue;
        }
        if a == "--help" || a == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
        let num = |what: &str| -> Result<f64, String> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("{what} {v:?}: expected a number ≥ 0"))
        };
        match a.as_str() {
            "--listen" => o.listen = v,
            "--tid" => o.tid = v,
            "--vu" => o.vu = v,
            "--customers" => o.customers = num(&a)? as u64,
            "--per-minute" => o.per_minute = num(&a)?.max(1.0) as u32,
            "--seed" => o.seed = num(&a)? as u64,
            "--ledger" => o.ledger = Some(v.into()),
            "--drop-within" => o.faults.drop_within = Some(num(&a)?.max(1.0) as u32),
            "--delay-p" => o.faults.delay_p = num(&a)?,
            "--delay-ms" => o.faults.delay = Duration::from_millis(num(&a)? as u64),
            "--silence-p" => o.faults.silence_p = num(&a)?,
            "--corrupt-p" => o.faults.corrupt_p = num(&a)?,
            "--nak-p" => o.faults.nak_p = num(&a)?,
            _ => return Err(format!("unknown option {a}")),
        }
    }
    o.faults.seed = o.seed;
    Ok(o)
}

/// Writes the ledger whenever it changes (to a temporary file, then renamed, so a
/// reader never sees half of it).
async fn keep_ledger(shared: Arc<Shared>, path: std::path::PathBuf) {
    let mut last = String::from("-");
    loop {
        let text: String = shared
            .ledger()
            .iter()
            .map(|b| {
                format!(
                    "{}\t{}\t{:?}\t{}\t{}\n",
                    b.batch_no, b.trace, b.kind, b.amount, b.receipt
                )
            })
            .collect();
        if text != last {
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, &text).is_ok() && std::fs::rename(&tmp, &path).is_ok() {
                last = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("slipkeeper-termsim: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mut terminal = Terminal::new(&o.tid, &o.vu, 156);
    terminal.knows_status_enquiry = o.status_enquiry;
    let shared = Shared::new(terminal, o.faults.clone());
    if let Some(p) = o.ledger.clone() {
        tokio::spawn(keep_ledger(shared.clone(), p));
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
    let addr: SocketAddr = match o.listen.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("slipkeeper-termsim: --listen {:?}: {e}", o.listen);
            std::process::exit(2);
        }
    };
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
    let path = slave.name().unwrap_or_default();
    println!("ZVT terminal {tid} on serial {path}");
    // The slave end stays open here so that the line exists between ECR sessions.
    let _keep = slave;
    // A serial line does not close: after a fault the terminal listens again.
    loop {
        let _ = slipkeeper_termsim::serve_serial(&mut master, shared.clone(), now).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(not(unix))]
async fn serve_pty(_shared: Arc<Shared>, _tid: &str) {
    eprintln!("slipkeeper-termsim: --pty needs Linux or macOS");
    std::process::exit(2);
}
