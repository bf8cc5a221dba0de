//! Head office from the command line, against a throwaway PostgreSQL cluster: set
//! up, three shops join and sync, search across shops, verify.

#[path = "../../../hq/tests/support/pg.rs"]
mod pg;

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

    // --shop without --hq is a mistake, named.
    let r = crate::sk(&hq.db("xujiahui"), &["journal", "list", "--shop", "x"]).fails();
    assert!(r.stderr().contains("--hq"), "{}", r.stderr());
}
