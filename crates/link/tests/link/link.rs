//! The link against the simulator over real TCP sockets on 127.0.0.1, mirrored into a
//! real journal file.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use slipkeeper_domain::*;
use slipkeeper_journal::{Journal, RecordBody, TxnQuery};
use slipkeeper_link::{commands, mirror, End, Link, LinkError};
use slipkeeper_testkit::sim;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

fn shop_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 22)
        .unwrap()
        .and_hms_opt(14, 3, 7)
        .unwrap()
}

async fn terminal() -> String {
    let (addr, _task) = sim::counter(shop_time).await;
    addr.to_string()
}

async fn connect(addr: &str) -> Link<TcpStream> {
    let clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 6, 3, 7).unwrap());
    let mut l = Link::connect_tcp(addr, clock).await.unwrap();
    l.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
    l
}

fn ctx(batch: &str) -> mirror::Context {
    mirror::Context {
        terminal_id: TerminalId::new("52523535").unwrap(),
        merchant_id: MerchantId::new("898310048990001").unwrap(),
        batch_no: BatchNo::new(batch).unwrap(),
        currency: Currency::CNY,
        local_now: shop_time(),
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 6, 3, 8).unwrap()
}

#[tokio::test]
async fn unregistered_commands_are_refused_and_status_works() {
    let addr = terminal().await;
    let mut l = connect(&addr).await;
    assert!(matches!(
        l.command(&commands::end_of_day(0).unwrap()).await,
        Err(LinkError::Refused(0x83))
    ));
    let ex = l.command(&commands::status_enquiry()).await.unwrap();
    assert_eq!(ex.end, End::Completed);
    assert_eq!(ex.terminal_status(), Some((Some("SIM-1.00".into()), 0)));
}

#[tokio::test]
async fn a_payment_is_mirrored_with_its_slips_and_raw_frames() {
    let addr = terminal().await;
    let mut l = connect(&addr).await;
    crate::register(&mut l).await;
    let ex = l
        .command(&commands::authorisation(12345, 156).unwrap())
        .await
        .unwrap();
    assert_eq!(ex.end, End::Completed);
    // 04 0F, merchant and cardholder receipts, 06 0F — each acknowledged by us.
    assert_eq!(ex.messages.len(), 4);
    assert_eq!(
        ex.frames.len(),
        2 + 2 * 4,
        "command + ack, then four messages and our four acks"
    );

    let (recs, settled) = mirror::records(&ctx("1"), &ex, now());
    assert!(!settled);
    let RecordBody::Transaction(t) = &recs[0].body else {
        panic!("first record is the transaction")
    };
    assert_eq!(
        (t.kind, t.outcome, t.amount),
        (TxnKind::Sale, Outcome::Approved, Money::cny(12345))
    );
    assert_eq!(t.trace_no.as_str(), "000001");
    assert_eq!(t.occurred_at, shop_time());
    assert_eq!(t.pan.as_ref().unwrap().as_str(), "622588******5673");
    assert_eq!(t.scheme, Some(CardScheme::UnionPay));
    let slips: Vec<_> = recs
        .iter()
        .filter_map(|r| {
            if let RecordBody::Slip(s) = &r.body {
                Some(&s.slip)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        slips.iter().map(|s| s.copy).collect::<Vec<_>>(),
        vec![CopyType::Merchant, CopyType::Cardholder]
    );
    assert!(
        slips[0]
            .lines
            .contains(&"凭证号 VOUCHER NO.: 000001".to_owned()),
        "{:?}",
        slips[0].lines
    );

    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
    let r = j.ingest(&recs).unwrap();
    assert_eq!(
        r.inserted as usize,
        recs.len(),
        "every frame is its own record"
    );
    assert_eq!(
        j.ingest(&recs).unwrap().inserted,
        0,
        "mirroring the same exchange again stores nothing"
    );
    let page = j
        .search(&TxnQuery {
            voucher: Some(TraceNo::new("1").unwrap()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    let d = j.detail(page.items[0].id).unwrap();
    assert_eq!(d.slips.len(), 2);
    assert_eq!(d.frames.len(), 10);
    assert_eq!(
        d.frames[0].bytes,
        commands::authorisation(12345, 156)
            .unwrap()
            .encode()
            .unwrap()
    );
    assert!(j.verify().unwrap().is_clean());
}

#[tokio::test]
async fn a_decline_ends_in_an_abort_and_keeps_the_raw_frames() {
    let addr = terminal().await;
    let mut l = connect(&addr).await;
    crate::register(&mut l).await;
    let ex = l
        .command(&commands::authorisation(10013, 156).unwrap())
        .await
        .unwrap();
    assert_eq!(ex.end, End::Aborted(Some(0x05)));
    let (recs, _) = mirror::records(&ctx("1"), &ex, now());
    assert!(
        recs.iter()
            .all(|r| matches!(r.body, RecordBody::RawFrame(_))),
        "no trace number: frames only"
    );
    assert_eq!(recs.len(), ex.frames.len());
}

#[tokio::test]
async fn after_end_of_day_a_void_is_refused_and_the_journal_says_refund() {
    let addr = terminal().await;
    let mut l = connect(&addr).await;
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
    let mut store = |ex: &slipkeeper_link::Exchange, batch: &str| {
        let (recs, settled) = mirror::records(&ctx(batch), ex, now());
        j.ingest(&recs).unwrap();
        settled
    };
    crate::register(&mut l).await;
    store(
        &l.command(&commands::authorisation(5000, 156).unwrap())
            .await
            .unwrap(),
        "1",
    );
    store(
        &l.command(&commands::authorisation(7000, 156).unwrap())
            .await
            .unwrap(),
        "1",
    );

    // Same batch: the void (ZVT reversal) of receipt 1 goes through.
    let void = l.command(&commands::reversal(0, 1).unwrap()).await.unwrap();
    assert_eq!(void.end, End::Completed);
    store(&void, "1");

    let eod = l.command(&commands::end_of_day(0).unwrap()).await.unwrap();
    assert!(store(&eod, "1"), "end-of-day settles the batch");

    // After settlement the terminal no longer knows receipt 2: 原交易不存在.
    let late = l.command(&commands::reversal(0, 2).unwrap()).await.unwrap();
    assert_eq!(late.end, End::Aborted(Some(0xB5)));

    let voided = j
        .search(&TxnQuery {
            kind: Some(TxnKind::Void),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(voided.total, 1);
    assert_eq!(
        voided.items[0]
            .txn
            .original_trace_no
            .as_ref()
            .unwrap()
            .as_str(),
        "000001"
    );
    let sale2 = j
        .search(&TxnQuery {
            amount_minor: Some(7000),
            kind: Some(TxnKind::Sale),
            ..Default::default()
        })
        .unwrap()
        .items
        .remove(0);
    assert!(sale2.settled);
    let d = j.detail(sale2.id).unwrap();
    let remedy = remedy_for(&d.row.txn, &d.batch, &sale2.txn.terminal_id, &[]).unwrap();
    assert!(
        matches!(
            remedy,
            Remedy::RefundNeedsRrn { .. } | Remedy::Refund { .. }
        ),
        "{remedy:?}"
    );
    let BatchState::Settled { totals, .. } = d.batch.state else {
        panic!("settled")
    };
    assert_eq!(
        totals.debit_amount,
        Money::cny(7000),
        "the voided sale is not in the totals"
    );
}

#[tokio::test]
async fn a_terminal_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let _keep = tokio::spawn(async move {
        let (s, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    });
    let clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 6, 3, 7).unwrap());
    let mut l = Link::connect_tcp(&addr, clock).await.unwrap();
    l.set_timeouts(Duration::from_millis(300), Duration::from_millis(300));
    assert!(matches!(
        l.command(&commands::status_enquiry()).await,
        Err(LinkError::Timeout(..))
    ));
}

#[tokio::test]
async fn a_dropped_connection_mid_command_is_an_error_not_a_hang() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let (mut s, _) = listener.accept().await.unwrap();
        let mut b = [0u8; 64];
        let _ = tokio::io::AsyncReadExt::read(&mut s, &mut b).await;
        // Acknowledge, start a status information, and hang up half-way.
        s.write_all(&[0x80, 0x00, 0x00, 0x04, 0x0F, 0x10, 0x27, 0x00])
            .await
            .unwrap();
    });
    let clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 6, 3, 7).unwrap());
    let mut l = Link::connect_tcp(&addr, clock).await.unwrap();
    l.set_timeouts(Duration::from_secs(2), Duration::from_secs(2));
    assert!(matches!(
        l.command(&commands::authorisation(100, 156).unwrap()).await,
        Err(LinkError::Closed)
    ));
}

#[tokio::test]
async fn nothing_listening_is_a_clear_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 6, 3, 7).unwrap());
    let e = Link::connect_tcp(&addr, clock).await.err().unwrap();
    assert!(e.to_string().contains(&addr), "{e}");
}

#[tokio::test]
async fn a_pre_authorisation_is_taken_or_released_and_each_step_is_mirrored() {
    let addr = terminal().await;
    let mut l = connect(&addr).await;
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
    let mut store = |ex: &slipkeeper_link::Exchange| {
        let (recs, _) = mirror::records(&ctx("1"), ex, now());
        j.ingest(&recs).unwrap();
    };
    crate::register(&mut l).await;
    // Two reservations: receipts 1 and 2.
    for amount in [50_000, 30_000] {
        let ex = l
            .command(&commands::pre_authorisation(amount, 156).unwrap())
            .await
            .unwrap();
        assert_eq!(ex.end, End::Completed);
        store(&ex);
    }
    // More than reserved is refused; the reservation stays open.
    assert_eq!(
        l.command(&commands::book_total(1, 60_000).unwrap())
            .await
            .unwrap()
            .end,
        End::Aborted(Some(0xB7))
    );
    let taken = l
        .command(&commands::book_total(1, 42_000).unwrap())
        .await
        .unwrap();
    assert_eq!(taken.end, End::Completed);
    store(&taken);
    let released = l
        .command(&commands::pre_auth_reversal(2).unwrap())
        .await
        .unwrap();
    assert_eq!(released.end, End::Completed);
    store(&released);
    // Both closed now: nothing left to take or release.
    assert_eq!(
        l.command(&commands::pre_auth_reversal(1).unwrap())
            .await
            .unwrap()
            .end,
        End::Aborted(Some(0xB8))
    );

    let page = j.search(&TxnQuery::default()).unwrap();
    let mut kinds: Vec<(TxnKind, i64, Option<String>)> = page
        .items
        .iter()
        .map(|r| {
            (
                r.txn.kind,
                r.txn.amount.minor(),
                r.txn
                    .original_trace_no
                    .as_ref()
                    .map(|t| t.as_str().to_owned()),
            )
        })
        .collect();
    kinds.sort_by_key(|k| (k.1, k.2.is_some()));
    assert_eq!(
        kinds,
        vec![
            (TxnKind::PreAuth, 30_000, None),
            (TxnKind::PreAuthCancel, 30_000, Some("000002".into())),
            (TxnKind::PreAuthCompletion, 42_000, Some("000001".into())),
            (TxnKind::PreAuth, 50_000, None),
        ]
    );
}

#[tokio::test]
async fn a_terminal_reverses_a_booking_whose_status_information_is_not_acknowledged() {
    use slipkeeper_termsim::{serve_shared, Faults, Kind, Shared};
    use slipkeeper_zvt::Apdu;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut t = sim::terminal();
    t.auto_reverse = true;
    let sim = Shared::new(t, Faults::default());
    let (addr, _s) = serve_shared("127.0.0.1:0".parse().unwrap(), sim.clone(), shop_time)
        .await
        .unwrap();
    let mut l = connect(&addr.to_string()).await;
    crate::register(&mut l).await;
    drop(l);
    // A register that sends a payment, reads the answers and never acknowledges.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let reg = commands::registration(0, commands::MIRROR_CONFIG, 156).unwrap();
    s.write_all(&reg.encode().unwrap()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await;
    s.write_all(&Apdu::ack().encode().unwrap()).await.unwrap();
    s.write_all(
        &commands::authorisation(2500, 156)
            .unwrap()
            .encode()
            .unwrap(),
    )
    .await
    .unwrap();
    // The terminal waits 5 s for the acknowledgement, then gives up and reverses.
    tokio::time::sleep(Duration::from_millis(5600)).await;
    let ledger = sim.ledger();
    let kinds: Vec<(Kind, u64, bool)> = ledger
        .iter()
        .map(|b| (b.kind, b.amount, b.reversed))
        .collect();
    assert_eq!(
        kinds,
        vec![(Kind::Sale, 2500, true), (Kind::Reversal, 2500, false)]
    );
}
