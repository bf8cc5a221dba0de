//! Journal speed: ingest against a bare rusqlite insert of the same rows, and the
//! shop owner's lookups on a journal of 1,000,000 transactions (~600 bytes of slip
//! text each). `cargo bench -p slipkeeper-journal`; SLIPKEEPER_BENCH_N changes the size.
//! Results and how to read them: BENCHMARKS.md.

#![allow(clippy::unwrap_used)] // a benchmark: fail loudly

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rusqlite::types::Value;
use slipkeeper_domain::{sample, CopyType};
use slipkeeper_journal::{Journal, Record, RecordBody, SlipRecord, TxnQuery};
use std::path::PathBuf;
use std::time::Instant;

const BATCH: u64 = 10_000;

fn records(range: std::ops::Range<u64>) -> Vec<Record> {
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    range
        .flat_map(|i| {
            let t = sample::transaction(i);
            let slip = sample::slip(&t, CopyType::Merchant);
            [
                Record {
                    body: RecordBody::Transaction(t.clone()),
                    recorded_at: at,
                },
                Record {
                    body: RecordBody::Slip(SlipRecord { txn: t.key(), slip }),
                    recorded_at: at,
                },
            ]
        })
        .collect()
}

/// The same rows through plain rusqlite: one prepared INSERT per row, no unique keys,
/// no secondary indexes, no hash chain — the floor the journal's work is measured against.
fn bare_insert(conn: &mut rusqlite::Connection, recs: &[Record]) {
    let tx = conn.transaction().unwrap();
    {
        let mut t = tx
            .prepare_cached(
                "INSERT INTO t (terminal_id, batch_no, trace_no, kind, merchant_id, outcome, amount_minor, currency,
                 occurred_at, pan, rrn, auth_code, issuer, acquirer) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
            )
            .unwrap();
        let mut s = tx
            .prepare_cached("INSERT INTO s (txn_id, text) VALUES (?1, ?2)")
            .unwrap();
        let mut last = 0;
        for r in recs {
            match &r.body {
                RecordBody::Transaction(x) => {
                    t.execute(rusqlite::params![
                        x.terminal_id.as_str(),
                        x.batch_no.as_str(),
                        x.trace_no.as_str(),
                        x.kind.as_str(),
                        x.merchant_id.as_str(),
                        x.outcome.as_str(),
                        x.amount.minor(),
                        x.amount.currency().as_str(),
                        x.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        x.pan.as_ref().map(|p| p.as_str()),
                        x.rrn.as_ref().map(|p| p.as_str()),
                        x.auth_code.as_ref().map(|p| p.as_str()),
                        x.issuer.as_deref(),
                        x.acquirer.as_deref(),
                    ])
                    .unwrap();
                    last = tx.last_insert_rowid();
                }
                RecordBody::Slip(sr) => {
                    s.execute(rusqlite::params![last, sr.slip.lines.join("\n")])
                        .unwrap();
                }
                _ => {}
            }
        }
    }
    tx.commit().unwrap();
}

/// The journal's keys and secondary indexes, on the bare tables: what any design that
/// keeps its indexes current on every write costs at least.
const JOURNAL_INDEXES: &str = "
    CREATE UNIQUE INDEX t_key ON t (trace_no, terminal_id, batch_no, kind);
    CREATE INDEX t_rrn ON t (rrn) WHERE rrn IS NOT NULL;
    CREATE INDEX t_auth ON t (auth_code) WHERE auth_code IS NOT NULL;
    CREATE INDEX t_last4 ON t (substr(pan, -4), amount_minor, occurred_at);
    CREATE INDEX t_time ON t (occurred_at);
    CREATE INDEX t_amount ON t (amount_minor, occurred_at);
    CREATE UNIQUE INDEX s_key ON s (txn_id);";

fn bare_db(dir: &std::path::Path, indexes: bool) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(dir.join("bare.db")).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "FULL").unwrap();
    c.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, terminal_id TEXT, batch_no TEXT, trace_no TEXT, kind TEXT,
         merchant_id TEXT, outcome TEXT, amount_minor INTEGER, currency TEXT, occurred_at TEXT, pan TEXT, rrn TEXT,
         auth_code TEXT, issuer TEXT, acquirer TEXT);
         CREATE TABLE s (id INTEGER PRIMARY KEY, txn_id INTEGER, text TEXT);",
    )
    .unwrap();
    if indexes {
        c.execute_batch(JOURNAL_INDEXES).unwrap();
    }
    c
}

/// One record's SQL parameters, worked out before the clock starts: the floor below
/// pays for nothing but SQLite.
enum Row {
    Txn(Vec<Value>, Vec<Value>),
    Slip(Vec<Value>, Vec<Value>),
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::Text(s.to_owned()))
}

/// The journal's own rows for `recs` (every column it writes, a chain entry each with
/// a label and a 32-byte hash), as plain values.
fn schema_rows(recs: &[Record]) -> Vec<Row> {
    let at = "2026-11-22T03:00:00Z".to_owned();
    let mut hash = [0u8; 32];
    recs.iter()
        .enumerate()
        .map(|(i, r)| {
            // Every entry's hash differs, as real ones do; their value costs SQLite nothing.
            hash[..8].copy_from_slice(&(i as u64).to_le_bytes());
            match &r.body {
                RecordBody::Transaction(t) => {
                    let label = t.key().to_string();
                    Row::Txn(
                        vec![
                            text(Some(t.terminal_id.as_str())),
                            text(Some(t.batch_no.as_str())),
                            text(Some(t.trace_no.as_str())),
                            text(Some(t.kind.as_str())),
                            text(Some(t.merchant_id.as_str())),
                            text(Some(t.outcome.as_str())),
                            Value::Integer(t.amount.minor()),
                            text(Some(t.amount.currency().as_str())),
                            text(Some(&t.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string())),
                            text(t.receipt_no.as_ref().map(|v| v.as_str())),
                            text(t.pan.as_ref().map(|v| v.as_str())),
                            text(t.pan.as_ref().map(|v| v.last4())),
                            text(t.scheme.map(|v| v.as_str())),
                            text(t.entry_mode.map(|v| v.as_str())),
                            text(t.expiry.as_ref().map(|v| v.as_str())),
                            text(t.rrn.as_ref().map(|v| v.as_str())),
                            text(t.auth_code.as_ref().map(|v| v.as_str())),
                            text(t.operator_no.as_ref().map(|v| v.as_str())),
                            text(t.issuer.as_deref()),
                            text(t.acquirer.as_deref()),
                            text(t.original_trace_no.as_ref().map(|v| v.as_str())),
                            text(t.original_rrn.as_ref().map(|v| v.as_str())),
                            text(
                                t.original_date
                                    .map(|d| d.format("%Y-%m-%d").to_string())
                                    .as_deref(),
                            ),
                            Value::Text(at.clone()),
                        ],
                        vec![
                            Value::Text("transaction".into()),
                            Value::Text(label),
                            Value::Blob(hash.to_vec()),
                        ],
                    )
                }
                RecordBody::Slip(s) => Row::Slip(
                    vec![
                        text(Some(s.slip.copy.as_str())),
                        text(Some(s.slip.origin.as_str())),
                        Value::Text(s.slip.lines.join("\n")),
                        Value::Text(at.clone()),
                    ],
                    vec![
                        Value::Text("slip".into()),
                        Value::Text(format!("{} slip of {}", s.slip.copy.as_str(), s.txn)),
                        Value::Blob(hash.to_vec()),
                    ],
                ),
                _ => unreachable!("the benchmark's records are transactions and slips"),
            }
        })
        .collect()
}

/// The journal's rows through plain rusqlite into the journal's own schema (its
/// tables, keys, foreign keys, indexes and chain table, same pragmas), one prepared
/// INSERT each, every value ready: what storing what the journal stores costs SQLite
/// alone, without masking, checking, hashing or replay detection.
fn bare_schema_insert(conn: &mut rusqlite::Connection, rows: &[Row]) {
    let tx = conn.transaction().unwrap();
    {
        let mut batch = tx
            .prepare_cached("INSERT INTO batches (terminal_id, batch_no) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
            .unwrap();
        let mut t = tx
            .prepare_cached(
                "INSERT INTO transactions (terminal_id, batch_no, trace_no, kind, merchant_id, outcome, amount_minor,
                 currency, occurred_at, receipt_no, pan, pan_last4, scheme, entry_mode, expiry, rrn, auth_code,
                 operator_no, issuer, acquirer, original_trace_no, original_rrn, original_date, recorded_at)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24)",
            )
            .unwrap();
        let mut s = tx
            .prepare_cached("INSERT INTO slips (txn_id, copy, origin, text, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .unwrap();
        let mut chain = tx
            .prepare_cached(
                "INSERT INTO chain (seq, kind, row_id, label, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        let mut last_batch = None;
        let (mut txn_id, mut seq) = (0i64, 0i64);
        for r in rows {
            let (id, entry) = match r {
                Row::Txn(v, entry) => {
                    let key = (&v[0], &v[1]);
                    if last_batch != Some(key) {
                        batch.execute([&v[0], &v[1]]).unwrap();
                        last_batch = Some(key);
                    }
                    t.execute(rusqlite::params_from_iter(v)).unwrap();
                    txn_id = tx.last_insert_rowid();
                    (txn_id, entry)
                }
                Row::Slip(v, entry) => {
                    s.execute(rusqlite::params![txn_id, &v[0], &v[1], &v[2], &v[3]])
                        .unwrap();
                    (tx.last_insert_rowid(), entry)
                }
            };
            seq += 1;
            chain
                .execute(rusqlite::params![seq, &entry[0], id, &entry[1], &entry[2]])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// A fresh journal's file (schema and pragmas as `Journal::open` leaves them), opened
/// on a plain connection.
fn schema_db(dir: &std::path::Path) -> rusqlite::Connection {
    let path = dir.join("schema.db");
    drop(Journal::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "synchronous", "FULL").unwrap();
    c.pragma_update(None, "foreign_keys", "ON").unwrap();
    c.pragma_update(None, "cache_size", -65_536).unwrap();
    c
}

fn ingest(c: &mut Criterion) {
    let recs = records(0..BATCH);
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(20);
    g.bench_function("journal_10k_tx", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let j = Journal::open(&dir.path().join("j.db")).unwrap();
                (dir, j)
            },
            |(dir, mut j)| {
                j.ingest(&recs).unwrap();
                (dir, j)
            },
            BatchSize::PerIteration,
        )
    });
    for (name, indexes) in [
        ("bare_rusqlite_10k_tx", false),
        ("bare_rusqlite_indexed_10k_tx", true),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let c = bare_db(dir.path(), indexes);
                    (dir, c)
                },
                |(dir, mut c)| {
                    bare_insert(&mut c, &recs);
                    (dir, c)
                },
                BatchSize::PerIteration,
            )
        });
    }
    let rows = schema_rows(&recs);
    {
        // The floor must store what the journal stores: the same rows in every table.
        let dir = tempfile::tempdir().unwrap();
        let mut floor = schema_db(dir.path());
        bare_schema_insert(&mut floor, &rows);
        let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
        j.ingest(&recs).unwrap();
        let journal = rusqlite::Connection::open(dir.path().join("j.db")).unwrap();
        for table in ["transactions", "slips", "chain", "batches"] {
            let count = |c: &rusqlite::Connection| -> i64 {
                c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                    .unwrap()
            };
            assert_eq!(count(&floor), count(&journal), "{table}");
        }
    }
    g.bench_function("bare_rusqlite_journal_schema_10k_tx", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let c = schema_db(dir.path());
                (dir, c)
            },
            |(dir, mut c)| {
                bare_schema_insert(&mut c, &rows);
                (dir, c)
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("index_slips_10k", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
                j.ingest(&recs).unwrap();
                (dir, j)
            },
            |(dir, mut j)| {
                assert_eq!(j.index_slips(BATCH).unwrap(), BATCH);
                (dir, j)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn n() -> u64 {
    std::env::var("SLIPKEEPER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The big journal, built once and kept under target/ between runs.
fn big_journal() -> Journal {
    let n = n();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("journal-{n}.db"));
    if !path.exists() {
        let tmp = dir.join(format!("journal-{n}.building.db"));
        let _ = std::fs::remove_file(&tmp);
        let mut j = Journal::open(&tmp).unwrap();
        let start = Instant::now();
        for s in (0..n).step_by(BATCH as usize) {
            j.ingest(&records(s..(s + BATCH).min(n))).unwrap();
        }
        let ingest = start.elapsed();
        let start = Instant::now();
        while j.index_slips(100_000).unwrap() > 0 {}
        let index = start.elapsed();
        eprintln!(
            "built {n} transactions: ingest {:.1} s ({:.0} tx/s incl. record generation), slip index {:.1} s",
            ingest.as_secs_f64(),
            n as f64 / ingest.as_secs_f64(),
            index.as_secs_f64()
        );
        drop(j);
        std::fs::rename(&tmp, &path).unwrap();
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("journal-{n}.building.db{ext}")));
        }
    }
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!(
        "journal of {n} transactions: {} bytes, {:.0} bytes per transaction",
        size,
        size as f64 / n as f64
    );
    Journal::open(&path).unwrap()
}

fn lookups(c: &mut Criterion) {
    // Built or opened on first use, so that `cargo bench -- ingest` does not pay for it.
    let cell: std::cell::OnceCell<Journal> = std::cell::OnceCell::new();
    let j = || cell.get_or_init(big_journal);
    let n = n();
    let mut g = c.benchmark_group("lookup_1m");
    // A fixed stride through the data set: every query hits a different record.
    let mut k = 0u64;
    let mut next = move || {
        k = (k + 7_919) % n;
        sample::transaction(k)
    };
    g.bench_function("by_voucher_and_terminal", |b| {
        b.iter(|| {
            let t = next();
            let q = TxnQuery {
                voucher: Some(t.trace_no.clone()),
                terminal: Some(t.terminal_id.clone()),
                limit: 20,
                ..Default::default()
            };
            assert!(j().search(&q).unwrap().total >= 1);
        })
    });
    g.bench_function("by_rrn", |b| {
        b.iter(|| {
            let t = next();
            let q = TxnQuery {
                rrn: t.rrn.clone(),
                ..Default::default()
            };
            assert!(j().search(&q).unwrap().total >= 1);
        })
    });
    g.bench_function("last4_amount_day", |b| {
        b.iter(|| {
            let t = next();
            let day = t.occurred_at.date().and_hms_opt(0, 0, 0).unwrap();
            let q = TxnQuery {
                last4: t.pan.as_ref().map(|p| p.last4().to_owned()),
                amount_minor: Some(t.amount.minor()),
                from: Some(day),
                to: Some(day + chrono::TimeDelta::days(1)),
                ..Default::default()
            };
            assert!(j().search(&q).unwrap().total >= 1);
        })
    });
    g.bench_function("slip_text_auth_code", |b| {
        b.iter(|| {
            let t = next();
            let text = match &t.auth_code {
                Some(a) => format!("AUTH NO.: {a}"),
                None => format!("REF NO.: {}", t.rrn.as_ref().unwrap()),
            };
            let q = TxnQuery {
                text: Some(text),
                ..Default::default()
            };
            assert!(j().search(&q).unwrap().total >= 1);
        })
    });
    g.finish();
}

/// `verify` over the big journal: the chain (every record loaded and hashed), rows
/// around it, derived columns, the anchors, and SQLite's integrity check — beside the
/// integrity check alone on a plain connection, the floor of any verify that includes
/// it.
fn verify(c: &mut Criterion) {
    let j = big_journal();
    let path = j.path().to_owned();
    let mut g = c.benchmark_group("verify_1m");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(60));
    g.bench_function("journal_verify", |b| {
        b.iter(|| assert!(j.verify().unwrap().is_clean()))
    });
    g.bench_function("bare_integrity_check", |b| {
        let conn = rusqlite::Connection::open(&path).unwrap();
        b.iter(|| {
            let ok: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(ok, "ok");
        })
    });
    g.finish();
}

criterion_group!(benches, ingest, lookups, verify);
criterion_main!(benches);
