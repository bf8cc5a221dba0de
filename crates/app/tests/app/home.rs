//! The home screen never waits for the journal-wide checks: the first answer says
//! they are running, a later one carries their result.

use slipkeeper_domain::sample;
use slipkeeper_journal::{Record, RecordBody};

#[test]
fn home_now_answers_at_once_and_the_alerts_follow() {
    let (_dir, mut app) = crate::support::shop(20);
    // A voucher far ahead of the others: the ones between are missing.
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T03:00:00Z")
        .unwrap()
        .to_utc();
    app.journal_mut()
        .ingest(&[Record {
            body: RecordBody::Transaction(sample::transaction(400)),
            recorded_at: at,
        }])
        .unwrap();
    let first = app.home_now().unwrap();
    assert!(first.checking && first.alerts.is_empty(), "{first:?}");
    assert_eq!(first.journal_total, 21, "the figures do not wait");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let later = loop {
        let h = app.home_now().unwrap();
        if !h.checking || std::time::Instant::now() > deadline {
            break h;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(!later.checking);
    assert_eq!(later.alerts, app.home().unwrap().alerts);
    assert!(
        later.alerts.iter().any(|a| a.text.en.contains("missing")
            && a.text.zh.contains("缺少")
            && a.fix == slipkeeper_app::AlertFix::Reconcile),
        "{:?}",
        later.alerts
    );
}

/// A journal a terminal keeps adding to is never "fresh": once one check has answered,
/// Home shows that answer and stops saying it is checking, while the next check runs.
#[test]
fn checking_ends_while_transactions_keep_arriving() {
    let (_dir, mut app) = crate::support::shop(20);
    assert!(app.home_now().unwrap().checking);
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T03:00:00Z")
        .unwrap()
        .to_utc();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen_done = false;
    for n in 0..200u64 {
        // One more transaction before every look, as a busy counter would.
        app.journal_mut()
            .ingest(&[Record {
                body: RecordBody::Transaction(sample::transaction(1000 + n)),
                recorded_at: at,
            }])
            .unwrap();
        let h = app.home_now().unwrap();
        if seen_done {
            assert!(!h.checking, "checking again after an answer: {h:?}");
        }
        seen_done |= !h.checking;
        if seen_done && n > 20 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(seen_done, "the check never ended");
}
