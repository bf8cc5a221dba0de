//! The simulator as a person starts it: options through clap, a clear error for a bad
//! one, and a terminal that answers on the address it prints.

#![allow(clippy::unwrap_used)] // a test: fail loudly

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

/// The simulator started with `args`, its stderr kept for the test, and the first
/// line it printed (where it listens).
fn start(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_slipkeeper-termsim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn it_listens_where_it_says_and_answers_a_registration() {
    let (mut child, line) = start(&["--listen", "127.0.0.1:0", "--tid", "12345678"]);
    let addr = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(
        line.starts_with("ZVT terminal 12345678 listening on 127.0.0.1:"),
        "{line}"
    );
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    // 06 00: password 000000, config byte, currency 156.
    s.write_all(&[0x06, 0x00, 0x06, 0x00, 0x00, 0x00, 0x8E, 0x01, 0x56])
        .unwrap();
    let mut ack = [0u8; 3];
    s.read_exact(&mut ack).unwrap();
    assert_eq!(ack, [0x80, 0x00, 0x00]);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_option_is_named_and_exits_2() {
    for (args, want) in [
        (&["--delay-p", "2"][..], "--delay-p"),
        (&["--listen", "nowhere"][..], "--listen"),
        (&["--per-minute", "0"][..], "--per-minute"),
        (&["--frobnicate"][..], "--frobnicate"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_slipkeeper-termsim"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

/// A ledger file that cannot be written is said on stderr once, with its path and
/// why, while the terminal goes on trying (every 20 ms) and answering.
#[cfg(unix)]
#[test]
fn a_ledger_that_cannot_be_written_is_said_once() {
    // Nothing can be made under /dev/null, whoever runs the test.
    let ledger = "/dev/null/ledger.tsv";
    let (mut child, line) = start(&["--listen", "127.0.0.1:0", "--ledger", ledger]);
    assert!(line.contains("listening on"), "{line}");
    // Long enough for a dozen more attempts.
    std::thread::sleep(std::time::Duration::from_millis(500));
    child.kill().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    child.wait().unwrap();
    assert_eq!(
        err.matches("the ledger could not be written").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains(ledger) && err.contains("Not a directory"),
        "{err}"
    );
}
