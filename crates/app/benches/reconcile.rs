//! Reconciling a busy shop's month: 30,000 journal transactions against 30,000
//! statement lines, read from a real journal file.

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_app::{App, FixedClock};
use slipkeeper_domain::{sample, settles, Money, StatementLine, TxnKind};

const N: u64 = 30_000;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(
        &dir.path().join("j.db"),
        FixedClock::at("2026-11-22T03:00:00Z"),
    )
    .unwrap();
    app.seed_demo(N).unwrap();
    // The acquirer's side: every settled transaction, a tenth of them without an RRN
    // (matched by voucher), a few hundred missing; then filled up to N lines with
    // lines the journal does not have.
    let mut lines: Vec<StatementLine> = (0..N)
        .map(sample::transaction)
        .filter(|t| settles(t) && t.kind != TxnKind::Void)
        .enumerate()
        .filter(|(i, _)| i % 97 != 0)
        .map(|(i, t)| StatementLine {
            line_no: i as u32 + 2,
            merchant_id: Some(t.merchant_id.clone()),
            terminal_id: Some(t.terminal_id.clone()),
            occurred_at: t.occurred_at,
            card: t.pan.as_ref().map(|p| p.as_str().to_owned()),
            amount: t.amount,
            fee: Some(Money::cny(t.amount.minor() * 6 / 1000)),
            net: None,
            rrn: if i % 10 == 0 { None } else { t.rrn.clone() },
            trace_no: Some(t.trace_no.clone()),
            auth_code: t.auth_code.clone(),
            kind: t.kind,
            settle_date: None,
            card_type: None,
        })
        .collect();
    let mut k = 0;
    while lines.len() < N as usize {
        let mut l = lines[k].clone();
        l.rrn = None;
        l.trace_no = None;
        l.amount = Money::cny(l.amount.minor() + 1);
        l.line_no = 100_000 + k as u32;
        lines.push(l);
        k += 1;
    }
    let journal = app.journal_mut();
    journal
        .import_statement(
            "bench.csv",
            "00",
            "generic-zh",
            None,
            &lines,
            chrono::DateTime::UNIX_EPOCH,
        )
        .unwrap();
    let (from, to) = app.statement_period().unwrap().unwrap();
    let r = app.reconcile(from, to).unwrap();
    eprintln!(
        "reconcile: {} journal transactions, {} statement lines, {} matches, {} discrepancies",
        r.journal_transactions,
        r.statement_lines,
        r.result.matches.len(),
        r.result.discrepancies.len()
    );
    assert_eq!(r.journal_transactions, N);
    assert_eq!(r.statement_lines, N);
    let mut g = c.benchmark_group("reconcile");
    g.sample_size(10);
    g.bench_function("month_30k_vs_30k", |b| {
        b.iter(|| app.reconcile(from, to).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
