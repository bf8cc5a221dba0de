//! The `slipkeeper` binary, run as a user would, against real journal files.

#![allow(clippy::unwrap_used, clippy::new_without_default)] // tests fail loudly by design

mod casework;
mod faults;
mod head_office;
mod journal;
mod mirror_kill;
mod pan_doors;
mod reconcile;
mod reprint;
mod service;
mod terminal;
mod zvt;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slipkeeper"))
}

pub struct Run {
    pub out: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn ok(self) -> Run {
        assert!(
            self.out.status.success(),
            "expected success, got {:?}\nstdout: {}\nstderr: {}",
            self.out.status,
            self.stdout(),
            self.stderr()
        );
        self
    }
    pub fn fails(self) -> Run {
        assert!(
            !self.out.status.success(),
            "expected failure\nstdout: {}",
            self.stdout()
        );
        assert_eq!(
            self.out.status.code(),
            Some(1),
            "failures exit with 1, not a panic (101) or a signal"
        );
        assert!(!self.stderr().contains("panicked"), "{}", self.stderr());
        self
    }
    /// A usage error (a flag's value clap refuses): exit 2, the flag named.
    pub fn usage_error(self) -> Run {
        assert_eq!(self.out.status.code(), Some(2), "{}", self.stderr());
        self
    }
}

pub fn sk(db: &Path, args: &[&str]) -> Run {
    let out = bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run slipkeeper");
    Run { out }
}

pub fn sk_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let r = bin()
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .output()
        .expect("run slipkeeper");
    let r = Run { out: r }.ok();
    serde_json::from_str(&r.stdout()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout()))
}

pub fn total(db: &Path) -> u64 {
    sk_json(db, &["journal", "list", "--limit", "1"])["total"]
        .as_u64()
        .unwrap()
}

/// A child process that is killed when the test ends, also when it fails half-way.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }
    pub fn p(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    /// A shop's journal (`j.db`) with `n` demo transactions and their slips imported.
    pub fn shop(&self, n: u64) -> PathBuf {
        let db = self.p("j.db");
        let file = self.demo_file("shop.jsonl", n);
        sk(&db, &["import", file.to_str().unwrap()]).ok();
        db
    }
    /// A JSONL file of `n` demo transactions and their slips.
    pub fn demo_file(&self, name: &str, n: u64) -> PathBuf {
        let f = self.p(name);
        sk(
            &self.p("unused.db"),
            &[
                "demo",
                "jsonl",
                "--count",
                &n.to_string(),
                "--out",
                f.to_str().unwrap(),
            ],
        )
        .ok();
        f
    }
}

/// The simulated terminal on loopback, with a runtime of its own (which a test also
/// uses for a cash register or customers).
pub use slipkeeper_testkit::sim::Simulator;
