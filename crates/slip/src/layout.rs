use chrono::NaiveDateTime;
use slipkeeper_domain::{
    mask_pans_in_text, CopyType, SlipOrigin, SlipText, Transaction, TxnKind, Witness,
};

/// Where a line sits across the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// From the left edge (labels and values).
    Left,
    /// Centred (the title, the REPRINT mark).
    Center,
}

/// One line of a slip, styled once so every renderer prints it alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The text, masked already (no full card number reaches a line).
    pub text: String,
    /// Where it sits.
    pub align: Align,
    /// Printed bold (double-strike on ESC/POS).
    pub bold: bool,
}

impl Line {
    /// An ordinary left-aligned line.
    pub fn plain(t: impl Into<String>) -> Line {
        Line {
            text: t.into(),
            align: Align::Left,
            bold: false,
        }
    }
    /// A centred bold line: the slip's title and marks.
    pub fn title(t: impl Into<String>) -> Line {
        Line {
            text: t.into(),
            align: Align::Center,
            bold: true,
        }
    }
}

/// One slip copy, ready for a renderer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slip {
    /// Which copy: merchant, cardholder or bank.
    pub copy: CopyType,
    /// Where the slip's text came from: the terminal's own receipt, or laid out from the
    /// record when the terminal sent none.
    pub origin: SlipOrigin,
    /// The lines, top to bottom.
    pub lines: Vec<Line>,
}

fn opt(v: Option<&str>) -> &str {
    v.unwrap_or("")
}

/// The shop's name as the terminal printed it on any copy of the slip ("商户名称
/// MERCHANT NAME: 喆堃便利店"), for rebuilding a copy the terminal's text is missing for:
/// both copies then carry the same name, the one the acquirer has on file.
pub fn printed_merchant_name(printed: &[SlipText]) -> Option<String> {
    printed
        .iter()
        .filter(|s| s.origin == SlipOrigin::Terminal)
        .flat_map(|s| s.lines.iter())
        .find_map(|l| {
            let upper = l.to_uppercase();
            let at = l.find("商户名称").or_else(|| upper.find("MERCHANT NAME"))?;
            let rest = &l[at..];
            let (_, value) = rest.split_once([':', '：'])?;
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        })
}

/// Lays out `copy` of `txn`. When the terminal's own text for that copy is known it is
/// reproduced verbatim; otherwise the slip is rebuilt from the fields. `now` is the
/// time of reprinting, printed on the slip.
pub fn layout(
    txn: &Transaction,
    printed: &[SlipText],
    copy: CopyType,
    merchant_name: Option<&str>,
    now: NaiveDateTime,
) -> Slip {
    let mark = vec![
        Line::title("重打印凭证 REPRINT / DUPLICATE"),
        Line {
            text: format!("重打印时间 REPRINTED: {}", now.format("%Y-%m-%d %H:%M:%S")),
            align: Align::Center,
            bold: false,
        },
    ];
    let mut lines = mark.clone();
    let from_terminal = printed
        .iter()
        .find(|s| s.copy == copy && s.origin == SlipOrigin::Terminal);
    let origin = match from_terminal {
        Some(s) => {
            lines.push(Line::plain("依据终端原始打印 FROM THE TERMINAL'S OWN SLIP"));
            lines.push(Line::plain("-".repeat(16)));
            // The journal masks card numbers on the way in; masking again here means no
            // path (an import, an older journal) can put a full PAN on paper.
            lines.extend(s.lines.iter().map(|l| Line::plain(mask_pans_in_text(l))));
            SlipOrigin::Terminal
        }
        None => {
            lines.push(Line::plain("依据交易记录重建 REBUILT FROM THE RECORD"));
            lines.push(Line::plain("-".repeat(16)));
            lines.extend(regenerated(txn, copy, merchant_name));
            SlipOrigin::Regenerated
        }
    };
    lines.push(Line::plain("-".repeat(16)));
    lines.extend(mark);
    Slip {
        copy,
        origin,
        lines,
    }
}

fn regenerated(t: &Transaction, copy: CopyType, merchant_name: Option<&str>) -> Vec<Line> {
    let (zh, en) = t.kind.slip_label();
    let mut v = vec![
        Line::title("银联POS签购单 UnionPay POS SLIP"),
        Line::title(match copy {
            CopyType::Merchant => "商户存根 MERCHANT COPY",
            CopyType::Cardholder => "持卡人存根 CARDHOLDER COPY",
        }),
        Line::plain(format!("商户名称 MERCHANT NAME: {}", opt(merchant_name))),
        Line::plain(format!("商户编号 MERCHANT NO.: {}", t.merchant_id)),
        Line::plain(format!("终端编号 TERMINAL NO.: {}", t.terminal_id)),
        Line::plain(format!(
            "操作员号 OPERATOR NO.: {}",
            opt(t.operator_no.as_ref().map(|o| o.as_str()))
        )),
        Line::plain(format!(
            "卡号 CARD NO.: {} {}",
            opt(t.pan.as_ref().map(|p| p.as_str())),
            t.entry_mode
                .map(|m| m.slip_letter().to_string())
                .unwrap_or_default()
        )),
        Line::plain(format!("发卡行 ISSUER: {}", opt(t.issuer.as_deref()))),
        Line::plain(format!("收单行 ACQUIRER: {}", opt(t.acquirer.as_deref()))),
        Line {
            text: format!("交易类型 TRANS TYPE: {zh} {en}"),
            align: Align::Left,
            bold: true,
        },
    ];
    if let Some(e) = &t.expiry {
        v.push(Line::plain(format!("有效期 EXP DATE: {}", e.as_str())));
    }
    v.extend([
        Line::plain(format!("批次号 BATCH NO.: {}", t.batch_no)),
        Line::plain(format!("凭证号 VOUCHER NO.: {}", t.trace_no)),
        Line::plain(format!(
            "授权码 AUTH NO.: {}",
            opt(t.auth_code.as_ref().map(|a| a.as_str()))
        )),
        Line::plain(format!(
            "参考号 REF NO.: {}",
            opt(t.rrn.as_ref().map(|r| r.as_str()))
        )),
        Line::plain(format!(
            "日期/时间 DATE/TIME: {}",
            t.occurred_at.format("%Y/%m/%d %H:%M:%S")
        )),
        Line {
            text: format!("金额 AMOUNT: {}", t.amount),
            align: Align::Left,
            bold: true,
        },
    ]);
    if matches!(t.kind, TxnKind::Void | TxnKind::Refund) {
        v.push(Line::plain(format!(
            "备注 REFERENCE: 原凭证号 {}",
            opt(t.original_trace_no.as_ref().map(|o| o.as_str()))
        )));
    }
    v.extend([
        Line::plain("持卡人签名 CARDHOLDER SIGNATURE:"),
        Line::plain(""),
        Line::plain("本人确认以上交易，同意将其记入本卡账户"),
        Line::plain("I ACKNOWLEDGE SATISFACTORY RECEIPT OF RELATIVE GOODS/SERVICES"),
    ]);
    v
}

/// A slip rebuilt from a line of the acquirer's statement, for a payment the journal
/// has no record of. Titled as what it is at the top and the foot — the acquirer's
/// record, not a terminal reprint — with the file and line it came from.
pub fn layout_statement(
    w: &Witness,
    copy: CopyType,
    merchant_name: Option<&str>,
    now: NaiveDateTime,
) -> Slip {
    let l = &w.line;
    let mark = vec![
        Line::title("依据收单机构对账单重建"),
        Line::title("REBUILT FROM THE ACQUIRER'S STATEMENT"),
        Line::plain("非终端重打印 NOT A TERMINAL REPRINT"),
        Line::plain(format!(
            "来源 SOURCE: {} 第 {} 行 LINE {}",
            w.file_name, l.line_no, l.line_no
        )),
        Line {
            text: format!("打印时间 PRINTED: {}", now.format("%Y-%m-%d %H:%M:%S")),
            align: Align::Center,
            bold: false,
        },
    ];
    let o = |v: Option<&str>| v.unwrap_or("").to_owned();
    let (zh, en) = l.kind.slip_label();
    let mut lines = mark.clone();
    lines.push(Line::plain("-".repeat(16)));
    lines.extend([
        Line::title("收单机构交易记录 ACQUIRER'S RECORD"),
        Line::title(match copy {
            CopyType::Merchant => "商户存根 MERCHANT COPY",
            CopyType::Cardholder => "持卡人存根 CARDHOLDER COPY",
        }),
        Line::plain(format!("商户名称 MERCHANT NAME: {}", opt(merchant_name))),
        Line::plain(format!(
            "商户编号 MERCHANT NO.: {}",
            o(l.merchant_id.as_ref().map(|v| v.as_str()))
        )),
        Line::plain(format!(
            "终端编号 TERMINAL NO.: {}",
            o(l.terminal_id.as_ref().map(|v| v.as_str()))
        )),
        // The statement prints the card masked; mask again so no import path can
        // put a full number on paper.
        Line::plain(format!(
            "卡号 CARD NO.: {}",
            mask_pans_in_text(&o(l.card.as_deref()))
        )),
        Line::plain(format!(
            "卡类型 CARD TYPE: {}",
            mask_pans_in_text(&o(l.card_type.as_deref()))
        )),
        Line {
            text: format!("交易类型 TRANS TYPE: {zh} {en}"),
            align: Align::Left,
            bold: true,
        },
        Line::plain(format!(
            "凭证号 VOUCHER NO.: {}",
            o(l.trace_no.as_ref().map(|v| v.as_str()))
        )),
        Line::plain(format!(
            "授权码 AUTH NO.: {}",
            o(l.auth_code.as_ref().map(|v| v.as_str()))
        )),
        Line::plain(format!(
            "参考号 REF NO.: {}",
            o(l.rrn.as_ref().map(|v| v.as_str()))
        )),
        Line::plain(format!(
            "日期/时间 DATE/TIME: {}",
            l.occurred_at.format("%Y/%m/%d %H:%M:%S")
        )),
        Line {
            text: format!("金额 AMOUNT: {}", l.amount),
            align: Align::Left,
            bold: true,
        },
    ]);
    if let Some(d) = l.settle_date {
        lines.push(Line::plain(format!(
            "清算日期 SETTLED: {}",
            d.format("%Y/%m/%d")
        )));
    }
    lines.push(Line::plain("-".repeat(16)));
    lines.extend(mark);
    Slip {
        copy,
        origin: SlipOrigin::Statement,
        lines,
    }
}
