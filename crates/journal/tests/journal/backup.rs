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
    let report = f.journal.restore_from(&backup, false).unwrap();
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
        let e = f.journal.restore_from(bad, false).unwrap_err();
        assert!(matches!(e, JournalError::NotAJournal { .. }), "{e}");
    }
    assert_eq!(
        f.journal.search(&TxnQuery::default()).unwrap().total,
        3,
        "a refused restore changes nothing"
    );
    let missing = f.dir.path().join("missing.db");
    assert!(matches!(
        f.journal.restore_from(&missing, false).unwrap_err(),
        JournalError::Io { .. }
    ));
}

/// A backup changed after it was made is refused (nothing restored), names its first
/// problem, and is restored only when asked to anyway.
#[test]
fn a_tampered_backup_is_refused_unless_forced() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(30)).unwrap();
    let backup = f.dir.path().join("backup.db");
    f.journal.backup_to(&backup).unwrap();
    raw(&backup)
        .execute("UPDATE transactions SET amount_minor = 1 WHERE id = 7", [])
        .unwrap();
    f.journal.ingest(&sample_records(40)).unwrap();
    let e = f.journal.restore_from(&backup, false).unwrap_err();
    assert!(matches!(e, JournalError::BackupDoesNotVerify { .. }), "{e}");
    assert!(e.to_string().contains("transaction #7"), "{e}");
    assert_eq!(
        f.journal.search(&TxnQuery::default()).unwrap().total,
        40,
        "untouched"
    );
    assert!(f.journal.verify().unwrap().is_clean());
    let report = f.journal.restore_from(&backup, true).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 30);
    // Nothing of the staging copy is left beside the journal.
    let left: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restore"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A backup whose chain was recomputed to hide a change (so it verifies on its own)
/// disagrees with the anchors this journal wrote and is refused.
#[test]
fn a_re_chained_backup_disagrees_with_the_anchors() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(5)).unwrap();
    let backup = f.dir.path().join("backup.db");
    f.journal.backup_to(&backup).unwrap();
    // Forge: change a transaction and recompute every hash after it, as a tamperer
    // who knows the format would.
    {
        let mut j = Journal::open(&backup).unwrap();
        drop(j.verify());
        let c = raw(&backup);
        c.execute("UPDATE transactions SET amount_minor = 1 WHERE id = 1", [])
            .unwrap();
        drop(c);
        let mut lines = Vec::new();
        j.export(&mut lines).unwrap();
        crate::write_chain(&backup, &lines);
        // On its own, the forged backup verifies (apart from its own anchors file,
        // which the forger would delete too).
        std::fs::remove_file(f.dir.path().join("backup.db.anchors")).unwrap();
        j = Journal::open(&backup).unwrap();
        std::fs::remove_file(f.dir.path().join("backup.db.anchors")).unwrap();
        assert!(
            j.verify().unwrap().is_clean(),
            "the forgery holds on its own"
        );
    }
    let e = f.journal.restore_from(&backup, false).unwrap_err();
    assert!(e.to_string().contains("anchored"), "{e}");
}

/// Reading takes no write lock: verify, search and export answer while another
/// connection holds the journal's write lock (a mirror in the middle of a write), and
/// nothing is written by opening.
#[test]
fn read_only_opens_work_while_a_writer_holds_the_lock() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(25)).unwrap();
    let writer = raw(&f.path());
    writer.execute_batch("BEGIN IMMEDIATE;").unwrap();
    let start = std::time::Instant::now();
    let j = Journal::open_read_only(&f.path()).unwrap();
    assert!(j.verify().unwrap().is_clean());
    assert_eq!(j.search(&TxnQuery::default()).unwrap().total, 25);
    let mut out = Vec::new();
    assert_eq!(j.export(&mut out).unwrap(), 50);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "waited for the write lock"
    );
    // A write through it fails instead of waiting or writing.
    drop(writer);
    let mut j = j;
    assert!(j.ingest(&sample_records(26)).is_err());
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 25);
}

#[test]
fn opening_a_missing_journal_to_read_or_change_it_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("typo.db");
    for e in [
        Journal::open_read_only(&p).unwrap_err(),
        Journal::open_existing(&p).unwrap_err(),
    ] {
        assert!(matches!(e, JournalError::Missing { .. }), "{e}");
    }
    assert!(!p.exists());
}

/// A backup leaves the files beside it alone (it used to delete `<name>.partial`).
#[test]
fn a_backup_touches_nothing_beside_its_destination() {
    let f = Fixture::new();
    let keep = f.dir.path().join("backup.partial");
    std::fs::write(&keep, b"mine").unwrap();
    f.journal
        .backup_to(&f.dir.path().join("backup.db"))
        .unwrap();
    assert_eq!(std::fs::read(&keep).unwrap(), b"mine");
    let left: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("slipkeeper-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A backup carries its head in an anchors file beside it. The newest records cut
/// from the copy together with their chain entries (which leaves a chain that checks
/// out on its own) are then found by `verify` of the copy, and a restore from it is
/// refused. Without that file (the documented limit) only this journal's anchors are
/// left, which cannot tell a cut copy from an older backup.
#[test]
fn newest_records_cut_from_a_backup_are_found_by_its_anchors() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(20)).unwrap();
    let backup = f.dir.path().join("backup.db");
    f.journal.backup_to(&backup).unwrap();
    let anchors = f.dir.path().join("backup.db.anchors");
    let kept = std::fs::read_to_string(&anchors).unwrap();
    assert_eq!(kept.lines().count(), 1, "{kept}");
    assert!(
        kept.starts_with("40 "),
        "20 transactions and their slips: {kept}"
    );
    assert!(Journal::open_read_only(&backup)
        .unwrap()
        .verify()
        .unwrap()
        .is_clean());
    // Cut the newest transaction, its slip and their chain entries.
    raw(&backup)
        .execute_batch(
            "DELETE FROM chain WHERE seq > 38;
             DELETE FROM slips WHERE id = (SELECT max(id) FROM slips);
             DELETE FROM transactions WHERE id = (SELECT max(id) FROM transactions);",
        )
        .unwrap();
    let r = Journal::open_read_only(&backup).unwrap().verify().unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.to_string().contains("2 newest record(s) removed")),
        "{:?}",
        r.problems
    );
    f.journal.ingest(&sample_records(25)).unwrap();
    let e = f.journal.restore_from(&backup, false).unwrap_err();
    assert!(matches!(e, JournalError::BackupDoesNotVerify { .. }), "{e}");
    assert!(e.to_string().contains("newest record"), "{e}");
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 25);
    // The same copy without its anchors reads as an older backup of 19.
    std::fs::remove_file(&anchors).unwrap();
    let report = f.journal.restore_from(&backup, false).unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 19);
}
