//! The UI's TypeScript types against what the core really sends. This test runs
//! every command the desktop app calls on a demo journal, serialises each answer as
//! IPC would, and writes them as typed constants to
//! `ui/src/lib/dto-samples.generated.ts`. `npm run check` (in `make test`) compiles
//! that file against `ui/src/lib/types.ts`: a field the core added and the UI does not
//! know is an excess-property error, a field the UI expects and the core dropped is a
//! missing-property error, a changed type is a type error. The committed file must be
//! what this test writes; `UPDATE_SNAPSHOTS=1` rewrites it.

use serde::Serialize;
use slipkeeper_app::*;
use slipkeeper_domain::{Complaint, TerminalId, TraceNo};
use std::path::Path;

fn json(v: &impl Serialize, dir: &Path) -> String {
    let text = serde_json::to_string_pretty(v).unwrap();
    // Paths under the test's temporary folder would differ on every run.
    text.replace(&dir.display().to_string(), "/data")
}

#[test]
fn the_ui_types_match_what_the_core_sends() {
    let (dir, mut app) = crate::support::shop(60);
    crate::support::letter_details(&app);
    let voucher = TraceNo::new("7").unwrap();
    let terminal = TerminalId::new("10000001").unwrap();
    let lookup = Lookup::Voucher {
        voucher: voucher.clone(),
        terminal: Some(terminal.clone()),
        batch: None,
    };
    let d = dir.path();
    let page = app
        .search(&TxnQuery {
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    let detail = app.detail(page.items[0].id).unwrap();
    let case = app
        .open_case(Complaint::Dispute, &lookup, Some("cup"), None)
        .unwrap();
    let pack = app.evidence_to_exports(case).unwrap();
    let statement = d.join("statement.csv");
    std::fs::write(
        &statement,
        "Terminal ID,Transaction Time,Card Number,Amount,Fee,RRN,Trace No,Type\n10000001,2026-11-20 08:00:00,552233******0733,12.50,0.08,600000000099,000099,SALE\n",
    )
    .unwrap();
    let imported = app.import_statement(&statement, None, None).unwrap();
    let (from, to) = app.statement_period().unwrap().unwrap();
    let link = LinkStatus {
        state: "connected".into(),
        endpoint: "192.168.1.20:20007".into(),
        progress: Some(MirrorProgress::default()),
        totals: Some(TotalsCheck {
            terminal: "52523535".into(),
            batch: "000001".into(),
            terminal_count: 2,
            terminal_minor: 3000,
            journal_count: 2,
            journal_minor: 3000,
            checked_at: "2026-11-22T03:00:00Z".parse().unwrap(),
        }),
        ..Default::default()
    };

    let samples: Vec<(&str, &str, String)> = vec![
        ("page", "Page<TxnRow>", json(&page, d)),
        ("detail", "TxnDetail", json(&detail, d)),
        ("home", "Home", json(&app.home().unwrap(), d)),
        ("verify", "VerifyReport", json(&app.verify().unwrap(), d)),
        (
            "reprintPreview",
            "SlipView[]",
            json(
                &app.reprint_preview(&voucher, Some(&terminal), None, &CopyChoice::Both.copies())
                    .unwrap(),
                d,
            ),
        ),
        (
            "diagnosis",
            "Diagnosis",
            json(&app.diagnose(Complaint::Dispute, &lookup).unwrap(), d),
        ),
        ("cases", "CaseSummary[]", json(&app.cases().unwrap(), d)),
        (
            "contactPlan",
            "ContactPlan",
            json(&app.contact_plan(case).unwrap(), d),
        ),
        ("pack", "PackReport", json(&pack, d)),
        (
            "packCheck",
            "PackCheck",
            json(&verify_evidence(&pack.path).unwrap(), d),
        ),
        (
            "profile",
            "MerchantProfile",
            json(&app.merchant_profile().unwrap(), d),
        ),
        (
            "acquirers",
            "Acquirer[]",
            json(&app.acquirers().unwrap(), d),
        ),
        ("statement", "StatementReport", json(&imported, d)),
        (
            "reconcile",
            "ReconcileReport",
            json(&app.reconcile(from, to).unwrap(), d),
        ),
        ("link", "LinkStatus", json(&link, d)),
        (
            "terminals",
            "TerminalOverview[]",
            json(&app.terminal_overview().unwrap(), d),
        ),
        (
            "printers",
            "Printers",
            json(
                &app.set_printers(&Printers {
                    receipt: Some("192.168.1.30".into()),
                    ..Default::default()
                })
                .unwrap(),
                d,
            ),
        ),
        (
            "dataFolder",
            "DataFolder",
            // The size depends on when SQLite last checkpointed: not part of the shape.
            json(
                &DataFolder {
                    size_bytes: 1_048_576,
                    ..app.data_folder().unwrap()
                },
                d,
            ),
        ),
        (
            "idle",
            "LinkStatus",
            json(
                &LinkStatus {
                    state: "idle".into(),
                    ..Default::default()
                },
                d,
            ),
        ),
        (
            "ports",
            "PortInfo[]",
            json(
                &vec![PortInfo {
                    path: "/dev/ttyACM0".into(),
                    description: "USB 079b:0028".into(),
                }],
                d,
            ),
        ),
    ];
    let mut types: Vec<&str> = samples
        .iter()
        .map(|(_, ty, _)| ty.split(['<', '[']).next().unwrap())
        .chain(["TxnRow"])
        .collect();
    types.sort();
    types.dedup();
    let mut out = String::from(
        "// Generated by crates/app/tests/app/dto_samples.rs from real answers of the core; do not\n// edit. `npm run check` compiles it against types.ts, so the two cannot drift apart.\n",
    );
    out.push_str(&format!(
        "import type {{ {} }} from \"./types\";\n",
        types.join(", ")
    ));
    for (name, ty, value) in &samples {
        out.push_str(&format!("\nexport const {name}: {ty} = {value};\n"));
    }

    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/dto-samples.generated.ts");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out,
        "{} is out of date: what the core sends changed. Run\n  UPDATE_SNAPSHOTS=1 cargo test -p slipkeeper-app --test app dto_samples\nthen `npm --prefix ui run check` and fix ui/src/lib/types.ts where it fails.",
        path.display()
    );
}
