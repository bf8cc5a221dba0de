//! Money as integer minor units plus an ISO 4217 currency: a slip's 金额 must add up
//! to the fen, so floating point never touches it.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// ISO 4217 alphabetic code, e.g. CNY.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Chinese yuan.
    pub const CNY: Currency = Currency(*b"CNY");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");

    /// A three-letter ISO 4217 code, upper-cased.
    pub fn new(code: &str) -> Result<Self, DomainError> {
        let b = code.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(|c| c.is_ascii_alphabetic()) {
            return Err(DomainError::invalid(
                "currency",
                code,
                "must be a three-letter ISO 4217 code",
            ));
        }
        Ok(Currency([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    /// The code, e.g. "CNY".
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point (ISO 4217 minor unit).
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" | b"XOF" | b"XAF" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" | b"IQD" | b"LYD" => 3,
            _ => 2,
        }
    }

    /// The symbol a Chinese slip prints before the amount.
    pub fn symbol(&self) -> &str {
        match &self.0 {
            b"CNY" => "RMB",
            _ => self.as_str(),
        }
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::CNY
    }
}

impl TryFrom<String> for Currency {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Currency::new(&s)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units (fen for CNY). Negative amounts are allowed so that
/// totals can carry refunds; single transactions are checked by their constructors.
#[derive(ts_rs::TS, Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    #[serde(default)]
    currency: Currency,
}

impl Money {
    /// An amount of `minor` units (fen, cents) of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// An amount in fen.
    pub fn cny(minor: i64) -> Self {
        Money::new(minor, Currency::CNY)
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// The amount in minor units.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// Its currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Parses "12.5", "12.50", "1,234.00" or "12" as major units of `currency`.
    /// More fraction digits than the currency has is an error, never a rounding.
    pub fn parse_major(text: &str, currency: &str) -> Result<Self, DomainError> {
        let currency = Currency::new(currency)?;
        let exp = currency.exponent() as usize;
        let raw = text;
        let t: String = text.trim().chars().filter(|c| *c != ',').collect();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, t),
        };
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t.as_str(), ""),
        };
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(DomainError::invalid("amount", raw, "not a number"));
        }
        if frac.len() > exp {
            return Err(DomainError::invalid(
                "amount",
                raw,
                "more decimal places than the currency has",
            ));
        }
        let scale = 10i64.pow(exp as u32);
        let int_v: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| DomainError::Overflow)?
        };
        let frac_v: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<exp$}")
                .parse()
                .map_err(|_| DomainError::Overflow)?
        };
        let minor = int_v
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_v))
            .ok_or(DomainError::Overflow)?;
        Ok(Money::new(if neg { -minor } else { minor }, currency))
    }

    /// The sum; an error for two currencies or an overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(&other)?;
        self.minor
            .checked_add(other.minor)
            .map(|m| Money::new(m, self.currency))
            .ok_or(DomainError::Overflow)
    }

    /// The difference; an error for two currencies or an overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(&other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|m| Money::new(m, self.currency))
            .ok_or(DomainError::Overflow)
    }

    fn same_currency(&self, other: &Money) -> Result<(), DomainError> {
        if self.currency != other.currency {
            return Err(DomainError::CurrencyMismatch {
                left: self.currency.to_string(),
                right: other.currency.to_string(),
            });
        }
        Ok(())
    }

    /// "255.31 元" as Chinese text writes yuan; other currencies as `Display` does.
    pub fn zh_string(&self) -> String {
        if self.currency.as_str() == "CNY" {
            format!("{} 元", self.major_string())
        } else {
            self.to_string()
        }
    }

    /// "12.50" in major units, without the currency.
    pub fn major_string(&self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(exp);
        format!(
            "{sign}{}.{:0w$}",
            abs / scale,
            abs % scale,
            w = exp as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.symbol(), self.major_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_major_units_exactly() {
        assert_eq!(Money::parse_major("12.5", "CNY").unwrap().minor(), 1250);
        assert_eq!(
            Money::parse_major("1,234.05", "cny").unwrap().minor(),
            123405
        );
        assert_eq!(Money::parse_major("100", "JPY").unwrap().minor(), 100);
        assert_eq!(Money::parse_major("-0.01", "CNY").unwrap().minor(), -1);
        assert!(
            Money::parse_major("1.005", "CNY").is_err(),
            "fen is the smallest unit; never round"
        );
        assert!(Money::parse_major("abc", "CNY").is_err());
        assert!(Money::parse_major("", "CNY").is_err());
        assert!(Money::parse_major("1", "YUAN").is_err());
    }

    #[test]
    fn formats_like_a_slip() {
        assert_eq!(Money::cny(123405).to_string(), "RMB 1234.05");
        assert_eq!(Money::cny(-5).major_string(), "-0.05");
        assert_eq!(
            Money::new(300, Currency::new("JPY").unwrap()).major_string(),
            "300"
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let a = Money::cny(100);
        let b = Money::new(100, Currency::EUR);
        assert!(matches!(
            a.checked_add(b),
            Err(DomainError::CurrencyMismatch { .. })
        ));
        assert_eq!(a.checked_sub(Money::cny(40)).unwrap().minor(), 60);
        assert!(Money::cny(i64::MAX).checked_add(Money::cny(1)).is_err());
    }

    proptest! {
        #[test]
        fn major_string_round_trips(minor in -10_000_000_000i64..10_000_000_000i64) {
            let m = Money::cny(minor);
            prop_assert_eq!(Money::parse_major(&m.major_string(), "CNY").unwrap(), m);
        }
    }
}
