//! Head office's speed against a real PostgreSQL (a throwaway cluster with fsync on):
//!
//! - `hq_sync/sync_5000_tx`: a shop sends 5,000 transactions with their slips (10,000
//!   chain entries: a week offline at a busy counter) to a new shop at head office,
//!   through `sync` (batches of 500, the chain trigger, row-level security, derived
//!   rows); `hq_sync/bare_copy_5000_tx`: the same rows by one `COPY` into a table of
//!   the same columns and primary key, nothing else — the floor.
//! - `hq_lookup/*`: `office::search` by voucher (every shop) and by RRN over
//!   `SLIPKEEPER_BENCH_HQ_ROWS` transactions (default 10,000,000) from 20 shops.
//!
//! `cargo bench -p slipkeeper-hq` (loading 10,000,000 rows takes a few minutes).

#![allow(clippy::unwrap_used)]

use slipkeeper_testkit::pg;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use slipkeeper_domain::{sample, CopyType, Rrn, TraceNo};
use slipkeeper_hq::{office, sync, HqAddress};
use slipkeeper_journal::{Journal, Record, RecordBody, SlipRecord, TxnQuery};
use std::io::Write;
use std::time::{Duration, Instant};

const WEEK: u64 = 5_000;

fn records(n: u64) -> Vec<Record> {
    let at = DateTime::<Utc>::UNIX_EPOCH;
    (0..n)
        .flat_map(|i| {
            let t = sample::transaction(i);
            let slip = sample::slip(&t, CopyType::Merchant);
            [
                Record {
                    body: RecordBody::Slip(SlipRecord { txn: t.key(), slip }),
                    recorded_at: at,
                },
                Record {
                    body: RecordBody::Transaction(t),
                    recorded_at: at,
                },
            ]
            .into_iter()
            .rev()
        })
        .collect()
}

fn connect(url: &str) -> postgres::Client {
    slipkeeper_hq::connect(&HqAddress::parse(url).unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let cluster = pg::Cluster::start_with(true);
    cluster.create_db("hq");
    let mut admin = connect(&cluster.admin_url("hq"));
    slipkeeper_hq::migrate(&mut admin).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("shop.db")).unwrap();
    journal.ingest(&records(WEEK)).unwrap();
    let entries = journal.chained_after(0, usize::MAX).unwrap();
    assert_eq!(entries.len() as u64, 2 * WEEK);

    let mut g = c.benchmark_group("hq_sync");
    g.sample_size(10);
    let mut shops = 0;
    g.bench_function("sync_5000_tx", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                shops += 1;
                let id = format!("shop{shops}");
                let pw = "bench-password-1";
                office::add_shop(&mut admin, &id, &id, pw).unwrap();
                let mut shop = connect(&cluster.url(&office::shop_role(&id), pw, "hq"));
                let t = Instant::now();
                let r = sync::sync(&journal, &mut shop, sync::DEFAULT_BATCH, &mut |_| {}).unwrap();
                total += t.elapsed();
                assert_eq!(r.sent, 2 * WEEK);
            }
            total
        })
    });
    admin
        .batch_execute("CREATE TABLE bare_records (LIKE records INCLUDING DEFAULTS); ALTER TABLE bare_records ADD PRIMARY KEY (shop_id, seq)")
        .unwrap();
    // The same rows as CSV, made once: the floor is the database's part alone.
    let mut csv = Vec::new();
    for e in &entries {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        writeln!(
            csv,
            "bare,{},{},{},{},\\x{}",
            e.seq,
            e.kind,
            q(&e.label),
            q(&e.line),
            hex::encode(e.hash)
        )
        .unwrap();
    }
    // The shop's part of a sync: reading the entries and checking them against the
    // chain before they leave.
    g.bench_function("journal_read_5000_tx", |b| {
        b.iter(|| {
            let mut at = 0;
            loop {
                let batch = journal.chained_after(at, sync::DEFAULT_BATCH).unwrap();
                let Some(last) = batch.last() else { break };
                at = last.seq;
            }
            assert_eq!(at as u64, 2 * WEEK);
        })
    });
    g.bench_function("bare_copy_5000_tx", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                admin.batch_execute("TRUNCATE bare_records").unwrap();
                let t = Instant::now();
                let mut w = admin
                    .copy_in("COPY bare_records (shop_id, seq, kind, label, line, hash) FROM STDIN (FORMAT csv)")
                    .unwrap();
                w.write_all(&csv).unwrap();
                assert_eq!(w.finish().unwrap(), 2 * WEEK);
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();

    let rows: u64 = std::env::var("SLIPKEEPER_BENCH_HQ_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let t = Instant::now();
    load_many(&mut admin, rows);
    eprintln!(
        "loaded {rows} transactions from 20 shops in {:?}",
        t.elapsed()
    );
    let mut g = c.benchmark_group("hq_lookup");
    let mut i = 0u64;
    g.bench_function("voucher_all_shops", |b| {
        b.iter(|| {
            i = (i * 7919 + 13) % (rows / 20).max(1);
            let q = TxnQuery {
                voucher: Some(TraceNo::new(&format!("{:06}", i % 999_999 + 1)).unwrap()),
                ..TxnQuery::default()
            };
            let found = office::search(&mut admin, &q, None).unwrap();
            assert!(!found.is_empty());
        })
    });
    g.bench_function("rrn", |b| {
        b.iter(|| {
            i = (i * 7919 + 13) % rows;
            let q = TxnQuery {
                rrn: Some(Rrn::new(&format!("{i:012}")).unwrap()),
                ..TxnQuery::default()
            };
            assert_eq!(office::search(&mut admin, &q, None).unwrap().len(), 1);
        })
    });
    g.finish();
}

/// `rows` transactions from 20 shops straight into the searched table, as a bulk
/// load does it (indexes dropped and built after); the chain is not what is measured.
fn load_many(admin: &mut postgres::Client, rows: u64) {
    let defs: Vec<String> = admin
        .query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'transactions' AND indexname <> 'transactions_pkey'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut sql = String::from(
        "SET session_replication_role = replica;
         SET maintenance_work_mem = '1GB';
         INSERT INTO shops SELECT 'many' || s, '分店' || s, 'many_role' || s FROM generate_series(1, 20) s;",
    );
    for d in &defs {
        let name = d.split_whitespace().nth(2).unwrap();
        sql.push_str(&format!("DROP INDEX {name};"));
    }
    sql.push_str(&format!(
        "INSERT INTO transactions
         SELECT 'many' || (1 + i % 20), i / 20 + 1,
                lpad(((1 + i % 20) * 10 + i % 3)::text, 8, '0'), '898310048990001',
                lpad((i / 20 / 1000 + 1)::text, 6, '0'), lpad(((i / 20) % 999999 + 1)::text, 6, '0'),
                'sale', 'approved', 100 + (i * 7919) % 100000, 'CNY',
                timestamp '2025-01-01' + (i / 20) * interval '30 seconds',
                lpad(i::text, 12, '0'), lpad((i % 1000000)::text, 6, '0'),
                '622588******' || lpad((i % 10000)::text, 4, '0'), lpad((i % 10000)::text, 4, '0')
         FROM generate_series(0::bigint, {}) i;",
        rows - 1
    ));
    for d in &defs {
        sql.push_str(d);
        sql.push(';');
    }
    sql.push_str("SET session_replication_role = origin; ANALYZE transactions;");
    admin.batch_execute(&sql).unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
