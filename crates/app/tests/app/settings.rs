//! Settings → data folder: backup and restore of the journal while a terminal is
//! being mirrored into it, and which files the window may ask the OS to open.

use slipkeeper_app::{App, ConnectRequest, ErrorCode, FixedClock, LinkSlot};
use std::time::{Duration, Instant};

fn open(path: &std::path::Path) -> App {
    App::open(path, FixedClock::at("2026-11-22T03:00:00Z")).unwrap()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_backup_restores_while_a_terminal_is_mirrored_and_the_mirror_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut app = open(&path);
    app.seed_demo(50).unwrap();
    let demo = slipkeeper_app::start_demo_terminal().unwrap();
    demo.customers(1200);
    let (host, port) = demo.addr.rsplit_once(':').unwrap();
    let slot = LinkSlot::new(&path);
    slot.connect(&ConnectRequest::Lan {
        host: host.into(),
        port: Some(port.parse().unwrap()),
    })
    .unwrap();
    let total = |app: &App| app.home().unwrap().journal_total;
    wait_for("mirrored bookings", || total(&app) >= 55);

    let backup = dir.path().join("backup 2026-11-22.db");
    app.backup(&backup).unwrap();
    let at_backup = {
        let copy = dir.path().join("copy.db");
        std::fs::copy(&backup, &copy).unwrap();
        total(&open(&copy))
    };
    assert!(at_backup >= 55, "{at_backup}");
    wait_for("bookings after the backup", || total(&app) >= at_backup + 5);

    let report = slot
        .paused(|| {
            assert_eq!(
                slot.status().unwrap().state,
                "idle",
                "paused while restoring"
            );
            app.restore(&backup, false)
        })
        .unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    let restored = total(&app);
    assert!(
        restored >= at_backup && restored < at_backup + 5,
        "the journal is the backup again ({at_backup} then, {restored} now)"
    );
    // The mirror was started again on the same terminal and keeps storing.
    wait_for("the mirror after the restore", || {
        total(&app) >= restored + 3
    });
    let status = slot.status().unwrap();
    assert_eq!(status.endpoint, demo.addr);
    slot.disconnect().unwrap();
    let report = app.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}

#[test]
fn the_journal_in_use_is_never_a_backup_target_nor_a_restore_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut app = open(&path);
    app.seed_demo(3).unwrap();
    for target in [path.clone(), dir.path().join("journal.db-wal")] {
        let e = app.backup(&target).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadInput, "{e:?}");
        assert!(e.message.contains("in use"), "{}", e.message);
    }
    // The same file by another spelling.
    let sneaky = dir.path().join(".").join("journal.db");
    assert_eq!(
        app.restore(&sneaky, false).unwrap_err().code,
        ErrorCode::BadInput
    );
    assert_eq!(app.home().unwrap().journal_total, 3, "untouched");
    assert!(app.verify().unwrap().is_clean());

    let not_a_journal = dir.path().join("notes.db");
    std::fs::write(&not_a_journal, "shopping list").unwrap();
    let e = app.restore(&not_a_journal, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotAJournal, "{e:?}");
    assert_eq!(app.home().unwrap().journal_total, 3, "untouched");

    // A backup name that merely starts like the journal's is fine.
    app.backup(&dir.path().join("journal.db.bak")).unwrap();
}

#[test]
fn only_files_in_the_data_folder_are_handed_to_the_os() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let app = open(&data.join("journal.db"));
    let folder = app.data_folder().unwrap();
    assert_eq!(folder.journal, data.join("journal.db"));
    assert_eq!(folder.folder, data);
    assert!(folder.size_bytes > 0);
    let pdf = folder.exports.join("slip.pdf");
    std::fs::write(&pdf, b"%PDF-1.7").unwrap();
    assert_eq!(app.openable(&pdf).unwrap(), pdf.canonicalize().unwrap());
    assert!(app.openable(&data).is_ok(), "the data folder itself");

    let outside = dir.path().join("run-me.sh");
    std::fs::write(&outside, "#!/bin/sh").unwrap();
    // Inside the data folder but not a file Slipkeeper writes: a script, the journal.
    let inside = folder.exports.join("run-me.desktop");
    std::fs::write(&inside, "[Desktop Entry]").unwrap();
    for p in [
        inside,
        data.join("journal.db"),
        outside.clone(),
        folder.exports.join("..").join("..").join("run-me.sh"),
        dir.path().join("missing.pdf"),
    ] {
        let e = app.openable(&p).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadInput, "{}", p.display());
    }
}

#[test]
fn an_acquirer_checked_against_the_contract_is_what_new_cases_use() {
    use slipkeeper_app::Lookup;
    use slipkeeper_domain::{Complaint, TraceNo};
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(&dir.path().join("journal.db"));
    app.seed_demo(20).unwrap();
    let mut cup = app.acquirer("cup").unwrap();
    assert!(!cup.verified);
    cup.hotline = " 400-123 4567 ".into();
    cup.dispute_email = "chargeback@example.cn".into();
    cup.response_days = 3;
    cup.verified = true;
    let saved = app.set_acquirer(&cup).unwrap();
    assert_eq!(saved.hotline, "400-123 4567", "tidied");
    assert_eq!(app.acquirer("cup").unwrap(), saved, "stored");

    let case = app
        .open_case(
            Complaint::Dispute,
            &Lookup::Voucher {
                voucher: TraceNo::new("7").unwrap(),
                terminal: Some(slipkeeper_domain::TerminalId::new("10000001").unwrap()),
                batch: None,
            },
            Some("cup"),
            None,
        )
        .unwrap();
    let plan = app.contact_plan(case).unwrap();
    assert_eq!(plan.acquirer.hotline, "400-123 4567");
    let summary = app.case(case).unwrap().summary;
    assert_eq!(
        summary.case.due_on.unwrap().to_string(),
        "2026-11-25",
        "3 days from the fixed clock's today"
    );

    for (field, wrong) in [
        ("days", {
            let mut a = saved.clone();
            a.response_days = 0;
            a
        }),
        ("email", {
            let mut a = saved.clone();
            a.dispute_email = "chargeback at bank".into();
            a
        }),
        ("hotline", {
            let mut a = saved.clone();
            a.hotline = "call the bank".into();
            a
        }),
        ("id", {
            let mut a = saved.clone();
            a.id = "my bank".into();
            a
        }),
    ] {
        let e = app.set_acquirer(&wrong).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadInput, "{field}");
        assert_eq!(
            app.acquirer("cup").unwrap(),
            saved,
            "{field}: the stored entry stays"
        );
    }
}

#[test]
fn the_terminal_overview_agrees_with_the_transactions() {
    use std::collections::{BTreeMap, BTreeSet};
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(&dir.path().join("journal.db"));
    app.seed_demo(400).unwrap();
    // Settle the batch of the first transaction's terminal.
    let first = app.search(&Default::default()).unwrap().items[0]
        .txn
        .clone();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T03:00:00Z")
        .unwrap()
        .to_utc();
    let zero = slipkeeper_domain::Money::new(0, Default::default());
    app.journal_mut()
        .ingest(&[slipkeeper_journal::Record {
            body: slipkeeper_journal::RecordBody::Settlement(slipkeeper_domain::Settlement {
                terminal_id: first.terminal_id.clone(),
                batch_no: first.batch_no.clone(),
                settled_at: "2026-11-21T23:00:00".parse().unwrap(),
                totals: slipkeeper_domain::Totals {
                    debit_count: 0,
                    debit_amount: zero,
                    credit_count: 0,
                    credit_amount: zero,
                },
            }),
            recorded_at: at,
        }])
        .unwrap();
    let rows = app
        .search(&slipkeeper_app::TxnQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .items;
    assert_eq!(rows.len(), 400);
    // The model: per terminal, its batches and the newest one not settled.
    let mut batches: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut open_batch: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows {
        let t = r.txn.terminal_id.to_string();
        let b = r.txn.batch_no.to_string();
        batches.entry(t.clone()).or_default().insert(b.clone());
        if !r.settled {
            let e = open_batch.entry(t).or_default();
            if *e < b {
                *e = b;
            }
        }
    }
    let overview = app.terminal_overview().unwrap();
    assert!(overview.len() >= 2, "the demo has several terminals");
    assert!(rows.iter().any(|r| r.settled) && rows.iter().any(|r| !r.settled));
    for o in &overview {
        let t = o.terminal_id.to_string();
        assert_eq!(o.batches as usize, batches[&t].len(), "{t}");
        assert_eq!(
            o.open_batch.as_ref().map(|b| b.to_string()),
            open_batch.get(&t).cloned(),
            "{t}"
        );
        let settled_any = rows
            .iter()
            .any(|r| r.settled && r.txn.terminal_id.to_string() == t);
        assert_eq!(o.last_settled_at.is_some(), settled_any, "{t}");
    }
    assert_eq!(overview.len(), batches.len());
}
