//! The Reprint screen shows the PDF itself before anything is saved: the preview's
//! bytes are the file "Save PDF" writes, and poppler reads the voucher back from them.

#![allow(clippy::unwrap_used)] // a test: fail loudly

use slipkeeper_app::{App, FixedClock};
use slipkeeper_domain::{CopyType, TerminalId, TraceNo};
use slipkeeper_slip::Paper;

#[test]
fn the_preview_is_the_pdf_that_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(
        &dir.path().join("j.db"),
        FixedClock::at("2026-11-22T03:00:00Z"),
    )
    .unwrap();
    app.seed_demo(30).unwrap();
    let v = TraceNo::new("7").unwrap();
    let t = TerminalId::new("10000001").unwrap();
    let t = Some(&t);
    let copies = [CopyType::Merchant, CopyType::Cardholder];
    let shown = app
        .reprint_pdf_preview(&v, t, &copies, Paper::Roll80)
        .unwrap();
    assert!(shown.starts_with(b"%PDF-"));
    let saved = app
        .reprint_to_exports(&v, t, &copies, Paper::Roll80)
        .unwrap();
    assert_eq!(std::fs::read(&saved).unwrap(), shown);

    let out = std::process::Command::new("pdftotext")
        .args([saved.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("000007"), "{text}");
    assert!(text.contains("REPRINT"), "{text}");

    // A voucher that is not there: a clear error, no PDF.
    let e = app
        .reprint_pdf_preview(
            &TraceNo::new("999998").unwrap(),
            None,
            &copies,
            Paper::Roll80,
        )
        .unwrap_err();
    assert!(e.message.contains("999998"), "{}", e.message);
}
