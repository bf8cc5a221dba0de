//! Statements written by the test in UTF-8, GBK and XLSX, read back line by line.

use slipkeeper_domain::TxnKind;
use slipkeeper_statement::{builtin, builtin_mappings, parse, propose, StatementError};

const HEADER: &str = "商户编号,终端编号,交易时间,卡号,交易金额,手续费,结算金额,参考号,凭证号,授权码,交易类型,清算日期,卡类型";

fn rows() -> Vec<String> {
    vec![
        "898310048990001,10000001,2026-11-20 09:15:02,622202******0128,\"1,285.17\",7.71,1277.46,600000000002,000002,639733,消费,2026-11-21,借记卡".into(),
        "898310048990001,10000001,2026-11-20 10:01:40,6222021234567890128,50.00,0.30,49.70,600000000003,000003,111111,消费,2026-11-21,贷记卡".into(),
        "898310048990001,10000002,2026-11-20 11:30:00,552233******1561,20.00,0.00,-20.00,600000000004,000004,,退货,2026-11-21,贷记卡".into(),
    ]
}

fn csv_text(extra: &[&str]) -> String {
    let mut s = String::from("商户对账单\n商户名称：演示商店,,\n\n");
    s.push_str(HEADER);
    s.push('\n');
    for r in rows() {
        s.push_str(&r);
        s.push('\n');
    }
    for r in extra {
        s.push_str(r);
        s.push('\n');
    }
    s.push_str("合计,,,,1355.17,8.01,1307.16,,,,,,\n");
    s
}

fn check_lines(p: &slipkeeper_statement::ParsedStatement) {
    assert_eq!(p.mapping_id, "generic-zh");
    assert_eq!(
        p.header_row, 4,
        "two title rows and a blank line above the header"
    );
    assert_eq!(p.lines.len(), 3, "the 合计 row is not a transaction");
    let l = &p.lines[0];
    assert_eq!(l.line_no, 5);
    assert_eq!(l.amount.minor(), 128_517);
    assert_eq!(l.fee.unwrap().minor(), 771);
    assert_eq!(l.net.unwrap().minor(), 127_746);
    assert_eq!(l.rrn.as_ref().unwrap().as_str(), "600000000002");
    assert_eq!(l.trace_no.as_ref().unwrap().as_str(), "000002");
    assert_eq!(l.terminal_id.as_ref().unwrap().as_str(), "10000001");
    assert_eq!(l.kind, TxnKind::Sale);
    assert_eq!(l.occurred_at.to_string(), "2026-11-20 09:15:02");
    assert_eq!(l.settle_date.unwrap().to_string(), "2026-11-21");
    assert_eq!(l.last4().as_deref(), Some("0128"));
    assert_eq!(l.card_type.as_deref(), Some("借记卡"));
    // A full card number on a statement is masked on the way in.
    assert_eq!(p.lines[1].card.as_deref(), Some("622202*********0128"));
    assert_eq!(p.lines[2].kind, TxnKind::Refund);
    assert_eq!(p.lines[2].signed_minor(), -2000);
}

#[test]
fn utf8_csv_with_title_rows_and_a_totals_row() {
    let text = format!("\u{feff}{}", csv_text(&[]));
    let p = parse(text.as_bytes(), "day.csv", &builtin_mappings()).unwrap();
    assert_eq!(p.encoding, "utf-8");
    check_lines(&p);
}

#[test]
fn gbk_csv_reads_the_same() {
    let text = csv_text(&[]);
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let p = parse(&bytes, "day-gbk.csv", &builtin_mappings()).unwrap();
    assert_eq!(p.encoding, "gb18030");
    check_lines(&p);
}

#[test]
fn xlsx_with_number_and_date_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let dt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    sheet.write_string(0, 0, "商户对账单").unwrap();
    sheet.write_string(1, 0, "商户名称：演示商店").unwrap();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.write_string(3, c as u16, h).unwrap();
    }
    let data = [
        (
            "10000001",
            "2026-11-20T09:15:02",
            "622202******0128",
            1285.17,
            7.71,
            1277.46,
            "600000000002",
            "000002",
            "639733",
            "消费",
            "借记卡",
        ),
        (
            "10000001",
            "2026-11-20T10:01:40",
            "6222021234567890128",
            50.0,
            0.3,
            49.7,
            "600000000003",
            "000003",
            "111111",
            "消费",
            "贷记卡",
        ),
        (
            "10000002",
            "2026-11-20T11:30:00",
            "552233******1561",
            20.0,
            0.0,
            -20.0,
            "600000000004",
            "000004",
            "",
            "退货",
            "贷记卡",
        ),
    ];
    for (i, d) in data.iter().enumerate() {
        let r = 4 + i as u32;
        // The merchant number as a number cell, as Excel would keep it.
        sheet.write_number(r, 0, 898310048990001.0).unwrap();
        sheet.write_string(r, 1, d.0).unwrap();
        sheet
            .write_datetime_with_format(r, 2, ExcelDateTime::parse_from_str(d.1).unwrap(), &dt)
            .unwrap();
        sheet.write_string(r, 3, d.2).unwrap();
        sheet.write_number(r, 4, d.3).unwrap();
        sheet.write_number(r, 5, d.4).unwrap();
        sheet.write_number(r, 6, d.5).unwrap();
        sheet.write_string(r, 7, d.6).unwrap();
        sheet.write_string(r, 8, d.7).unwrap();
        if !d.8.is_empty() {
            sheet.write_string(r, 9, d.8).unwrap();
        }
        sheet.write_string(r, 10, d.9).unwrap();
        sheet.write_string(r, 11, "2026-11-21").unwrap();
        sheet.write_string(r, 12, d.10).unwrap();
    }
    sheet.write_string(7, 0, "合计").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let p = parse(&bytes, "day.xlsx", &builtin_mappings()).unwrap();
    assert_eq!(p.encoding, "xlsx");
    check_lines(&p);
    assert_eq!(
        p.lines[0].merchant_id.as_ref().unwrap().as_str(),
        "898310048990001"
    );
}

fn fails(extra: &str) -> StatementError {
    parse(
        csv_text(&[extra]).as_bytes(),
        "bad.csv",
        &builtin_mappings(),
    )
    .unwrap_err()
}

#[test]
fn bad_rows_name_the_file_row_and_column() {
    let e = fails("898310048990001,10000001,2026-11-20 12:00:00,622202******0128,10.00");
    assert_eq!(e.row, Some(8));
    assert_eq!(
        e.to_string(),
        "bad.csv:8: expected 13 columns like the header (row 4), found 5"
    );
    // The same, in the owner's words.
    assert_eq!(
        e.zh_text(),
        "bad.csv 第 8 行：这一行有 5 列，表头（第 4 行）有 13 列"
    );

    let e = fails("898310048990001,10000001,2026-11-20 12:00:00,622202******0128,12.5O,0,0,600000000009,000009,,消费,2026-11-21,借记卡");
    assert_eq!(
        e.to_string(),
        "bad.csv:8:交易金额: \"12.5O\" is not an amount"
    );
    assert_eq!(
        e.zh_text(),
        "bad.csv 第 8 行「交易金额」列：“12.5O”不是金额"
    );

    let e = fails("898310048990001,10000001,20/11/2026 12:00,622202******0128,12.50,0,0,600000000009,000009,,消费,2026-11-21,借记卡");
    assert_eq!(e.row, Some(8));
    assert_eq!(e.column.as_deref(), Some("交易时间"));
    assert!(
        e.message
            .contains("\"20/11/2026 12:00\" is not a date and time"),
        "{e}"
    );

    assert!(
        e.zh_text().contains("“20/11/2026 12:00”不是日期时间"),
        "{}",
        e.zh_text()
    );

    let e = fails("898310048990001,10000001,2026-11-20 12:00:00,622202******0128,12.50,0,0,600000000009,000009,,分期,2026-11-21,借记卡");
    assert!(
        e.zh_text().contains("不认识的交易类型“分期”"),
        "{}",
        e.zh_text()
    );
    assert!(
        e.to_string()
            .starts_with("bad.csv:8:交易类型: unknown transaction type \"分期\""),
        "{e}"
    );

    let e = parse(b"a,b,c\n1,2,3\n", "other.csv", &builtin_mappings()).unwrap_err();
    assert!(
        e.to_string().starts_with("other.csv: no header row found"),
        "{e}"
    );
}

#[test]
fn amounts_in_fen_with_split_date_and_time() {
    let text = "MCHNT_CD,TERM_ID,TRANS_DATE,TRANS_TIME,PAN,TRANS_AMT,FEE_AMT,RETRI_REF_NO,SYS_TRA_NO,TRANS_TYPE\n\
                898310048990001,10000001,20261120,091502,622202******0128,128517,771,600000000002,2,S22\n";
    let p = parse(text.as_bytes(), "ftp.txt", &builtin_mappings()).unwrap();
    assert_eq!(p.mapping_id, "fen-compact");
    let l = &p.lines[0];
    assert_eq!(l.amount.minor(), 128_517);
    assert_eq!(l.occurred_at.to_string(), "2026-11-20 09:15:02");
    assert_eq!(l.trace_no.as_ref().unwrap().as_str(), "000002");
    let e = parse(
        text.replace("128517", "1285.17").as_bytes(),
        "ftp.txt",
        &[builtin("fen-compact").unwrap()],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "ftp.txt:2:TRANS_AMT: \"1285.17\" is not an amount in fen (分): digits only"
    );
}

#[test]
fn a_mapping_is_proposed_from_an_unfamiliar_header() {
    let header: Vec<String> = ["流水号", "交易日期", "时间", "金额", "卡号", "备注"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let m = propose("my-bank", &header).unwrap();
    let json = serde_json::to_string(&m).unwrap();
    assert!(json.contains("\"amount\":[\"金额\"]"), "{json}");
    assert!(json.contains("\"trace\":[\"流水号\"]"), "{json}");
    let text =
        "流水号,交易日期,时间,金额,卡号,备注\n000007,2026-11-20,09:15:02,12.50,622202******0128,\n";
    let p = parse(text.as_bytes(), "mine.csv", &[m]).unwrap();
    assert_eq!(p.lines[0].amount.minor(), 1250);
    assert_eq!(p.lines[0].occurred_at.to_string(), "2026-11-20 09:15:02");
    // Nothing recognisable: no mapping rather than a wrong one.
    assert!(propose("x", &["a".into(), "b".into()]).is_none());
}
