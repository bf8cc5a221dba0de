use thiserror::Error;

/// Why bytes are not a valid ZVT packet. Each names where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ZvtError {
    /// The bytes end before the APDU does.
    #[error("incomplete APDU: {needed} more byte(s) needed")]
    Incomplete {
        /// How many more bytes the APDU's header says are coming.
        needed: usize,
    },
    /// The length field and the bytes that follow disagree.
    #[error(
        "APDU {class:02X} {instr:02X} declares {declared} data bytes but {present} are present"
    )]
    LengthMismatch {
        /// The APDU's class byte.
        class: u8,
        /// The APDU's instruction byte.
        instr: u8,
        /// The length its header declares.
        declared: usize,
        /// The data bytes there are.
        present: usize,
    },
    /// Data too long for the APDU's three-byte length (the bytes there are).
    #[error("APDU data of {0} bytes is longer than ZVT allows (65535)")]
    TooLong(usize),
    /// A BMP number this codec does not know: its length cannot be known, so nothing
    /// after it can be read.
    #[error("unknown BMP {bmp:02X} at offset {offset}: its length is unknown, the rest of the message cannot be read")]
    UnknownBmp {
        /// The BMP's number.
        bmp: u8,
        /// Where it starts in the APDU's data.
        offset: usize,
    },
    /// A known BMP whose value is not what the protocol says it is.
    #[error("BMP {bmp:02X} at offset {offset}: {reason}")]
    BadBmp {
        /// The BMP's number.
        bmp: u8,
        /// Where it starts in the APDU's data.
        offset: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A TLV container that does not parse.
    #[error("TLV at offset {offset}: {reason}")]
    BadTlv {
        /// Where the bad tag or length starts.
        offset: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A BCD field with a nibble above 9 where digits belong.
    #[error("{field}: byte {byte:02X} is not BCD")]
    BadBcd {
        /// The field being read.
        field: &'static str,
        /// The offending byte.
        byte: u8,
    },
    /// A serial frame that is not DLE STX … DLE ETX CRC (what is wrong).
    #[error("serial frame: {0}")]
    BadFrame(String),
    /// A serial frame whose CRC does not match its contents.
    #[error("serial frame: CRC {got:04X} does not match the computed {expected:04X}")]
    Crc {
        /// The CRC of the bytes received.
        expected: u16,
        /// The CRC the frame carried.
        got: u16,
    },
    /// A value to send does not fit its BCD field: nothing is sent.
    #[error("{field} {value} does not fit in {digits} BCD digits")]
    TooLarge {
        /// The field.
        field: &'static str,
        /// The value asked for.
        value: u64,
        /// The digits the field holds.
        digits: usize,
    },
    /// A command's fixed fields (before the BMPs) are not as the command requires.
    #[error("{class:02X} {instr:02X}: {reason}")]
    BadMessage {
        /// The APDU's class byte.
        class: u8,
        /// The APDU's instruction byte.
        instr: u8,
        /// What is wrong.
        reason: String,
    },
}
