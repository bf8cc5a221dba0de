use crate::{raw, sample_records, slip_record, txn_record, Fixture};
use slipkeeper_domain::{sample, Money, Outcome, TxnKind};
use slipkeeper_journal::{JournalError, TxnQuery};

#[test]
fn a_replay_inserts_nothing_and_says_so() {
    let mut f = Fixture::new();
    let recs = sample_records(50);
    let first = f.journal.ingest(&recs).unwrap();
    assert_eq!(first.inserted, 100);
    assert_eq!(first.duplicates, 0);
    let again = f.journal.ingest(&recs).unwrap();
    assert_eq!(again.inserted, 0, "a replay must not insert");
    assert_eq!(again.duplicates, 100);
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 50);
    assert!(f.journal.verify().unwrap().is_clean());
}

#[test]
fn same_key_with_different_content_keeps_the_first_and_reports_a_conflict() {
    let mut f = Fixture::new();
    let t = sample::transaction(3);
    f.journal.ingest(&[txn_record(&t)]).unwrap();
    let mut forged = t.clone();
    forged.amount = Money::cny(t.amount.minor() + 1);
    let r = f.journal.ingest(&[txn_record(&forged)]).unwrap();
    assert_eq!((r.inserted, r.duplicates, r.conflicts), (0, 0, 1));
    assert!(
        r.conflict_examples[0].contains(t.trace_no.as_str()),
        "{:?}",
        r.conflict_examples
    );
    let stored = f
        .journal
        .search(&TxnQuery {
            voucher: Some(t.trace_no.clone()),
            terminal: Some(t.terminal_id.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(stored.items[0].txn.amount, t.amount);
}

#[test]
fn a_slip_for_an_unknown_transaction_writes_nothing() {
    let mut f = Fixture::new();
    let known = sample::transaction(0);
    let unknown = sample::transaction(1);
    let err = f
        .journal
        .ingest(&[txn_record(&known), slip_record(&unknown)])
        .unwrap_err();
    match err {
        JournalError::Import(e) => {
            assert_eq!(e.line, 2);
            assert_eq!(e.field, "txn");
        }
        other => panic!("expected an import error, got {other}"),
    }
    assert_eq!(
        f.journal.search(&TxnQuery::default()).unwrap().total,
        0,
        "the batch is all or nothing"
    );
}

#[test]
fn full_card_numbers_in_slip_text_are_masked_before_storage() {
    let mut f = Fixture::new();
    let t = sample::transaction(5);
    let mut slip = slip_record(&t);
    if let slipkeeper_journal::RecordBody::Slip(s) = &mut slip.body {
        s.slip.lines.push("CARD 6225880212345673".into());
    }
    f.journal.ingest(&[txn_record(&t), slip]).unwrap();
    let path = f.path();
    drop(f.journal);
    // Close so the WAL is checkpointed, then look at every byte of the file.
    let bytes = std::fs::read(&path).unwrap();
    let needle = b"6225880212345673";
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "full PAN found in the database file"
    );
    let text: String = raw(&path)
        .query_row("SELECT text FROM slips", [], |r| r.get(0))
        .unwrap();
    assert!(text.contains("622588******5673"), "{text}");
}

#[test]
fn voids_refunds_and_reversals_are_related_to_their_original() {
    let mut f = Fixture::new();
    let recs = sample_records(400);
    f.journal.ingest(&recs).unwrap();
    let void = (0..400)
        .map(sample::transaction)
        .find(|t| t.kind == TxnKind::Void && t.outcome == Outcome::Approved)
        .unwrap();
    let original = f
        .journal
        .search(&TxnQuery {
            terminal: Some(void.terminal_id.clone()),
            voucher: void.original_trace_no.clone(),
            kind: Some(TxnKind::Sale),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(original.total, 1);
    let detail = f.journal.detail(original.items[0].id).unwrap();
    assert!(
        detail.related.iter().any(|r| r.txn == void),
        "the void must show up next to its sale"
    );
    assert_eq!(detail.slips.len(), 1);
}

/// The home screen's count is the highest row id; it must equal a real count after
/// replays, conflicts and writes that failed and rolled back.
#[test]
fn the_stored_count_without_counting_equals_count_after_replays_and_failures() {
    let mut f = Fixture::new();
    assert_eq!(f.journal.transactions_stored().unwrap(), 0);
    f.journal.ingest(&sample_records(10)).unwrap();
    f.journal.ingest(&sample_records(10)).unwrap(); // a replay
    let mut bad = sample_records(13);
    // A slip for a transaction that is nowhere: the whole write fails.
    let orphan = slipkeeper_domain::sample::transaction(9_999);
    bad.push(slip_record(&orphan));
    assert!(f.journal.ingest(&bad).is_err());
    f.journal.ingest(&sample_records(15)).unwrap();
    // Counted by SQLite itself, on a connection of its own.
    let counted: u64 = crate::raw(f.journal.path())
        .query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(counted, 15);
    assert_eq!(f.journal.transactions_stored().unwrap(), counted);
    // The unfiltered list says the same without counting.
    let listed = f
        .journal
        .search(&slipkeeper_journal::TxnQuery::default())
        .unwrap()
        .total;
    assert_eq!(listed, counted);
    let newest = f.journal.newest_transaction_at().unwrap().unwrap();
    let top = f
        .journal
        .search(&slipkeeper_journal::TxnQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(newest, top.items[0].txn.occurred_at);
}

/// A long batch is readied on a second thread, with its chain hashes worked out ahead;
/// the chain must be the one a record-by-record write makes, replays or not.
#[test]
fn a_long_batch_chains_exactly_as_short_ones_do_even_around_replays() {
    let recs = sample_records(700); // 1,400 records: several hand-overs
    let mut short = Fixture::new();
    for part in recs.chunks(50) {
        short.journal.ingest(part).unwrap();
    }
    let mut long = Fixture::new();
    assert_eq!(long.journal.ingest(&recs).unwrap().inserted, 1_400);
    let (a, b) = (
        short.journal.verify().unwrap(),
        long.journal.verify().unwrap(),
    );
    assert!(
        a.is_clean() && b.is_clean(),
        "{:?} {:?}",
        a.problems,
        b.problems
    );
    assert_eq!((a.checked, &a.head), (b.checked, &b.head));

    // Replays scattered through a long batch: every record after the first replay is
    // hashed on the writer's side, since the hashes worked out ahead assumed it stored.
    let mut mixed = Fixture::new();
    let every_third: Vec<_> = recs.chunks(6).flat_map(|c| c[..2].to_vec()).collect();
    mixed.journal.ingest(&every_third).unwrap();
    let r = mixed.journal.ingest(&recs).unwrap();
    assert_eq!(r.duplicates, every_third.len() as u64);
    assert_eq!(r.inserted, 1_400 - every_third.len() as u64);
    let v = mixed.journal.verify().unwrap();
    assert!(v.is_clean(), "{:?}", v.problems);
    assert_eq!(v.checked, 1_400);
    assert_eq!(
        mixed.journal.search(&TxnQuery::default()).unwrap().total,
        700
    );
}

#[test]
fn a_bad_record_late_in_a_long_batch_is_named_and_nothing_is_written() {
    let mut f = Fixture::new();
    let mut recs = sample_records(800);
    // Record 1,302 (a slip) gets a line break inside a line: refused while readying.
    if let slipkeeper_journal::RecordBody::Slip(s) = &mut recs[1_301].body {
        s.slip.lines[3].push_str("\nforged");
    } else {
        panic!("record 1,302 should be a slip");
    }
    match f.journal.ingest(&recs).unwrap_err() {
        JournalError::Import(e) => assert_eq!((e.line, e.field.as_str()), (1_302, "lines")),
        other => panic!("expected an import error, got {other}"),
    }
    // And a record the database refuses (a slip of a transaction it has never seen),
    // after a readying failure would have been found had it come first.
    let mut recs = sample_records(800);
    recs[999] = slip_record(&sample::transaction(5_000));
    match f.journal.ingest(&recs).unwrap_err() {
        JournalError::Import(e) => assert_eq!((e.line, e.field.as_str()), (1_000, "txn")),
        other => panic!("expected an import error, got {other}"),
    }
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 0);
    assert_eq!(f.journal.verify().unwrap().checked, 0);
    let rows: i64 = raw(&f.path())
        .query_row("SELECT count(*) FROM slips", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}
