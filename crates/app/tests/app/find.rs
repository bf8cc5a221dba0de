//! The forgiving search the journal, the reprint screen, the problem solver and
//! `journal find` share, on a real SQLite file: what a shop owner remembers ("255",
//! "255.31元", the card's last four, "about 255 around 13:00") finds the transaction,
//! each match labelled, near amounts offered, several candidates listed.

use chrono::NaiveDateTime;
use slipkeeper_app::{App, Field, FixedClock, JournalForm, Lookup, SearchMode};
use slipkeeper_domain::{Complaint, MaskedPan, Transaction};
use slipkeeper_journal::{Record, RecordBody};

fn at(hhmm: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&format!("2026-11-20 {hhmm}:00"), "%Y-%m-%d %H:%M:%S").unwrap()
}

fn sale(term: &str, trace: u32, when: &str, amount: i64, pan: &str) -> Transaction {
    let mut t = crate::support::approved_sale(term, trace, at(when), amount);
    t.rrn = Some(
        format!("6{:05}{:06}", trace, amount % 1_000_000)
            .parse()
            .unwrap(),
    );
    t.auth_code = Some(format!("A{:05}", trace).parse().unwrap());
    t.pan = Some(MaskedPan::new(pan).unwrap());
    t
}

struct Shop {
    _dir: tempfile::TempDir,
    app: App,
}

fn shop(txns: &[Transaction]) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(
        &dir.path().join("j.db"),
        FixedClock::at("2026-11-20T18:00:00+08:00"),
    )
    .unwrap();
    let records: Vec<Record> = txns
        .iter()
        .map(|t| Record {
            body: RecordBody::Transaction(t.clone()),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        })
        .collect();
    app.journal_mut().ingest(&records).unwrap();
    Shop { _dir: dir, app }
}

/// The counter's day: the sale the owner half remembers (255.31 at 12:57, card
/// …0733), voucher 255 (another sale), and amounts near and far.
fn day() -> Shop {
    shop(&[
        sale("10000001", 255, "09:10", 1_800, "622588******1234"),
        sale("10000001", 301, "12:57", 25_531, "622848******0733"),
        sale("10000001", 302, "13:40", 25_490, "622588******1234"),
        sale("10000001", 303, "15:05", 26_000, "622588******5678"),
        sale("10000001", 304, "16:30", 30_000, "622588******1234"),
        sale("10000001", 733, "17:00", 1_000, "622588******9999"),
    ])
}

fn find(app: &App, search: &str, around: &str) -> slipkeeper_app::Found {
    app.find(&JournalForm {
        search: search.into(),
        around: around.into(),
        ..JournalForm::default()
    })
    .unwrap()
}

fn vouchers(hits: &[slipkeeper_app::Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.row.txn.trace_no.as_str()).collect()
}

#[test]
fn a_bare_number_is_tried_as_voucher_and_as_whole_yuan_and_says_which_matched() {
    let s = day();
    let f = find(&s.app, "255", "");
    assert_eq!(f.read_as, vec![Field::Voucher, Field::AboutAmount]);
    let mut got: Vec<(&str, Vec<Field>)> = f
        .page
        .items
        .iter()
        .map(|h| (h.row.txn.trace_no.as_str(), h.matched.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("000255", vec![Field::Voucher]),
            ("000301", vec![Field::AboutAmount]),
        ]
    );
    assert_eq!(f.page.total, 2);
    // 254.90 and 260.00 are close to "about 255"; 300.00 and 18.00 are not.
    assert_eq!(vouchers(&f.near), vec!["000302", "000303"]);
    assert!(f.lookup.is_none());
}

#[test]
fn an_amount_in_yuan_with_its_sign_is_exact_and_the_near_ones_come_nearest_first() {
    let s = day();
    for typed in ["255.31元", "¥255.31", "255.31"] {
        let f = find(&s.app, typed, "");
        assert_eq!(f.read_as, vec![Field::Amount], "{typed}");
        assert_eq!(vouchers(&f.page.items), vec!["000301"], "{typed}");
        assert_eq!(f.page.items[0].matched, vec![Field::Amount]);
        // 254.90 is 0.41 away, 260.00 is 4.69 away, 300.00 beyond 5 yuan / 5 %.
        assert_eq!(vouchers(&f.near), vec!["000302", "000303"], "{typed}");
    }
    // Only the fen differ: nothing exact, the near list is the answer.
    let f = find(&s.app, "255.30", "");
    assert_eq!(f.page.total, 0);
    assert_eq!(vouchers(&f.near), vec!["000301", "000302", "000303"]);
}

#[test]
fn a_cards_last_four_is_found_as_typed_or_as_the_slip_prints_it() {
    let s = day();
    let f = find(&s.app, "0733", "");
    assert_eq!(f.read_as, vec![Field::Voucher, Field::Last4]);
    let labels: Vec<(&str, Vec<Field>)> = f
        .page
        .items
        .iter()
        .map(|h| (h.row.txn.trace_no.as_str(), h.matched.clone()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("000733", vec![Field::Voucher]),
            ("000301", vec![Field::Last4]),
        ]
    );
    // "0733" is no amount: a leading zero is a card or a voucher.
    assert!(f.near.is_empty());
    let f = find(&s.app, "622848******0733", "");
    assert_eq!(f.read_as, vec![Field::Last4]);
    assert_eq!(vouchers(&f.page.items), vec!["000301"]);
}

#[test]
fn about_an_amount_around_a_time_finds_the_sale_nearest_that_time() {
    let s = day();
    let f = find(&s.app, "255", "13:00");
    // Voucher 255 (09:10) is outside two hours of 13:00; 255.31 at 12:57 is the answer.
    assert_eq!(vouchers(&f.page.items), vec!["000301"]);
    assert_eq!(f.page.items[0].matched, vec![Field::AboutAmount]);
    // Near amounts keep to the same hours, nearest amount first.
    assert_eq!(vouchers(&f.near), vec!["000302"]);
    let f = find(&s.app, "255", "2026-11-20 09:00");
    assert_eq!(vouchers(&f.page.items), vec!["000255"]);
    let e = s
        .app
        .find(&JournalForm {
            search: "255".into(),
            around: "lunchtime".into(),
            ..JournalForm::default()
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("around"));
}

#[test]
fn a_voucher_on_two_terminals_is_a_list_to_pick_from_and_a_pick_is_diagnosed() {
    let s = shop(&[
        sale("10000001", 42, "10:00", 5_000, "622588******1234"),
        sale("10000002", 42, "11:00", 7_000, "622588******5678"),
    ]);
    let f = find(&s.app, "42", "");
    let mut terms: Vec<&str> = f
        .page
        .items
        .iter()
        .map(|h| h.row.txn.terminal_id.as_str())
        .collect();
    terms.sort();
    assert_eq!(terms, vec!["10000001", "10000002"]);
    // The owner picks the second terminal's: its diagnosis is about that one.
    let picked = f
        .page
        .items
        .iter()
        .find(|h| h.row.txn.terminal_id.as_str() == "10000002")
        .unwrap();
    let d = s
        .app
        .diagnose(Complaint::ReceiptLost, &Lookup::Txn { id: picked.row.id })
        .unwrap();
    let facts = serde_json::to_string(&d.facts).unwrap();
    assert!(facts.contains("70.00"), "{facts}");
    assert!(!facts.contains("50.00"), "{facts}");
}

#[test]
fn nothing_found_says_what_the_text_stands_for_so_it_can_still_be_diagnosed() {
    let s = day();
    let f = find(&s.app, "999", "");
    assert_eq!(f.page.total, 0);
    match f.lookup {
        Some(Lookup::Voucher { voucher, .. }) => assert_eq!(voucher.as_str(), "000999"),
        other => panic!("{other:?}"),
    }
    let f = find(&s.app, "88.80", "11:00");
    match f.lookup {
        Some(Lookup::AmountTime {
            amount_minor,
            at: t,
            ..
        }) => {
            assert_eq!(amount_minor, 8_880);
            assert_eq!(t, at("11:00"));
        }
        other => panic!("{other:?}"),
    }
    let f = find(&s.app, "600301025531", "");
    assert_eq!(f.read_as, vec![Field::Rrn]);
    assert_eq!(vouchers(&f.page.items), vec!["000301"]);
}

#[test]
fn text_is_searched_in_the_slips_and_the_strict_modes_still_name_the_field() {
    let s = day();
    let f = find(&s.app, "A00301", "");
    assert_eq!(f.read_as, vec![Field::Auth]);
    assert_eq!(vouchers(&f.page.items), vec!["000301"]);
    let e = s
        .app
        .find(&JournalForm {
            search: "abc".into(),
            mode: SearchMode::Amount,
            ..JournalForm::default()
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("search"));
    // The strict voucher mode does not read "255" as an amount.
    let f = s
        .app
        .find(&JournalForm {
            search: "255".into(),
            mode: SearchMode::Voucher,
            ..JournalForm::default()
        })
        .unwrap();
    assert_eq!(vouchers(&f.page.items), vec!["000255"]);
    assert!(f.near.is_empty());
}
