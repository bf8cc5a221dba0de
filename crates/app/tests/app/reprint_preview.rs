//! The Reprint screen shows the PDF itself before anything is saved: the preview's
//! bytes are the file "Save PDF" writes, and poppler reads the voucher back from them.

use slipkeeper_app::App;
use slipkeeper_domain::{CopyType, TerminalId, TraceNo};
use slipkeeper_slip::Paper;

#[test]
fn the_preview_is_the_pdf_that_is_saved() {
    let (_dir, app) = crate::support::shop(30);
    let v = TraceNo::new("7").unwrap();
    let t = TerminalId::new("10000001").unwrap();
    let t = Some(&t);
    let copies = [CopyType::Merchant, CopyType::Cardholder];
    let shown = app
        .reprint_pdf_preview(&v, t, None, &copies, Paper::Roll80)
        .unwrap();
    assert!(shown.starts_with(b"%PDF-"));
    let saved = app
        .reprint_to_exports(&v, t, None, &copies, Paper::Roll80)
        .unwrap();
    assert_eq!(std::fs::read(&saved).unwrap(), shown);

    let text = slipkeeper_testkit::poppler::text(&saved);
    assert!(text.contains("000007"), "{text}");
    assert!(text.contains("REPRINT"), "{text}");

    // A voucher that is not there: a clear error, no PDF.
    let e = app
        .reprint_pdf_preview(
            &TraceNo::new("999998").unwrap(),
            None,
            None,
            &copies,
            Paper::Roll80,
        )
        .unwrap_err();
    assert!(e.message.contains("999998"), "{}", e.message);
}

/// Both copies carry one shop name, never a blank: the terminal's own (the name the
/// acquirer has on file) when its slip has one, else the profile's; with neither,
/// nothing is printed and the owner is sent to the shop details.
#[test]
fn a_reprint_never_goes_out_without_the_shops_name() {
    use slipkeeper_app::MerchantProfile;
    use slipkeeper_domain::{sample, SlipOrigin, SlipText};
    use slipkeeper_journal::{Record, RecordBody, SlipRecord};
    let (_dir, mut app) = crate::support::shop(0);
    let mut printed = sample::transaction(1);
    printed.trace_no = TraceNo::new("101").unwrap();
    let mut bare = sample::transaction(3);
    bare.trace_no = TraceNo::new("103").unwrap();
    let at = chrono::DateTime::UNIX_EPOCH;
    let merchant_copy = SlipText::new(
        CopyType::Merchant,
        SlipOrigin::Terminal,
        vec![
            "银联POS签购单".into(),
            "商户名称 MERCHANT NAME: 喆堃便利店".into(),
            "凭证号 VOUCHER NO.: 000101".into(),
        ],
    );
    app.journal_mut()
        .ingest(&[
            Record {
                body: RecordBody::Transaction(printed.clone()),
                recorded_at: at,
            },
            Record {
                body: RecordBody::Slip(SlipRecord {
                    txn: printed.key(),
                    slip: merchant_copy,
                }),
                recorded_at: at,
            },
            Record {
                body: RecordBody::Transaction(bare.clone()),
                recorded_at: at,
            },
        ])
        .unwrap();
    let both = [CopyType::Merchant, CopyType::Cardholder];
    let text = |v: &str, app: &App| -> Vec<String> {
        app.reprint_preview(
            &TraceNo::new(v).unwrap(),
            Some(&printed.terminal_id),
            None,
            &both,
        )
        .unwrap()
        .into_iter()
        .map(|s| s.lines.join("\n"))
        .collect()
    };
    // No profile yet: the rebuilt cardholder copy takes the terminal's name.
    let slips = text("101", &app);
    assert!(slips.iter().all(|s| s.contains("喆堃便利店")), "{slips:#?}");
    // Nothing printed by the terminal and no profile: refused, naming the field.
    let e = app
        .reprint_preview(
            &TraceNo::new("103").unwrap(),
            Some(&bare.terminal_id),
            None,
            &both,
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("shop_name"));
    assert_eq!(e.code, slipkeeper_app::ErrorCode::NotSetUp);
    assert!(e.message.contains("商户名称"), "{}", e.message);
    // With the profile filled in, the profile's name; the terminal's still wins on 101.
    app.set_merchant_profile(&MerchantProfile {
        shop_name: Some("演示商店".into()),
        ..Default::default()
    })
    .unwrap();
    let slips = text("103", &app);
    assert!(
        slips
            .iter()
            .all(|s| s.contains("商户名称 MERCHANT NAME: 演示商店")),
        "{slips:#?}"
    );
    let slips = text("101", &app);
    assert!(
        slips
            .iter()
            .all(|s| s.contains("喆堃便利店") && !s.contains("演示商店")),
        "{slips:#?}"
    );
}

/// A voucher number in two batches of one terminal (the counter wrapped, or counts per
/// batch): without the batch the reprint asks which, with it the one picked prints.
#[test]
fn a_voucher_in_two_batches_reprints_the_one_picked() {
    use slipkeeper_app::{CopyChoice, MerchantProfile, SlipRequest};
    use slipkeeper_domain::{sample, BatchNo};
    use slipkeeper_journal::{Record, RecordBody};
    let (_dir, mut app) = crate::support::shop(0);
    app.set_merchant_profile(&MerchantProfile {
        shop_name: Some("演示商店".into()),
        ..Default::default()
    })
    .unwrap();
    let mut a = sample::transaction(0);
    a.trace_no = TraceNo::new("42").unwrap();
    a.batch_no = BatchNo::new("1").unwrap();
    let mut b = a.clone();
    b.batch_no = BatchNo::new("2").unwrap();
    b.amount = slipkeeper_domain::Money::cny(7_700);
    let at = chrono::DateTime::UNIX_EPOCH;
    app.journal_mut()
        .ingest(&[a.clone(), b.clone()].map(|t| Record {
            body: RecordBody::Transaction(t),
            recorded_at: at,
        }))
        .unwrap();
    let mut r = SlipRequest {
        voucher_no: a.trace_no.clone(),
        terminal_id: Some(a.terminal_id.clone()),
        batch_no: None,
        line_id: None,
        copy: CopyChoice::Merchant,
    };
    let e = app.reprint_preview_for(&r).unwrap_err();
    assert!(
        e.message.contains("000001") && e.message.contains("000002"),
        "{}",
        e.message
    );
    assert!(
        !e.message.contains("--"),
        "no command-line flags in a window: {}",
        e.message
    );
    r.batch_no = Some(b.batch_no.clone());
    let slips = app.reprint_preview_for(&r).unwrap();
    let text = slips[0].lines.join("\n");
    assert!(text.contains("77.00") && text.contains("000002"), "{text}");
}
