//! Why a voucher is in trouble and what to do about it, decided from the journal's
//! facts. The app gathers the facts (the transaction, what refers to it, its batch,
//! look-alikes, gaps); this module only decides, so every code is testable without a
//! database and the same facts always give the same advice.

use crate::{remedy_for, Batch, Money, Outcome, Remedy, TerminalId, Transaction, TxnKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the shop owner says is wrong.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Complaint {
    /// 撤销失败 / "原交易不存在".
    VoidFailed,
    /// 签购单丢失: the customer wants a copy.
    ReceiptLost,
    /// 重复扣款: the customer says they were charged twice.
    ChargedTwice,
    /// 票不可用: the slip cannot be found in the acquirer's back end.
    NotInAcquirerBackEnd,
    /// 持卡人争议 / 调单: the customer disputes the charge.
    Dispute,
    Other,
}

impl Complaint {
    pub const ALL: [Complaint; 6] = [
        Complaint::VoidFailed,
        Complaint::ReceiptLost,
        Complaint::ChargedTwice,
        Complaint::NotInAcquirerBackEnd,
        Complaint::Dispute,
        Complaint::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Complaint::VoidFailed => "void_failed",
            Complaint::ReceiptLost => "receipt_lost",
            Complaint::ChargedTwice => "charged_twice",
            Complaint::NotInAcquirerBackEnd => "not_in_acquirer_back_end",
            Complaint::Dispute => "dispute",
            Complaint::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Complaint> {
        Complaint::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn text(self) -> Text {
        match self {
            Complaint::VoidFailed => Text::new(
                "撤销失败（原交易不存在）",
                "Void failed (\"original transaction does not exist\")",
            ),
            Complaint::ReceiptLost => Text::new(
                "签购单丢失，顾客要一张",
                "Slip lost; the customer wants a copy",
            ),
            Complaint::ChargedTwice => Text::new(
                "顾客说被扣了两次款",
                "Customer says they were charged twice",
            ),
            Complaint::NotInAcquirerBackEnd => Text::new(
                "收单机构后台查不到这笔（票不可用）",
                "The acquirer's back end does not show it",
            ),
            Complaint::Dispute => Text::new(
                "持卡人对交易有争议（调单）",
                "The cardholder disputes the charge",
            ),
            Complaint::Other => Text::new("其他问题", "Something else"),
        }
    }
}

/// A sentence in both languages.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// The stable answer codes. The UI and the docs key their texts on these.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DiagnosisCode {
    Voidable,
    SettledUseRefund,
    AlreadyVoided,
    AlreadyRefunded,
    PartiallyRefunded,
    Reversed,
    Declined,
    OtherTerminal,
    NotInJournalTypo,
    NotInJournalGap,
    NotInJournal,
    DuplicateCharge,
    UnknownOutcome,
    ReceiptLost,
    /// Approved and recorded with its RRN, yet the acquirer cannot find it.
    ApprovedAskAcquirer,
    /// Approved; the cardholder disputes it: answer with the signed slip and evidence.
    DisputeRespond,
}

impl DiagnosisCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisCode::Voidable => "VOIDABLE",
            DiagnosisCode::SettledUseRefund => "SETTLED_USE_REFUND",
            DiagnosisCode::AlreadyVoided => "ALREADY_VOIDED",
            DiagnosisCode::AlreadyRefunded => "ALREADY_REFUNDED",
            DiagnosisCode::PartiallyRefunded => "PARTIALLY_REFUNDED",
            DiagnosisCode::Reversed => "REVERSED",
            DiagnosisCode::Declined => "DECLINED",
            DiagnosisCode::OtherTerminal => "OTHER_TERMINAL",
            DiagnosisCode::NotInJournalTypo => "NOT_IN_JOURNAL_TYPO",
            DiagnosisCode::NotInJournalGap => "NOT_IN_JOURNAL_GAP",
            DiagnosisCode::NotInJournal => "NOT_IN_JOURNAL",
            DiagnosisCode::DuplicateCharge => "DUPLICATE_CHARGE",
            DiagnosisCode::UnknownOutcome => "UNKNOWN_OUTCOME",
            DiagnosisCode::ReceiptLost => "RECEIPT_LOST",
            DiagnosisCode::ApprovedAskAcquirer => "APPROVED_ASK_ACQUIRER",
            DiagnosisCode::DisputeRespond => "DISPUTE_RESPOND",
        }
    }

    /// Whether the acquirer has to be contacted (a case is worth opening).
    pub fn needs_acquirer(self) -> bool {
        matches!(
            self,
            DiagnosisCode::SettledUseRefund
                | DiagnosisCode::NotInJournalGap
                | DiagnosisCode::DuplicateCharge
                | DiagnosisCode::UnknownOutcome
                | DiagnosisCode::ApprovedAskAcquirer
                | DiagnosisCode::DisputeRespond
                | DiagnosisCode::Reversed
        )
    }
}

/// A stored transaction with its journal id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub id: i64,
    pub txn: Transaction,
}

/// What the journal knows that bears on the complaint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The transaction the owner means, when the journal has it.
    pub found: Option<Recorded>,
    /// Its batch (open or settled).
    pub batch: Option<Batch>,
    /// Voids, refunds and reversals that may refer to it.
    pub related: Vec<Recorded>,
    /// The terminal the owner is standing at, if said.
    pub asked_terminal: Option<TerminalId>,
    /// The same voucher found only on another terminal of the shop.
    pub elsewhere: Vec<Recorded>,
    /// Look-alikes: neighbouring or transposed digits, or same amount around that time.
    pub near: Vec<Recorded>,
    /// A recorded gap or totals mismatch covering the time or voucher asked about.
    pub gap: Option<String>,
    /// Other approved sales with the same card last-4 and amount minutes apart.
    pub duplicates: Vec<Recorded>,
}

#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The journal's transaction id the fact is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_id: Option<i64>,
    pub text: Text,
}

#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub code: DiagnosisCode,
    pub complaint: Complaint,
    pub title: Text,
    pub explanation: Text,
    pub facts: Vec<Fact>,
    pub next_steps: Vec<Text>,
    /// What to have ready when calling or writing to the acquirer.
    pub prepare: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
}

fn describe(r: &Recorded) -> Text {
    let t = &r.txn;
    let (zh, en) = t.kind.slip_label();
    let rrn = t.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—");
    Text::new(
        format!(
            "#{} 终端 {} 批次 {} 凭证号 {} {} {} {} 参考号 {} 结果 {}",
            r.id,
            t.terminal_id,
            t.batch_no,
            t.trace_no,
            zh,
            t.amount,
            t.occurred_at,
            rrn,
            t.outcome
        ),
        format!(
            "#{} terminal {} batch {} voucher {} {} {} at {} RRN {} outcome {}",
            r.id,
            t.terminal_id,
            t.batch_no,
            t.trace_no,
            en,
            t.amount,
            t.occurred_at,
            rrn,
            t.outcome
        ),
    )
}

fn fact(r: &Recorded) -> Fact {
    Fact {
        txn_id: Some(r.id),
        text: describe(r),
    }
}

fn identifiers(t: &Transaction) -> Text {
    let rrn = t.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—");
    let auth = t.auth_code.as_ref().map(|r| r.as_str()).unwrap_or("—");
    Text::new(
        format!(
            "商户号 {}、终端号 {}、批次号 {}、凭证号 {}、参考号 {}、授权码 {}、金额 {}、交易时间 {}",
            t.merchant_id, t.terminal_id, t.batch_no, t.trace_no, rrn, auth, t.amount, t.occurred_at
        ),
        format!(
            "merchant no. {}, terminal {}, batch {}, voucher {}, RRN {}, auth code {}, amount {}, time {}",
            t.merchant_id, t.terminal_id, t.batch_no, t.trace_no, rrn, auth, t.amount, t.occurred_at
        ),
    )
}

/// Decides what happened and what to do.
pub fn diagnose(complaint: Complaint, f: &Facts) -> Diagnosis {
    let mut facts: Vec<Fact> = Vec::new();
    let mk = |code: DiagnosisCode,
              title: Text,
              explanation: Text,
              facts: Vec<Fact>,
              next_steps: Vec<Text>,
              prepare: Vec<Text>,
              remedy: Option<Remedy>| Diagnosis {
        code,
        complaint,
        title,
        explanation,
        facts,
        next_steps,
        prepare,
        remedy,
    };
    let Some(found) = &f.found else {
        if !f.elsewhere.is_empty() {
            facts.extend(f.elsewhere.iter().map(fact));
            let other = &f.elsewhere[0].txn.terminal_id;
            return mk(
                DiagnosisCode::OtherTerminal,
                Text::new("这笔交易在店里另一台终端上", "The voucher is on another terminal of the shop"),
                Text::new(
                    format!("本终端没有这个凭证号，但终端 {other} 有。撤销、退货都必须在原终端上做。"),
                    format!("This terminal has no such voucher, but terminal {other} does. Voids and refunds must be done on the terminal that took the payment."),
                ),
                facts,
                vec![Text::new(format!("到终端 {other} 上操作"), format!("Use terminal {other}"))],
                vec![],
                None,
            );
        }
        if let Some(gap) = &f.gap {
            facts.push(Fact {
                txn_id: None,
                text: Text::new(format!("记录缺口：{gap}"), format!("Recorded gap: {gap}")),
            });
            // Look-alikes stay visible: the owner may still have misread the number.
            facts.extend(f.near.iter().map(fact));
            return mk(
                DiagnosisCode::NotInJournalGap,
                Text::new("镜像漏掉了这笔", "The mirror missed this one"),
                Text::new(
                    "日志在这段时间或这段凭证号有缺口（或结算总数对不上），这笔交易可能发生了但没有被记录下来。收单机构有完整记录。",
                    "The journal has a gap around this time or voucher range (or the settlement totals disagree), so the transaction may have happened without being recorded. The acquirer has the full record.",
                ),
                facts,
                vec![Text::new(
                    "联系收单机构，按时间和金额查询这笔交易",
                    "Contact the acquirer and ask them to look it up by time and amount",
                )],
                vec![
                    Text::new("交易大概时间和金额、卡号后四位", "Approximate time, amount and card last-4"),
                    Text::new("商户号和终端号", "Merchant no. and terminal no."),
                ],
                None,
            );
        }
        if !f.near.is_empty() {
            facts.extend(f.near.iter().map(fact));
            return mk(
                DiagnosisCode::NotInJournalTypo,
                Text::new("没有这个号码，但有很像的", "Not found, but close matches exist"),
                Text::new(
                    "日志里没有这个凭证号；下面几笔号码只差一位或两位颠倒，或金额时间相同。多半是看错或输错了号码。",
                    "The journal has no such voucher; the transactions below differ by one digit, two swapped digits, or have the same amount and time. Most likely the number was misread or mistyped.",
                ),
                facts,
                vec![Text::new("对照签购单，选出正确的那一笔", "Compare with the slip and pick the right one")],
                vec![],
                None,
            );
        }
        return mk(
            DiagnosisCode::NotInJournal,
            Text::new("日志里没有这笔交易", "Not in the journal"),
            Text::new(
                "日志没有缺口，也没有相近的交易：这笔多半不是在本店这些终端上做的（比如别家商户、扫码支付或其他收款方式）。",
                "The journal has no gap and nothing similar: the payment was most likely not made on these terminals (another shop, a QR-code payment, another way of paying).",
            ),
            facts,
            vec![Text::new(
                "请顾客出示签购单或银行账单上的商户名称和时间再核对",
                "Ask the customer for the slip or the bank statement line (merchant name and time) and check again",
            )],
            vec![],
            None,
        );
    };

    let t = &found.txn;
    facts.push(fact(found));
    facts.extend(f.related.iter().map(fact));
    let related: Vec<Transaction> = f.related.iter().map(|r| r.txn.clone()).collect();
    let ids = identifiers(t);
    let prepare_ids = vec![
        ids.clone(),
        Text::new("签购单（或本软件的重打印件）", "The slip (or this reprint)"),
    ];

    if t.outcome == Outcome::Unknown {
        return mk(
            DiagnosisCode::UnknownOutcome,
            Text::new("交易结果未知", "Outcome unknown"),
            Text::new(
                "交易开始了，但终端没有给出最终结果（通讯中断）。可能已扣款，也可能已自动冲正。",
                "The transaction started but the terminal never reported a final result (the link broke). The card may have been charged, or the charge may have been reversed automatically.",
            ),
            facts,
            vec![
                Text::new("不要让顾客再刷一次，先查清楚", "Do not charge the customer again before this is clear"),
                Text::new("联系收单机构，按凭证号和时间确认结果", "Ask the acquirer to confirm the outcome by voucher and time"),
            ],
            prepare_ids,
            None,
        );
    }
    let reversed = t.outcome == Outcome::Reversed
        || related.iter().any(|r| {
            r.kind == TxnKind::Reversal && r.outcome == Outcome::Approved && r.refers_to(t)
        });
    if reversed {
        return mk(
            DiagnosisCode::Reversed,
            Text::new("已冲正：顾客没有被扣款", "Reversed: the customer was not charged"),
            Text::new(
                "这笔交易超时后被冲正（撤回）。顾客的卡不会被扣款；银行 App 里可能短时间显示一笔冻结，几天内会自动消失。",
                "The transaction timed out and was reversed. The card is not charged; the bank app may show a pending hold for a few days, which disappears by itself.",
            ),
            facts,
            vec![
                Text::new("告诉顾客冻结金额会自动解除", "Tell the customer the hold will be released automatically"),
                Text::new("如超过 7 天仍未解除，联系收单机构", "If it is still there after 7 days, contact the acquirer"),
            ],
            prepare_ids,
            None,
        );
    }
    if t.outcome == Outcome::Declined {
        return mk(
            DiagnosisCode::Declined,
            Text::new("交易被拒绝：没有扣款", "Declined: no money moved"),
            Text::new(
                "发卡行拒绝了这笔交易，没有发生资金变动，不需要撤销或退货。",
                "The issuer declined it. No money moved; there is nothing to void or refund.",
            ),
            facts,
            vec![Text::new(
                "如顾客仍要付款，请重新交易",
                "If the customer still wants to pay, start a new transaction",
            )],
            vec![],
            None,
        );
    }
    if t.outcome == Outcome::Voided {
        return mk(
            DiagnosisCode::AlreadyVoided,
            Text::new("已经撤销过了", "Already voided"),
            Text::new("这笔交易已经撤销，顾客的钱已退回。不能再撤销或退货。", "This transaction was already voided; the money went back to the customer. It cannot be voided or refunded again."),
            facts,
            vec![Text::new("把撤销记录出示给顾客", "Show the customer the void")],
            vec![],
            Some(Remedy::AlreadyVoided),
        );
    }
    let not_undone = |d: &Recorded| {
        !f.related.iter().any(|r| {
            matches!(
                r.txn.kind,
                TxnKind::Void | TxnKind::Refund | TxnKind::Reversal
            ) && r.txn.outcome == Outcome::Approved
                && r.txn.refers_to(&d.txn)
        })
    };
    let dupes: Vec<&Recorded> = f.duplicates.iter().filter(|d| not_undone(d)).collect();
    if !dupes.is_empty()
        && matches!(
            complaint,
            Complaint::ChargedTwice | Complaint::Dispute | Complaint::Other
        )
    {
        facts.extend(dupes.iter().map(|d| fact(d)));
        return mk(
            DiagnosisCode::DuplicateCharge,
            Text::new("重复扣款：同一张卡同一金额两笔", "Duplicate charge: same card, same amount, twice"),
            Text::new(
                format!("日志里有 {} 笔同卡号后四位、同金额、相隔几分钟的成功消费，都没有撤销。", dupes.len() + 1),
                format!("The journal has {} approved sales with the same card last-4 and amount, minutes apart, none voided.", dupes.len() + 1),
            ),
            facts,
            vec![
                Text::new("批次未结算：在原终端撤销其中一笔", "Batch still open: void one of them at the terminal"),
                Text::new("已结算：对其中一笔做退货，或联系收单机构", "Settled: refund one of them, or contact the acquirer"),
            ],
            prepare_ids,
            None,
        );
    }
    let here = f
        .asked_terminal
        .clone()
        .unwrap_or_else(|| t.terminal_id.clone());
    let open_batch = Batch {
        terminal_id: t.terminal_id.clone(),
        batch_no: t.batch_no.clone(),
        state: crate::BatchState::Open,
    };
    let batch = f.batch.as_ref().unwrap_or(&open_batch);
    let remedy = remedy_for(t, batch, &here, &related).ok();
    let refunded: Money = related
        .iter()
        .filter(|r| r.kind == TxnKind::Refund && r.outcome == Outcome::Approved && r.refers_to(t))
        .fold(Money::zero(t.amount.currency()), |a, r| {
            a.checked_add(r.amount).unwrap_or(a)
        });
    match &remedy {
        Some(Remedy::AlreadyVoided) => {
            return mk(
                DiagnosisCode::AlreadyVoided,
                Text::new("已经撤销过了", "Already voided"),
                Text::new("这笔交易已经撤销，顾客的钱已退回（撤销当天生效）。不能再撤销或退货。", "This transaction was already voided; the money went back to the customer. It cannot be voided or refunded again."),
                facts,
                vec![Text::new("把撤销记录（见上）出示给顾客", "Show the customer the void (listed above)")],
                vec![],
                remedy,
            )
        }
        Some(Remedy::AlreadyRefunded) => {
            return mk(
                DiagnosisCode::AlreadyRefunded,
                Text::new("已经全额退货", "Already fully refunded"),
                Text::new(format!("退货合计 {refunded}，等于原交易金额。退款一般 3–15 个工作日到账。"), format!("Refunds total {refunded}, the whole amount. Refunds usually reach the card in 3–15 working days.")),
                facts,
                vec![Text::new("把退货记录（见上）出示给顾客", "Show the customer the refund (listed above)")],
                vec![],
                remedy,
            )
        }
        Some(Remedy::Refund { refundable, .. }) | Some(Remedy::RefundNeedsRrn { refundable, .. })
            if refunded.minor() > 0 =>
        {
            let left = *refundable;
            return mk(
                DiagnosisCode::PartiallyRefunded,
                Text::new("已部分退货", "Partially refunded"),
                Text::new(format!("已退 {refunded}，还可退 {left}。"), format!("{refunded} has been refunded; {left} can still be refunded.")),
                facts,
                vec![Text::new(format!("如需再退，做退货（退货），金额不超过 {left}"), format!("To refund more, do a refund of at most {left}"))],
                prepare_ids,
                remedy,
            );
        }
        _ => {}
    }
    match complaint {
        Complaint::ReceiptLost => {
            return mk(
                DiagnosisCode::ReceiptLost,
                Text::new("交易正常：重打一张签购单", "All in order: reprint the slip"),
                Text::new("这笔交易成功且完整记录。可以打印一张标明“重打印”的签购单给顾客。", "The transaction is approved and fully recorded. Print a copy marked REPRINT for the customer."),
                facts,
                vec![Text::new("重打印持卡人存根", "Reprint the cardholder copy")],
                vec![],
                remedy,
            )
        }
        Complaint::NotInAcquirerBackEnd => {
            let open = batch.is_open();
            return mk(
                DiagnosisCode::ApprovedAskAcquirer,
                Text::new("终端记录为成功：请收单机构核查", "Approved at the terminal: ask the acquirer to check"),
                if open {
                    Text::new("终端记录这笔交易成功，但批次还没有结算。多数收单机构后台要到结算后才显示；请先在终端上结算，第二天再查。", "The terminal approved it, but its batch is not settled yet. Most acquirers show transactions only after settlement: settle at the terminal and check again tomorrow.")
                } else {
                    Text::new("终端记录这笔交易成功、批次已结算，收单机构却查不到：可能是上送丢失。请凭参考号和授权码让收单机构核查并补入账。", "The terminal approved it and the batch is settled, yet the acquirer cannot find it: the upload may have been lost. Ask the acquirer to check by RRN and auth code and to credit it.")
                },
                facts,
                vec![Text::new("致电收单机构客服，报参考号和授权码", "Call the acquirer's hotline with the RRN and auth code"), Text::new("发送证据包（信函、重打印件、日志摘录）", "Send the evidence pack (letter, reprint, journal excerpt)")],
                prepare_ids,
                remedy,
            );
        }
        Complaint::Dispute => {
            return mk(
                DiagnosisCode::DisputeRespond,
                Text::new("交易成功：用证据回复调单", "Approved: answer the dispute with evidence"),
                Text::new("终端记录这笔交易成功。请在期限内向收单机构提交持卡人签名的签购单和交易记录。", "The terminal approved this transaction. Send the acquirer the slip signed by the cardholder and the transaction record before the deadline."),
                facts,
                vec![Text::new("找出有持卡人签名的商户存根并拍照", "Find the merchant copy signed by the cardholder and photograph it"), Text::new("生成证据包并在期限内提交", "Build the evidence pack and submit it before the deadline")],
                prepare_ids,
                remedy,
            );
        }
        _ => {}
    }
    match remedy {
        Some(Remedy::Void) | Some(Remedy::VoidAtOtherTerminal { .. }) => mk(
            DiagnosisCode::Voidable,
            Text::new("可以撤销", "Can be voided"),
            Text::new(
                format!("批次 {} 还没有结算，可以在终端 {} 上做“撤销”，当天全额退回。", t.batch_no, t.terminal_id),
                format!("Batch {} is not settled yet: void it on terminal {} now; the full amount goes back the same day.", t.batch_no, t.terminal_id),
            ),
            facts,
            vec![Text::new(format!("在终端 {} 上选择“撤销”，输入凭证号 {}", t.terminal_id, t.trace_no), format!("On terminal {} choose VOID and enter voucher {}", t.terminal_id, t.trace_no))],
            vec![],
            remedy,
        ),
        Some(Remedy::Refund { ref rrn, original_date, refundable }) => mk(
            DiagnosisCode::SettledUseRefund,
            Text::new("已结算：不能撤销，请做退货", "Settled: void is impossible, do a refund"),
            Text::new(
                "这笔交易所在批次已经结算，终端里已没有原交易，所以撤销会提示“原交易不存在”。请改做“退货”，需要原交易参考号和日期。",
                "The batch was settled, so the terminal no longer holds the original: a void answers \"original transaction does not exist\". Do a refund instead; it needs the original RRN and date.",
            ),
            facts,
            vec![Text::new(
                format!("在终端上选择“退货”，输入参考号 {rrn}、原交易日期 {}，金额不超过 {refundable}", original_date.format("%m%d")),
                format!("On the terminal choose REFUND, enter RRN {rrn}, original date {}, amount up to {refundable}", original_date.format("%m%d")),
            ), Text::new("如终端不支持退货，联系收单机构办理", "If the terminal cannot refund, ask the acquirer to do it")],
            prepare_ids,
            remedy.clone(),
        ),
        Some(Remedy::RefundNeedsRrn { original_date, refundable }) => mk(
            DiagnosisCode::SettledUseRefund,
            Text::new("已结算：不能撤销，请做退货", "Settled: void is impossible, do a refund"),
            Text::new(
                "这笔交易所在批次已经结算，撤销会提示“原交易不存在”。退货需要参考号，但日志没有记录到它：请收单机构按日期和凭证号查出参考号。",
                "The batch was settled, so a void answers \"original transaction does not exist\". A refund needs the RRN, which the journal did not record: ask the acquirer to look it up by date and voucher.",
            ),
            facts,
            vec![Text::new(
                format!("联系收单机构，查询 {original_date} 凭证号 {} 的参考号，然后退货（不超过 {refundable}）", t.trace_no),
                format!("Ask the acquirer for the RRN of voucher {} on {original_date}, then refund (up to {refundable})", t.trace_no),
            )],
            prepare_ids,
            remedy.clone(),
        ),
        _ => mk(
            DiagnosisCode::ReceiptLost,
            Text::new("交易正常", "All in order"),
            Text::new("这笔交易成功且完整记录，没有发现问题。如需要，可以重打印签购单。", "The transaction is approved and fully recorded; nothing is wrong. Reprint the slip if needed."),
            facts,
            vec![Text::new("重打印签购单", "Reprint the slip")],
            vec![],
            remedy,
        ),
    }
}

/// The state of a case with the acquirer.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Submitted,
    Waiting,
    Won,
    Lost,
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Open,
        CaseStatus::Submitted,
        CaseStatus::Waiting,
        CaseStatus::Won,
        CaseStatus::Lost,
        CaseStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Waiting => "waiting",
            CaseStatus::Won => "won",
            CaseStatus::Lost => "lost",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn is_resolved(self) -> bool {
        matches!(
            self,
            CaseStatus::Won | CaseStatus::Lost | CaseStatus::Withdrawn
        )
    }

    /// Moves a case may make: forward through the process, or to a resolution.
    pub fn can_become(self, next: CaseStatus) -> bool {
        use CaseStatus::*;
        match (self, next) {
            (a, b) if a == b => false,
            (a, _) if a.is_resolved() => false,
            (Open, Submitted | Waiting) | (Submitted, Waiting) => true,
            (_, Won | Lost | Withdrawn) => true,
            _ => false,
        }
    }
}

/// Days from `today` to `due` (negative when overdue).
pub fn days_left(due: NaiveDate, today: NaiveDate) -> i64 {
    (due - today).num_days()
}
