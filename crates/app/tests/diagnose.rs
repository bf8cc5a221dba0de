//! Every diagnosis code, from journal states built through the public API on a real
//! SQLite file.

#![allow(clippy::unwrap_used)] // a test: fail loudly

use chrono::{NaiveDateTime, TimeDelta};
use slipkeeper_app::{App, FixedClock, Lookup};
use slipkeeper_domain::{
    sample, BatchNo, Complaint, DiagnosisCode, MaskedPan, Money, Outcome, Settlement, TerminalId,
    Totals, TraceNo, Transaction, TxnKind,
};
use slipkeeper_journal::{Record, RecordBody};

const T1: &str = "10000001";
const T2: &str = "10000002";

fn at(minutes: i64) -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-20 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap()
        + TimeDelta::minutes(minutes)
}

fn sale(term: &str, trace: u32, minutes: i64, amount: i64) -> Transaction {
    let mut t = sample::transaction(0);
    t.terminal_id = TerminalId::new(term).unwrap();
    t.batch_no = BatchNo::new("1").unwrap();
    t.trace_no = TraceNo::new(&trace.to_string()).unwrap();
    t.kind = TxnKind::Sale;
    t.outcome = Outcome::Approved;
    t.amount = Money::cny(amount);
    t.occurred_at = at(minutes);
    let n = trace + if term == T2 { 5000 } else { 0 };
    t.rrn = Some(format!("6000{n:08}").parse().unwrap());
    t.pan = Some(MaskedPan::new("622588******1234").unwrap());
    t.original_trace_no = None;
    t.original_rrn = None;
    t.original_date = None;
    t
}

fn undo(kind: TxnKind, orig: &Transaction, trace: u32, minutes: i64, amount: i64) -> Transaction {
    let mut t = sale(orig.terminal_id.as_str(), trace, minutes, amount);
    t.kind = kind;
    t.original_trace_no = Some(orig.trace_no.clone());
    t.original_rrn = orig.rrn.clone();
    t.original_date = Some(orig.occurred_at.date());
    if kind == TxnKind::Reversal {
        t.trace_no = orig.trace_no.clone();
        t.rrn = None;
    }
    t
}

struct Shop {
    _dir: tempfile::TempDir,
    app: App,
}

impl Shop {
    fn with(txns: &[Transaction], settle: bool) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        let now = chrono::DateTime::UNIX_EPOCH;
        let mut records: Vec<Record> = txns
            .iter()
            .map(|t| Record {
                body: RecordBody::Transaction(t.clone()),
                recorded_at: now,
            })
            .collect();
        if settle {
            for term in [T1, T2] {
                let in_batch: Vec<&Transaction> = txns
                    .iter()
                    .filter(|t| t.terminal_id.as_str() == term && t.batch_no.as_str() == "000001")
                    .collect();
                if in_batch.is_empty() {
                    continue;
                }
                records.push(Record {
                    body: RecordBody::Settlement(Settlement {
                        terminal_id: TerminalId::new(term).unwrap(),
                        batch_no: BatchNo::new("1").unwrap(),
                        settled_at: at(600),
                        totals: Totals {
                            debit_count: in_batch.len() as u32,
                            debit_amount: Money::cny(
                                in_batch.iter().map(|t| t.amount.minor()).sum(),
                            ),
                            credit_count: 0,
                            credit_amount: Money::cny(0),
                        },
                    }),
                    recorded_at: now,
                });
            }
        }
        app.journal_mut().ingest(&records).unwrap();
        Shop { _dir: dir, app }
    }
}

fn voucher(v: u32, term: Option<&str>) -> Lookup {
    Lookup::Voucher {
        voucher: TraceNo::new(&v.to_string()).unwrap(),
        terminal: term.map(|t| TerminalId::new(t).unwrap()),
        batch: None,
    }
}

fn later_batch(mut t: Transaction) -> Transaction {
    t.batch_no = BatchNo::new("2").unwrap();
    t
}

struct Case {
    name: &'static str,
    txns: Vec<Transaction>,
    settle: bool,
    complaint: Complaint,
    lookup: Lookup,
    code: DiagnosisCode,
    says: &'static str,
}

#[test]
fn every_code_from_its_journal_state() {
    let s1 = sale(T1, 1, 0, 10_000);
    let mut declined = sale(T1, 2, 5, 500);
    declined.outcome = Outcome::Declined;
    let mut unknown = sale(T1, 2, 5, 500);
    unknown.outcome = Outcome::Unknown;
    let dup_a = sale(T1, 1, 0, 2_500);
    let dup_b = sale(T1, 2, 2, 2_500);
    let contiguous: Vec<Transaction> = (1..=12)
        .map(|i| sale(T1, i, i as i64, 100 * i as i64))
        .collect();
    let holed: Vec<Transaction> = [1, 2, 3, 6, 7]
        .iter()
        .map(|&i| sale(T1, i, i as i64, 100 * i as i64))
        .collect();
    use Complaint::*;
    use DiagnosisCode as D;
    let case = |name, txns, settle, complaint, lookup, code, says| Case {
        name,
        txns,
        settle,
        complaint,
        lookup,
        code,
        says,
    };
    let cases = vec![
        case(
            "open batch",
            vec![s1.clone()],
            false,
            VoidFailed,
            voucher(1, Some(T1)),
            D::Voidable,
            "void it on terminal 10000001",
        ),
        case(
            "settled batch",
            vec![s1.clone()],
            true,
            VoidFailed,
            voucher(1, Some(T1)),
            D::SettledUseRefund,
            "original transaction does not exist",
        ),
        case(
            "voided",
            vec![s1.clone(), undo(TxnKind::Void, &s1, 2, 3, 10_000)],
            false,
            VoidFailed,
            voucher(1, Some(T1)),
            D::AlreadyVoided,
            "already voided",
        ),
        case(
            "refunded",
            vec![
                s1.clone(),
                later_batch(undo(TxnKind::Refund, &s1, 2, 900, 10_000)),
            ],
            true,
            VoidFailed,
            voucher(1, Some(T1)),
            D::AlreadyRefunded,
            "Refunds total RMB 100.00",
        ),
        case(
            "partly refunded",
            vec![
                s1.clone(),
                later_batch(undo(TxnKind::Refund, &s1, 2, 900, 4_000)),
            ],
            true,
            VoidFailed,
            voucher(1, Some(T1)),
            D::PartiallyRefunded,
            "RMB 60.00 can still be refunded",
        ),
        case(
            "reversed",
            vec![s1.clone(), undo(TxnKind::Reversal, &s1, 1, 1, 10_000)],
            false,
            ChargedTwice,
            voucher(1, Some(T1)),
            D::Reversed,
            "not charged",
        ),
        case(
            "declined",
            vec![declined],
            false,
            ChargedTwice,
            voucher(2, Some(T1)),
            D::Declined,
            "No money moved",
        ),
        case(
            "other terminal",
            vec![sale(T2, 5, 0, 700)],
            false,
            VoidFailed,
            voucher(5, Some(T1)),
            D::OtherTerminal,
            "terminal 10000002 does",
        ),
        case(
            "typo",
            contiguous.clone(),
            false,
            ReceiptLost,
            voucher(21, Some(T1)),
            D::NotInJournalTypo,
            "misread or mistyped",
        ),
        case(
            "gap",
            holed,
            false,
            NotInAcquirerBackEnd,
            voucher(4, Some(T1)),
            D::NotInJournalGap,
            "vouchers 000003 and 000006 are recorded",
        ),
        case(
            "not in journal",
            contiguous,
            false,
            Other,
            voucher(900, Some(T1)),
            D::NotInJournal,
            "not made on these terminals",
        ),
        case(
            "duplicate",
            vec![dup_a, dup_b],
            false,
            ChargedTwice,
            Lookup::AmountTime {
                amount_minor: 2_500,
                at: at(1),
                last4: Some("1234".into()),
                terminal: None,
            },
            D::DuplicateCharge,
            "2 approved sales",
        ),
        case(
            "unknown outcome",
            vec![unknown],
            false,
            ChargedTwice,
            voucher(2, Some(T1)),
            D::UnknownOutcome,
            "never reported a final result",
        ),
        case(
            "receipt lost",
            vec![s1.clone()],
            true,
            ReceiptLost,
            Lookup::Rrn {
                rrn: s1.rrn.clone().unwrap(),
            },
            D::ReceiptLost,
            "marked REPRINT",
        ),
        case(
            "acquirer cannot find it",
            vec![s1.clone()],
            true,
            NotInAcquirerBackEnd,
            Lookup::Auth {
                auth: s1.auth_code.clone().unwrap(),
                terminal: None,
            },
            D::ApprovedAskAcquirer,
            "the upload may have been lost",
        ),
        case(
            "dispute",
            vec![s1.clone()],
            true,
            Dispute,
            voucher(1, None),
            D::DisputeRespond,
            "signed by the cardholder",
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for c in cases {
        let shop = Shop::with(&c.txns, c.settle);
        let d = shop
            .app
            .diagnose(c.complaint, &c.lookup)
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(d.code, c.code, "{}: {d:#?}", c.name);
        let all = format!(
            "{} {} {}",
            d.explanation.en,
            d.facts
                .iter()
                .map(|f| f.text.en.clone())
                .collect::<Vec<_>>()
                .join(" "),
            d.next_steps
                .iter()
                .map(|s| s.en.clone())
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(
            all.contains(c.says),
            "{}: {:?} not in {all}",
            c.name,
            c.says
        );
        assert!(
            !d.title.zh.is_empty() && !d.explanation.zh.is_empty(),
            "{}: Chinese text",
            c.name
        );
        if !matches!(c.code, D::NotInJournal | D::NotInJournalGap) {
            assert!(
                d.facts.iter().any(|f| f.txn_id.is_some()),
                "{}: facts name records",
                c.name
            );
        }
        seen.insert(c.code);
    }
    assert_eq!(seen.len(), 16, "every code has a scenario");
}

#[test]
fn a_voucher_on_two_terminals_asks_which() {
    let shop = Shop::with(&[sale(T1, 3, 0, 100), sale(T2, 3, 1, 200)], false);
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
