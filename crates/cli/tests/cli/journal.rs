use crate::{sk, sk_json, total, Dir};
use std::process::Command;

#[test]
fn import_list_show_search_verify() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 200);
    let r = sk(&db, &["import", file.to_str().unwrap()]).ok();
    assert!(
        r.stdout().contains("400 new, 0 already present"),
        "{}",
        r.stdout()
    );
    assert_eq!(total(&db), 200);

    let list = sk(&db, &["journal", "list", "--limit", "3"]).ok().stdout();
    assert!(list.starts_with("ID"), "{list}");
    assert!(list.contains("3 of 200 shown"), "{list}");

    let show = sk(&db, &["journal", "show", "7", "--terminal", "10000001"])
        .ok()
        .stdout();
    assert!(
        show.contains("凭证号 VOUCHER NO.: 000007"),
        "the slip text is shown: {show}"
    );

    let found = sk_json(&db, &["journal", "search", "REF NO.: 600000000033"]);
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["txn"]["rrn"], "600000000033");

    let by_amount = sk_json(
        &db,
        &[
            "journal",
            "list",
            "--amount",
            &found["items"][0]["txn"]["amount"]["minor"]
                .as_i64()
                .map(|m| format!("{}.{:02}", m / 100, m % 100))
                .unwrap(),
        ],
    );
    assert!(by_amount["total"].as_u64().unwrap() >= 1);

    let v = sk(&db, &["journal", "verify"]).ok().stdout();
    assert!(v.contains("journal verified: 400 records"), "{v}");
}

#[test]
fn importing_the_same_file_twice_skips_everything_and_says_so() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 50);
    sk(&db, &["import", file.to_str().unwrap()]).ok();
    let again = sk(&db, &["import", file.to_str().unwrap()]).ok().stdout();
    assert!(
        again.contains("0 new, 100 already present (skipped)"),
        "{again}"
    );
    assert_eq!(total(&db), 50);
}

#[test]
fn export_round_trips_exactly_through_the_cli() {
    let d = Dir::new();
    let file = d.demo_file("demo.jsonl", 120);
    sk(&d.p("a.db"), &["import", file.to_str().unwrap()]).ok();
    let out = d.p("export.jsonl");
    sk(
        &d.p("a.db"),
        &["journal", "export", "--out", out.to_str().unwrap()],
    )
    .ok();
    assert_eq!(
        std::fs::read(&file).unwrap(),
        std::fs::read(&out).unwrap(),
        "the demo file is in export form already"
    );
    sk(&d.p("b.db"), &["import", out.to_str().unwrap()]).ok();
    let stdout_export = sk(&d.p("b.db"), &["journal", "export"]).ok().out.stdout;
    assert_eq!(stdout_export, std::fs::read(&out).unwrap());
}

#[test]
fn a_malformed_line_names_file_line_field_and_nothing_is_written() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 30);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[40] = lines[40].replacen("\"batch_no\":\"000001\"", "\"batch_no\":\"1234567\"", 1);
    let bad = d.p("bad.jsonl");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let r = sk(&db, &["import", bad.to_str().unwrap()]).fails();
    let err = r.stderr();
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(
        err.contains("bad.jsonl:41: batch_no: batch_no: too long"),
        "{err}"
    );
    assert_eq!(total(&db), 0, "nothing of a bad file is written");
}

#[test]
fn errors_are_one_line_with_a_code_in_json_mode() {
    let d = Dir::new();
    let not_db = d.p("notes.txt");
    std::fs::write(&not_db, "x".repeat(200)).unwrap();
    let r = sk(&not_db, &["journal", "list"]).fails();
    assert!(
        r.stderr().contains("is not a Slipkeeper journal"),
        "{}",
        r.stderr()
    );
    let out = crate::bin()
        .args(["--json", "--db"])
        .arg(&not_db)
        .args(["journal", "list"])
        .output()
        .unwrap();
    let e: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["code"], "NOT_A_JOURNAL");

    let db = d.p("j.db");
    let r = sk(&db, &["journal", "show", "12x"]);
    assert_eq!(
        r.out.status.code(),
        Some(2),
        "bad arguments are usage errors"
    );
    assert!(
        r.stderr().contains("trace_no: only digits allowed"),
        "{}",
        r.stderr()
    );
    // A mistyped journal path is an error, and creates nothing.
    let r = sk(&db, &["journal", "verify"]).fails();
    assert!(
        r.stderr().contains("there is no journal at"),
        "{}",
        r.stderr()
    );
    assert!(!db.exists(), "no empty journal was made");
    sk(&db, &["demo", "seed", "--count", "1"]).ok();
    let r = sk(&db, &["journal", "show", "424242"]).fails();
    assert_eq!(
        r.stderr().trim(),
        "slipkeeper: voucher 424242 is not in the journal"
    );
    let r = sk(&db, &["journal", "list", "--last4", "12"]).fails();
    assert!(r.stderr().contains("last4"), "{}", r.stderr());
    let r = sk(&db, &["import", d.p("missing.jsonl").to_str().unwrap()]).fails();
    assert!(r.stderr().contains("missing.jsonl"), "{}", r.stderr());
}

#[test]
fn backup_and_restore() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 40);
    sk(&db, &["import", file.to_str().unwrap()]).ok();
    let bak = d.p("backup.db");
    sk(&db, &["db", "backup", bak.to_str().unwrap()]).ok();
    sk(&db, &["demo", "seed", "--count", "90"]).ok();
    assert_eq!(total(&db), 90);
    let r = sk(&db, &["db", "restore", bak.to_str().unwrap()]).ok();
    assert!(r.stdout().contains("journal verified"), "{}", r.stdout());
    assert_eq!(total(&db), 40);
    let r = sk(&db, &["db", "restore", file.to_str().unwrap()]).fails();
    assert!(
        r.stderr().contains("is not a Slipkeeper journal"),
        "{}",
        r.stderr()
    );
    assert_eq!(total(&db), 40);
}

#[test]
fn reprint_to_text_a_device_file_and_errors() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.demo_file("demo.jsonl", 40);
    sk(&db, &["import", file.to_str().unwrap()]).ok();
    let text = sk(&db, &["reprint", "3", "--terminal", "10000002", "--text"])
        .ok()
        .stdout();
    assert_eq!(
        text.matches("重打印凭证 REPRINT / DUPLICATE").count(),
        4,
        "two copies, marked at top and bottom: {text}"
    );
    assert!(text.contains("商户存根 MERCHANT COPY") && text.contains("持卡人存根 CARDHOLDER COPY"));
    assert!(
        text.contains("依据终端原始打印"),
        "merchant copy is the terminal's own text"
    );
    assert!(
        text.contains("依据交易记录重建"),
        "no cardholder text was mirrored: rebuilt"
    );

    // An ordinary file named as the printer device is refused and left as it was
    // (a reprint used to overwrite its start). Real devices: tests/cli/reprint.rs.
    let dev = d.p("lp0");
    std::fs::write(&dev, b"echo hello\n").unwrap();
    let r = sk(
        &db,
        &[
            "reprint",
            "3",
            "--terminal",
            "10000002",
            "--copy",
            "merchant",
            "--escpos-device",
            dev.to_str().unwrap(),
            "--columns",
            "32",
        ],
    )
    .fails();
    assert!(
        r.stderr().contains("not a printer device"),
        "{}",
        r.stderr()
    );
    assert_eq!(std::fs::read(&dev).unwrap(), b"echo hello\n");

    let r = sk(&db, &["reprint", "3", "--text"]).fails();
    assert!(r.stderr().contains("exists 2 times"), "{}", r.stderr());
    let r = sk(&db, &["reprint", "91", "--terminal", "10000002", "--text"]).fails();
    assert!(r.stderr().contains("did you mean 000019"), "{}", r.stderr());
    let r = sk(&db, &["reprint", "3", "--terminal", "10000002"]).fails();
    assert!(
        r.stderr().contains("say where the reprint goes"),
        "{}",
        r.stderr()
    );
    let r = sk(
        &db,
        &[
            "reprint",
            "3",
            "--terminal",
            "10000002",
            "--escpos",
            "tcp://127.0.0.1:1",
        ],
    )
    .fails();
    assert!(
        r.stderr().contains("cannot reach the printer"),
        "{}",
        r.stderr()
    );
}

#[test]
fn zvt_decode_names_fields_and_frames_that_fail() {
    let d = Dir::new();
    let db = d.p("unused.db");
    // A real status information (Portalum.Zvt-012): declined, with a display text.
    let r = sk(
        &db,
        &[
            "zvt",
            "decode",
            "040f25270529290002743cf0f0f9416267656c65686e748a06060d240b0709416267656c65686e74",
        ],
    )
    .ok();
    let out = r.stdout();
    for want in [
        "04 0F Status Information",
        "BMP 27 result code                       05 error from the host",
        "BMP 29 terminal ID                       29000274",
        "BMP 3C additional text                   \"Abgelehnt\"",
        "24 display texts",
    ] {
        assert!(out.contains(want), "{want:?} missing from:\n{out}");
    }
    assert!(!out.contains("None"), "absent fields are left out: {out}");
    let r = sk(
        &db,
        &[
            "zvt",
            "decode",
            "--serial",
            "10028000001003f51f",
            "10028000001003f51e",
            "0601ff",
        ],
    )
    .fails();
    let out = r.stdout();
    assert!(out.contains("frame 1 · SERIAL"), "{out}");
    assert!(out.contains("80 00 Acknowledgement"), "{out}");
    assert!(out.contains("CRC F5 1E WRONG (computed F5 1F)"), "{out}");
    assert!(out.contains("frame 3"), "{out}");
}

/// `slipkeeper … | head`: the reader closing the pipe early ends the program quietly
/// (exit 0, nothing on stderr), for the table and for an export alike.
#[test]
fn a_reader_closing_the_pipe_early_is_not_a_panic() {
    use std::io::Read;
    let d = Dir::new();
    let db = d.p("j.db");
    sk(&db, &["demo", "seed", "--count", "3000"]).ok();
    for args in [
        &["journal", "list", "--limit", "1000"][..],
        &["journal", "export"][..],
    ] {
        let mut child = crate::bin()
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take()); // like `head -c 64`
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// What a support person pastes may not be hex at all (full-width digits, Chinese):
/// one clear line per frame, never a panic.
#[test]
fn zvt_decode_names_the_character_that_is_not_hex() {
    let d = Dir::new();
    let r = sk(&d.p("unused.db"), &["zvt", "decode", "０６Ｄ１", "06中文"]).fails();
    assert!(
        r.stdout().contains("'０' at position 1 is not a hex digit"),
        "{}",
        r.stdout()
    );
    assert!(
        r.stdout().contains("'中' at position 3 is not a hex digit"),
        "{}",
        r.stdout()
    );
}

/// A journal in a folder the user cannot write to (a copy on a read-only share, a
/// backup disk) can still be listed, verified and exported. Run as the unprivileged
/// user `nobody` (root can write anywhere), with and without the WAL files beside it.
#[cfg(unix)]
#[test]
fn a_journal_in_a_read_only_folder_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n");
    let setpriv = Command::new("setpriv").arg("--version").output();
    let nobody = |args: &[&std::ffi::OsStr]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_slipkeeper"))
            .args(args)
            .output()
            .unwrap()
    };
    if !matches!(as_root, Ok(true))
        || setpriv.is_err()
        || !nobody(&["--version".as_ref()]).status.success()
    {
        eprintln!("skipped: needs root, setpriv, and a build `nobody` may run");
        return;
    }
    let d = Dir::new();
    std::fs::set_permissions(d.p(""), std::fs::Permissions::from_mode(0o755)).unwrap();
    let src = d.p("j.db");
    sk(&src, &["demo", "seed", "--count", "30"]).ok();
    for (name, with_wal) in [("clean", false), ("with-wal", true)] {
        let dir = d.p(name);
        std::fs::create_dir(&dir).unwrap();
        let db = dir.join("j.db");
        std::fs::copy(&src, &db).unwrap();
        if with_wal {
            // A reader leaves the WAL index beside the file.
            sk(&db, &["journal", "list", "--limit", "1"]).ok();
        } else {
            for ext in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("j.db{ext}")));
            }
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        for args in [
            &["journal", "verify"][..],
            &["journal", "list", "--limit", "5"][..],
            &["journal", "export"][..],
        ] {
            let mut all: Vec<&std::ffi::OsStr> = vec!["--db".as_ref(), db.as_os_str()];
            all.extend(args.iter().map(std::ffi::OsStr::new));
            let out = nobody(&all);
            assert!(
                out.status.success(),
                "{name} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn find_reads_what_the_owner_remembers_and_labels_each_match() {
    let d = Dir::new();
    let db = d.shop(200);
    // A sale's amount in whole yuan: found with the amount labelled, the same as the
    // window's search (one core function).
    let sale = sk_json(&db, &["journal", "search", "REF NO.: 600000000033"]);
    let minor = sale["items"][0]["txn"]["amount"]["minor"].as_i64().unwrap();
    let yuan = (minor / 100).to_string();
    let found = sk_json(&db, &["journal", "find", &yuan]);
    let items = found["items"].as_array().unwrap();
    let hit = items
        .iter()
        .find(|h| h["txn"]["rrn"] == "600000000033")
        .unwrap_or_else(|| panic!("{found}"));
    assert!(
        hit["matched"]
            .as_array()
            .unwrap()
            .contains(&"about_amount".into()),
        "{hit}"
    );
    assert!(found["read_as"]
        .as_array()
        .unwrap()
        .contains(&"about_amount".into()));
    // Human output: the reading, the match column, and a close amount when the fen differ.
    let exact = format!("{}.{:02}", minor / 100, (minor % 100 + 1) % 100);
    let out = sk(&db, &["journal", "find", &exact]).ok().stdout();
    assert!(out.contains("read as / 按: 金额 amount"), "{out}");
    assert!(out.contains("close amounts / 相近金额"), "{out}");
    assert!(out.contains("600000000033"), "{out}");
    // A time that does not read names its flag.
    let bad = sk(&db, &["journal", "find", "7", "--around", "lunch"]).fails();
    assert!(bad.stderr().contains("around"), "{}", bad.stderr());
}
