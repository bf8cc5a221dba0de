//! Evidence packs are the same bytes for the same inputs, and say what is missing.

#![allow(clippy::unwrap_used)] // a test: fail loudly

use slipkeeper_app::{verify_evidence, App, FixedClock, Lookup, MerchantProfile};
use slipkeeper_domain::{Complaint, TerminalId, TraceNo};

fn shop() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(
        &dir.path().join("j.db"),
        FixedClock::at("2026-11-22T03:00:00Z"),
    )
    .unwrap();
    app.seed_demo(60).unwrap();
    (dir, app)
}

fn lookup() -> Lookup {
    Lookup::Voucher {
        voucher: TraceNo::new("7").unwrap(),
        terminal: Some(TerminalId::new("10000001").unwrap()),
        batch: None,
    }
}

#[test]
fn two_builds_are_byte_identical_and_verify() {
    let (dir, mut app) = shop();
    app.set_merchant_profile(&MerchantProfile {
        shop_name: Some("演示商店".into()),
        contact_person: Some("王老板".into()),
        phone: Some("13800000000".into()),
        ..Default::default()
    })
    .unwrap();
    let id = app
        .open_case(Complaint::Dispute, &lookup(), Some("cup"), None)
        .unwrap();
    let a = dir.path().join("a.zip");
    let b = dir.path().join("b.zip");
    let ra = app.build_evidence(id, &[], &a).unwrap();
    let rb = app.build_evidence(id, &[], &b).unwrap();
    assert_eq!(ra.sha256, rb.sha256);
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "same inputs, same bytes"
    );
    let check = verify_evidence(&a).unwrap();
    assert!(check.ok(), "{:?}", check.problems);
    assert!(check.proofs >= 1);
    // The deadline comes from the acquirer's response window (7 days for cup).
    let v = app.case(id).unwrap();
    assert_eq!(v.summary.days_left, Some(7));
    assert_eq!(v.events.iter().filter(|e| e.kind == "pack").count(), 2);
}

#[test]
fn a_letter_is_not_written_without_the_shops_details() {
    let (dir, mut app) = shop();
    let id = app
        .open_case(Complaint::Dispute, &lookup(), Some("cup"), None)
        .unwrap();
    let out = dir.path().join("p.zip");
    let e = app.build_evidence(id, &[], &out).unwrap_err();
    assert!(
        e.message.contains("shop_name, contact_person, phone")
            && e.message.contains("nothing was written"),
        "{}",
        e.message
    );
    assert!(!out.exists());
    let plan = app.contact_plan(id).unwrap();
    assert_eq!(plan.missing, vec!["shop_name", "contact_person", "phone"]);
    assert!(
        plan.phone_script.zh.contains("95516"),
        "{}",
        plan.phone_script.zh
    );
    assert!(
        plan.letter.en.contains("Voucher no.: 000007"),
        "{}",
        plan.letter.en
    );
}
