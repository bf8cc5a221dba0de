//! Proxy mode started the way the Connect screen starts it: the cash register (here a
//! second Slipkeeper paying as a register would) talks to the terminal through this
//! PC over real loopback sockets; the payment is mirrored, and stopping the proxy
//! frees its port.

use slipkeeper_app::{App, ConnectRequest, FixedClock, LinkSlot, TerminalCommand};
use std::time::{Duration, Instant};

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_payment_from_the_cash_register_passes_the_proxy_and_is_mirrored() {
    let demo = slipkeeper_app::start_demo_terminal().unwrap();
    let (host, port) = demo.addr.rsplit_once(':').unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.db");
    let slot = LinkSlot::new(&journal);
    let started = slot
        .connect(&ConnectRequest::Proxy {
            listen_port: Some(0),
            host: host.into(),
            port: Some(port.parse().unwrap()),
        })
        .unwrap();
    assert!(started.proxy);
    assert_eq!(started.endpoint, demo.addr, "the terminal it relays to");
    let listening = wait_for("the proxy to listen", || {
        let s = slot.status().unwrap();
        (s.state == "listening").then_some(s.listening_on?)
    });
    let proxy_port = listening.rsplit_once(':').unwrap().1.to_owned();

    let mut register = App::open(
        &dir.path().join("register.db"),
        FixedClock::at("2026-11-22T03:00:00Z"),
    )
    .unwrap();
    let paid = register
        .terminal(
            &format!("127.0.0.1:{proxy_port}"),
            TerminalCommand::DemoPayment { amount_minor: 1234 },
            0,
        )
        .unwrap();
    assert_eq!(paid.end, "completed", "{paid:?}");

    let progress = wait_for("the payment in the proxy's journal", || {
        let p = slot.status().unwrap().progress?;
        (p.transactions == 1).then_some(p)
    });
    assert!(progress.frames >= 8, "{progress:?}");
    let app = App::open(&journal, FixedClock::at("2026-11-22T03:00:00Z")).unwrap();
    let page = app.search(&Default::default()).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].txn.amount.minor(), 1234);
    assert!(app.verify().unwrap().is_clean());

    slot.disconnect().unwrap();
    assert_eq!(slot.status().unwrap().state, "idle");
    std::net::TcpListener::bind(format!("0.0.0.0:{proxy_port}"))
        .expect("the proxy's port is free once it stopped");

    // A proxy needs a terminal to relay to.
    let e = slot
        .connect(&ConnectRequest::Proxy {
            listen_port: None,
            host: " ".into(),
            port: None,
        })
        .unwrap_err();
    assert_eq!(e.code, slipkeeper_app::ErrorCode::BadInput);
}

/// The serial proxy as the service runs it (a `SerialProxy` link): the cash register
/// on one pseudo-terminal, the simulator on another; the register's payment goes
/// through and is mirrored; stopping the link ends it.
#[cfg(unix)]
#[test]
fn a_payment_over_serial_cables_passes_the_proxy_and_is_mirrored() {
    use slipkeeper_link::{commands, End, Link};
    use slipkeeper_termsim::{serve_serial, Faults, Shared};
    use slipkeeper_testkit::sim::{shop_now, terminal};
    use tokio_serial::SerialPort;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (register_end, register_dev, terminal_end, terminal_dev) = rt.block_on(async {
        let pair = || {
            let (master, slave) = tokio_serial::SerialStream::pair().unwrap();
            let path = slave.name().unwrap();
            // The slave fd may close: the path stays valid while the master is open.
            std::mem::forget(slave);
            (master, path)
        };
        let (a, ap) = pair();
        let (b, bp) = pair();
        (a, ap, b, bp)
    });
    let sim = Shared::new(terminal(), Faults::default());
    rt.spawn(serve_serial(terminal_end, sim.clone(), shop_now));
    let dir = tempfile::tempdir().unwrap();
    let slot = LinkSlot::new(&dir.path().join("journal.db"));
    slot.connect(&ConnectRequest::SerialProxy {
        register: register_dev.clone(),
        terminal: terminal_dev,
        baud: Some(9600),
    })
    .unwrap();
    wait_for("the serial proxy to open its ports", || {
        (slot.status().unwrap().state == "listening").then_some(())
    });
    #[allow(clippy::disallowed_methods)] // the register's wall clock
    let clock: slipkeeper_link::Clock = std::sync::Arc::new(chrono::Utc::now);
    let paid = rt.block_on(async {
        let mut register = Link::serial(register_end, clock);
        register.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
        register
            .command(&commands::registration(0, commands::MIRROR_CONFIG, 156).unwrap())
            .await
            .unwrap();
        register
            .command(&commands::authorisation(4711, 156).unwrap())
            .await
            .unwrap()
    });
    assert_eq!(paid.end, End::Completed);
    let p = wait_for("the payment in the proxy's journal", || {
        let p = slot.status().unwrap().progress?;
        (p.transactions == 1).then_some(p)
    });
    assert!(p.frames > 0);
    assert_eq!(sim.ledger().len(), 1);
    let stopped = slot.disconnect().unwrap();
    assert_eq!(stopped.state, "idle");
}
