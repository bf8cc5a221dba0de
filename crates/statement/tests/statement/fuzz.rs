//! Statement files (CSV in UTF-8 or GB18030, XLSX), fuzzed on every test run (see
//! slipkeeper_testkit::fuzz): any file is lines or an error naming where — never a panic,
//! and never more memory than the limits allow (XLSX seeds include hostile ones).

use slipkeeper_testkit::fuzz;

use slipkeeper_statement::{builtin_mappings, parse};
use std::path::Path;

#[test]
fn fuzz_statement_files() {
    let seeds = fuzz::corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/statement"));
    let mappings = builtin_mappings();
    fuzz::run("statement", &seeds, 3_000, |bytes| {
        if let Err(e) = parse(bytes, "fuzz.csv", &mappings) {
            assert!(e.to_string().starts_with("fuzz.csv"), "{e}");
        }
    });
}
