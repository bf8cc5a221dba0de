//! Settlements, raw frames and settings: the records besides transactions and slips.

use crate::{now, txn_record, Fixture};
use chrono::{NaiveDateTime, TimeZone, Utc};
use slipkeeper_domain::*;
use slipkeeper_journal::{
    Direction, MerchantProfile, ProblemKind, RawFrame, Record, RecordBody, TxnQuery,
};

fn settlement(t: &Transaction) -> Record {
    let at = NaiveDateTime::parse_from_str("2026-01-01 23:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
    Record {
        body: RecordBody::Settlement(Settlement {
            terminal_id: t.terminal_id.clone(),
            batch_no: t.batch_no.clone(),
            settled_at: at,
            totals: Totals {
                debit_count: 1,
                debit_amount: t.amount,
                credit_count: 0,
                credit_amount: Money::cny(0),
            },
        }),
        recorded_at: now(),
    }
}

#[test]
fn a_settlement_closes_the_batch_and_a_void_becomes_a_refund() {
    let mut f = Fixture::new();
    let t = sample::transaction(0);
    f.journal.ingest(&[txn_record(&t)]).unwrap();
    let here = t.terminal_id.clone();
    let batch = f.journal.batch(&t.terminal_id, &t.batch_no).unwrap();
    assert!(batch.is_open());
    assert_eq!(remedy_for(&t, &batch, &here, &[]).unwrap(), Remedy::Void);

    let r = f.journal.ingest(&[settlement(&t), settlement(&t)]).unwrap();
    assert_eq!(
        (r.inserted, r.duplicates),
        (1, 1),
        "a settlement is stored once"
    );
    let batch = f.journal.batch(&t.terminal_id, &t.batch_no).unwrap();
    assert!(!batch.is_open());
    assert!(
        matches!(
            remedy_for(&t, &batch, &here, &[]).unwrap(),
            Remedy::Refund { .. }
        ),
        "原交易不存在: refund instead"
    );
    let row = &f.journal.search(&TxnQuery::default()).unwrap().items[0];
    assert!(row.settled);
    assert!(f.journal.verify().unwrap().is_clean());
}

#[test]
fn raw_frames_are_kept_linked_to_their_transaction_and_stored_once() {
    let mut f = Fixture::new();
    let t = sample::transaction(0);
    let frame = RawFrame {
        terminal_id: t.terminal_id.clone(),
        direction: Direction::Rx,
        at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap(),
        bytes: vec![0x04, 0x0F, 0x02, 0x27, 0x00],
        txn: Some(t.key()),
        masked: false,
    };
    let rec = Record {
        body: RecordBody::RawFrame(frame.clone()),
        recorded_at: now(),
    };
    let r = f
        .journal
        .ingest(&[txn_record(&t), rec.clone(), rec])
        .unwrap();
    assert_eq!((r.inserted, r.duplicates), (2, 1));
    let id = f.journal.find(&t.key()).unwrap().unwrap();
    assert_eq!(f.journal.detail(id).unwrap().frames, vec![frame]);

    let unlinked = RawFrame {
        txn: Some(sample::transaction(99).key()),
        ..f.journal.detail(id).unwrap().frames[0].clone()
    };
    let e = f
        .journal
        .ingest(&[Record {
            body: RecordBody::RawFrame(unlinked),
            recorded_at: now(),
        }])
        .unwrap_err();
    assert!(e.to_string().contains("txn"), "{e}");
}

#[test]
fn tampering_with_a_settlement_is_found() {
    let mut f = Fixture::new();
    let t = sample::transaction(0);
    f.journal.ingest(&[txn_record(&t), settlement(&t)]).unwrap();
    crate::raw(&f.path())
        .execute("UPDATE settlements SET debit_minor = debit_minor * 2", [])
        .unwrap();
    let r = f.journal.verify().unwrap();
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].kind, ProblemKind::Altered);
    assert!(
        r.problems[0].label.contains("settlement"),
        "{:?}",
        r.problems[0]
    );
}

#[test]
fn merchant_profile_terminals_and_cursors_persist() {
    let f = Fixture::new();
    assert_eq!(
        f.journal.merchant_profile().unwrap(),
        MerchantProfile::default()
    );
    let p = MerchantProfile {
        shop_name: Some("演示商店".into()),
        merchant_id: Some(MerchantId::new(sample::MERCHANT).unwrap()),
        phone: Some("021-12345678".into()),
        ..Default::default()
    };
    f.journal.set_merchant_profile(&p).unwrap();
    let term = Terminal {
        id: TerminalId::new("10000001").unwrap(),
        merchant_id: MerchantId::new(sample::MERCHANT).unwrap(),
        model: Some("demo".into()),
        link: Link::Tcp {
            host: "192.0.2.10".into(),
            port: 20007,
        },
    };
    f.journal.upsert_terminal(&term).unwrap();
    f.journal
        .upsert_terminal(&Terminal {
            link: Link::Demo,
            ..term.clone()
        })
        .unwrap();
    f.journal
        .set_cursor(&term.id, "receipt_no", "0042", now())
        .unwrap();
    let path = f.path();
    drop(f.journal);
    let j = slipkeeper_journal::Journal::open(&path).unwrap();
    assert_eq!(j.merchant_profile().unwrap(), p);
    assert_eq!(
        j.terminals().unwrap(),
        vec![Terminal {
            link: Link::Demo,
            ..term.clone()
        }]
    );
    assert_eq!(
        j.cursor(&term.id, "receipt_no").unwrap().as_deref(),
        Some("0042")
    );
    assert_eq!(j.cursor(&term.id, "other").unwrap(), None);
}
