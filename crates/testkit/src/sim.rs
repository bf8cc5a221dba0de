//! The simulated counter terminal (`slipkeeper-termsim`) on a real TCP socket on
//! 127.0.0.1, as the link, the app and the CLI tests all meet it.

use chrono::NaiveDateTime;
use slipkeeper_termsim::{Faults, Shared, Terminal};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// The terminal the demo and the tests name: 52523535 of merchant 898310048990001,
/// paying in CNY (156).
pub fn terminal() -> Terminal {
    Terminal::new("52523535", "898310048990001", 156)
}

/// The simulated terminal's wall clock: what a real terminal prints is its own local
/// time, which a test cannot pass in.
#[allow(clippy::disallowed_methods)]
pub fn shop_now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Serves `sim` on a free port of 127.0.0.1 from the current runtime, with `clock` as
/// the terminal's time. The server runs until its runtime ends.
pub async fn serve(sim: Arc<Shared>, clock: fn() -> NaiveDateTime) -> (SocketAddr, JoinHandle<()>) {
    slipkeeper_termsim::serve_shared(loopback(), sim, clock)
        .await
        .expect("the simulated terminal to listen on 127.0.0.1")
}

/// The tests' terminal ([`terminal`]) with no faults on a free port of 127.0.0.1, from
/// the current runtime, with `clock` as its time (a fixed one makes slips comparable).
pub async fn counter(clock: fn() -> NaiveDateTime) -> (SocketAddr, JoinHandle<()>) {
    serve(Shared::new(terminal(), Faults::default()), clock).await
}

/// A port of 127.0.0.1 the OS picks.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A simulated terminal on loopback with a runtime of its own, for tests that are not
/// async themselves. It serves until dropped.
pub struct Simulator {
    /// The runtime it serves on; tests spawn customers or other tasks on it too.
    pub rt: Runtime,
    /// The terminal's state: customers at the counter, its ledger, its faults.
    pub sim: Arc<Shared>,
    /// Where it listens.
    pub addr: SocketAddr,
    _server: JoinHandle<()>,
}

impl Simulator {
    /// The tests' terminal ([`terminal`]) with no faults, on the wall clock.
    pub fn start() -> Simulator {
        Simulator::with(terminal(), Faults::default())
    }

    /// `term` with `faults` on the wire, on the wall clock.
    pub fn with(term: Terminal, faults: Faults) -> Simulator {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the simulated terminal");
        let sim = Shared::new(term, faults);
        let (addr, server) = rt.block_on(serve(sim.clone(), shop_now));
        Simulator {
            rt,
            sim,
            addr,
            _server: server,
        }
    }

    /// Its address as a link names it ("127.0.0.1:PORT").
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// `n` customers waiting at the counter (see [`queue_customers`]).
    pub fn customers(&self, n: u64) -> &Simulator {
        queue_customers(&self.sim, n);
        self
    }
}

/// `n` customers waiting at `sim`'s counter, paying 10.00, 11.00, … 59.00 CNY and
/// round again.
pub fn queue_customers(sim: &Shared, n: u64) {
    for i in 0..n {
        sim.customer(1000 + (i % 50) * 100);
    }
}
