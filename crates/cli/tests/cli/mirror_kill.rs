//! SIGKILL the mirror (`slipkeeper connect`) at random points while customers pay at
//! the counter, fifty times, then let it run: the journal holds every booking of the
//! terminal exactly once and verifies.

use slipkeeper_app::{App, SystemClock, TxnQuery};
use slipkeeper_termsim::{customer_flow, Rng, Shared};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

type Row = (u32, u32, String, u64);

fn journal(db: &std::path::Path) -> (BTreeSet<Row>, u64) {
    if !db.exists() {
        return (BTreeSet::new(), 0);
    }
    let app = App::open(db, SystemClock).unwrap();
    let page = app
        .search(&TxnQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    let rows = page
        .items
        .iter()
        .map(|r| {
            (
                r.txn.batch_no.as_str().parse().unwrap(),
                r.txn.trace_no.as_str().parse().unwrap(),
                r.txn.kind.as_str().to_owned(),
                r.txn.amount.minor() as u64,
            )
        })
        .collect();
    (rows, page.total)
}

fn ledger(sim: &Shared) -> BTreeSet<Row> {
    sim.ledger()
        .iter()
        .map(|b| (b.batch_no, b.trace, b.kind.as_str().to_owned(), b.amount))
        .collect()
}

fn mirror(db: &std::path::Path, addr: &str) -> crate::Child {
    crate::Child(
        crate::bin()
            .arg("--db")
            .arg(db)
            .args(["connect", "--tcp", addr, "--arm", "1", "--ack-timeout", "1"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[test]
fn fifty_sigkills_of_the_mirror_lose_and_duplicate_nothing() {
    let crate::Simulator { rt, sim, addr, .. } = crate::Simulator::start();
    let addr = addr.to_string();
    // A customer every 60 ms for about as long as the kills take.
    rt.spawn(customer_flow(sim.clone(), 1000, 150, 7));

    let d = crate::Dir::new();
    let db = d.p("journal.db");
    let mut rng = Rng::new(2026);
    let mut grew = 0;
    let mut before = 0;
    for _ in 0..50 {
        let mut child = mirror(&db, &addr);
        std::thread::sleep(Duration::from_millis(40 + rng.below(260)));
        child.0.kill().unwrap(); // SIGKILL
        child.0.wait().unwrap();
        let (_, n) = journal(&db);
        if n > before {
            grew += 1;
        }
        before = n;
    }
    assert!(
        grew >= 10,
        "the kills must land while the mirror stores, not only during start-up ({grew} of 50 runs stored something)"
    );

    let child = mirror(&db, &addr);
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut have, mut total, mut want);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        // Nobody waiting first, then the ledger (final from then on), then the journal.
        let served = sim.customers_waiting() == 0;
        want = ledger(&sim);
        (have, total) = journal(&db);
        if (served && have == want) || Instant::now() > deadline {
            break;
        }
    }
    drop(child);
    assert!(want.len() > 100, "only {} bookings", want.len());
    assert_eq!(
        have,
        want,
        "missing {:?}, extra {:?}",
        want.difference(&have).collect::<Vec<_>>(),
        have.difference(&want).collect::<Vec<_>>()
    );
    assert_eq!(
        total,
        want.len() as u64,
        "a booking is in the journal twice"
    );
    let v = crate::sk(&db, &["journal", "verify"]).ok().stdout();
    assert!(v.contains("journal verified"), "{v}");
}
