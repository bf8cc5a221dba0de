//! The "lost transmission" case: bookings the terminal made while nobody mirrored it.
//! On connect the mirror fetches the last one again (repeat receipt) and compares the
//! terminal's totals with the journal; what is still missing becomes an alert.

use slipkeeper_app::{App, ConnectOptions, Finding, MirrorEvent, SystemClock, TxnQuery};
use slipkeeper_link::service::Endpoint;
use slipkeeper_testkit::sim::Simulator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[test]
fn bookings_made_while_nobody_mirrored_are_caught_up_or_reported() {
    let Simulator { rt, addr, .. } = Simulator::start();
    // Three customers pay while the back-office PC is off (another register drives
    // the terminal).
    rt.block_on(async {
        let clock: slipkeeper_link::Clock = std::sync::Arc::new(|| {
            chrono::DateTime::parse_from_rfc3339("2026-11-22T01:00:00Z")
                .unwrap()
                .to_utc()
        });
        let mut other = slipkeeper_link::Link::connect_tcp(&addr.to_string(), clock)
            .await
            .unwrap();
        other
            .command(&slipkeeper_link::commands::registration(0, 0, 156).unwrap())
            .await
            .unwrap();
        for amount in [1000, 2000, 3000] {
            other
                .command(&slipkeeper_link::commands::authorisation(amount, 156).unwrap())
                .await
                .unwrap();
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("j.db"), SystemClock).unwrap();
    let mut opts = ConnectOptions::new(Endpoint::Tcp(addr.to_string()));
    opts.arm = Some(Duration::from_secs(1));
    let stop = AtomicBool::new(false);
    let mut check = None;
    app.connect(&opts, &stop, |ev| {
        if let MirrorEvent::Totals(c) = ev {
            check = Some(c.clone());
            stop.store(true, Ordering::Relaxed);
        }
    })
    .unwrap();
    let check = check.expect("the totals were compared on connect");

    // The last booking came back with repeat receipt; the two before it are gone
    // from the terminal's memory of receipts, and the totals say so.
    let page = app.search(&TxnQuery::default()).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].txn.amount.minor(), 3000);
    assert_eq!(
        (
            check.terminal_count,
            check.terminal_minor,
            check.journal_count,
            check.journal_minor
        ),
        (3, 6000, 1, 3000)
    );
    let findings = app.check().unwrap();
    assert!(
        findings.iter().any(|f| matches!(
            f,
            Finding::OpenBatchMismatch {
                terminal_count: 3,
                journal_count: 1,
                ..
            }
        )),
        "{findings:?}"
    );
    let text: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    assert!(
        text.iter().any(|t| t
            .contains("the terminal counted 3 sales for 60.00 but the journal has 1 for 30.00")),
        "{text:?}"
    );

    // The two missing bookings filled in (as a statement or an import would): the
    // alert goes, without asking the terminal again. A comparison kept from the
    // check would go on saying "the journal has only 1".
    let kept = page.items[0].txn.clone();
    let filled: Vec<slipkeeper_journal::Record> = [(1, 1000), (2, 2000)]
        .into_iter()
        .map(|(trace, minor)| {
            let mut t = kept.clone();
            t.trace_no = slipkeeper_domain::TraceNo::new(&trace.to_string()).unwrap();
            t.amount = slipkeeper_domain::Money::cny(minor);
            t.rrn = None;
            t.auth_code = None;
            t.receipt_no = None;
            slipkeeper_journal::Record {
                body: slipkeeper_journal::RecordBody::Transaction(t),
                recorded_at: chrono::DateTime::UNIX_EPOCH,
            }
        })
        .collect();
    app.journal_mut().ingest(&filled).unwrap();
    let after = app.check().unwrap();
    assert!(
        !after
            .iter()
            .any(|f| matches!(f, Finding::OpenBatchMismatch { .. })),
        "{after:?}"
    );
}

/// A payment's acknowledgement waits for its own commit only: slips are indexed for
/// search when the terminal is quiet (or after many checkpoints), found by a text
/// search meanwhile, and all indexed once the mirror stops.
#[test]
fn the_live_mirror_indexes_slips_when_the_counter_is_quiet() {
    let n = 40;
    let counter = Simulator::start();
    counter.customers(n);
    let addr = counter.addr;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    let mut app = App::open(&path, SystemClock).unwrap();
    // Another reader of the same file, as the desktop's window would be.
    let window = slipkeeper_journal::Journal::open(&path).unwrap();
    let mut opts = ConnectOptions::new(Endpoint::Tcp(addr.to_string()));
    opts.arm = Some(Duration::from_secs(5));
    let stop = AtomicBool::new(false);
    let mut awaiting_mid_burst = 0;
    let mut found_mid_burst = 0;
    app.connect(&opts, &stop, |ev| {
        if let MirrorEvent::Progress(p) = ev {
            if p.transactions == n / 2 && awaiting_mid_burst == 0 {
                awaiting_mid_burst = window.slips_awaiting_index().unwrap();
                found_mid_burst = window
                    .search(&TxnQuery {
                        text: Some("MERCHANT COPY".into()),
                        ..Default::default()
                    })
                    .unwrap()
                    .total;
            }
            if p.transactions >= n {
                stop.store(true, Ordering::Relaxed);
            }
        }
    })
    .unwrap();
    assert!(
        awaiting_mid_burst > 0,
        "customers kept coming: their slips wait for a quiet moment"
    );
    assert!(found_mid_burst >= n / 2, "{found_mid_burst}");
    assert_eq!(app.journal().slips_awaiting_index().unwrap(), 0);
    let found = app
        .search(&TxnQuery {
            text: Some("MERCHANT COPY".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, n);
}
