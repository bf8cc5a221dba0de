//! What the app's tests share: a shop's journal, opened at a fixed "now".

use slipkeeper_app::{App, FixedClock};

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
