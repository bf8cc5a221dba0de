//! Serial (RS-232 / USB CDC-ACM) framing: `DLE STX`, the APDU with every `DLE` doubled,
//! `DLE ETX`, then CRC-16/KERMIT (low byte first) over the un-stuffed APDU plus `ETX`.
//! The receiver answers each frame with one byte: `ACK` (CRC good) or `NAK`.

use crate::ZvtError;
use std::time::Duration;

/// Data link escape: starts and ends a frame, doubled inside one.
pub const DLE: u8 = 0x10;
/// Start of text (after DLE).
pub const STX: u8 = 0x02;
/// End of text (after DLE), followed by the CRC.
pub const ETX: u8 = 0x03;
/// The receiver took the frame.
pub const ACK: u8 = 0x06;
/// The receiver rejected the frame (bad CRC): it is sent again.
pub const NAK: u8 = 0x15;

/// How many times a frame is sent before giving up (on NAK or no answer).
pub const MAX_ATTEMPTS: u32 = 3;
/// Longest gap between two bytes of one frame.
pub const T1_INTER_CHARACTER: Duration = Duration::from_millis(200);
/// How long to wait for the ACK/NAK byte after sending a frame.
pub const T3_ACK: Duration = Duration::from_secs(5);
/// How long to wait for the start of a frame that is due.
pub const T2_FRAME_START: Duration = Duration::from_secs(15);

const fn crc_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut k = 0;
        while k < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
            k += 1;
        }
        t[i] = crc;
        i += 1;
    }
    t
}

/// Byte-at-a-time table of the reflected polynomial.
static CRC_TABLE: [u16; 256] = crc_table();

/// CRC-16/KERMIT: polynomial 0x1021 reflected (0x8408), init 0, no final XOR.
pub fn crc16_kermit(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        (crc >> 8) ^ CRC_TABLE[usize::from((crc ^ u16::from(b)) & 0xFF)]
    })
}

/// The frame CRC: over the un-stuffed APDU and the closing ETX.
pub(crate) fn crc_of(apdu: &[u8]) -> u16 {
    let crc = crc16_kermit(apdu);
    (crc >> 8) ^ CRC_TABLE[usize::from((crc ^ u16::from(ETX)) & 0xFF)]
}

/// Wraps APDU bytes into a serial frame.
pub fn frame(apdu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(apdu.len() + 8);
    out.extend([DLE, STX]);
    for &b in apdu {
        out.push(b);
        if b == DLE {
            out.push(DLE);
        }
    }
    out.extend([DLE, ETX]);
    out.extend(crc_of(apdu).to_le_bytes());
    out
}

/// Unwraps exactly one frame, checking stuffing and CRC.
pub fn deframe(bytes: &[u8]) -> Result<Vec<u8>, ZvtError> {
    let mut d = Deframer::default();
    let mut result = None;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(r) = d.push(b) {
            if i + 1 != bytes.len() {
                return Err(ZvtError::BadFrame(format!(
                    "{} byte(s) after the frame",
                    bytes.len() - i - 1
                )));
            }
            result = Some(r);
        }
    }
    result.unwrap_or_else(|| Err(ZvtError::BadFrame("incomplete frame".into())))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Idle,
    SawDle,
    Data,
    DataDle,
    Crc1,
    Crc2(u8),
}

/// Byte-at-a-time frame reader for a serial line. Bytes outside a frame (noise, a
/// stray ACK) are skipped; a finished frame comes back as `Some(Ok(apdu))`, a frame
/// with a bad CRC or stuffing as `Some(Err(..))` — the caller answers NAK.
#[derive(Debug, Default)]
pub struct Deframer {
    state: State,
    buf: Vec<u8>,
}

impl Deframer {
    /// Takes the next byte off the line; a whole frame (or a bad one) comes back once
    /// its CRC is in.
    pub fn push(&mut self, b: u8) -> Option<Result<Vec<u8>, ZvtError>> {
        use State::*;
        match (self.state, b) {
            (Idle, DLE) => self.state = SawDle,
            (Idle, _) => {}
            (SawDle, STX) => {
                self.buf.clear();
                self.state = Data;
            }
            (SawDle, DLE) => {}
            (SawDle, _) => self.state = Idle,
            (Data, DLE) => self.state = DataDle,
            (Data, _) => self.buf.push(b),
            (DataDle, DLE) => {
                self.buf.push(DLE);
                self.state = Data;
            }
            (DataDle, ETX) => self.state = Crc1,
            (DataDle, STX) => {
                // A new frame started inside this one: the old one is lost.
                self.buf.clear();
                self.state = Data;
                return Some(Err(ZvtError::BadFrame(
                    "frame restarted before DLE ETX".into(),
                )));
            }
            (DataDle, other) => {
                self.state = Idle;
                return Some(Err(ZvtError::BadFrame(format!(
                    "DLE followed by {other:02X} inside a frame"
                ))));
            }
            (Crc1, _) => self.state = Crc2(b),
            (Crc2(lo), hi) => {
                self.state = Idle;
                let got = u16::from_le_bytes([lo, hi]);
                let apdu = std::mem::take(&mut self.buf);
                let expected = crc_of(&apdu);
                return Some(if got == expected {
                    Ok(apdu)
                } else {
                    Err(ZvtError::Crc { expected, got })
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kermit_check_value() {
        assert_eq!(crc16_kermit(b"123456789"), 0x2189);
    }

    #[test]
    fn ack_frame_from_a_real_terminal() {
        assert_eq!(
            frame(&[0x80, 0x00, 0x00]),
            vec![0x10, 0x02, 0x80, 0x00, 0x00, 0x10, 0x03, 0xF5, 0x1F]
        );
    }

    #[test]
    fn a_flipped_byte_fails_the_crc() {
        let mut f = frame(&[0x06, 0x01, 0x00]);
        f[3] ^= 0x01;
        assert!(matches!(deframe(&f), Err(ZvtError::Crc { .. })));
    }

    #[test]
    fn noise_before_a_frame_is_skipped() {
        let mut bytes = vec![0x06, 0xAA, 0x10];
        bytes.extend(frame(&[0x80, 0x00, 0x00]));
        let mut d = Deframer::default();
        let out: Vec<_> = bytes.into_iter().filter_map(|b| d.push(b)).collect();
        assert_eq!(out, vec![Ok(vec![0x80, 0x00, 0x00])]);
    }

    proptest! {
        #[test]
        fn frames_round_trip(apdu in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(deframe(&frame(&apdu)).unwrap(), apdu);
        }
    }
}
