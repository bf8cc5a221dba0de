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

#[test]
fn the_proxy_relays_payments_and_a_killed_proxy_keeps_what_it_mirrored() {
    use std::io::BufRead;
    let demo = slipkeeper_app::start_demo_terminal().unwrap();
    let d = Dir::new();
    let db = d.p("proxy.db");
    let mut proxy = crate::bin()
        .arg("--db")
        .arg(&db)
        .args(["proxy", "--listen", "127.0.0.1:0", "--terminal", &demo.addr])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(proxy.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .nth(3)
        .unwrap()
        .trim_end_matches(',')
        .to_owned();
    assert!(line.starts_with("proxy listening on"), "{line}");

    // The cash register (here: another journal) pays through the proxy.
    let register_db = d.p("register.db");
    sk(&register_db, &["demo", "pay", "--tcp", &addr, "12.34"]).ok();
    sk(&register_db, &["demo", "pay", "--tcp", &addr, "56.78"]).ok();
    let r = sk(&register_db, &["demo", "pay", "--tcp", &addr, "9.13"]).fails();
    assert!(
        r.stdout().contains("result code 05"),
        "declines pass through too: {}",
        r.stdout()
    );

    // Wait until the proxy's journal has both, then kill it hard.
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(20) {
        if db.exists() && total(&db) == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    proxy.kill().unwrap();
    proxy.wait().unwrap();
    assert_eq!(total(&db), 2);
    let list = sk_json(&db, &["journal", "list"]);
    let amounts: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["txn"]["amount"]["minor"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![5678, 1234]);
    assert!(sk(&db, &["journal", "verify"])
        .ok()
        .stdout()
        .contains("journal verified"));
    let shown = sk(&db, &["journal", "show", "1"]).ok().stdout();
    assert!(
        shown.contains("raw frames:"),
        "the relayed bytes are kept: {shown}"
    );
}

#[test]
fn connect_mirrors_and_reconnects_when_the_terminal_returns() {
    use std::io::BufRead;
    let demo = slipkeeper_app::start_demo_terminal().unwrap();
    let addr = demo.addr.clone();
    let d = Dir::new();
    let db = d.p("j.db");
    let mut child = crate::Child(
        crate::bin()
            .arg("--db")
            .arg(&db)
            .args(["connect", "--tcp", &addr, "--heartbeat", "0.2"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let wait_for = |what: &str| loop {
        let l = rx
            .recv_timeout(std::time::Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("no line with {what:?}"));
        if l.contains(what) {
            return l;
        }
    };
    wait_for("connected to");
    drop(demo); // the terminal is switched off
    let l = wait_for("disconnected:");
    assert!(l.contains("retrying in"), "{l}");
    let _again = slipkeeper_app::start_demo_terminal_on(&addr).unwrap();
    wait_for("connected to");
    drop(child);
    let v = sk(&db, &["journal", "verify"]).ok().stdout();
    assert!(
        v.contains("journal verified") && !v.contains("verified: 0 records"),
        "heartbeats were mirrored as raw frames: {v}"
    );
}

/// A terminal that knows only registration, authorisation and end-of-day: it refuses
/// the status enquiry with 0x83 ("function not possible").
#[test]
fn a_terminal_without_the_status_enquiry_is_there_and_the_link_holds() {
    use std::io::BufRead;
    let mut t = slipkeeper_testkit::sim::terminal();
    t.knows_status_enquiry = false;
    let sim = crate::Simulator::with(t, Default::default());
    let addr = sim.address();
    let d = Dir::new();
    let db = d.p("j.db");
    let r = sk(&db, &["terminal", "--tcp", &addr, "status"])
        .ok()
        .stdout();
    assert!(
        r.contains("there, but it does not support the status enquiry (result code 83)"),
        "{r}"
    );
    let j = sk_json(&db, &["terminal", "--tcp", &addr, "status"]);
    assert_eq!(j["end"], "not_supported");

    // Heartbeats every 0.2 s, each refused: the link stays up.
    let mut child = crate::Child(
        crate::bin()
            .arg("--db")
            .arg(&db)
            .args([
                "connect",
                "--tcp",
                &addr,
                "--heartbeat",
                "0.2",
                "--arm",
                "0",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let mut lines = Vec::new();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < until {
        if let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
            lines.push(l);
        }
    }
    assert!(
        lines.iter().any(|l| l.contains("connected to")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("disconnected")),
        "a refused heartbeat dropped the link: {lines:?}"
    );
}
