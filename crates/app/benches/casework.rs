//! Diagnosis and evidence packs on a 1,000,000-transaction journal (the journal
//! benchmark's file under target/bench, built here if missing).

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_app::{App, FixedClock, Lookup, MerchantProfile};
use slipkeeper_domain::{sample, Complaint, TerminalId, TraceNo};
use std::path::PathBuf;

const N: u64 = 1_000_000;

fn bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("journal-{N}.db"));
    let fresh = !path.exists();
    let mut app = App::open(&path, FixedClock::at("2026-11-22T03:00:00Z")).unwrap();
    if fresh {
        app.seed_demo(N).unwrap();
    }
    app.set_merchant_profile(&MerchantProfile {
        shop_name: Some("演示商店".into()),
        contact_person: Some("王老板".into()),
        phone: Some("13800000000".into()),
        ..Default::default()
    })
    .unwrap();
    let t1 = TerminalId::new(sample::TERMINALS[0]).unwrap();
    let by_voucher = Lookup::Voucher {
        voucher: TraceNo::new("250000").unwrap(),
        terminal: Some(t1.clone()),
        batch: None,
    };
    let probe = sample::transaction(2 * 123_456);
    let by_rrn = Lookup::Rrn {
        rrn: probe.rrn.clone().unwrap(),
    };
    let by_amount = Lookup::AmountTime {
        amount_minor: probe.amount.minor(),
        at: probe.occurred_at,
        last4: probe.pan.as_ref().map(|p| p.last4().to_owned()),
        terminal: None,
    };
    let missing = Lookup::Voucher {
        voucher: TraceNo::new("999990").unwrap(),
        terminal: Some(t1),
        batch: None,
    };
    for (name, l) in [
        ("voucher", &by_voucher),
        ("rrn", &by_rrn),
        ("amount", &by_amount),
        ("missing", &missing),
    ] {
        let d = app.diagnose(Complaint::VoidFailed, l).unwrap();
        eprintln!("diagnose by {name}: {}", d.code.as_str());
    }
    let mut g = c.benchmark_group("diagnose_1m");
    g.bench_function("by_voucher_and_terminal", |b| {
        b.iter(|| app.diagnose(Complaint::VoidFailed, &by_voucher).unwrap())
    });
    g.bench_function("by_rrn", |b| {
        b.iter(|| app.diagnose(Complaint::ReceiptLost, &by_rrn).unwrap())
    });
    g.bench_function("by_amount_time_last4", |b| {
        b.iter(|| app.diagnose(Complaint::ChargedTwice, &by_amount).unwrap())
    });
    g.bench_function("not_in_journal", |b| {
        b.iter(|| app.diagnose(Complaint::VoidFailed, &missing).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("home_1m");
    g.sample_size(10);
    g.bench_function("home_summary", |b| b.iter(|| app.home().unwrap()));
    g.finish();

    let case = app
        .open_case(Complaint::Dispute, &by_voucher, Some("cup"), None)
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let pack = out.path().join("pack.zip");
    let r = app.build_evidence(case, &[], &pack).unwrap();
    eprintln!("evidence pack: {} files, {} bytes", r.files.len(), r.bytes);
    let mut g = c.benchmark_group("evidence_1m");
    g.sample_size(20);
    g.bench_function("build_pack", |b| {
        b.iter(|| app.build_evidence(case, &[], &pack).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
