//! Head office from the command line, against a throwaway PostgreSQL cluster: set
//! up, three shops join and sync, search across shops, verify.

use slipkeeper_testkit::pg;

use crate::bin;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

struct Hq {
    cluster: pg::Cluster,
    dir: tempfile::TempDir,
}

impl Hq {
    fn admin(&self) -> String {
        self.cluster.admin_url("hq")
    }
    /// A shop's address without its password (given through the environment).
    fn shop_url(&self, id: &str) -> String {
        format!(
            "postgres://slipkeeper_shop_{id}@127.0.0.1:{}/hq?sslmode=disable",
            self.cluster.port
        )
    }
    fn db(&self, id: &str) -> std::path::PathBuf {
        self.dir.path().join(format!("{id}.db"))
    }
}

fn run(args: &[&str], hq: &str, password: Option<&str>, stdin: Option<&str>) -> crate::Run {
    let mut c = bin();
    c.arg("--hq").arg(hq).args(args);
    c.env_remove("SLIPKEEPER_HQ_PASSWORD");
    if let Some(p) = password {
        c.env("SLIPKEEPER_HQ_PASSWORD", p);
    }
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    crate::Run {
        out: child.wait_with_output().unwrap(),
    }
}

fn json(r: crate::Run) -> serde_json::Value {
    serde_json::from_slice(&r.ok().out.stdout).unwrap()
}

fn seeded(dir: &Path, id: &str, count: u64) {
    crate::sk(
        &dir.join(format!("{id}.db")),
        &["demo", "seed", "--count", &count.to_string()],
    )
    .ok();
}

#[test]
fn a_chain_of_shops_joins_head_office_and_is_searched_and_verified() {
    let cluster = pg::Cluster::start();
    cluster.create_db("hq");
    let hq = Hq {
        cluster,
        dir: tempfile::tempdir().unwrap(),
    };
    let admin = hq.admin();
    let r = run(&["hq", "init"], &admin, None, None).ok();
    assert!(r.stdout().contains("0001_head_office"), "{}", r.stdout());
    let r = run(&["hq", "init"], &admin, None, None).ok();
    assert!(r.stdout().contains("up to date"), "{}", r.stdout());

    // Two shops get passwords chosen for them, one brings its own.
    let mut passwords = Vec::new();
    for (id, name) in [("nanjing-rd", "南京路店"), ("huaihai-rd", "淮海路店")] {
        let v = json(run(
            &["--json", "hq", "add-shop", id, "--name", name],
            &admin,
            None,
            None,
        ));
        assert_eq!(v["role"], format!("slipkeeper_shop_{id}"));
        let pw = v["password"].as_str().unwrap().to_owned();
        assert_eq!(pw.len(), 24);
        passwords.push((id, pw));
    }
    run(
        &[
            "hq",
            "add-shop",
            "xujiahui",
            "--name",
            "徐家汇店",
            "--password-stdin",
        ],
        &admin,
        None,
        Some("xujiahui-own-password\n"),
    )
    .ok();
    passwords.push(("xujiahui", "xujiahui-own-password".into()));
    // A bad shop id is refused by name.
    let r = run(
        &["hq", "add-shop", "Bad Id", "--name", "x"],
        &admin,
        None,
        None,
    )
    .fails();
    assert!(r.stderr().contains("shop id"), "{}", r.stderr());

    for (k, (id, pw)) in passwords.iter().enumerate() {
        seeded(hq.dir.path(), id, 30 + 10 * k as u64);
        let db = hq.db(id);
        let v = json(run(
            &[
                "--db",
                db.to_str().unwrap(),
                "--json",
                "sync",
                "--batch",
                "17",
            ],
            &hq.shop_url(id),
            Some(pw),
            None,
        ));
        assert_eq!(v["shop_id"], *id);
        let sent = v["sent"].as_i64().unwrap();
        assert!(sent > 0);
        assert_eq!(v["head_office_seq"], v["journal_seq"]);
        // Nothing twice.
        let v = json(run(
            &["--db", db.to_str().unwrap(), "--json", "sync"],
            &hq.shop_url(id),
            Some(pw),
            None,
        ));
        assert_eq!(v["sent"], 0);
    }

    // A wrong password: refused, and not echoed.
    let r = run(
        &["--db", hq.db("nanjing-rd").to_str().unwrap(), "sync"],
        &hq.shop_url("nanjing-rd"),
        Some("not-the-password-123"),
        None,
    )
    .fails();
    assert!(
        r.stderr().contains("cannot reach head office"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains("not-the-password-123"));
    // A shop's role cannot run head office's commands.
    let (id, pw) = &passwords[0];
    let r = run(&["hq", "shops"], &hq.shop_url(id), Some(pw), None).fails();
    assert!(r.stderr().contains("permission denied"), "{}", r.stderr());

    // Search every shop by the voucher: each shop's hit names its shop.
    let rows = json(run(
        &["--json", "journal", "search", "000001"],
        &admin,
        None,
        None,
    ));
    let shops: std::collections::BTreeSet<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["trace_no"] == "000001")
        .map(|r| r["shop_name"].as_str().unwrap())
        .collect();
    assert_eq!(shops.len(), 3, "{rows}");
    for r in rows.as_array().unwrap() {
        let pan = r["pan"].as_str().unwrap_or("");
        assert!(pan.is_empty() || pan.contains('*'), "{pan}");
    }
    // One shop only, in the human form.
    let r = run(
        &[
            "journal",
            "list",
            "--voucher",
            "000002",
            "--shop",
            "huaihai-rd",
        ],
        &admin,
        None,
        None,
    )
    .ok();
    assert!(r.stdout().contains("淮海路店"), "{}", r.stdout());
    assert!(!r.stdout().contains("南京路店"), "{}", r.stdout());
    // Commands head office does not answer say so.
    let r = run(&["journal", "verify"], &admin, None, None).fails();
    assert!(r.stderr().contains("journal list"), "{}", r.stderr());

    let v = json(run(&["--json", "hq", "shops"], &admin, None, None));
    assert_eq!(v.as_array().unwrap().len(), 3);
    let r = run(&["hq", "verify"], &admin, None, None).ok();
    assert_eq!(r.stdout().matches("verified").count(), 3, "{}", r.stdout());
    // The head equals the one the shop's own verify prints.
    let local = crate::sk_json(&hq.db("xujiahui"), &["journal", "verify"]);
    let v = json(run(
        &["--json", "hq", "verify", "--shop", "xujiahui"],
        &admin,
        None,
        None,
    ));
    assert_eq!(v[0]["head"], local["head"]);

    // A diagnosis at head office: found in three shops, one must be named; then the
    // same answer as the shop's own.
    let args = [
        "diagnose",
        "--voucher",
        "000003",
        "--terminal",
        "10000001",
        "--complaint",
        "void-failed",
    ];
    let r = run(&args, &admin, None, None).fails();
    assert!(
        r.stderr().contains("3 shops") && r.stderr().contains("--shop"),
        "{}",
        r.stderr()
    );
    let mut with_shop = vec!["--json"];
    with_shop.extend(args);
    with_shop.extend(["--shop", "huaihai-rd"]);
    let at_hq = json(run(&with_shop, &admin, None, None));
    assert_eq!(at_hq["shop_name"], "淮海路店");
    let mut local_args = vec!["diagnose"];
    local_args.extend(&args[1..]);
    let at_shop = crate::sk_json(&hq.db("huaihai-rd"), &local_args);
    assert_eq!(
        at_hq["diagnosis"]["code"], at_shop["code"],
        "{at_hq}\n{at_shop}"
    );
    // The same facts, less the shop journal's row numbers ("#5 terminal …").
    let texts = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let en = f["text"]["en"].as_str().unwrap();
                match en.strip_prefix('#') {
                    Some(rest) => rest.split_once(' ').unwrap().1.to_owned(),
                    None => en.to_owned(),
                }
            })
            .collect()
    };
    assert_eq!(
        texts(&at_hq["diagnosis"]["facts"]),
        texts(&at_shop["facts"])
    );
    assert!(at_hq["diagnosis"]["facts"][0].get("txn_id").is_none());
    let mut human = args.to_vec();
    human.extend(["--shop", "huaihai-rd"]);
    let r = run(&human, &admin, None, None).ok();
    assert!(
        r.stdout().starts_with("店铺 Shop: 淮海路店 (huaihai-rd)"),
        "{}",
        r.stdout()
    );

    // A case opened at a shop reaches head office with the next sync, and so does its
    // change of status: one case, the newer copy.
    let (id, pw) = &passwords[1];
    let db = hq.db(id);
    let dbs = db.to_str().unwrap();
    crate::sk(
        &db,
        &[
            "case",
            "new",
            "--voucher",
            "000003",
            "--terminal",
            "10000001",
            "--complaint",
            "void-failed",
        ],
    )
    .ok();
    let v = json(run(
        &["--db", dbs, "--json", "sync"],
        &hq.shop_url(id),
        Some(pw),
        None,
    ));
    assert_eq!(v["cases"], 1, "{v}");
    let cases = json(run(&["--json", "case", "list"], &admin, None, None));
    assert_eq!(cases.as_array().unwrap().len(), 1, "{cases}");
    assert_eq!(cases[0]["shop_name"], "淮海路店");
    assert_eq!(cases[0]["status"], "open");
    assert_eq!(cases[0]["complaint"], "void_failed");
    let case_id = cases[0]["case_id"].as_i64().unwrap().to_string();
    crate::sk(
        &db,
        &[
            "case",
            "update",
            &case_id,
            "--status",
            "submitted",
            "--ref",
            "UMS-2026-77",
        ],
    )
    .ok();
    let v = json(run(
        &["--db", dbs, "--json", "sync"],
        &hq.shop_url(id),
        Some(pw),
        None,
    ));
    assert_eq!(v["cases"], 1, "{v}");
    let v = json(run(
        &["--db", dbs, "--json", "sync"],
        &hq.shop_url(id),
        Some(pw),
        None,
    ));
    assert_eq!(v["cases"], 0, "nothing changed: {v}");
    let cases = json(run(&["--json", "case", "list"], &admin, None, None));
    assert_eq!(cases.as_array().unwrap().len(), 1, "{cases}");
    assert_eq!(cases[0]["status"], "submitted");
    assert_eq!(cases[0]["acquirer_ref"], "UMS-2026-77");
    let r = run(&["case", "list", "--due-within", "365"], &admin, None, None).ok();
    assert!(
        r.stdout().contains("淮海路店") && r.stdout().contains("UMS-2026-77"),
        "{}",
        r.stdout()
    );

    // --shop without --hq is a mistake, named.
    let r = crate::sk(&hq.db("xujiahui"), &["journal", "list", "--shop", "x"]).fails();
    assert!(r.stderr().contains("--hq"), "{}", r.stderr());
}

/// A GBK statement of every approved sale of the given journals, less the `skip`-th
/// of the last one, plus a line from a terminal no shop has; returns the skipped
/// voucher's amount.
fn statement(dbs: &[std::path::PathBuf], skip: usize) -> (Vec<u8>, i64) {
    let mut rows = vec![
        "对账单 STATEMENT".to_owned(),
        "商户编号,终端编号,交易时间,卡号,交易金额,手续费,参考号,凭证号,交易类型".to_owned(),
    ];
    let mut skipped = 0;
    for (k, db) in dbs.iter().enumerate() {
        let listed = crate::sk_json(db, &["journal", "list", "--limit", "1000"]);
        let sales = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| &it["txn"])
            .filter(|t| t["outcome"] == "approved" && t["kind"] == "sale");
        for (i, t) in sales.enumerate() {
            let minor = t["amount"]["minor"].as_i64().unwrap();
            if k == dbs.len() - 1 && i == skip {
                skipped = minor;
                continue;
            }
            rows.push(format!(
                "{},{},{},{},{}.{:02},{:.2},{},{},消费",
                t["merchant_id"].as_str().unwrap(),
                t["terminal_id"].as_str().unwrap(),
                t["occurred_at"].as_str().unwrap().replace('T', " "),
                t["pan"].as_str().unwrap_or(""),
                minor / 100,
                minor % 100,
                minor as f64 * 0.006 / 100.0,
                t["rrn"].as_str().unwrap_or(""),
                t["trace_no"].as_str().unwrap(),
            ));
        }
    }
    rows.push("898310048999999,29999999,2026-01-01 08:03:00,622202******0128,88.88,0.53,699999999999,888888,消费".into());
    let text = rows.join("\r\n") + "\r\n";
    (encoding_rs::GBK.encode(&text).0.into_owned(), skipped)
}

#[test]
fn a_statement_of_several_shops_is_reconciled_at_head_office() {
    let cluster = pg::Cluster::start();
    cluster.create_db("hq");
    let hq = Hq {
        cluster,
        dir: tempfile::tempdir().unwrap(),
    };
    let admin = hq.admin();
    run(&["hq", "init"], &admin, None, None).ok();
    let demo = hq.dir.path().join("demo.jsonl");
    crate::bin()
        .args(["demo", "jsonl", "--count", "30", "--out"])
        .arg(&demo)
        .status()
        .unwrap();
    let demo = std::fs::read_to_string(&demo).unwrap();
    let mut dbs = Vec::new();
    for (k, (id, name)) in [("shop-a", "甲店"), ("shop-b", "乙店")].iter().enumerate() {
        let pw = format!("{id}-password-1");
        run(
            &["hq", "add-shop", id, "--name", name, "--password-stdin"],
            &admin,
            None,
            Some(&pw),
        )
        .ok();
        // Each shop its own terminals and merchant number, as acquirers assign them.
        let lines = demo
            .replace(
                "\"terminal_id\":\"1000000",
                &format!("\"terminal_id\":\"2{k}00000"),
            )
            .replace(
                "\"merchant_id\":\"898310048990001\"",
                &format!("\"merchant_id\":\"89831004899000{k}\""),
            );
        let file = hq.dir.path().join(format!("{id}.jsonl"));
        std::fs::write(&file, lines).unwrap();
        let db = hq.db(id);
        crate::sk(&db, &["import", file.to_str().unwrap()]).ok();
        run(
            &["--db", db.to_str().unwrap(), "sync"],
            &hq.shop_url(id),
            Some(&pw),
            None,
        )
        .ok();
        dbs.push(db);
    }
    let (bytes, skipped) = statement(&dbs, 3);
    let file = hq.dir.path().join("statement.csv");
    std::fs::write(&file, bytes).unwrap();
    let f = file.to_str().unwrap();
    let v = json(run(
        &[
            "--json",
            "reconcile",
            "--statement",
            f,
            "--acquirer",
            "银联商务",
        ],
        &admin,
        None,
        None,
    ));
    let shops = v["shops"].as_array().unwrap();
    assert_eq!(shops.len(), 3, "{v}");
    let (a, b, none) = (&shops[0], &shops[1], &shops[2]);
    assert_eq!(
        (a["shop_id"].as_str(), b["shop_id"].as_str()),
        (Some("shop-a"), Some("shop-b"))
    );
    assert_eq!(a["merchant_ids"], serde_json::json!(["898310048990000"]));
    assert_eq!(b["merchant_ids"], serde_json::json!(["898310048990001"]));
    assert_eq!(a["statement_minor"], a["journal_minor"], "{a}");
    assert_eq!(a["discrepancies"], 0, "{v}");
    assert_eq!(
        b["journal_minor"].as_i64().unwrap() - b["statement_minor"].as_i64().unwrap(),
        skipped,
        "{b}"
    );
    assert_eq!(b["discrepancies"], 1, "{v}");
    assert_eq!(none["shop_id"], "");
    assert_eq!(none["terminals"], serde_json::json!(["29999999"]));
    assert_eq!(none["discrepancies"], 1);
    // Each discrepancy is named with its shop, none with a temporary row id.
    let ds = v["report"]["discrepancies"].as_array().unwrap();
    assert_eq!(ds.len(), 2, "{v}");
    assert!(ds
        .iter()
        .all(|d| d.get("txn_id").is_none() && d.get("line_id").is_none()));
    let named: Vec<&serde_json::Value> =
        v["discrepancy_shops"].as_array().unwrap().iter().collect();
    assert!(named.iter().any(|s| s["shop_id"] == "shop-b"), "{v}");
    assert!(named.iter().any(|s| s.is_null()), "{v}");
    // The human form names the shops.
    let r = run(
        &["reconcile", "--statement", f, "--acquirer", "银联商务"],
        &admin,
        None,
        None,
    )
    .ok();
    assert!(
        r.stdout().contains("乙店") && r.stdout().contains("甲店"),
        "{}",
        r.stdout()
    );
    // Not at a shop: the flag says where it belongs.
    let r = crate::sk(&dbs[0], &["reconcile", "--statement", f]).fails();
    assert!(r.stderr().contains("--hq"), "{}", r.stderr());
}

/// Runs the CLI inside a D-Bus session with GNOME Keyring unlocked (the Secret
/// Service a desktop session has), its keyrings in `keyrings`: sessions come and go,
/// the keyring file stays, as across a shop's logins.
fn in_desktop_session(
    keyrings: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Command {
    let mut c = std::process::Command::new("dbus-run-session");
    c.args([
        "--",
        "sh",
        "-c",
        "printf %s keyring-unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
        "sh",
    ])
    .arg(env!("CARGO_BIN_EXE_slipkeeper"))
    .args(args)
    .env("XDG_DATA_HOME", keyrings)
    .env_remove("SLIPKEEPER_HQ_PASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn output(mut c: std::process::Command) -> crate::Run {
    crate::Run {
        out: c.output().unwrap(),
    }
}

#[test]
fn a_shop_joins_once_and_its_link_service_sends_by_itself() {
    let cluster = pg::Cluster::start();
    cluster.create_db("hq");
    let hq = Hq {
        cluster,
        dir: tempfile::tempdir().unwrap(),
    };
    let admin = hq.admin();
    run(&["hq", "init"], &admin, None, None).ok();
    let pw = "corner-shop-password";
    run(
        &[
            "hq",
            "add-shop",
            "corner",
            "--name",
            "街角店",
            "--password-stdin",
        ],
        &admin,
        None,
        Some(pw),
    )
    .ok();
    let keyrings = hq.dir.path().join("keyrings");
    std::fs::create_dir_all(&keyrings).unwrap();
    let db = hq.db("corner");
    let dbs = db.to_str().unwrap();
    seeded(hq.dir.path(), "corner", 10);

    // Joining needs the password once, then keeps it in the keyring, not beside the journal.
    let url = hq.shop_url("corner");
    let r = output(in_desktop_session(
        &keyrings,
        &["--db", dbs, "--hq", &url, "hq", "join", "--every", "1"],
        &[("SLIPKEEPER_HQ_PASSWORD", pw)],
    ))
    .ok();
    assert!(r.stdout().contains("shop corner"), "{}", r.stdout());
    let kept = std::fs::read_to_string(hq.dir.path().join("corner.db.head-office.json")).unwrap();
    assert!(kept.contains("slipkeeper_shop_corner@127.0.0.1"), "{kept}");
    assert!(!kept.contains(pw), "{kept}");
    assert!(keyrings
        .join("keyrings")
        .read_dir()
        .unwrap()
        .next()
        .is_some());

    // A later session, no password given: it comes from the keyring.
    let r = output(in_desktop_session(
        &keyrings,
        &["--db", dbs, "--json", "sync"],
        &[],
    ))
    .ok();
    let v: serde_json::Value = serde_json::from_slice(&r.out.stdout).unwrap();
    assert!(v["sent"].as_i64().unwrap() > 0, "{v}");
    // Without a keyring (no desktop session), the message says what to do.
    let r = crate::bin()
        .args(["--db", dbs, "sync"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("SLIPKEEPER_HQ_PASSWORD")
        .env("XDG_DATA_HOME", &keyrings)
        .output()
        .unwrap();
    let r = crate::Run { out: r }.fails();
    assert!(
        r.stderr().contains("keyring") && r.stderr().contains("SLIPKEEPER_HQ_PASSWORD"),
        "{}",
        r.stderr()
    );

    // The link service sends what the shop records next, by itself.
    let mut service = in_desktop_session(&keyrings, &["--db", dbs, "serve"], &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    crate::sk(&db, &["demo", "seed", "--count", "25"]).ok();
    let local = crate::sk_json(&db, &["journal", "verify"]);
    let want = local["checked"].as_i64().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut held = 0;
    while std::time::Instant::now() < deadline {
        let v = json(run(&["--json", "hq", "shops"], &admin, None, None));
        held = v[0]["records"].as_i64().unwrap();
        if held == want {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    // What Settings shows: when it last went through, and how far head office is.
    let status = hq.dir.path().join("corner.db.head-office-status.json");
    let mut seen = serde_json::Value::Null;
    while std::time::Instant::now() < deadline {
        if let Ok(t) = std::fs::read_to_string(&status) {
            seen = serde_json::from_str(&t).unwrap_or_default();
            if seen["head_office_seq"] == want {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let r = crate::sk(&db, &["--json", "hq", "joined"]).ok();
    crate::sk(&db, &["service", "stop"]).ok();
    let _ = service.wait();
    assert_eq!(held, want, "the service did not send everything");
    assert_eq!(seen["head_office_seq"], want, "{seen}");
    assert!(
        seen["last_ok_at"].is_string() && seen["last_error"].is_null(),
        "{seen}"
    );
    let v: serde_json::Value = serde_json::from_slice(&r.out.stdout).unwrap();
    assert_eq!(v["joined"]["shop_id"], "corner", "{v}");
    assert_eq!(v["sending"]["head_office_seq"], want, "{v}");
    let v = json(run(
        &["--json", "hq", "verify", "--shop", "corner"],
        &admin,
        None,
        None,
    ));
    assert_eq!(v[0]["head"], local["head"]);

    // Leaving forgets the address and the password.
    output(in_desktop_session(
        &keyrings,
        &["--db", dbs, "hq", "leave"],
        &[],
    ))
    .ok();
    assert!(!hq.dir.path().join("corner.db.head-office.json").exists());
    let r = output(in_desktop_session(&keyrings, &["--db", dbs, "sync"], &[])).fails();
    assert!(r.stderr().contains("not joined"), "{}", r.stderr());
}
