//! A JSON Lines import line, fuzzed on every test run (see slipkeeper_testkit::fuzz): any
//! line is a record or an error naming file, line and field — never a panic — and a
//! record it yields can be readied for the journal (masked, checked, hashed).

use slipkeeper_testkit::fuzz;

use slipkeeper_journal::parse_line;
use std::path::Path;

#[test]
fn fuzz_import_lines() {
    let seeds = fuzz::corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/jsonl"));
    fuzz::run("jsonl line", &seeds, 20_000, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        if let Ok(rec) = parse_line(&text, "fuzz.jsonl", 1, crate::now()) {
            let _ = rec.to_line();
        } else if let Err(e) = parse_line(&text, "fuzz.jsonl", 7, crate::now()) {
            assert!(e.to_string().starts_with("fuzz.jsonl:7: "), "{e}");
        }
    });
}
