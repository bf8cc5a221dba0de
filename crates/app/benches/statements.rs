//! The acquirer's statements as a second witness, at a busy shop's scale.
//!
//! - `statements/import_month_30x2000`: a month of daily statement files (30 CSV files
//!   of 2,000 lines each, generic Chinese layout) imported into a fresh journal, each
//!   file read, parsed and stored whole; beside it, reading and parsing alone.
//! - `statements_1m/…`: diagnoses on a copy of the journal benchmark's 1,000,000-
//!   transaction file holding 1,000,000 statement lines (one per transaction, plus a
//!   few thousand the journal lacks).

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_app::{App, FixedClock, Lookup};
use slipkeeper_domain::{sample, Complaint, Money, StatementLine, TerminalId, Transaction};
use std::path::PathBuf;

const FILES: u64 = 30;
const LINES: u64 = 2_000;
const N: u64 = 1_000_000;
/// Lines only the statement has (the journal's transactions stop at N).
const EXTRA: u64 = 5_000;

fn line(t: &Transaction, no: u32) -> StatementLine {
    StatementLine {
        line_no: no,
        merchant_id: Some(t.merchant_id.clone()),
        terminal_id: Some(t.terminal_id.clone()),
        occurred_at: t.occurred_at,
        card: t.pan.as_ref().map(|p| p.as_str().to_owned()),
        amount: t.amount,
        fee: Some(Money::cny(t.amount.minor() * 6 / 1000)),
        net: None,
        rrn: t.rrn.clone(),
        trace_no: Some(t.trace_no.clone()),
        auth_code: t.auth_code.clone(),
        kind: t.kind,
        settle_date: Some(t.occurred_at.date().succ_opt().unwrap()),
        card_type: None,
    }
}

fn csv(from: u64) -> String {
    let mut s = String::from(
        "商户编号,终端编号,交易时间,卡号,交易金额,手续费,参考号,凭证号,授权码,交易类型,清算日期\n",
    );
    for i in from..from + LINES {
        let t = sample::transaction(i);
        let kind = match t.kind {
            slipkeeper_domain::TxnKind::Refund => "退货",
            slipkeeper_domain::TxnKind::Void => "撤销",
            _ => "消费",
        };
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{kind},{}\n",
            t.merchant_id,
            t.terminal_id,
            t.occurred_at.format("%Y-%m-%d %H:%M:%S"),
            t.pan.as_ref().map(|p| p.as_str()).unwrap_or(""),
            t.amount.major_string(),
            Money::cny(t.amount.minor() * 6 / 1000).major_string(),
            t.rrn.as_ref().map(|r| r.as_str()).unwrap_or(""),
            t.trace_no,
            t.auth_code.as_ref().map(|a| a.as_str()).unwrap_or(""),
            t.occurred_at.date().succ_opt().unwrap(),
        ));
    }
    s
}

fn import(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..FILES)
        .map(|f| {
            let p = dir.path().join(format!("交易明细{f:02}.csv"));
            std::fs::write(&p, csv(f * LINES)).unwrap();
            p
        })
        .collect();
    let mut g = c.benchmark_group("statements");
    g.sample_size(10);
    let mut n = 0;
    g.bench_function("import_month_30x2000", |b| {
        b.iter(|| {
            n += 1;
            let mut app = App::open(
                &dir.path().join(format!("j{n}.db")),
                FixedClock::at("2026-11-22T03:00:00Z"),
            )
            .unwrap();
            for f in &files {
                let r = app.import_statement(f, None, None).unwrap();
                assert_eq!(r.import.new_lines, LINES);
            }
        })
    });
    g.bench_function("floor_parse_only_30x2000", |b| {
        b.iter(|| {
            for f in &files {
                let bytes = std::fs::read(f).unwrap();
                let p = slipkeeper_statement::parse(
                    &bytes,
                    "x",
                    &slipkeeper_statement::builtin_mappings(),
                )
                .unwrap();
                assert_eq!(p.lines.len() as u64, LINES);
            }
        })
    });
    g.finish();
}

fn diagnose(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join(format!("journal-{N}.db"));
    let path = dir.join(format!("journal-{N}-statements.db"));
    let clock = || FixedClock::at("2026-11-22T03:00:00Z");
    if !path.exists() {
        if !base.exists() {
            let mut app = App::open(&base, clock()).unwrap();
            app.seed_demo(N).unwrap();
        }
        let building = dir.join(format!("journal-{N}-statements.building.db"));
        {
            // A settled copy of the base file (its write-ahead log folded in first).
            let app = App::open(&base, clock()).unwrap();
            app.backup(&building).unwrap();
        }
        let mut app = App::open(&building, clock()).unwrap();
        for chunk in (0..N + EXTRA).collect::<Vec<u64>>().chunks(100_000) {
            let lines: Vec<StatementLine> = chunk
                .iter()
                .map(|&i| line(&sample::transaction(i), (i % 100_000) as u32 + 2))
                .collect();
            app.journal_mut()
                .import_statement(
                    &format!("statement-{}.csv", chunk[0]),
                    &format!("{:064x}", chunk[0]),
                    "generic-zh",
                    None,
                    &lines,
                    chrono::DateTime::UNIX_EPOCH,
                )
                .unwrap();
        }
        drop(app);
        std::fs::rename(&building, &path).unwrap();
        // The anchors travel with the file they speak of.
        let anchors = |p: &PathBuf| PathBuf::from(format!("{}.anchors", p.display()));
        std::fs::rename(anchors(&building), anchors(&path)).unwrap();
    }
    let app = App::open(&path, clock()).unwrap();
    let t = sample::transaction(2 * 123_456);
    let by_rrn = Lookup::Rrn {
        rrn: t.rrn.clone().unwrap(),
    };
    let by_voucher = Lookup::Voucher {
        voucher: t.trace_no.clone(),
        terminal: Some(t.terminal_id.clone()),
        batch: Some(t.batch_no.clone()),
    };
    // Only the statement has it.
    let only = sample::transaction(N + 1_234);
    let statement_only = Lookup::Rrn {
        rrn: only.rrn.clone().unwrap(),
    };
    let statement_only_amount = Lookup::AmountTime {
        amount_minor: only.amount.minor(),
        at: only.occurred_at,
        last4: only.pan.as_ref().map(|p| p.last4().to_owned()),
        terminal: Some(TerminalId::new(only.terminal_id.as_str()).unwrap()),
    };
    for (name, l, complaint) in [
        ("rrn", &by_rrn, Complaint::NotInAcquirerBackEnd),
        ("voucher", &by_voucher, Complaint::ReceiptLost),
        ("statement only", &statement_only, Complaint::VoidFailed),
        (
            "statement only by amount",
            &statement_only_amount,
            Complaint::VoidFailed,
        ),
    ] {
        let d = app.diagnose(complaint, l).unwrap();
        eprintln!(
            "diagnose by {name}: {} ({} facts)",
            d.code.as_str(),
            d.facts.len()
        );
        assert!(
            d.facts.iter().any(|f| f.line_id.is_some()),
            "{name}: the statement is a witness"
        );
    }
    let mut g = c.benchmark_group("statements_1m");
    g.bench_function("diagnose_by_rrn_with_witness", |b| {
        b.iter(|| {
            app.diagnose(Complaint::NotInAcquirerBackEnd, &by_rrn)
                .unwrap()
        })
    });
    g.bench_function("diagnose_by_voucher_with_witness", |b| {
        b.iter(|| app.diagnose(Complaint::ReceiptLost, &by_voucher).unwrap())
    });
    g.bench_function("diagnose_statement_only_by_rrn", |b| {
        b.iter(|| {
            app.diagnose(Complaint::VoidFailed, &statement_only)
                .unwrap()
        })
    });
    g.bench_function("diagnose_statement_only_by_amount_time", |b| {
        b.iter(|| {
            app.diagnose(Complaint::VoidFailed, &statement_only_amount)
                .unwrap()
        })
    });
    let form = slipkeeper_app::JournalForm {
        search: only.trace_no.to_string(),
        ..Default::default()
    };
    g.bench_function("find_voucher_journal_and_statement", |b| {
        b.iter(|| app.find(&form).unwrap())
    });
    g.finish();
}

criterion_group!(benches, import, diagnose);
criterion_main!(benches);
