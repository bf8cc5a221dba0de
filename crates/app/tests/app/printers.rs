//! Settings → printers and reprints on them: a receipt printer on a real TCP socket
//! (the raw port network receipt printers listen on) and one behind a device file.

use slipkeeper_app::{App, CopyChoice, ErrorCode, FixedClock, Printers};
use slipkeeper_domain::{TerminalId, TraceNo};
use std::io::Read;

fn app(dir: &std::path::Path) -> App {
    let mut app = App::open(
        &dir.join("journal.db"),
        FixedClock::at("2026-11-22T03:00:00Z"),
    )
    .unwrap();
    app.seed_demo(20).unwrap();
    app
}

fn voucher() -> (TraceNo, TerminalId) {
    (
        TraceNo::new("7").unwrap(),
        TerminalId::new("10000001").unwrap(),
    )
}

#[test]
fn a_reprint_reaches_the_network_receipt_printer_whole() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let printer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = printer.local_addr().unwrap().to_string();
    let stored = app
        .set_printers(&Printers {
            receipt: Some(format!(" {addr} ")),
            receipt_width_mm: 58,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(stored.receipt.as_deref(), Some(addr.as_str()));
    let received = std::thread::spawn(move || {
        let (mut s, _) = printer.accept().unwrap();
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let (v, t) = voucher();
    let sent = app
        .reprint_on_receipt_printer(&v, Some(&t), None, &CopyChoice::Merchant.copies())
        .unwrap();
    let bytes = received.join().unwrap();
    assert_eq!(sent, bytes.len(), "everything that was built arrived");
    assert_eq!(&bytes[..2], b"\x1b@", "starts by resetting the printer");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("000007"), "the voucher number is printed");
    assert!(text.contains("REPRINT"), "marked as a reprint");
    // 58 mm paper: no printed line wider than 32 characters (measured on the lines in
    // plain ASCII, after the alignment and emphasis commands that open each line; on
    // 80 mm paper the slip's English footer runs to 46).
    let widest = bytes
        .split(|b| *b == b'\n')
        .map(|mut l| {
            while l.first() == Some(&0x1b) && l.len() >= 3 {
                l = &l[3..];
            }
            l
        })
        .filter(|l| l.iter().all(|b| b.is_ascii() && !b.is_ascii_control()))
        .map(|l| l.len())
        .max()
        .unwrap();
    assert!((26..=32).contains(&widest), "widest plain line {widest}");
}

#[test]
fn a_device_printer_gets_the_bytes_and_the_settings_survive_a_restart() {
    use std::io::Read;
    use tokio_serial::SerialPort;
    let dir = tempfile::tempdir().unwrap();
    // A real character device: a pseudo-terminal, as a USB-serial printer would be.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (master, slave) = rt
        .block_on(async { tokio_serial::SerialStream::pair() })
        .unwrap();
    let device = std::path::PathBuf::from(slave.name().unwrap());
    {
        let app = app(dir.path());
        app.set_printers(&Printers {
            receipt: Some(device.display().to_string()),
            system: Some("Office_A4".into()),
            ..Default::default()
        })
        .unwrap();
    }
    let app = App::open(
        &dir.path().join("journal.db"),
        FixedClock::at("2026-11-22T03:00:00Z"),
    )
    .unwrap();
    let p = app.printers().unwrap();
    assert_eq!(p.receipt.as_deref(), Some(device.to_str().unwrap()));
    assert_eq!(p.system.as_deref(), Some("Office_A4"));
    assert_eq!(p.receipt_width_mm, 80);
    let (v, t) = voucher();
    let reader = std::thread::spawn(move || {
        let _slave = slave; // the device exists while both ends are open
        let mut master = master;
        let (mut got, mut buf) = (Vec::new(), [0u8; 4096]);
        // The job ends with the cut command GS V 1 (once per copy).
        while got.windows(3).filter(|w| *w == [0x1D, b'V', 1]).count() < 2 {
            match master.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                Err(e) => panic!("{e}"),
            }
        }
        got
    });
    let n = app
        .reprint_on_receipt_printer(&v, Some(&t), None, &CopyChoice::Both.copies())
        .unwrap();
    assert_eq!(reader.join().unwrap().len(), n);
}

/// An ordinary file named as the receipt printer is refused in Settings and at print
/// time, and is left exactly as it was: a reprint once overwrote the start of it.
#[test]
fn an_ordinary_file_is_never_a_receipt_printer() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join(".bashrc");
    std::fs::write(&victim, b"export PATH\n").unwrap();
    let app = app(dir.path());
    let e = app
        .set_printers(&Printers {
            receipt: Some(victim.display().to_string()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(e.message.contains("not a printer device"), "{}", e.message);
    assert_eq!(std::fs::read(&victim).unwrap(), b"export PATH\n");
}

#[test]
fn wrong_printer_settings_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let (v, t) = voucher();
    let e = app
        .reprint_on_receipt_printer(&v, Some(&t), None, &CopyChoice::Merchant.copies())
        .unwrap_err();
    // No printer yet is a setting to make, not a typing mistake: its own code, and
    // the setting named so the window can send the owner there.
    assert_eq!(e.code, ErrorCode::NotSetUp);
    assert_eq!(e.field.as_deref(), Some("receipt"));
    assert!(
        e.message.contains("Settings") && e.message.contains("打印机"),
        "{}",
        e.message
    );

    let ip_only = app
        .set_printers(&Printers {
            receipt: Some("192.168.1.30".into()),
            system: Some("  ".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ip_only.receipt.as_deref(), Some("192.168.1.30:9100"));
    assert_eq!(ip_only.system, None, "blank means the default printer");

    for wrong in [
        Printers {
            receipt: Some("the printer by the till".into()),
            ..Default::default()
        },
        Printers {
            receipt: Some("192.168.1.30:99999".into()),
            ..Default::default()
        },
        Printers {
            receipt_width_mm: 76,
            ..Default::default()
        },
    ] {
        let e = app.set_printers(&wrong).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadInput, "{wrong:?}");
        assert_eq!(app.printers().unwrap(), ip_only, "the stored settings stay");
    }

    // A printer that is not there: the owner hears which one.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap().to_string();
    drop(closed);
    app.set_printers(&Printers {
        receipt: Some(addr.clone()),
        ..Default::default()
    })
    .unwrap();
    let e = app
        .reprint_on_receipt_printer(&v, Some(&t), None, &CopyChoice::Merchant.copies())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(e.message.contains(&addr), "{}", e.message);
    // In Chinese too, with what to check, and Settings named as where it is fixed.
    assert!(
        e.zh.as_deref()
            .is_some_and(|z| z.starts_with(&format!("连不上 {addr} 的小票打印机"))),
        "{e:?}"
    );
    assert_eq!(e.field.as_deref(), Some("receipt"));

    std::fs::write(dir.path().join("printers.json"), "{ not json").unwrap();
    let e = app.printers().unwrap_err();
    assert!(e.message.contains("printers.json"), "{}", e.message);
}
