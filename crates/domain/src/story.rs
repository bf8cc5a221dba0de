//! The demo shop's week, for `make run` and a first look at the app: a counter that
//! takes cards at a shop's pace, every day's batch settled at night and today's still
//! open, and the situations the app exists for planted where an owner would meet them:
//!
//! - a 255.31 sale at 12:57 two days ago (card …0733), in a settled batch: voiding it
//!   now fails with "原交易不存在" and the answer is a refund;
//! - a payment the mirror missed (the terminal counted it at settlement, the journal
//!   lacks it), which the acquirer's statement has;
//! - a same-day void, a refund of an older sale and a few declines;
//! - the acquirer's statement for the settled days, with a sale it lacks and the
//!   missed one it has.
//!
//! Everything is a pure function of the day and the time it is generated at.

use crate::*;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// The demo shop's week.
#[derive(Clone, Debug)]
pub struct Story {
    /// What the journal holds, oldest first.
    pub transactions: Vec<Transaction>,
    /// Payments the terminal made that the mirror never saw (in the settlements'
    /// totals and on the statement, not in `transactions`).
    pub missed: Vec<Transaction>,
    /// Each settled day's batch of each terminal.
    pub settlements: Vec<Settlement>,
    /// The sale of the failed void (255.31 two days ago, settled).
    pub featured: Transaction,
    /// The sale the statement leaves out.
    pub not_on_statement: Transaction,
    /// The first and last day the statement covers.
    pub statement_days: (NaiveDate, NaiveDate),
}

/// Settled days before today.
pub const DAYS: i64 = 6;
/// The counter's terminal and the second one by the door.
pub const STORY_TERMINALS: [&str; 2] = ["10000001", "10000002"];

/// A small deterministic generator (splitmix64): the same day gives the same week.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Cards a Chinese shop sees: mostly UnionPay debit and credit, some Visa and Mastercard.
const CARDS: [(&str, CardScheme, &str); 8] = [
    ("622848", CardScheme::UnionPay, "中国农业银行"),
    ("621700", CardScheme::UnionPay, "中国建设银行"),
    ("622588", CardScheme::UnionPay, "招商银行"),
    ("625807", CardScheme::UnionPay, "中国工商银行"),
    ("621483", CardScheme::UnionPay, "招商银行"),
    ("622262", CardScheme::UnionPay, "交通银行"),
    ("427020", CardScheme::Visa, "VISA"),
    ("518710", CardScheme::Mastercard, "MASTERCARD"),
];

fn id<T>(r: Result<T, DomainError>) -> T {
    r.unwrap_or_else(|_| unreachable!("the story's own identifiers are valid"))
}

struct Counter<'a> {
    dice: &'a mut Dice,
    terminal: TerminalId,
    trace: u32,
    /// One per RRN, across the week.
    rrn_seq: &'a mut u64,
}

impl Counter<'_> {
    fn sale(&mut self, batch: &BatchNo, at: NaiveDateTime, minor: i64) -> Transaction {
        let (bin, scheme, issuer) = CARDS[self.dice.below(CARDS.len() as u64) as usize];
        let last4 = self.dice.below(10_000);
        self.card_sale(
            batch,
            at,
            minor,
            &format!("{bin}******{last4:04}"),
            scheme,
            issuer,
        )
    }

    fn card_sale(
        &mut self,
        batch: &BatchNo,
        at: NaiveDateTime,
        minor: i64,
        pan: &str,
        scheme: CardScheme,
        issuer: &str,
    ) -> Transaction {
        self.trace += 1;
        *self.rrn_seq += 1;
        let rrn = format!(
            "{}{:06}",
            at.format("%m%d%H"),
            (*self.rrn_seq * 7919) % 1_000_000
        );
        Transaction {
            terminal_id: self.terminal.clone(),
            merchant_id: id(MerchantId::new(crate::sample::MERCHANT)),
            batch_no: batch.clone(),
            trace_no: id(TraceNo::new(&self.trace.to_string())),
            kind: TxnKind::Sale,
            outcome: Outcome::Approved,
            amount: Money::cny(minor),
            occurred_at: at,
            receipt_no: ReceiptNo::new(&self.trace.to_string()).ok(),
            pan: MaskedPan::new(pan).ok(),
            scheme: Some(scheme),
            entry_mode: Some(
                [
                    EntryMode::Contactless,
                    EntryMode::Chip,
                    EntryMode::Contactless,
                ][self.dice.below(3) as usize],
            ),
            expiry: Expiry::new(&format!(
                "{:02}{:02}",
                27 + self.dice.below(4),
                1 + self.dice.below(12)
            ))
            .ok(),
            rrn: Rrn::new(&rrn).ok(),
            auth_code: AuthCode::new(&format!("{:06}", self.dice.below(1_000_000))).ok(),
            operator_no: OperatorNo::new("01").ok(),
            issuer: Some(issuer.to_owned()),
            acquirer: Some("银联商务".to_owned()),
            original_trace_no: None,
            original_rrn: None,
            original_date: None,
        }
    }

    /// `kind` taking back `orig` a little later, quoting it.
    fn undo(
        &mut self,
        kind: TxnKind,
        orig: &Transaction,
        batch: &BatchNo,
        at: NaiveDateTime,
    ) -> Transaction {
        let mut t = self.sale(batch, at, orig.amount.minor());
        t.kind = kind;
        t.pan = orig.pan.clone();
        t.scheme = orig.scheme;
        t.issuer = orig.issuer.clone();
        t.original_trace_no = Some(orig.trace_no.clone());
        t.original_rrn = orig.rrn.clone();
        t.original_date = Some(orig.occurred_at.date());
        t
    }
}

/// A shop's amount in fen: mostly everyday sums, now and then a larger one.
fn amount(dice: &mut Dice) -> i64 {
    let yuan = match dice.below(10) {
        0..=5 => 8 + dice.below(90),
        6..=8 => 100 + dice.below(300),
        _ => 400 + dice.below(900),
    } as i64;
    let fen = [0, 0, 0, 50, 80, 90, 5, 35, 66, 99][dice.below(10) as usize];
    yuan * 100 + fen
}

fn time(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
}

/// The demo shop's week up to `now` (the shop's local time).
pub fn story(now: NaiveDateTime) -> Story {
    let today = now.date();
    let mut dice = Dice(
        today
            .to_string()
            .bytes()
            .fold(7, |a, b| a * 31 + u64::from(b)),
    );
    let mut rrn_seq = 0;
    let first = today - TimeDelta::days(DAYS);
    let mut transactions = Vec::new();
    let mut missed = Vec::new();
    let mut settlements = Vec::new();
    let mut featured = None;
    let mut not_on_statement = None;
    for (ti, term) in STORY_TERMINALS.iter().enumerate() {
        let mut counter = Counter {
            dice: &mut dice,
            terminal: id(TerminalId::new(term)),
            trace: 0,
            rrn_seq: &mut rrn_seq,
        };
        // The door terminal is quieter.
        let (mean_gap, open_h) = if ti == 0 { (22, 9) } else { (70, 10) };
        for d in 0..=DAYS {
            let day = first + TimeDelta::days(d);
            let batch = id(BatchNo::new(&(d + 1).to_string()));
            let mut day_txns: Vec<Transaction> = Vec::new();
            let mut day_missed: Vec<Transaction> = Vec::new();
            let mut at = time(day, open_h, counter.dice.below(30) as u32);
            let close = time(day, 21, 30);
            let end = if day == today { now.min(close) } else { close };
            while at < end {
                let minor = amount(counter.dice);
                let mut t = counter.sale(&batch, at, minor);
                if counter.dice.below(30) == 0 {
                    // Declined: no authorisation.
                    t.outcome = Outcome::Declined;
                    t.auth_code = None;
                }
                day_txns.push(t);
                at += TimeDelta::minutes(3 + counter.dice.below(2 * mean_gap) as i64);
            }
            if ti == 0 && day < today {
                // Each day one sale is voided at the counter a few minutes later.
                // The journal marks the sale voided (as the mirror does).
                if let Some(orig) = day_txns.iter_mut().find(|t| t.outcome == Outcome::Approved) {
                    let copy = orig.clone();
                    orig.outcome = Outcome::Voided;
                    let v = counter.undo(
                        TxnKind::Void,
                        &copy,
                        &batch,
                        copy.occurred_at + TimeDelta::minutes(4),
                    );
                    day_txns.push(v);
                }
            }
            if ti == 0 && d == DAYS - 2 {
                // Two days ago at 12:57: the sale whose void will fail.
                let t = counter.card_sale(
                    &batch,
                    time(day, 12, 57),
                    25_531,
                    "622848******0733",
                    CardScheme::UnionPay,
                    "中国农业银行",
                );
                featured = Some(t.clone());
                day_txns.push(t);
            }
            if ti == 0 && d == DAYS - 3 {
                // A payment the mirror missed (a cable pulled for a minute at 16:20).
                let t = counter.sale(&batch, time(day, 16, 20), 6_800);
                day_missed.push(t);
            }
            if ti == 0 && d == DAYS - 1 {
                // Yesterday a customer brought back goods bought four days earlier.
                if let Some(orig) = transactions
                    .iter()
                    .find(|t: &&Transaction| {
                        t.terminal_id.as_str() == STORY_TERMINALS[0]
                            && t.outcome == Outcome::Approved
                            && t.kind == TxnKind::Sale
                            && t.occurred_at.date() == day - TimeDelta::days(4)
                            && t.amount.minor() > 10_000
                    })
                    .cloned()
                {
                    let r = counter.undo(TxnKind::Refund, &orig, &batch, time(day, 15, 12));
                    day_txns.push(r);
                }
            }
            if ti == 1 && d == DAYS - 4 {
                // The statement leaves this one out: ask the acquirer.
                not_on_statement = day_txns
                    .iter()
                    .find(|t| t.outcome == Outcome::Approved)
                    .cloned();
            }
            day_txns.sort_by_key(|t| t.occurred_at);
            if day < today {
                let mut all = day_txns.clone();
                all.extend(day_missed.iter().cloned());
                let (debit_count, debit) = crate::expected_debits(&all).unwrap_or((0, None));
                let credits: Vec<&Transaction> = all
                    .iter()
                    .filter(|t| t.kind == TxnKind::Refund && t.outcome == Outcome::Approved)
                    .collect();
                let credit_minor: i64 = credits.iter().map(|t| t.amount.minor()).sum();
                settlements.push(Settlement {
                    terminal_id: counter.terminal.clone(),
                    batch_no: batch.clone(),
                    settled_at: time(day, 23, 0),
                    totals: Totals {
                        debit_count,
                        debit_amount: debit.unwrap_or(Money::cny(0)),
                        credit_count: credits.len() as u32,
                        credit_amount: Money::cny(credit_minor),
                    },
                });
            }
            transactions.extend(day_txns);
            missed.extend(day_missed);
        }
    }
    transactions.sort_by_key(|t| (t.occurred_at, t.terminal_id.as_str().to_owned()));
    Story {
        transactions,
        missed,
        settlements,
        featured: featured.unwrap_or_else(|| unreachable!("planted above")),
        not_on_statement: not_on_statement.unwrap_or_else(|| crate::sample::transaction(0)),
        statement_days: (first, today - TimeDelta::days(1)),
    }
}

impl Story {
    /// The acquirer's statement of the settled days, as a CSV in the common Chinese
    /// layout (交易明细): every approved sale, void and refund the acquirer received,
    /// with a 0.38 % fee; the missed payment is on it, `not_on_statement` is not.
    pub fn statement_csv(&self) -> String {
        let mut out = String::from(
            "商户编号,终端编号,交易时间,卡号,交易类型,交易金额,手续费,结算金额,参考号,凭证号,授权码,清算日期,卡类型\n",
        );
        let (from, to) = self.statement_days;
        let mut lines: Vec<&Transaction> = self
            .transactions
            .iter()
            .chain(self.missed.iter())
            .filter(|t| matches!(t.outcome, Outcome::Approved | Outcome::Voided))
            .filter(|t| (from..=to).contains(&t.occurred_at.date()))
            .filter(|t| *t != &self.not_on_statement)
            .collect();
        lines.sort_by_key(|t| (t.occurred_at, t.terminal_id.as_str().to_owned()));
        for t in lines {
            // Amounts as the acquirer prints them, positive; the type says which way.
            let kind = match t.kind {
                TxnKind::Void => "消费撤销",
                TxnKind::Refund => "退货",
                _ => "消费",
            };
            let minor = t.amount.minor();
            let fee = (minor * 38 + 5_000) / 10_000;
            let net = minor - fee;
            let yuan = |m: i64| format!("{}.{:02}", m / 100, m % 100);
            let credit = matches!(
                t.issuer.as_deref(),
                Some("招商银行" | "VISA" | "MASTERCARD")
            );
            out.push_str(&format!(
                "{},{},{},{},{kind},{},{},{},{},{},{},{},{}\n",
                t.merchant_id,
                t.terminal_id,
                t.occurred_at.format("%Y-%m-%d %H:%M:%S"),
                t.pan.as_ref().map(|p| p.as_str()).unwrap_or(""),
                yuan(minor),
                yuan(fee),
                yuan(net),
                t.rrn.as_ref().map(|r| r.as_str()).unwrap_or(""),
                t.trace_no,
                t.auth_code.as_ref().map(|a| a.as_str()).unwrap_or(""),
                (t.occurred_at.date() + TimeDelta::days(1)).format("%Y-%m-%d"),
                if credit { "贷记卡" } else { "借记卡" },
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn the_week_is_the_same_for_the_same_day_and_its_keys_are_unique() {
        let a = story(at("2026-12-03 15:00:00"));
        let b = story(at("2026-12-03 15:00:00"));
        assert_eq!(a.transactions, b.transactions);
        let keys: std::collections::HashSet<_> = a.transactions.iter().map(|t| t.key()).collect();
        assert_eq!(keys.len(), a.transactions.len());
        let rrns: std::collections::HashSet<_> = a
            .transactions
            .iter()
            .chain(&a.missed)
            .filter_map(|t| t.rrn.clone())
            .collect();
        assert_eq!(rrns.len(), a.transactions.len() + a.missed.len());
        // Six settled days per terminal, today's batch open.
        assert_eq!(a.settlements.len(), 2 * DAYS as usize);
        assert!(a
            .transactions
            .iter()
            .any(|t| t.occurred_at.date() == at("2026-12-03 00:00:00").date()));
        assert!(a.transactions.len() > 150, "{}", a.transactions.len());
    }

    #[test]
    fn the_planted_situations_are_there() {
        let s = story(at("2026-12-03 08:00:00"));
        assert_eq!(s.featured.amount.minor(), 25_531);
        assert_eq!(s.featured.occurred_at, at("2026-12-01 12:57:00"));
        assert_eq!(s.missed.len(), 1);
        assert!(s.transactions.iter().any(|t| t.kind == TxnKind::Refund));
        assert!(s.transactions.iter().any(|t| t.kind == TxnKind::Void));
        assert!(s
            .transactions
            .iter()
            .any(|t| t.outcome == Outcome::Declined));
        let csv = s.statement_csv();
        let rrn = |t: &Transaction| {
            t.rrn
                .as_ref()
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default()
        };
        assert!(csv.contains(&rrn(&s.missed[0])));
        assert!(!csv.contains(&rrn(&s.not_on_statement)));
        assert!(csv.contains("255.31"));
        // At 08:00 today's counter has not opened.
        assert!(s
            .transactions
            .iter()
            .all(|t| t.occurred_at.date() < at("2026-12-03 00:00:00").date()));
    }
}
