use crate::{raw, sample_records, Fixture};
use slipkeeper_journal::{Journal, JournalError, TxnQuery};

#[test]
fn backup_then_restore_brings_back_the_records() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(100)).unwrap();
    let backup = f.dir.path().join("backup.db");
    f.journal.backup_to(&backup).unwrap();
    // The backup is a journal of its own.
    let copy = Journal::open(&backup).unwrap();
    assert_eq!(copy.search(&TxnQuery::default()).unwrap().total, 100);
    drop(copy);
    // Lose data, then restore.
    f.journal.ingest(&sample_records(150)).unwrap();
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 150);
    let report = f.journal.restore_from(&backup).unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 100);
}

#[test]
fn restore_refuses_files_that_are_not_journals() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(3)).unwrap();
    let text = f.dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let other = f.dir.path().join("other.db");
    raw(&other).execute_batch("CREATE TABLE t (x);").unwrap();
    for bad in [&text, &other] {
        let e = f.journal.restore_from(bad).unwrap_err();
        assert!(matches!(e, JournalError::NotAJournal { .. }), "{e}");
    }
    assert_eq!(
        f.journal.search(&TxnQuery::default()).unwrap().total,
        3,
        "a refused restore changes nothing"
    );
    let missing = f.dir.path().join("missing.db");
    assert!(matches!(
        f.journal.restore_from(&missing).unwrap_err(),
        JournalError::Io { .. }
    ));
}
