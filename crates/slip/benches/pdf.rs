//! PDF reprint speed: one 80 mm slip warm, and 1,000 slips on A4.

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

use chrono::NaiveDateTime;
use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_domain::{sample, CopyType};
use slipkeeper_slip::{layout, warm_up, write_pdf, Paper, Slip};

fn slips(n: u64) -> Vec<Slip> {
    let now = NaiveDateTime::parse_from_str("2026-11-22 15:04:05", "%Y-%m-%d %H:%M:%S").unwrap();
    (1..=n)
        .map(|i| {
            layout(
                &sample::transaction(i),
                &[],
                CopyType::Merchant,
                Some("演示商店"),
                now,
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    warm_up().unwrap();
    let one = slips(1);
    let mut size = 0;
    c.bench_function("pdf_one_80mm_slip", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(64 * 1024);
            write_pdf(&one, Paper::Roll80, "slip", &mut out).unwrap();
            size = out.len();
        })
    });
    eprintln!("one 80 mm slip: {size} bytes");
    let many = slips(1000);
    let mut group = c.benchmark_group("pdf_a4");
    group.sample_size(10);
    group.bench_function("pdf_1000_slips_a4", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            write_pdf(&many, Paper::A4, "batch", &mut out).unwrap();
            size = out.len();
        })
    });
    group.finish();
    eprintln!("1,000 slips on A4: {size} bytes");
}

criterion_group!(benches, bench);
criterion_main!(benches);
