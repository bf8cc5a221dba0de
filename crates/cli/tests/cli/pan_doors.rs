//! One full card number fed through every door Slipkeeper has, and every output
//! searched for it in every form it could take: ASCII, spaced, full-width (UTF-8 and
//! GB18030), packed BCD, and the hex of either in an export. The outputs are read as
//! files and with independent tools (python's zipfile and email for the evidence pack,
//! pdftotext for PDFs).

use crate::{sk, sk_json, Dir};
use std::path::Path;
use std::process::Command;

/// Luhn-valid, a UnionPay-style 16-digit number.
const PAN: &str = "6225880212345673";

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap())
        .collect()
}

/// Every form of PAN that must not appear in `bytes`, named.
fn leaks(bytes: &[u8]) -> Vec<&'static str> {
    let bcd: Vec<u8> = PAN
        .as_bytes()
        .chunks(2)
        .map(|p| (p[0] - b'0') << 4 | (p[1] - b'0'))
        .collect();
    let gb: Vec<u8> = PAN.bytes().flat_map(|d| [0xA3, 0xB0 + d - b'0']).collect();
    let hex_ascii: String = PAN.bytes().map(|b| format!("{b:02X}")).collect();
    let forms: Vec<(&'static str, Vec<u8>)> = vec![
        ("ASCII", PAN.as_bytes().to_vec()),
        ("spaced", b"6225 8802 1234 5673".to_vec()),
        ("full-width UTF-8", full_width(PAN).into_bytes()),
        ("full-width GB18030", gb),
        ("packed BCD", bcd),
        ("hex of ASCII", hex_ascii.clone().into_bytes()),
        (
            "hex of ASCII, lower case",
            hex_ascii.to_lowercase().into_bytes(),
        ),
    ];
    forms
        .into_iter()
        .filter(|(_, f)| bytes.windows(f.len()).any(|w| w == &f[..]))
        .map(|(n, _)| n)
        .collect()
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let l = leaks(bytes);
    assert!(l.is_empty(), "{what} holds the card number ({l:?})");
}

fn python(script: &str, arg: &Path) -> Vec<u8> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(arg)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_full_card_number_reaches_no_output_through_any_door() {
    let d = Dir::new();
    let db = d.p("j.db");

    // Door 1: an import — transaction fields, slip text in every written form, and raw
    // frames carrying it in BMP 22 (BCD), in track 2 and in a print line.
    let demo = d.demo_file("demo.jsonl", 3);
    let mut lines: Vec<serde_json::Value> = std::fs::read_to_string(&demo)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let key = lines[1]["data"]["txn"].clone();
    lines[0]["data"]["pan"] = PAN.into();
    lines[0]["data"]["issuer"] = format!("工商银行 {PAN}").into();
    lines[0]["data"]["acquirer"] = full_width(PAN).into();
    let slip = lines[1]["data"]["slip"]["lines"].as_array_mut().unwrap();
    slip.push(format!("卡号 CARD NO.: {PAN}").into());
    slip.push("卡号：6225  8802  1234  5673".into());
    slip.push(format!("卡号：{}", full_width(PAN)).into());
    let bmp22 = format!("040F0B22F0F8{PAN}");
    let track2 = format!("040F0E23F1F1{PAN}D301210112345F");
    let print: String = [0x00u8]
        .iter()
        .copied()
        .chain(format!("CARD {PAN}").bytes())
        .map(|b| format!("{b:02X}"))
        .collect();
    let print = format!("06D1{:02X}{print}", print.len() / 2);
    for (i, hex) in [bmp22, track2, print].iter().enumerate() {
        lines.push(serde_json::json!({
            "type": "raw_frame",
            "data": {"terminal_id": "10000001", "direction": "rx",
                     "at": format!("2026-01-01T00:00:0{i}Z"), "bytes": hex, "txn": key},
            "recorded_at": "2026-01-01T00:00:00Z"
        }));
    }
    let file = d.p("hostile.jsonl");
    std::fs::write(
        &file,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    // The detector sees what the import holds (else every check below passes blind).
    let input = leaks(&std::fs::read(&file).unwrap());
    for form in ["ASCII", "full-width UTF-8", "hex of ASCII"] {
        assert!(input.contains(&form), "{input:?}");
    }
    sk(&db, &["import", file.to_str().unwrap()]).ok();

    // Door 2: the merchant profile. Door 3: a case's notes and reference.
    sk(
        &db,
        &[
            "merchant",
            "set",
            "--shop-name",
            &format!("店 {PAN}"),
            "--contact",
            "王",
            "--phone",
            "13800000000",
            "--address",
            &full_width(PAN),
        ],
    )
    .ok();
    let voucher = lines[0]["data"]["trace_no"].as_str().unwrap().to_owned();
    let case = sk_json(
        &db,
        &[
            "case",
            "new",
            "--voucher",
            &voucher,
            "--terminal",
            "10000001",
            "--complaint",
            "dispute",
            "--acquirer",
            "ums",
        ],
    )["id"]
        .as_i64()
        .unwrap()
        .to_string();
    sk(
        &db,
        &[
            "case",
            "update",
            &case,
            "--note",
            &format!("客户卡号 {PAN}"),
            "--ref",
            PAN,
        ],
    )
    .ok();

    // Door 4: a statement with the number in its card column, and one whose bad row
    // quotes it in the error.
    let statement = d.p("statement.csv");
    std::fs::write(
        &statement,
        format!(
            "商户编号,终端编号,交易时间,卡号,交易金额,手续费,参考号,凭证号,交易类型\r\n\
             898310048990001,10000001,2026-01-01 08:03:00,{PAN},88.88,0.53,699999999999,888888,消费\r\n"
        ),
    )
    .unwrap();
    sk(&db, &["statement", "import", statement.to_str().unwrap()]).ok();
    let bad = d.p("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "商户编号,终端编号,交易时间,卡号,交易金额,手续费,参考号,凭证号,交易类型\r\n\
             898310048990001,10000001,2026-01-01 08:03:00,x,{PAN}.0.0,0.53,699999999998,888887,消费\r\n"
        ),
    )
    .unwrap();
    let r = sk(&db, &["statement", "import", bad.to_str().unwrap()]).fails();
    assert_clean("a statement error", r.out.stderr.as_slice());
    // Door 5: an error quoting what was typed.
    let r = sk(&db, &["journal", "list", "--last4", PAN]).fails();
    assert_clean("an argument error", r.out.stderr.as_slice());

    // Outputs. The exports and answers first…
    let export = sk(&db, &["journal", "export"]).ok();
    assert_clean("journal export", &export.out.stdout);
    let shown = sk(
        &db,
        &[
            "--json",
            "journal",
            "show",
            &voucher,
            "--terminal",
            "10000001",
        ],
    )
    .ok();
    assert_clean("journal show --json", &shown.out.stdout);
    assert!(
        shown.stdout().contains("622588"),
        "the number is shown masked"
    );
    let text = sk(
        &db,
        &[
            "reprint",
            &voucher,
            "--terminal",
            "10000001",
            "--copy",
            "both",
            "--text",
        ],
    )
    .ok();
    assert_clean("reprint text", &text.out.stdout);
    let pdf = d.p("r.pdf");
    sk(
        &db,
        &[
            "reprint",
            &voucher,
            "--terminal",
            "10000001",
            "--copy",
            "both",
            "--pdf",
            pdf.to_str().unwrap(),
        ],
    )
    .ok();
    assert_clean("reprint PDF bytes", &std::fs::read(&pdf).unwrap());
    let pdftext = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(pdftext.status.success());
    assert_clean("reprint PDF text (pdftotext)", &pdftext.stdout);
    let case_json = sk(&db, &["--json", "case", "show", &case]).ok();
    assert_clean("case show --json", &case_json.out.stdout);
    let profile = sk(&db, &["--json", "merchant", "show"]).ok();
    assert_clean("merchant show --json", &profile.out.stdout);
    let recon = sk(&db, &["--json", "reconcile"]).ok();
    assert_clean("reconcile --json", &recon.out.stdout);

    // …the evidence pack, every member, the e-mail's parts decoded by python…
    let pack = d.p("pack.zip");
    sk(
        &db,
        &["evidence", "build", &case, "--out", pack.to_str().unwrap()],
    )
    .ok();
    let members = python(
        "import sys, zipfile\n\
         z = zipfile.ZipFile(sys.argv[1])\n\
         for n in z.namelist():\n\
         \x20   sys.stdout.buffer.write(n.encode() + b'\\n' + z.read(n) + b'\\n')\n",
        &pack,
    );
    assert_clean("evidence pack members", &members);
    let mail = python(
        "import sys, zipfile, email\n\
         from email import policy\n\
         z = zipfile.ZipFile(sys.argv[1])\n\
         names = [n for n in z.namelist() if n.endswith('.eml')]\n\
         assert names, z.namelist()\n\
         m = email.message_from_bytes(z.read(names[0]), policy=policy.default)\n\
         for k, v in m.items(): sys.stdout.buffer.write(f'{k}: {v}\\n'.encode())\n\
         for part in m.walk():\n\
         \x20   p = part.get_payload(decode=True)\n\
         \x20   if p: sys.stdout.buffer.write(p + b'\\n')\n",
        &pack,
    );
    assert!(!mail.is_empty());
    assert_clean("the e-mail's decoded parts", &mail);

    // …and what is on disk: the journal with its WAL, and everything beside it.
    for entry in std::fs::read_dir(d.p("")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        // The inputs hold the number on purpose.
        if ["hostile.jsonl", "statement.csv", "bad.csv", "demo.jsonl"].contains(&name.as_str())
            || p.is_dir()
        {
            continue;
        }
        assert_clean(&name, &std::fs::read(&p).unwrap());
    }
    // …and the log the writing commands kept, errors with the number in them included.
    let logs: Vec<_> = std::fs::read_dir(d.p("logs"))
        .expect("the writing commands keep a log")
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!logs.is_empty(), "no log file");
    let mut all = Vec::new();
    for p in &logs {
        all.extend(std::fs::read(p).unwrap());
    }
    assert!(
        String::from_utf8_lossy(&all).contains("command failed"),
        "the failed statement import is in the log"
    );
    assert_clean("the log", &all);

    // The support bundle: logs, check, verify, versions; opened with python's zipfile.
    let bundle = d.p("support.zip");
    sk(&db, &["support", "bundle", bundle.to_str().unwrap()]).ok();
    let listing = python(
        "import sys, zipfile\n\
         z = zipfile.ZipFile(sys.argv[1])\n\
         assert z.testzip() is None\n\
         for n in z.namelist(): sys.stdout.buffer.write(n.encode() + b'\\n')\n",
        &bundle,
    );
    let names = String::from_utf8(listing).unwrap();
    for want in [
        "journal-check.txt",
        "journal-verify.json",
        "about.json",
        "logs/slipkeeper-cli",
    ] {
        assert!(names.contains(want), "{want} not in the bundle: {names}");
    }
    let members = python(
        "import sys, zipfile\n\
         z = zipfile.ZipFile(sys.argv[1])\n\
         for n in z.namelist():\n\
         \x20   sys.stdout.buffer.write(z.read(n) + b'\\n')\n",
        &bundle,
    );
    assert_clean("the support bundle", &members);
    let text = String::from_utf8_lossy(&members);
    for never in ["签购单", "MERCHANT NAME", "CARDHOLDER"] {
        assert!(
            !text.contains(never),
            "slip text ({never}) in the support bundle"
        );
    }
    assert!(text.contains("\"os\""), "the OS is named");
}
