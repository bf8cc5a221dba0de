//! Deterministic synthetic transactions for the demo terminal, tests and benchmarks.
//! Record `i` is a pure function of `i`, so any slice of a million-row data set can
//! be produced independently and the same seed always gives the same journal.

use crate::*;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// The demo shop's merchant number.
pub const MERCHANT: &str = "898310048990001";
/// The demo shop's two terminals.
pub const TERMINALS: [&str; 2] = ["10000001", "10000002"];

fn mix(mut z: u64) -> u64 {
    // splitmix64: a well-spread hash of the index, no state to carry.
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn base_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap_or_default()
}

/// Synthetic transaction number `i`: mostly approved sales, some declines, voids
/// of the previous sale and refunds of older ones, on two terminals.
pub fn transaction(i: u64) -> Transaction {
    let h = mix(i);
    let term = (i % 2) as usize;
    let j = i / 2; // sequence on this terminal
    let trace =
        |n: u64| TraceNo::new(&((n % 999_999) + 1).to_string()).unwrap_or_else(|_| unreachable!());
    let batch_of =
        |n: u64| BatchNo::new(&(n / 1000 + 1).to_string()).unwrap_or_else(|_| unreachable!());
    let roll = h % 100;
    let kind = match roll {
        0..=1 if !j.is_multiple_of(1000) => TxnKind::Void,
        2..=4 if j > 20 => TxnKind::Refund,
        _ => TxnKind::Sale,
    };
    let outcome = if (h >> 8) % 100 < 3 {
        Outcome::Declined
    } else {
        Outcome::Approved
    };
    let occurred_at = base_time() + TimeDelta::seconds((j * 30 + (h >> 16) % 29) as i64);
    let last4 = (h >> 20) % 10_000;
    let scheme = [
        CardScheme::UnionPay,
        CardScheme::UnionPay,
        CardScheme::Visa,
        CardScheme::Mastercard,
    ][((h >> 34) % 4) as usize];
    let bin = match scheme {
        CardScheme::Visa => "411111",
        CardScheme::Mastercard => "552233",
        _ => "622588",
    };
    let (original_trace_no, original_rrn, original_date) = match kind {
        TxnKind::Void => (Some(trace(j - 1)), None, None),
        TxnKind::Refund => {
            let o = i - 14;
            (
                Some(trace(o / 2)),
                Some(rrn(o)),
                Some(transaction_time(o).date()),
            )
        }
        _ => (None, None, None),
    };
    Transaction {
        terminal_id: TerminalId::new(TERMINALS[term]).unwrap_or_else(|_| unreachable!()),
        merchant_id: MerchantId::new(MERCHANT).unwrap_or_else(|_| unreachable!()),
        batch_no: batch_of(j),
        trace_no: trace(j),
        kind,
        outcome,
        amount: Money::cny(100 + ((h >> 40) % 99_900) as i64),
        occurred_at,
        receipt_no: ReceiptNo::new(&((j % 9999) + 1).to_string()).ok(),
        pan: MaskedPan::new(&format!("{bin}******{last4:04}")).ok(),
        scheme: Some(scheme),
        entry_mode: Some(
            [EntryMode::Chip, EntryMode::Contactless, EntryMode::Swipe][((h >> 50) % 3) as usize],
        ),
        expiry: Expiry::new(&format!(
            "{:02}{:02}",
            27 + (h >> 52) % 5,
            1 + (h >> 56) % 12
        ))
        .ok(),
        rrn: Some(rrn(i)),
        auth_code: (outcome == Outcome::Approved)
            .then(|| AuthCode::new(&format!("{:06}", (h >> 12) % 1_000_000)).ok())
            .flatten(),
        operator_no: OperatorNo::new("01").ok(),
        issuer: Some(match scheme {
            CardScheme::UnionPay => "中国银行".to_owned(),
            other => other.as_str().to_uppercase(),
        }),
        acquirer: Some("银联商务".to_owned()),
        original_trace_no,
        original_rrn,
        original_date,
    }
}

fn transaction_time(i: u64) -> NaiveDateTime {
    let h = mix(i);
    base_time() + TimeDelta::seconds(((i / 2) * 30 + (h >> 16) % 29) as i64)
}

/// Unique 12-digit RRN of record `i`.
pub fn rrn(i: u64) -> Rrn {
    Rrn::new(&format!("{:012}", 600_000_000_000 + i)).unwrap_or_else(|_| unreachable!())
}

/// The slip the terminal printed for `t`, roughly 600 bytes, as UnionPay terminals
/// lay it out.
pub fn slip(t: &Transaction, copy: CopyType) -> SlipText {
    let (zh, en) = t.kind.slip_label();
    let copy_line = match copy {
        CopyType::Merchant => "商户存根 MERCHANT COPY",
        CopyType::Cardholder => "持卡人存根 CARDHOLDER COPY",
    };
    let opt = |v: Option<&str>| v.unwrap_or("").to_owned();
    let mut lines = vec![
        "银联POS签购单 UnionPay POS SLIP".to_owned(),
        copy_line.to_owned(),
        "商户名称 MERCHANT NAME: 演示商店 DEMO SHOP".to_owned(),
        format!("商户编号 MERCHANT NO.: {}", t.merchant_id),
        format!("终端编号 TERMINAL NO.: {}", t.terminal_id),
        format!(
            "操作员号 OPERATOR NO.: {}",
            opt(t.operator_no.as_ref().map(|o| o.as_str()))
        ),
        format!(
            "卡号 CARD NO.: {} {}",
            opt(t.pan.as_ref().map(|p| p.as_str())),
            t.entry_mode.map(|m| m.slip_letter()).unwrap_or(' ')
        ),
        format!("发卡行 ISSUER: {}", opt(t.issuer.as_deref())),
        format!("收单行 ACQUIRER: {}", opt(t.acquirer.as_deref())),
        format!("交易类型 TRANS TYPE: {zh} {en}"),
        format!(
            "有效期 EXP DATE: {}",
            opt(t.expiry.as_ref().map(|e| e.as_str()))
        ),
        format!("批次号 BATCH NO.: {}", t.batch_no),
        format!("凭证号 VOUCHER NO.: {}", t.trace_no),
        format!(
            "授权码 AUTH NO.: {}",
            opt(t.auth_code.as_ref().map(|a| a.as_str()))
        ),
        format!(
            "参考号 REF NO.: {}",
            opt(t.rrn.as_ref().map(|r| r.as_str()))
        ),
        format!(
            "日期/时间 DATE/TIME: {}",
            t.occurred_at.format("%Y/%m/%d %H:%M:%S")
        ),
        format!("金额 AMOUNT: {}", t.amount),
    ];
    if let Some(o) = &t.original_trace_no {
        lines.push(format!("备注 REFERENCE: 原凭证号 {o}"));
    }
    lines.push("持卡人签名 CARDHOLDER SIGNATURE:".to_owned());
    lines.push("本人确认以上交易，同意将其记入本卡账户".to_owned());
    lines.push("I ACKNOWLEDGE SATISFACTORY RECEIPT OF RELATIVE GOODS/SERVICES".to_owned());
    SlipText::new(copy, SlipOrigin::Terminal, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_deterministic_and_keys_unique() {
        assert_eq!(transaction(12345), transaction(12345));
        let keys: std::collections::HashSet<_> =
            (0..20_000).map(|i| transaction(i).key()).collect();
        assert_eq!(keys.len(), 20_000);
    }

    #[test]
    fn voids_and_refunds_point_at_real_records() {
        let refund = (0..5000)
            .map(transaction)
            .find(|t| t.kind == TxnKind::Refund)
            .unwrap();
        assert!(refund.original_rrn.is_some());
        let void = (0..5000)
            .map(transaction)
            .find(|t| t.kind == TxnKind::Void)
            .unwrap();
        assert!(void.original_trace_no.is_some());
    }

    #[test]
    fn slip_text_is_about_600_bytes() {
        let t = transaction(7);
        let len: usize = slip(&t, CopyType::Merchant)
            .lines
            .iter()
            .map(|l| l.len() + 1)
            .sum();
        assert!((500..800).contains(&len), "{len}");
    }
}
