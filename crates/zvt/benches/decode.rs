//! Decode throughput on a real transaction's traffic: the status information and the
//! receipt text block of one payment (frames from the public vectors).
//! `cargo bench -p slipkeeper-zvt`; figures in BENCHMARKS.md.

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use slipkeeper_zvt::{serial, Apdu, Message};

fn frames() -> Vec<Vec<u8>> {
    let path = format!(
        "{}/tests/fixtures/everest_zvt.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // zvt-004: 04 0F of a payment; zvt-019: a 4 KB 06 D3 print text block.
    ["zvt-004", "zvt-019"]
        .iter()
        .map(|id| {
            hex::decode(
                v.iter().find(|x| x["id"] == *id).unwrap()["hex"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap()
        })
        .collect()
}

fn decode(c: &mut Criterion) {
    let fs = frames();
    let total: usize = fs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("status_info_and_text_block_tcp", |b| {
        b.iter(|| {
            for f in &fs {
                let a = Apdu::decode_exact(f).unwrap();
                std::hint::black_box(Message::decode(&a).unwrap());
            }
        })
    });
    let framed: Vec<Vec<u8>> = fs.iter().map(|f| serial::frame(f)).collect();
    g.throughput(Throughput::Bytes(
        framed.iter().map(Vec::len).sum::<usize>() as u64,
    ));
    g.bench_function("status_info_and_text_block_serial", |b| {
        b.iter(|| {
            for f in &framed {
                let a = Apdu::decode_exact(&serial::deframe(f).unwrap()).unwrap();
                std::hint::black_box(Message::decode(&a).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
