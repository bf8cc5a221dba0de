//! What can still be done about a voucher. These answer the shop owner's most common
//! question: "void at the terminal, or refund?" — a void needs the original still in
//! the terminal's open batch; once the batch is settled the terminal answers
//! "原交易不存在" and only a refund (with RRN and original date) works.

use crate::{Batch, DomainError, Money, Outcome, Rrn, TerminalId, Transaction, TxnKind};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// The way to give the customer their money back, or why there is nothing to do.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "remedy", rename_all = "snake_case")]
pub enum Remedy {
    /// Void (撤销) at this terminal: the batch is still open.
    Void,
    /// Void, but only at the terminal that took the payment.
    VoidAtOtherTerminal {
        /// The terminal that took it.
        terminal_id: TerminalId,
    },
    /// Refund (退货) quoting the original RRN and date; up to `refundable`.
    Refund {
        /// The original's reference number, which the refund quotes.
        rrn: Rrn,
        /// The original's date, which the refund quotes.
        original_date: NaiveDate,
        /// What can still be refunded.
        refundable: Money,
    },
    /// Settled, but the journal has no RRN: the acquirer must look it up first.
    RefundNeedsRrn {
        /// The original's date.
        original_date: NaiveDate,
        /// What can still be refunded.
        refundable: Money,
    },
    /// Already voided: nothing to do.
    AlreadyVoided,
    /// Already refunded in full: nothing to do.
    AlreadyRefunded,
    /// The original did not take money (declined, reversed, unknown, not a sale).
    NothingToReturn {
        /// Its outcome.
        outcome: Outcome,
        /// Its kind.
        kind: TxnKind,
    },
}

/// What approved refunds in `related` have given back of `original`, in total. May
/// exceed the original: that is a real overpayment to report, not a rounding matter.
pub fn refunded_total(
    original: &Transaction,
    related: &[Transaction],
) -> Result<Money, DomainError> {
    let mut total = Money::zero(original.amount.currency());
    for r in related {
        if r.kind == TxnKind::Refund && r.outcome == Outcome::Approved && r.refers_to(original) {
            total = total.checked_add(r.amount)?;
        }
    }
    Ok(total)
}

/// Amount of `original` not yet refunded by approved refunds in `related` (zero when
/// refunds already reach or exceed it).
pub fn refundable_remainder(
    original: &Transaction,
    related: &[Transaction],
) -> Result<Money, DomainError> {
    let left = original
        .amount
        .checked_sub(refunded_total(original, related)?)?;
    Ok(if left.minor() < 0 {
        Money::zero(left.currency())
    } else {
        left
    })
}

/// Whether an approved transaction in `related` cancels `original` whole: a void,
/// a reversal or a completion void.
pub fn cancelled_by<'a>(
    original: &Transaction,
    related: impl IntoIterator<Item = &'a Transaction>,
) -> Option<&'a Transaction> {
    related
        .into_iter()
        .find(|r| r.kind.cancels() && r.outcome == Outcome::Approved && r.refers_to(original))
}

/// The acquirer's business day (清算日) that `at` belongs to, for a day that starts at
/// `cutoff` (日切). Only equality of business days matters: two times are in the same
/// business day when they fall between the same two cutoffs.
pub fn business_day(at: NaiveDateTime, cutoff: NaiveTime) -> NaiveDate {
    (at - (cutoff - NaiveTime::MIN)).date()
}

/// Decides the remedy for `original`, asked at terminal `here`, given its batch and
/// the transactions that may refer to it (voids, refunds, reversals).
pub fn remedy_for(
    original: &Transaction,
    batch: &Batch,
    here: &TerminalId,
    related: &[Transaction],
) -> Result<Remedy, DomainError> {
    remedy_within(original, batch, here, related, true)
}

/// As [`remedy_for`], knowing whether the acquirer's business day of the original is
/// still the current one: a void needs both the open batch and the same business day;
/// after the acquirer's cutoff it is declined even while the batch stays open.
pub fn remedy_within(
    original: &Transaction,
    batch: &Batch,
    here: &TerminalId,
    related: &[Transaction],
    same_business_day: bool,
) -> Result<Remedy, DomainError> {
    let moved_money = original.kind.is_debit() && original.outcome == Outcome::Approved;
    let reversed = related.iter().any(|r| {
        r.kind == TxnKind::Reversal && r.outcome == Outcome::Approved && r.refers_to(original)
    });
    if !moved_money || reversed {
        let outcome = if reversed {
            Outcome::Reversed
        } else {
            original.outcome
        };
        return Ok(Remedy::NothingToReturn {
            outcome,
            kind: original.kind,
        });
    }
    if cancelled_by(original, related).is_some() {
        return Ok(Remedy::AlreadyVoided);
    }
    let refundable = refundable_remainder(original, related)?;
    if refundable.minor() == 0 {
        return Ok(Remedy::AlreadyRefunded);
    }
    let partially_refunded = refundable != original.amount;
    if batch.is_open() && same_business_day && !partially_refunded {
        return Ok(if &original.terminal_id == here {
            Remedy::Void
        } else {
            Remedy::VoidAtOtherTerminal {
                terminal_id: original.terminal_id.clone(),
            }
        });
    }
    let original_date = original.occurred_at.date();
    Ok(match &original.rrn {
        Some(rrn) => Remedy::Refund {
            rrn: rrn.clone(),
            original_date,
            refundable,
        },
        None => Remedy::RefundNeedsRrn {
            original_date,
            refundable,
        },
    })
}

/// Whether `b` charges the same card the same amount as `a`, minutes apart, at the
/// same terminal or merchant, both approved debits: the shape of a double charge.
/// Cards match on the last four digits and, when both masks keep it, the BIN.
pub fn same_charge_twice(a: &Transaction, b: &Transaction, window: TimeDelta) -> bool {
    let debit = |t: &Transaction| t.kind.is_debit() && t.outcome == Outcome::Approved;
    let same_card = match (&a.pan, &b.pan) {
        (Some(p), Some(q)) => {
            p.last4() == q.last4()
                && match (p.bin(), q.bin()) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                }
        }
        _ => false,
    };
    debit(a)
        && debit(b)
        && same_card
        && a.amount == b.amount
        && (a.terminal_id == b.terminal_id || a.merchant_id == b.merchant_id)
        && (a.occurred_at - b.occurred_at).abs() <= window
        && a.key() != b.key()
}

/// Voucher (trace) numbers missing between those seen on one terminal: each gap as
/// (first missing, last missing). Terminals number every transaction, so a hole means
/// the mirror missed something. Holes wider than `MAX_GAP` are not reported: that is
/// the counter wrapping at 999999 or a journal started mid-stream, not a loss.
///
/// The numbers are pushed in ascending order (a journal reading its voucher index) and
/// only the gaps are held: a terminal's half a million vouchers need not be in memory
/// at once. A number not above the last one is skipped (a repeat).
#[derive(Debug, Default)]
pub struct TraceGaps {
    last: Option<u32>,
    gaps: Vec<(u32, u32)>,
}

impl TraceGaps {
    /// A hole wider than this is not a gap but a counter reset or another series.
    pub const MAX_GAP: u32 = 10_000;

    /// The next voucher number (ascending).
    pub fn push(&mut self, n: u32) {
        match self.last {
            Some(last) if n <= last => return,
            Some(last) if n - last > 1 && n - last - 1 <= Self::MAX_GAP => {
                self.gaps.push((last + 1, n - 1));
            }
            _ => {}
        }
        self.last = Some(n);
    }

    /// The gaps found, as first and last missing number.
    pub fn finish(self) -> Vec<(u32, u32)> {
        self.gaps
    }
}

/// The run of voucher numbers missing around `asked` on one terminal, given the
/// terminal's nearest recorded numbers below and above it and its lowest and highest
/// overall. Counters wrap from 999999 to 000001, so the run may go through the wrap;
/// a run wider than [`TraceGaps`]' limit is a late start, not a loss.
pub fn hole_around(
    asked: u32,
    below: Option<u32>,
    above: Option<u32>,
    lowest: Option<u32>,
    highest: Option<u32>,
) -> Option<(u32, u32)> {
    let prev = below.or(highest.filter(|&h| h > asked))?;
    let next = above.or(lowest.filter(|&l| l < asked))?;
    missing_between(prev, next)
}

/// The voucher numbers missing between two recorded ones that follow each other on a
/// terminal (`next` below `prev` means the counter wrapped at 999999), or `None` when
/// none are missing or the run is too wide to be a loss.
pub fn missing_between(prev: u32, next: u32) -> Option<(u32, u32)> {
    const TOP: u32 = 999_999;
    let missing = if prev < next {
        next - prev - 1
    } else {
        (TOP - prev) + next.saturating_sub(1)
    };
    if missing == 0 || missing > TraceGaps::MAX_GAP {
        return None;
    }
    let from = if prev >= TOP { 1 } else { prev + 1 };
    let to = if next <= 1 { TOP } else { next - 1 };
    Some((from, to))
}

/// What a batch's settlement should report as debits, from the transactions seen:
/// approved sales and completions that were not voided or reversed.
pub fn expected_debits(batch: &[Transaction]) -> Result<(u32, Option<Money>), DomainError> {
    let mut count = 0;
    let mut total: Option<Money> = None;
    for t in batch
        .iter()
        .filter(|t| t.kind.is_debit() && t.outcome == Outcome::Approved)
    {
        if cancelled_by(t, batch).is_none() {
            count += 1;
            total = Some(match total {
                Some(m) => m.checked_add(t.amount)?,
                None => t.amount,
            });
        }
    }
    Ok((count, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BatchNo, BatchState, MerchantId, Totals, TraceNo};
    use chrono::NaiveDateTime;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn sale(trace: &str, minor: i64) -> Transaction {
        Transaction {
            terminal_id: TerminalId::new("10000001").unwrap(),
            merchant_id: MerchantId::new("898310048990001").unwrap(),
            batch_no: BatchNo::new("1").unwrap(),
            trace_no: TraceNo::new(trace).unwrap(),
            kind: TxnKind::Sale,
            outcome: Outcome::Approved,
            amount: Money::cny(minor),
            occurred_at: at("2026-11-20 14:03:00"),
            receipt_no: None,
            pan: None,
            scheme: None,
            entry_mode: None,
            expiry: None,
            rrn: Some(Rrn::new("632414123456").unwrap()),
            auth_code: None,
            operator_no: None,
            issuer: None,
            acquirer: None,
            original_trace_no: None,
            original_rrn: None,
            original_date: None,
        }
    }

    fn follow_up(original: &Transaction, kind: TxnKind, trace: &str, minor: i64) -> Transaction {
        let mut t = sale(trace, minor);
        t.kind = kind;
        t.rrn = None;
        t.original_trace_no = Some(original.trace_no.clone());
        t
    }

    fn open() -> Batch {
        Batch {
            terminal_id: TerminalId::new("10000001").unwrap(),
            batch_no: BatchNo::new("1").unwrap(),
            state: BatchState::Open,
        }
    }

    fn settled() -> Batch {
        let totals = Totals {
            debit_count: 1,
            debit_amount: Money::cny(100),
            credit_count: 0,
            credit_amount: Money::cny(0),
        };
        Batch {
            state: BatchState::Settled {
                at: at("2026-11-20 23:00:00"),
                totals,
            },
            ..open()
        }
    }

    fn here() -> TerminalId {
        TerminalId::new("10000001").unwrap()
    }

    #[test]
    fn open_batch_same_terminal_can_be_voided() {
        assert_eq!(
            remedy_for(&sale("1", 100), &open(), &here(), &[]).unwrap(),
            Remedy::Void
        );
    }

    #[test]
    fn open_batch_other_terminal_must_void_there() {
        let other = TerminalId::new("10000002").unwrap();
        assert_eq!(
            remedy_for(&sale("1", 100), &open(), &other, &[]).unwrap(),
            Remedy::VoidAtOtherTerminal {
                terminal_id: here()
            }
        );
    }

    #[test]
    fn settled_batch_needs_refund_with_rrn_and_date() {
        let s = sale("1", 100);
        let r = remedy_for(&s, &settled(), &here(), &[]).unwrap();
        assert_eq!(
            r,
            Remedy::Refund {
                rrn: Rrn::new("632414123456").unwrap(),
                original_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                refundable: Money::cny(100)
            }
        );
        let mut no_rrn = s;
        no_rrn.rrn = None;
        assert!(matches!(
            remedy_for(&no_rrn, &settled(), &here(), &[]).unwrap(),
            Remedy::RefundNeedsRrn { .. }
        ));
    }

    #[test]
    fn partial_refunds_leave_a_remainder() {
        let s = sale("1", 10_000);
        let r1 = follow_up(&s, TxnKind::Refund, "5", 2_500);
        let mut declined = follow_up(&s, TxnKind::Refund, "6", 5_000);
        declined.outcome = Outcome::Declined;
        assert_eq!(
            refundable_remainder(&s, &[r1.clone(), declined]).unwrap(),
            Money::cny(7_500)
        );
        // Once partly refunded, a void would return too much: refund the rest instead.
        assert!(matches!(
            remedy_for(&s, &open(), &here(), std::slice::from_ref(&r1)).unwrap(),
            Remedy::Refund { refundable, .. } if refundable == Money::cny(7_500)
        ));
        let r2 = follow_up(&s, TxnKind::Refund, "7", 7_500);
        assert_eq!(
            remedy_for(&s, &settled(), &here(), &[r1, r2]).unwrap(),
            Remedy::AlreadyRefunded
        );
    }

    #[test]
    fn voided_declined_and_reversed_need_nothing() {
        let s = sale("1", 100);
        let v = follow_up(&s, TxnKind::Void, "2", 100);
        assert_eq!(
            remedy_for(&s, &open(), &here(), &[v]).unwrap(),
            Remedy::AlreadyVoided
        );
        let rev = follow_up(&s, TxnKind::Reversal, "3", 100);
        assert!(matches!(
            remedy_for(&s, &open(), &here(), &[rev]).unwrap(),
            Remedy::NothingToReturn {
                outcome: Outcome::Reversed,
                ..
            }
        ));
        let mut d = sale("4", 100);
        d.outcome = Outcome::Declined;
        assert!(matches!(
            remedy_for(&d, &open(), &here(), &[]).unwrap(),
            Remedy::NothingToReturn {
                outcome: Outcome::Declined,
                ..
            }
        ));
    }

    #[test]
    fn gaps_in_voucher_numbers() {
        let trace_gaps = |seen: &[u32]| {
            let mut g = TraceGaps::default();
            seen.iter().for_each(|&n| g.push(n));
            g.finish()
        };
        assert_eq!(trace_gaps(&[1, 2, 4, 7, 7, 8]), vec![(3, 3), (5, 6)]);
        assert_eq!(trace_gaps(&[5]), vec![]);
        // Repeats change nothing, wherever they come.
        assert_eq!(trace_gaps(&[1, 2, 2, 4, 7, 7, 8]), vec![(3, 3), (5, 6)]);
        assert_eq!(
            trace_gaps(&[1, 999_999]),
            vec![],
            "a wrap or a late start is not a loss"
        );
    }

    #[test]
    fn holes_around_a_voucher_wrap_at_999999() {
        assert_eq!(
            hole_around(4, Some(3), Some(6), Some(1), Some(7)),
            Some((4, 5))
        );
        // The counter wrapped: 999998, 999999, [000001 asked], 000002.
        assert_eq!(
            hole_around(1, None, Some(2), Some(2), Some(999_999)),
            Some((1, 1))
        );
        assert_eq!(
            hole_around(999_999, Some(999_997), None, Some(1), Some(999_997)),
            Some((999_998, 999_999))
        );
        // Too wide to be a loss: a journal started mid-stream.
        assert_eq!(
            hole_around(50_000, Some(10), Some(90_000), Some(1), Some(90_000)),
            None
        );
        assert_eq!(hole_around(5, None, Some(9), Some(9), Some(12)), None);
        assert_eq!(hole_around(5, None, None, None, None), None);
    }

    #[test]
    fn business_days_turn_at_the_cutoff() {
        let eleven = NaiveTime::from_hms_opt(23, 0, 0).unwrap();
        assert_eq!(
            business_day(at("2026-11-20 22:59:00"), eleven),
            business_day(at("2026-11-20 00:30:00"), eleven)
        );
        assert_ne!(
            business_day(at("2026-11-20 22:59:00"), eleven),
            business_day(at("2026-11-20 23:01:00"), eleven)
        );
        assert_eq!(
            business_day(at("2026-11-20 23:01:00"), eleven),
            business_day(at("2026-11-21 10:00:00"), eleven)
        );
        let midnight = NaiveTime::MIN;
        assert_ne!(
            business_day(at("2026-11-20 23:59:00"), midnight),
            business_day(at("2026-11-21 00:01:00"), midnight)
        );
    }

    #[test]
    fn expected_debits_leave_out_voids_and_declines() {
        let s1 = sale("1", 1000);
        let s2 = sale("2", 2500);
        let v = follow_up(&s1, TxnKind::Void, "3", 1000);
        let mut d = sale("4", 999);
        d.outcome = Outcome::Declined;
        assert_eq!(
            expected_debits(&[s1, s2, v, d]).unwrap(),
            (1, Some(Money::cny(2500)))
        );
        assert_eq!(expected_debits(&[]).unwrap(), (0, None));
    }

    #[test]
    fn a_void_in_another_batch_does_not_refer_to_the_sale() {
        let s = sale("1", 100);
        let mut v = follow_up(&s, TxnKind::Void, "2", 100);
        v.batch_no = BatchNo::new("2").unwrap();
        assert!(!v.refers_to(&s));
    }
}
