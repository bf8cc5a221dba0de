//! Decides what happened to a voucher and what to do, from the journal's facts.
//!
//! The order of the questions is the point: first what the asked voucher itself is
//! (a sale, a void, a refund, a reversal, a pre-authorisation or its completion or
//! cancellation) and whether something already undid it; only then look-alikes and
//! twins. A wrong answer costs the shop money (a refund paid twice, the only real
//! payment voided), so where the journal alone cannot decide the answer says so and
//! lists the questions that tell the causes apart.

use crate::casework::{Check, Diagnosis, DiagnosisCode, Fact, Facts, Recorded, Text};
use crate::{
    business_day, cancelled_by, refunded_total, remedy_within, same_charge_twice, Batch,
    BatchState, Complaint, Money, Outcome, Remedy, Transaction, TxnKind, Witness,
};
use chrono::TimeDelta;

/// How close two identical charges must be to count as a duplicate.
pub const DUPLICATE_WINDOW: TimeDelta = TimeDelta::minutes(10);

type D = DiagnosisCode;

fn t(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text::new(zh, en)
}

fn describe(r: &Recorded) -> Text {
    let x = &r.txn;
    let (kzh, ken) = x.kind.words();
    let (ozh, oen) = x.outcome.words();
    let rrn = x.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—");
    let card = x.pan.as_ref().map(|p| p.last4()).unwrap_or("—");
    Text::new(
        format!(
            "#{} 终端 {} 批次 {} 凭证号 {} {} {} {} 卡号后四位 {} 参考号 {} 结果：{}",
            r.id,
            x.terminal_id,
            x.batch_no,
            x.trace_no,
            kzh,
            x.amount.zh_string(),
            x.occurred_at,
            card,
            rrn,
            ozh
        ),
        format!(
            "#{} terminal {} batch {} voucher {} {} {} at {} card …{} RRN {} outcome: {}",
            r.id,
            x.terminal_id,
            x.batch_no,
            x.trace_no,
            ken,
            x.amount,
            x.occurred_at,
            card,
            rrn,
            oen
        ),
    )
}

fn fact(r: &Recorded) -> Fact {
    Fact {
        txn_id: Some(r.id),
        line_id: None,
        text: describe(r),
    }
}

fn note(text: Text) -> Fact {
    Fact {
        txn_id: None,
        line_id: None,
        text,
    }
}

fn witness_fact(w: &Witness) -> Fact {
    Fact {
        txn_id: None,
        line_id: Some(w.line_id),
        text: w.describe(),
    }
}

fn identifiers(x: &Transaction) -> Text {
    let rrn = x.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—");
    let auth = x.auth_code.as_ref().map(|r| r.as_str()).unwrap_or("—");
    Text::new(
        format!(
            "商户号 {}、终端号 {}、批次号 {}、凭证号 {}、参考号 {}、授权码 {}、金额 {}、交易时间 {}",
            x.merchant_id,
            x.terminal_id,
            x.batch_no,
            x.trace_no,
            rrn,
            auth,
            x.amount.zh_string(),
            x.occurred_at
        ),
        format!(
            "merchant no. {}, terminal {}, batch {}, voucher {}, RRN {}, auth code {}, amount {}, time {}",
            x.merchant_id, x.terminal_id, x.batch_no, x.trace_no, rrn, auth, x.amount, x.occurred_at
        ),
    )
}

fn prepare_ids(x: &Transaction) -> Vec<Text> {
    vec![
        identifiers(x),
        t("签购单（或本软件的重打印件）", "The slip (or this reprint)"),
    ]
}

/// "凭证号 000310 的消费" / "sale 000310".
fn named(x: &Transaction) -> Text {
    let (zh, en) = x.kind.words();
    t(
        format!("凭证号 {} 的{}", x.trace_no, zh),
        format!("{} {}", en, x.trace_no),
    )
}

/// The questions that tell apart the causes the journal cannot see (the "票不可用"
/// classes), each with what a "yes" means and who to call.
fn outside_checks() -> Vec<Check> {
    let c = |q: Text, y: Text, call: Text| Check {
        question: q,
        if_yes: y,
        call,
    };
    vec![
        c(
            t("是在付款当天、或终端结算之前去收单机构后台查的吗？", "Did you search the acquirer's back end on the day of the payment, or before the terminal settled?"),
            t("多数收单机构要结算后（常为第二天，T+1）才显示交易，部分后台还按日期或权限限制查询：先在终端上结算，第二天再查。", "Most acquirers show a payment only after settlement, often the next day (T+1), and some back ends limit searches by date or user role: settle at the terminal and search again tomorrow."),
            t("暂不需要打电话；结算后第二天仍查不到，再打收单机构客服。", "Nobody yet; if it is still missing the day after settlement, call the acquirer."),
        ),
        c(
            t("那笔交易前后，终端是否提示通讯失败、超时，或打出过冲正单？", "Around that payment, did the terminal show a communication error or timeout, or print a reversal (冲正) slip?"),
            t("交易可能没有上送到收单机构（上送丢失），或已超时自动冲正：顾客多半没有被扣款。", "The payment may never have reached the acquirer (lost transmission), or timed out and was reversed automatically: the customer was most likely not charged."),
            t("收单机构客服：报商户号、终端号、凭证号、时间和金额。", "The acquirer's hotline, with merchant no., terminal no., voucher, time and amount."),
        ),
        c(
            t("终端最近升级过程序，或这张卡是终端不常受理的类型（外卡、新卡种）吗？", "Was the terminal's software updated recently, or was the card of a kind this terminal rarely takes (a foreign card, a new card type)?"),
            t("终端程序与收单系统版本不兼容时，交易可能在终端显示成功却没有正确上送。", "When the terminal's software and the acquirer's system disagree on versions, a payment can show as approved at the terminal yet not be uploaded correctly."),
            t("先打终端的装机服务商，再打收单机构客服。", "The terminal's service provider first, then the acquirer's hotline."),
        ),
        c(
            t("收单机构网站或客服是否公告系统维护，或者最近其他交易也都查不到？", "Does the acquirer's website or hotline announce maintenance, or are other recent payments missing too?"),
            t("收单机构后台正在维护或补数据，维护结束后交易会显示出来。", "The acquirer's back end is under maintenance or catching up; the payments appear when it is over."),
            t("暂不需要打电话；公告的维护结束后再查。", "Nobody yet; search again after the announced end of the maintenance."),
        ),
        c(
            t("终端的网络（网线、Wi-Fi 或流量卡）最近不稳定，或那段时间其他交易也失败吗？", "Has the terminal's network (cable, Wi-Fi or SIM card) been unreliable, or did other payments fail around then?"),
            t("交易可能还留在终端里没有上送：网络恢复后做一次结算，让终端把交易送出去。", "The payments may still be waiting in the terminal: once the network is back, settle so the terminal sends them."),
            t("网络运营商或终端的装机服务商。", "Your network provider or the terminal's service provider."),
        ),
    ]
}

struct Answer<'a> {
    complaint: Complaint,
    f: &'a Facts,
    facts: Vec<Fact>,
    warnings: Vec<Text>,
    checks: Vec<Check>,
    decides: bool,
}

impl<'a> Answer<'a> {
    fn done(
        self,
        code: DiagnosisCode,
        title: Text,
        explanation: Text,
        next_steps: Vec<Text>,
        prepare: Vec<Text>,
        remedy: Option<Remedy>,
    ) -> Diagnosis {
        Diagnosis {
            code,
            complaint: self.complaint,
            title,
            explanation,
            facts: self.facts,
            next_steps,
            prepare,
            remedy,
            needs_acquirer: code.needs_acquirer(),
            journal_decides: self.decides,
            checks: self.checks,
            warnings: self.warnings,
        }
    }

    fn related(&self) -> Vec<Transaction> {
        self.f.related.iter().map(|r| r.txn.clone()).collect()
    }

    /// Approved transactions of `kind` that refer to `x`.
    fn referring(&self, x: &Transaction, kind: TxnKind) -> Vec<&'a Recorded> {
        self.f
            .related
            .iter()
            .filter(|r| {
                r.txn.kind == kind && r.txn.outcome == Outcome::Approved && r.txn.refers_to(x)
            })
            .collect()
    }

    /// The batch `x` was taken in, as the journal knows it; a batch it has no
    /// settlement for is open.
    fn batch_of(&self, x: &Transaction) -> Batch {
        let same = |b: &&Batch| b.terminal_id == x.terminal_id && b.batch_no == x.batch_no;
        self.f
            .batch
            .iter()
            .chain(self.f.related_batches.iter())
            .find(same)
            .cloned()
            .unwrap_or_else(|| Batch {
                terminal_id: x.terminal_id.clone(),
                batch_no: x.batch_no.clone(),
                state: BatchState::Open,
            })
    }

    /// Whether the acquirer's business day of `x` is still today's. Unknown "now"
    /// leaves the void window to the batch alone.
    fn same_business_day(&self, x: &Transaction) -> bool {
        let cutoff = self.f.rules.cutoff;
        self.f
            .now
            .is_none_or(|now| business_day(x.occurred_at, cutoff) == business_day(now, cutoff))
    }

    fn cutoff_text(&self) -> Text {
        let c = self.f.rules.cutoff.format("%H:%M").to_string();
        match &self.f.rules.name {
            Some(n) => t(
                format!("{} 的日切时间 {c}", n.zh),
                format!("{}'s business day turns at {c}", n.en),
            ),
            None => t(
                format!("日切时间按 {c}（收单机构未知，按本地零点）"),
                format!("business day taken to turn at {c} (acquirer not known: local midnight)"),
            ),
        }
    }
}

/// Decides what happened and what to do.
pub fn diagnose(complaint: Complaint, f: &Facts) -> Diagnosis {
    let mut a = Answer {
        complaint,
        f,
        facts: Vec::new(),
        warnings: Vec::new(),
        checks: Vec::new(),
        decides: true,
    };
    let Some(found) = &f.found else {
        return match f.statement.first() {
            Some(w) => from_statement(a, w),
            None => not_found(a),
        };
    };
    a.facts.push(fact(found));
    // The acquirer's own record, beside the journal's; where they disagree the
    // acquirer goes by its record, and the owner should know before acting.
    if let Some(w) = f.statement.first() {
        a.facts.push(witness_fact(w));
        if let Some(w) = disagreement(&found.txn, w) {
            a.warnings.push(w);
        }
    }
    a.facts.extend(f.related.iter().map(fact));
    if !f.other_batches.is_empty() {
        let batches: Vec<&str> = f
            .other_batches
            .iter()
            .map(|r| r.txn.batch_no.as_str())
            .collect();
        a.warnings.push(t(
            format!(
                "凭证号 {} 在本终端的其他批次（{}）也出现过：这里说的是当前未结算批次 {} 里的那一笔。",
                found.txn.trace_no,
                batches.join("、"),
                found.txn.batch_no
            ),
            format!(
                "Voucher {} also appears in other batches of this terminal ({}): this answer is about the one in the open batch {}.",
                found.txn.trace_no,
                batches.join(", "),
                found.txn.batch_no
            ),
        ));
        a.facts.extend(f.other_batches.iter().map(fact));
    }
    match found.txn.kind {
        k if k.is_undo() => undo(a, found),
        TxnKind::PreAuth => pre_auth(a, found),
        TxnKind::Sale | TxnKind::PreAuthCompletion => debit(a, found),
        _ => {
            let (zh, en) = found.txn.kind.words();
            a.done(
                D::NotAPayment,
                t("这不是一笔付款", "This is not a payment"),
                t(
                    format!("这是一笔{zh}，没有资金变动，不需要撤销或退货。"),
                    format!(
                        "This is a {en}; no money moved and there is nothing to void or refund."
                    ),
                ),
                vec![t(
                    "核对签购单上的凭证号，找出真正的那笔付款",
                    "Check the voucher number on the slip and look up the actual payment",
                )],
                vec![],
                None,
            )
        }
    }
}

fn not_found(mut a: Answer) -> Diagnosis {
    let f = a.f;
    if matches!(a.complaint, Complaint::NotInAcquirerBackEnd) {
        a.checks = outside_checks();
        a.decides = false;
    }
    if f.statement_covers {
        a.facts.push(note(t(
            "收单机构已导入的对账单覆盖那一天，也没有列出这笔。",
            "The acquirer's imported statement covers that day and does not list it either.",
        )));
    }
    if let Some(gap) = &f.gap {
        a.facts.push(note(t(
            format!("记录缺口：{}", gap.zh),
            format!("Recorded gap: {}", gap.en),
        )));
        if !f.elsewhere.is_empty() {
            // Each terminal counts its own vouchers: the same number elsewhere is
            // another payment, and the hole here is the better explanation.
            a.facts.push(note(t(
                "另一台终端上有相同的凭证号；每台终端各自编号，那是另一笔交易：",
                "Another terminal has the same voucher number; each terminal numbers its own, so that is a different payment:",
            )));
            a.facts.extend(f.elsewhere.iter().map(fact));
        }
        // Look-alikes stay visible: the owner may still have misread the number.
        a.facts.extend(f.near.iter().map(fact));
        a.decides = false;
        return a.done(
            D::NotInJournalGap,
            t("镜像漏掉了这笔", "The mirror missed this one"),
            t(
                "日志在这段时间或这段凭证号有缺口（或结算总数对不上），这笔交易可能发生了但没有被记录下来。只看日志无法判断，收单机构有完整记录。",
                "The journal has a gap around this time or voucher range (or the settlement totals disagree), so the transaction may have happened without being recorded. The journal alone cannot decide; the acquirer has the full record.",
            ),
            vec![t(
                "联系收单机构，按时间和金额查询这笔交易",
                "Contact the acquirer and ask them to look it up by time and amount",
            )],
            vec![
                t("交易大概时间和金额、卡号后四位", "Approximate time, amount and card last-4"),
                t("商户号和终端号", "Merchant no. and terminal no."),
            ],
            None,
        );
    }
    if !f.elsewhere.is_empty() {
        a.facts.extend(f.elsewhere.iter().map(fact));
        let other = &f.elsewhere[0].txn.terminal_id;
        return a.done(
            D::OtherTerminal,
            t("这笔交易在店里另一台终端上", "The voucher is on another terminal of the shop"),
            t(
                format!("本终端没有这个凭证号，但终端 {other} 有。撤销、退货都必须在原终端上做。"),
                format!("This terminal has no such voucher, but terminal {other} does. Voids and refunds must be done on the terminal that took the payment."),
            ),
            vec![t(format!("到终端 {other} 上操作"), format!("Use terminal {other}"))],
            vec![],
            None,
        );
    }
    if !f.near.is_empty() {
        a.facts.extend(f.near.iter().map(fact));
        return a.done(
            D::NotInJournalTypo,
            t("没有这个号码，但有很像的", "Not found, but close matches exist"),
            t(
                "日志里没有这个凭证号；下面几笔号码只差一位或两位颠倒，或金额时间相同。多半是看错或输错了号码。",
                "The journal has no such voucher; the transactions below differ by one digit, two swapped digits, or have the same amount and time. Most likely the number was misread or mistyped.",
            ),
            vec![t("对照签购单，选出正确的那一笔", "Compare with the slip and pick the right one")],
            vec![],
            None,
        );
    }
    a.done(
        D::NotInJournal,
        t("日志里没有这笔交易", "Not in the journal"),
        t(
            "日志没有缺口，也没有相近的交易：这笔多半不是在本店这些终端上做的（比如别家商户、扫码支付或其他收款方式）。",
            "The journal has no gap and nothing similar: the payment was most likely not made on these terminals (another shop, a QR-code payment, another way of paying).",
        ),
        vec![t(
            "请顾客出示签购单或银行账单上的商户名称和时间再核对",
            "Ask the customer for the slip or the bank statement line (merchant name and time) and check again",
        )],
        vec![],
        None,
    )
}

/// The asked voucher is a void, refund, reversal, pre-auth cancellation or completion
/// void: answer about what it undid.
fn undo(mut a: Answer, found: &Recorded) -> Diagnosis {
    let u = &found.txn;
    let original = a.f.related.iter().find(|r| u.refers_to(&r.txn));
    let (uzh, uen) = u.kind.words();
    let of = match original {
        Some(o) => named(&o.txn),
        None => {
            let v = u
                .original_trace_no
                .as_ref()
                .map(|v| v.as_str())
                .unwrap_or("—");
            t(
                format!("凭证号 {v} 的原交易"),
                format!("the original voucher {v}"),
            )
        }
    };
    match u.outcome {
        Outcome::Approved => {}
        Outcome::Unknown => {
            return a.done(
                D::UnknownOutcome,
                t(format!("这笔{uzh}结果未知"), format!("This {uen} has no final result")),
                t(
                    format!("你问的是对{}的{uzh}，终端没有给出最终结果（通讯中断）。原交易可能已经被撤回，也可能没有。", of.zh),
                    format!("This is the {uen} of {}, and the terminal never reported its final result (the link broke). The original may or may not have been taken back.", of.en),
                ),
                vec![
                    t("先不要再做一次：在终端上查询或打印最后一笔交易", "Do not repeat it yet: query or print the last transaction at the terminal"),
                    t("仍不清楚时，联系收单机构按凭证号和时间确认", "If still unclear, ask the acquirer to confirm by voucher and time"),
                ],
                prepare_ids(u),
                None,
            );
        }
        _ => {
            let (ozh, oen) = u.outcome.words();
            if let Some(o) = original {
                // A failed undo changes nothing: the original is what the owner must act on.
                a.warnings.push(t(
                    format!("你问的是对{}的{uzh}，但这笔{uzh}{ozh}，原交易仍然有效。下面是原交易的情况。", of.zh),
                    format!("This is the {uen} of {}, but it was {oen}: the original still stands. What follows is about the original.", of.en),
                ));
                let mut b = Answer {
                    facts: vec![fact(o)],
                    ..a
                };
                b.facts
                    .extend(b.f.related.iter().filter(|r| r.id != o.id).map(fact));
                b.facts.push(fact(found));
                return if o.txn.kind == TxnKind::PreAuth {
                    pre_auth(b, o)
                } else {
                    debit(b, o)
                };
            }
            return a.done(
                D::Declined,
                t(format!("这笔{uzh}没有成功"), format!("This {uen} did not go through")),
                t(
                    format!("你问的是对{}的{uzh}，结果：{ozh}。它没有改变原交易；日志里没有原交易，无法判断原交易现在的状态。", of.zh),
                    format!("This is the {uen} of {}; its outcome: {oen}. It changed nothing; the journal does not have the original, so its state cannot be told from here.", of.en),
                ),
                vec![t("按原交易的凭证号或参考号再查一次", "Look up the original by its voucher or RRN")],
                vec![],
                None,
            );
        }
    }
    match u.kind {
        TxnKind::Reversal => a.done(
            D::IsReversal,
            t("这是一笔冲正：原交易没有扣款", "This is a reversal: the original did not charge the card"),
            t(
                format!("你问的是{}的冲正（终端在超时或出错后自动撤回交易）。冲正成功，原交易不算数，顾客没有被扣款，不需要撤销或退货。", of.zh),
                format!("This is the reversal of {} (the terminal takes a transaction back by itself after a timeout or error). It went through: the original does not count, the customer was not charged, and there is nothing to void or refund.", of.en),
            ),
            vec![
                t("如顾客仍要付款，请重新做一笔消费", "If the customer still wants to pay, start a new sale"),
                t("银行 App 里的冻结显示会在几天内自动消失", "A pending amount in the bank app disappears by itself within days"),
            ],
            vec![],
            None,
        ),
        TxnKind::Refund => {
            if let Some(o) = original {
                // The asked refund counts with the others.
                let mut all = a.related();
                all.push(u.clone());
                let refunded = refunded_total(&o.txn, &all).unwrap_or(u.amount);
                if refunded.minor() > o.txn.amount.minor() {
                    return over_refunded(a, &o.txn, refunded);
                }
                let left = o
                    .txn
                    .amount
                    .checked_sub(refunded)
                    .unwrap_or(Money::zero(u.amount.currency()));
                return a.done(
                    D::IsRefund,
                    t("这是一笔退货", "This is a refund"),
                    t(
                        format!(
                            "你问的是对{}（{}）的退货，金额 {}。原交易已退合计 {}，还可退 {}。退货不能撤销：如果退错了，请顾客重新付款（做一笔新的消费）。",
                            of.zh, o.txn.occurred_at.date(), u.amount.zh_string(), refunded.zh_string(), left.zh_string()
                        ),
                        format!(
                            "This is a refund of {} ({}) for {}. Refunds of it total {}; {} can still be refunded. A refund cannot be voided: if it was a mistake, the customer pays again with a new sale.",
                            of.en, o.txn.occurred_at.date(), u.amount, refunded, left
                        ),
                    ),
                    vec![t("退款一般 3–15 个工作日到账，请告诉顾客耐心等待", "Tell the customer refunds usually reach the card in 3–15 working days")],
                    vec![],
                    None,
                );
            }
            a.done(
                D::IsRefund,
                t("这是一笔退货", "This is a refund"),
                t(
                    format!("你问的是对{}的退货，金额 {}。日志里没有原交易，无法核对已退总额。退货不能撤销。", of.zh, u.amount.zh_string()),
                    format!("This is a refund of {} for {}. The journal does not have the original, so the refunded total cannot be checked. A refund cannot be voided.", of.en, u.amount),
                ),
                vec![t("退款一般 3–15 个工作日到账", "Refunds usually reach the card in 3–15 working days")],
                vec![],
                None,
            )
        }
        TxnKind::PreAuthCancel => a.done(
            D::IsVoid,
            t("这是一笔预授权撤销：冻结已释放", "This is a pre-auth cancellation: the hold is released"),
            t(
                format!("你问的是{}的撤销。撤销成功，卡上冻结的金额已释放，没有扣款。预授权撤销后不能恢复：如需再冻结，请重新做预授权。", of.zh),
                format!("This cancels {}. It went through: the hold on the card is released and nothing was charged. A cancelled pre-authorisation cannot be restored: to hold money again, do a new pre-authorisation.", of.en),
            ),
            vec![t("告诉顾客冻结金额会由发卡行解除，通常几天内", "Tell the customer the issuer releases the held amount, usually within days")],
            vec![],
            None,
        ),
        TxnKind::PreAuthCompletionVoid => a.done(
            D::IsVoid,
            t("这是一笔预授权完成撤销：扣款已取消", "This is a completion void: the charge is cancelled"),
            t(
                format!("你问的是{}的撤销。撤销成功，这笔扣款取消了，当天退回。撤销不能再撤销；原预授权的冻结可能仍在，直到做预授权撤销或到期。", of.zh),
                format!("This voids {}. It went through: the charge is cancelled and goes back the same day. A void cannot be voided; the original pre-authorisation may still hold money until it is cancelled or expires."
                    , of.en),
            ),
            vec![
                t("如仍要收款，重新做预授权完成", "To charge after all, do a new pre-auth completion"),
                t("如不再收款，做预授权撤销，释放冻结", "If nothing is to be charged, cancel the pre-authorisation to release the hold"),
            ],
            vec![],
            None,
        ),
        _ => a.done(
            D::IsVoid,
            t("这是一笔撤销：原交易已撤销", "This is a void: the original is already voided"),
            t(
                format!("你问的是{}的撤销。撤销成功，那笔交易已撤销，款项当天退回顾客。撤销不能再撤销：如需重新收款，请做一笔新的消费。", of.zh),
                format!("This is the void of {}. It went through: that transaction is already voided and the money went back to the customer. A void cannot be voided: to charge again, start a new sale.", of.en),
            ),
            vec![t("把这张撤销单出示给顾客", "Show the customer this void")],
            vec![],
            None,
        ),
    }
}

fn over_refunded(a: Answer, o: &Transaction, refunded: Money) -> Diagnosis {
    let over = refunded.checked_sub(o.amount).unwrap_or(refunded);
    let mut a = a;
    a.warnings.push(t(
        format!(
            "退货合计 {} 比原交易 {} 多 {}",
            refunded.zh_string(),
            o.amount.zh_string(),
            over.zh_string()
        ),
        format!(
            "Refunds total {refunded}, {over} more than the original {}",
            o.amount
        ),
    ));
    a.done(
        D::OverRefunded,
        t("退款超过了原交易金额", "Refunded more than the sale"),
        t(
            format!(
                "{}金额 {}，但成功的退货合计 {}，多退了 {}。",
                named(o).zh,
                o.amount.zh_string(),
                refunded.zh_string(),
                over.zh_string()
            ),
            format!(
                "{} was for {}, but approved refunds of it total {}: {} too much.",
                named(o).en,
                o.amount,
                refunded,
                over
            ),
        ),
        vec![
            t(
                "核对退货单，确认是否重复退货",
                "Check the refund slips for a refund done twice",
            ),
            t(
                "联系收单机构，确认每笔退货是否都已入账，并商量多退部分的处理",
                "Ask the acquirer whether every refund was booked, and how to recover the excess",
            ),
        ],
        prepare_ids(o),
        None,
    )
}

fn pre_auth(mut a: Answer, found: &Recorded) -> Diagnosis {
    let p = &found.txn;
    let reversed = p.outcome == Outcome::Reversed || !a.referring(p, TxnKind::Reversal).is_empty();
    if reversed {
        return a.done(
            D::Reversed,
            t("预授权已冲正：没有冻结", "Pre-authorisation reversed: nothing is held"),
            t(
                "这笔预授权超时后被冲正（撤回），卡上不会有冻结；银行 App 里短时间的显示会自动消失。",
                "This pre-authorisation timed out and was reversed: nothing is held on the card; anything the bank app shows for a while disappears by itself.",
            ),
            vec![t("如仍需冻结，重新做预授权", "To hold money after all, do a new pre-authorisation")],
            vec![],
            None,
        );
    }
    match p.outcome {
        Outcome::Unknown => {
            return a.done(
                D::UnknownOutcome,
                t("预授权结果未知", "Pre-authorisation outcome unknown"),
                t(
                    "预授权开始了，但终端没有给出最终结果（通讯中断）。卡上可能有冻结，也可能没有。",
                    "The pre-authorisation started but the terminal never reported its result (the link broke). Money may or may not be held on the card.",
                ),
                vec![t("先不要重做：联系收单机构按凭证号和时间确认", "Do not repeat it yet: ask the acquirer to confirm by voucher and time")],
                prepare_ids(p),
                None,
            );
        }
        Outcome::Declined => {
            return a.done(
                D::Declined,
                t(
                    "预授权被拒绝：没有冻结",
                    "Pre-authorisation declined: nothing is held",
                ),
                t(
                    "发卡行拒绝了这笔预授权，卡上没有冻结。",
                    "The issuer declined this pre-authorisation; nothing is held on the card.",
                ),
                vec![t(
                    "如仍需冻结，重新做预授权",
                    "To hold money, do a new pre-authorisation",
                )],
                vec![],
                None,
            );
        }
        _ => {}
    }
    let related = a.related();
    if !a.referring(p, TxnKind::PreAuthCancel).is_empty() {
        return a.done(
            D::PreAuthCancelled,
            t("预授权已撤销：冻结已释放", "Pre-authorisation cancelled: the hold is released"),
            t(
                "这笔预授权已在终端上撤销，没有扣款，冻结金额由发卡行释放（通常几天内）。",
                "This pre-authorisation was cancelled at the terminal: nothing was charged and the issuer releases the hold (usually within days).",
            ),
            vec![t("告诉顾客冻结会自动解除，不是扣款", "Tell the customer the hold is released by itself; it is not a charge")],
            vec![],
            None,
        );
    }
    let completions: Vec<&Recorded> = a
        .referring(p, TxnKind::PreAuthCompletion)
        .into_iter()
        .filter(|c| cancelled_by(&c.txn, &related).is_none())
        .collect();
    if let Some(c) = completions.first() {
        let twice = matches!(a.complaint, Complaint::ChargedTwice);
        return a.done(
            D::PreAuthCompleted,
            t("预授权已完成：扣款是那笔预授权完成", "Completed: the charge is the completion"),
            t(
                format!(
                    "预授权只是冻结，不是扣款；真正的扣款是凭证号 {} 的预授权完成，金额 {}。{}",
                    c.txn.trace_no,
                    c.txn.amount.zh_string(),
                    if twice { "银行 App 可能同时显示冻结和扣款，冻结几天内会自动解除：这是一笔扣款，不是两笔。" } else { "" }
                ),
                format!(
                    "A pre-authorisation only holds money; the charge is the completion, voucher {}, for {}.{}",
                    c.txn.trace_no,
                    c.txn.amount,
                    if twice { " The bank app may show both the hold and the charge until the hold is released in a few days: that is one charge, not two." } else { "" }
                ),
            ),
            vec![t(
                format!("要退钱时，处理那笔预授权完成（凭证号 {}）：按凭证号再查一次，看能撤销还是要退货", c.txn.trace_no),
                format!("To give money back, act on the completion (voucher {}): look it up to see whether it can be voided or needs a refund", c.txn.trace_no),
            )],
            vec![],
            None,
        );
    }
    let expires = p.occurred_at.date() + TimeDelta::days(i64::from(a.f.rules.pre_auth_hold_days));
    let days = a.f.rules.pre_auth_hold_days;
    let whose = a.f.rules.name.clone().unwrap_or_else(|| {
        t(
            "收单机构（未知，按默认）",
            "the acquirer (not known: the default)",
        )
    });
    a.facts.push(note(t(
        format!("{}的预授权有效期 {days} 天：到 {expires}", whose.zh),
        format!(
            "{} holds a pre-authorisation for {days} days: until {expires}",
            whose.en
        ),
    )));
    if a.f.now.is_some_and(|now| now.date() > expires) {
        return a.done(
            D::PreAuthExpired,
            t("预授权已过期：冻结已释放，没有扣款", "Pre-authorisation expired: released, never charged"),
            t(
                format!("这笔预授权 {expires} 到期前没有完成，发卡行已释放冻结，顾客没有被扣款。现在再做预授权完成会被拒绝。"),
                format!("This pre-authorisation was not completed before it expired on {expires}: the issuer has released the hold and the customer was not charged. A completion now would be declined."),
            ),
            vec![t("如仍要收款，请顾客重新付款（做一笔新的消费）", "To charge after all, take a new sale from the customer")],
            vec![],
            None,
        );
    }
    a.done(
        D::PreAuthOpen,
        t("预授权：只是冻结，还不是扣款", "Pre-authorisation: a hold, not a charge"),
        t(
            format!("这笔预授权冻结了 {}，但没有扣款。{expires} 前可以：做“预授权完成”收款；做“预授权撤销”释放冻结；或不操作，到期后自动释放。", p.amount.zh_string()),
            format!("This pre-authorisation holds {} on the card; nothing is charged yet. Until {expires} you can: do a pre-auth completion to charge; cancel it (pre-auth cancellation) at the terminal to release the hold; or leave it to expire.", p.amount),
        ),
        vec![
            t(format!("要收款：在终端上做预授权完成，输入授权码和原凭证号 {}", p.trace_no), format!("To charge: do a pre-auth completion at the terminal with the auth code and voucher {}", p.trace_no)),
            t("不收款：在终端上做预授权撤销，顾客的冻结会释放", "Not charging: cancel the pre-authorisation at the terminal so the hold is released"),
            t("告诉顾客：银行 App 显示的是冻结，不是扣款", "Tell the customer: the bank app shows a hold, not a charge"),
        ],
        vec![],
        None,
    )
}

fn debit(mut a: Answer, found: &Recorded) -> Diagnosis {
    let x = &found.txn;
    let related = a.related();
    let (kzh, ken) = x.kind.words();
    let reversed = x.outcome == Outcome::Reversed || !a.referring(x, TxnKind::Reversal).is_empty();
    if reversed {
        let was_unknown = x.outcome == Outcome::Unknown;
        return a.done(
            D::Reversed,
            t("已冲正：顾客没有被扣款", "Reversed: the customer was not charged"),
            t(
                format!(
                    "{}这笔交易被冲正（撤回）。顾客的卡不会被扣款；银行 App 里可能短时间显示一笔冻结，几天内会自动消失。",
                    if was_unknown { "终端当时没有给出结果，随后发出了冲正：" } else { "这笔交易超时后被冲正。" }
                ),
                format!(
                    "{} The card is not charged; the bank app may show a pending hold for a few days, which disappears by itself.",
                    if was_unknown { "The terminal gave no result at the time and then reversed the transaction." } else { "The transaction timed out and was reversed." }
                ),
            ),
            vec![
                t("告诉顾客冻结金额会自动解除", "Tell the customer the hold will be released automatically"),
                t("如超过 7 天仍未解除，联系收单机构", "If it is still there after 7 days, contact the acquirer"),
            ],
            prepare_ids(x),
            None,
        );
    }
    match x.outcome {
        Outcome::Unknown => {
            return a.done(
                D::UnknownOutcome,
                t("交易结果未知", "Outcome unknown"),
                t(
                    "交易开始了，但终端没有给出最终结果（通讯中断）。可能已扣款，也可能已自动冲正。",
                    "The transaction started but the terminal never reported a final result (the link broke). The card may have been charged, or the charge may have been reversed automatically.",
                ),
                vec![
                    t("不要让顾客再刷一次，先查清楚", "Do not charge the customer again before this is clear"),
                    t("联系收单机构，按凭证号和时间确认结果", "Ask the acquirer to confirm the outcome by voucher and time"),
                ],
                prepare_ids(x),
                None,
            );
        }
        Outcome::Declined => {
            return a.done(
                D::Declined,
                t("交易被拒绝：没有扣款", "Declined: no money moved"),
                t(
                    "发卡行拒绝了这笔交易，没有发生资金变动，不需要撤销或退货。",
                    "The issuer declined it. No money moved; there is nothing to void or refund.",
                ),
                vec![t(
                    "如顾客仍要付款，请重新交易",
                    "If the customer still wants to pay, start a new transaction",
                )],
                vec![],
                None,
            );
        }
        _ => {}
    }
    if x.outcome == Outcome::Voided || cancelled_by(x, &related).is_some() {
        return a.done(
            D::AlreadyVoided,
            t("已经撤销过了", "Already voided"),
            t(
                format!("这笔{kzh}已经撤销，顾客的钱已退回（撤销当天生效）。不能再撤销或退货。"),
                format!("This {ken} was already voided; the money went back to the customer. It cannot be voided or refunded again."),
            ),
            vec![t("把撤销记录（见上）出示给顾客", "Show the customer the void (listed above)")],
            vec![],
            Some(Remedy::AlreadyVoided),
        );
    }
    let refunded = refunded_total(x, &related).unwrap_or(Money::zero(x.amount.currency()));
    if refunded.minor() > x.amount.minor() {
        return over_refunded(a, x, refunded);
    }
    if refunded.minor() == x.amount.minor() {
        return a.done(
            D::AlreadyRefunded,
            t("已经全额退货", "Already fully refunded"),
            t(
                format!("退货合计 {}，等于原交易金额。退款一般 3–15 个工作日到账。", refunded.zh_string()),
                format!("Refunds total {refunded}, the whole amount. Refunds usually reach the card in 3–15 working days."),
            ),
            vec![t("把退货记录（见上）出示给顾客", "Show the customer the refund (listed above)")],
            vec![],
            Some(Remedy::AlreadyRefunded),
        );
    }
    let live = |d: &Recorded| {
        cancelled_by(&d.txn, &related).is_none()
            && !related.iter().any(|r| {
                r.kind == TxnKind::Reversal && r.outcome == Outcome::Approved && r.refers_to(&d.txn)
            })
            && refunded_total(&d.txn, &related).is_ok_and(|m| m.minor() < d.txn.amount.minor())
    };
    let twins: Vec<&Recorded> = a
        .f
        .duplicates
        .iter()
        .filter(|d| d.id != found.id && same_charge_twice(x, &d.txn, DUPLICATE_WINDOW) && live(d))
        .collect();
    if !twins.is_empty()
        && matches!(
            a.complaint,
            Complaint::ChargedTwice | Complaint::Dispute | Complaint::Other
        )
    {
        a.facts.extend(twins.iter().map(|d| fact(d)));
        let mut all: Vec<&Recorded> = twins.clone();
        all.push(found);
        all.sort_by_key(|r| (r.txn.occurred_at, r.id));
        let keep = all[0];
        let undo: Vec<&str> = all[1..].iter().map(|r| r.txn.trace_no.as_str()).collect();
        return a.done(
            D::DuplicateCharge,
            t("重复扣款：同一张卡同一金额两笔", "Duplicate charge: same card, same amount, twice"),
            t(
                format!("日志里有 {} 笔同一张卡（后四位 {}）、同金额、相隔几分钟的成功扣款，都没有撤销或退货。", all.len(), x.pan.as_ref().map(|p| p.last4()).unwrap_or("—")),
                format!("The journal has {} approved charges to the same card (…{}) for the same amount, minutes apart, none voided or refunded.", all.len(), x.pan.as_ref().map(|p| p.last4()).unwrap_or("—")),
            ),
            vec![
                t(
                    format!("保留最早的一笔（凭证号 {}），只退回后面的：凭证号 {}", keep.txn.trace_no, undo.join("、")),
                    format!("Keep the first (voucher {}) and give back only the later one(s): voucher {}", keep.txn.trace_no, undo.join(", ")),
                ),
                t("批次未结算：在原终端撤销那一笔；已结算：对它做退货，或联系收单机构", "Batch still open: void that one at its terminal; settled: refund it, or contact the acquirer"),
            ],
            prepare_ids(x),
            None,
        );
    }
    if matches!(a.complaint, Complaint::ChargedTwice) {
        let attempts: Vec<&Recorded> =
            a.f.near
                .iter()
                .chain(a.f.duplicates.iter())
                .filter(|r| r.id != found.id)
                .collect();
        if !attempts.is_empty() {
            a.facts.push(note(t(
                "同一时间前后的其他记录（被拒绝、已撤销或不是同一张卡），都不是第二笔扣款：",
                "Other records around then (declined, voided, or another card), none of them a second charge:",
            )));
            a.facts.extend(attempts.iter().map(|r| fact(r)));
        }
        return a.done(
            D::ChargedOnce,
            t("只扣了一次款", "Charged once"),
            t(
                format!(
                    "日志里这张卡这个金额只有一笔有效扣款（凭证号 {}）。{}",
                    x.trace_no,
                    if refunded.minor() > 0 { format!("其中已退 {}。", refunded.zh_string()) } else { String::new() }
                ),
                format!(
                    "The journal shows one live charge to this card for this amount (voucher {}).{}",
                    x.trace_no,
                    if refunded.minor() > 0 { format!(" {refunded} of it has been refunded.") } else { String::new() }
                ),
            ),
            vec![
                t("不要撤销这笔：它是唯一的一笔真实付款", "Do not void it: it is the only real payment"),
                t("请顾客看银行账单：被拒绝的尝试或预授权可能短时间显示为冻结，会自动消失", "Ask the customer to check the bank statement: a declined attempt or a hold may show as pending for a while and disappears by itself"),
                t("如账单上确有两笔入账，请顾客提供账单截图，再联系收单机构", "If the statement really shows two posted charges, ask for a screenshot and contact the acquirer"),
            ],
            vec![],
            None,
        );
    }
    let here =
        a.f.asked_terminal
            .clone()
            .unwrap_or_else(|| x.terminal_id.clone());
    let batch = a.batch_of(x);
    let same_day = a.same_business_day(x);
    let remedy = remedy_within(x, &batch, &here, &related, same_day).ok();
    if refunded.minor() > 0 {
        let left = x.amount.checked_sub(refunded).unwrap_or(x.amount);
        return a.done(
            D::PartiallyRefunded,
            t("已部分退货", "Partially refunded"),
            t(
                format!(
                    "已退 {}，还可退 {}。",
                    refunded.zh_string(),
                    left.zh_string()
                ),
                format!("{refunded} has been refunded; {left} can still be refunded."),
            ),
            vec![t(
                format!("如需再退，做退货，金额不超过 {}", left.zh_string()),
                format!("To refund more, do a refund of at most {left}"),
            )],
            prepare_ids(x),
            remedy,
        );
    }
    match a.complaint {
        Complaint::ReceiptLost => {
            return a.done(
                D::ReceiptLost,
                t("交易正常：重打一张签购单", "All in order: reprint the slip"),
                t("这笔交易成功且完整记录。可以打印一张标明“重打印”的签购单给顾客。", "The transaction is approved and fully recorded. Print a copy marked REPRINT for the customer."),
                vec![t("重打印持卡人存根", "Reprint the cardholder copy")],
                vec![],
                remedy,
            )
        }
        Complaint::NotInAcquirerBackEnd => {
            if let Some(w) = a.f.statement.first() {
                return on_statement(a, w);
            }
            if a.f.statement_covers && !batch.is_open() {
                let prepare = prepare_ids(x);
                return a.done(
                    D::NotOnAcquirerStatement,
                    t("收单机构没有收到这笔", "The acquirer never received it"),
                    t(
                        format!("终端记录这笔交易成功、批次已结算，但收单机构那一天的对账单里没有它：交易没有上送到收单机构（上送丢失），这笔钱不会结算给本店。凭参考号 {} 和授权码 {} 请收单机构核查并补入账。",
                            x.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—"),
                            x.auth_code.as_ref().map(|r| r.as_str()).unwrap_or("—")),
                        format!("The terminal approved it and the batch is settled, but the acquirer's statement for that day does not list it: the payment never reached the acquirer (lost upload), and the shop will not be paid for it. Ask the acquirer to check and credit it by RRN {} and auth code {}.",
                            x.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—"),
                            x.auth_code.as_ref().map(|r| r.as_str()).unwrap_or("—")),
                    ),
                    vec![
                        t("联系收单机构，报参考号和授权码，说明对账单里没有这笔", "Contact the acquirer with the RRN and auth code, and say their statement lacks it"),
                        t("发送证据包（信函、重打印件、日志摘录）", "Send the evidence pack (letter, reprint, journal excerpt)"),
                    ],
                    prepare,
                    remedy,
                );
            }
            let open = batch.is_open();
            let today = a.f.now.is_some_and(|n| n.date() == x.occurred_at.date());
            a.checks = outside_checks();
            // An open batch or a payment of today explains it well enough; otherwise
            // only the questions can tell the causes apart.
            a.decides = open || today;
            let prepare = prepare_ids(x);
            return a.done(
                D::ApprovedAskAcquirer,
                t("终端记录为成功：请收单机构核查", "Approved at the terminal: ask the acquirer to check"),
                if open || today {
                    t("终端记录这笔交易成功，但批次还没有结算或交易就在今天。多数收单机构后台要到结算后（常为第二天）才显示：请先在终端上结算，第二天再查。", "The terminal approved it, but its batch is not settled yet or it happened today. Most acquirers show transactions only after settlement, often the next day: settle at the terminal and check again tomorrow.")
                } else {
                    t("终端记录这笔交易成功、批次已结算，收单机构却查不到。只看日志无法判断原因（上送丢失、超时冲正、查询限制、版本不兼容、维护或网络），请先回答下面的问题，再凭参考号和授权码让收单机构核查并补入账。", "The terminal approved it and the batch is settled, yet the acquirer cannot find it. The journal alone cannot tell why (lost upload, timeout and reversal, query limits, incompatible versions, maintenance or network): answer the questions below, then ask the acquirer to check by RRN and auth code and to credit it.")
                },
                vec![
                    t("联系收单机构，报参考号和授权码", "Contact the acquirer with the RRN and auth code"),
                    t("发送证据包（信函、重打印件、日志摘录）", "Send the evidence pack (letter, reprint, journal excerpt)"),
                ],
                prepare,
                remedy,
            );
        }
        Complaint::Dispute => {
            let prepare = prepare_ids(x);
            return a.done(
                D::DisputeRespond,
                t("交易成功：用证据回复调单", "Approved: answer the dispute with evidence"),
                t("终端记录这笔交易成功。请在期限内向收单机构提交持卡人签名的签购单和交易记录。", "The terminal approved this transaction. Send the acquirer the slip signed by the cardholder and the transaction record before the deadline."),
                vec![
                    t("找出有持卡人签名的商户存根并拍照", "Find the merchant copy signed by the cardholder and photograph it"),
                    t("生成证据包并在期限内提交", "Build the evidence pack and submit it before the deadline"),
                ],
                prepare,
                remedy,
            );
        }
        _ => {}
    }
    let (vzh, ven) = if x.kind == TxnKind::PreAuthCompletion {
        ("预授权完成撤销", "COMPLETION VOID")
    } else {
        ("撤销", "VOID")
    };
    match remedy {
        Some(Remedy::Void) | Some(Remedy::VoidAtOtherTerminal { .. }) => {
            let cut = a.cutoff_text();
            a.facts.push(note(cut));
            a.done(
                D::Voidable,
                t("可以撤销", "Can be voided"),
                t(
                    format!("批次 {} 还没有结算，也还在收单机构的同一个营业日内：可以在终端 {} 上做“{vzh}”，当天全额退回。", x.batch_no, x.terminal_id),
                    format!("Batch {} is not settled and the acquirer's business day has not turned: void it on terminal {} now; the full amount goes back the same day.", x.batch_no, x.terminal_id),
                ),
                vec![t(
                    format!("在终端 {} 上选择“{vzh}”，输入凭证号 {}", x.terminal_id, x.trace_no),
                    format!("On terminal {} choose {ven} and enter voucher {}", x.terminal_id, x.trace_no),
                )],
                vec![],
                remedy,
            )
        }
        Some(Remedy::Refund { ref rrn, original_date, refundable }) => {
            let step = t(
                format!("在终端上选择“退货”，输入参考号 {rrn}、原交易日期 {}，金额不超过 {}", original_date.format("%m%d"), refundable.zh_string()),
                format!("On the terminal choose REFUND, enter RRN {rrn}, original date {}, amount up to {refundable}", original_date.format("%m%d")),
            );
            let also = t("如终端不支持退货，联系收单机构办理", "If the terminal cannot refund, ask the acquirer to do it");
            let prepare = prepare_ids(x);
            if batch.is_open() {
                let cut = a.cutoff_text();
                a.facts.push(note(cut.clone()));
                return a.done(
                    D::VoidWindowClosed,
                    t("已过日切：不能撤销，请做退货", "Past the cutoff: void is impossible, do a refund"),
                    t(
                        format!("批次还没有结算，但收单机构的营业日已经切换（{}），终端撤销会被拒绝（常提示“原交易不存在”）。请改做“退货”，需要原交易参考号和日期。", cut.zh),
                        format!("The batch is still open, but the acquirer's business day has turned ({}), so a void is declined (often \"original transaction does not exist\"). Do a refund instead; it needs the original RRN and date.", cut.en),
                    ),
                    vec![step, also],
                    prepare,
                    remedy.clone(),
                );
            }
            a.done(
                D::SettledUseRefund,
                t("已结算：不能撤销，请做退货", "Settled: void is impossible, do a refund"),
                t(
                    "这笔交易所在批次已经结算，终端里已没有原交易，所以撤销会提示“原交易不存在”。请改做“退货”，需要原交易参考号和日期。",
                    "The batch was settled, so the terminal no longer holds the original: a void answers \"original transaction does not exist\". Do a refund instead; it needs the original RRN and date.",
                ),
                vec![step, also],
                prepare,
                remedy.clone(),
            )
        }
        Some(Remedy::RefundNeedsRrn { original_date, refundable }) => {
            let prepare = prepare_ids(x);
            let why = if batch.is_open() {
                let cut = a.cutoff_text();
                a.facts.push(note(cut.clone()));
                t(format!("收单机构的营业日已经切换（{}），撤销会被拒绝。", cut.zh), format!("The acquirer's business day has turned ({}), so a void is declined.", cut.en))
            } else {
                t("这笔交易所在批次已经结算，撤销会提示“原交易不存在”。", "The batch was settled, so a void answers \"original transaction does not exist\".")
            };
            a.done(
                if batch.is_open() { D::VoidWindowClosed } else { D::SettledUseRefund },
                t("不能撤销，请做退货", "Void is impossible, do a refund"),
                t(
                    format!("{}退货需要参考号，但日志没有记录到它：请收单机构按日期和凭证号查出参考号。", why.zh),
                    format!("{} A refund needs the RRN, which the journal did not record: ask the acquirer to look it up by date and voucher.", why.en),
                ),
                vec![t(
                    format!("联系收单机构，查询 {original_date} 凭证号 {} 的参考号，然后退货（不超过 {}）", x.trace_no, refundable.zh_string()),
                    format!("Ask the acquirer for the RRN of voucher {} on {original_date}, then refund (up to {refundable})", x.trace_no),
                )],
                prepare,
                remedy.clone(),
            )
        }
        _ => a.done(
            D::ReceiptLost,
            t("交易正常", "All in order"),
            t("这笔交易成功且完整记录，没有发现问题。如需要，可以重打印签购单。", "The transaction is approved and fully recorded; nothing is wrong. Reprint the slip if needed."),
            vec![t("重打印签购单", "Reprint the slip")],
            vec![],
            remedy,
        ),
    }
}

/// What the statement says that the journal does not: the owner sees both, and which
/// the acquirer goes by.
fn disagreement(x: &Transaction, w: &Witness) -> Option<Text> {
    let l = &w.line;
    let src = w.source();
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if l.amount != x.amount {
        zh.push(format!(
            "金额：日志 {}，对账单 {}",
            x.amount.zh_string(),
            l.amount.zh_string()
        ));
        en.push(format!(
            "amount: journal {}, statement {}",
            x.amount, l.amount
        ));
    }
    if l.kind != x.kind {
        let (jz, je) = x.kind.words();
        let (sz, se) = l.kind.words();
        zh.push(format!("类型：日志 {jz}，对账单 {sz}"));
        en.push(format!("type: journal {je}, statement {se}"));
    }
    if x.outcome != Outcome::Approved {
        let (oz, oe) = x.outcome.words();
        zh.push(format!("结果：日志 {oz}，对账单已列出（收单机构已入账）"));
        en.push(format!(
            "outcome: journal {oe}, statement lists it (the acquirer booked it)"
        ));
    }
    if zh.is_empty() {
        return None;
    }
    Some(t(
        format!("日志和{}不一致（{}）。收单机构按它自己的记录（对账单）结算和处理。", src.zh, zh.join("；")),
        format!("The journal and {} disagree ({}). The acquirer settles and decides by its own record, the statement.", src.en, en.join("; ")),
    ))
}

/// "Not in the acquirer's back end", answered by the acquirer's own statement.
fn on_statement(mut a: Answer, w: &Witness) -> Diagnosis {
    let l = &w.line;
    let src = w.source();
    let rrn = l.rrn.as_ref().map(|r| r.as_str()).unwrap_or("—");
    let day = l.settle_date.unwrap_or(l.occurred_at.date());
    a.checks.clear();
    a.decides = true;
    a.done(
        D::OnAcquirerStatement,
        t("收单机构有这笔：在对账单上", "The acquirer has it: it is on their statement"),
        t(
            format!("{}列出了这笔交易，收单机构已经收到并清算。后台查不到，多半是查询条件的问题：按清算日期 {day} 和参考号 {rrn} 再查；部分后台按日期范围或操作员权限限制查询。", src.zh),
            format!("{} lists this payment: the acquirer received and settled it. If their back end does not show it, the search is the likely cause: search by settlement date {day} and RRN {rrn}; some back ends limit searches by date range or user role.", src.en),
        ),
        vec![
            t(format!("在收单机构后台按清算日期 {day}、参考号 {rrn} 查询"), format!("Search the acquirer's back end by settlement date {day} and RRN {rrn}")),
            t("仍查不到时，把对账单这一行告诉收单机构客服", "If it still does not show, read this statement line to the acquirer's hotline"),
        ],
        vec![],
        None,
    )
}

/// The journal lacks the voucher but the acquirer's statement has it: answer from the
/// statement, named as the source in every sentence that depends on it.
fn from_statement(mut a: Answer, w: &Witness) -> Diagnosis {
    let f = a.f;
    let l = &w.line;
    let src = w.source();
    for other in &f.statement {
        a.facts.push(witness_fact(other));
    }
    match &f.gap {
        Some(gap) => a.facts.push(note(t(
            format!("记录缺口：{}。对账单补上了这一笔：镜像漏掉的交易收单机构有记录。", gap.zh),
            format!("Recorded gap: {}. The statement fills it: the acquirer has the payment the mirror missed.", gap.en),
        ))),
        None => a.facts.push(note(t(
            "本机日志没有这笔（终端没有连接本软件，或当时没有记录到）；下面的回答依据收单机构的对账单。",
            "The journal does not have it (the terminal is not linked to Slipkeeper, or it was not recorded then); this answer goes by the acquirer's statement.",
        ))),
    }
    a.decides = true;
    let (kzh, ken) = l.kind.words();
    let voucher = l.trace_no.as_ref().map(|v| v.as_str()).unwrap_or("—");
    let rrn = l.rrn.clone();
    let settled_zh = l
        .settle_date
        .map(|d| format!("已于 {d} 清算"))
        .unwrap_or_else(|| "已经清算".into());
    let settled_en = l
        .settle_date
        .map(|d| format!("was settled on {d}"))
        .unwrap_or_else(|| "was settled".into());
    match l.kind {
        TxnKind::Void | TxnKind::PreAuthCancel | TxnKind::PreAuthCompletionVoid => {
            return a.done(
                D::IsVoid,
                t("这是一笔撤销", "This is a void"),
                t(format!("{}显示凭证号 {voucher} 是一笔{kzh}：钱已经退回顾客，不能再撤销。", src.zh), format!("{} shows voucher {voucher} is a {ken}: the money went back to the customer; it cannot be voided again.", src.en)),
                vec![t("找出它撤销的那笔原交易再看", "Look up the original it voided")],
                vec![],
                None,
            );
        }
        TxnKind::Refund => {
            return a.done(
                D::IsRefund,
                t("这是一笔退货", "This is a refund"),
                t(format!("{}显示凭证号 {voucher} 是一笔退货，{settled_zh}。退款一般 3–15 个工作日到账。", src.zh), format!("{} shows voucher {voucher} is a refund that {settled_en}. Refunds usually reach the card in 3–15 working days.", src.en)),
                vec![t("把对账单这一行出示给顾客", "Show the customer this statement line")],
                vec![],
                None,
            );
        }
        TxnKind::Reversal => {
            return a.done(
                D::IsReversal,
                t("这是一笔冲正", "This is a reversal"),
                t(format!("{}显示这是一笔冲正：原交易已撤回，顾客没有被扣款。", src.zh), format!("{} shows a reversal: the original was taken back; the customer was not charged.", src.en)),
                vec![t("告诉顾客冻结金额会自动解除", "Tell the customer the hold will be released automatically")],
                vec![],
                None,
            );
        }
        TxnKind::Sale | TxnKind::PreAuthCompletion => {}
        _ => {
            return a.done(
                D::NotAPayment,
                t("这不是一笔付款", "This is not a payment"),
                t(
                    format!("{}显示这是一笔{kzh}，不需要撤销或退货。", src.zh),
                    format!(
                        "{} shows a {ken}; there is nothing to void or refund.",
                        src.en
                    ),
                ),
                vec![t(
                    "核对签购单上的凭证号，找出真正的那笔付款",
                    "Check the voucher number on the slip and look up the actual payment",
                )],
                vec![],
                None,
            );
        }
    }
    let ids = t(
        format!(
            "商户号 {}、终端号 {}、凭证号 {voucher}、参考号 {}、授权码 {}、金额 {}、交易时间 {}（据{}）",
            l.merchant_id.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            l.terminal_id.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            rrn.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            l.auth_code.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            l.amount.zh_string(),
            l.occurred_at,
            src.zh
        ),
        format!(
            "merchant no. {}, terminal {}, voucher {voucher}, RRN {}, auth code {}, amount {}, time {} (per {})",
            l.merchant_id.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            l.terminal_id.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            rrn.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            l.auth_code.as_ref().map(|v| v.as_str()).unwrap_or("—"),
            l.amount,
            l.occurred_at,
            src.en
        ),
    );
    let rebuilt = t("依据对账单重建的签购单（本软件可打印，注明不是终端重打印）", "The slip rebuilt from the statement (Slipkeeper prints it, marked as not a terminal reprint)");
    match a.complaint {
        Complaint::NotInAcquirerBackEnd => on_statement(a, w),
        Complaint::ReceiptLost => a.done(
            D::ReceiptLost,
            t("按收单机构的记录补一张签购单", "Print a slip from the acquirer's record"),
            t(
                format!("本机日志没有这笔，但{}有：交易成功，{settled_zh}。可以打印一张依据对账单重建的签购单，上面注明来源，不是终端重打印。", src.zh),
                format!("The journal does not have it, but {} does: approved, and it {settled_en}. Print a slip rebuilt from the statement; it names its source and is not a terminal reprint.", src.en),
            ),
            vec![t("打印依据对账单重建的签购单", "Print the slip rebuilt from the statement")],
            vec![ids, rebuilt],
            None,
        ),
        Complaint::Dispute => a.done(
            D::DisputeRespond,
            t("收单机构有这笔：用证据回复调单", "The acquirer has it: answer the dispute with evidence"),
            t(
                format!("{}列出这笔交易成功。请在期限内提交持卡人签名的商户存根；本机日志没有终端原始记录，对账单这一行和重建的签购单作为补充。", src.zh),
                format!("{} lists this payment as approved. Send the merchant copy signed by the cardholder before the deadline; the journal has no terminal record, so the statement line and the rebuilt slip go with it.", src.en),
            ),
            vec![
                t("找出有持卡人签名的商户存根并拍照", "Find the merchant copy signed by the cardholder and photograph it"),
                t("生成证据包并在期限内提交", "Build the evidence pack and submit it before the deadline"),
            ],
            vec![ids, rebuilt],
            None,
        ),
        Complaint::ChargedTwice => {
            let twins: Vec<&Witness> = f
                .statement
                .iter()
                .filter(|o| {
                    o.line_id != w.line_id
                        && o.line.kind.is_debit()
                        && o.line.amount == l.amount
                        && o.line.last4().is_some()
                        && o.line.last4() == l.last4()
                        && (o.line.occurred_at - l.occurred_at).abs() <= DUPLICATE_WINDOW
                })
                .collect();
            if twins.is_empty() {
                a.done(
                    D::ChargedOnce,
                    t("收单机构只记了一笔", "The acquirer booked it once"),
                    t(format!("{}里这张卡这个金额只有一笔扣款。", src.zh), format!("{} shows one charge to this card for this amount.", src.en)),
                    vec![t("请顾客看银行账单：被拒绝的尝试或预授权可能短时间显示为冻结，会自动消失", "Ask the customer to check the bank statement: a declined attempt or a hold may show as pending for a while and disappears by itself")],
                    vec![],
                    None,
                )
            } else {
                a.done(
                    D::DuplicateCharge,
                    t("重复扣款：对账单上同一张卡同一金额两笔", "Duplicate charge: the statement shows the same card and amount twice"),
                    t(format!("{}列出 {} 笔同一张卡、同金额、相隔几分钟的扣款。保留最早的一笔，对后面的做退货。", src.zh, twins.len() + 1), format!("{} lists {} charges to the same card for the same amount, minutes apart. Keep the first and refund the later one(s).", src.en, twins.len() + 1)),
                    vec![t("对后面那笔做退货（需要它的参考号和日期），或联系收单机构", "Refund the later one (it needs its RRN and date), or contact the acquirer")],
                    vec![ids],
                    None,
                )
            }
        }
        Complaint::Other => a.done(
            D::NotInJournalGap,
            t("本机日志漏了这笔，收单机构有记录", "The journal lacks it; the acquirer has it"),
            t(
                format!("本机日志没有这笔（终端没有连接本软件，或镜像漏掉了），但{}有：这笔{kzh}成功，{settled_zh}。不需要处理；顾客要退款时，凭对账单上的参考号做退货。", src.zh),
                format!("The journal does not have it (the terminal is not linked, or the mirror missed it), but {} does: this {ken} was approved and {settled_en}. Nothing to do; if the customer wants the money back, refund with the statement's RRN.", src.en),
            ),
            vec![t("需要时打印依据对账单重建的签购单", "Print the slip rebuilt from the statement when needed")],
            vec![ids, rebuilt],
            None,
        ),
        Complaint::VoidFailed => {
            let original_date = l.occurred_at.date();
            let remedy = match rrn {
                Some(rrn) => Remedy::Refund { rrn, original_date, refundable: l.amount },
                None => Remedy::RefundNeedsRrn { original_date, refundable: l.amount },
            };
            let step = match &remedy {
                Remedy::Refund { rrn, .. } => t(
                    format!("在终端上选择“退货”，输入参考号 {rrn}、原交易日期 {}，金额不超过 {}", original_date.format("%m%d"), l.amount.zh_string()),
                    format!("On the terminal choose REFUND, enter RRN {rrn}, original date {}, amount up to {}", original_date.format("%m%d"), l.amount),
                ),
                _ => t(
                    format!("对账单没有参考号：请收单机构查出 {original_date} 凭证号 {voucher} 的参考号，再退货"),
                    format!("The statement has no RRN: ask the acquirer for the RRN of voucher {voucher} on {original_date}, then refund"),
                ),
            };
            a.done(
                D::SettledUseRefund,
                t("已结算：不能撤销，请做退货", "Settled: void is impossible, do a refund"),
                t(
                    format!("本机日志没有这笔，但{}有：这笔{kzh}{settled_zh}，终端里已没有原交易，所以撤销会提示“原交易不存在”。请改做“退货”。", src.zh),
                    format!("The journal does not have it, but {} does: this {ken} {settled_en}, so the terminal no longer holds the original and a void answers \"original transaction does not exist\". Do a refund instead.", src.en),
                ),
                vec![step, t("如终端不支持退货，联系收单机构办理", "If the terminal cannot refund, ask the acquirer to do it")],
                vec![ids],
                Some(remedy),
            )
        }
    }
}
