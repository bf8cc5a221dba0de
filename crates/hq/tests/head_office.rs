//! Head office against a real PostgreSQL (a throwaway cluster, see support/pg.rs):
//! three shops sync their journals, search across them, verify, and what the
//! database refuses.

#![allow(clippy::unwrap_used)]

use slipkeeper_testkit::pg;

use chrono::{DateTime, Utc};
use slipkeeper_domain::{sample, CopyType, Rrn, TerminalId, TraceNo};
use slipkeeper_hq::{office, sync, HqAddress, HqError};
use slipkeeper_journal::{Journal, ProblemKind, Record, RecordBody, SlipRecord, TxnQuery};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

const SHOPS: [(&str, &str); 3] = [
    ("nanjing-rd", "南京路店"),
    ("huaihai-rd", "淮海路店"),
    ("xujiahui", "徐家汇店"),
];

fn password(shop: &str) -> String {
    format!("{shop}-password-1")
}

/// Shop `k`'s records: `n` transactions on its own terminals and RRNs (vouchers repeat
/// across shops, as they do), each with its merchant copy.
fn shop_records(k: usize, from: u64, n: u64) -> Vec<Record> {
    let at = DateTime::<Utc>::UNIX_EPOCH;
    let mut out = Vec::new();
    for i in from..from + n {
        let mut t = sample::transaction(i);
        t.terminal_id = TerminalId::new(&format!("{}{:07}", k + 1, i % 2)).unwrap();
        t.rrn = Some(Rrn::new(&format!("{}{:011}", k + 1, i)).unwrap());
        let slip = sample::slip(&t, CopyType::Merchant);
        out.push(Record {
            body: RecordBody::Slip(SlipRecord { txn: t.key(), slip }),
            recorded_at: at,
        });
        out.insert(
            out.len() - 1,
            Record {
                body: RecordBody::Transaction(t),
                recorded_at: at,
            },
        );
    }
    out
}

fn journal(dir: &std::path::Path, k: usize, n: u64) -> Journal {
    let mut j = Journal::open(&dir.join(format!("shop{k}.db"))).unwrap();
    j.ingest(&shop_records(k, 0, n)).unwrap();
    j
}

struct HeadOffice {
    cluster: pg::Cluster,
}

impl HeadOffice {
    fn new() -> HeadOffice {
        let cluster = pg::Cluster::start();
        cluster.create_db("hq");
        let ho = HeadOffice { cluster };
        let mut admin = ho.admin();
        assert_eq!(
            slipkeeper_hq::migrate(&mut admin).unwrap(),
            ["0001_head_office", "0002_cases"]
        );
        // A second run applies nothing.
        assert!(slipkeeper_hq::migrate(&mut admin).unwrap().is_empty());
        for (id, name) in SHOPS {
            let role = office::add_shop(&mut admin, id, name, &password(id)).unwrap();
            assert_eq!(role, format!("slipkeeper_shop_{id}"));
        }
        ho
    }

    fn admin(&self) -> postgres::Client {
        let a = HqAddress::parse(&self.cluster.admin_url("hq")).unwrap();
        slipkeeper_hq::connect(&a).unwrap()
    }

    fn shop_url(&self, k: usize) -> String {
        let id = SHOPS[k].0;
        self.cluster
            .url(&office::shop_role(id), &password(id), "hq")
    }

    fn shop(&self, k: usize) -> postgres::Client {
        slipkeeper_hq::connect(&HqAddress::parse(&self.shop_url(k)).unwrap()).unwrap()
    }
}

/// The server's message (postgres::Error's Display says only "db error").
fn db_msg(e: &postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_owned())
        .unwrap_or_else(|| e.to_string())
}

fn push(j: &Journal, c: &mut postgres::Client, batch: usize) -> Result<sync::SyncReport, HqError> {
    sync::sync(j, c, batch, &mut |_| {})
}

#[test]
fn three_shops_sync_search_and_verify() {
    let ho = HeadOffice::new();
    let dir = tempfile::tempdir().unwrap();
    let journals: Vec<Journal> = (0..3)
        .map(|k| journal(dir.path(), k, 40 + 10 * k as u64))
        .collect();
    for (k, j) in journals.iter().enumerate() {
        let mut c = ho.shop(k);
        let mut heard = Vec::new();
        let r = sync::sync(j, &mut c, 25, &mut |p| heard.push(p.head_office_seq)).unwrap();
        let n = j.records_stored().unwrap();
        assert_eq!(r.sent as i64, n, "shop {k}");
        assert_eq!(r.shop_id, SHOPS[k].0);
        assert_eq!(r.head_office_seq, n);
        assert_eq!(r.batches as i64, (n + 24) / 25);
        assert_eq!(heard.last(), Some(&n));
        // A second run finds nothing to send.
        assert_eq!(push(j, &mut c, 25).unwrap().sent, 0);
    }
    let mut admin = ho.admin();
    // Voucher 000001 exists in every shop: found three times, each with its shop.
    let q = TxnQuery {
        voucher: Some(TraceNo::new("000001").unwrap()),
        ..TxnQuery::default()
    };
    let rows = office::search(&mut admin, &q, None).unwrap();
    let mut shops: Vec<&str> = rows.iter().map(|r| r.shop_name.as_str()).collect();
    shops.sort();
    assert_eq!(shops.len(), 6, "two terminals per shop: {rows:?}");
    shops.dedup();
    assert_eq!(shops, ["南京路店", "徐家汇店", "淮海路店"]);
    // An RRN is one shop's.
    let q = TxnQuery {
        rrn: Some(Rrn::new("300000000007").unwrap()),
        ..TxnQuery::default()
    };
    let rows = office::search(&mut admin, &q, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].shop_id, "xujiahui");
    let local = sample::transaction(7);
    assert_eq!(rows[0].amount_minor, local.amount.minor());
    assert_eq!(
        rows[0].pan.as_deref(),
        local.pan.as_ref().map(|p| p.as_str())
    );
    // Limited to one shop.
    let q = TxnQuery {
        voucher: Some(TraceNo::new("000001").unwrap()),
        ..TxnQuery::default()
    };
    let rows = office::search(&mut admin, &q, Some("huaihai-rd")).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.shop_id == "huaihai-rd"));

    // Head office's chain is each shop's chain: the same head as the shop's verify.
    let checks = office::verify(&mut admin, None).unwrap();
    assert_eq!(checks.len(), 3);
    for c in &checks {
        let k = SHOPS.iter().position(|s| s.0 == c.shop_id).unwrap();
        let local = journals[k].verify().unwrap();
        assert!(c.is_clean(), "{c:?}");
        assert_eq!(c.checked, local.checked);
        assert_eq!(c.head, local.head);
    }
    let listed = office::shops(&mut admin).unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0].transactions, 50); // huaihai-rd, k = 1

    // New records at one shop: only they are sent.
    let mut j0 = Journal::open(&dir.path().join("shop0.db")).unwrap();
    j0.ingest(&shop_records(0, 40, 5)).unwrap();
    let r = push(&j0, &mut ho.shop(0), 500).unwrap();
    assert_eq!(r.sent, 10);
    assert!(office::verify(&mut admin, Some("nanjing-rd")).unwrap()[0].is_clean());
}

#[test]
fn each_shop_writes_and_reads_only_its_own_rows() {
    let ho = HeadOffice::new();
    let dir = tempfile::tempdir().unwrap();
    let a = journal(dir.path(), 0, 5);
    let b = journal(dir.path(), 1, 5);
    push(&a, &mut ho.shop(0), 100).unwrap();
    let mut shop_b = ho.shop(1);
    push(&b, &mut shop_b, 100).unwrap();
    // B sees its own rows only.
    let seen: Vec<String> = shop_b
        .query("SELECT DISTINCT shop_id FROM records", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seen, ["huaihai-rd"]);
    // B cannot add a row in A's name, even one that would chain.
    let next = a.chained_after(10, 1).unwrap();
    assert!(next.is_empty());
    let first = a.chained_after(0, 1).unwrap().remove(0);
    let e = shop_b
        .execute(
            "INSERT INTO records (shop_id, seq, kind, label, line, hash) VALUES ('nanjing-rd', 1, $1, $2, $3, $4)",
            &[&first.kind, &first.label, &first.line, &&first.hash[..]],
        )
        .unwrap_err();
    assert!(db_msg(&e).contains("row-level security"), "{}", db_msg(&e));
    // Nor write the searched tables, nor change or remove what it sent.
    for sql in [
        "INSERT INTO transactions (shop_id, seq, terminal_id, merchant_id, batch_no, trace_no, kind, outcome, amount_minor, currency, occurred_at) VALUES ('huaihai-rd', 1, 'x','x','x','x','sale','approved',1,'CNY', now())",
        "UPDATE records SET label = 'x' WHERE shop_id = 'huaihai-rd'",
        "DELETE FROM records WHERE shop_id = 'huaihai-rd'",
        "SELECT * FROM transactions",
    ] {
        let e = shop_b.batch_execute(sql).unwrap_err();
        let msg = e.as_db_error().unwrap().message().to_owned();
        assert!(msg.contains("permission denied"), "{sql}: {msg}");
    }
    // Nor file a case in A's name.
    let e = shop_b
        .batch_execute(
            "INSERT INTO cases (shop_id, case_id, opened_at, updated_at, status, complaint, code, lookup)
             VALUES ('nanjing-rd', 1, now(), now(), 'open', 'other', 'X', '{}')",
        )
        .unwrap_err();
    assert!(db_msg(&e).contains("row-level security"), "{}", db_msg(&e));
    // Of the shops, B sees itself.
    let shops: Vec<String> = shop_b
        .query("SELECT shop_id FROM shops", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(shops, ["huaihai-rd"]);
    // Head office's administrator cannot change a record either: append-only.
    let e = ho
        .admin()
        .batch_execute("UPDATE records SET label = 'x'")
        .unwrap_err();
    assert!(
        e.as_db_error().unwrap().message().contains("append-only"),
        "{e}"
    );
    // A reader sees every shop and may change nothing.
    office::add_reader(&mut ho.admin(), "owner", "owner-password-1").unwrap();
    let mut reader = slipkeeper_hq::connect(
        &HqAddress::parse(&ho.cluster.url("owner", "owner-password-1", "hq")).unwrap(),
    )
    .unwrap();
    let n: i64 = reader
        .query_one("SELECT count(DISTINCT shop_id) FROM records", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    assert!(reader.batch_execute("DELETE FROM shops").is_err());
    // A role that is no shop's is told so.
    let e = sync::shop_of(&mut reader).unwrap_err();
    assert!(e.to_string().contains("owner"), "{e}");
}

#[test]
fn the_database_refuses_what_does_not_chain_and_full_card_numbers() {
    let ho = HeadOffice::new();
    let dir = tempfile::tempdir().unwrap();
    let a = journal(dir.path(), 0, 3);
    let entries = a.chained_after(0, 100).unwrap();
    let mut c = ho.shop(0);
    let insert = "INSERT INTO records (shop_id, seq, kind, label, line, hash) VALUES ('nanjing-rd', $1, $2, $3, $4, $5)";
    // Entry 2 before entry 1.
    let e = &entries[1];
    let err = c
        .execute(insert, &[&e.seq, &e.kind, &e.label, &e.line, &&e.hash[..]])
        .unwrap_err();
    assert!(
        db_msg(&err).contains("arrived before record 1"),
        "{}",
        db_msg(&err)
    );
    // A line its hash does not cover.
    let e = &entries[0];
    let forged = e.line.replace("\"sale\"", "\"refund\"");
    let err = c
        .execute(insert, &[&e.seq, &e.kind, &e.label, &forged, &&e.hash[..]])
        .unwrap_err();
    assert!(db_msg(&err).contains("does not follow"), "{}", db_msg(&err));
    // A full card number, correctly chained, is still refused (and nothing is kept).
    let full = e.line.replace(
        sample::transaction(0).pan.as_ref().unwrap().as_str(),
        "6228480402564890018",
    );
    assert_ne!(full, e.line);
    let hash: [u8; 32] = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update([0u8; 32]);
        h.update(full.as_bytes());
        h.finalize().into()
    };
    let err = c
        .execute(insert, &[&e.seq, &e.kind, &e.label, &full, &&hash[..]])
        .unwrap_err();
    let refused = slipkeeper_hq::HqError::from(err).to_string();
    assert!(refused.contains("transactions_pan_check"), "{refused}");
    assert!(!refused.contains("6228480402564890018"), "{refused}");
    let n: i64 = c
        .query_one("SELECT count(*) FROM records", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    // The real journal still goes through.
    assert_eq!(push(&a, &mut c, 2).unwrap().sent as usize, entries.len());
}

#[test]
fn a_journal_that_is_not_the_shops_is_refused() {
    let ho = HeadOffice::new();
    let dir = tempfile::tempdir().unwrap();
    let a = journal(dir.path(), 0, 6);
    let mut c = ho.shop(0);
    push(&a, &mut c, 100).unwrap();
    // Another shop's journal, longer, sent with A's role: it diverges at A's head.
    let other = journal(dir.path(), 1, 9);
    let e = push(&other, &mut c, 100).unwrap_err();
    assert!(matches!(e, HqError::Diverged { seq: 12, .. }), "{e}");
    // A shorter journal (an old backup): head office is ahead of it.
    let short = journal(dir.path(), 2, 2);
    let e = push(&short, &mut c, 100).unwrap_err();
    assert!(
        matches!(
            e,
            HqError::AheadOfJournal {
                theirs: 12,
                ours: 4,
                ..
            }
        ),
        "{e}"
    );
    let n: i64 = ho
        .admin()
        .query_one("SELECT count(*) FROM records", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 12);
}

#[test]
fn verify_finds_what_was_changed_at_head_office() {
    let ho = HeadOffice::new();
    let dir = tempfile::tempdir().unwrap();
    for k in 0..2 {
        push(&journal(dir.path(), k, 10), &mut ho.shop(k), 100).unwrap();
    }
    let mut admin = ho.admin();
    // Someone with the superuser's rights switches the triggers off and edits.
    admin
        .batch_execute(
            "SET session_replication_role = replica;
             UPDATE records SET line = replace(line, '\"approved\"', '\"declined\"')
              WHERE shop_id = 'nanjing-rd' AND seq = 3;
             DELETE FROM records WHERE shop_id = 'nanjing-rd' AND seq = 8;
             UPDATE transactions SET pan_last4 = '0000' WHERE shop_id = 'huaihai-rd' AND seq = 5;
             UPDATE slips SET trace_no = '999999' WHERE shop_id = 'huaihai-rd' AND seq = 6;
             SET session_replication_role = origin;",
        )
        .unwrap();
    let checks = office::verify(&mut admin, None).unwrap();
    let a = checks.iter().find(|c| c.shop_id == "nanjing-rd").unwrap();
    let kinds: Vec<(ProblemKind, &str)> = a
        .problems
        .iter()
        .map(|p| (p.kind, p.record.as_str()))
        .collect();
    assert!(
        kinds.contains(&(ProblemKind::Altered, "nanjing-rd entry 3")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ProblemKind::ChainGap, "nanjing-rd entries 8..8")),
        "{kinds:?}"
    );
    let b = checks.iter().find(|c| c.shop_id == "huaihai-rd").unwrap();
    let named: Vec<(ProblemKind, &str)> = b
        .problems
        .iter()
        .map(|p| (p.kind, p.record.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            (ProblemKind::Inconsistent, "huaihai-rd entry 5"),
            (ProblemKind::Inconsistent, "huaihai-rd entry 6")
        ],
        "{:?}",
        b.problems
    );
    let c = checks.iter().find(|c| c.shop_id == "xujiahui").unwrap();
    assert!(c.is_clean() && c.checked == 0);
}

#[test]
fn tls_is_used_and_the_certificate_checked() {
    let ho = HeadOffice::new();
    let base = format!(
        "postgres://{}:{}@127.0.0.1:{}/hq",
        pg::ADMIN,
        pg::ADMIN_PASSWORD,
        ho.cluster.port
    );
    let ssl = |c: &mut postgres::Client| -> bool {
        c.query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
    };
    let with_root = format!(
        "{base}?sslmode=require&sslrootcert={}",
        ho.cluster.root_cert().display()
    );
    let mut c = slipkeeper_hq::connect(&HqAddress::parse(&with_root).unwrap()).unwrap();
    assert!(ssl(&mut c));
    // Without the certificate's root, the self-made certificate is not trusted.
    let Err(e) =
        slipkeeper_hq::connect(&HqAddress::parse(&format!("{base}?sslmode=require")).unwrap())
    else {
        panic!("a certificate no root vouches for was accepted");
    };
    let msg = e.to_string();
    assert!(msg.to_lowercase().contains("certificate"), "{msg}");
    assert!(!msg.contains(pg::ADMIN_PASSWORD), "{msg}");
    let mut plain =
        slipkeeper_hq::connect(&HqAddress::parse(&format!("{base}?sslmode=disable")).unwrap())
            .unwrap();
    assert!(!ssl(&mut plain));
}

/// Relays TCP between the shop and PostgreSQL, cutting each connection after a
/// number of bytes drawn per connection: a line dropping at any point of a sync.
struct CuttingRelay {
    port: u16,
    stop: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
}

impl CuttingRelay {
    fn start(target: u16, seed: u64) -> CuttingRelay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicUsize::new(0));
        let (stop2, cuts2) = (stop.clone(), cuts.clone());
        std::thread::spawn(move || {
            let mut rng = seed;
            for (n, conn) in listener.incoming().enumerate() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Every fourth connection is left whole, so the sync can finish.
                let budget = if n % 4 == 3 {
                    usize::MAX
                } else {
                    ((rng >> 40) % 60_000) as usize
                };
                let server = TcpStream::connect(("127.0.0.1", target)).unwrap();
                let left = Arc::new(AtomicUsize::new(budget));
                let cuts = cuts2.clone();
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let left = left.clone();
                    let cuts = cuts.clone();
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 4096];
                        loop {
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            let was = left
                                .fetch_sub(n.min(left.load(Ordering::SeqCst)), Ordering::SeqCst);
                            if was < n {
                                let _ = to.write_all(&buf[..was]);
                                cuts.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = from.shutdown(std::net::Shutdown::Both);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        CuttingRelay { port, stop, cuts }
    }
}

impl Drop for CuttingRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

#[test]
fn connections_cut_mid_batch_lose_and_double_nothing() {
    let ho = HeadOffice::new();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), 0, 300);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("relay seed {seed}");
    let relay = CuttingRelay::start(ho.cluster.port, seed);
    let url = ho.shop_url(0).replace(
        &format!(":{}/", ho.cluster.port),
        &format!(":{}/", relay.port),
    );
    let address = HqAddress::parse(&url).unwrap();
    let total = j.records_stored().unwrap();
    let mut sent = 0u64;
    let mut failures = 0;
    for attempt in 0.. {
        assert!(attempt < 200, "never got through (seed {seed})");
        let Ok(mut c) = slipkeeper_hq::connect(&address) else {
            failures += 1;
            continue;
        };
        match push(&j, &mut c, 40) {
            Ok(r) => {
                sent += r.sent;
                if r.head_office_seq == total {
                    break;
                }
            }
            Err(e) => {
                failures += 1;
                // Whatever a cut left, the next run starts from what head office has.
                assert!(
                    matches!(e, HqError::Connect { .. } | HqError::Db(_)),
                    "{e} (seed {seed})"
                );
            }
        }
    }
    eprintln!(
        "{failures} failed runs, {} cuts, {sent} entries reported sent",
        relay.cuts.load(Ordering::SeqCst)
    );
    assert!(
        relay.cuts.load(Ordering::SeqCst) > 0,
        "the relay never cut (seed {seed})"
    );
    let mut admin = ho.admin();
    let (n, max): (i64, i64) = {
        let r = admin
            .query_one(
                "SELECT count(*), max(seq) FROM records WHERE shop_id = 'nanjing-rd'",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!((n, max), (total, total), "seed {seed}");
    let t: i64 = admin
        .query_one("SELECT count(*) FROM transactions", &[])
        .unwrap()
        .get(0);
    assert_eq!(t, 300, "seed {seed}");
    let check = office::verify(&mut admin, Some("nanjing-rd"))
        .unwrap()
        .remove(0);
    assert!(check.is_clean(), "{check:?} (seed {seed})");
    assert_eq!(check.head, j.verify().unwrap().head);
}

#[test]
fn a_head_office_of_an_older_schema_is_brought_up_to_date() {
    let cluster = pg::Cluster::start();
    cluster.create_db("hq");
    let connect =
        || slipkeeper_hq::connect(&HqAddress::parse(&cluster.admin_url("hq")).unwrap()).unwrap();
    // As the first release left it: migration 1 only, recorded with its hash.
    let mut c = connect();
    let (name, sql) = slipkeeper_hq::MIGRATIONS[0];
    c.batch_execute(sql).unwrap();
    c.batch_execute(
        "CREATE TABLE hq_migrations (version integer PRIMARY KEY, name text NOT NULL,
         sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .unwrap();
    let hash = &slipkeeper_hq::migration_hashes()[0].1;
    c.execute(
        "INSERT INTO hq_migrations (version, name, sha256) VALUES (1, $1, $2)",
        &[&name, hash],
    )
    .unwrap();
    assert_eq!(slipkeeper_hq::migrate(&mut c).unwrap(), ["0002_cases"]);
    // A migration changed by hand is refused, naming it.
    c.execute(
        "UPDATE hq_migrations SET sha256 = 'x' WHERE version = 1",
        &[],
    )
    .unwrap();
    let e = slipkeeper_hq::migrate(&mut c).unwrap_err().to_string();
    assert!(
        e.contains("0001_head_office") && e.contains("changed by hand"),
        "{e}"
    );
}

#[test]
fn migrations_are_append_only() {
    for (name, hash) in slipkeeper_hq::migration_hashes() {
        let pinned = std::fs::read_to_string(format!(
            "{}/migrations/{name}.sql.sha256",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|_| {
            panic!("migrations/{name}.sql.sha256 is missing: pin the new migration")
        });
        assert_eq!(
            pinned.trim(),
            hash,
            "{name} changed after release: add a new migration instead"
        );
    }
}
