//! `slipkeeper statement import` and `slipkeeper reconcile`, on files the test writes.

use crate::{sk, sk_json, Dir};
use std::process::Command;

const HEADER: &str = "商户编号,终端编号,交易时间,卡号,交易金额,手续费,参考号,凭证号,交易类型";

/// A GBK statement of every approved sale and refund in the journal, except the
/// `skip`-th, plus one line the journal does not have.
fn statement(db: &std::path::Path, skip: usize) -> (Vec<u8>, String) {
    let listed = sk_json(db, &["journal", "list", "--limit", "1000"]);
    let mut rows = vec!["对账单 STATEMENT".to_owned(), HEADER.to_owned()];
    let mut skipped = String::new();
    let settled: Vec<&serde_json::Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| &it["txn"])
        .filter(|t| t["outcome"] == "approved" && (t["kind"] == "sale" || t["kind"] == "refund"))
        .collect();
    for (i, t) in settled.iter().enumerate() {
        if i == skip {
            skipped = t["trace_no"].as_str().unwrap().to_owned();
            continue;
        }
        let minor = t["amount"]["minor"].as_i64().unwrap();
        rows.push(format!(
            "{},{},{},{},{}.{:02},{:.2},{},{},{}",
            t["merchant_id"].as_str().unwrap(),
            t["terminal_id"].as_str().unwrap(),
            t["occurred_at"].as_str().unwrap().replace('T', " "),
            t["pan"].as_str().unwrap_or(""),
            minor / 100,
            minor % 100,
            minor as f64 * 0.006 / 100.0,
            t["rrn"].as_str().unwrap_or(""),
            t["trace_no"].as_str().unwrap(),
            if t["kind"] == "sale" {
                "消费"
            } else {
                "退货"
            },
        ));
    }
    rows.push("898310048990001,10000001,2026-01-01 08:03:00,622202******0128,88.88,0.53,699999999999,888888,消费".into());
    rows.push("合计,,,,,,,,".into());
    let text = rows.join("\r\n") + "\r\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    (bytes.into_owned(), skipped)
}

#[test]
fn import_a_gbk_statement_once_and_reconcile_it() {
    let d = Dir::new();
    let db = d.shop(40);
    let (bytes, skipped) = statement(&db, 5);
    let file = d.p("statement-gbk.csv");
    std::fs::write(&file, &bytes).unwrap();

    let r = sk(
        &db,
        &[
            "statement",
            "import",
            file.to_str().unwrap(),
            "--acquirer",
            "银联商务",
        ],
    )
    .ok();
    assert!(
        r.stdout().contains("mapping generic-zh (gb18030)"),
        "{}",
        r.stdout()
    );
    let r = sk(&db, &["statement", "import", file.to_str().unwrap()]).ok();
    assert!(
        r.stdout().contains("imported before") && r.stdout().contains("nothing new"),
        "{}",
        r.stdout()
    );

    let rec = sk_json(&db, &["reconcile"]);
    let ds = rec["discrepancies"].as_array().unwrap();
    let kinds: Vec<&str> = ds.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "missing_from_statement")
            .count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "missing_from_journal")
            .count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let missing = ds
        .iter()
        .find(|d| d["kind"] == "missing_from_statement")
        .unwrap();
    assert!(
        missing["detail"]["en"].as_str().unwrap().contains(&skipped)
            && missing["detail"]["zh"].as_str().unwrap().contains(&skipped),
        "{missing}"
    );
    assert!(rec["matches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["rule"] == "rrn"));

    // Human-readable, then CSV that Python's csv module reads.
    let text = sk(
        &db,
        &["reconcile", "--from", "2026-01-01", "--to", "2026-01-01"],
    )
    .ok()
    .stdout();
    assert!(
        text.contains("2 discrepancies:") && text.contains("missing_from_journal"),
        "{text}"
    );
    let csv = d.p("recon.csv");
    sk(
        &db,
        &["reconcile", "export", "--csv", csv.to_str().unwrap()],
    )
    .ok();
    let py = Command::new("python3")
        .arg("-c")
        .arg("import csv,sys\nrows=list(csv.DictReader(open(sys.argv[1],encoding='utf-8-sig')))\nprint(sum(r['section']=='discrepancy' for r in rows), sum(r['section']=='match' for r in rows), sum(r['section']=='totals' for r in rows))")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(py.status.success(), "{py:?}");
    let counts = String::from_utf8(py.stdout).unwrap();
    let n: Vec<usize> = counts
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(n[0], 2);
    assert_eq!(n[1], rec["matches"].as_array().unwrap().len());
    assert!(n[2] >= 2, "totals per terminal: {counts}");
}

#[test]
fn a_bad_statement_names_row_and_column_and_writes_nothing() {
    let d = Dir::new();
    let db = d.shop(10);
    let (good, _) = statement(&db, 99);
    let text = encoding_rs::GBK.decode(&good).0.into_owned();
    // Row 5 of the file gets a letter O in its amount.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let cells: Vec<&str> = lines[4].split(',').collect();
    let mut broken: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
    broken[4] = "12.5O".into();
    lines[4] = broken.join(",");
    let file = d.p("bad.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let r = sk(&db, &["statement", "import", file.to_str().unwrap()]).fails();
    assert!(
        r.stderr()
            .contains("bad.csv:5:交易金额: \"12.5O\" is not an amount"),
        "{}",
        r.stderr()
    );
    let listed = sk_json(&db, &["statement", "list"]);
    assert_eq!(
        listed.as_array().unwrap().len(),
        0,
        "nothing of the bad file was stored"
    );
    let r = sk(&db, &["reconcile"]).fails();
    assert!(
        r.stderr().contains("no statement imported yet"),
        "{}",
        r.stderr()
    );
}

#[test]
fn a_proposed_mapping_is_saved_and_used() {
    let d = Dir::new();
    let db = d.p("j.db");
    let file = d.p("mine.csv");
    std::fs::write(
        &file,
        "流水号,交易日期,时间,金额,卡号\n000007,2026-01-01,08:03:00,12.50,622202******0128\n",
    )
    .unwrap();
    let proposed = sk(
        &db,
        &[
            "statement",
            "propose",
            file.to_str().unwrap(),
            "--id",
            "my-bank",
        ],
    )
    .ok()
    .stdout();
    let m = d.p("my-bank.json");
    std::fs::write(&m, &proposed).unwrap();
    sk(&db, &["statement", "save-mapping", m.to_str().unwrap()]).ok();
    let listed = sk(&db, &["statement", "mappings"]).ok().stdout();
    assert!(listed.contains("my-bank"), "{listed}");
    let r = sk(
        &db,
        &[
            "statement",
            "import",
            file.to_str().unwrap(),
            "--mapping",
            "my-bank",
        ],
    )
    .ok();
    assert!(r.stdout().contains("1 new"), "{}", r.stdout());
    let r = sk(
        &db,
        &[
            "statement",
            "import",
            file.to_str().unwrap(),
            "--mapping",
            "nope",
        ],
    )
    .fails();
    assert!(
        r.stderr().contains("\"nope\" is not a known mapping"),
        "{}",
        r.stderr()
    );
}

/// A discrepancy opens a case whose evidence pack carries the statement line.
#[test]
fn a_line_missing_from_the_journal_becomes_a_case_with_its_statement_line() {
    let d = Dir::new();
    let db = d.shop(40);
    let (bytes, _) = statement(&db, 999);
    let file = d.p("statement.csv");
    std::fs::write(&file, &bytes).unwrap();
    sk(&db, &["statement", "import", file.to_str().unwrap()]).ok();
    let rec = sk_json(&db, &["reconcile"]);
    let missing = rec["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "missing_from_journal")
        .unwrap()
        .clone();
    let line_id = missing["line_id"].as_i64().unwrap().to_string();
    sk(
        &db,
        &[
            "merchant",
            "set",
            "--shop-name",
            "演示商店",
            "--contact",
            "王老板",
            "--phone",
            "13800000000",
        ],
    )
    .ok();
    let case = sk_json(
        &db,
        &[
            "case",
            "new",
            "--amount",
            "88.88",
            "--at",
            "2026-01-01 08:03",
            "--terminal",
            "10000001",
            "--complaint",
            "not-in-acquirer-back-end",
            "--acquirer",
            "ums",
            "--statement-line",
            &line_id,
        ],
    );
    // The statement lists it: the acquirer has it, whatever its back end shows.
    assert_eq!(
        case["code"], "ON_ACQUIRER_STATEMENT",
        "the statement is the evidence: {case}"
    );
    let id = case["id"].as_i64().unwrap().to_string();
    let pack = d.p("pack.zip");
    sk(
        &db,
        &["evidence", "build", &id, "--out", pack.to_str().unwrap()],
    )
    .ok();
    let out = Command::new("unzip")
        .arg("-p")
        .arg(&pack)
        .arg("02_statement_line.json")
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["line"]["rrn"], "699999999999", "{doc}");
    assert!(doc["file"].as_str().unwrap().ends_with("statement.csv"));
    // No journal record to reprint: the pack's slip is rebuilt from the statement line.
    let x = d.p("x");
    std::fs::create_dir_all(&x).unwrap();
    assert!(Command::new("unzip")
        .arg("-q")
        .arg(&pack)
        .arg("-d")
        .arg(&x)
        .status()
        .unwrap()
        .success());
    assert!(!x.join("01_slip_reprint.pdf").exists());
    let out = Command::new("pdftotext")
        .arg(x.join("01_slip_from_statement.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for s in [
        "依据收单机构对账单重建",
        "NOT A TERMINAL REPRINT",
        "statement.csv",
        "699999999999",
    ] {
        assert!(text.contains(s), "{s:?} missing from {text}");
    }
    sk(&db, &["evidence", "verify", pack.to_str().unwrap()]).ok();
}

/// Hostile statement files (tests/hostile in the statement crate, made by make.py):
/// each is one clear line, in bounded memory — run here under a 500 MB address-space
/// limit, which the unguarded reader broke by asking for hundreds of GB at once.
#[cfg(unix)]
#[test]
fn hostile_statement_files_are_one_line_each_in_bounded_memory() {
    let d = crate::Dir::new();
    let db = d.p("j.db");
    let hostile = concat!(env!("CARGO_MANIFEST_DIR"), "/../statement/tests/hostile");
    for (file, says) in [
        ("shared_strings_claim.xlsx", "distinct strings"),
        ("far_corners.xlsx", "column 16384"),
        ("bomb.xlsx", "unpacks to more than"),
    ] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg("ulimit -v 500000; exec \"$0\" --db \"$1\" statement import \"$2\"")
            .arg(env!("CARGO_BIN_EXE_slipkeeper"))
            .arg(&db)
            .arg(format!("{hostile}/{file}"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{file}: {stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
    }
    // A pipe named as the statement is refused, not waited on.
    let fifo = d.p("statement.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let r = crate::sk(&db, &["statement", "import", fifo.to_str().unwrap()]).fails();
    assert!(
        r.stderr().contains("not an ordinary file"),
        "{}",
        r.stderr()
    );
}

/// Acquirers' own layouts are recognised by themselves; a file no mapping fits is
/// one line naming the columns it has.
#[test]
fn acquirer_layouts_import_by_themselves_and_an_unknown_file_names_its_columns() {
    let d = crate::Dir::new();
    let db = d.p("j.db");
    let leshua = d.p("5800_trade_new_20261121.txt");
    std::fs::write(
        &leshua,
        "记录类型,编号,交易时间,订单号,商户号,费率(万分之一),交易金额(分),手续费(分),结算金额(分),资金流向,交易类型,支付方式,卡类型,商户优惠类型,参考号,凭证号,终端号\n\
         BV,1,2026-11-2012:57:03,1807311607130501,5800108650,38,25531,97,25434,进账,消费,刷卡支付,信用卡,标准类,612345678901,000123,10000001\n\
         BV,2,2026-11-2013:00:00,1807311607130502,5800108650,38,1500,6,1494,进账,消费,微信支付,*,标准类,*,*,*\n",
    )
    .unwrap();
    let j = crate::sk_json(&db, &["statement", "import", leshua.to_str().unwrap()]);
    assert_eq!(j["mapping_id"], "leshua-trade", "{j}");
    assert_eq!(j["lines"], 1, "the QR-code row is no card payment: {j}");
    let found = crate::sk_json(&db, &["journal", "find", "255.31"]);
    assert_eq!(found["statement"][0]["voucher"], "000123", "{found}");

    let bank = d.p("bank.csv");
    std::fs::write(&bank, "日期,收入,备注\n2026-11-20,255.31,午饭\n").unwrap();
    let r = crate::sk(&db, &["statement", "import", bank.to_str().unwrap()]).fails();
    assert!(
        r.stderr()
            .contains("the file's columns (row 1) are: 日期, 收入, 备注"),
        "{}",
        r.stderr()
    );
    let p = crate::sk_json(&db, &["statement", "propose", leshua.to_str().unwrap()]);
    assert_eq!(p["amount_unit"], "fen", "{p}");
}
