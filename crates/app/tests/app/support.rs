//! What the app's tests share: a shop's journal, opened at a fixed "now".

use chrono::NaiveDateTime;
use slipkeeper_app::{App, FixedClock, MerchantProfile};
use slipkeeper_domain::{
    sample, BatchNo, Money, Outcome, TerminalId, TraceNo, Transaction, TxnKind,
};

/// The instant most tests take as "now": 2026-11-22, 11:00 in the shop (UTC+8).
pub const NOW: &str = "2026-11-22T03:00:00Z";

/// A shop's journal (`journal.db`, in a folder that lives as long as the returned
/// `TempDir`) opened at [`NOW`], with `n` demo transactions and their slips (none for 0).
pub fn shop(n: u64) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("journal.db"), FixedClock::at(NOW)).unwrap();
    if n > 0 {
        app.seed_demo(n).unwrap();
    }
    (dir, app)
}

/// The shop's details a letter to the acquirer needs (name, contact, phone), set.
pub fn letter_details(app: &App) {
    app.set_merchant_profile(&MerchantProfile {
        shop_name: Some("演示商店".into()),
        contact_person: Some("王老板".into()),
        phone: Some("13800000000".into()),
        ..Default::default()
    })
    .unwrap();
}

/// An approved sale of `amount` fen on terminal `term`, batch 1, voucher `trace`, at
/// `at`, referring to nothing; the caller adds the RRN, card and codes it needs.
pub fn approved_sale(term: &str, trace: u32, at: NaiveDateTime, amount: i64) -> Transaction {
    let mut t = sample::transaction(0);
    t.terminal_id = TerminalId::new(term).unwrap();
    t.batch_no = BatchNo::new("1").unwrap();
    t.trace_no = TraceNo::new(&trace.to_string()).unwrap();
    t.kind = TxnKind::Sale;
    t.outcome = Outcome::Approved;
    t.amount = Money::cny(amount);
    t.occurred_at = at;
    t.original_trace_no = None;
    t.original_rrn = None;
    t.original_date = None;
    t
}
