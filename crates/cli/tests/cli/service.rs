//! The link service run as the OS runs it (`slipkeeper serve`, no display) against
//! the simulator while customers pay: killed with SIGKILL mid-payment and started
//! again, it loses and doubles nothing; one service per journal; `service stop`
//! through the control channel; the systemd unit checked by `systemd-analyze verify`.

use crate::{bin, sk, Child, Dir, Simulator};
use slipkeeper_termsim::{customer_flow, Shared};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

type Row = (u32, u32, String, u64);

fn journal(db: &Path) -> BTreeSet<Row> {
    let out = sk(db, &["--json", "journal", "list", "--limit", "1000"]).ok();
    let page: serde_json::Value = serde_json::from_str(&out.stdout()).unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let t = &r["txn"];
            (
                t["batch_no"].as_str().unwrap().parse().unwrap(),
                t["trace_no"].as_str().unwrap().parse().unwrap(),
                t["kind"].as_str().unwrap().to_owned(),
                t["amount"]["minor"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn ledger(sim: &Shared) -> BTreeSet<Row> {
    sim.ledger()
        .iter()
        .map(|b| (b.batch_no, b.trace, b.kind.as_str().to_owned(), b.amount))
        .collect()
}

fn serve(db: &Path) -> Child {
    Child(
        bin()
            .env("SLIPKEEPER_LOG", "debug")
            .arg("--db")
            .arg(db)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Waits until the service's only link is connected.
fn connected(db: &Path) {
    wait_until("the service's link to come up", 30, || {
        state(db) == "connected"
    });
}

#[test]
fn the_service_mirrors_survives_sigkill_and_stops_when_asked() {
    let Simulator { rt, sim, addr, .. } = Simulator::start();
    let addr = addr.to_string();
    let d = Dir::new();
    let db = d.p("journal.db");
    let added = sk(&db, &["link", "add", "--tcp", &addr]).ok().stdout();
    assert!(added.contains("runs when the service starts"), "{added}");

    let mut first = serve(&db);
    connected(&db);
    // One service per journal.
    let second = bin().arg("--db").arg(&db).arg("serve").output().unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already runs"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    // Customers pay; the service is killed in the middle of it.
    // Forty customers, one every 100 ms.
    let flow = rt.spawn(customer_flow(sim.clone(), 600, 40, 11));
    let until = Instant::now() + Duration::from_secs(30);
    while journal(&db).len() < 5 {
        assert!(Instant::now() < until, "nothing mirrored");
        std::thread::sleep(Duration::from_millis(50));
    }
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    let status = bin()
        .arg("--db")
        .arg(&db)
        .args(["service", "status"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(3), "killed: not running");

    // Started again (as systemd's Restart=on-failure does): it catches up.
    let mut again = serve(&db);
    connected(&db);
    let until = Instant::now() + Duration::from_secs(60);
    let (mut have, mut want);
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let served = flow.is_finished() && sim.customers_waiting() == 0;
        want = ledger(&sim);
        have = journal(&db);
        if (served && have == want) || Instant::now() > until {
            break;
        }
    }
    assert!(want.len() >= 30, "only {} bookings", want.len());
    assert_eq!(
        have,
        want,
        "missing {:?}, extra {:?}",
        want.difference(&have).collect::<Vec<_>>(),
        have.difference(&want).collect::<Vec<_>>()
    );

    let stopped = sk(&db, &["service", "stop"]).ok().stdout();
    assert!(stopped.contains("service stopped"), "{stopped}");
    let exit = again.0.wait().unwrap();
    assert!(
        exit.success(),
        "a clean stop exits 0 ({exit}), so systemd leaves it stopped"
    );
    assert!(!slipkeeper_app::agent::info_path(&db).exists());
    let v = sk(&db, &["journal", "verify"]).ok().stdout();
    assert!(v.contains("journal verified"), "{v}");

    // The service's log: what happened, and no card number in full.
    let logs: Vec<_> = std::fs::read_dir(d.p("logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("slipkeeper-service"))
        .collect();
    let text: String = logs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for said in [
        "service ready",
        "starting link",
        "terminal link",
        "service stopping",
    ] {
        assert!(text.contains(said), "{said:?} not in the log:\n{text}");
    }
    assert_eq!(
        slipkeeper_domain::mask_pans(&text),
        text,
        "a card number in the log"
    );
    // The chain's head is in the log too, a copy of the anchors kept apart from them.
    let anchors = std::fs::read_to_string(format!("{}.anchors", db.display())).unwrap();
    let (seq, hash) = anchors.lines().last().unwrap().split_once(' ').unwrap();
    let logged = format!("seq={seq} head={hash}");
    assert!(text.contains(&logged), "{logged:?} not in the log");
}

#[test]
fn the_systemd_unit_verifies_and_uninstalls() {
    let d = Dir::new();
    let db = d.p("journal.db");
    let config = d.p("config");
    let out = bin()
        .env("XDG_CONFIG_HOME", &config)
        .arg("--db")
        .arg(&db)
        .args(["service", "install", "--no-enable"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unit = config.join("systemd/user/slipkeeper.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    assert!(
        text.contains(" serve\n") && text.contains("Restart=on-failure"),
        "{text}"
    );
    assert!(
        text.contains(&format!("--db \"{}\"", db.display())),
        "{text}"
    );
    let analyze = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output();
    match analyze {
        Ok(a) => assert!(
            a.status.success() && a.stderr.is_empty(),
            "systemd-analyze verify: {}",
            String::from_utf8_lossy(&a.stderr)
        ),
        Err(e) => eprintln!("systemd-analyze not here ({e}); the unit's text was checked"),
    }
    // A system unit needs the account it runs as.
    let r = bin()
        .env("XDG_CONFIG_HOME", &config)
        .arg("--db")
        .arg(&db)
        .args(["service", "install", "--system", "--no-enable"])
        .output()
        .unwrap();
    assert!(!r.status.success() && String::from_utf8_lossy(&r.stderr).contains("--user NAME"));
    let out = bin()
        .env("XDG_CONFIG_HOME", &config)
        .arg("--db")
        .arg(&db)
        .args(["service", "uninstall"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!unit.exists());
}

/// A payment from the cash register through the service's proxy; the register's
/// answer.
#[allow(clippy::disallowed_methods)] // the register's wall clock
fn pay(
    rt: &tokio::runtime::Runtime,
    addr: &str,
    minor: u64,
) -> Result<slipkeeper_link::End, String> {
    rt.block_on(async {
        let clock: slipkeeper_link::Clock = std::sync::Arc::new(chrono::Utc::now);
        let mut register = slipkeeper_link::Link::connect_tcp(addr, clock)
            .await
            .map_err(|e| e.to_string())?;
        use slipkeeper_link::commands;
        register
            .command(&commands::registration(0, commands::MIRROR_CONFIG, 156).unwrap())
            .await
            .map_err(|e| e.to_string())?;
        let ex = register
            .command(&commands::authorisation(minor, 156).unwrap())
            .await
            .map_err(|e| e.to_string())?;
        Ok(ex.end)
    })
}

fn state(db: &Path) -> String {
    let out = bin()
        .arg("--db")
        .arg(db)
        .args(["--json", "service", "status"])
        .output()
        .unwrap();
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|v| {
            v["status"]["links"][0]["status"]["state"]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// The simulator, and a proxy link for it configured in the journal at `db`: returns
/// the simulator and the address the cash register is to use.
fn proxy_link(db: &Path) -> (Simulator, String) {
    let sim = Simulator::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    sk(
        db,
        &[
            "link",
            "add",
            "--tcp",
            &sim.address(),
            "--proxy-listen",
            &port.to_string(),
        ],
    )
    .ok();
    (sim, format!("127.0.0.1:{port}"))
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < until, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the journal holds exactly the terminal's bookings, each once, and checks
/// that it verifies; returns those bookings.
fn stored_once_and_verified(db: &Path, sim: &Shared, what: &str, secs: u64) -> BTreeSet<Row> {
    let want = ledger(sim);
    wait_until(what, secs, || journal(db) == want);
    let v = sk(db, &["journal", "verify"]).ok().stdout();
    assert!(v.contains("journal verified"), "{v}");
    want
}

#[test]
fn the_proxy_relays_with_the_journal_locked_and_after_a_sigkill() {
    let d = Dir::new();
    let db = d.p("journal.db");
    let (Simulator { rt, sim, .. }, register) = proxy_link(&db);
    let mut service = serve(&db);
    wait_until("the proxy listens", 30, || state(&db) == "listening");
    assert_eq!(
        pay(&rt, &register, 1_000),
        Ok(slipkeeper_link::End::Completed)
    );
    wait_until("the first payment is mirrored", 30, || {
        journal(&db).len() == 1
    });

    // Another program holds the journal's write lock (python's sqlite3).
    let lock = slipkeeper_testkit::ForeignLock::hold(&db);
    // The register still takes cards.
    assert_eq!(
        pay(&rt, &register, 2_000),
        Ok(slipkeeper_link::End::Completed)
    );
    // Longer than the journal waits for a lock (5 s): the store fails meanwhile.
    std::thread::sleep(Duration::from_secs(7));
    drop(lock); // released
    let log = || -> String {
        std::fs::read_dir(d.p("logs"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    };
    wait_until(
        "what was held back is stored once the journal is free",
        60,
        || journal(&db).len() == 2 && log().contains("held-back exchange is stored now"),
    );
    assert!(log().contains("holding it back"), "{}", log());

    // Killed in the middle of a payment, started again (as systemd does).
    let inflight = {
        let register = register.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            pay(&rt, &register, 3_000)
        })
    };
    std::thread::sleep(Duration::from_millis(30));
    service.0.kill().unwrap();
    service.0.wait().unwrap();
    let _ = inflight.join().unwrap(); // cut off or through: the ledger says which
    let _again = serve(&db);
    wait_until("the proxy listens again", 30, || state(&db) == "listening");
    assert_eq!(
        pay(&rt, &register, 4_000),
        Ok(slipkeeper_link::End::Completed)
    );
    let want = stored_once_and_verified(
        &db,
        &sim,
        "the journal holds the terminal's bookings, each once",
        30,
    );
    assert!(want.len() >= 3, "{want:?}");
    sk(&db, &["service", "stop"]).ok();
}

#[test]
fn the_service_makes_the_daily_backup_by_itself_and_a_restore_from_it_verifies() {
    let d = Dir::new();
    let db = d.p("journal.db");
    let stick = tempfile::tempdir().unwrap();
    sk(&db, &["demo", "seed", "--count", "30"]).ok();
    let set = sk(
        &db,
        &[
            "db",
            "auto",
            "--folder",
            stick.path().to_str().unwrap(),
            "--keep",
            "3",
        ],
    )
    .ok()
    .stdout();
    assert!(set.contains("last backup: never"), "{set}");
    // A folder that is the journal's own is refused, naming the field.
    let own = sk(
        &db,
        &["db", "auto", "--folder", d.tmp.path().to_str().unwrap()],
    )
    .fails();
    assert!(own.stderr().contains("folder"), "{}", own.stderr());

    let service = serve(&db);
    let copy = || {
        std::fs::read_dir(stick.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "db"))
    };
    wait_until("the service's backup", 30, || copy().is_some());
    let status = sk(&db, &["db", "auto"]).ok().stdout();
    assert!(!status.contains("last backup: never"), "{status}");
    drop(service);
    // Back to the copy (records added since are gone again): it verifies against the
    // journal's anchors and holds what it held.
    sk(&db, &["demo", "seed", "--count", "40"]).ok();
    let r = sk(&db, &["db", "restore", copy().unwrap().to_str().unwrap()]).ok();
    assert!(r.stdout().contains("verified"), "{}", r.stdout());
    let list = sk(&db, &["journal", "list", "--limit", "1"]).ok().stdout();
    assert!(list.contains("of 30 shown"), "{list}");
}

/// A shop without a terminal link: statements downloaded into the watched folder are
/// imported by the service as they appear — other files passed over, a broken
/// statement reported, the same file twice importing nothing — and the journal's find
/// lists their lines with the file they came from.
#[test]
fn the_service_imports_statements_dropped_into_the_watched_folder() {
    let d = Dir::new();
    let db = d.p("journal.db");
    let downloads = tempfile::tempdir().unwrap();
    let statement = "终端编号,交易时间,卡号,交易金额,参考号,凭证号,授权码,交易类型,清算日期\n\
         10000001,2026-11-20 12:57:03,622588******1234,255.31,612345678901,000123,A1B2C3,消费,2026-11-21\n";
    // Already there before the folder is chosen: imported too.
    std::fs::write(downloads.path().join("notes.txt"), "shopping list\nmilk\n").unwrap();
    std::fs::write(downloads.path().join("交易明细20261120.csv"), statement).unwrap();
    let set = sk(
        &db,
        &["statement", "watch", downloads.path().to_str().unwrap()],
    )
    .ok()
    .stdout();
    assert!(set.contains("watching"), "{set}");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    let age = |p: &std::path::Path| {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(old)
            .unwrap()
    };
    age(&downloads.path().join("notes.txt"));
    age(&downloads.path().join("交易明细20261120.csv"));

    let service = serve(&db);
    let found = |text: &str| {
        let j: serde_json::Value =
            serde_json::from_str(&sk(&db, &["--json", "journal", "find", text]).ok().stdout())
                .unwrap();
        j["statement"].as_array().unwrap().clone()
    };
    wait_until("the service's import", 30, || !found("255.31").is_empty());
    let rows = found("255.31");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["file_name"], "交易明细20261120.csv");
    assert_eq!(rows[0]["rrn"], "612345678901");
    let human = sk(&db, &["journal", "find", "000123"]).ok().stdout();
    assert!(
        human.contains("收单机构对账单上有") && human.contains("交易明细20261120.csv #2"),
        "{human}"
    );

    // The same file again under another name: nothing new. A broken statement: one
    // clear line, kept until the file changes.
    let copy = downloads.path().join("交易明细20261120(1).csv");
    std::fs::write(&copy, statement).unwrap();
    age(&copy);
    let broken = downloads.path().join("交易明细20261121.csv");
    std::fs::write(
        &broken,
        "终端编号,交易时间,卡号,交易金额,参考号,凭证号,授权码,交易类型,清算日期\n\
         10000001,2026-11-21 09:00:00,622588******1234,abc,612345678902,000124,A1B2C3,消费,2026-11-22\n",
    )
    .unwrap();
    age(&broken);
    let status = || -> serde_json::Value {
        serde_json::from_str(&sk(&db, &["--json", "statement", "watch"]).ok().stdout()).unwrap()
    };
    wait_until("the service to read the broken file", 30, || {
        status()["watch"]["last_error"].is_string()
    });
    drop(service);
    let s = status();
    let err = s["watch"]["last_error"].as_str().unwrap();
    assert!(err.contains("交易明细20261121.csv:2:交易金额"), "{err}");
    let list = sk(&db, &["--json", "statement", "list"]).ok().stdout();
    let files: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        files.as_array().unwrap().len(),
        1,
        "one statement stored: {files}"
    );
    assert_eq!(found("255.31").len(), 1, "nothing doubled");

    // A scan on demand sees nothing new; --off stops watching.
    let again: serde_json::Value = serde_json::from_str(
        &sk(&db, &["--json", "statement", "watch", "--scan"])
            .ok()
            .stdout(),
    )
    .unwrap();
    assert_eq!(again["imported"].as_array().unwrap().len(), 0, "{again}");
    sk(&db, &["statement", "watch", "--off"]).ok();
    assert!(status()["watch"]["folder"].is_null());
}

/// A small tmpfs of its own, unmounted when dropped: a disk that can fill up under a
/// running service.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// None where this process may not mount (not root, or a container without the
    /// right); the test then says so and checks nothing.
    fn mount(mb: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }

    /// Writes a filler file until the disk is full.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let p = self.dir.path().join("filler");
        let mut f = std::fs::File::create(&p).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        while f.write_all(&[0]).is_ok() {}
        p
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// The proxy's fail-safe on a disk that fills up under it: the register's payments go
/// through, what the journal (and the spool beside it) could not take is held back,
/// and it is stored, each once, when there is room again. (A disk that turns
/// read-only under a running service cannot be made here: remounting refuses while
/// files are open for writing. It fails the same writes the same way.)
#[test]
fn the_proxy_relays_on_a_full_disk() {
    let Some(disk) = SmallDisk::mount(16) else {
        eprintln!("skipped: this process may not mount a tmpfs (run as root to test a full disk)");
        return;
    };
    let db = disk.dir.path().join("journal.db");
    let (Simulator { rt, sim, .. }, register) = proxy_link(&db);
    let _service = serve(&db);
    wait_until("the proxy listens", 30, || state(&db) == "listening");
    assert_eq!(
        pay(&rt, &register, 1_000),
        Ok(slipkeeper_link::End::Completed)
    );
    wait_until("the first payment is mirrored", 30, || {
        journal(&db).len() == 1
    });

    // Full.
    let filler = disk.fill();
    for minor in [2_000, 3_000] {
        assert_eq!(
            pay(&rt, &register, minor),
            Ok(slipkeeper_link::End::Completed),
            "a full disk stops no payment"
        );
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(journal(&db).len(), 1, "nothing fits on a full disk");
    std::fs::remove_file(&filler).unwrap();
    let stored = stored_once_and_verified(
        &db,
        &sim,
        "the held-back payments are stored once there is room",
        60,
    );
    assert_eq!(stored.len(), 3);
    sk(&db, &["service", "stop"]).ok();
}

/// The journal file write-protected (copied from a read-only medium, a permissions
/// slip): the service, run as an ordinary user, still starts its proxy and the
/// register's payments go through; once the file takes writes again, what was held
/// back is stored, each once, without a restart. Run as `nobody` (root writes
/// anywhere).
#[cfg(unix)]
#[test]
fn the_proxy_relays_with_a_write_protected_journal_and_stores_once_it_is_writable() {
    use std::os::unix::fs::PermissionsExt;
    let as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !as_root {
        eprintln!("skipped: needs root to run the service as `nobody`");
        return;
    }
    let d = Dir::new();
    let db = d.p("journal.db");
    let (Simulator { rt, sim, .. }, register) = proxy_link(&db);
    // The folder is the user's; the journal file in it is write-protected.
    let chown = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(d.tmp.path())
        .status()
        .unwrap();
    assert!(chown.success());
    std::fs::set_permissions(d.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let protect =
        |mode| std::fs::set_permissions(&db, std::fs::Permissions::from_mode(mode)).unwrap();
    protect(0o444);
    let _service = Child(
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_slipkeeper"))
            .arg("--db")
            .arg(&db)
            .arg("serve")
            .env("SLIPKEEPER_LOG", "debug")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the proxy listens on a write-protected journal", 30, || {
        state(&db) == "listening"
    });
    for minor in [1_000, 2_000] {
        assert_eq!(
            pay(&rt, &register, minor),
            Ok(slipkeeper_link::End::Completed),
            "a write-protected journal stops no payment"
        );
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        journal(&db).is_empty(),
        "nothing written to a write-protected file"
    );
    protect(0o644);
    let stored = stored_once_and_verified(
        &db,
        &sim,
        "the held-back payments are stored once the file takes writes",
        60,
    );
    assert_eq!(stored.len(), 2);
    sk(&db, &["service", "stop"]).ok();
}
