//! The wall clock of a benchmark's frames (the simulated terminal's is the testkit's).

use std::sync::Arc;

pub fn link_clock() -> slipkeeper_link::Clock {
    #[allow(clippy::disallowed_methods)] // frame times at the edge
    Arc::new(chrono::Utc::now)
}
