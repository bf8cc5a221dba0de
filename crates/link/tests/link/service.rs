//! The long-running connection: reconnects with backoff after the terminal goes away,
//! detects a terminal that stops answering, and keeps serving commands.

use chrono::{NaiveDate, TimeZone, Utc};
use slipkeeper_link::service::{self, Backoff, Event, State};
use slipkeeper_link::{commands, End};
use slipkeeper_termsim::serve;
use slipkeeper_testkit::sim;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

fn shop_time() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 22)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

/// A simulator in a runtime of its own: dropping the runtime kills it, connections and all.
fn simulator(addr: &str) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (bound, _) = rt
        .block_on(serve(addr.parse().unwrap(), sim::terminal(), shop_time))
        .unwrap();
    (rt, bound.to_string())
}

async fn next_state(ev: &mut mpsc::UnboundedReceiver<Event>, want: fn(&State) -> bool) -> State {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ev.recv())
            .await
            .expect("no state change within 10 s")
            .unwrap()
        {
            Event::State(s) if want(&s) => return s,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_the_terminal_comes_back() {
    let (sim, addr) = tokio::task::spawn_blocking(|| simulator("127.0.0.1:0"))
        .await
        .unwrap();
    let mut cfg = service::Config::new(&addr);
    cfg.backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_millis(400),
    };
    cfg.ack_timeout = Duration::from_secs(1);
    cfg.heartbeat = Duration::from_millis(300);
    let (req_tx, req_rx) = mpsc::channel(4);
    let (ev_tx, mut ev) = mpsc::unbounded_channel();
    let clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap());
    let svc = tokio::spawn(service::run(cfg, clock, req_rx, ev_tx));

    next_state(&mut ev, |s| *s == State::Connected).await;
    let (tx, rx) = oneshot::channel();
    req_tx
        .send((commands::authorisation(1500, 156).unwrap(), tx))
        .await
        .unwrap();
    assert_eq!(rx.await.unwrap().unwrap().end, End::Completed);

    // The terminal is switched off: the heartbeat notices, and retries begin.
    tokio::task::spawn_blocking(move || drop(sim))
        .await
        .unwrap();
    let s = next_state(&mut ev, |s| matches!(s, State::Disconnected { .. })).await;
    assert!(
        matches!(s, State::Disconnected { retry_in, .. } if retry_in <= Duration::from_millis(400))
    );
    // A command while it is away fails at once instead of hanging.
    let (tx, rx) = oneshot::channel();
    req_tx.send((commands::status_enquiry(), tx)).await.unwrap();
    assert!(rx.await.unwrap().is_err());

    // Switched on again at the same address: the service reconnects by itself.
    let (sim2, _) = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || simulator(&addr)
    })
    .await
    .unwrap();
    next_state(&mut ev, |s| *s == State::Connected).await;
    let (tx, rx) = oneshot::channel();
    req_tx.send((commands::status_enquiry(), tx)).await.unwrap();
    assert_eq!(rx.await.unwrap().unwrap().end, End::Completed);

    drop(req_tx);
    tokio::time::timeout(Duration::from_secs(5), svc)
        .await
        .unwrap()
        .unwrap();
    tokio::task::spawn_blocking(move || drop(sim2))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_terminal_that_accepts_but_never_answers_is_a_dead_peer() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut keep = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            keep.push(s); // accept, then say nothing
        }
    });
    let mut cfg = service::Config::new(&addr);
    cfg.ack_timeout = Duration::from_millis(200);
    cfg.backoff = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(50),
    };
    let (_req_tx, req_rx) = mpsc::channel(1);
    let (ev_tx, mut ev) = mpsc::unbounded_channel();
    let clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap());
    tokio::spawn(service::run(cfg, clock, req_rx, ev_tx));
    let s = next_state(&mut ev, |s| matches!(s, State::Disconnected { .. })).await;
    let State::Disconnected { reason, .. } = s else {
        unreachable!()
    };
    assert!(reason.contains("no answer"), "{reason}");
}
