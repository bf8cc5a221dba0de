//! CLASS INSTR LEN DATA. LEN is one byte below 255, else `FF lo hi` (little-endian).

use crate::ZvtError;

/// One ZVT packet: CLASS, INSTR and its data (the length is worked out on encoding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Apdu {
    /// CLASS (CCRC in an answer).
    pub class: u8,
    /// INSTR (APRC in an answer).
    pub instr: u8,
    /// The data after the length field.
    pub data: Vec<u8>,
}

impl Apdu {
    /// A packet of `class`, `instr` and `data`.
    pub fn new(class: u8, instr: u8, data: Vec<u8>) -> Apdu {
        Apdu { class, instr, data }
    }

    /// An APDU of the command `code` (see [`crate::names::cmd`]).
    pub fn command(code: crate::names::Code, data: Vec<u8>) -> Apdu {
        Apdu::new(code.0, code.1, data)
    }

    /// CLASS and INSTR, to compare with [`crate::names::cmd`].
    pub fn code(&self) -> crate::names::Code {
        (self.class, self.instr)
    }

    /// `80 00 00`: positive acknowledgement.
    pub fn ack() -> Apdu {
        Apdu::new(0x80, 0x00, Vec::new())
    }

    /// The bytes on the wire: CLASS INSTR, the length (one byte, or `FF lo hi` from 255
    /// on), the data. Data longer than 65535 bytes is an error.
    pub fn encode(&self) -> Result<Vec<u8>, ZvtError> {
        let n = self.data.len();
        let mut out = Vec::with_capacity(n + 5);
        out.extend([self.class, self.instr]);
        if n < 0xFF {
            out.push(n as u8);
        } else if n <= 0xFFFF {
            out.extend([0xFF, (n & 0xFF) as u8, (n >> 8) as u8]);
        } else {
            return Err(ZvtError::TooLong(n));
        }
        out.extend_from_slice(&self.data);
        Ok(out)
    }

    /// Reads one APDU from the front of a stream buffer. `Ok(None)` means more bytes
    /// are needed; otherwise returns the APDU and how many bytes it used (a TCP read
    /// may carry the start of the next one).
    pub fn read(buf: &[u8]) -> Result<Option<(Apdu, usize)>, ZvtError> {
        match header(buf) {
            Err(ZvtError::Incomplete { .. }) => Ok(None),
            Err(e) => Err(e),
            Ok((class, instr, len, hdr)) => {
                if buf.len() < hdr + len {
                    return Ok(None);
                }
                Ok(Some((
                    Apdu::new(class, instr, buf[hdr..hdr + len].to_vec()),
                    hdr + len,
                )))
            }
        }
    }

    /// Decodes exactly one APDU: missing or extra bytes are an error.
    pub fn decode_exact(buf: &[u8]) -> Result<Apdu, ZvtError> {
        let (class, instr, len, hdr) = header(buf)?;
        let present = buf.len() - hdr;
        if present != len {
            return Err(ZvtError::LengthMismatch {
                class,
                instr,
                declared: len,
                present,
            });
        }
        Ok(Apdu::new(class, instr, buf[hdr..].to_vec()))
    }
}

fn header(buf: &[u8]) -> Result<(u8, u8, usize, usize), ZvtError> {
    if buf.len() < 3 {
        return Err(ZvtError::Incomplete {
            needed: 3 - buf.len(),
        });
    }
    if buf[2] != 0xFF {
        return Ok((buf[0], buf[1], buf[2] as usize, 3));
    }
    if buf.len() < 5 {
        return Err(ZvtError::Incomplete {
            needed: 5 - buf.len(),
        });
    }
    Ok((
        buf[0],
        buf[1],
        u16::from_le_bytes([buf[3], buf[4]]) as usize,
        5,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn extended_length_is_little_endian() {
        let a = Apdu::new(0x06, 0xD3, vec![0; 256]);
        assert_eq!(&a.encode().unwrap()[..5], &[0x06, 0xD3, 0xFF, 0x00, 0x01]);
        // 255 itself needs the extended form.
        assert_eq!(
            &Apdu::new(0x06, 0xD3, vec![0; 255]).encode().unwrap()[..5],
            &[0x06, 0xD3, 0xFF, 0xFF, 0x00]
        );
        assert_eq!(
            Apdu::new(0x06, 0xD3, vec![0; 254]).encode().unwrap()[2],
            0xFE
        );
        assert!(Apdu::new(0, 0, vec![0; 65536]).encode().is_err());
    }

    #[test]
    fn stream_reading_keeps_trailing_bytes() {
        let (a, used) = Apdu::read(&[0x80, 0x00, 0x00, 0x01, 0x02])
            .unwrap()
            .unwrap();
        assert_eq!((a, used), (Apdu::ack(), 3));
        assert_eq!(Apdu::read(&[0x06, 0xD3, 0xFF, 0x00]).unwrap(), None);
        assert_eq!(Apdu::read(&[0x06, 0xD1, 0x05, 0x00]).unwrap(), None);
    }

    #[test]
    fn exact_decoding_rejects_wrong_lengths() {
        assert!(matches!(
            Apdu::decode_exact(&[0x06, 0xD1, 0x02, 0x00]),
            Err(ZvtError::LengthMismatch {
                declared: 2,
                present: 1,
                ..
            })
        ));
        assert!(matches!(
            Apdu::decode_exact(&[0x06, 0xD1, 0x00, 0x00]),
            Err(ZvtError::LengthMismatch {
                declared: 0,
                present: 1,
                ..
            })
        ));
        assert!(matches!(
            Apdu::decode_exact(&[0x06]),
            Err(ZvtError::Incomplete { needed: 2 })
        ));
    }

    proptest! {
        #[test]
        fn encode_decode_round_trips(class: u8, instr: u8, data in proptest::collection::vec(any::<u8>(), 0..700)) {
            let a = Apdu::new(class, instr, data);
            let bytes = a.encode().unwrap();
            prop_assert_eq!(Apdu::decode_exact(&bytes).unwrap(), a.clone());
            // Any split point: read() either waits or returns the same APDU.
            for cut in [0, 1, 2, 3, 4, bytes.len() / 2, bytes.len()] {
                let r = Apdu::read(&bytes[..cut.min(bytes.len())]).unwrap();
                if cut >= bytes.len() { prop_assert_eq!(r, Some((a.clone(), bytes.len()))); } else { prop_assert_eq!(r, None); }
            }
        }
    }
}
