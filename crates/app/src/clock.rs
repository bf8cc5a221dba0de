use chrono::{DateTime, Utc};

/// The time source. Logic takes time from here so that tests can fix it; only
/// [`SystemClock`] reads the real clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The shop's wall-clock time: terminals print local time without a zone.
    fn local_now(&self) -> chrono::NaiveDateTime {
        self.now().naive_utc()
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place the real clock is read
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    #[allow(clippy::disallowed_methods)] // the one place the real clock is read
    fn local_now(&self) -> chrono::NaiveDateTime {
        chrono::Local::now().naive_local()
    }
}

/// Always the same instant.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// From RFC 3339; falls back to the Unix epoch on a malformed literal.
    pub fn at(rfc3339: &str) -> FixedClock {
        FixedClock(
            DateTime::parse_from_rfc3339(rfc3339)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        )
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
