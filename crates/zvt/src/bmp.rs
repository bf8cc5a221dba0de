//! BMPs: one id byte, then a value whose length the id implies (fixed, LLVAR, LLLVAR,
//! or a BER-TLV container for 06). An unknown id ends the parse: nothing after it can
//! be located.

use crate::tlv::{encode_len, parse_tlvs, Tlv};
use crate::{bcd_digits, bcd_u64, ZvtError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Fixed(usize),
    LlVar,
    LllVar,
    Tlv,
}

fn rule(id: u8) -> Option<Rule> {
    use Rule::*;
    Some(match id {
        0x01 | 0x02 | 0x03 | 0x05 | 0x19 | 0x27 | 0x8A | 0x8C | 0xA0 | 0xD0 | 0xD2 | 0xD3
        | 0xE0 | 0xE9 | 0xEA | 0xF0 | 0xF9 | 0xFA | 0xFB | 0xFC | 0xFD | 0x74 | 0x75 => Fixed(1),
        0x0D | 0x0E | 0x17 | 0x3A | 0x49 | 0x87 => Fixed(2),
        0x0B | 0x0C | 0x37 | 0x3D | 0x88 | 0xAA => Fixed(3),
        0x29 | 0x70 | 0x71 => Fixed(4),
        0xBA => Fixed(5),
        0x04 => Fixed(6),
        0x3B | 0xEB => Fixed(8),
        0x2A => Fixed(15),
        0x72 | 0x73 => Fixed(1),
        0x22 | 0x23 | 0x2D | 0x8B | 0xA7 | 0xD1 | 0xE1..=0xE8 | 0xF1..=0xF8 => LlVar,
        0x24 | 0x2E | 0x3C | 0x60 | 0x92 | 0x9A | 0xAF => LllVar,
        0x06 => Tlv,
        _ => return None,
    })
}

/// One BMP: its id and its value bytes (without the length prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bmp {
    /// The BMP's number (e.g. 04 amount, 0B trace number).
    pub id: u8,
    /// Its value bytes.
    pub value: Vec<u8>,
}

fn var_len(data: &[u8], digits: usize, id: u8, offset: usize) -> Result<usize, ZvtError> {
    let bytes = data.get(..digits).ok_or_else(|| ZvtError::BadBmp {
        bmp: id,
        offset,
        reason: "length cut short".into(),
    })?;
    let mut n = 0;
    for &b in bytes {
        if b >> 4 != 0xF || b & 0x0F > 9 {
            return Err(ZvtError::BadBmp {
                bmp: id,
                offset,
                reason: format!("length byte {b:02X} is not of the form F0–F9"),
            });
        }
        n = n * 10 + usize::from(b & 0x0F);
    }
    Ok(n)
}

/// Parses BMPs from `data`; `base` is its offset in the APDU data, for errors.
pub fn parse_bmps(data: &[u8], base: usize) -> Result<Vec<Bmp>, ZvtError> {
    Ok(bmp_spans(data, base)?
        .into_iter()
        .map(|(id, at)| Bmp {
            id,
            value: data[at].to_vec(),
        })
        .collect())
}

/// Where the BMPs of `data` are: each id with the range of its value in `data` (the
/// card-data masker rewrites values in place).
pub(crate) fn bmp_spans(
    data: &[u8],
    base: usize,
) -> Result<Vec<(u8, std::ops::Range<usize>)>, ZvtError> {
    match bmp_walk(data, base) {
        (spans, None) => Ok(spans),
        (_, Some(e)) => Err(e),
    }
}

/// As far as the BMPs of `data` can be walked: the spans found, and why the walk
/// stopped early, if it did (the decoder shows what it could read and the rest raw).
pub(crate) fn bmp_walk(
    data: &[u8],
    base: usize,
) -> (Vec<(u8, std::ops::Range<usize>)>, Option<ZvtError>) {
    let mut out = Vec::new();
    match walk_into(data, base, &mut out) {
        Ok(()) => (out, None),
        Err(e) => (out, Some(e)),
    }
}

fn walk_into(
    data: &[u8],
    base: usize,
    out: &mut Vec<(u8, std::ops::Range<usize>)>,
) -> Result<(), ZvtError> {
    let mut i = 0;
    while i < data.len() {
        let id = data[i];
        let offset = base + i;
        let rule = rule(id).ok_or(ZvtError::UnknownBmp { bmp: id, offset })?;
        i += 1;
        let rest = &data[i..];
        let (skip, len) = match rule {
            Rule::Fixed(n) => (0, n),
            Rule::LlVar => (2, var_len(rest, 2, id, offset)?),
            Rule::LllVar => (3, var_len(rest, 3, id, offset)?),
            Rule::Tlv => {
                // A BER length follows the 06.
                let l0 = *rest.first().ok_or_else(|| ZvtError::BadBmp {
                    bmp: id,
                    offset,
                    reason: "length missing".into(),
                })?;
                match l0 {
                    0..=0x7F => (1, usize::from(l0)),
                    0x81 if rest.len() >= 2 => (2, usize::from(rest[1])),
                    0x82 if rest.len() >= 3 => {
                        (3, usize::from(rest[1]) << 8 | usize::from(rest[2]))
                    }
                    _ => {
                        return Err(ZvtError::BadBmp {
                            bmp: id,
                            offset,
                            reason: format!("bad TLV length {l0:02X}"),
                        })
                    }
                }
            }
        };
        if rest.get(skip..skip + len).is_none() {
            return Err(ZvtError::BadBmp {
                bmp: id,
                offset,
                reason: format!(
                    "needs {len} bytes, {} left",
                    rest.len().saturating_sub(skip)
                ),
            });
        }
        out.push((id, i + skip..i + skip + len));
        i += skip + len;
    }
    Ok(())
}

/// Encodes BMPs; variable lengths get their F-digit or BER prefix.
pub fn encode_bmps(bmps: &[Bmp]) -> Result<Vec<u8>, ZvtError> {
    let mut out = Vec::new();
    for b in bmps {
        let bad = |reason: String| ZvtError::BadBmp {
            bmp: b.id,
            offset: out.len(),
            reason,
        };
        let r = rule(b.id).ok_or(ZvtError::UnknownBmp {
            bmp: b.id,
            offset: out.len(),
        })?;
        let mut head = vec![b.id];
        match r {
            Rule::Fixed(n) if n != b.value.len() => {
                return Err(bad(format!(
                    "value must be {n} bytes, is {}",
                    b.value.len()
                )))
            }
            Rule::Fixed(_) => {}
            Rule::LlVar | Rule::LllVar => {
                let digits = if r == Rule::LlVar { 2 } else { 3 };
                let n = b.value.len();
                if n >= 10usize.pow(digits) {
                    return Err(bad(format!("value of {n} bytes is too long")));
                }
                let s = format!("{n:0w$}", w = digits as usize);
                head.extend(s.bytes().map(|d| 0xF0 | (d - b'0')));
            }
            Rule::Tlv => encode_len(b.value.len(), &mut head),
        }
        out.extend(head);
        out.extend(&b.value);
    }
    Ok(out)
}

/// The BMP fields of a transaction message (04 0F, 06 1E, 06 01 …), decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// BMP 04: amount in minor units.
    pub amount: Option<u64>,
    /// BMP 0B.
    pub trace: Option<u32>,
    /// BMP 0C: "HHMMSS".
    pub time: Option<String>,
    /// BMP 0D: "MMDD".
    pub date: Option<String>,
    /// BMP 0E: "YYMM".
    pub expiry: Option<String>,
    /// BMP 17.
    pub card_sequence: Option<u16>,
    /// BMP 19: payment type / status byte / card type, depending on the message.
    pub byte_19: Option<u8>,
    /// BMP 22: PAN digits with masked digits as '*' (terminals send nibble E).
    pub pan: Option<String>,
    /// BMP 27.
    pub result_code: Option<u8>,
    /// BMP 29: 8 digits.
    pub terminal_id: Option<String>,
    /// BMP 2A: VU (merchant) number, trailing spaces removed.
    pub vu_number: Option<String>,
    /// BMP 37: trace number of the original transaction.
    pub original_trace: Option<u32>,
    /// BMP 3B: AID / authorisation attribute, trailing NULs removed.
    pub aid: Option<String>,
    /// BMP 3C: additional text (raw bytes; decode with the negotiated charset).
    pub additional_text: Option<Vec<u8>>,
    /// BMP 3D: password digits.
    pub password: Option<String>,
    /// BMP 49: ISO 4217 numeric currency.
    pub currency: Option<u16>,
    /// BMP 60: individual totals (raw).
    pub totals: Option<Vec<u8>>,
    /// BMP 87: receipt number; None for `FF FF` ("none / all").
    pub receipt_no: Option<u16>,
    /// BMP 87 was `FF FF`.
    pub receipt_no_none: bool,
    /// BMP 88.
    pub turnover_no: Option<u32>,
    /// BMP 8A: ZVT card type number.
    pub card_type: Option<u8>,
    /// BMP 8B: card name (raw bytes, trailing NULs removed).
    pub card_name: Option<Vec<u8>>,
    /// BMP 8C.
    pub card_type_id: Option<u8>,
    /// BMP 06.
    pub tlv: Vec<Tlv>,
    /// Every BMP as received, including those not decoded above.
    pub raw: Vec<Bmp>,
}

fn trim_end(mut v: Vec<u8>, pad: u8) -> Vec<u8> {
    while v.last() == Some(&pad) {
        v.pop();
    }
    v
}

impl Fields {
    /// Decodes the BMPs in `data` (which starts at `base` in the APDU data).
    pub fn parse(data: &[u8], base: usize) -> Result<Fields, ZvtError> {
        let bmps = parse_bmps(data, base)?;
        let mut f = Fields::default();
        let mut at = base;
        for b in &bmps {
            let v = &b.value;
            let bad = |e: ZvtError| match e {
                ZvtError::BadBcd { byte, .. } => ZvtError::BadBmp {
                    bmp: b.id,
                    offset: at,
                    reason: format!("byte {byte:02X} is not BCD"),
                },
                other => other,
            };
            match b.id {
                0x04 => f.amount = Some(bcd_u64(v, "amount").map_err(bad)?),
                0x0B => f.trace = Some(bcd_u64(v, "trace").map_err(bad)? as u32),
                0x0C => f.time = Some(bcd_digits(v, "time").map_err(bad)?),
                0x0D => f.date = Some(bcd_digits(v, "date").map_err(bad)?),
                // `99 99` and other non-dates stay as digits; F-padding is tolerated.
                0x0E => f.expiry = bcd_digits(v, "expiry").ok(),
                0x17 => f.card_sequence = bcd_u64(v, "card sequence").ok().map(|x| x as u16),
                0x19 => f.byte_19 = Some(v[0]),
                0x22 => f.pan = Some(pan_digits(v)),
                0x27 => f.result_code = Some(v[0]),
                0x29 => f.terminal_id = Some(bcd_digits(v, "terminal id").map_err(bad)?),
                0x2A => {
                    f.vu_number =
                        Some(String::from_utf8_lossy(&trim_end(v.clone(), b' ')).into_owned())
                }
                0x37 => f.original_trace = Some(bcd_u64(v, "original trace").map_err(bad)? as u32),
                0x3B => f.aid = Some(String::from_utf8_lossy(&trim_end(v.clone(), 0)).into_owned()),
                0x3C => f.additional_text = Some(v.clone()),
                0x3D => f.password = Some(bcd_digits(v, "password").map_err(bad)?),
                0x49 => f.currency = Some(bcd_u64(v, "currency").map_err(bad)? as u16),
                0x60 => f.totals = Some(v.clone()),
                0x87 if v[..] == [0xFF, 0xFF] => f.receipt_no_none = true,
                0x87 => f.receipt_no = Some(bcd_u64(v, "receipt no").map_err(bad)? as u16),
                0x88 => f.turnover_no = Some(bcd_u64(v, "turnover no").map_err(bad)? as u32),
                0x8A => f.card_type = Some(v[0]),
                0x8B => f.card_name = Some(trim_end(v.clone(), 0)),
                0x8C => f.card_type_id = Some(v[0]),
                0x06 => f.tlv.extend(parse_tlvs(v, at + 1)?),
                _ => {}
            }
            at += 1 + v.len();
        }
        f.raw = bmps;
        Ok(f)
    }

    /// The text lines (TLV 07) inside any container, e.g. display texts in 24.
    pub fn text_lines(&self) -> Vec<&[u8]> {
        let mut found = Vec::new();
        Tlv::find_all(&self.tlv, 0x07, &mut found);
        found.into_iter().filter_map(|t| t.bytes()).collect()
    }
}

/// PAN nibbles as text: digits, 'E' (masked) as '*', 'F' padding dropped.
fn pan_digits(v: &[u8]) -> String {
    let mut s = String::new();
    for b in v {
        for n in [b >> 4, b & 0x0F] {
            match n {
                0..=9 => s.push((b'0' + n) as char),
                0xE => s.push('*'),
                _ => {}
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llvar_and_lllvar_lengths_are_f_digits() {
        let b = parse_bmps(
            &[
                0x22, 0xF0, 0xF8, 0x55, 0x98, 0x83, 0xEE, 0xEE, 0xEE, 0x80, 0x74,
            ],
            0,
        )
        .unwrap();
        assert_eq!(b[0].value.len(), 8);
        let f = Fields::parse(
            &[
                0x22, 0xF0, 0xF8, 0x55, 0x98, 0x83, 0xEE, 0xEE, 0xEE, 0x80, 0x74,
            ],
            0,
        )
        .unwrap();
        assert_eq!(f.pan.as_deref(), Some("559883******8074"));
        let e = parse_bmps(&[0x3C, 0xF0, 0xA1, 0xF0], 0).unwrap_err();
        assert!(
            matches!(
                e,
                ZvtError::BadBmp {
                    bmp: 0x3C,
                    offset: 0,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_bmp_is_named_with_its_offset() {
        let e = parse_bmps(&[0x27, 0x00, 0x5F, 0x01], 0).unwrap_err();
        assert_eq!(
            e,
            ZvtError::UnknownBmp {
                bmp: 0x5F,
                offset: 2
            }
        );
    }

    #[test]
    fn receipt_ffff_means_none() {
        let f = Fields::parse(&[0x87, 0xFF, 0xFF], 0).unwrap();
        assert!(f.receipt_no_none);
        assert_eq!(f.receipt_no, None);
    }

    #[test]
    fn encode_round_trips_and_checks_fixed_lengths() {
        let bmps = vec![
            Bmp {
                id: 0x04,
                value: vec![0, 0, 0, 0, 0x10, 0],
            },
            Bmp {
                id: 0x3C,
                value: b"hello".to_vec(),
            },
            Bmp {
                id: 0x06,
                value: vec![0x07; 200],
            },
        ];
        let bytes = encode_bmps(&bmps).unwrap();
        assert_eq!(parse_bmps(&bytes, 0).unwrap(), bmps);
        assert!(encode_bmps(&[Bmp {
            id: 0x04,
            value: vec![1]
        }])
        .is_err());
    }
}
