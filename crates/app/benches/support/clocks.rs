//! The wall clocks of a benchmark's simulated terminal and of its frames.

use std::sync::Arc;

#[allow(clippy::disallowed_methods)] // the simulated terminal's wall clock
pub fn shop_now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

pub fn link_clock() -> slipkeeper_link::Clock {
    #[allow(clippy::disallowed_methods)] // frame times at the edge
    Arc::new(chrono::Utc::now)
}
