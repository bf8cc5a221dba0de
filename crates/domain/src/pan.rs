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
    /// The field's name in errors.
    pub const FIELD: &'static str = "pan";

    /// A card number, masked if it is not already (first 6 and last 4 at most); spaces and
    /// dashes are dropped. Refused: under 4 or over 19 characters, other characters, or
    /// the last four hidden.
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

    /// The masked number, e.g. `622588******5678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The first six digits (the issuer's BIN), when the mask keeps them.
    pub fn bin(&self) -> Option<&str> {
        let head = self.0.get(..6)?;
        (self.0.len() >= 16 && head.bytes().all(|b| b.is_ascii_digit())).then_some(head)
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

/// The value of a decimal digit in any script Unicode lists as decimal (`Nd`) that a
/// terminal, a spreadsheet or an input method is likely to produce: ASCII, full-width
/// (６２２８…, what a Chinese input method types), Arabic-Indic, the Indic scripts,
/// Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian and the mathematical digits. Each
/// block runs from its zero to its nine.
pub fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6,
    ];
    let u = c as u32;
    if u < 0x0660 {
        return None;
    }
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&u))
        .map(|&z| (u - z) as u8)
}

/// What may stand between the digit groups of a written card number: spaces of any
/// width, dashes and dots.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '\t' | '\u{00A0}' | '\u{2002}'..='\u{200B}' | '\u{202F}' | '\u{3000}'
            | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' | '\u{FF0E}' | '\u{30FB}'
    )
}

/// At most this many separators in a row still join two digit groups ("6228  4800").
const MAX_SEPARATORS: usize = 3;

/// Whether digit values (0–9 each) are a card number: 13–19 digits, Luhn-valid,
/// starting like a card — 2–6 (Mastercard, Visa, Amex/JCB, UnionPay…) or 9 (older
/// domestic cards, 9558…). RRNs (12 digits) and merchant numbers (15, starting with 1
/// or 8) are left alone so slips stay searchable.
pub fn looks_like_pan(digits: &[u8]) -> bool {
    if !(13..=19).contains(&digits.len()) || !matches!(digits[0], 2..=6 | 9) {
        return false;
    }
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Masks every full card number found in free text: 13–19 digits that
/// [`looks_like_pan`], written in any Unicode decimal digits, with any of the usual
/// separators between groups (several in a row too). The first six and the last four
/// digits stay; the others become `*`. A card number followed by more digit groups (an
/// amount, a date) is still found: every run of whole groups is tried.
pub fn mask_pans_in_text(text: &str) -> String {
    mask_pans(text).into_owned()
}

/// One character of text (or bytes) as the card scanner sees it, with its byte span.
#[derive(Clone, Copy)]
enum Tok {
    Digit(u8),
    Separator,
    Other,
}

/// The byte spans of the digits to hide: of each card number found among `toks`, all
/// but the first six and the last four. Runs are groups of digits joined by up to
/// [`MAX_SEPARATORS`] separators; every run of whole groups is tried, from each group
/// on, and the longest card wins.
fn hidden_spans(toks: &[(Tok, usize, usize)]) -> Vec<(usize, usize)> {
    let mut hide = Vec::new();
    let mut digits: Vec<u8> = Vec::with_capacity(40);
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(40);
    let mut group_starts: Vec<usize> = Vec::new(); // index into `digits` of each group
    let mut i = 0;
    while i < toks.len() {
        if !matches!(toks[i].0, Tok::Digit(_)) {
            i += 1;
            continue;
        }
        digits.clear();
        spans.clear();
        group_starts.clear();
        loop {
            group_starts.push(digits.len());
            while let Some(&(Tok::Digit(v), s, e)) = toks.get(i) {
                digits.push(v);
                spans.push((s, e));
                i += 1;
            }
            let mut j = i;
            while j - i < MAX_SEPARATORS && matches!(toks.get(j), Some((Tok::Separator, _, _))) {
                j += 1;
            }
            match toks.get(j) {
                Some((Tok::Digit(_), _, _)) if j > i => i = j,
                _ => break,
            }
        }
        let mut gi = 0;
        while gi < group_starts.len() {
            let from = group_starts[gi];
            let mut best = None;
            for gj in gi..group_starts.len() {
                let to = group_starts.get(gj + 1).copied().unwrap_or(digits.len());
                if to - from > 19 {
                    break;
                }
                if looks_like_pan(&digits[from..to]) {
                    best = Some((gj, to));
                }
            }
            match best {
                Some((gj, to)) => {
                    hide.extend_from_slice(&spans[from + 6..to - 4]);
                    gi = gj + 1;
                }
                None => gi += 1,
            }
        }
    }
    hide
}

/// An upper bound of the decimal digits in UTF-8 text, counted by bytes: ASCII digits,
/// and the lead bytes of the blocks that hold other digits (Arabic, Indic and South-east
/// Asian scripts, full-width forms, mathematical digits). Chinese characters lead with
/// E4–E9 and are not counted, so a slip line of Chinese text with a date costs a byte
/// scan, not a decode.
fn digit_candidates(b: &[u8]) -> usize {
    b.iter()
        .enumerate()
        .filter(|&(i, &x)| match x {
            b'0'..=b'9' | 0xD9 | 0xDB | 0xDF | 0xE0 | 0xE1 | 0xEA | 0xF0 => true,
            // Full-width digits are EF BC 90–99.
            0xEF => b.get(i + 1) == Some(&0xBC),
            _ => false,
        })
        .count()
}

/// A byte that may start a non-ASCII decimal digit in UTF-8 (see `digit_candidates`).
fn could_lead_a_digit(b: u8) -> bool {
    matches!(b, 0xD9 | 0xDB | 0xDF | 0xE0 | 0xE1 | 0xEA | 0xEF | 0xF0)
}

/// Whether ASCII text has a run of digit groups in which 13 or more digits follow the
/// start of a group that begins like a card (2–6 or 9) — the least a card needs.
fn ascii_card_run(b: &[u8]) -> bool {
    // Generous on purpose (a filter may let through, never hold back): any non-ASCII
    // byte may be part of a separator, up to the bytes of MAX_SEPARATORS of them.
    let sep = |c: u8| matches!(c, b' ' | b'-' | b'.' | b'\t') || c >= 0x80;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // One run from here.
        let mut digits = 0usize;
        let mut from: Option<usize> = None; // digits before the first card-like group
        loop {
            if matches!(b[i], b'2'..=b'6' | b'9') && from.is_none() {
                from = Some(digits);
            }
            while i < b.len() && b[i].is_ascii_digit() {
                digits += 1;
                i += 1;
            }
            let mut j = i;
            while j < b.len() && j - i < MAX_SEPARATORS * 4 && sep(b[j]) {
                j += 1;
            }
            if j > i && j < b.len() && b[j].is_ascii_digit() {
                i = j;
            } else {
                break;
            }
        }
        if from.is_some_and(|f| digits - f >= 13) {
            return true;
        }
    }
    false
}

/// [`mask_pans_in_text`] without a copy when there is nothing to mask — nearly every
/// slip line, which the journal checks on every write.
pub fn mask_pans(text: &str) -> std::borrow::Cow<'_, str> {
    // Nearly every slip line is settled here, by byte passes simple enough for the
    // compiler to vectorise, before any decoding.
    let bytes = text.as_bytes();
    // One pass: ASCII digits, and bytes that may lead another digit (each non-ASCII
    // digit has exactly one, so their count bounds those digits from above).
    let (mut ascii, mut leads) = (0usize, 0usize);
    for &b in bytes {
        ascii += usize::from(b.is_ascii_digit());
        leads += usize::from(could_lead_a_digit(b));
    }
    if ascii + leads < 13 {
        return std::borrow::Cow::Borrowed(text);
    }
    let others = if leads > 0 {
        digit_candidates(bytes) - ascii
    } else {
        0
    };
    if ascii + others < 13 {
        return std::borrow::Cow::Borrowed(text);
    }
    // Only ASCII digits: one more pass settles most of the rest (a date and time, a
    // merchant number).
    if others == 0 && !ascii_card_run(bytes) {
        return std::borrow::Cow::Borrowed(text);
    }
    mask_decoded(text)
}

/// The full scan, over decoded characters, without the byte filters in front of it.
fn mask_decoded(text: &str) -> std::borrow::Cow<'_, str> {
    let toks: Vec<(Tok, usize, usize)> = text
        .char_indices()
        .map(|(i, c)| {
            let t = match digit_value(c) {
                Some(v) => Tok::Digit(v),
                None if is_separator(c) => Tok::Separator,
                None => Tok::Other,
            };
            (t, i, i + c.len_utf8())
        })
        .collect();
    let hide = hidden_spans(&toks);
    if hide.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (s, e) in hide {
        out.push_str(&text[copied..s]);
        out.push('*');
        copied = e;
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Masks card numbers written as text inside bytes whose encoding is not known (a
/// terminal's print line, a field of a frame), in place and keeping every byte where
/// it is, so the bytes still parse as before. Digits are read as ASCII, as full-width
/// digits in GB18030 (`A3 B0`–`A3 B9`) and in UTF-8 (`EF BC 90`–`EF BC 99`); a hidden
/// digit becomes `*`, or the full-width asterisk of its own encoding (same length).
/// Returns whether anything was masked.
pub fn mask_pans_in_bytes(bytes: &mut [u8]) -> bool {
    // ASCII digits, and the lead bytes of full-width digits (GB18030 A3, UTF-8 EF).
    if bytes
        .iter()
        .filter(|b| b.is_ascii_digit() || matches!(**b, 0xA3 | 0xEF))
        .nth(12)
        .is_none()
    {
        return false;
    }
    let mut toks = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (t, n) = match b {
            b'0'..=b'9' => (Tok::Digit(b - b'0'), 1),
            b' ' | b'-' | b'.' | b'\t' => (Tok::Separator, 1),
            0xA3 if matches!(bytes.get(i + 1), Some(0xB0..=0xB9)) => {
                (Tok::Digit(bytes[i + 1] - 0xB0), 2)
            }
            0xA1 if bytes.get(i + 1) == Some(&0xA1) => (Tok::Separator, 2), // GB
            0xEF if bytes.get(i + 1) == Some(&0xBC)
                && matches!(bytes.get(i + 2), Some(0x90..=0x99)) =>
            {
                (Tok::Digit(bytes[i + 2] - 0x90), 3)
            }
            0xE3 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0x80) => {
                (Tok::Separator, 3) // UTF-8
            }
            _ => (Tok::Other, 1),
        };
        toks.push((t, i, i + n));
        i += n;
    }
    let hide = hidden_spans(&toks);
    for &(s, e) in &hide {
        match e - s {
            2 => bytes[s + 1] = 0xAA, // GB18030 ＊ is A3 AA
            3 => bytes[s..e].copy_from_slice(&[0xEF, 0xBC, 0x8A]), // UTF-8 ＊
            _ => bytes[s] = b'*',
        }
    }
    !hide.is_empty()
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

    // The forms a hostile or careless input uses to slip a card number past a
    // scanner that only knows ASCII digits with single separators.
    #[test]
    fn every_written_form_of_a_card_number_is_masked() {
        let cases = [
            // full-width digits, as a Chinese input method types them
            (
                "卡号：６２２８４８００１２３４５６７８２",
                "卡号：６２２８４８*******６７８２",
            ),
            // groups separated by two spaces, or by ideographic spaces
            ("6228  4800 1234 5678 2", "6228  48** **** *678 2"),
            (
                "6228\u{3000}4800\u{3000}1234\u{3000}56782",
                "6228\u{3000}48**\u{3000}****\u{3000}*6782",
            ),
            // a 9-prefixed domestic card (Luhn-valid)
            ("9558801234567890128", "955880*********0128"),
            // a card followed by an amount in the same run of digit groups
            ("4111 1111 1111 1111 255", "4111 11** **** 1111 255"),
            // dots and dashes of other widths
            ("4111.1111.1111.1111", "4111.11**.****.1111"),
            ("4111－1111－1111－1111", "4111－11**－****－1111"),
        ];
        for (text, want) in cases {
            assert_eq!(mask_pans_in_text(text), want, "{text}");
        }
        assert!(looks_like_pan(&[
            6, 2, 2, 8, 4, 8, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 2
        ]));
    }

    #[test]
    fn numbers_that_are_not_cards_stay() {
        for t in [
            "2026-12-03 13:45:12 参考号 123456789012",
            "商户号 898310048990001 终端号 12345678",
            "金额 AMT RMB 1,234.56",
            "9558801234567890127", // Luhn fails
            "1558801234567890127", // starts with 1
        ] {
            assert_eq!(mask_pans_in_text(t), t);
        }
    }

    #[test]
    fn digit_values_cover_other_scripts() {
        assert_eq!(digit_value('７'), Some(7));
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('९'), Some(9));
        assert_eq!(digit_value('a'), None);
        assert_eq!(digit_value('²'), None);
    }

    // The byte filters in front of the scan only ever skip text the scan would leave
    // alone.
    proptest::proptest! {
        #[test]
        fn the_filters_never_hide_a_card(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("4111".to_owned()),
                proptest::strategy::Just("6228".to_owned()),
                proptest::strategy::Just("9558".to_owned()),
                "[0-9]{1,6}",
                proptest::strategy::Just(" ".to_owned()),
                proptest::strategy::Just("  ".to_owned()),
                proptest::strategy::Just("-".to_owned()),
                proptest::strategy::Just("\u{3000}".to_owned()),
                proptest::strategy::Just("中".to_owned()),
                proptest::strategy::Just("６".to_owned()),
                proptest::strategy::Just(":".to_owned()),
            ],
            0..24,
        )) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(mask_pans(&text), mask_decoded(&text));
        }
    }
}
