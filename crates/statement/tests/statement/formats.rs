//! Statement layouts from the wild, written by the test the way each acquirer
//! documents its export: Allinpay's POS statement detail (GBK CSV), Leshua's trade
//! statement (fen, "*" for none, QR-code rows and in-progress refunds mixed in), an
//! XLSX with title lines and a header over two merged rows, and a CSV with a summary
//! block below the detail. A file no mapping fits names the columns it has.

use slipkeeper_domain::TxnKind;
use slipkeeper_statement::{builtin_mappings, parse, propose_for_file};

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

#[test]
fn allinpay_pos_statement_detail() {
    // The 34 columns of Allinpay's 对账单明细, in its order.
    let header = "商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,发卡行机构代码,发卡行名称,交易金额,手续费,交易日期,交易单号,订单号,商户备注,对接应用号,原始金额,结算金额,产品类型,分期贴息,交易完成时间,持卡人姓名,持卡人身份证,分期数,优惠金额,实付金额,原交易单,渠道交易类型,出金方账户名称,门店编号,交易完成日期";
    let row = |time: &str,
               kind: &str,
               trace: &str,
               rrn: &str,
               amount: &str,
               fee: &str,
               net: &str| {
        format!("56158104816ZZ01,喆堃便利店,10000001,{time},{kind},000003,{trace},{rrn},622588******1234,贷记卡,03080000,招商银行,{amount},{fee},2026-11-20,100200300,,,,{amount},{net},1,0.00,{time},,,,0.00,{amount},,,,S001,2026-11-20")
    };
    let text = [
        header.to_owned(),
        row(
            "12:57:03",
            "消费",
            "000123",
            "612345678901",
            "255.31",
            "1.53",
            "253.78",
        ),
        row(
            "13:10:00",
            "消费撤销",
            "000124",
            "612345678902",
            "20.00",
            "0.00",
            "-20.00",
        ),
        String::new(),
    ]
    .join("\r\n");
    let p = parse(&gbk(&text), "allinpay.csv", &builtin_mappings()).unwrap();
    assert_eq!(
        p.mapping_id, "allinpay-pos",
        "its own layout, not the generic one"
    );
    assert_eq!(p.encoding, "gb18030");
    assert_eq!(p.lines.len(), 2);
    let l = &p.lines[0];
    assert_eq!(
        l.occurred_at.to_string(),
        "2026-11-20 12:57:03",
        "date and time columns joined"
    );
    assert_eq!(l.trace_no.as_ref().unwrap().as_str(), "000123");
    assert_eq!(l.rrn.as_ref().unwrap().as_str(), "612345678901");
    assert_eq!(l.merchant_id.as_ref().unwrap().as_str(), "56158104816ZZ01");
    assert_eq!(l.amount.minor(), 25_531);
    assert_eq!(l.fee.unwrap().minor(), 153);
    assert_eq!(l.net.unwrap().minor(), 25_378);
    assert_eq!(l.card_type.as_deref(), Some("贷记卡"));
    assert_eq!(p.lines[1].kind, TxnKind::Void);
}

#[test]
fn leshua_trade_statement_in_fen_with_qr_rows_and_refunds_in_progress() {
    let header = "记录类型,编号,交易时间,订单号,商户号,费率(万分之一),交易金额(分),手续费(分),结算金额(分),资金流向,交易类型,支付方式,卡类型,商户优惠类型,参考号,凭证号,终端号,第三方订单号,第三方退款号,支付时间,上游订单号(网、银联),上游订单号(微信、支付宝),付款银行,消费者标识,扫码支付交易类型";
    let row = |no: u32,
               time: &str,
               amount: u32,
               flow: &str,
               kind: &str,
               pay: &str,
               rrn: &str,
               trace: &str,
               term: &str| {
        format!("BV,{no},{time},18073116071305{no:02},5800108650,38,{amount},{},{},{flow},{kind},{pay},信用卡,标准类,{rrn},{trace},{term},*,*,{time},*,*,*,*,*", amount * 38 / 10000, amount - amount * 38 / 10000)
    };
    let text = [
        header.to_owned(),
        row(
            1,
            "2026-11-2012:57:03",
            25531,
            "进账",
            "消费",
            "刷卡支付",
            "612345678901",
            "000123",
            "10000001",
        ),
        // A QR-code payment: not a card payment, "*" for what does not apply.
        row(
            2,
            "2026-11-2013:00:00",
            1500,
            "进账",
            "消费",
            "微信支付",
            "*",
            "*",
            "*",
        ),
        // A refund still in progress: no transaction yet.
        row(
            3,
            "2026-11-2013:05:00",
            500,
            "退款",
            "退货中",
            "刷卡支付",
            "612345678903",
            "000125",
            "10000001",
        ),
        row(
            4,
            "2026-11-2013:06:00",
            500,
            "退款",
            "退货成功",
            "刷卡支付",
            "612345678904",
            "000126",
            "10000001",
        ),
        row(
            5,
            "2026-11-2013:07:00",
            900,
            "出账",
            "消费充正",
            "刷卡支付",
            "*",
            "000127",
            "10000001",
        ),
    ]
    .join("\n");
    let p = parse(
        text.as_bytes(),
        "5800_trade_new_20261121.txt",
        &builtin_mappings(),
    )
    .unwrap();
    assert_eq!(p.mapping_id, "leshua-trade");
    let kinds: Vec<TxnKind> = p.lines.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [TxnKind::Sale, TxnKind::Refund, TxnKind::Reversal],
        "card rows only, completed ones"
    );
    let l = &p.lines[0];
    assert_eq!(l.occurred_at.to_string(), "2026-11-20 12:57:03");
    assert_eq!(l.amount.minor(), 25_531, "fen");
    assert_eq!(l.fee.unwrap().minor(), 97);
    assert_eq!(l.line_no, 2);
    assert!(p.lines[2].rrn.is_none(), "\"*\" is no RRN");
}

/// A portal's spreadsheet: a title, the account, the period, then a header over two
/// rows (group titles merged across, single names merged down), the detail.
fn two_row_header_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let f = Format::new();
    sheet
        .merge_range(0, 0, 0, 7, "某银行商户交易明细", &f)
        .unwrap();
    sheet
        .merge_range(
            1,
            0,
            1,
            7,
            "商户名称：喆堃便利店  商户编号：898310048990001",
            &f,
        )
        .unwrap();
    sheet
        .merge_range(2, 0, 2, 7, "查询日期：2026-11-20 至 2026-11-20", &f)
        .unwrap();
    sheet.merge_range(3, 0, 4, 0, "交易时间", &f).unwrap();
    sheet.merge_range(3, 1, 3, 2, "终端信息", &f).unwrap();
    sheet.merge_range(3, 3, 3, 4, "金额", &f).unwrap();
    sheet.merge_range(3, 5, 4, 5, "参考号", &f).unwrap();
    sheet.merge_range(3, 6, 4, 6, "交易类型", &f).unwrap();
    sheet.merge_range(3, 7, 4, 7, "卡号", &f).unwrap();
    for (c, h) in [
        (1, "终端编号"),
        (2, "凭证号"),
        (3, "交易金额"),
        (4, "手续费"),
    ] {
        sheet.write_string(4, c, h).unwrap();
    }
    let rows = [
        (
            "2026-11-20 12:57:03",
            "10000001",
            "000123",
            255.31,
            1.53,
            "612345678901",
            "消费",
        ),
        (
            "2026-11-20 13:10:00",
            "10000001",
            "000124",
            20.0,
            0.0,
            "612345678902",
            "退货",
        ),
    ];
    for (i, (t, term, trace, amt, fee, rrn, kind)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        sheet.write_string(r, 0, *t).unwrap();
        sheet.write_string(r, 1, *term).unwrap();
        sheet.write_string(r, 2, *trace).unwrap();
        sheet.write_number(r, 3, *amt).unwrap();
        sheet.write_number(r, 4, *fee).unwrap();
        sheet.write_string(r, 5, *rrn).unwrap();
        sheet.write_string(r, 6, *kind).unwrap();
        sheet.write_string(r, 7, "622588******1234").unwrap();
    }
    sheet.write_string(7, 0, "合计").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_with_title_lines_and_a_header_over_two_merged_rows() {
    let bytes = two_row_header_xlsx();
    let p = parse(&bytes, "明细.xlsx", &builtin_mappings()).unwrap();
    assert_eq!(p.mapping_id, "generic-zh");
    assert_eq!(p.header_row, 5, "the header's lower row");
    assert_eq!(p.lines.len(), 2);
    let l = &p.lines[0];
    assert_eq!(l.line_no, 6);
    assert_eq!(
        l.occurred_at.to_string(),
        "2026-11-20 12:57:03",
        "a name merged down"
    );
    assert_eq!(
        l.trace_no.as_ref().unwrap().as_str(),
        "000123",
        "a name under a group title"
    );
    assert_eq!(l.amount.minor(), 25_531);
    assert_eq!(l.fee.unwrap().minor(), 153);
    assert_eq!(p.lines[1].kind, TxnKind::Refund);
    // `statement propose` reads the same header.
    let m = propose_for_file(&bytes, "bank").unwrap();
    assert!(
        m.columns.contains_key(&slipkeeper_statement::Field::Trace),
        "{m:?}"
    );
    assert!(
        m.columns.contains_key(&slipkeeper_statement::Field::Amount),
        "{m:?}"
    );
}

#[test]
fn csv_with_a_summary_block_below_the_detail() {
    let text = "终端编号,交易时间,卡号,交易金额,参考号,凭证号,交易类型\n\
        10000001,2026-11-20 12:57:03,622588******1234,`255.31,`612345678901,`000123,消费\n\
        10000001,2026-11-20 13:10:00,622588******1234,`20.00,`612345678902,`000124,消费\n\
        \n\
        总交易笔数,总交易金额,总手续费\n\
        2,275.31,1.65\n";
    let p = parse(text.as_bytes(), "portal.csv", &builtin_mappings()).unwrap();
    assert_eq!(p.lines.len(), 2, "the summary is not read as transactions");
    assert_eq!(
        p.lines[0].amount.minor(),
        25_531,
        "the ` text guard is dropped"
    );
    assert_eq!(p.lines[0].trace_no.as_ref().unwrap().as_str(), "000123");
}

#[test]
fn a_file_no_mapping_fits_names_the_columns_it_has() {
    let text = "日期,收入,备注\n2026-11-20,255.31,午饭\n";
    let e = parse(text.as_bytes(), "bank.csv", &builtin_mappings()).unwrap_err();
    assert!(e.not_a_statement);
    let said = e.to_string();
    assert!(
        said.contains("the file's columns (row 1) are: 日期, 收入, 备注"),
        "{said}"
    );
}

#[test]
fn wechat_pay_trade_bill_with_text_guards_refund_amounts_and_a_summary() {
    let header = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
    let row = |time: &str, state: &str, order: &str, refund: &str| {
        format!("`{time},`wx0000000000000000,`1900000109,`0,`casher001,`4200000000202611200000000001,`SK20261120001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`MICROPAY,`{state},`OTHERS,`CNY,`{order},`0.00,`0,`0,`{refund},`0.00,`,`,`商品,`,`0.15000,`0.60%,`{order},`{refund},`")
    };
    let text = [
        header.to_owned(),
        row("2026-11-20 12:57:03", "SUCCESS", "255.31", "0.00"),
        row("2026-11-20 13:20:00", "REFUND", "255.31", "55.31"),
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额".to_owned(),
        "`2,`200.00,`55.31,`0.00,`0.15000,`510.62,`55.31".to_owned(),
    ]
    .join("\r\n");
    let p = parse(text.as_bytes(), "All2026-11-20.csv", &builtin_mappings()).unwrap();
    assert_eq!(p.mapping_id, "wechatpay-trade");
    assert_eq!(
        p.lines.len(),
        2,
        "the summary block is not read as transactions"
    );
    assert_eq!(
        p.lines[0].occurred_at.to_string(),
        "2026-11-20 12:57:03",
        "the ` guard dropped"
    );
    assert_eq!(p.lines[0].amount.minor(), 25_531);
    assert_eq!(p.lines[1].kind, TxnKind::Refund);
    assert_eq!(
        p.lines[1].amount.minor(),
        5_531,
        "the refund's own amount, not the order's"
    );
    assert_eq!(
        p.lines[0].merchant_id.as_ref().unwrap().as_str(),
        "1900000109"
    );
}
