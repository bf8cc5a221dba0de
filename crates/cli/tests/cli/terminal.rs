//! `slipkeeper terminal …` and `demo pay` against the demo terminal on 127.0.0.1.

use crate::{sk, sk_json, total, Dir};

#[test]
fn status_payment_decline_and_end_of_day_are_mirrored() {
    let demo = slipkeeper_app::start_demo_terminal().unwrap();
    let addr = demo.addr.clone();
    let d = Dir::new();
    let db = d.p("j.db");
    let st = sk_json(&db, &["terminal", "--tcp", &addr, "status"]);
    assert_eq!(st["terminal_status"], 0);
    assert_eq!(st["software"], "SIM-1.00");

    sk(&db, &["demo", "pay", "--tcp", &addr, "66.60"]).ok();
    let r = sk(&db, &["demo", "pay", "--tcp", &addr, "2.13"]).fails();
    assert!(r.stdout().contains("result code 05"), "{}", r.stdout());
    assert_eq!(
        total(&db),
        1,
        "a decline has no voucher number: only its raw frames are kept"
    );

    let eod = sk(&db, &["terminal", "--tcp", &addr, "eod"]).ok().stdout();
    assert!(eod.contains("batch settled"), "{eod}");
    let list = sk_json(&db, &["journal", "list"]);
    assert_eq!(list["items"][0]["settled"], true);
    assert_eq!(list["items"][0]["txn"]["amount"]["minor"], 6660);
    assert!(sk(&db, &["journal", "verify"])
        .ok()
        .stdout()
        .contains("journal verified"));
}

#[test]
fn an_unreachable_terminal_is_one_clear_line() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    drop(l);
    let d = Dir::new();
    let r = sk(&d.p("j.db"), &["terminal", "--tcp", &addr, "status"]).fails();
    assert_eq!(r.stderr().lines().count(), 1);
    assert!(
        r.stderr()
            .contains(&format!("cannot reach the terminal at {addr}")),
        "{}",
        r.stderr()
    );
    let r = sk(&d.p("j.db"), &["demo", "pay", "--tcp", &addr, "-5"]);
    assert!(!r.out.status.success());
}
