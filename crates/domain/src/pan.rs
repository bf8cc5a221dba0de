//! Card numbers. Slipkeeper never stores a full PAN: [`MaskedPan`] can only be built
//! masked, and [`mask_pans_in_text`] scrubs free text (slip lines, logs) on the way in.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A card number with at most the first six and the last four digits visible,
/// e.g. `622588******5678`. Built from a full or an already-masked number; either
/// way the result shows no more than a slip may print.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct MaskedPan(String);

fn is_mask(c: char) -> bool {
    matches!(c, '*' | 'X' | 'x' | '#')
}

impl MaskedPan {
    pub const FIELD: &'static str = "pan";

    pub fn new(raw: &str) -> Result<Self, DomainError> {
        let chars: Vec<char> = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if chars.len() < 4 || chars.len() > 19 {
            return Err(DomainError::invalid(
                Self::FIELD,
                redact(raw),
                "a card number has 4 to 19 characters",
            ));
        }
        if !chars.iter().all(|c| c.is_ascii_digit() || is_mask(*c)) {
            return Err(DomainError::invalid(
                Self::FIELD,
                redact(raw),
                "only digits and * allowed",
            ));
        }
        let n = chars.len();
        if !chars[n - 4..].iter().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::invalid(
                Self::FIELD,
                redact(raw),
                "the last four digits must be visible",
            ));
        }
        // PCI DSS allows first six + last four. Short numbers keep at least six
        // digits hidden, so a 12-digit number shows 2 + 4 and nothing less is masked.
        let head = 6.min(n.saturating_sub(10));
        let masked: String = chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < head || i >= n - 4 {
                    if is_mask(*c) {
                        '*'
                    } else {
                        *c
                    }
                } else {
                    '*'
                }
            })
            .collect();
        Ok(MaskedPan(masked))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

/// Never echo a full card number back in an error message.
fn redact(raw: &str) -> String {
    let digits = raw.chars().filter(|c| c.is_ascii_digit()).count();
    if digits > 10 {
        format!("<{} characters>", raw.chars().count())
    } else {
        raw.to_owned()
    }
}

impl TryFrom<String> for MaskedPan {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        MaskedPan::new(&s)
    }
}
impl From<MaskedPan> for String {
    fn from(p: MaskedPan) -> String {
        p.0
    }
}
impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedPan({})", self.0)
    }
}

fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// Masks every full card number found in free text: a run of 13–19 digits (spaces or
/// dashes allowed between groups) that passes the Luhn check and starts like a card
/// (2–6: Mastercard, Visa, Amex/JCB, UnionPay…). RRNs (12 digits) and merchant numbers
/// (usually starting with 1 or 8) are left alone so slips stay searchable.
pub fn mask_pans_in_text(text: &str) -> String {
    mask_pans(text).into_owned()
}

/// [`mask_pans_in_text`] without a copy when there is nothing to mask — nearly every
/// slip line, which the journal checks on every write.
pub fn mask_pans(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // Collect a run of digits with single separators between them; only the
        // first 19 are kept, as a longer run is no card number.
        let start = i;
        let mut end = i;
        let mut digits = [0u8; 19];
        let mut n = 0usize;
        let mut j = i;
        while j < bytes.len() {
            let b = bytes[j];
            if b.is_ascii_digit() {
                if n < digits.len() {
                    digits[n] = b;
                }
                n += 1;
                end = j + 1;
                j += 1;
            } else if (b == b' ' || b == b'-')
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_digit()
                && n < 19
            {
                j += 1;
            } else {
                break;
            }
        }
        if (13..=19).contains(&n) && (b'2'..=b'6').contains(&digits[0]) && luhn_ok(&digits[..n]) {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..start]);
            let mut seen = 0;
            for &b in &bytes[start..end] {
                if b.is_ascii_digit() {
                    let visible = seen < 6 || seen >= n - 4;
                    out.push(if visible { b as char } else { '*' });
                    seen += 1;
                } else {
                    out.push(b as char);
                }
            }
            copied = end;
        }
        i = end.max(i + 1);
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            std::borrow::Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_pan_is_masked_on_construction() {
        let p = MaskedPan::new("6225 8802 1234 5678").unwrap();
        assert_eq!(p.as_str(), "622588******5678");
        assert_eq!(p.last4(), "5678");
        let p19 = MaskedPan::new("6212345678901234567").unwrap();
        assert_eq!(p19.as_str(), "621234*********4567");
    }

    #[test]
    fn masked_input_is_kept_masked_and_never_unmasked() {
        assert_eq!(
            MaskedPan::new("622588******5678").unwrap().as_str(),
            "622588******5678"
        );
        assert_eq!(
            MaskedPan::new("XXXXXXXXXXXX5678").unwrap().as_str(),
            "************5678"
        );
        assert_eq!(MaskedPan::new("****5678").unwrap().as_str(), "****5678");
        // Too many digits shown in the middle are masked again.
        assert_eq!(
            MaskedPan::new("6225880212**5678").unwrap().as_str(),
            "622588******5678"
        );
    }

    #[test]
    fn short_numbers_keep_six_digits_hidden() {
        assert_eq!(
            MaskedPan::new("123456789012").unwrap().as_str(),
            "12******9012"
        );
    }

    #[test]
    fn bad_pans_are_refused_without_echoing_them() {
        let e = MaskedPan::new("6225880212345678ABC").unwrap_err();
        assert!(!e.to_string().contains("6225880212345678"), "{e}");
        assert!(MaskedPan::new("62258802123456**").is_err());
        assert!(MaskedPan::new("123").is_err());
    }

    #[test]
    fn text_scrubbing_masks_cards_but_not_references() {
        let t =
            "卡号 CARD NO.: 6225880212345673 参考号 REF NO.: 123456789012 商户号 898310048990001";
        let m = mask_pans_in_text(t);
        assert!(m.contains("622588******5673"), "{m}");
        assert!(
            m.contains("123456789012"),
            "RRNs are 12 digits, not cards: {m}"
        );
        assert!(
            m.contains("898310048990001"),
            "merchant numbers start with 8: {m}"
        );
        let spaced = mask_pans_in_text("4111 1111 1111 1111.");
        assert_eq!(spaced, "4111 11** **** 1111.");
        // Luhn failure: not a card.
        assert_eq!(mask_pans_in_text("6225880212345678"), "6225880212345678");
    }

    #[test]
    fn text_without_a_card_is_borrowed_unchanged() {
        use std::borrow::Cow;
        for t in [
            "参考号 REF NO.: 123456789012",
            "6225880212345678",
            "digits 12345678901234567890123 too long",
            "",
        ] {
            assert!(matches!(mask_pans(t), Cow::Borrowed(x) if x == t), "{t}");
        }
        assert!(
            matches!(mask_pans("x 4111111111111111 y"), Cow::Owned(m) if m == "x 411111******1111 y")
        );
        // A run longer than 19 digits is not a card, however it ends.
        assert_eq!(
            mask_pans("41111111111111111110000"),
            "41111111111111111110000"
        );
    }
}
