use crate::{now, sample_records, Fixture};
use slipkeeper_journal::{Journal, JournalError, TxnQuery};
use std::io::Write;

fn export(j: &Journal) -> Vec<u8> {
    let mut out = Vec::new();
    j.export(&mut out).unwrap();
    out
}

#[test]
fn export_import_export_is_byte_identical() {
    let mut a = Fixture::new();
    a.journal.ingest(&sample_records(300)).unwrap();
    let first = export(&a.journal);
    let file = a.dir.path().join("export.jsonl");
    std::fs::write(&file, &first).unwrap();
    let mut b = Fixture::new();
    let r = b.journal.import_file(&file, now()).unwrap();
    assert_eq!(r.inserted, 600);
    let second = export(&b.journal);
    assert_eq!(first, second, "round trip must be exact");
    assert_eq!(
        a.journal.verify().unwrap().head,
        b.journal.verify().unwrap().head,
        "same records, same chain"
    );
}

#[test]
fn importing_the_same_file_twice_counts_the_skips() {
    let mut a = Fixture::new();
    a.journal.ingest(&sample_records(40)).unwrap();
    let file = a.dir.path().join("export.jsonl");
    std::fs::write(&file, export(&a.journal)).unwrap();
    let mut b = Fixture::new();
    b.journal.import_file(&file, now()).unwrap();
    let again = b.journal.import_file(&file, now()).unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 80));
}

fn import_err(lines: &str) -> (Fixture, slipkeeper_journal::ImportError) {
    let mut f = Fixture::new();
    let file = f.dir.path().join("bad.jsonl");
    std::fs::File::create(&file)
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    match f.journal.import_file(&file, now()).unwrap_err() {
        JournalError::Import(e) => (f, e),
        other => panic!("expected an import error, got {other}"),
    }
}

fn good_lines(n: u64) -> String {
    let mut a = Fixture::new();
    a.journal.ingest(&sample_records(n)).unwrap();
    String::from_utf8(export(&a.journal)).unwrap()
}

#[test]
fn a_malformed_field_names_file_line_and_field_and_writes_nothing() {
    let good = good_lines(3);
    let bad = good.replacen("\"trace_no\":\"000002\"", "\"trace_no\":\"00A002\"", 1);
    assert_ne!(good, bad);
    let (f, e) = import_err(&bad);
    assert!(e.file.ends_with("bad.jsonl"));
    assert_eq!(
        e.line, 5,
        "transaction 2 (the first with voucher 000002) is on line 5"
    );
    assert_eq!(e.field, "trace_no");
    assert!(e.message.contains("only digits"), "{}", e.message);
    assert_eq!(
        f.journal.search(&TxnQuery::default()).unwrap().total,
        0,
        "nothing of the file may be written"
    );
}

#[test]
fn other_kinds_of_bad_lines() {
    let good = good_lines(1);
    let first = good.lines().next().unwrap();
    let cases = [
        ("not json at all", "-"),
        ("[1,2]", "-"),
        (r#"{"type":"coffee","data":{}}"#, "type"),
        (
            &*first.replacen("\"recorded_at\"", "\"colour\":1,\"recorded_at\"", 1),
            "colour",
        ),
        (
            &*first.replacen("\"minor\":", "\"minor\":\"a lot\",\"x\":", 1),
            "amount.minor",
        ),
        (&*first.replacen(",\"outcome\":\"approved\"", "", 1), "data"),
        (
            &*first.replacen("\"recorded_at\":\"", "\"recorded_at\":\"yesterday", 1),
            "recorded_at",
        ),
    ];
    for (line, field) in cases {
        let text = format!("{first}\n{line}\n");
        let (f, e) = import_err(&text);
        assert_eq!((e.line, e.field.as_str()), (2, field), "{line}: {e}");
        assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 0);
    }
}

#[test]
fn a_full_pan_in_an_import_is_masked_everywhere() {
    let good = good_lines(1);
    let pan_line = good.lines().next().unwrap().replacen(
        &format!(
            "\"pan\":\"{}\"",
            slipkeeper_domain::sample::transaction(0).pan.unwrap()
        ),
        "\"pan\":\"6225880212345673\"",
        1,
    );
    assert!(pan_line.contains("6225880212345673"));
    let mut f = Fixture::new();
    let file = f.dir.path().join("pan.jsonl");
    std::fs::write(&file, format!("{pan_line}\n")).unwrap();
    f.journal.import_file(&file, now()).unwrap();
    let out = String::from_utf8(export(&f.journal)).unwrap();
    assert!(!out.contains("6225880212345673"));
    assert!(out.contains("622588******5673"), "{out}");
}

/// Lines are parsed and readied on a second thread while the first writes: a line the
/// database refuses deep in a long file still names its line, and nothing is written.
#[test]
fn a_line_refused_deep_in_a_long_import_names_it_and_writes_nothing() {
    let good = good_lines(800);
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1_600);
    let slip = &mut lines[1_199]; // line 1,200: the slip of transaction 599
    assert!(slip.starts_with("{\"type\":\"slip\""), "{slip}");
    let at = slip.find("\"trace_no\":\"").unwrap() + "\"trace_no\":\"".len();
    slip.replace_range(at..at + 6, "999990");
    let (f, e) = import_err(&(lines.join("\n") + "\n"));
    assert_eq!((e.line, e.field.as_str()), (1_200, "txn"), "{}", e.message);
    assert!(e.file.ends_with("bad.jsonl"));
    assert_eq!(f.journal.search(&TxnQuery::default()).unwrap().total, 0);
    assert_eq!(f.journal.verify().unwrap().checked, 0);
}
