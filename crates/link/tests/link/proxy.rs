//! Proxy mode over real sockets: cash register (our Link) → proxy → simulator.

use chrono::{NaiveDate, TimeZone, Utc};
use slipkeeper_domain::*;
use slipkeeper_journal::{Journal, RecordBody, TxnQuery};
use slipkeeper_link::proxy::{self, Assembler};
use slipkeeper_link::{commands, mirror, End, Link};
use slipkeeper_testkit::sim;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn shop_time() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 22)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

fn clock() -> slipkeeper_link::Clock {
    let tick = Arc::new(AtomicI64::new(0));
    Arc::new(move || {
        Utc.with_ymd_and_hms(2026, 11, 22, 1, 30, 0).unwrap()
            + chrono::TimeDelta::milliseconds(tick.fetch_add(1, Ordering::SeqCst))
    })
}

/// The bytes of `frames` that went one way, in order.
fn one_way(frames: &[slipkeeper_link::Frame], d: slipkeeper_journal::Direction) -> Vec<u8> {
    frames
        .iter()
        .filter(|f| f.direction == d)
        .flat_map(|f| f.bytes.iter().copied())
        .collect()
}

/// A register connected to the simulated terminal through a TCP proxy that records each
/// relayed frame with `rec`, registered and ready to pay. (The simulator and the relay
/// are tasks of the test's runtime: they end with the test.)
async fn register_through_proxy(rec: proxy::Recorder) -> Link<tokio::net::TcpStream> {
    let (pt, _terminal) = sim::counter(shop_time).await;
    let (addr, _relay) = proxy::run("127.0.0.1:0".parse().unwrap(), pt.to_string(), rec, clock())
        .await
        .unwrap();
    let mut register = Link::connect_tcp(&addr.to_string(), clock()).await.unwrap();
    register.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
    crate::register(&mut register).await;
    register
}

#[tokio::test]
async fn the_register_pays_through_the_proxy_and_the_journal_mirrors_it() {
    let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
    let mut register = register_through_proxy(proxy::Recorder::tap_only(tap)).await;
    let paid = register
        .command(&commands::authorisation(8800, 156).unwrap())
        .await
        .unwrap();
    assert_eq!(paid.end, End::Completed);
    drop(register);

    // Everything the register sent and received went through the proxy unchanged.
    let mut seen = Vec::new();
    let mut asm = Assembler::default();
    let mut exchanges = Vec::new();
    while let Ok(Some((_, f))) =
        tokio::time::timeout(Duration::from_millis(500), frames.recv()).await
    {
        seen.push(f.clone());
        exchanges.extend(asm.push(f));
    }
    exchanges.extend(asm.finish());
    let sent = one_way(&paid.frames, slipkeeper_journal::Direction::Tx);
    assert!(
        one_way(&seen, slipkeeper_journal::Direction::Tx).ends_with(&sent),
        "register bytes pass unchanged"
    );
    assert_eq!(exchanges.len(), 2, "registration and payment");
    let pay = &exchanges[1];
    assert_eq!(pay.command, commands::authorisation(8800, 156).unwrap());
    assert_eq!(pay.end, End::Completed);
    assert_eq!(
        pay.frames.len(),
        paid.frames.len(),
        "the proxy saw every frame the register did"
    );
    assert!(asm.loose.is_empty());

    let ctx = mirror::Context {
        terminal_id: TerminalId::new("52523535").unwrap(),
        merchant_id: MerchantId::new("898310048990001").unwrap(),
        batch_no: BatchNo::new("1").unwrap(),
        currency: Currency::CNY,
        local_now: shop_time(),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
    let (recs, _) = mirror::records(
        &ctx,
        pay,
        Utc.with_ymd_and_hms(2026, 11, 22, 1, 31, 0).unwrap(),
    );
    assert!(matches!(&recs[0].body, RecordBody::Transaction(t) if t.amount == Money::cny(8800)));
    j.ingest(&recs).unwrap();
    assert_eq!(
        j.search(&TxnQuery {
            amount_minor: Some(8800),
            ..Default::default()
        })
        .unwrap()
        .total,
        1
    );
}

#[tokio::test]
async fn payments_go_through_when_the_recorder_is_gone() {
    let (logged, _logging) = crate::capture_logs();
    let (tap, frames) = tokio::sync::mpsc::unbounded_channel();
    drop(frames); // the journal side crashed
    let mut register = register_through_proxy(proxy::Recorder::tap_only(tap)).await;
    pay_three(&mut register).await;
    // Said once, not once per frame.
    let said = logged.text();
    assert_eq!(
        said.matches("the journal side stopped taking frames")
            .count(),
        1,
        "{said}"
    );
}

async fn pay_three(register: &mut Link<tokio::net::TcpStream>) {
    for amount in [100, 200, 300] {
        assert_eq!(
            register
                .command(&commands::authorisation(amount, 156).unwrap())
                .await
                .unwrap()
                .end,
            End::Completed
        );
    }
}

/// A spool that cannot be written (a full disk; /dev/full refuses every write) stops no
/// payment, the journal side still gets every frame, and the log says why the spool
/// is behind.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn payments_go_through_when_the_spool_cannot_be_written_and_the_log_says_so() {
    let (logged, _logging) = crate::capture_logs();
    let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
    let spool = slipkeeper_link::spool::Spool::open(std::path::Path::new("/dev/full")).unwrap();
    let mut register = register_through_proxy(proxy::Recorder::new(tap, spool)).await;
    pay_three(&mut register).await;
    drop(register);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut assembler = Assembler::default();
    let mut exchanges = Vec::new();
    while let Ok((_, f)) = frames.try_recv() {
        exchanges.extend(assembler.push(f));
    }
    let paid = exchanges
        .iter()
        .filter(|ex| {
            ex.command.code() == slipkeeper_zvt::cmd::AUTHORISATION && ex.end == End::Completed
        })
        .count();
    assert_eq!(paid, 3, "every payment reached the journal side");
    let said = logged.text();
    assert!(
        said.contains("the spool could not be written") && said.contains("/dev/full"),
        "{said}"
    );
}

#[test]
fn the_assembler_rebuilds_apdus_split_across_chunks() {
    use slipkeeper_journal::Direction::{Rx, Tx};
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 1, 0, 0).unwrap();
    let f = |d, b: &[u8]| slipkeeper_link::Frame {
        direction: d,
        at,
        bytes: b.to_vec(),
    };
    let mut a = Assembler::default();
    assert!(a.push(f(Tx, &[0x06, 0x01, 0x07, 0x04, 0, 0])).is_empty());
    assert!(a.push(f(Tx, &[0, 0, 0x10, 0])).is_empty());
    // ACK and the start of the abort in one chunk, the rest in the next.
    assert!(a.push(f(Rx, &[0x80, 0x00, 0x00, 0x06, 0x1E])).is_empty());
    assert!(a.push(f(Rx, &[0x01, 0x05])).is_empty());
    let done = a.push(f(Tx, &[0x80, 0x00, 0x00]));
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].end, End::Aborted(Some(5)));
    assert_eq!(done[0].frames.len(), 4);
    // Garbage is kept, not dropped.
    a.push(f(Rx, &[0xFF]));
    assert!(a.push(f(Rx, &[0xFF, 0xFF, 0x01])).is_empty());
}

/// A pseudo-terminal pair: the master end for one side, the slave's device path
/// for the other to open as a serial port.
#[cfg(unix)]
fn pty() -> (tokio_serial::SerialStream, String) {
    use tokio_serial::SerialPort;
    let (master, slave) = tokio_serial::SerialStream::pair().unwrap();
    let path = slave.name().unwrap();
    // The slave fd may close: the path stays valid while the master is open.
    std::mem::forget(slave);
    (master, path)
}

#[cfg(unix)]
#[tokio::test]
async fn a_serial_proxy_relays_framed_bytes_unchanged_and_the_journal_mirrors_them() {
    use slipkeeper_termsim::{serve_serial, Faults, Shared};
    let (register_end, ecr_dev) = pty();
    let (terminal_end, pt_dev) = pty();
    let sim = Shared::new(sim::terminal(), Faults::default());
    tokio::spawn(serve_serial(terminal_end, sim.clone(), shop_time));
    let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
    let _relay = proxy::run_serial(
        slipkeeper_link::open_serial_port(&ecr_dev, 9600).unwrap(),
        slipkeeper_link::open_serial_port(&pt_dev, 9600).unwrap(),
        proxy::Recorder::tap_only(tap),
        clock(),
    );

    let mut register = Link::serial(register_end, clock());
    register.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
    crate::register(&mut register).await;
    let paid = register
        .command(&commands::authorisation(4711, 156).unwrap())
        .await
        .unwrap();
    assert_eq!(paid.end, End::Completed);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // What the register received, byte for byte, is what the proxy copied from the
    // terminal's side (frames, CRCs and the one-byte line ACKs included).
    let mut relayed_down = Vec::new();
    let mut asm = Assembler::serial();
    let mut exchanges = Vec::new();
    while let Ok((_, f)) = frames.try_recv() {
        if f.direction == slipkeeper_journal::Direction::Rx {
            relayed_down.extend_from_slice(&f.bytes);
        }
        exchanges.extend(asm.push(f));
    }
    let received = one_way(&paid.frames, slipkeeper_journal::Direction::Rx);
    for frame in paid
        .frames
        .iter()
        .filter(|f| f.direction == slipkeeper_journal::Direction::Rx)
    {
        assert!(
            relayed_down
                .windows(frame.bytes.len())
                .any(|w| w == frame.bytes),
            "the register got a frame the proxy did not relay: {:02X?}",
            frame.bytes
        );
    }
    assert!(
        relayed_down.len() > received.len(),
        "line ACKs are relayed too"
    );

    let payment = exchanges
        .iter()
        .find(|e| (e.command.class, e.command.instr) == (0x06, 0x01))
        .expect("the payment is rebuilt from the relayed serial bytes");
    assert_eq!(payment.end, End::Completed);
    let ctx = mirror::Context {
        terminal_id: TerminalId::new("52523535").unwrap(),
        merchant_id: MerchantId::new("898310048990001").unwrap(),
        batch_no: BatchNo::new("1").unwrap(),
        currency: Currency::CNY,
        local_now: shop_time(),
    };
    let (records, _) = mirror::records(
        &ctx,
        payment,
        Utc.with_ymd_and_hms(2026, 11, 22, 1, 31, 0).unwrap(),
    );
    let txn = records
        .iter()
        .find_map(|r| match &r.body {
            RecordBody::Transaction(t) => Some(t),
            _ => None,
        })
        .unwrap();
    assert_eq!(txn.amount.minor(), 4711);
    assert_eq!(sim.ledger().len(), 1);
}
