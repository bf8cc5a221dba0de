//! The acquirer's statement (对账单 / 交易明细) and how its lines meet the journal.
//!
//! Matching is pure and deterministic: the same journal and statement always give the
//! same pairs, each with the rule that made it, a confidence and a sentence saying why.
//! Lines are taken in time order and each journal transaction is used at most once, so
//! two identical sales a minute apart pair with two lines, never one with both.

use crate::{AuthCode, MerchantId, Money, Outcome, Rrn, TerminalId, TraceNo, Transaction, TxnKind};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One line of an acquirer's statement, as imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementLine {
    /// Row in the file, counted as a spreadsheet shows it (the header row included).
    pub line_no: u32,
    /// The merchant number, when the statement has the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<MerchantId>,
    /// The terminal id, when the statement has the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<TerminalId>,
    /// When the transaction happened, the terminal's local time.
    pub occurred_at: NaiveDateTime,
    /// The card as the statement prints it, already masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Always positive; `kind` says which way the money went.
    pub amount: Money,
    /// The acquirer's fee (手续费), when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Money>,
    /// What is settled to the shop (结算金额), when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<Money>,
    /// The reference number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrn: Option<Rrn>,
    /// The voucher (trace) number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_no: Option<TraceNo>,
    /// The authorisation code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<AuthCode>,
    /// Sale, refund, void, …, read through the mapping's words.
    pub kind: TxnKind,
    /// The day the acquirer settled it (清算日期).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settle_date: Option<NaiveDate>,
    /// 卡类型 / card type as the statement names it (借记卡, 贷记卡, VISA…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_type: Option<String>,
}

/// A statement line as a witness in an answer: what the acquirer listed, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Witness {
    /// The stored line's id.
    pub line_id: i64,
    /// The statement file's name, without its folder.
    pub file_name: String,
    /// The day the file was imported, shop time.
    pub imported_on: NaiveDate,
    /// The line.
    pub line: StatementLine,
}

impl Witness {
    /// "收单机构对账单 a.csv 第 7 行（2026-12-02 导入）".
    pub fn source(&self) -> crate::Text {
        crate::Text::new(
            format!(
                "收单机构对账单 {} 第 {} 行（{} 导入）",
                self.file_name, self.line.line_no, self.imported_on
            ),
            format!(
                "the acquirer's statement {}, line {} (imported {})",
                self.file_name, self.line.line_no, self.imported_on
            ),
        )
    }

    /// What the line says, in the words of a journal fact.
    pub fn describe(&self) -> crate::Text {
        let l = &self.line;
        let (kzh, ken) = l.kind.words();
        let o = |v: Option<&str>| v.unwrap_or("—").to_owned();
        let terminal = o(l.terminal_id.as_ref().map(|v| v.as_str()));
        let voucher = o(l.trace_no.as_ref().map(|v| v.as_str()));
        let rrn = o(l.rrn.as_ref().map(|v| v.as_str()));
        let card = l.last4().unwrap_or_else(|| "—".into());
        let settled_zh = l
            .settle_date
            .map(|d| format!(" 清算日 {d}"))
            .unwrap_or_default();
        let settled_en = l
            .settle_date
            .map(|d| format!(" settled {d}"))
            .unwrap_or_default();
        let src = self.source();
        crate::Text::new(
            format!(
                "{}：终端 {terminal} 凭证号 {voucher} {kzh} {} {} 卡号后四位 {card} 参考号 {rrn}{settled_zh}",
                src.zh,
                l.amount.zh_string(),
                l.occurred_at
            ),
            format!(
                "{}: terminal {terminal} voucher {voucher} {ken} {} at {} card …{card} RRN {rrn}{settled_en}",
                src.en, l.amount, l.occurred_at
            ),
        )
    }
}

impl StatementLine {
    /// The last four digits of the card, when the statement shows them.
    pub fn last4(&self) -> Option<String> {
        last4_of(self.card.as_deref()?)
    }

    /// Signed amount: refunds and voids take money back.
    pub fn signed_minor(&self) -> i64 {
        sign(self.kind) * self.amount.minor()
    }
}

fn last4_of(card: &str) -> Option<String> {
    let tail: Vec<char> = card
        .trim()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (tail.len() >= 4).then(|| tail[..4].iter().rev().collect())
}

fn sign(kind: TxnKind) -> i64 {
    match kind {
        TxnKind::Refund | TxnKind::Void => -1,
        _ => 1,
    }
}

/// Which rule paired a line with a transaction, strongest first.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// Same 参考号 RRN: unique per transaction at the acquirer.
    Rrn,
    /// Same terminal, voucher (trace) number and day.
    TerminalVoucherDate,
    /// Same amount within the time window, and the same card last-4 when both show it.
    AmountTimeCard,
}

/// A statement line paired with a journal transaction.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// The statement line.
    pub line_id: i64,
    /// The journal's transaction.
    pub txn_id: i64,
    /// Which rule paired them.
    pub rule: MatchRule,
    /// 0–100.
    pub confidence: u8,
    /// Why, in a sentence.
    pub reason: String,
}

#[derive(
    ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
/// What kind of disagreement a reconciliation found.
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyKind {
    /// In the journal, approved, but not on the statement: the acquirer may never have
    /// received it (lost transmission, 票不可用) — money the shop may not get.
    MissingFromStatement,
    /// On the statement, not in the journal, from a terminal Slipkeeper mirrors: the
    /// mirror missed it (a gap).
    MissingFromJournal,
    /// On the statement from a terminal Slipkeeper does not mirror.
    OtherTerminal,
    /// Paired, but the amounts differ.
    AmountMismatch,
    /// Paired, but one says sale and the other refund (or similar).
    TypeMismatch,
}

impl DiscrepancyKind {
    /// The name as stored and exported (snake case).
    pub fn as_str(self) -> &'static str {
        match self {
            DiscrepancyKind::MissingFromStatement => "missing_from_statement",
            DiscrepancyKind::MissingFromJournal => "missing_from_journal",
            DiscrepancyKind::OtherTerminal => "other_terminal",
            DiscrepancyKind::AmountMismatch => "amount_mismatch",
            DiscrepancyKind::TypeMismatch => "type_mismatch",
        }
    }
}

/// One thing the journal and the statement disagree on.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrepancy {
    /// What kind.
    pub kind: DiscrepancyKind,
    /// The statement line, when it is on the statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i64>,
    /// The journal's transaction, when it is in the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_id: Option<i64>,
    /// Terminal local time of the transaction or line.
    pub at: NaiveDateTime,
    /// Signed minor units of whichever side is known (the journal's when both are).
    pub amount_minor: i64,
    /// What disagrees, in a sentence in both languages.
    pub detail: crate::Text,
}

/// Totals for one day, terminal and card type, both sides side by side.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalsRow {
    /// The day (terminal local time).
    pub day: NaiveDate,
    /// The terminal id.
    pub terminal: String,
    /// The card type as the statement names it.
    pub card_type: String,
    /// Transactions in the journal.
    pub journal_count: u64,
    /// Their sum in the journal, signed minor units.
    pub journal_minor: i64,
    /// Lines on the statement.
    pub statement_count: u64,
    /// Their sum on the statement, signed minor units.
    pub statement_minor: i64,
    /// The acquirer's fees, minor units.
    pub fee_minor: i64,
    /// What the acquirer settles, minor units.
    pub net_minor: i64,
    /// statement − journal.
    pub difference_minor: i64,
}

/// The journal against a statement: what paired, what disagrees, and totals.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Lines and transactions paired.
    pub matches: Vec<Match>,
    /// What disagrees.
    pub discrepancies: Vec<Discrepancy>,
    /// Totals per day, terminal and card type.
    pub totals: Vec<TotalsRow>,
}

type Totals = BTreeMap<(NaiveDate, String, String), TotalsRow>;

fn row<'a>(
    totals: &'a mut Totals,
    day: NaiveDate,
    terminal: &str,
    card: &str,
) -> &'a mut TotalsRow {
    totals
        .entry((day, terminal.to_owned(), card.to_owned()))
        .or_insert_with(|| TotalsRow {
            day,
            terminal: terminal.to_owned(),
            card_type: card.to_owned(),
            journal_count: 0,
            journal_minor: 0,
            statement_count: 0,
            statement_minor: 0,
            fee_minor: 0,
            net_minor: 0,
            difference_minor: 0,
        })
}

fn add_line(totals: &mut Totals, l: &StatementLine, day: NaiveDate, terminal: &str, card: &str) {
    let fee = l.fee.map(|f| f.minor()).unwrap_or(0);
    let r = row(totals, day, terminal, card);
    r.statement_count += 1;
    r.statement_minor += l.signed_minor();
    r.fee_minor += fee;
    r.net_minor += match l.net {
        Some(n) => sign(l.kind) * n.minor().abs(),
        None => l.signed_minor() - fee,
    };
}

/// How far apart in time a line and a transaction may be for the amount rule.
pub const TIME_WINDOW: TimeDelta = TimeDelta::minutes(10);

/// Journal transactions an acquirer settles: approved (or later voided) sales, refunds,
/// voids and pre-authorisation completions. Declines, reversals and inquiries move no
/// money and never appear on a statement.
pub fn settles(t: &Transaction) -> bool {
    matches!(
        t.kind,
        TxnKind::Sale | TxnKind::Refund | TxnKind::Void | TxnKind::PreAuthCompletion
    ) && matches!(t.outcome, Outcome::Approved | Outcome::Voided)
}

/// Money the shop should see on the statement for `t` (0 when voided out).
fn journal_signed(t: &Transaction) -> Option<i64> {
    (t.outcome == Outcome::Approved && t.kind != TxnKind::Void)
        .then(|| sign(t.kind) * t.amount.minor())
}

/// Pairs statement lines with journal transactions and lists what disagrees.
/// `txns` and `lines` carry their stored ids; `known_terminals` are the terminals
/// Slipkeeper mirrors (a line from any other is not a gap).
pub fn reconcile(
    txns: &[(i64, Transaction)],
    lines: &[(i64, StatementLine)],
    known_terminals: &HashSet<TerminalId>,
) -> Reconciliation {
    let mut cands: Vec<&(i64, Transaction)> = txns.iter().filter(|(_, t)| settles(t)).collect();
    cands.sort_by_key(|(id, t)| (t.occurred_at, *id));
    let mut by_rrn: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_voucher: HashMap<(&str, &str, NaiveDate), Vec<usize>> = HashMap::new();
    let mut by_amount: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, (_, t)) in cands.iter().enumerate() {
        if let Some(r) = &t.rrn {
            by_rrn.entry(r.as_str()).or_default().push(i);
        }
        by_voucher
            .entry((
                t.terminal_id.as_str(),
                t.trace_no.as_str(),
                t.occurred_at.date(),
            ))
            .or_default()
            .push(i);
        by_amount.entry(t.amount.minor()).or_default().push(i);
    }

    let mut order: Vec<&(i64, StatementLine)> = lines.iter().collect();
    order.sort_by_key(|(id, l)| (l.occurred_at, *id));
    let mut used = vec![false; cands.len()];
    // (candidate index, line, rule, confidence, reason)
    type Paired<'a> = (usize, &'a (i64, StatementLine), MatchRule, u8, String);
    let mut pair: Vec<Paired> = Vec::new();
    let mut unmatched_lines = Vec::new();
    for entry in order {
        let (_, l) = entry;
        let first_free = |ix: Option<&Vec<usize>>, used: &[bool]| {
            ix.and_then(|v| v.iter().copied().find(|&i| !used[i]))
        };
        let found = if let Some(i) = l
            .rrn
            .as_ref()
            .and_then(|r| first_free(by_rrn.get(r.as_str()), &used))
        {
            Some((
                i,
                MatchRule::Rrn,
                100,
                format!(
                    "same RRN {}",
                    l.rrn.as_ref().map(|r| r.as_str()).unwrap_or("")
                ),
            ))
        } else if let Some(i) = match (&l.terminal_id, &l.trace_no) {
            (Some(term), Some(trace)) => first_free(
                by_voucher.get(&(term.as_str(), trace.as_str(), l.occurred_at.date())),
                &used,
            ),
            _ => None,
        } {
            Some((
                i,
                MatchRule::TerminalVoucherDate,
                90,
                format!(
                    "same terminal, voucher {} and day {}",
                    l.trace_no.as_ref().map(|t| t.as_str()).unwrap_or(""),
                    l.occurred_at.date()
                ),
            ))
        } else {
            let last4 = l.last4();
            by_amount.get(&l.amount.minor()).and_then(|v| {
                v.iter()
                    .copied()
                    .filter(|&i| !used[i])
                    .filter(|&i| {
                        let t = &cands[i].1;
                        (t.occurred_at - l.occurred_at).abs() <= TIME_WINDOW
                            && match (&last4, &t.pan) {
                                (Some(a), Some(p)) => a == p.last4(),
                                _ => true,
                            }
                    })
                    .min_by_key(|&i| ((cands[i].1.occurred_at - l.occurred_at).abs(), cands[i].0))
                    .map(|i| {
                        let t = &cands[i].1;
                        let secs = (t.occurred_at - l.occurred_at).num_seconds().abs();
                        let card = matches!((&last4, &t.pan), (Some(_), Some(_)));
                        let reason = if card {
                            format!("same amount and card last-4, {secs} s apart")
                        } else {
                            format!("same amount, {secs} s apart; no card number to compare")
                        };
                        (
                            i,
                            MatchRule::AmountTimeCard,
                            if card { 70 } else { 50 },
                            reason,
                        )
                    })
            })
        };
        match found {
            Some((i, rule, confidence, reason)) => {
                used[i] = true;
                pair.push((i, entry, rule, confidence, reason));
            }
            None => unmatched_lines.push(entry),
        }
    }

    let mut out = Reconciliation::default();
    let mut totals = Totals::new();
    let scheme = |t: &Transaction| t.scheme.map(|s| s.as_str()).unwrap_or("unknown").to_owned();
    for (_, t) in &cands {
        if let Some(m) = journal_signed(t) {
            let r = row(
                &mut totals,
                t.occurred_at.date(),
                t.terminal_id.as_str(),
                &scheme(t),
            );
            r.journal_count += 1;
            r.journal_minor += m;
        }
    }
    for (i, (line_id, l), rule, confidence, reason) in &pair {
        let (txn_id, t) = cands[*i];
        // Bucket the line with its transaction so a day boundary or a missing terminal
        // column on the statement does not show up as a difference.
        add_line(
            &mut totals,
            l,
            t.occurred_at.date(),
            t.terminal_id.as_str(),
            &scheme(t),
        );
        out.matches.push(Match {
            line_id: *line_id,
            txn_id: *txn_id,
            rule: *rule,
            confidence: *confidence,
            reason: reason.clone(),
        });
        let journal_minor = journal_signed(t).unwrap_or(sign(t.kind) * t.amount.minor());
        if t.amount.minor() != l.amount.minor() {
            out.discrepancies.push(Discrepancy {
                kind: DiscrepancyKind::AmountMismatch,
                line_id: Some(*line_id),
                txn_id: Some(*txn_id),
                at: t.occurred_at,
                amount_minor: journal_minor,
                detail: crate::Text::new(
                    format!(
                        "日志记的是 {}，对账单第 {} 行是 {}",
                        t.amount.zh_string(),
                        l.line_no,
                        l.amount.zh_string()
                    ),
                    format!(
                        "journal {} but statement line {} says {} ({reason})",
                        t.amount, l.line_no, l.amount
                    ),
                ),
            });
        }
        if t.kind != l.kind {
            out.discrepancies.push(Discrepancy {
                kind: DiscrepancyKind::TypeMismatch,
                line_id: Some(*line_id),
                txn_id: Some(*txn_id),
                at: t.occurred_at,
                amount_minor: journal_minor,
                detail: crate::Text::new(
                    format!(
                        "日志记的是{}，对账单第 {} 行是{}",
                        t.kind.words().0,
                        l.line_no,
                        l.kind.words().0
                    ),
                    format!(
                        "journal {} but statement line {} says {} ({reason})",
                        t.kind.as_str(),
                        l.line_no,
                        l.kind.as_str()
                    ),
                ),
            });
        }
    }
    for (line_id, l) in unmatched_lines {
        let terminal = l
            .terminal_id
            .as_ref()
            .map(|t| t.as_str())
            .unwrap_or("unknown");
        add_line(
            &mut totals,
            l,
            l.occurred_at.date(),
            terminal,
            l.card_type.as_deref().unwrap_or("unknown"),
        );
        let other = l
            .terminal_id
            .as_ref()
            .is_some_and(|t| !known_terminals.contains(t));
        let (kind, why_zh, why) = if other {
            (
                DiscrepancyKind::OtherTerminal,
                format!("终端 {terminal} 不是本软件同步的终端"),
                format!("terminal {terminal} is not one Slipkeeper mirrors"),
            )
        } else {
            (
                DiscrepancyKind::MissingFromJournal,
                "本机日志没有这笔：可能是漏记，或当时终端连接断了".to_owned(),
                "the mirror has no such transaction: a gap, or the link was down".to_owned(),
            )
        };
        out.discrepancies.push(Discrepancy {
            kind,
            line_id: Some(*line_id),
            txn_id: None,
            at: l.occurred_at,
            amount_minor: l.signed_minor(),
            detail: crate::Text::new(
                format!(
                    "对账单第 {} 行：{} {}，{}；{why_zh}",
                    l.line_no,
                    l.occurred_at,
                    l.kind.words().0,
                    l.amount.zh_string()
                ),
                format!(
                    "statement line {}: {} {} at {}; {why}",
                    l.line_no,
                    l.kind.as_str(),
                    l.amount,
                    l.occurred_at
                ),
            ),
        });
    }
    for (i, (txn_id, t)) in cands.iter().enumerate() {
        if used[i] {
            continue;
        }
        // Voids and voided sales cancel out; many acquirers leave both off the statement.
        if let Some(m) = journal_signed(t) {
            out.discrepancies.push(Discrepancy {
                kind: DiscrepancyKind::MissingFromStatement,
                line_id: None,
                txn_id: Some(*txn_id),
                at: t.occurred_at,
                amount_minor: m,
                detail: crate::Text::new(
                    format!(
                        "终端 {} 凭证号 {}：{} {}，{}，对账单上没有；收单机构可能没有收到",
                        t.terminal_id,
                        t.trace_no,
                        t.occurred_at,
                        t.kind.words().0,
                        t.amount.zh_string()
                    ),
                    format!(
                        "terminal {} voucher {}: {} {} at {} is not on the statement; the acquirer may not have received it",
                        t.terminal_id,
                        t.trace_no,
                        t.kind.as_str(),
                        t.amount,
                        t.occurred_at
                    ),
                ),
            });
        }
    }
    out.discrepancies
        .sort_by_key(|d| (d.at, d.kind, d.txn_id, d.line_id));
    out.matches.sort_by_key(|m| m.line_id);
    out.totals = totals
        .into_values()
        .map(|mut r| {
            r.difference_minor = r.statement_minor - r.journal_minor;
            r
        })
        .collect();
    out
}
