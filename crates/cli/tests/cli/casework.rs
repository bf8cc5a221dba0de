//! Diagnosis, cases and evidence packs from the command line; packs opened with
//! unzip, sha256sum, Python's email parser and pdftotext.

use crate::{bin, sk, sk_json, Dir};
use std::io::Write;
use std::process::{Command, Stdio};

fn profile(db: &std::path::Path) {
    sk(
        db,
        &[
            "merchant",
            "set",
            "--shop-name",
            "演示商店",
            "--contact",
            "王老板",
            "--phone",
            "13800000000",
            "--email",
            "shop@example.com",
        ],
    )
    .ok();
}

fn run(cmd: &str, args: &[&str], dir: &std::path::Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A 13–19 digit run that passes Luhn: what a full card number looks like.
fn has_full_pan(text: &str) -> bool {
    let digits: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < digits.len() {
        if digits[i].is_ascii_digit() {
            let start = i;
            while i < digits.len() && digits[i].is_ascii_digit() {
                i += 1;
            }
            let run: Vec<u32> = digits[start..i]
                .iter()
                .map(|c| c.to_digit(10).unwrap())
                .collect();
            if (13..=19).contains(&run.len()) && (2..=6).contains(&run[0]) {
                let sum: u32 = run
                    .iter()
                    .rev()
                    .enumerate()
                    .map(|(k, &d)| {
                        if k % 2 == 1 {
                            let x = d * 2;
                            if x > 9 {
                                x - 9
                            } else {
                                x
                            }
                        } else {
                            d
                        }
                    })
                    .sum();
                if sum.is_multiple_of(10) {
                    return true;
                }
            }
        } else {
            i += 1;
        }
    }
    false
}

#[test]
fn diagnose_names_the_code_and_the_facts() {
    let d = Dir::new();
    let db = d.shop(40);
    let ask = [
        "--json",
        "diagnose",
        "--voucher",
        "3",
        "--terminal",
        "10000002",
        "--complaint",
        "void-failed",
    ];
    let at = |now: &str| {
        let out = bin()
            .env("SLIPKEEPER_NOW", now)
            .arg("--db")
            .arg(&db)
            .args(ask)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The demo's open batch is of 2026-01-01: voidable that evening, not after the
    // acquirer's business day has turned (23:00 for 银联商务).
    let (ok, out, _) = at("2026-01-01T20:00:00+08:00");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(ok);
    assert_eq!(j["code"], "VOIDABLE");
    assert!(j["facts"][0]["txn_id"].as_i64().is_some());
    let (_, out, _) = at("2026-01-02T09:00:00+08:00");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["code"], "VOID_WINDOW_CLOSED", "{j}");
    let (ok, _, err) = at("tomorrow");
    assert!(
        !ok && err.contains("SLIPKEEPER_NOW") && err.contains("RFC 3339"),
        "{err}"
    );
    let text = sk(
        &db,
        &["diagnose", "--voucher", "91", "--terminal", "10000002"],
    )
    .ok()
    .stdout();
    assert!(
        text.contains("[NOT_IN_JOURNAL_TYPO]") && text.contains("000019"),
        "{text}"
    );
    let r = sk(&db, &["diagnose", "--voucher", "3", "--complaint", "angry"]).usage_error();
    assert!(
        r.stderr().contains("--complaint")
            && r.stderr().contains("'angry'")
            && r.stderr()
                .contains("possible values: void-failed, receipt-lost"),
        "{}",
        r.stderr()
    );
    let r = sk(&db, &["diagnose", "--complaint", "other"]).fails();
    assert!(
        r.stderr().contains("say which transaction"),
        "{}",
        r.stderr()
    );
}

#[test]
fn a_case_and_its_evidence_pack_checked_by_independent_tools() {
    let d = Dir::new();
    let db = d.shop(40);
    // Without the shop's details there is no letter, and no file.
    let opened = sk_json(
        &db,
        &[
            "case",
            "new",
            "--voucher",
            "5",
            "--terminal",
            "10000001",
            "--complaint",
            "dispute",
            "--acquirer",
            "ums",
        ],
    );
    let id = opened["id"].as_i64().unwrap().to_string();
    let pack = d.p("pack.zip");
    let r = sk(
        &db,
        &["evidence", "build", &id, "--out", pack.to_str().unwrap()],
    )
    .fails();
    assert!(
        r.stderr().contains("shop_name, contact_person, phone"),
        "{}",
        r.stderr()
    );
    assert!(!pack.exists());
    profile(&db);

    // Attachments: a photo is taken; a text file and an oversized file are not.
    let photo = d.p("signed slip.jpg");
    // A photo named in Chinese keeps its name, encoded in the e-mail by RFC 2231.
    let chinese = d.p("顾客签字.jpg");
    std::fs::write(
        &photo,
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0],
    )
    .unwrap();
    std::fs::copy(&photo, &chinese).unwrap();
    let notes = d.p("notes.txt");
    std::fs::write(&notes, "customer called twice").unwrap();
    let r = sk(
        &db,
        &[
            "evidence",
            "build",
            &id,
            "--out",
            pack.to_str().unwrap(),
            "--attach",
            notes.to_str().unwrap(),
        ],
    )
    .fails();
    assert!(
        r.stderr().contains("not a JPEG, PNG or PDF"),
        "{}",
        r.stderr()
    );
    let big = d.p("huge.png");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(11 * 1024 * 1024).unwrap();
    let mut f = std::fs::OpenOptions::new().write(true).open(&big).unwrap();
    f.write_all(b"\x89PNG\r\n\x1a\n").unwrap();
    let r = sk(
        &db,
        &[
            "evidence",
            "build",
            &id,
            "--out",
            pack.to_str().unwrap(),
            "--attach",
            big.to_str().unwrap(),
        ],
    )
    .fails();
    assert!(r.stderr().contains("more than the 10 MB"), "{}", r.stderr());
    assert!(!pack.exists(), "nothing written for a refused attachment");

    sk(
        &db,
        &[
            "evidence",
            "build",
            &id,
            "--out",
            pack.to_str().unwrap(),
            "--attach",
            photo.to_str().unwrap(),
            "--attach",
            chinese.to_str().unwrap(),
        ],
    )
    .ok();
    let x = d.p("x");
    std::fs::create_dir(&x).unwrap();
    assert!(run("unzip", &["-t", pack.to_str().unwrap()], &x).contains("No errors detected"));
    run("unzip", &["-q", pack.to_str().unwrap()], &x);
    let sums = run("sha256sum", &["-c", "MANIFEST.sha256"], &x);
    assert!(sums.lines().all(|l| l.ends_with(": OK")), "{sums}");
    assert!(
        sums.contains("05_attachments/01_signed_slip.jpg: OK"),
        "{sums}"
    );
    for f in [
        "00_cover_letter.pdf",
        "01_slip_reprint.pdf",
        "02_journal_excerpt.csv",
        "02_journal_excerpt.json",
        "03_raw_frames.txt",
        "04_integrity.json",
        "draft.eml",
        "manifest.json",
    ] {
        assert!(sums.contains(&format!("{f}: OK")), "{f} missing: {sums}");
    }
    let letter = run("pdftotext", &["00_cover_letter.pdf", "-"], &x);
    for s in [
        "致：银联商务",
        "商户号：898310048990001",
        "凭证号：000005",
        "Voucher no.: 000005",
        "DISPUTE_RESPOND",
        "王老板",
    ] {
        assert!(letter.contains(s), "{s:?} not in the letter:\n{letter}");
    }
    let slip = run("pdftotext", &["01_slip_reprint.pdf", "-"], &x);
    assert!(slip.contains("重打印凭证 REPRINT / DUPLICATE"));

    // The draft e-mail, read by Python's standard library.
    let py = run(
        "python3",
        &["-c", "import email,sys\nfrom email import policy\nm=email.message_from_bytes(open('draft.eml','rb').read(),policy=policy.default)\nprint(m['Subject'])\nprint(m['X-Unsent'])\nprint(m.get_body(('plain',)).get_content()[:200].replace('\\n',' '))\nprint(','.join(sorted(p.get_filename() for p in m.iter_attachments())))"],
        &x,
    );
    let lines: Vec<&str> = py.lines().collect();
    assert!(
        lines[0].contains("898310048990001") && lines[0].contains("000005"),
        "{py}"
    );
    assert_eq!(lines[1], "1");
    assert!(lines[2].contains("致：银联商务"), "{py}");
    assert!(
        lines[3].contains("00_cover_letter.pdf")
            && lines[3].contains("01_signed_slip.jpg")
            && lines[3].contains("02_顾客签字.jpg"),
        "{py}"
    );
    // Headers are ASCII on the wire: the Chinese name travels RFC 2231-encoded.
    let raw = std::fs::read(x.join("draft.eml")).unwrap();
    let head_lines: Vec<&[u8]> = raw
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"Content-") || l.starts_with(b"Subject") || l.starts_with(b" "))
        .collect();
    assert!(
        head_lines.iter().all(|l| l.is_ascii()),
        "a header line is not ASCII"
    );
    assert!(
        String::from_utf8_lossy(&raw).contains("filename*"),
        "no RFC 2231 file name"
    );

    // No full card number anywhere in the pack.
    for entry in std::fs::read_dir(&x).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let text = if p.extension().is_some_and(|e| e == "pdf") {
                run("pdftotext", &[p.to_str().unwrap(), "-"], &x)
            } else if p.ends_with("MANIFEST.sha256") {
                // The digests are hex: about one pack in twenty has a run of 13+
                // decimal digits that passes Luhn in one of them. Only the names count.
                std::fs::read_to_string(&p)
                    .unwrap()
                    .lines()
                    .map(|l| l.split_once("  ").map_or(l, |(_, name)| name))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned()
            };
            assert!(
                !has_full_pan(&text),
                "{} holds a full card number",
                p.display()
            );
        }
    }

    let ok = sk(
        &d.p("none.db"),
        &["evidence", "verify", pack.to_str().unwrap()],
    )
    .ok()
    .stdout();
    assert!(ok.contains("all hashes match"), "{ok}");
    // Change one byte of the excerpt inside the ZIP: verify says which file.
    run(
        "python3",
        &["-c", "import zipfile,sys\nsrc=zipfile.ZipFile(sys.argv[1])\ndst=zipfile.ZipFile(sys.argv[2],'w')\nfor i in src.infolist():\n  b=src.read(i.filename)\n  if i.filename=='02_journal_excerpt.csv': b=b.replace(b'000005',b'000006',1)\n  dst.writestr(i,b)\ndst.close()", pack.to_str().unwrap(), d.p("tampered.zip").to_str().unwrap()],
        &x,
    );
    let r = sk(
        &d.p("none.db"),
        &["evidence", "verify", d.p("tampered.zip").to_str().unwrap()],
    )
    .fails();
    assert!(
        r.stdout().contains("02_journal_excerpt.csv: changed"),
        "{}",
        r.stdout()
    );
}

#[test]
fn cases_move_forward_and_deadlines_show() {
    let d = Dir::new();
    let db = d.shop(40);
    sk(
        &db,
        &[
            "case",
            "new",
            "--rrn",
            "600000000005",
            "--complaint",
            "not-in-acquirer-back-end",
            "--acquirer",
            "cup",
        ],
    )
    .ok();
    let due = sk_json(&db, &["case", "list", "--due-within", "7"]);
    assert_eq!(due.as_array().unwrap().len(), 1);
    assert_eq!(due[0]["days_left"], 7);
    assert_eq!(
        sk_json(&db, &["case", "list", "--due-within", "3"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    sk(
        &db,
        &[
            "case",
            "update",
            "1",
            "--status",
            "submitted",
            "--ref",
            "UMS-2026-001",
            "--note",
            "called 95534",
        ],
    )
    .ok();
    let r = sk(&db, &["case", "update", "1", "--status", "open"]).fails();
    assert!(
        r.stderr()
            .contains("case #1 is submitted; it cannot become open"),
        "{}",
        r.stderr()
    );
    sk(&db, &["case", "update", "1", "--status", "won"]).ok();
    let shown = sk(&db, &["case", "show", "1"]).ok().stdout();
    assert!(
        shown.contains("UMS-2026-001") && shown.contains("called 95534") && shown.contains("won"),
        "{shown}"
    );
    assert!(shown.contains("电话话术 Phone script"), "{shown}");
    let list = sk(&db, &["acquirer", "list"]).ok().stdout();
    assert!(
        list.contains("95516") && list.contains("check against your contract"),
        "{list}"
    );
}

#[test]
fn the_guided_contact_flow_runs_to_a_pack_and_a_case() {
    let d = Dir::new();
    let db = d.shop(40);
    let pack = d.p("guided.zip");
    // complaint 4 (not in acquirer back end), find by voucher 5 on 10000001,
    // missing profile: name, contact, phone; acquirer 2 (UMS); pack path.
    let answers = format!(
        "4\n1\n5\n10000001\n演示商店\n王老板\n13800000000\n2\n{}\n",
        pack.display()
    );
    let mut child = bin()
        .args(["--db", db.to_str().unwrap(), "contact"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("[APPROVED_ASK_ACQUIRER]"), "{stdout}");
    assert!(
        stdout.contains("电话话术 Phone script") && stdout.contains("95534"),
        "{stdout}"
    );
    assert!(stdout.contains("案件 SK-1 已记录"), "{stdout}");
    assert!(pack.exists());
    let cases = sk_json(&db, &["case", "list"]);
    assert_eq!(cases[0]["acquirer_id"], "ums");
    assert_eq!(sk_json(&db, &["merchant", "show"])["shop_name"], "演示商店");
}
