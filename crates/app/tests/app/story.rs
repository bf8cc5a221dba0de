//! The demo shop's week (`slipkeeper demo story`, what `make run` opens on) tells the
//! product's story on a real journal: the failed void is a settled sale to refund, the
//! payment the mirror missed is noticed twice (a voucher gap, a settlement that counted
//! more) and found on the acquirer's statement, and the statement lacks one sale.

use slipkeeper_app::{App, Finding, FixedClock, JournalForm, Lookup};
use slipkeeper_domain::{Complaint, DiagnosisCode, DiscrepancyKind};

#[test]
fn the_demo_week_holds_every_situation_the_app_is_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let mut app = App::open(&db, FixedClock::at("2026-12-03T15:00:00+08:00")).unwrap();
    let r = app.seed_story().unwrap();
    assert!(r.transactions > 150, "{}", r.transactions);
    assert_eq!(r.settlements, 12);
    assert_eq!(r.try_at, "2026-12-01 12:57");
    assert!(app.verify().unwrap().is_clean());

    // Today's batch is open, the earlier ones settled.
    let today = app
        .find(&JournalForm {
            from: "2026-12-03".into(),
            to: "2026-12-03".into(),
            ..JournalForm::default()
        })
        .unwrap();
    assert!(today.page.total > 0);
    assert!(today.page.items.iter().all(|h| !h.row.settled));

    // "About 255 around 13:00 on the 1st" finds the sale; voiding it is a refund now.
    let found = app
        .find(&JournalForm {
            search: "255".into(),
            around: "2026-12-01 13:00".into(),
            ..JournalForm::default()
        })
        .unwrap();
    let hit = &found.page.items[0];
    assert_eq!(hit.row.txn.amount.minor(), 25_531);
    assert!(hit.row.settled);
    let d = app
        .diagnose(Complaint::VoidFailed, &Lookup::Txn { id: hit.row.id })
        .unwrap();
    assert_eq!(d.code, DiagnosisCode::SettledUseRefund);

    // The missed payment: a hole in the vouchers and a settlement counting one more.
    let findings = app.check().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(
        findings.iter().any(|f| matches!(f, Finding::Gap { .. })),
        "{findings:?}"
    );

    // The statement has it, and lacks one sale of the door terminal: two discrepancies.
    app.import_statement(&r.statement, None, None).unwrap();
    let (from, to) = app.statement_period().unwrap().unwrap();
    let rec = app.reconcile(from, to).unwrap();
    let mut kinds: Vec<DiscrepancyKind> = rec.result.discrepancies.iter().map(|d| d.kind).collect();
    kinds.sort_by_key(|k| k.as_str());
    assert_eq!(
        kinds,
        vec![
            DiscrepancyKind::MissingFromJournal,
            DiscrepancyKind::MissingFromStatement
        ],
        "{:?}",
        rec.result.discrepancies
    );
    // Every other day, terminal and card type agrees to the fen.
    let off: Vec<_> = rec
        .result
        .totals
        .iter()
        .filter(|t| t.difference_minor != 0)
        .collect();
    assert_eq!(off.len(), 2, "{off:?}");

    // The first start offers what the slips say, and saves nothing by itself.
    let p = app.suggested_profile().unwrap();
    assert_eq!(p.shop_name.as_deref(), Some("演示商店 DEMO SHOP"));
    assert_eq!(
        p.merchant_id.map(|m| m.to_string()).as_deref(),
        Some(slipkeeper_domain::sample::MERCHANT)
    );
    assert_eq!(app.merchant_profile().unwrap().shop_name, None);

    // The same day again adds nothing.
    let again = app.seed_story().unwrap();
    assert_eq!(again.transactions, r.transactions);
    assert_eq!(
        app.search(&Default::default()).unwrap().total,
        r.transactions
    );
}
