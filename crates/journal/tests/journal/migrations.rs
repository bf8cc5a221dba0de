use crate::Fixture;
use slipkeeper_journal::{migration_hashes, Journal, JournalError, SCHEMA_VERSION};

/// Released migrations and their SHA-256. Append a line for each new migration; never
/// change an existing one — databases in shops were built from exactly these bytes.
const RELEASED: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../../migrations/0001_initial.sql.sha256"),
    ),
    (
        "0002_statements",
        include_str!("../../migrations/0002_statements.sql.sha256"),
    ),
    (
        "0003_cases",
        include_str!("../../migrations/0003_cases.sql.sha256"),
    ),
    (
        "0004_amount_index",
        include_str!("../../migrations/0004_amount_index.sql.sha256"),
    ),
    (
        "0005_masking",
        include_str!("../../migrations/0005_masking.sql.sha256"),
    ),
    (
        "0006_links",
        include_str!("../../migrations/0006_links.sql.sha256"),
    ),
    (
        "0007_statement_witness",
        include_str!("../../migrations/0007_statement_witness.sql.sha256"),
    ),
];

#[test]
fn migrations_are_append_only() {
    let embedded = migration_hashes();
    assert!(
        embedded.len() >= RELEASED.len(),
        "a released migration was removed"
    );
    for ((name, hash), (rname, rhash)) in embedded.iter().zip(RELEASED) {
        assert_eq!(name, rname, "migrations were reordered or renamed");
        assert_eq!(
            hash,
            rhash.trim(),
            "released migration {name} was edited; add a new migration instead"
        );
    }
}

#[test]
fn fresh_database_gets_the_current_schema() {
    let f = Fixture::new();
    assert_eq!(f.journal.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn schema_matches_the_reviewed_snapshot() {
    let f = Fixture::new();
    let dump = f.journal.schema_dump().unwrap();
    let snap_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schema.snapshot.sql");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(snap_path, &dump).unwrap();
    }
    let snap = std::fs::read_to_string(snap_path)
        .expect("snapshot missing: run with UPDATE_SNAPSHOTS=1 and review it");
    assert_eq!(
        dump, snap,
        "schema changed: review and re-run with UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn reopening_is_a_no_op() {
    let f = Fixture::new();
    let before = f.journal.schema_dump().unwrap();
    let path = f.path();
    drop(f.journal);
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.schema_dump().unwrap(), before);
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message() {
    let f = Fixture::new();
    let path = f.path();
    drop(f.journal);
    crate::raw(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Journal::open(&path).unwrap_err();
    assert!(
        matches!(err, JournalError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("newer Slipkeeper"), "{err}");
}

#[test]
fn another_programs_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    crate::raw(&path)
        .execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    let err = Journal::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::NotAJournal { .. }), "{err}");
    let n: i64 = crate::raw(&path)
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "nothing may be added to a foreign database");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is a text file, not a database, and it is long enough to have a header",
    )
    .unwrap();
    let err = Journal::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::NotAJournal { .. }), "{err}");
}

/// A journal written by schema 1 (the first release) opens in this build: its records
/// stay, verify still passes, and the statement tables appear.
#[test]
fn a_schema_1_journal_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let c = crate::raw(&path);
        c.execute_batch(include_str!("../../migrations/0001_initial.sql"))
            .unwrap();
        c.pragma_update(None, "application_id", slipkeeper_journal::APPLICATION_ID)
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    // Records written at schema 1 (through the public API of a journal held at 1 would
    // need the old build; the tables are identical, so write them now, then downgrade
    // the version mark and upgrade again).
    {
        let mut j = Journal::open(&path).unwrap();
        j.ingest(&crate::sample_records(20)).unwrap();
    }
    {
        let c = crate::raw(&path);
        c.execute_batch(
            "DROP TABLE links; DROP TABLE chain_rewrites; ALTER TABLE raw_frames DROP COLUMN masked;
             DROP INDEX transactions_amount;
             DROP TABLE case_events; DROP TABLE cases; DROP TABLE acquirers; DROP INDEX chain_record;
             DROP TABLE statement_mappings; DROP TABLE statement_lines; DROP TABLE statements;",
        )
        .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(j
        .schema_dump()
        .unwrap()
        .contains("CREATE TABLE statement_lines"));
    assert_eq!(
        j.search(&slipkeeper_journal::TxnQuery::default())
            .unwrap()
            .total,
        20
    );
    assert!(
        j.verify().unwrap().is_clean(),
        "the chain survives the upgrade"
    );
}

/// Undoes schema 7 (statement lines' lookup columns).
const WITHOUT_SCHEMA_7: &str = "DROP INDEX statement_lines_trace; DROP INDEX statement_lines_rrn;
    DROP INDEX statement_lines_auth; DROP INDEX statement_lines_last4; DROP INDEX statement_lines_amount;
    ALTER TABLE statement_lines DROP COLUMN terminal_id; ALTER TABLE statement_lines DROP COLUMN trace_no;
    ALTER TABLE statement_lines DROP COLUMN rrn; ALTER TABLE statement_lines DROP COLUMN auth_code;
    ALTER TABLE statement_lines DROP COLUMN last4; ALTER TABLE statement_lines DROP COLUMN amount_minor;
    ALTER TABLE statement_lines DROP COLUMN kind;";

/// Makes `path` (a current journal) look like one written by schema 4, before card data
/// was masked at the boundary: slip #1 holds a full card number, raw frame #1 one in
/// BMP 22, and the chain is recomputed over that content as the old build did.
fn a_schema_4_journal_with_full_card_numbers(path: &std::path::Path, pan: &str) {
    let c = crate::raw(path);
    let text: String = c
        .query_row("SELECT text FROM slips WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    let masked = text
        .split(|ch: char| ch.is_whitespace())
        .find(|w| w.contains("******"))
        .unwrap()
        .to_owned();
    c.execute(
        "UPDATE slips SET text = ?1 WHERE id = 1",
        [text.replace(&masked, pan)],
    )
    .unwrap();
    // BMP 22 with the full number in BCD.
    let mut frame = vec![0x04, 0x0F, 0x0B, 0x22, 0xF0, 0xF8];
    frame.extend(hex::decode(pan).unwrap());
    c.execute("UPDATE raw_frames SET bytes = ?1 WHERE id = 1", [frame])
        .unwrap();
    c.execute_batch(&format!(
        "DROP TABLE links; DROP TABLE chain_rewrites; ALTER TABLE raw_frames DROP COLUMN masked; {}",
        WITHOUT_SCHEMA_7
    ))
    .unwrap();
    c.pragma_update(None, "user_version", 4).unwrap();
    drop(c);
    // The old build's chain over this content: the canonical lines, as exported.
    let mut lines = Vec::new();
    {
        let c = crate::raw(path);
        c.execute_batch("ALTER TABLE raw_frames ADD COLUMN masked INTEGER NOT NULL DEFAULT 0")
            .unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION)
            .unwrap();
        c.execute_batch("CREATE TABLE chain_rewrites (id INTEGER PRIMARY KEY, at TEXT NOT NULL, reason TEXT NOT NULL, from_seq INTEGER NOT NULL, head_seq INTEGER NOT NULL, old_head BLOB NOT NULL, new_head BLOB NOT NULL, records INTEGER NOT NULL) STRICT")
            .unwrap();
        c.execute_batch("CREATE TABLE links (id INTEGER PRIMARY KEY, config TEXT NOT NULL, updated_at TEXT NOT NULL)")
            .unwrap();
        c.execute_batch(include_str!("../../migrations/0007_statement_witness.sql"))
            .unwrap();
    }
    Journal::open(path).unwrap().export(&mut lines).unwrap();
    crate::write_chain(path, &lines);
    let c = crate::raw(path);
    c.execute_batch(&format!(
        "DROP TABLE links; DROP TABLE chain_rewrites; ALTER TABLE raw_frames DROP COLUMN masked; {}",
        WITHOUT_SCHEMA_7
    ))
    .unwrap();
    c.pragma_update(None, "user_version", 4).unwrap();
}

/// Opening a journal written before card data was masked everywhere masks what it
/// holds, re-chains it, records why, and still finds an edit made before.
#[test]
fn a_schema_4_journal_is_masked_and_re_chained_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let pan = "6225880212345673";
    {
        let mut j = Journal::open(&path).unwrap();
        let mut recs = crate::sample_records(10);
        let t = slipkeeper_domain::sample::transaction(0);
        recs.insert(
            1,
            slipkeeper_journal::Record {
                body: slipkeeper_journal::RecordBody::RawFrame(slipkeeper_journal::RawFrame {
                    terminal_id: t.terminal_id.clone(),
                    direction: slipkeeper_journal::Direction::Rx,
                    at: crate::now(),
                    bytes: vec![0x80, 0x00, 0x00],
                    txn: Some(t.key()),
                    masked: false,
                }),
                recorded_at: crate::now(),
            },
        );
        j.ingest(&recs).unwrap();
    }
    a_schema_4_journal_with_full_card_numbers(&path, pan);
    // An edit made behind the old build's back, before the upgrade.
    crate::raw(&path)
        .execute(
            "UPDATE transactions SET amount_minor = amount_minor + 1 WHERE id = 5",
            [],
        )
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(
        before.windows(pan.len()).any(|w| w == pan.as_bytes()),
        "fixture holds the number"
    );

    let j = Journal::open(&path).unwrap();
    assert_eq!(j.schema_version().unwrap(), SCHEMA_VERSION);
    let report = j.verify().unwrap();
    let altered: Vec<_> = report.problems.iter().map(|p| p.record.clone()).collect();
    assert_eq!(altered, vec!["transaction #5".to_owned()], "{report:?}");
    assert_eq!(report.rewrites.len(), 1, "{report:?}");
    assert_eq!(report.rewrites[0].records, 2);
    assert!(report.rewrites[0].reason.contains("masked"));
    drop(j);
    let c = crate::raw(&path);
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
        .unwrap();
    drop(c);
    let after = std::fs::read(&path).unwrap();
    assert!(
        !after.windows(pan.len()).any(|w| w == pan.as_bytes()),
        "ASCII"
    );
    let bcd = hex::decode(pan).unwrap();
    assert!(!after.windows(bcd.len()).any(|w| w == &bcd[..]), "BCD");
}

/// Statement lines imported before schema 7 are found by voucher, RRN, card and
/// amount after the upgrade: the migration fills the new columns from the JSON.
#[test]
fn a_schema_6_journals_statement_lines_are_searchable_after_the_upgrade() {
    use slipkeeper_domain::{Money, StatementLine, TxnKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    let line = StatementLine {
        line_no: 2,
        merchant_id: None,
        terminal_id: Some("10000001".parse().unwrap()),
        occurred_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(12, 57, 0)
            .unwrap(),
        card: Some("622588******1234".into()),
        amount: Money::cny(25_531),
        fee: None,
        net: None,
        rrn: Some("612345678901".parse().unwrap()),
        trace_no: Some("000123".parse().unwrap()),
        auth_code: Some("A1B2C3".parse().unwrap()),
        kind: TxnKind::Sale,
        settle_date: None,
        card_type: None,
    };
    {
        let mut j = Journal::open(&path).unwrap();
        j.import_statement(
            "s.csv",
            "ab",
            "generic-zh",
            None,
            std::slice::from_ref(&line),
            crate::now(),
        )
        .unwrap();
    }
    {
        let c = crate::raw(&path);
        c.execute_batch(WITHOUT_SCHEMA_7).unwrap();
        c.pragma_update(None, "user_version", 6).unwrap();
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.schema_version().unwrap(), SCHEMA_VERSION);
    let by = |q: slipkeeper_journal::LineQuery| j.find_statement_lines(&q).unwrap();
    let found = by(slipkeeper_journal::LineQuery {
        voucher: line.trace_no.clone(),
        terminal: line.terminal_id.clone(),
        ..Default::default()
    });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, line);
    assert_eq!(found[0].file_name, "s.csv");
    for q in [
        slipkeeper_journal::LineQuery {
            rrn: line.rrn.clone(),
            ..Default::default()
        },
        slipkeeper_journal::LineQuery {
            last4: Some("1234".into()),
            amount_minor: Some(25_531),
            ..Default::default()
        },
        slipkeeper_journal::LineQuery {
            auth_code: line.auth_code.clone(),
            ..Default::default()
        },
    ] {
        assert_eq!(by(q.clone()).len(), 1, "{q:?}");
    }
    assert!(by(slipkeeper_journal::LineQuery {
        last4: Some("9999".into()),
        ..Default::default()
    })
    .is_empty());
}
