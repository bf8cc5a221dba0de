//! Proxy mode when the journal cannot keep up: the relay spools every chunk before
//! forwarding it, the payment goes through regardless, and the next start stores
//! what was spooled — once, however often it is drained.

use slipkeeper_app::{App, FixedClock, TxnQuery};
use slipkeeper_link::proxy::{self, Recorder};
use slipkeeper_link::spool::Spool;
use slipkeeper_link::{commands, End, Link};
use slipkeeper_testkit::sim::{counter, Simulator};
use std::sync::Arc;

fn shop_time() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

#[test]
fn a_payment_relayed_while_the_journal_was_away_is_stored_from_the_spool() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let app = App::open(&db, FixedClock::at("2026-11-22T01:30:00Z")).unwrap();
    let spool_path = app.spool_path();
    drop(app);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let paid = rt.block_on(async {
        let (pt, _t) = counter(shop_time).await;
        // The recorder's consumer is gone (a journal that is broken or stuck).
        let (tap, frames) = tokio::sync::mpsc::unbounded_channel();
        drop(frames);
        let clock: slipkeeper_link::Clock = Arc::new(|| {
            chrono::DateTime::parse_from_rfc3339("2026-11-22T01:30:00Z")
                .unwrap()
                .to_utc()
        });
        let (addr, _p) = proxy::run(
            "127.0.0.1:0".parse().unwrap(),
            pt.to_string(),
            Recorder::new(tap, Spool::open(&spool_path).unwrap()),
            clock.clone(),
        )
        .await
        .unwrap();
        let mut register = Link::connect_tcp(&addr.to_string(), clock).await.unwrap();
        register
            .command(&commands::registration(0, commands::MIRROR_CONFIG, 156).unwrap())
            .await
            .unwrap();
        register
            .command(&commands::authorisation(8800, 156).unwrap())
            .await
            .unwrap()
    });
    assert_eq!(paid.end, End::Completed, "the shop took the card anyway");
    assert!(!Spool::read(&spool_path).unwrap().is_empty());

    let mut app = App::open(&db, FixedClock::at("2026-11-22T02:00:00Z")).unwrap();
    assert_eq!(app.search(&TxnQuery::default()).unwrap().total, 0);
    let kept = std::fs::read(&spool_path).unwrap();
    let stored = app.drain_spool().unwrap();
    assert_eq!(stored.inserted_transactions, 1);
    let page = app.search(&TxnQuery::default()).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].txn.amount.minor(), 8800);
    assert_eq!(app.detail(page.items[0].id).unwrap().slips.len(), 2);
    assert!(Spool::read(&spool_path).unwrap().is_empty(), "drained");
    // A crash after storing but before the spool was emptied: drained again, it
    // adds nothing.
    std::fs::write(&spool_path, &kept).unwrap();
    let again = app.drain_spool().unwrap();
    assert_eq!((again.inserted, again.duplicates > 0), (0, true));
    assert_eq!(app.search(&TxnQuery::default()).unwrap().total, 1);
    assert!(app.verify().unwrap().is_clean());
}

/// A mirror whose journal is locked by another program spools the checkpoints it
/// cannot store (so the terminal is acknowledged and the counter goes on), and once
/// the lock goes it stores them by itself, while still running: the journal then
/// equals the terminal's ledger and the spool is empty, with no restart.
#[test]
fn a_running_mirror_stores_what_it_spooled_once_the_journal_is_free() {
    use slipkeeper_app::{ConnectOptions, SystemClock};
    use slipkeeper_link::service::Endpoint;
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    let Simulator {
        rt: _serving,
        sim,
        addr,
        ..
    } = Simulator::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let spool_path = App::open(&db, SystemClock).unwrap().spool_path();
    let stop = Arc::new(AtomicBool::new(false));
    let mirror = {
        let (stop, db) = (stop.clone(), db.clone());
        std::thread::spawn(move || {
            let mut app = App::open(&db, SystemClock).unwrap();
            let mut opts = ConnectOptions::new(Endpoint::Tcp(addr.to_string()));
            opts.arm = Some(Duration::from_secs(1));
            app.connect(&opts, &stop, |_| {}).unwrap();
        })
    };
    let reader = App::open(&db, SystemClock).unwrap();
    let traces = |app: &App| -> BTreeSet<u32> {
        app.search(&TxnQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .items
        .iter()
        .map(|r| r.txn.trace_no.as_str().parse().unwrap())
        .collect()
    };
    let ledger = || -> BTreeSet<u32> { sim.ledger().iter().map(|b| b.trace).collect() };
    let wait = |what: &str, secs: u64, f: &dyn Fn() -> bool| {
        let until = Instant::now() + Duration::from_secs(secs);
        while !f() {
            assert!(Instant::now() < until, "timed out: {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    sim.customer(1_000);
    wait("the first payment is mirrored", 30, &|| {
        sim.customers_waiting() == 0 && traces(&reader).len() == 1
    });

    // Another program (python's sqlite3) takes the journal's write lock, for longer
    // than the journal's 5 s busy timeout.
    let lock = slipkeeper_testkit::ForeignLock::hold(&db);
    sim.customer(2_000);
    sim.customer(3_000);
    wait(
        "the checkpoints the journal refused are spooled",
        60,
        &|| sim.customers_waiting() == 0 && !Spool::read(&spool_path).unwrap().is_empty(),
    );
    assert_eq!(ledger().len(), 3, "the counter went on");
    assert_eq!(traces(&reader).len(), 1, "nothing stored while locked");
    drop(lock); // released

    wait(
        "the running mirror stores the spool once the journal is free",
        60,
        &|| traces(&reader) == ledger() && Spool::read(&spool_path).unwrap().is_empty(),
    );
    assert!(!mirror.is_finished(), "stored without a restart");
    stop.store(true, Ordering::Relaxed);
    mirror.join().unwrap();
    assert_eq!(traces(&reader), ledger(), "nothing doubled");
    assert!(reader.verify().unwrap().is_clean());
}
