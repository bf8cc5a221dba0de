//! The terminal link end to end: the mirror over loopback TCP into a real SQLite
//! journal (each booking committed before it is acknowledged), the bytes a booking
//! costs on the wire and at serial speeds, and the latency the proxy adds.

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

#[path = "support/clocks.rs"]
mod clocks;
#[path = "support/latency.rs"]
mod latency;
use clocks::link_clock;
use slipkeeper_testkit::sim::shop_now;

use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_app::{App, ConnectOptions, MirrorEvent, SystemClock};
use slipkeeper_link::service::Endpoint;
use slipkeeper_link::{commands, Link};
use slipkeeper_termsim::{Faults, Shared};
use slipkeeper_testkit::sim;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A simulated terminal on loopback with `n` customers already waiting at its counter.
async fn counter_with(n: u64) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let sim = Shared::new(sim::terminal(), Faults::default());
    sim::queue_customers(&sim, n);
    sim::serve(sim, shop_now).await
}

/// Mirrors `n` bookings of customers already waiting; returns the time from the
/// first connect until the n-th transaction is stored, and the bytes on the wire.
fn mirror_run(rt: &tokio::runtime::Runtime, n: u64) -> (Duration, u64, u64) {
    let (addr, server) = rt.block_on(counter_with(n));
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("j.db"), SystemClock).unwrap();
    let mut opts = ConnectOptions::new(Endpoint::Tcp(addr.to_string()));
    opts.arm = Some(Duration::from_secs(5));
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let mut took = Duration::ZERO;
    let (mut bytes, mut txns) = (0u64, 0u64);
    app.connect(&opts, &stop, |ev| {
        if let MirrorEvent::Progress(p) = ev {
            if p.transactions >= n && txns < n {
                took = start.elapsed();
                bytes = p.bytes;
                txns = p.transactions;
                stop.store(true, Ordering::Relaxed);
            }
        }
    })
    .unwrap();
    server.abort();
    (took, bytes, txns)
}

/// The same bookings through the link service alone: every checkpoint answered at
/// once, nothing decoded into records, nothing stored. What the protocol, the loopback
/// socket and the simulator cost; the mirror cannot be faster than this.
fn link_only_run(rt: &tokio::runtime::Runtime, n: u64) -> Duration {
    use slipkeeper_link::service::{self, Event};
    rt.block_on(async {
        let (addr, server) = counter_with(n).await;
        // As App::connect runs it: armed, checkpoints before acknowledgements.
        let mut cfg = service::Config::new(&addr.to_string());
        cfg.arm = Some(Duration::from_secs(5));
        cfg.catch_up = true;
        cfg.commit_before_ack = true;
        let (_requests, req_rx) = tokio::sync::mpsc::channel(8);
        let (ev_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let start = Instant::now();
        let link = tokio::spawn(service::run(cfg, link_clock(), req_rx, ev_tx));
        let mut bookings = 0;
        while bookings < n {
            match events.recv().await.unwrap() {
                Event::Exchange(_, Some(commit)) => {
                    let _ = commit.send(Ok(()));
                }
                // The whole exchange follows its last acknowledgement.
                Event::Exchange(ex, None) => {
                    if ex.command.instr == 0x01 && matches!(ex.end, slipkeeper_link::End::Completed)
                    {
                        bookings += 1;
                    }
                }
                Event::State(_) | Event::Totals(_) => {}
            }
        }
        let took = start.elapsed();
        link.abort();
        server.abort();
        took
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Mirror throughput (transactions per second, end to end).
    let n = 500;
    let mut g = c.benchmark_group("mirror");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(n));
    g.bench_function("loopback_tcp_into_sqlite_500_bookings", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| mirror_run(&rt, n).0).sum())
    });
    g.bench_function("loopback_tcp_link_only_500_bookings", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| link_only_run(&rt, n)).sum())
    });
    g.finish();
    let (took, bytes, txns) = mirror_run(&rt, n);
    eprintln!(
        "mirror: {txns} bookings in {took:?} = {:.0} transactions/s",
        txns as f64 / took.as_secs_f64()
    );

    // Bytes of one booking (registration and catch-up excluded): ZVT over TCP, and
    // the same APDUs framed for a serial line (DLE STX … DLE ETX CRC, DLE doubled,
    // one ACK byte back per frame) at 8 data bits + 2 stop bits + start bit.
    let one = rt.block_on(async {
        let (addr, _s) = counter_with(1).await;
        let mut l = Link::connect_tcp(&addr.to_string(), link_clock())
            .await
            .unwrap();
        l.command(&commands::registration(0, commands::MIRROR_CONFIG, 156).unwrap())
            .await
            .unwrap();
        l.command(&commands::armed_authorisation(5, 156).unwrap())
            .await
            .unwrap()
    });
    let tcp: usize = one.frames.iter().map(|f| f.bytes.len()).sum();
    let serial: usize = one
        .frames
        .iter()
        .map(|f| slipkeeper_zvt::serial::frame(&f.bytes).len() + 1)
        .sum();
    for baud in [9600u32, 115_200] {
        eprintln!(
            "one booking: {} frames, {tcp} bytes over TCP, {serial} bytes framed for serial = {:.0} ms at {baud} baud",
            one.frames.len(),
            serial as f64 * 11.0 * 1000.0 / f64::from(baud)
        );
    }
    let _ = bytes;

    // Latency the proxy adds: a status enquiry (4 frames) straight to the simulator
    // and through the proxy, alternately.
    let (direct, proxied) = rt.block_on(async {
        // Two simulators: a terminal serves one ECR connection at a time.
        let (pt, _s) = sim::counter(shop_now).await;
        let (pt2, _s2) = sim::counter(shop_now).await;
        let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move { while frames.recv().await.is_some() {} });
        let spool_dir = tempfile::tempdir().unwrap();
        let spool = slipkeeper_link::spool::Spool::open(&spool_dir.path().join("s.spool")).unwrap();
        let (px, _p) = slipkeeper_link::proxy::run(
            "127.0.0.1:0".parse().unwrap(),
            pt.to_string(),
            slipkeeper_link::proxy::Recorder::new(tap, spool),
            link_clock(),
        )
        .await
        .unwrap();
        let mut a = Link::connect_tcp(&pt2.to_string(), link_clock())
            .await
            .unwrap();
        let mut b = Link::connect_tcp(&px.to_string(), link_clock())
            .await
            .unwrap();
        latency::alternate(&mut a, &mut b, 2000).await
    });
    latency::report("proxy", &direct, &proxied);
}

criterion_group!(benches, bench);
criterion_main!(benches);
