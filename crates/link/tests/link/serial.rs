//! ZVT over a serial line: framing, CRC, ACK/NAK and retries, first over an in-memory
//! pipe with a hostile line, then over real pseudo-terminals (socat) opened as serial
//! devices.

use chrono::{NaiveDate, TimeZone, Utc};
use slipkeeper_link::{commands, End, Link, LinkError};
use slipkeeper_testkit::sim;
use slipkeeper_zvt::serial;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

fn clock() -> slipkeeper_link::Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 22, 1, 0, 0).unwrap())
}

fn shop_time() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 22)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

/// The simulator behind a serial line: every APDU framed and line-acknowledged.
async fn serial_terminal<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let mut pt = Link::serial(stream, clock());
    let mut term = sim::terminal();
    loop {
        let Ok((cmd, _)) = pt.recv_apdu(Duration::from_secs(10)).await else {
            return;
        };
        if matches!(cmd.class, 0x80 | 0x84) {
            continue;
        }
        for (i, a) in term.handle(&cmd, shop_time()).into_iter().enumerate() {
            if pt.send_apdu(&a).await.is_err() {
                return;
            }
            if i > 0 && pt.recv_apdu(Duration::from_secs(5)).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::test]
async fn a_payment_over_a_serial_pipe() {
    let (a, b) = tokio::io::duplex(4096);
    tokio::spawn(serial_terminal(b));
    let mut ecr = Link::serial(a, clock());
    ecr.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
    crate::register(&mut ecr).await;
    let ex = ecr
        .command(&commands::authorisation(4711, 156).unwrap())
        .await
        .unwrap();
    assert_eq!(ex.end, End::Completed);
    assert_eq!(ex.messages.len(), 4);
    // Raw frames are what crossed the wire: DLE STX … DLE ETX CRC.
    assert!(ex.frames.iter().all(|f| f.bytes.starts_with(&[0x10, 0x02])));
    assert_eq!(
        serial::deframe(&ex.frames[0].bytes).unwrap(),
        commands::authorisation(4711, 156)
            .unwrap()
            .encode()
            .unwrap()
    );
}

#[tokio::test]
async fn a_corrupted_frame_is_nakked_and_sent_again() {
    let (a, mut line) = tokio::io::duplex(4096);
    let mut ecr = Link::serial(a, clock());
    ecr.set_timeouts(Duration::from_secs(2), Duration::from_secs(2));
    let status = tokio::spawn(async move { ecr.command(&commands::status_enquiry()).await });
    // Read the ECR's frame, and pretend it arrived damaged.
    let mut buf = [0u8; 64];
    let n = line.read(&mut buf).await.unwrap();
    assert_eq!(
        &buf[..n],
        serial::frame(&commands::status_enquiry().encode().unwrap()).as_slice()
    );
    line.write_all(&[serial::NAK]).await.unwrap();
    // The ECR sends the same frame again; this time it is good.
    let n2 = line.read(&mut buf).await.unwrap();
    assert_eq!(n2, n, "the frame is repeated after a NAK");
    line.write_all(&[serial::ACK]).await.unwrap();
    // Terminal: ACK APDU, then a completion whose CRC is broken on the first try.
    line.write_all(&serial::frame(&[0x80, 0x00, 0x00]))
        .await
        .unwrap();
    let mut ack = [0u8; 1];
    line.read_exact(&mut ack).await.unwrap();
    assert_eq!(ack[0], serial::ACK);
    let completion = [0x06, 0x0F, 0x05, 0xF0, 0xF0, 0xF1, b'X', 0x00];
    let mut bad = serial::frame(&completion);
    let last = bad.len() - 1;
    bad[last] ^= 0xFF;
    line.write_all(&bad).await.unwrap();
    line.read_exact(&mut ack).await.unwrap();
    assert_eq!(ack[0], serial::NAK, "a bad CRC is answered with NAK");
    line.write_all(&serial::frame(&completion)).await.unwrap();
    line.read_exact(&mut ack).await.unwrap();
    assert_eq!(ack[0], serial::ACK);
    // The ECR acknowledges the completion with a framed 80 00 00.
    let n3 = line.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n3], serial::frame(&[0x80, 0x00, 0x00]).as_slice());
    line.write_all(&[serial::ACK]).await.unwrap();
    let ex = status.await.unwrap().unwrap();
    assert_eq!(ex.terminal_status(), Some((Some("X".into()), 0)));
}

#[tokio::test]
async fn three_naks_give_up_with_a_clear_error() {
    let (a, mut line) = tokio::io::duplex(4096);
    let mut ecr = Link::serial(a, clock());
    ecr.set_timeouts(Duration::from_millis(500), Duration::from_millis(500));
    let t = tokio::spawn(async move { ecr.command(&commands::status_enquiry()).await });
    let mut buf = [0u8; 64];
    for _ in 0..3 {
        let _ = line.read(&mut buf).await.unwrap();
        line.write_all(&[serial::NAK]).await.unwrap();
    }
    assert!(matches!(t.await.unwrap(), Err(LinkError::Timeout(..))));
}

/// A linked pair of pseudo-terminals, made by socat; None when socat is missing.
fn pty_pair(dir: &std::path::Path) -> Option<(std::process::Child, String, String)> {
    let a = dir.join("ecr");
    let b = dir.join("pt");
    let child = std::process::Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .spawn()
        .ok()?;
    for _ in 0..100 {
        if a.exists() && b.exists() {
            return Some((child, a.display().to_string(), b.display().to_string()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test]
async fn a_payment_over_real_pseudo_terminals() {
    let dir = tempfile::tempdir().unwrap();
    let (mut socat, ecr_path, pt_path) =
        pty_pair(dir.path()).expect("socat is installed by scripts/bootstrap");
    let pt = Link::open_serial(&pt_path, 9600, clock()).unwrap();
    drop(pt); // opened once to prove the device opens; the simulator uses its own handle
    let pt_port = {
        use tokio_serial::SerialPortBuilderExt;
        tokio_serial::new(&pt_path, 9600)
            .open_native_async()
            .unwrap()
    };
    tokio::spawn(serial_terminal(pt_port));
    let mut ecr = Link::open_serial(&ecr_path, 9600, clock()).unwrap();
    ecr.set_timeouts(Duration::from_secs(3), Duration::from_secs(10));
    crate::register(&mut ecr).await;
    let ex = ecr
        .command(&commands::authorisation(1234, 156).unwrap())
        .await
        .unwrap();
    assert_eq!(ex.end, End::Completed);
    let _ = socat.kill();
    let missing = Link::open_serial("/dev/does-not-exist", 9600, clock())
        .err()
        .unwrap();
    assert!(
        missing.to_string().contains("/dev/does-not-exist"),
        "{missing}"
    );
}
