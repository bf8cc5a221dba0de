//! Slip layout and ESC/POS output.

use chrono::NaiveDateTime;
use slipkeeper_domain::{sample, CopyType, SlipOrigin, TxnKind};
use slipkeeper_slip::{layout, write_escpos, Columns};

fn reprint_time() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-22 15:04:05", "%Y-%m-%d %H:%M:%S").unwrap()
}

fn text(s: &slipkeeper_slip::Slip) -> String {
    s.lines
        .iter()
        .map(|l| l.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_regenerated_slip_has_every_field_and_says_it_is_a_reprint() {
    let t = sample::transaction(2);
    let s = layout(
        &t,
        &[],
        CopyType::Cardholder,
        Some("演示商店 DEMO SHOP"),
        reprint_time(),
    );
    assert_eq!(s.origin, SlipOrigin::Regenerated);
    let x = text(&s);
    for label in [
        "商户名称 MERCHANT NAME: 演示商店 DEMO SHOP",
        "商户编号 MERCHANT NO.: 898310048990001",
        "终端编号 TERMINAL NO.: 10000001",
        "操作员号 OPERATOR NO.: 01",
        "卡号 CARD NO.:",
        "发卡行 ISSUER:",
        "收单行 ACQUIRER: 银联商务",
        "交易类型 TRANS TYPE:",
        "有效期 EXP DATE:",
        "批次号 BATCH NO.: 000001",
        "凭证号 VOUCHER NO.: 000002",
        "授权码 AUTH NO.:",
        "参考号 REF NO.: 600000000002",
        "日期/时间 DATE/TIME:",
        "金额 AMOUNT: RMB",
        "持卡人签名 CARDHOLDER SIGNATURE:",
        "持卡人存根 CARDHOLDER COPY",
        "依据交易记录重建 REBUILT FROM THE RECORD",
    ] {
        assert!(x.contains(label), "missing {label:?} in\n{x}");
    }
    assert!(
        x.starts_with("重打印凭证 REPRINT / DUPLICATE\n重打印时间 REPRINTED: 2026-11-22 15:04:05"),
        "{x}"
    );
    assert!(
        x.ends_with("重打印时间 REPRINTED: 2026-11-22 15:04:05"),
        "marked at the end too: {x}"
    );
    let pan = t.pan.as_ref().unwrap().as_str();
    assert!(
        x.contains(pan) && pan.contains("******"),
        "masked card number only"
    );
}

#[test]
fn the_terminals_own_text_is_reproduced_verbatim() {
    let t = sample::transaction(4);
    let printed = sample::slip(&t, CopyType::Merchant);
    let s = layout(
        &t,
        std::slice::from_ref(&printed),
        CopyType::Merchant,
        None,
        reprint_time(),
    );
    assert_eq!(s.origin, SlipOrigin::Terminal);
    let x = text(&s);
    assert!(x.contains(&printed.lines.join("\n")), "verbatim");
    assert!(x.contains("依据终端原始打印 FROM THE TERMINAL'S OWN SLIP"));
    // No terminal text for the other copy: rebuilt.
    assert_eq!(
        layout(&t, &[printed], CopyType::Cardholder, None, reprint_time()).origin,
        SlipOrigin::Regenerated
    );
}

#[test]
fn voids_and_refunds_name_the_original_voucher() {
    let refund = (0..200)
        .map(sample::transaction)
        .find(|t| t.kind == TxnKind::Refund)
        .unwrap();
    let x = text(&layout(
        &refund,
        &[],
        CopyType::Merchant,
        None,
        reprint_time(),
    ));
    assert!(
        x.contains(&format!(
            "备注 REFERENCE: 原凭证号 {}",
            refund.original_trace_no.unwrap()
        )),
        "{x}"
    );
}

#[test]
fn escpos_bytes_match_the_reviewed_snapshot() {
    let t = sample::transaction(2);
    let slips = [layout(
        &t,
        &[],
        CopyType::Merchant,
        Some("演示商店"),
        reprint_time(),
    )];
    let mut bytes = Vec::new();
    write_escpos(&slips, Columns::C32, &mut bytes).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/escpos_sale_58mm.bin");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &bytes).unwrap();
    }
    assert_eq!(
        bytes,
        std::fs::read(path).unwrap(),
        "ESC/POS output changed: review, then UPDATE_SNAPSHOTS=1"
    );
    // Structure: init + Chinese mode first, cut last; text in GB18030.
    assert!(bytes.starts_with(&[0x1B, b'@', 0x1C, b'&']));
    assert!(bytes.ends_with(&[0x1D, b'V', 1]));
    let (decoded, _, errors) = encoding_rs::GB18030.decode(&bytes);
    assert!(!errors);
    assert!(decoded.contains("重打印凭证 REPRINT / DUPLICATE"));
    // 32 columns: no printed line is wider.
    for l in decoded.split('\n') {
        let w: usize = l
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
            .sum();
        assert!(w <= 32 + 3, "line too wide for 58 mm: {l:?}");
    }
}
