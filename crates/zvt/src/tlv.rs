//! BER-TLV inside BMP 06: multi-byte tags, lengths `00–7F`, `81 xx`, `82 xx xx` (and any
//! `8n`), containers decided by bit 0x20 of the first tag byte. Every tag is kept, known
//! or not, so a later version can interpret what this one does not.

use crate::ZvtError;

/// One TLV element: its tag and a value that is bytes or more elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlv {
    /// The tag bytes as a number, e.g. 0x1F07.
    pub tag: u32,
    /// Its value.
    pub value: TlvValue,
}

/// A TLV value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlvValue {
    /// A primitive tag's bytes.
    Primitive(Vec<u8>),
    /// A constructed tag's elements.
    Constructed(Vec<Tlv>),
}

/// Feig uses these as primitive tags although their first byte says "constructed".
const FEIG_PRIMITIVE: [u32; 3] = [0xFF40, 0xFF41, 0xFF48];

fn constructed(tag: u32, first: u8) -> bool {
    first & 0x20 != 0 && !FEIG_PRIMITIVE.contains(&tag)
}

fn tag_bytes(tag: u32) -> Vec<u8> {
    let b = tag.to_be_bytes();
    let skip = b.iter().take(3).take_while(|x| **x == 0).count();
    b[skip..].to_vec()
}

impl Tlv {
    /// A primitive element.
    pub fn primitive(tag: u32, value: Vec<u8>) -> Tlv {
        Tlv {
            tag,
            value: TlvValue::Primitive(value),
        }
    }

    /// A constructed element holding `children`.
    pub fn container(tag: u32, children: Vec<Tlv>) -> Tlv {
        Tlv {
            tag,
            value: TlvValue::Constructed(children),
        }
    }

    /// Depth-first search for the first TLV with `tag`.
    pub fn find(list: &[Tlv], tag: u32) -> Option<&Tlv> {
        for t in list {
            if t.tag == tag {
                return Some(t);
            }
            if let TlvValue::Constructed(c) = &t.value {
                if let Some(f) = Tlv::find(c, tag) {
                    return Some(f);
                }
            }
        }
        None
    }

    /// All TLVs with `tag`, depth-first, in order (e.g. every text line 07).
    pub fn find_all<'a>(list: &'a [Tlv], tag: u32, out: &mut Vec<&'a Tlv>) {
        for t in list {
            if t.tag == tag {
                out.push(t);
            }
            if let TlvValue::Constructed(c) = &t.value {
                Tlv::find_all(c, tag, out);
            }
        }
    }

    /// A primitive element's bytes; None for a container.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            TlvValue::Primitive(v) => Some(v),
            TlvValue::Constructed(_) => None,
        }
    }
}

/// Parses a sequence of TLVs. `base` is the offset of `data` in the APDU, for errors.
pub fn parse_tlvs(data: &[u8], base: usize) -> Result<Vec<Tlv>, ZvtError> {
    let mut out = Vec::new();
    let mut i = 0;
    let bad = |at: usize, reason: &str| ZvtError::BadTlv {
        offset: base + at,
        reason: reason.to_owned(),
    };
    while i < data.len() {
        let start = i;
        let first = data[i];
        let mut tag = u32::from(first);
        i += 1;
        if first & 0x1F == 0x1F {
            loop {
                let b = *data.get(i).ok_or_else(|| bad(start, "tag cut short"))?;
                if tag > 0x00FF_FFFF {
                    return Err(bad(start, "tag longer than 4 bytes"));
                }
                tag = (tag << 8) | u32::from(b);
                i += 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let l0 = *data.get(i).ok_or_else(|| bad(start, "length missing"))?;
        i += 1;
        let len = if l0 < 0x80 {
            usize::from(l0)
        } else {
            let n = usize::from(l0 & 0x7F);
            if n == 0 || n > 2 {
                return Err(bad(i - 1, "length form not used in ZVT (only 81 and 82)"));
            }
            let bytes = data
                .get(i..i + n)
                .ok_or_else(|| bad(i, "length cut short"))?;
            i += n;
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b))
        };
        let value = data.get(i..i + len).ok_or_else(|| {
            bad(
                start,
                &format!(
                    "value of tag {tag:X} needs {len} bytes, {} left",
                    data.len() - i
                ),
            )
        })?;
        let value = if constructed(tag, first) {
            // A container that does not parse is kept as raw bytes rather than lost.
            match parse_tlvs(value, base + i) {
                Ok(children) => TlvValue::Constructed(children),
                Err(_) => TlvValue::Primitive(value.to_vec()),
            }
        } else {
            TlvValue::Primitive(value.to_vec())
        };
        out.push(Tlv { tag, value });
        i += len;
    }
    Ok(out)
}

/// The elements as bytes (tags, BER lengths, values), in order.
pub fn encode_tlvs(list: &[Tlv]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in list {
        out.extend(tag_bytes(t.tag));
        let value = match &t.value {
            TlvValue::Primitive(v) => v.clone(),
            TlvValue::Constructed(c) => encode_tlvs(c),
        };
        encode_len(value.len(), &mut out);
        out.extend(value);
    }
    out
}

/// BER length: 1, 2 (`81`) or 3 (`82`) bytes.
pub(crate) fn encode_len(n: usize, out: &mut Vec<u8>) {
    match n {
        0..=0x7F => out.push(n as u8),
        0x80..=0xFF => out.extend([0x81, n as u8]),
        _ => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn multi_byte_tags_and_long_lengths() {
        let t = parse_tlvs(&[0x1F, 0x07, 0x01, 0x02], 0).unwrap();
        assert_eq!(t, vec![Tlv::primitive(0x1F07, vec![2])]);
        let three = parse_tlvs(&[0x1F, 0x80, 0x00, 0x00], 0).unwrap();
        assert_eq!(three[0].tag, 0x1F8000);
        let mut long = vec![0x07, 0x82, 0x01, 0x00];
        long.extend([b'x'; 256]);
        assert_eq!(parse_tlvs(&long, 0).unwrap()[0].bytes().unwrap().len(), 256);
    }

    #[test]
    fn containers_nest_and_feig_tags_stay_primitive() {
        let t = parse_tlvs(&[0x24, 0x04, 0x07, 0x02, b'h', b'i'], 0).unwrap();
        assert_eq!(
            t,
            vec![Tlv::container(
                0x24,
                vec![Tlv::primitive(0x07, b"hi".to_vec())]
            )]
        );
        let f = parse_tlvs(&[0xFF, 0x40, 0x03, 0x12, 0x34, 0x56], 0).unwrap();
        assert_eq!(f, vec![Tlv::primitive(0xFF40, vec![0x12, 0x34, 0x56])]);
    }

    #[test]
    fn truncated_values_name_their_offset() {
        let e = parse_tlvs(&[0x07, 0x05, b'a'], 10).unwrap_err();
        assert!(matches!(e, ZvtError::BadTlv { offset: 10, .. }), "{e}");
        assert!(parse_tlvs(&[0x1F], 0).is_err());
        assert!(parse_tlvs(&[0x07, 0x83, 0, 0, 1], 0).is_err());
    }

    fn arb_tlv() -> impl Strategy<Value = Tlv> {
        let leaf = (
            prop_oneof![
                Just(0x07u32),
                Just(0x1F07),
                Just(0x14),
                Just(0x1F8001),
                Just(0xFF41)
            ],
            proptest::collection::vec(any::<u8>(), 0..300),
        )
            .prop_map(|(t, v)| Tlv::primitive(t, v));
        leaf.prop_recursive(3, 20, 5, |inner| {
            (
                prop_oneof![Just(0x24u32), Just(0x25), Just(0xE4), Just(0x3F21)],
                proptest::collection::vec(inner, 0..5),
            )
                .prop_map(|(t, c)| Tlv::container(t, c))
        })
    }

    proptest! {
        #[test]
        fn round_trips(list in proptest::collection::vec(arb_tlv(), 0..5)) {
            prop_assert_eq!(parse_tlvs(&encode_tlvs(&list), 0).unwrap(), list);
        }
    }
}
