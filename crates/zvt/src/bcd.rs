//! Packed BCD: two digits per byte, most significant first.

use crate::ZvtError;

/// The digits of packed BCD as a string ("00001250"). Nibbles above 9 are an error.
pub fn bcd_digits(bytes: &[u8], field: &'static str) -> Result<String, ZvtError> {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for n in [b >> 4, b & 0x0F] {
            if n > 9 {
                return Err(ZvtError::BadBcd { field, byte: b });
            }
            s.push((b'0' + n) as char);
        }
    }
    Ok(s)
}

/// Packed BCD as a number ("00 00 00 01 23 45" → 12345); a nibble above 9 is an error
/// naming `field`.
pub fn bcd_u64(bytes: &[u8], field: &'static str) -> Result<u64, ZvtError> {
    let mut v: u64 = 0;
    for c in bcd_digits(bytes, field)?.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or(ZvtError::BadBcd { field, byte: 0xFF })?;
    }
    Ok(v)
}

/// `value` as `len` bytes of packed BCD, left-padded with zeros; None if it does not fit.
pub fn bcd_encode(value: u64, len: usize) -> Option<Vec<u8>> {
    let digits = format!("{value:0w$}", w = len * 2);
    if digits.len() > len * 2 {
        return None;
    }
    Some(
        digits
            .as_bytes()
            .chunks(2)
            .map(|p| ((p[0] - b'0') << 4) | (p[1] - b'0'))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_in_six_bytes() {
        assert_eq!(bcd_encode(11000, 6).unwrap(), vec![0, 0, 0, 1, 0x10, 0]);
        assert_eq!(bcd_u64(&[0, 0, 0, 0, 0x20, 0x40], "amount").unwrap(), 2040);
        assert!(bcd_encode(1_000_000, 3).is_none());
        assert!(matches!(
            bcd_digits(&[0x1A], "trace"),
            Err(ZvtError::BadBcd {
                field: "trace",
                byte: 0x1A
            })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(v in 0u64..999_999_999_999) {
            prop_assert_eq!(bcd_u64(&bcd_encode(v, 6).unwrap(), "x").unwrap(), v);
        }
    }
}
