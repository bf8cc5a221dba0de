//! Evidence packs as `evidence verify` reads them, fuzzed on every test run (see
//! slipkeeper_testkit::fuzz): any file is a check or an error — never a panic, never an
//! entry read without bound. The seed is a pack Slipkeeper built (tests/corpus/pack).

use slipkeeper_testkit::fuzz;

use std::path::Path;

#[test]
fn fuzz_evidence_packs() {
    let seeds = fuzz::corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pack"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pack.zip");
    fuzz::run("evidence pack", &seeds, 500, |bytes| {
        std::fs::write(&file, bytes).unwrap();
        let _ = slipkeeper_app::verify_evidence(&file);
    });
}
