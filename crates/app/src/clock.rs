use crate::{AppError, ErrorCode};
use chrono::{DateTime, FixedOffset, Utc};

/// The time source. Logic takes time from here so that tests can fix it; only
/// [`SystemClock`] reads the real clock.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// The shop's wall-clock time: terminals print local time without a zone.
    fn local_now(&self) -> chrono::NaiveDateTime {
        self.now().naive_utc()
    }
}

/// The real clock: UTC now, and the machine's local time.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

/// A clock shared between an app and what it opens for a moment (a temporary journal
/// for head office): the same "now" and the same local time.
impl Clock for std::sync::Arc<dyn Clock> {
    fn now(&self) -> DateTime<Utc> {
        self.as_ref().now()
    }
    fn local_now(&self) -> chrono::NaiveDateTime {
        self.as_ref().local_now()
    }
}

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

/// Always the same instant, at the offset it was given: its local time is the wall
/// clock at that offset ("2026-11-20T15:00:00+08:00" is 15:00 in the shop).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime<FixedOffset>);

impl FixedClock {
    /// From RFC 3339; falls back to the Unix epoch on a malformed literal (tests
    /// write literals; what a user types goes through [`clock_from_env`]).
    pub fn at(rfc3339: &str) -> FixedClock {
        FixedClock(DateTime::parse_from_rfc3339(rfc3339).unwrap_or_default())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }

    fn local_now(&self) -> chrono::NaiveDateTime {
        self.0.naive_local()
    }
}

/// The real clock, or the instant `SLIPKEEPER_NOW` names (RFC 3339, for tests and
/// support: replaying a shop's question "as of" the moment it was asked).
#[derive(Clone, Copy, Debug)]
pub enum EnvClock {
    /// The real clock.
    System(SystemClock),
    /// A fixed instant.
    Fixed(FixedClock),
}

impl Clock for EnvClock {
    fn now(&self) -> DateTime<Utc> {
        match self {
            EnvClock::System(c) => c.now(),
            EnvClock::Fixed(c) => c.now(),
        }
    }

    fn local_now(&self) -> chrono::NaiveDateTime {
        match self {
            EnvClock::System(c) => c.local_now(),
            EnvClock::Fixed(c) => c.local_now(),
        }
    }
}

/// The variable that pins "now".
pub const NOW_VAR: &str = "SLIPKEEPER_NOW";

/// The clock for a process: `SLIPKEEPER_NOW` when set, else the system's. A value that
/// is not RFC 3339 is an error, not a silent fallback to the real clock.
pub fn clock_from_env() -> Result<EnvClock, AppError> {
    match std::env::var(NOW_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(EnvClock::System(SystemClock)),
        Err(std::env::VarError::NotUnicode(_)) => Err(AppError::new(
            ErrorCode::BadInput,
            format!("{NOW_VAR} is not text"),
        )),
        Ok(v) if v.trim().is_empty() => Ok(EnvClock::System(SystemClock)),
        Ok(v) => DateTime::parse_from_rfc3339(v.trim())
            .map(|t| EnvClock::Fixed(FixedClock(t)))
            .map_err(|e| {
                AppError::new(
                    ErrorCode::BadInput,
                    format!(
                        "{NOW_VAR}={v:?}: {e}; expected RFC 3339, e.g. 2026-11-20T15:00:00+08:00"
                    ),
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_keeps_its_offset_for_local_time() {
        let c = FixedClock::at("2026-11-20T15:00:00+08:00");
        assert_eq!(c.local_now().to_string(), "2026-11-20 15:00:00");
        assert_eq!(c.now().to_rfc3339(), "2026-11-20T07:00:00+00:00");
    }
}
