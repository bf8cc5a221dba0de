//! Card data out of frames. A terminal may send the full card number (BMP 22), track
//! data (BMP 23, 24, 2D, and EMV tags inside BMP 06) or print it on a slip line; none
//! of it may reach disk. [`mask_card_data`] rewrites a frame so that it keeps its
//! length, its structure and every other byte — it still decodes — while a PAN shows
//! at most its first six and last four digits and track data shows nothing else.
//!
//! Three passes, each safe on bytes that are not what it expects:
//! 1. BMPs: where the APDU's data walks as BMPs (from the offsets ZVT messages put
//!    them at), the card-bearing fields are masked by their format (BCD nibbles become
//!    `E`, the ZVT mark of a masked digit; ASCII digits become `*`).
//! 2. Text: card-like runs of digits anywhere in the data (print lines, text BMPs and
//!    TLV, ASCII or full-width) are masked in place.
//! 3. When no BMP walk fits (an unknown or corrupt frame), packed-BCD runs that read as
//!    a Luhn-valid card number are masked too.

use crate::bmp::bmp_spans;
use slipkeeper_domain::{looks_like_pan, mask_pans_in_bytes};

/// EMV tags that carry a PAN or track data: 5A PAN, 57 track 2 equivalent, 56 track 1,
/// 9F6B track 2 (contactless), 9F1F / 9F20 track 1 / 2 discretionary data.
const CARD_TAGS: [u32; 6] = [0x5A, 0x57, 0x56, 0x9F6B, 0x9F1F, 0x9F20];

/// A frame as it may be stored, and whether anything in it was masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskedFrame {
    /// The frame with card numbers masked (first 6, last 4), length and CRC unchanged.
    pub bytes: Vec<u8>,
    /// Whether any byte was changed.
    pub masked: bool,
}

/// Masks the card data in one stored frame: a bare APDU (TCP), a serial frame
/// (`10 02 … 10 03 CRC`, re-framed with a fresh CRC), or any other bytes (text and
/// BCD scans only).
pub fn mask_card_data(frame: &[u8]) -> MaskedFrame {
    let mut out = frame.to_vec();
    let masked = if frame.starts_with(&[0x10, 0x02]) {
        match crate::serial::deframe(frame) {
            Ok(mut apdu) => {
                let m = mask_apdu(&mut apdu);
                if m {
                    out = crate::serial::frame(&apdu);
                }
                m
            }
            Err(_) => mask_loose(&mut out),
        }
    } else {
        mask_apdu(&mut out)
    };
    MaskedFrame { bytes: out, masked }
}

/// Masks an APDU in place (same length). Returns whether anything changed.
fn mask_apdu(apdu: &mut [u8]) -> bool {
    let start = match apdu.get(2) {
        Some(0xFF) if apdu.len() >= 5 => 5,
        Some(_) => 3,
        None => return mask_loose(apdu),
    };
    // A print line is an attribute byte and text: nothing to walk, no BCD in it.
    let print_line = apdu[..2] == [0x06, 0xD1];
    let data = &mut apdu[start..];
    if print_line {
        return mask_pans_in_bytes(data);
    }
    let mut changed = false;
    let mut walked = false;
    for off in crate::message::BMP_STARTS {
        if off > data.len() {
            break;
        }
        // A walk that does not cover the data exactly is not where the BMPs are.
        if let Ok(fields) = bmp_spans(&data[off..], off) {
            for (id, at) in fields {
                let v = &mut data[off + at.start..off + at.end];
                changed |= match id {
                    0x22 => mask_pan_field(v),
                    0x23 | 0x24 | 0x2D => mask_track(v),
                    0x06 => mask_tlvs(v),
                    _ => false,
                };
            }
            walked = true;
            break;
        }
    }
    changed |= mask_pans_in_bytes(data);
    if !walked {
        changed |= mask_bcd_runs(data);
    }
    changed
}

/// Bytes that are not a frame at all: text and BCD scans.
fn mask_loose(bytes: &mut [u8]) -> bool {
    let a = mask_pans_in_bytes(bytes);
    mask_bcd_runs(bytes) || a
}

/// A BER length at `data[i..]`: (bytes it takes, the length).
fn ber_len(data: &[u8], i: usize) -> Option<(usize, usize)> {
    let l0 = *data.get(i)?;
    match l0 {
        0..=0x7F => Some((1, usize::from(l0))),
        0x81 => Some((2, usize::from(*data.get(i + 1)?))),
        0x82 => Some((
            3,
            usize::from(*data.get(i + 1)?) << 8 | usize::from(*data.get(i + 2)?),
        )),
        _ => None,
    }
}

/// Masks the card tags in a TLV sequence, recursing into containers. A sequence that
/// does not parse is left to the text and BCD scans.
fn mask_tlvs(data: &mut [u8]) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < data.len() {
        let first = data[i];
        let mut tag = u32::from(first);
        i += 1;
        if first & 0x1F == 0x1F {
            loop {
                let Some(&b) = data.get(i) else {
                    return changed | mask_bcd_runs(data);
                };
                if tag > 0x00FF_FFFF {
                    return changed | mask_bcd_runs(data);
                }
                tag = (tag << 8) | u32::from(b);
                i += 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let Some((skip, len)) = ber_len(data, i) else {
            return changed | mask_bcd_runs(data);
        };
        let s = i + skip;
        let Some(e) = s.checked_add(len).filter(|e| *e <= data.len()) else {
            return changed | mask_bcd_runs(data);
        };
        let v = &mut data[s..e];
        changed |= if tag == 0x5A {
            mask_pan_field(v)
        } else if CARD_TAGS.contains(&tag) {
            mask_track(v)
        } else if first & 0x20 != 0 && !matches!(tag, 0xFF40 | 0xFF41 | 0xFF48) {
            mask_tlvs(v)
        } else {
            false
        };
        i = e;
    }
    changed
}

/// How many digits of an `n`-digit card number may show at the front (the last four
/// always show): six, fewer for short numbers so that six stay hidden — the same rule
/// as `MaskedPan`.
pub(crate) fn visible_head(n: usize) -> usize {
    6.min(n.saturating_sub(10))
}

pub(crate) fn is_text(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(|b| (0x20..0x7F).contains(b))
}

/// A PAN field: packed BCD (digits, `E` for masked digits, `F` fill) or, from some
/// terminals, ASCII digits. Shows at most first six and last four.
fn mask_pan_field(v: &mut [u8]) -> bool {
    if is_text(v) {
        return mask_ascii_track(v);
    }
    let mut nib = Nibbles::of(v);
    let digits: Vec<usize> = (0..nib.len())
        .filter(|&k| matches!(nib.get(k), 0..=9 | 0xE))
        .collect();
    let n = digits.len();
    let head = visible_head(n);
    let mut changed = false;
    for &k in digits.iter().take(n.saturating_sub(4)).skip(head) {
        if nib.get(k) != 0xE {
            nib.set(k, 0xE);
            changed = true;
        }
    }
    nib.store(v);
    changed
}

/// Track data (2 in BCD with separator `D`, or 1/2/3 as ASCII): the card number shows at
/// most first six and last four; every digit after it (expiry, service code,
/// discretionary data) is hidden.
fn mask_track(v: &mut [u8]) -> bool {
    if is_text(v) {
        return mask_ascii_track(v);
    }
    let mut nib = Nibbles::of(v);
    let first_sep = (0..nib.len()).find(|&k| nib.get(k) > 9 && nib.get(k) != 0xE);
    let pan_end = first_sep.unwrap_or(nib.len());
    let n = pan_end;
    let head = visible_head(n);
    let mut changed = false;
    for k in 0..nib.len() {
        let x = nib.get(k);
        let hide = if k < pan_end {
            k >= head && k + 4 < n.max(4)
        } else {
            x <= 9
        };
        if hide && x <= 9 {
            nib.set(k, 0xE);
            changed = true;
        }
    }
    nib.store(v);
    changed
}

/// ASCII track or PAN text: the first run of digits is the card number (first six and
/// last four stay); every later digit becomes `*`.
fn mask_ascii_track(v: &mut [u8]) -> bool {
    let Some(s) = v.iter().position(u8::is_ascii_digit) else {
        return false;
    };
    let e = v[s..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(v.len(), |p| s + p);
    let n = e - s;
    let head = visible_head(n);
    let mut changed = false;
    for (k, b) in v.iter_mut().enumerate() {
        let hide = if (s..e).contains(&k) {
            k - s >= head && k - s + 4 < n.max(4)
        } else {
            k >= e
        };
        if hide && b.is_ascii_digit() {
            *b = b'*';
            changed = true;
        }
    }
    changed
}

/// Packed-BCD runs that read as a card number (13–19 digits from a byte boundary,
/// Luhn-valid, starting like a card): the middle digits become `E`. Only for bytes
/// whose structure is unknown.
fn mask_bcd_runs(v: &mut [u8]) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < v.len() {
        // Digits from byte i while both nibbles (or a final F-padded one) are 0–9.
        let mut digits = Vec::with_capacity(20);
        let mut j = i;
        while j < v.len() && digits.len() < 19 {
            let (h, l) = (v[j] >> 4, v[j] & 0x0F);
            if h > 9 {
                break;
            }
            digits.push(h);
            if l > 9 {
                break;
            }
            digits.push(l);
            j += 1;
        }
        // Printable ASCII throughout is text (already scanned as such), not BCD.
        let found = (13..=digits.len().min(19)).rev().find(|&n| {
            looks_like_pan(&digits[..n])
                && !v[i..i + n.div_ceil(2)]
                    .iter()
                    .all(|b| (0x20..0x7F).contains(b))
        });
        match found {
            Some(n) => {
                let mut nib = Nibbles::of(&v[i..]);
                for k in 6..n - 4 {
                    nib.set(k, 0xE);
                }
                nib.store(&mut v[i..]);
                changed = true;
                i += n / 2;
            }
            None => i += 1,
        }
    }
    changed
}

/// Nibbles of a byte slice, high nibble first.
struct Nibbles(Vec<u8>);

impl Nibbles {
    fn of(v: &[u8]) -> Nibbles {
        Nibbles(v.iter().flat_map(|b| [b >> 4, b & 0x0F]).collect())
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, k: usize) -> u8 {
        self.0[k]
    }
    fn set(&mut self, k: usize, x: u8) {
        self.0[k] = x;
    }
    fn store(&self, v: &mut [u8]) {
        for (b, pair) in v.iter_mut().zip(self.0.chunks(2)) {
            *b = pair[0] << 4 | pair.get(1).copied().unwrap_or(*b & 0x0F);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Apdu, Message};

    fn status_with(bmps: &[u8]) -> Vec<u8> {
        let mut data = vec![0x27, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x25, 0x50];
        data.extend_from_slice(bmps);
        Apdu::new(0x04, 0x0F, data).encode().unwrap()
    }

    #[test]
    fn a_full_pan_in_bmp_22_keeps_six_and_four_and_still_decodes() {
        // 22 LL=08: 6228 4800 1234 5678 2F (17 digits, F fill)
        let f = status_with(&[
            0x22, 0xF0, 0xF9, 0x62, 0x28, 0x48, 0x00, 0x12, 0x34, 0x56, 0x78, 0x2F,
        ]);
        let m = mask_card_data(&f);
        assert!(m.masked);
        assert_eq!(m.bytes.len(), f.len());
        let a = Apdu::decode_exact(&m.bytes).unwrap();
        match Message::decode(&a).unwrap() {
            Message::StatusInformation(fields) => {
                assert_eq!(fields.pan.as_deref(), Some("622848*******6782"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn track_2_keeps_nothing_after_the_separator() {
        // 23 LL=13: 4111111111111111 D 2512101 FF
        let f = status_with(&[
            0x23, 0xF1, 0xF3, 0x41, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0xD2, 0x51, 0x21,
            0x01, 0xFF,
        ]);
        let m = mask_card_data(&f);
        assert!(m.masked);
        let hex = hex::encode_upper(&m.bytes);
        assert!(hex.contains("411111EEEEEE1111DEEEEEEEFF"), "{hex}");
    }

    #[test]
    fn a_card_number_in_a_print_line_is_masked_in_place() {
        let mut data = vec![0x00];
        data.extend_from_slice(b"CARD 6228480012345678 2 X");
        let f = Apdu::new(0x06, 0xD1, data).encode().unwrap();
        let m = mask_card_data(&f);
        assert!(m.masked);
        assert_eq!(m.bytes.len(), f.len());
        let text = String::from_utf8_lossy(&m.bytes);
        assert!(text.contains("CARD 622848"), "{text}");
        assert!(!text.contains("0012345"), "{text}");
    }

    #[test]
    fn a_serial_frame_is_reframed_with_a_good_crc() {
        let apdu = status_with(&[
            0x22, 0xF0, 0xF8, 0x41, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        ]);
        let framed = crate::serial::frame(&apdu);
        let m = mask_card_data(&framed);
        assert!(m.masked);
        let back = crate::serial::deframe(&m.bytes).unwrap();
        assert!(hex::encode_upper(&back).contains("411111EEEEEE1111"));
    }

    #[test]
    fn frames_without_card_data_are_unchanged() {
        for f in [
            vec![0x80, 0x00, 0x00],
            status_with(&[0x0B, 0x00, 0x01, 0x23]),
            vec![0x06, 0xD1, 0x05, 0x00, b'H', b'e', b'l', b'o'],
        ] {
            let m = mask_card_data(&f);
            assert!(!m.masked, "{f:02X?}");
            assert_eq!(m.bytes, f);
        }
    }

    #[test]
    fn an_unknown_frame_with_a_bcd_card_number_is_masked() {
        // An unknown BMP (0x99) stops the walk; the BCD PAN is still found.
        let f = [
            0x04, 0x0F, 0x0A, 0x99, 0x62, 0x28, 0x48, 0x00, 0x12, 0x34, 0x56, 0x78, 0x2F,
        ];
        let m = mask_card_data(&f);
        assert!(m.masked);
        assert!(hex::encode_upper(&m.bytes).contains("622848EEEEEEE6782F"));
    }
}
