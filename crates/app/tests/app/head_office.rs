//! What the window asks of head office, against a throwaway PostgreSQL cluster: a
//! search across shops by the text typed, and errors that name the field and never
//! the password.

use slipkeeper_testkit::pg;

use slipkeeper_app::head_office::HeadOffice;
use slipkeeper_app::{App, ErrorCode, FixedClock, Lookup};
use slipkeeper_domain::{Complaint, TerminalId, TraceNo};

#[test]
fn the_window_searches_every_shop_by_what_was_typed() {
    let cluster = pg::Cluster::start();
    cluster.create_db("hq");
    let admin_url = cluster.admin_url("hq");
    let mut admin = HeadOffice::connect(&admin_url).unwrap();
    admin.init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (id, name) in [("east", "东店"), ("west", "西店")] {
        let pw = format!("{id}-password-1");
        admin.add_shop(id, name, &pw).unwrap();
        let db = dir.path().join(format!("{id}.db"));
        let mut app = App::open(&db, FixedClock::at("2026-11-20T15:00:00+08:00")).unwrap();
        app.seed_demo(20).unwrap();
        if id == "west" {
            app.open_case(Complaint::VoidFailed, &voucher_1(), None, None)
                .unwrap();
        }
        let url = cluster.url(&format!("slipkeeper_shop_{id}"), &pw, "hq");
        let r = HeadOffice::connect(&url).unwrap().sync(&db, 7).unwrap();
        assert_eq!(r.head_office_seq, r.journal_seq);
    }
    admin.add_reader("owner", "owner-password-1").unwrap();
    let app = App::open(
        &dir.path().join("office.db"),
        FixedClock::at("2026-11-20T15:00:00+08:00"),
    )
    .unwrap();
    let reader = format!(
        "postgres://owner@127.0.0.1:{}/hq?sslmode=disable",
        cluster.port
    );
    // "000001" is a voucher (and could be an amount): both shops' vouchers come back.
    let rows = app
        .search_head_office(&reader, "owner-password-1", "000001")
        .unwrap();
    let mut shops: Vec<&str> = rows
        .iter()
        .filter(|r| r.trace_no == "000001")
        .map(|r| r.shop_name.as_str())
        .collect();
    shops.sort();
    shops.dedup();
    assert_eq!(shops, ["东店", "西店"]);
    // Letters mean nothing: the search box is named.
    let e = app
        .search_head_office(&reader, "owner-password-1", "abc")
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadInput, Some("search"))
    );
    // A wrong password: head office refused, the password not repeated.
    let e = app
        .search_head_office(&reader, "wrong-password-9", "000001")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::HeadOffice, "{e:?}");
    assert!(!e.message.contains("wrong-password-9"), "{}", e.message);
    // Said in Chinese too, and not repeated there either.
    let zh = e.zh.as_deref().unwrap_or_default();
    assert!(
        zh.starts_with("总部数据库拒绝了") || zh.starts_with("连不上"),
        "{zh}"
    );
    assert!(!zh.contains("wrong-password-9"), "{zh}");
    // An address that is not one: the field is named.
    let e = app
        .search_head_office("hq.example", "x", "000001")
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadInput, Some("hq"))
    );
    // A row diagnosed at head office: the shop's own answer, the shop named.
    let d = app
        .diagnose_at_head_office(
            &reader,
            "owner-password-1",
            "west",
            Complaint::VoidFailed,
            &voucher_1(),
        )
        .unwrap();
    assert_eq!(d.shop_name, "西店");
    let west = App::open(
        &dir.path().join("west.db"),
        FixedClock::at("2026-11-20T15:00:00+08:00"),
    )
    .unwrap();
    let local = west.diagnose(Complaint::VoidFailed, &voucher_1()).unwrap();
    assert_eq!(d.diagnosis.code, local.code);
    assert_eq!(d.diagnosis.next_steps, local.next_steps);
    // West's case, as head office has it.
    let cases = app
        .head_office_cases(&reader, "owner-password-1", None)
        .unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(
        (cases[0].shop_name.as_str(), cases[0].status.as_str()),
        ("西店", "open")
    );
    // Not joined: the window says so.
    assert_eq!(app.head_office().unwrap(), None);
    assert!(!app.leave_head_office().unwrap());
}

fn voucher_1() -> Lookup {
    Lookup::Voucher {
        voucher: TraceNo::new("000001").unwrap(),
        terminal: Some(TerminalId::new("10000001").unwrap()),
        batch: None,
    }
}
