//! `slipkeeper-termsim [--listen 127.0.0.1:20007] [--tid 52523535] [--vu 898310048990001]`:
//! a ZVT terminal on a TCP port, for trying Slipkeeper without hardware.

use slipkeeper_termsim::{serve, Terminal};
use std::net::SocketAddr;

#[allow(clippy::disallowed_methods)] // the simulator's clock is the wall clock
fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut listen = "127.0.0.1:20007".to_owned();
    let mut tid = "52523535".to_owned();
    let mut vu = "898310048990001".to_owned();
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--listen", Some(v)) => listen = v,
            ("--tid", Some(v)) => tid = v,
            ("--vu", Some(v)) => vu = v,
            _ => {
                eprintln!("usage: slipkeeper-termsim [--listen HOST:PORT] [--tid TERMINAL_ID] [--vu MERCHANT_NO]");
                std::process::exit(2);
            }
        }
    }
    let addr: SocketAddr = match listen.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("slipkeeper-termsim: --listen {listen:?}: {e}");
            std::process::exit(2);
        }
    };
    match serve(addr, Terminal::new(&tid, &vu, 156), now).await {
        Ok((bound, task)) => {
            println!("ZVT terminal {tid} listening on {bound}");
            let _ = task.await;
        }
        Err(e) => {
            eprintln!("slipkeeper-termsim: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    }
}
