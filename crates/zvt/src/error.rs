use thiserror::Error;

/// Why bytes are not a valid ZVT packet. Each names where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ZvtError {
    #[error("incomplete APDU: {needed} more byte(s) needed")]
    Incomplete { needed: usize },
    #[error(
        "APDU {class:02X} {instr:02X} declares {declared} data bytes but {present} are present"
    )]
    LengthMismatch {
        class: u8,
        instr: u8,
        declared: usize,
        present: usize,
    },
    #[error("APDU data of {0} bytes is longer than ZVT allows (65535)")]
    TooLong(usize),
    #[error("unknown BMP {bmp:02X} at offset {offset}: its length is unknown, the rest of the message cannot be read")]
    UnknownBmp { bmp: u8, offset: usize },
    #[error("BMP {bmp:02X} at offset {offset}: {reason}")]
    BadBmp {
        bmp: u8,
        offset: usize,
        reason: String,
    },
    #[error("TLV at offset {offset}: {reason}")]
    BadTlv { offset: usize, reason: String },
    #[error("{field}: byte {byte:02X} is not BCD")]
    BadBcd { field: &'static str, byte: u8 },
    #[error("serial frame: {0}")]
    BadFrame(String),
    #[error("serial frame: CRC {got:04X} does not match the computed {expected:04X}")]
    Crc { expected: u16, got: u16 },
    #[error("{field} {value} does not fit in {digits} BCD digits")]
    TooLarge {
        field: &'static str,
        value: u64,
        digits: usize,
    },
    #[error("{class:02X} {instr:02X}: {reason}")]
    BadMessage {
        class: u8,
        instr: u8,
        reason: String,
    },
}
