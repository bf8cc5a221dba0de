//! Faults: a killed import, a flipped byte, a full card number in the input.

use crate::{bin, sk, total, Dir};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

#[test]
fn sigkill_in_the_middle_of_an_import_loses_and_duplicates_nothing() {
    let d = Dir::new();
    let db = d.p("j.db");
    let n = 20_000u64;
    let file = d.demo_file("big.jsonl", n);
    // Start from a journal that already has some of the records.
    let head = d.p("head.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &head,
        text.lines().take(2_000).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    sk(&db, &["import", head.to_str().unwrap()]).ok();

    let mut child = bin()
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&file)
        .spawn()
        .unwrap();
    // Wait until the import is writing (the WAL grows past 2 MB), then kill it.
    let wal = d.p("j.db-wal");
    let start = Instant::now();
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > 2 << 20 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed; make the file bigger"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the import must have been killed, not finished"
    );

    assert_eq!(total(&db), 1_000, "the killed import left nothing behind");
    let r = sk(&db, &["import", file.to_str().unwrap()]).ok();
    assert!(
        r.stdout()
            .contains(&format!("{} new, 2000 already present", 2 * n - 2000)),
        "{}",
        r.stdout()
    );
    assert_eq!(total(&db), n);
    assert!(sk(&db, &["journal", "verify"])
        .ok()
        .stdout()
        .contains(&format!("journal verified: {} records", 2 * n)));
    let out = d.p("out.jsonl");
    sk(&db, &["journal", "export", "--out", out.to_str().unwrap()]).ok();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        text.into_bytes(),
        "every record exactly once, in order"
    );
}

#[test]
fn flipping_one_byte_of_a_stored_record_is_named_by_verify() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 100);
    // Give one transaction an issuer name found nowhere else, so its bytes can be found
    // in the file and the flip lands in the table row, not an index.
    let text = std::fs::read_to_string(&file).unwrap();
    let marked = text.replacen(
        "\"issuer\":\"中国银行\"",
        "\"issuer\":\"UNIQUE-ISSUER-NAME\"",
        1,
    );
    assert_ne!(text, marked);
    std::fs::write(&file, marked).unwrap();
    sk(&db, &["import", file.to_str().unwrap()]).ok();
    assert!(
        sk(&db, &["journal", "verify"])
            .ok()
            .stdout()
            .contains("journal verified"),
        "clean before the flip"
    );

    // The name is in the table row; SQLite may also have left stale copies in free
    // pages. Flip one byte in each copy in turn: a stale copy is no record and must
    // not be reported, the live one must be.
    let clean = std::fs::read(&db).unwrap();
    let needle = b"UNIQUE-ISSUER-NAME";
    let positions: Vec<usize> = clean
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| w == needle)
        .map(|(i, _)| i)
        .collect();
    assert!(!positions.is_empty(), "record bytes are in the main file");
    let mut named = 0;
    for pos in positions {
        let mut bytes = clean.clone();
        bytes[pos + 7] ^= 0x01; // 'I' -> 'H'
        std::fs::write(&db, &bytes).unwrap();
        let r = sk(&db, &["journal", "verify"]);
        if r.out.status.success() {
            continue;
        }
        named += 1;
        let r = r.fails();
        let out = r.stdout();
        assert!(out.contains("journal NOT intact: 1 problem(s)"), "{out}");
        assert!(out.contains("Altered: transaction #"), "{out}");
        assert!(out.contains("voucher"), "names the voucher: {out}");
    }
    assert_eq!(named, 1, "exactly the live copy of the record is reported");
    std::fs::write(&db, &clean).unwrap();
    assert!(sk(&db, &["journal", "verify"])
        .ok()
        .stdout()
        .contains("journal verified"));
}

#[test]
fn a_full_pan_ends_up_masked_in_the_database_exports_and_output() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 3);
    let text = std::fs::read_to_string(&file).unwrap();
    let first_pan = text
        .split("\"pan\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let pan = "6225880212345673";
    let text = text.replacen(&first_pan, pan, 1).replacen(
        "持卡人签名",
        &format!("CARD {pan} 持卡人签名"),
        1,
    );
    // And once where the value is of the wrong type, so the error message quotes it.
    let bad = d.p("bad.jsonl");
    std::fs::write(
        &bad,
        text.replacen(&format!("\"pan\":\"{pan}\""), &format!("\"pan\":{pan}"), 1),
    )
    .unwrap();
    let r = sk(&db, &["import", bad.to_str().unwrap()]).fails();
    assert!(r.stderr().contains("bad.jsonl:1: pan:"), "{}", r.stderr());
    assert!(
        !r.stderr().contains(pan),
        "error messages must not echo a card number: {}",
        r.stderr()
    );

    std::fs::write(&file, &text).unwrap();
    let r = sk(&db, &["import", file.to_str().unwrap()]).ok();
    let shown = sk(&db, &["journal", "list"]).ok().stdout()
        + &sk(&db, &["journal", "show", "1"]).ok().stdout();
    let export = sk(&db, &["journal", "export"]).ok().stdout();
    let db_bytes = std::fs::read(&db).unwrap();
    for (what, hay) in [
        ("import output", r.stdout() + &r.stderr()),
        ("list/show", shown.clone()),
        ("export", export.clone()),
    ] {
        assert!(!hay.contains(pan), "full PAN in {what}");
    }
    assert!(
        !db_bytes.windows(pan.len()).any(|w| w == pan.as_bytes()),
        "full PAN in the database file"
    );
    assert!(export.contains("622588******5673"), "masked form kept");
    assert!(
        shown.contains("CARD 622588******5673"),
        "slip text masked: {shown}"
    );
}
