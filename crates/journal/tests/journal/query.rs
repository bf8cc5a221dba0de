use crate::{sample_records, Fixture};
use chrono::NaiveDateTime;
use slipkeeper_domain::{sample, AuthCode, Outcome, TraceNo};
use slipkeeper_journal::{Journal, TxnQuery};
use std::sync::OnceLock;

const N: u64 = 3000;

/// One journal file of 3,000 sample transactions, shared by the read-only tests here;
/// each test opens its own connection to it.
fn journal() -> Journal {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let mut f = Fixture::new();
        f.journal.ingest(&sample_records(N)).unwrap();
        // Index half of the slips so that searches cover both the indexed part and
        // the not-yet-indexed tail.
        assert_eq!(f.journal.index_slips(N / 2).unwrap(), N / 2);
        f.dir
    });
    Journal::open(&dir.path().join("journal.db")).unwrap()
}

fn all() -> Vec<slipkeeper_domain::Transaction> {
    (0..N).map(sample::transaction).collect()
}

fn expect(q: TxnQuery, pred: impl Fn(&slipkeeper_domain::Transaction) -> bool) {
    let want = all().into_iter().filter(|t| pred(t)).count() as u64;
    let got = journal()
        .search(&TxnQuery {
            limit: 1000,
            ..q.clone()
        })
        .unwrap();
    assert_eq!(got.total, want, "count for {q:?}");
    assert!(
        got.items.iter().all(|r| pred(&r.txn)),
        "every row must match {q:?}"
    );
    assert_eq!(got.items.len() as u64, want.min(1000));
}

#[test]
fn by_voucher() {
    let t = sample::transaction(777);
    expect(
        TxnQuery {
            voucher: Some(t.trace_no.clone()),
            ..Default::default()
        },
        |x| x.trace_no == t.trace_no,
    );
    // "777" and "000777" are the same voucher.
    let short = TraceNo::new(t.trace_no.as_str().trim_start_matches('0')).unwrap();
    expect(
        TxnQuery {
            voucher: Some(short),
            ..Default::default()
        },
        |x| x.trace_no == t.trace_no,
    );
}

#[test]
fn by_rrn_and_auth_code() {
    let t = sample::transaction(1234);
    expect(
        TxnQuery {
            rrn: t.rrn.clone(),
            ..Default::default()
        },
        |x| x.rrn == t.rrn,
    );
    let auth = (0..N)
        .map(sample::transaction)
        .find_map(|t| t.auth_code)
        .unwrap();
    expect(
        TxnQuery {
            auth_code: Some(auth.clone()),
            ..Default::default()
        },
        |x| x.auth_code.as_ref() == Some(&auth),
    );
    expect(
        TxnQuery {
            auth_code: Some(AuthCode::new("ZZZZZZ").unwrap()),
            ..Default::default()
        },
        |_| false,
    );
}

#[test]
fn by_last4_amount_and_time_window() {
    let t = sample::transaction(2001);
    let last4 = t.pan.as_ref().unwrap().last4().to_owned();
    let from = NaiveDateTime::parse_from_str("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let to = t.occurred_at + chrono::TimeDelta::seconds(1);
    let q = TxnQuery {
        last4: Some(last4.clone()),
        amount_minor: Some(t.amount.minor()),
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    expect(q, |x| {
        x.pan.as_ref().map(|p| p.last4()) == Some(last4.as_str())
            && x.amount == t.amount
            && x.occurred_at >= from
            && x.occurred_at < to
    });
}

#[test]
fn by_terminal_batch_and_outcome() {
    let t = sample::transaction(10);
    expect(
        TxnQuery {
            terminal: Some(t.terminal_id.clone()),
            batch: Some(t.batch_no.clone()),
            outcome: Some(Outcome::Declined),
            ..Default::default()
        },
        |x| {
            x.terminal_id == t.terminal_id
                && x.batch_no == t.batch_no
                && x.outcome == Outcome::Declined
        },
    );
}

#[test]
fn free_text_over_slips_in_chinese_and_english() {
    // The slip of every refund says 退货 REFUND; two-character Chinese goes through the scan path.
    expect(
        TxnQuery {
            text: Some("退货".into()),
            ..Default::default()
        },
        |x| x.kind == slipkeeper_domain::TxnKind::Refund,
    );
    expect(
        TxnQuery {
            text: Some("REFUND".into()),
            ..Default::default()
        },
        |x| x.kind == slipkeeper_domain::TxnKind::Refund,
    );
    let t = sample::transaction(42);
    let rrn = t.rrn.clone().unwrap();
    expect(
        TxnQuery {
            text: Some(format!("REF NO.: {rrn}")),
            ..Default::default()
        },
        |x| x.rrn.as_ref() == Some(&rrn),
    );
    // Quotes and FTS operators in user input are text, not syntax.
    expect(
        TxnQuery {
            text: Some("\"OR\" NEAR(".into()),
            ..Default::default()
        },
        |_| false,
    );
}

#[test]
fn pages_are_ordered_newest_first_and_cover_everything_once() {
    let j = journal();
    let mut seen = std::collections::HashSet::new();
    let mut last: Option<NaiveDateTime> = None;
    let mut offset = 0;
    loop {
        let p = j
            .search(&TxnQuery {
                limit: 700,
                offset,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(p.total, N);
        if p.items.is_empty() {
            break;
        }
        for r in &p.items {
            assert!(last.is_none_or(|l| r.txn.occurred_at <= l), "newest first");
            last = Some(r.txn.occurred_at);
            assert!(seen.insert(r.id), "row {} on two pages", r.id);
        }
        offset += p.items.len() as u64;
    }
    assert_eq!(seen.len() as u64, N);
}

#[test]
fn a_bad_last4_is_a_clear_error() {
    let e = journal()
        .search(&TxnQuery {
            last4: Some("12a4".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("last4"), "{e}");
}

#[test]
fn indexing_changes_no_search_result() {
    let mut f = Fixture::new();
    f.journal.ingest(&sample_records(300)).unwrap();
    let queries = [
        "退货",
        "REFUND",
        "演示商店 DEMO",
        "REF NO.: 600000000042",
        "100%",
        "a_b",
    ];
    let before: Vec<u64> = queries
        .iter()
        .map(|q| {
            f.journal
                .search(&TxnQuery {
                    text: Some(q.to_string()),
                    ..Default::default()
                })
                .unwrap()
                .total
        })
        .collect();
    assert_eq!(before[2], 300);
    assert_eq!(before[3], 1);
    assert_eq!(before[4], 0, "% is a character, not a wildcard");
    let mut n = 0;
    loop {
        let k = f.journal.index_slips(70).unwrap();
        if k == 0 {
            break;
        }
        n += k;
    }
    assert_eq!(n, 300);
    let after: Vec<u64> = queries
        .iter()
        .map(|q| {
            f.journal
                .search(&TxnQuery {
                    text: Some(q.to_string()),
                    ..Default::default()
                })
                .unwrap()
                .total
        })
        .collect();
    assert_eq!(before, after);
}

/// The owner scrolls down a list while a terminal adds transactions at its top: the
/// later pages, asked for with the first answer's `upto_id`, are the rows that list
/// had, not rows shifted down by the newcomers.
#[test]
fn pages_of_one_list_stay_put_while_new_rows_arrive() {
    type Rows = slipkeeper_journal::Page<slipkeeper_journal::TxnRow>;
    fn page(j: &Journal, offset: u64, upto_id: Option<i64>, outcome: Option<Outcome>) -> Rows {
        j.search(&TxnQuery {
            offset,
            limit: 100,
            upto_id,
            outcome,
            ..Default::default()
        })
        .unwrap()
    }
    fn ids(p: &Rows) -> Vec<i64> {
        p.items.iter().map(|r| r.id).collect()
    }
    let mut f = Fixture::new();
    let records = sample_records(400);
    f.journal.ingest(&records[..600]).unwrap(); // transactions 0..300 with their slips
    let first = page(&f.journal, 0, None, None);
    assert_eq!((first.total, first.upto_id), (300, 300));
    let upto = Some(first.upto_id);
    let second_before = ids(&page(&f.journal, 100, upto, None));
    let approved_before = page(&f.journal, 0, upto, Some(Outcome::Approved));

    f.journal.ingest(&records[600..]).unwrap(); // 100 newer ones arrive
    let second = page(&f.journal, 100, upto, None);
    assert_eq!(
        ids(&second),
        second_before,
        "the same rows at the same offset"
    );
    assert_eq!((second.total, second.upto_id), (300, 300));
    let approved = page(&f.journal, 0, upto, Some(Outcome::Approved));
    assert_eq!(approved.total, approved_before.total);
    assert_eq!(ids(&approved), ids(&approved_before));

    // Without the bound the list is the new one: everything moved down.
    let fresh = page(&f.journal, 100, None, None);
    assert_eq!((fresh.total, fresh.upto_id), (400, 400));
    assert_ne!(ids(&fresh), second_before);
    // A bound beyond the newest row means the newest row.
    assert_eq!(page(&f.journal, 0, Some(10_000), None).upto_id, 400);
}

/// The gap check reads a terminal's voucher numbers as a stream: ascending, each once,
/// exactly those of that terminal.
#[test]
fn each_trace_streams_a_terminals_vouchers_in_order() {
    let t = sample::transaction(0).terminal_id;
    let mut want: Vec<u32> = all()
        .iter()
        .filter(|x| x.terminal_id == t)
        .map(|x| x.trace_no.as_str().parse().unwrap())
        .collect();
    want.sort_unstable();
    want.dedup();
    let mut got = Vec::new();
    journal().each_trace(&t, |n| got.push(n)).unwrap();
    assert!(!got.is_empty());
    assert_eq!(got, want);
}
