//! Identifiers printed on a slip. Each is a checked string: the journal's unique keys
//! and the shop owner's searches both rely on one canonical spelling per value
//! (e.g. 凭证号 "42" and "000042" are the same voucher).

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy)]
enum Charset {
    Digits,
    Alnum,
}

fn check(
    field: &'static str,
    raw: &str,
    charset: Charset,
    max: usize,
    pad_to: usize,
) -> Result<String, DomainError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(DomainError::invalid(field, raw, "must not be empty"));
    }
    if s.len() > max {
        return Err(DomainError::invalid(field, raw, "too long"));
    }
    let ok = match charset {
        Charset::Digits => s.bytes().all(|b| b.is_ascii_digit()),
        Charset::Alnum => s.bytes().all(|b| b.is_ascii_alphanumeric()),
    };
    if !ok {
        let reason = match charset {
            Charset::Digits => "only digits allowed",
            Charset::Alnum => "only letters and digits allowed",
        };
        return Err(DomainError::invalid(field, raw, reason));
    }
    let s = s.to_ascii_uppercase();
    Ok(if s.len() < pad_to {
        format!("{s:0>pad_to$}")
    } else {
        s
    })
}

macro_rules! ident {
    ($(#[$doc:meta])* $name:ident, $field:literal, $charset:expr, max = $max:literal, pad = $pad:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
        #[serde(try_from = "String", into = "String")]
        #[ts(type = "string")]
        pub struct $name(String);

        impl $name {
            /// The field's name in errors (import file:line:field, forms).
            pub const FIELD: &'static str = $field;

            /// Checks `raw` against the field's characters and length (and pads it
            /// where the field is zero-padded).
            pub fn new(raw: &str) -> Result<Self, DomainError> {
                check($field, raw, $charset, $max, $pad).map(Self)
            }

            /// The value as stored and printed.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, DomainError> {
                Self::new(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                Self::new(s)
            }
        }
    };
}

ident!(
    /// 终端号 TERMINAL NO. (UnionPay: 8 characters; ZVT terminal id: 8 digits).
    TerminalId, "terminal_id", Charset::Alnum, max = 16, pad = 0
);
ident!(
    /// 商户号 MERCHANT NO. (UnionPay: 15 digits; ZVT VU number: 15 characters).
    MerchantId, "merchant_id", Charset::Alnum, max = 20, pad = 0
);
ident!(
    /// 批次号 BATCH NO.: six digits, zero-padded.
    BatchNo, "batch_no", Charset::Digits, max = 6, pad = 6
);
ident!(
    /// 凭证号 VOUCHER NO. / trace number: six digits, zero-padded. On UnionPay slips the
    /// voucher number is the terminal's trace number, so [`VoucherNo`] is the same type.
    TraceNo, "trace_no", Charset::Digits, max = 6, pad = 6
);
ident!(
    /// Receipt number of the terminal (ZVT BMP 87: four BCD digits).
    ReceiptNo, "receipt_no", Charset::Digits, max = 6, pad = 4
);
ident!(
    /// 参考号 REF NO. / retrieval reference number (ISO 8583 field 37: 12 characters).
    Rrn, "rrn", Charset::Alnum, max = 12, pad = 0
);
ident!(
    /// 授权码 AUTH NO. (ISO 8583 field 38: 6 characters; some hosts send up to 8).
    AuthCode, "auth_code", Charset::Alnum, max = 8, pad = 0
);
ident!(
    /// 操作员号 OPERATOR NO.
    OperatorNo, "operator_no", Charset::Digits, max = 4, pad = 2
);

/// 凭证号: the number printed as VOUCHER NO. is the terminal's trace number.
pub type VoucherNo = TraceNo;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_to_one_spelling() {
        assert_eq!(TraceNo::new("42").unwrap(), TraceNo::new("000042").unwrap());
        assert_eq!(BatchNo::new(" 7 ").unwrap().as_str(), "000007");
        assert_eq!(ReceiptNo::new("12").unwrap().as_str(), "0012");
    }

    #[test]
    fn bad_values_name_their_field() {
        let e = TraceNo::new("12a").unwrap_err();
        assert_eq!(e.field(), Some("trace_no"));
        assert!(
            TraceNo::new("1234567").is_err(),
            "trace numbers have six digits at most"
        );
        assert!(Rrn::new("").is_err());
        assert!(AuthCode::new("AB-123").is_err());
    }

    #[test]
    fn alnum_ids_are_uppercased() {
        assert_eq!(AuthCode::new("ab12cd").unwrap().as_str(), "AB12CD");
    }

    #[test]
    fn serde_goes_through_the_checks() {
        let t: TraceNo = serde_json::from_str("\"5\"").unwrap();
        assert_eq!(t.as_str(), "000005");
        assert!(serde_json::from_str::<TraceNo>("\"x\"").is_err());
    }
}
