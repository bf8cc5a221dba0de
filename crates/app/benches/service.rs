//! The link service: time from its start to the terminal link being up, and the
//! latency its proxy adds per frame (the proxy as the service runs it: every frame
//! spooled, every exchange stored into SQLite), against talking to the terminal
//! directly. Idle memory is measured on the real process by `scripts/measure-service`.

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

#[path = "support/clocks.rs"]
mod clocks;
#[path = "support/latency.rs"]
mod latency;
use clocks::link_clock;
use slipkeeper_testkit::sim;

use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_app::agent::{request, serve, service_status};
use slipkeeper_app::{App, ConnectRequest, LinkSlot, SystemClock};
use slipkeeper_link::Link;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// From `serve` being called to its one link reporting "connected".
fn start_to_link_up(pt: &str) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("j.db");
    let (host, port) = pt.rsplit_once(':').unwrap();
    App::open(&db, SystemClock)
        .unwrap()
        .add_link(&ConnectRequest::Lan {
            host: host.to_owned(),
            port: Some(port.parse().unwrap()),
        })
        .unwrap();
    let stop = AtomicBool::new(false);
    let mut took = Duration::ZERO;
    std::thread::scope(|s| {
        let start = Instant::now();
        let (db2, stop) = (db.clone(), &stop);
        s.spawn(move || serve(&db2, SystemClock, stop, |_| {}).unwrap());
        loop {
            let up = service_status(&db).ok().flatten().is_some_and(|st| {
                st.links
                    .first()
                    .is_some_and(|l| l.status.state == "connected")
            });
            if up {
                took = start.elapsed();
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        request(&db, "POST", "/stop").unwrap();
    });
    took
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (pt, _s) = rt.block_on(sim::counter(sim::shop_now));
    let pt = pt.to_string();
    let mut g = c.benchmark_group("service");
    g.sample_size(10);
    g.bench_function("start_to_link_up", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| start_to_link_up(&pt)).sum())
    });
    g.finish();

    // The proxy as the service runs it (LinkSlot: spool, store into SQLite), against
    // a second simulator straight (a terminal serves one ECR connection at a time).
    let (pt2, _s2) = rt.block_on(sim::counter(sim::shop_now));
    let dir = tempfile::tempdir().unwrap();
    let slot = LinkSlot::new(&dir.path().join("j.db"));
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (host, port) = pt.rsplit_once(':').unwrap();
    slot.connect(&ConnectRequest::Proxy {
        listen_port: Some(listen),
        host: host.to_owned(),
        port: Some(port.parse().unwrap()),
    })
    .unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while slot.status().unwrap().state != "listening" {
        assert!(Instant::now() < until, "the proxy did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (direct, proxied) = rt.block_on(async {
        let mut a = Link::connect_tcp(&pt2.to_string(), link_clock())
            .await
            .unwrap();
        let mut b = Link::connect_tcp(&format!("127.0.0.1:{listen}"), link_clock())
            .await
            .unwrap();
        latency::alternate(&mut a, &mut b, 2000).await
    });
    latency::report("the service's proxy", &direct, &proxied);
    slot.disconnect().unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
