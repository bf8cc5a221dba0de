//! The diagnosis, scenario by scenario: journals built through the public API on a
//! real SQLite file, the shop's "now" fixed, each answer checked for its code and a
//! key fact in Chinese and in English. The scenarios follow how UnionPay card payments
//! work: what the asked voucher itself is, the pre-authorisation family, strict
//! duplicates, what a refund refers to, the void window, repeated vouchers, gaps and
//! totals, amount lookups, and causes the journal cannot see.

use chrono::{NaiveDateTime, TimeDelta};
use slipkeeper_app::{App, FixedClock, Lookup};
use slipkeeper_domain::{
    expected_debits, BatchNo, Complaint, Diagnosis, DiagnosisCode, MaskedPan, Money, Outcome,
    Settlement, TerminalId, Totals, TraceNo, Transaction, TxnKind,
};
use slipkeeper_journal::{Record, RecordBody};

const T1: &str = "10000001";
const T2: &str = "10000002";
/// The evening of the day of the payments, before the 23:00 cutoff.
const EVENING: &str = "2026-11-20T18:00:00+08:00";

fn at(minutes: i64) -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-20 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap()
        + TimeDelta::minutes(minutes)
}

fn sale(term: &str, trace: u32, minutes: i64, amount: i64) -> Transaction {
    let mut t = crate::support::approved_sale(term, trace, at(minutes), amount);
    let n = trace % 100_000 + if term == T2 { 500_000 } else { 0 } + minutes as u32 * 1000;
    t.rrn = Some(format!("6{n:011}").parse().unwrap());
    t.pan = Some(MaskedPan::new("622588******1234").unwrap());
    t
}

fn kind(mut t: Transaction, k: TxnKind) -> Transaction {
    t.kind = k;
    t
}

fn outcome(mut t: Transaction, o: Outcome) -> Transaction {
    t.outcome = o;
    t
}

fn batch(mut t: Transaction, b: &str) -> Transaction {
    t.batch_no = BatchNo::new(b).unwrap();
    t
}

fn card(mut t: Transaction, pan: &str) -> Transaction {
    t.pan = Some(MaskedPan::new(pan).unwrap());
    t
}

/// `k` taking back (or completing) `orig`, quoting its voucher, RRN and date.
fn undo(k: TxnKind, orig: &Transaction, trace: u32, minutes: i64, amount: i64) -> Transaction {
    let mut t = sale(orig.terminal_id.as_str(), trace, minutes, amount);
    t.kind = k;
    t.batch_no = orig.batch_no.clone();
    t.original_trace_no = Some(orig.trace_no.clone());
    t.original_rrn = orig.rrn.clone();
    t.original_date = Some(orig.occurred_at.date());
    if k == TxnKind::Reversal {
        t.trace_no = orig.trace_no.clone();
        t.rrn = None;
    }
    t
}

fn voucher(v: u32, term: Option<&str>) -> Lookup {
    Lookup::Voucher {
        voucher: TraceNo::new(&v.to_string()).unwrap(),
        terminal: term.map(|t| TerminalId::new(t).unwrap()),
        batch: None,
    }
}

fn amount_at(minor: i64, minutes: i64) -> Lookup {
    Lookup::AmountTime {
        amount_minor: minor,
        at: at(minutes),
        last4: None,
        terminal: None,
    }
}

struct Shop {
    _dir: tempfile::TempDir,
    app: App,
}

/// A journal holding `txns`, with the batches in `settle` settled (totals as the
/// terminal would count them, plus `extra` bookings the journal never saw).
fn shop(txns: &[Transaction], settle: &[(&str, &str, u32)], now: &str) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("j.db"), FixedClock::at(now)).unwrap();
    let recorded_at = chrono::DateTime::UNIX_EPOCH;
    let mut records: Vec<Record> = txns
        .iter()
        .map(|t| Record {
            body: RecordBody::Transaction(t.clone()),
            recorded_at,
        })
        .collect();
    for (term, b, extra) in settle {
        let in_batch: Vec<Transaction> = txns
            .iter()
            .filter(|t| t.terminal_id.as_str() == *term && t.batch_no == BatchNo::new(b).unwrap())
            .cloned()
            .collect();
        let (count, total) = expected_debits(&in_batch).unwrap();
        let total = total.map(|m| m.minor()).unwrap_or(0);
        records.push(Record {
            body: RecordBody::Settlement(Settlement {
                terminal_id: TerminalId::new(term).unwrap(),
                batch_no: BatchNo::new(b).unwrap(),
                settled_at: at(12 * 60 + 30)
                    + TimeDelta::days(i64::from(b.parse::<u8>().unwrap()) - 1),
                totals: Totals {
                    debit_count: count + extra,
                    debit_amount: Money::cny(total + i64::from(*extra) * 1_000),
                    credit_count: 0,
                    credit_amount: Money::cny(0),
                },
            }),
            recorded_at,
        });
    }
    app.journal_mut().ingest(&records).unwrap();
    Shop { _dir: dir, app }
}

struct Scenario {
    name: &'static str,
    txns: Vec<Transaction>,
    settle: Vec<(&'static str, &'static str, u32)>,
    now: &'static str,
    complaint: Complaint,
    lookup: Lookup,
    code: DiagnosisCode,
    zh: &'static str,
    en: &'static str,
}

fn s(name: &'static str, txns: Vec<Transaction>) -> Scenario {
    Scenario {
        name,
        txns,
        settle: vec![],
        now: EVENING,
        complaint: Complaint::VoidFailed,
        lookup: voucher(1, Some(T1)),
        code: DiagnosisCode::ReceiptLost,
        zh: "",
        en: "",
    }
}

impl Scenario {
    fn settled(mut self, term: &'static str, b: &'static str) -> Self {
        self.settle.push((term, b, 0));
        self
    }
    fn settled_short(mut self, term: &'static str, b: &'static str, missing: u32) -> Self {
        self.settle.push((term, b, missing));
        self
    }
    fn now(mut self, now: &'static str) -> Self {
        self.now = now;
        self
    }
    fn ask(mut self, complaint: Complaint, lookup: Lookup) -> Self {
        self.complaint = complaint;
        self.lookup = lookup;
        self
    }
    fn says(mut self, code: DiagnosisCode, zh: &'static str, en: &'static str) -> Self {
        self.code = code;
        self.zh = zh;
        self.en = en;
        self
    }
}

/// Everything the owner reads, in one language.
fn all_text(d: &Diagnosis, zh: bool) -> String {
    let p = |t: &slipkeeper_domain::Text| if zh { t.zh.clone() } else { t.en.clone() };
    let mut v = vec![p(&d.title), p(&d.explanation)];
    v.extend(d.facts.iter().map(|f| p(&f.text)));
    v.extend(d.next_steps.iter().map(p));
    v.extend(d.prepare.iter().map(p));
    v.extend(d.warnings.iter().map(p));
    for c in &d.checks {
        v.extend([p(&c.question), p(&c.if_yes), p(&c.call)]);
    }
    v.join("\n")
}

/// Chinese text has no English words in it (beyond names like "App", "RMB", "Wi-Fi"),
/// and English text no Chinese.
fn each_language_pure(d: &Diagnosis, name: &str) {
    let zh = all_text(d, true);
    let mut word = String::new();
    for c in zh.chars().chain([' ']) {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            assert!(
                word.len() < 3 || ["App", "RMB"].contains(&word.as_str()),
                "{name}: English word {word:?} in the Chinese text:\n{zh}"
            );
            word.clear();
        }
    }
    let en = all_text(d, false);
    // Only quoted Chinese terms in parentheses, e.g. "reversal (冲正)".
    let bare: String = {
        let mut out = String::new();
        let mut depth = 0;
        for c in en.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    };
    assert!(
        !bare.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{name}: Chinese in the English text:\n{en}"
    );
}

#[allow(clippy::too_many_lines)] // the table is the test
fn scenarios() -> Vec<Scenario> {
    use Complaint::*;
    use DiagnosisCode as D;
    use TxnKind as K;
    let s1 = sale(T1, 1, 0, 10_000);
    let pre = kind(sale(T1, 1, 0, 50_000), K::PreAuth);
    let completion = undo(K::PreAuthCompletion, &pre, 2, 60, 50_000);
    vec![
        // 1. The asked voucher's own kind and state come first.
        s(
            "the asked voucher is a void",
            vec![s1.clone(), undo(K::Void, &s1, 2, 3, 10_000)],
        )
        .ask(Other, voucher(2, Some(T1)))
        .says(
            D::IsVoid,
            "凭证号 000001 的消费的撤销",
            "the void of sale 000001",
        ),
        s(
            "voiding a void",
            vec![s1.clone(), undo(K::Void, &s1, 2, 3, 10_000)],
        )
        .ask(VoidFailed, voucher(2, Some(T1)))
        .says(
            D::IsVoid,
            "撤销不能再撤销",
            "A void cannot be voided: to charge again, start a new sale",
        ),
        s(
            "the asked voucher is a refund",
            vec![s1.clone(), batch(undo(K::Refund, &s1, 2, 900, 4_000), "2")],
        )
        .settled(T1, "1")
        .ask(VoidFailed, voucher(2, Some(T1)))
        .says(
            D::IsRefund,
            "还可退 60.00 元",
            "RMB 60.00 can still be refunded",
        ),
        s(
            "the asked voucher is a reversal with its own number",
            vec![s1.clone(), {
                let mut r = undo(K::Reversal, &s1, 5, 1, 10_000);
                r.trace_no = TraceNo::new("5").unwrap();
                r
            }],
        )
        .ask(ChargedTwice, voucher(5, Some(T1)))
        .says(
            D::IsReversal,
            "顾客没有被扣款",
            "the customer was not charged",
        ),
        s(
            "an unknown outcome settled by a later reversal",
            vec![
                outcome(s1.clone(), Outcome::Unknown),
                undo(K::Reversal, &s1, 1, 1, 10_000),
            ],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(
            D::Reversed,
            "终端当时没有给出结果，随后发出了冲正",
            "gave no result at the time and then reversed",
        ),
        s(
            "an unknown outcome, nothing after it",
            vec![outcome(s1.clone(), Outcome::Unknown)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(
            D::UnknownOutcome,
            "终端没有给出最终结果",
            "never reported a final result",
        ),
        s(
            "a declined void leaves the sale to act on",
            vec![
                s1.clone(),
                outcome(undo(K::Void, &s1, 2, 3, 10_000), Outcome::Declined),
            ],
        )
        .ask(VoidFailed, voucher(2, Some(T1)))
        .says(D::Voidable, "原交易仍然有效", "the original still stands"),
        s(
            "a void with no final result",
            vec![
                s1.clone(),
                outcome(undo(K::Void, &s1, 2, 3, 10_000), Outcome::Unknown),
            ],
        )
        .ask(VoidFailed, voucher(2, Some(T1)))
        .says(
            D::UnknownOutcome,
            "凭证号 000001 的消费的撤销",
            "This is the void of sale 000001",
        ),
        s(
            "the asked voucher cancels a pre-authorisation",
            vec![pre.clone(), undo(K::PreAuthCancel, &pre, 2, 30, 50_000)],
        )
        .ask(ChargedTwice, voucher(2, Some(T1)))
        .says(
            D::IsVoid,
            "冻结的金额已释放",
            "the hold on the card is released",
        ),
        s(
            "the asked voucher voids a completion",
            vec![
                pre.clone(),
                completion.clone(),
                undo(K::PreAuthCompletionVoid, &completion, 3, 70, 50_000),
            ],
        )
        .ask(VoidFailed, voucher(3, Some(T1)))
        .says(D::IsVoid, "这笔扣款取消了", "the charge is cancelled"),
        s(
            "a balance inquiry is no payment",
            vec![kind(sale(T1, 1, 0, 0), K::BalanceInquiry)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::NotAPayment, "没有资金变动", "no money moved"),
        // 2. The pre-authorisation family.
        s("an open hold is not a charge", vec![pre.clone()])
            .ask(ChargedTwice, voucher(1, Some(T1)))
            .says(
                D::PreAuthOpen,
                "只是冻结，还不是扣款",
                "a hold, not a charge",
            ),
        s(
            "an open hold can be cancelled at the terminal",
            vec![pre.clone()],
        )
        .ask(VoidFailed, voucher(1, Some(T1)))
        .says(
            D::PreAuthOpen,
            "做预授权撤销",
            "cancel the pre-authorisation at the terminal",
        ),
        s(
            "a hold and its completion are one charge",
            vec![pre.clone(), completion.clone()],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(
            D::PreAuthCompleted,
            "这是一笔扣款，不是两笔",
            "that is one charge, not two",
        ),
        s(
            "a completion for the hold's amount is no duplicate",
            vec![pre.clone(), completion.clone()],
        )
        .ask(ChargedTwice, voucher(2, Some(T1)))
        .says(
            D::ChargedOnce,
            "唯一的一笔真实付款",
            "it is the only real payment",
        ),
        s(
            "a cancelled hold",
            vec![pre.clone(), undo(K::PreAuthCancel, &pre, 2, 30, 50_000)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(
            D::PreAuthCancelled,
            "冻结金额由发卡行释放",
            "the issuer releases the hold",
        ),
        s("a hold past the acquirer's hold period", vec![pre.clone()])
            .now("2027-01-05T10:00:00+08:00")
            .ask(ChargedTwice, voucher(1, Some(T1)))
            .says(
                D::PreAuthExpired,
                "预授权有效期 30 天：到 2026-12-20",
                "holds a pre-authorisation for 30 days: until 2026-12-20",
            ),
        s(
            "a completion can be voided in its open batch",
            vec![pre.clone(), completion.clone()],
        )
        .ask(VoidFailed, voucher(2, Some(T1)))
        .says(D::Voidable, "预授权完成撤销", "choose COMPLETION VOID"),
        s(
            "a voided completion leaves the hold open",
            vec![
                pre.clone(),
                completion.clone(),
                undo(K::PreAuthCompletionVoid, &completion, 3, 70, 50_000),
            ],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::PreAuthOpen, "预授权完成撤销", "completion void"),
        s(
            "a declined hold holds nothing",
            vec![outcome(pre.clone(), Outcome::Declined)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::Declined, "卡上没有冻结", "nothing is held"),
        s(
            "a reversed hold holds nothing",
            vec![pre.clone(), undo(K::Reversal, &pre, 1, 1, 50_000)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::Reversed, "卡上不会有冻结", "nothing is held on the card"),
        // 3. Duplicate charges, strictly.
        s(
            "the same card charged twice minutes apart",
            vec![sale(T1, 1, 0, 2_500), sale(T1, 2, 2, 2_500)],
        )
        .ask(ChargedTwice, amount_at(2_500, 1))
        .says(
            D::DuplicateCharge,
            "保留最早的一笔（凭证号 000001），只退回后面的：凭证号 000002",
            "Keep the first (voucher 000001) and give back only the later one(s): voucher 000002",
        ),
        s(
            "asked about the second of two",
            vec![sale(T1, 1, 0, 2_500), sale(T1, 2, 2, 2_500)],
        )
        .ask(Dispute, voucher(2, Some(T1)))
        .says(
            D::DuplicateCharge,
            "凭证号 000001",
            "Keep the first (voucher 000001)",
        ),
        s(
            "two cards paying the same price",
            vec![
                sale(T1, 1, 0, 2_500),
                card(sale(T1, 2, 2, 2_500), "622588******9876"),
            ],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(
            D::ChargedOnce,
            "只有一笔有效扣款（凭证号 000001）",
            "one live charge to this card for this amount (voucher 000001)",
        ),
        s(
            "same last four, another bank",
            vec![
                sale(T1, 1, 0, 2_500),
                card(sale(T1, 2, 2, 2_500), "436742******1234"),
            ],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(
            D::ChargedOnce,
            "唯一的一笔真实付款",
            "the only real payment",
        ),
        s(
            "a sale and its own void",
            vec![s1.clone(), undo(K::Void, &s1, 2, 3, 10_000)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::AlreadyVoided, "已经撤销", "already voided"),
        s(
            "a declined attempt, then the approved one",
            vec![
                outcome(sale(T1, 1, 0, 2_500), Outcome::Declined),
                sale(T1, 2, 1, 2_500),
            ],
        )
        .ask(ChargedTwice, amount_at(2_500, 0))
        .says(D::ChargedOnce, "被拒绝", "declined"),
        s(
            "a twin that was voided",
            vec![
                sale(T1, 1, 0, 2_500),
                sale(T1, 2, 2, 2_500),
                undo(K::Void, &sale(T1, 2, 2, 2_500), 3, 4, 2_500),
            ],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::ChargedOnce, "不要撤销这笔", "Do not void it"),
        s(
            "the same amount hours apart",
            vec![sale(T1, 1, 0, 2_500), sale(T1, 2, 180, 2_500)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::ChargedOnce, "凭证号 000001", "voucher 000001"),
        // 4. What a refund refers to.
        s(
            "a refund of another day's voucher with the same number",
            vec![sale(T1, 7, 0, 10_000), {
                let mut r = batch(sale(T1, 8, 900, 10_000), "2");
                r.kind = K::Refund;
                r.rrn = None;
                r.original_trace_no = Some(TraceNo::new("7").unwrap());
                r.original_date = Some(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
                r
            }],
        )
        .settled(T1, "1")
        .ask(VoidFailed, voucher(7, Some(T1)))
        .says(
            D::SettledUseRefund,
            "原交易不存在",
            "original transaction does not exist",
        ),
        s(
            "refunds adding up to more than the sale",
            vec![
                s1.clone(),
                batch(undo(K::Refund, &s1, 2, 900, 6_000), "2"),
                batch(undo(K::Refund, &s1, 3, 901, 6_000), "2"),
            ],
        )
        .settled(T1, "1")
        .ask(VoidFailed, voucher(1, Some(T1)))
        .says(D::OverRefunded, "多退了 20.00 元", "RMB 20.00 too much"),
        s(
            "asked about the refund that went over",
            vec![
                s1.clone(),
                batch(undo(K::Refund, &s1, 2, 900, 6_000), "2"),
                batch(undo(K::Refund, &s1, 3, 901, 6_000), "2"),
            ],
        )
        .settled(T1, "1")
        .ask(Other, voucher(3, Some(T1)))
        .says(
            D::OverRefunded,
            "退货合计 120.00 元 比原交易 100.00 元 多 20.00 元",
            "Refunds total RMB 120.00, RMB 20.00 more than the original",
        ),
        s(
            "fully refunded by RRN in a later batch",
            vec![s1.clone(), batch(undo(K::Refund, &s1, 2, 900, 10_000), "2")],
        )
        .settled(T1, "1")
        .ask(VoidFailed, voucher(1, Some(T1)))
        .says(
            D::AlreadyRefunded,
            "退货合计 100.00 元",
            "Refunds total RMB 100.00",
        ),
        s(
            "partly refunded",
            vec![s1.clone(), batch(undo(K::Refund, &s1, 2, 900, 4_000), "2")],
        )
        .settled(T1, "1")
        .ask(VoidFailed, voucher(1, Some(T1)))
        .says(
            D::PartiallyRefunded,
            "还可退 60.00 元",
            "RMB 60.00 can still be refunded",
        ),
        // 5. The void window.
        s("open batch, same business day", vec![s1.clone()]).says(
            D::Voidable,
            "在终端 10000001 上选择“撤销”，输入凭证号 000001",
            "On terminal 10000001 choose VOID and enter voucher 000001",
        ),
        s(
            "open batch, the acquirer's day has turned",
            vec![s1.clone()],
        )
        .now("2026-11-21T10:00:00+08:00")
        .says(
            D::VoidWindowClosed,
            "日切时间 23:00",
            "business day turns at 23:00",
        ),
        s(
            "after the cutoff, the next morning is the same business day",
            vec![sale(T1, 1, 13 * 60 + 30, 10_000)],
        )
        .now("2026-11-21T10:00:00+08:00")
        .says(
            D::Voidable,
            "同一个营业日内",
            "the acquirer's business day has not turned",
        ),
        s(
            "acquirer not known: local midnight",
            vec![{
                let mut t = sale(T1, 1, 13 * 60 + 30, 10_000);
                t.acquirer = None;
                t
            }],
        )
        .now("2026-11-21T00:30:00+08:00")
        .says(D::VoidWindowClosed, "按本地零点", "local midnight"),
        s("settled batch", vec![s1.clone()]).settled(T1, "1").says(
            D::SettledUseRefund,
            "输入参考号 600000000001",
            "enter RRN 600000000001",
        ),
        s(
            "settled, RRN never recorded",
            vec![{
                let mut t = s1.clone();
                t.rrn = None;
                t
            }],
        )
        .settled(T1, "1")
        .says(
            D::SettledUseRefund,
            "按日期和凭证号查出参考号",
            "look it up by date and voucher",
        ),
        // 6. The same voucher more than once on one terminal.
        s(
            "the same voucher in a settled and the open batch",
            vec![sale(T1, 7, 0, 10_000), batch(sale(T1, 7, 300, 2_000), "2")],
        )
        .settled(T1, "1")
        .ask(VoidFailed, voucher(7, Some(T1)))
        .says(
            D::Voidable,
            "其他批次（000001）也出现过",
            "also appears in other batches of this terminal (000001)",
        ),
        // 7. Gaps and totals for every kind of lookup.
        s(
            "a hole here outweighs the number on another terminal",
            vec![
                sale(T1, 1, 0, 100),
                sale(T1, 2, 1, 100),
                sale(T1, 3, 2, 100),
                sale(T1, 6, 5, 100),
                sale(T2, 4, 3, 700),
            ],
        )
        .ask(NotInAcquirerBackEnd, voucher(4, Some(T1)))
        .says(
            D::NotInJournalGap,
            "每台终端各自编号",
            "each terminal numbers its own",
        ),
        s(
            "a hole through the 999999 wrap",
            vec![
                sale(T1, 999_998, 0, 100),
                sale(T1, 999_999, 1, 100),
                sale(T1, 2, 3, 100),
                sale(T1, 3, 4, 100),
            ],
        )
        .ask(ReceiptLost, voucher(1, Some(T1)))
        .says(
            D::NotInJournalGap,
            "缺少凭证号 000001",
            "voucher 000001 is missing",
        ),
        s(
            "too wide to be a hole",
            vec![
                sale(T1, 1, 0, 100),
                sale(T1, 2, 1, 100),
                sale(T1, 90_000, 5, 100),
            ],
        )
        .ask(ReceiptLost, voucher(50_000, Some(T1)))
        .says(D::NotInJournal, "日志没有缺口", "The journal has no gap"),
        s(
            "a settlement that counted one more",
            vec![
                sale(T1, 1, 0, 100),
                sale(T1, 2, 1, 100),
                sale(T1, 3, 2, 100),
            ],
        )
        .settled_short(T1, "1", 1)
        .ask(ReceiptLost, voucher(4, Some(T1)))
        .says(D::NotInJournalGap, "结算 4 笔消费", "settled 4 sales"),
        s("another terminal, no hole here", vec![sale(T2, 5, 0, 700)])
            .ask(VoidFailed, voucher(5, Some(T1)))
            .says(
                D::OtherTerminal,
                "终端 10000002 有",
                "terminal 10000002 does",
            ),
        s(
            "a misread number",
            (1..=12)
                .map(|i| sale(T1, i, i as i64, 100 * i as i64))
                .collect(),
        )
        .ask(ReceiptLost, voucher(21, Some(T1)))
        .says(D::NotInJournalTypo, "看错或输错", "misread or mistyped"),
        // 8. Lookup by amount and time.
        s(
            "the approved one, not the closer declined attempt",
            vec![
                outcome(sale(T1, 1, 0, 2_500), Outcome::Declined),
                sale(T1, 2, 3, 2_500),
            ],
        )
        .ask(VoidFailed, amount_at(2_500, 0))
        .says(D::Voidable, "输入凭证号 000002", "enter voucher 000002"),
        s(
            "only a declined attempt matches",
            vec![outcome(sale(T1, 1, 0, 2_500), Outcome::Declined)],
        )
        .ask(ChargedTwice, amount_at(2_500, 1))
        .says(D::Declined, "没有发生资金变动", "No money moved"),
        // 9. Causes outside the journal.
        s(
            "approved and settled, yet not at the acquirer",
            vec![s1.clone()],
        )
        .settled(T1, "1")
        .now("2026-11-23T10:00:00+08:00")
        .ask(NotInAcquirerBackEnd, voucher(1, Some(T1)))
        .says(
            D::ApprovedAskAcquirer,
            "只看日志无法判断原因",
            "The journal alone cannot tell why",
        ),
        s("approved today, batch open: T+1", vec![s1.clone()])
            .ask(NotInAcquirerBackEnd, voucher(1, Some(T1)))
            .says(
                D::ApprovedAskAcquirer,
                "先在终端上结算，第二天再查",
                "settle at the terminal and check again tomorrow",
            ),
        s(
            "nothing in the journal, asked why the acquirer lacks it",
            vec![sale(T1, 1, 0, 100)],
        )
        .ask(NotInAcquirerBackEnd, voucher(900, Some(T1)))
        .says(D::NotInJournal, "打出过冲正单", "print a reversal"),
        // The everyday answers stay as they were.
        s("a lost slip", vec![s1.clone()])
            .settled(T1, "1")
            .ask(
                ReceiptLost,
                Lookup::Rrn {
                    rrn: s1.rrn.clone().unwrap(),
                },
            )
            .says(D::ReceiptLost, "重打印", "marked REPRINT"),
        s("a dispute", vec![s1.clone()])
            .settled(T1, "1")
            .ask(Dispute, voucher(1, None))
            .says(D::DisputeRespond, "持卡人签名", "signed by the cardholder"),
        s(
            "a declined sale",
            vec![outcome(s1.clone(), Outcome::Declined)],
        )
        .ask(ChargedTwice, voucher(1, Some(T1)))
        .says(D::Declined, "发卡行拒绝", "The issuer declined it"),
    ]
}

#[test]
fn every_scenario_gets_its_code_and_says_why_in_both_languages() {
    let all = scenarios();
    assert!(all.len() >= 40, "{} scenarios", all.len());
    let mut seen = std::collections::HashSet::new();
    for c in all {
        let shop = shop(&c.txns, &c.settle, c.now);
        let d = shop
            .app
            .diagnose(c.complaint, &c.lookup)
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(d.code, c.code, "{}:\n{}", c.name, all_text(&d, false));
        let (zh, en) = (all_text(&d, true), all_text(&d, false));
        assert!(zh.contains(c.zh), "{}: {:?} not in\n{zh}", c.name, c.zh);
        assert!(en.contains(c.en), "{}: {:?} not in\n{en}", c.name, c.en);
        each_language_pure(&d, c.name);
        assert_eq!(d.needs_acquirer, d.code.needs_acquirer(), "{}", c.name);
        if d.code == DiagnosisCode::IsReversal {
            let said = format!("{} {}", d.title.en, d.explanation.en);
            assert!(
                !said.contains("approved"),
                "{}: a reversal is no approved payment: {said}",
                c.name
            );
        }
        seen.insert(c.code);
    }
    // Answers that need an imported statement have tests of their own below.
    let with_statement = [
        DiagnosisCode::OnAcquirerStatement,
        DiagnosisCode::NotOnAcquirerStatement,
    ];
    let missing: Vec<&str> = DiagnosisCode::ALL
        .iter()
        .filter(|c| !seen.contains(c) && !with_statement.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "codes without a scenario: {missing:?}");
}

#[test]
fn a_voucher_on_two_terminals_asks_which() {
    let shop = shop(&[sale(T1, 3, 0, 100), sale(T2, 3, 1, 200)], &[], EVENING);
    let e = shop
        .app
        .diagnose(Complaint::VoidFailed, &voucher(3, None))
        .unwrap_err();
    assert!(
        e.message.contains("terminals 10000001, 10000002"),
        "{}",
        e.message
    );
}

#[test]
fn a_voucher_in_two_settled_batches_asks_which_batch() {
    let shop = shop(
        &[sale(T1, 7, 0, 10_000), batch(sale(T1, 7, 300, 2_000), "2")],
        &[(T1, "1", 0), (T1, "2", 0)],
        EVENING,
    );
    let e = shop
        .app
        .diagnose(Complaint::VoidFailed, &voucher(7, Some(T1)))
        .unwrap_err();
    assert_eq!(e.code, slipkeeper_app::ErrorCode::BadInput);
    assert!(
        e.message.contains("000001 (2026-11-20, settled)")
            && e.message.contains("000002 (2026-11-20, settled)"),
        "{}",
        e.message
    );
    // Naming the batch answers it.
    let d = shop
        .app
        .diagnose(
            Complaint::VoidFailed,
            &Lookup::Voucher {
                voucher: TraceNo::new("7").unwrap(),
                terminal: Some(TerminalId::new(T1).unwrap()),
                batch: Some(BatchNo::new("2").unwrap()),
            },
        )
        .unwrap();
    assert_eq!(d.code, DiagnosisCode::SettledUseRefund);
    assert!(d.facts[0].text.en.contains("RMB 20.00"), "{:?}", d.facts[0]);
}

#[test]
fn the_readme_lists_every_code_with_one_line() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let listed: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(code, _)| code))
        .filter(|c| c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_'))
        .collect();
    let mut want: Vec<&str> = DiagnosisCode::ALL.iter().map(|c| c.as_str()).collect();
    let mut got = listed.clone();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want, "README's table of diagnosis codes");
}

// The acquirer's statement as a second witness.

/// Imports a statement (generic Chinese layout) with `rows` of
/// (terminal, voucher, minutes, amount in yuan, rrn, type).
fn import_statement(shop: &mut Shop, rows: &[(&str, u32, i64, &str, &str, &str)]) {
    let mut csv =
        String::from("终端编号,交易时间,卡号,交易金额,参考号,凭证号,授权码,交易类型,清算日期\n");
    for (term, v, minutes, amount, rrn, kind) in rows {
        csv.push_str(&format!(
            "{term},{},622588******1234,{amount},{rrn},{v:06},A1B2C3,{kind},2026-11-21\n",
            at(*minutes).format("%Y-%m-%d %H:%M:%S")
        ));
    }
    let path = shop._dir.path().join("收单对账单1121.csv");
    std::fs::write(&path, csv).unwrap();
    shop.app.import_statement(&path, None, None).unwrap();
}

fn answer(shop: &Shop, complaint: Complaint, lookup: &Lookup) -> (Diagnosis, String, String) {
    let d = shop.app.diagnose(complaint, lookup).unwrap();
    let (zh, en) = (all_text(&d, true), all_text(&d, false));
    (d, zh, en)
}

#[test]
fn a_voucher_only_the_statement_has_is_answered_from_it_and_named_as_its_source() {
    // No terminal link: the journal is empty; the statement has voucher 000123.
    let mut shop = shop(&[], &[], EVENING);
    import_statement(&mut shop, &[(T1, 123, 0, "255.31", "612345678901", "消费")]);
    let (d, zh, en) = answer(&shop, Complaint::VoidFailed, &voucher(123, None));
    assert_eq!(d.code, DiagnosisCode::SettledUseRefund, "{zh}");
    assert!(
        zh.contains("收单机构对账单 收单对账单1121.csv 第 2 行"),
        "{zh}"
    );
    assert!(zh.contains("已于 2026-11-21 清算"), "{zh}");
    assert!(
        en.contains("612345678901") && en.contains("original date 1120"),
        "{en}"
    );
    match d.remedy {
        Some(slipkeeper_domain::Remedy::Refund {
            rrn,
            original_date,
            refundable,
        }) => {
            assert_eq!(rrn.as_str(), "612345678901");
            assert_eq!(original_date.to_string(), "2026-11-20");
            assert_eq!(refundable, Money::cny(25_531));
        }
        other => panic!("a refund with the statement's RRN, not {other:?}"),
    }
    assert!(
        d.facts.iter().any(|f| f.line_id.is_some()),
        "the statement line is a fact the window can open"
    );

    let (d, zh, _) = answer(&shop, Complaint::ReceiptLost, &voucher(123, None));
    assert_eq!(d.code, DiagnosisCode::ReceiptLost);
    assert!(zh.contains("依据对账单重建"), "{zh}");

    let (d, zh, _) = answer(&shop, Complaint::NotInAcquirerBackEnd, &voucher(123, None));
    assert_eq!(d.code, DiagnosisCode::OnAcquirerStatement, "{zh}");
    assert!(
        d.journal_decides && d.checks.is_empty(),
        "the statement decides"
    );
    assert!(
        zh.contains("清算日期 2026-11-21") && zh.contains("612345678901"),
        "{zh}"
    );

    // By amount and time too.
    let (d, _, en) = answer(&shop, Complaint::VoidFailed, &amount_at(25_531, 5));
    assert_eq!(d.code, DiagnosisCode::SettledUseRefund, "{en}");

    // A voucher neither has stays "not in the journal".
    let (d, ..) = answer(&shop, Complaint::VoidFailed, &voucher(999, None));
    assert_eq!(d.code, DiagnosisCode::NotInJournal);
}

#[test]
fn a_gap_the_statement_fills_is_said_to_be_filled() {
    let txns = [
        sale(T1, 1, 0, 1_000),
        sale(T1, 2, 1, 1_000),
        sale(T1, 4, 3, 1_000),
    ];
    let mut shop = shop(&txns, &[], EVENING);
    let (d, ..) = answer(&shop, Complaint::VoidFailed, &voucher(3, Some(T1)));
    assert_eq!(
        d.code,
        DiagnosisCode::NotInJournalGap,
        "without the statement"
    );
    import_statement(&mut shop, &[(T1, 3, 2, "10.00", "699999999903", "消费")]);
    let (d, zh, en) = answer(&shop, Complaint::VoidFailed, &voucher(3, Some(T1)));
    assert_eq!(d.code, DiagnosisCode::SettledUseRefund, "{zh}");
    assert!(
        zh.contains("记录缺口") && zh.contains("对账单补上了这一笔"),
        "{zh}"
    );
    assert!(en.contains("The statement fills it"), "{en}");
}

#[test]
fn journal_and_statement_disagreeing_shows_both_and_who_the_acquirer_goes_by() {
    let s1 = sale(T1, 1, 0, 10_000);
    let rrn = s1.rrn.clone().unwrap();
    let mut shop = shop(&[s1], &[(T1, "1", 0)], EVENING);
    import_statement(&mut shop, &[(T1, 1, 1, "1000.00", rrn.as_str(), "消费")]);
    let (d, zh, en) = answer(&shop, Complaint::ReceiptLost, &voucher(1, Some(T1)));
    assert!(
        zh.contains("金额：日志 100.00 元，对账单 1000.00 元")
            && zh.contains("收单机构按它自己的记录"),
        "{zh}"
    );
    assert!(
        en.contains("amount: journal RMB 100.00, statement RMB 1000.00"),
        "{en}"
    );
    assert_eq!(d.warnings.len(), 1);
}

#[test]
fn not_in_the_acquirer_back_end_is_answered_by_the_statement_for_days_it_covers() {
    let s1 = sale(T1, 1, 0, 10_000);
    let s2 = sale(T1, 2, 10, 20_000);
    let next_day = "2026-11-21T18:00:00+08:00";
    let mut shop = shop(&[s1.clone(), s2], &[(T1, "1", 0)], next_day);
    // Without a statement only questions can tell the causes apart.
    let (d, ..) = answer(
        &shop,
        Complaint::NotInAcquirerBackEnd,
        &voucher(1, Some(T1)),
    );
    assert_eq!(d.code, DiagnosisCode::ApprovedAskAcquirer);
    assert!(!d.journal_decides);
    // The statement for that day lists voucher 2 but not voucher 1: lost upload.
    let rrn2 = sale(T1, 2, 10, 20_000).rrn.unwrap();
    import_statement(&mut shop, &[(T1, 2, 10, "200.00", rrn2.as_str(), "消费")]);
    let (d, zh, _) = answer(
        &shop,
        Complaint::NotInAcquirerBackEnd,
        &voucher(1, Some(T1)),
    );
    assert_eq!(d.code, DiagnosisCode::NotOnAcquirerStatement, "{zh}");
    assert!(d.needs_acquirer && d.journal_decides);
    assert!(zh.contains(s1.rrn.unwrap().as_str()), "{zh}");
    // Voucher 2 is on it: the acquirer has it.
    let (d, zh, _) = answer(
        &shop,
        Complaint::NotInAcquirerBackEnd,
        &voucher(2, Some(T1)),
    );
    assert_eq!(d.code, DiagnosisCode::OnAcquirerStatement, "{zh}");
}

/// A statement with a bad cell is refused naming its file, row and column, in English
/// and in the owner's Chinese, and nothing of it is imported.
#[test]
fn a_bad_statement_row_is_said_in_chinese_too() {
    let mut shop = shop(&[], &[], EVENING);
    let path = shop._dir.path().join("对账单.csv");
    std::fs::write(
        &path,
        "终端编号,交易时间,卡号,交易金额,参考号,凭证号,授权码,交易类型,清算日期\n\
         10000001,2026-11-20 12:00:00,622588******1234,12.5O,612345678901,000123,A1B2C3,消费,2026-11-21\n",
    )
    .unwrap();
    let e = shop.app.import_statement(&path, None, None).unwrap_err();
    assert_eq!(e.code, slipkeeper_app::ErrorCode::BadInput);
    assert!(
        e.message
            .ends_with(":2:交易金额: \"12.5O\" is not an amount"),
        "{}",
        e.message
    );
    assert!(
        e.zh.as_deref()
            .is_some_and(|z| z.ends_with("对账单.csv 第 2 行「交易金额」列：“12.5O”不是金额")),
        "{e:?}"
    );
    assert_eq!(
        shop.app.statement_period().unwrap(),
        None,
        "nothing imported"
    );
}
