//! `slipkeeper reprint` to PDF and to a system printer, read back with poppler.

use crate::{sk, Dir};
use slipkeeper_testkit::poppler;
use std::path::Path;
use std::process::Command;

fn pdftotext(pdf: &Path) -> String {
    poppler::squashed_text(pdf)
}

fn pages(pdf: &Path) -> (usize, String) {
    let info = poppler::info(pdf);
    (info.pages, info.page_size)
}

#[test]
fn one_voucher_to_a_pdf_on_roll_paper() {
    let d = Dir::new();
    let db = d.shop(40);
    let pdf = d.p("slip.pdf");
    let r = sk(
        &db,
        &[
            "reprint",
            "3",
            "--terminal",
            "10000002",
            "--pdf",
            pdf.to_str().unwrap(),
            "--paper",
            "58mm",
        ],
    )
    .ok();
    assert!(r.stdout().contains("2 slip(s) to"), "{}", r.stdout());
    let text = pdftotext(&pdf);
    for s in [
        "重打印凭证 REPRINT / DUPLICATE",
        "凭证号 VOUCHER NO.: 000003",
        "终端编号 TERMINAL NO.: 10000002",
        "商户存根 MERCHANT COPY",
        "持卡人存根 CARDHOLDER COPY",
    ] {
        assert!(text.contains(s), "{s:?} missing from {text}");
    }
    let (n, size) = pages(&pdf);
    assert_eq!(n, 2, "one page per copy on roll paper");
    assert!(size.starts_with("164.409 x"), "58 mm wide: {size}");
}

#[test]
fn a_day_of_slips_on_a4_and_nothing_written_for_an_unknown_voucher() {
    let d = Dir::new();
    let db = d.shop(40);
    let listed = crate::sk_json(&db, &["journal", "list", "--limit", "1000"]);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 40);
    let pdf = d.p("day.pdf");
    sk(
        &db,
        &[
            "reprint",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-01",
            "--copy",
            "merchant",
            "--pdf",
            pdf.to_str().unwrap(),
        ],
    )
    .ok();
    let text = pdftotext(&pdf);
    assert_eq!(text.matches("商户存根 MERCHANT COPY").count(), 40);
    for it in items {
        let v = it["txn"]["trace_no"].as_str().unwrap();
        assert!(text.contains(&format!("凭证号 VOUCHER NO.: {v}")), "{v}");
    }
    let (n, size) = pages(&pdf);
    assert!(size.contains("(A4)"), "{size}");
    assert!(n < 40, "several slips per A4 page: {n} pages");

    // Not in the journal: a clear error, the closest vouchers, and no file.
    let missing = d.p("missing.pdf");
    let r = sk(
        &db,
        &[
            "reprint",
            "91",
            "--terminal",
            "10000002",
            "--pdf",
            missing.to_str().unwrap(),
        ],
    )
    .fails();
    assert!(r.stderr().contains("did you mean 000019"), "{}", r.stderr());
    assert!(!missing.exists());
    let r = sk(
        &db,
        &[
            "reprint",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-02",
            "--pdf",
            missing.to_str().unwrap(),
        ],
    )
    .fails();
    assert!(
        r.stderr().contains("no transaction between"),
        "{}",
        r.stderr()
    );
    assert!(!missing.exists());
}

/// `--printer` hands the PDF to CUPS `lp`; a stand-in `lp` on PATH records what it got.
#[cfg(unix)]
#[test]
fn a_system_printer_gets_the_pdf_through_lp() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::new();
    let db = d.shop(10);
    let bin = d.p("bin");
    std::fs::create_dir(&bin).unwrap();
    let lp = bin.join("lp");
    let spool = d.p("spooled.pdf");
    let args = d.p("lp-args");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nfor f; do :; done\ncp \"$f\" '{}'\n",
            args.display(),
            spool.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = crate::bin()
        .env("PATH", &path)
        .args(["--db", db.to_str().unwrap()])
        .args([
            "reprint",
            "2",
            "--terminal",
            "10000001",
            "--printer",
            "Front_Desk",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let got = std::fs::read_to_string(&args).unwrap();
    assert!(got.starts_with("-d\nFront_Desk\n"), "{got}");
    assert!(pdftotext(&spool).contains("凭证号 VOUCHER NO.: 000002"));

    // A printer that refuses: the user hears why.
    std::fs::write(
        &lp,
        "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n",
    )
    .unwrap();
    let out = crate::bin()
        .env("PATH", &path)
        .args(["--db", db.to_str().unwrap()])
        .args([
            "reprint",
            "2",
            "--terminal",
            "10000001",
            "--printer",
            "Nope",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the printer Nope refused the job") && err.contains("does not exist"),
        "{err}"
    );
}

/// A serial receipt printer: the ESC/POS bytes go down one end of a real
/// pseudo-terminal pair (socat) and arrive whole at the other.
#[cfg(unix)]
#[test]
fn escpos_over_a_serial_line_arrives_byte_for_byte() {
    use std::io::Read;
    let d = Dir::new();
    let db = d.shop(10);
    let (host, printer) = (d.p("host"), d.p("printer"));
    let mut socat = Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", host.display()))
        .arg(format!("pty,raw,echo=0,link={}", printer.display()))
        .spawn()
        .expect("socat is installed by scripts/bootstrap");
    for _ in 0..100 {
        if host.exists() && printer.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut port = std::fs::File::open(&printer).unwrap();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        // The print job ends with the cut command GS V 1.
        while !got.ends_with(&[0x1D, b'V', 1]) {
            let n = port.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        got
    });
    sk(
        &db,
        &[
            "reprint",
            "2",
            "--terminal",
            "10000001",
            "--copy",
            "merchant",
            "--escpos-device",
            host.to_str().unwrap(),
            "--columns",
            "32",
        ],
    )
    .ok();
    let got = reader.join().unwrap();
    let _ = socat.kill();
    let _ = socat.wait();
    let text = sk(
        &db,
        &[
            "reprint",
            "2",
            "--terminal",
            "10000001",
            "--copy",
            "merchant",
            "--text",
        ],
    )
    .ok()
    .stdout();
    assert!(
        got.starts_with(&[0x1B, b'@', 0x1C, b'&']),
        "ESC @ then Chinese mode"
    );
    let (decoded, _, bad) = encoding_rs::GB18030.decode(&got);
    assert!(!bad);
    for line in text.lines().filter(|l| !l.is_empty() && l.len() < 20) {
        assert!(
            decoded.contains(line),
            "{line:?} missing from the printed bytes"
        );
    }
    assert!(decoded.contains("凭证号 VOUCHER NO.: 000002"));
}

/// A shop whose terminal has no link: the journal holds no transactions, the
/// acquirer's statement does. The slip is rebuilt from the statement line, titled as
/// such with its file and line, on PDF, as text and on an ESC/POS printer.
#[test]
fn a_slip_only_the_statement_has_is_rebuilt_from_it_and_says_so() {
    use std::io::Read;
    let d = Dir::new();
    let db = d.p("j.db");
    let statement = d.p("收单对账单1121.csv");
    std::fs::write(
        &statement,
        "终端编号,交易时间,卡号,交易金额,参考号,凭证号,授权码,交易类型,清算日期\n\
         10000001,2026-11-20 12:57:03,622588******1234,255.31,612345678901,000123,A1B2C3,消费,2026-11-21\n",
    )
    .unwrap();
    sk(&db, &["statement", "import", statement.to_str().unwrap()]).ok();
    // Without a shop name a slip would go out blank: nothing is printed.
    let r = sk(&db, &["reprint", "123", "--text"]).fails();
    assert!(r.stderr().contains("商户名称"), "{}", r.stderr());
    sk(&db, &["merchant", "set", "--shop-name", "演示商店"]).ok();

    let pdf = d.p("slip.pdf");
    sk(&db, &["reprint", "123", "--pdf", pdf.to_str().unwrap()]).ok();
    let text = pdftotext(&pdf);
    for s in [
        "依据收单机构对账单重建",
        "REBUILT FROM THE ACQUIRER'S STATEMENT",
        "非终端重打印 NOT A TERMINAL REPRINT",
        "来源 SOURCE: 收单对账单1121.csv 第 2 行 LINE 2",
        "商户名称 MERCHANT NAME: 演示商店",
        "参考号 REF NO.: 612345678901",
        "凭证号 VOUCHER NO.: 000123",
        "卡号 CARD NO.: 622588******1234",
        "清算日期 SETTLED: 2026/11/21",
        "商户存根 MERCHANT COPY",
        "持卡人存根 CARDHOLDER COPY",
    ] {
        assert!(text.contains(s), "{s:?} missing from {text}");
    }
    assert!(
        !text.contains("REPRINT / DUPLICATE"),
        "not passed off as a terminal reprint: {text}"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let printer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    sk(
        &db,
        &[
            "reprint",
            "123",
            "--copy",
            "cardholder",
            "--escpos",
            &format!("tcp://127.0.0.1:{port}"),
        ],
    )
    .ok();
    let got = printer.join().unwrap();
    let (decoded, _, bad) = encoding_rs::GB18030.decode(&got);
    assert!(!bad);
    for s in [
        "依据收单机构对账单重建",
        "收单对账单1121.csv",
        "612345678901",
    ] {
        assert!(decoded.contains(s), "{s:?} missing from the printed bytes");
    }

    // A voucher neither journal nor statement has still prints nothing.
    let r = sk(&db, &["reprint", "124", "--text"]).fails();
    assert!(r.stderr().contains("nothing was printed"), "{}", r.stderr());
}
