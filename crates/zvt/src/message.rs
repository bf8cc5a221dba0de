//! APDUs as messages: which fixed fields come before the BMPs of each command.

use crate::bmp::Fields;
use crate::tlv::parse_tlvs;
use crate::{bcd_digits, cmd, Apdu, Tlv, ZvtError};

/// A print line (06 D1): attribute byte, text, and the TLV some terminals append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintLine {
    /// The attribute byte: bold, double size, last line of the receipt, …
    pub attribute: u8,
    /// Raw text bytes; decode with the negotiated [`crate::Charset`].
    pub text: Vec<u8>,
    /// TLV after the text, when the terminal sends it.
    pub tlv: Vec<Tlv>,
}

impl PrintLine {
    /// Attribute with the high bit set (but not `FF` line feed): the receipt ends here.
    pub fn is_last_line(&self) -> bool {
        self.attribute & 0x80 != 0 && self.attribute != 0xFF
    }
}

/// Completion (06 0F). After a status enquiry it carries the software version and the
/// terminal status; after other commands, BMPs.
// Decoded once per message and moved rarely: boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    /// After most commands: BMPs (e.g. 19 status byte, 29 terminal id).
    Fields(Fields),
    /// After a status enquiry.
    Status {
        /// The terminal's software version, when sent (text bytes).
        sw_version: Option<Vec<u8>>,
        /// The terminal's status byte (00: ready).
        terminal_status: u8,
        /// TLV that follows, when sent.
        tlv: Vec<Tlv>,
    },
    /// Vendor data that is neither (e.g. Feig's system information): kept raw.
    Raw(Vec<u8>),
}

/// A decoded APDU: which message it is and its fields.
#[allow(clippy::large_enum_variant)] // see Completion
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// `80 00 [BMPs]` — also 84 00 00, which some terminals send as positive.
    Ack(Fields),
    /// `84 xx [BMPs]`: negative acknowledgement with an error code.
    Nack {
        /// The 84 xx code.
        code: u8,
        /// BMPs that follow, if any.
        fields: Fields,
    },
    /// 04 0F: the transaction result.
    StatusInformation(Fields),
    /// 04 FF: status byte, optional timeout, optional BMPs.
    IntermediateStatus {
        /// The intermediate status code (e.g. 0A insert card).
        status: u8,
        /// Seconds the terminal may stay silent now, when given.
        timeout: Option<u8>,
        /// BMPs that follow, if any.
        fields: Fields,
    },
    /// 06 D1: one line of a receipt to print.
    PrintLine(PrintLine),
    /// 06 D3: one whole receipt as TLV (25 { 07 lines … }, 1F07 receipt type).
    PrintTextBlock(Fields),
    /// 06 0F: the command ended successfully.
    Completion(Completion),
    /// 06 1E: the terminal ended the command unsuccessfully.
    Abort {
        /// The result code (BMP 27 value), when sent.
        result_code: Option<u8>,
        /// BMPs that follow, if any.
        fields: Fields,
    },
    /// 06 00: password, config byte, optional currency, then BMPs.
    Registration {
        /// The merchant password (six BCD digits, as text).
        password: String,
        /// The config byte: who prints, who confirms, …
        config: u8,
        /// The currency, ISO 4217 numeric, when given.
        currency: Option<u16>,
        /// BMPs that follow, if any.
        fields: Fields,
    },
    /// Commands that start with a password: 06 10 totals, 06 20 repeat receipt,
    /// 06 30 reversal, 06 31 refund, 06 50 end-of-day, 06 93 initialisation, 06 1B,
    /// 08 14 write files.
    WithPassword {
        /// The APDU's class byte.
        class: u8,
        /// The APDU's instruction byte.
        instr: u8,
        /// The merchant password (six BCD digits, as text).
        password: String,
        /// BMPs that follow, if any.
        fields: Fields,
    },
    /// 05 01 status enquiry: optional password, then BMPs.
    StatusEnquiry {
        /// The merchant password, when given.
        password: Option<String>,
        /// BMPs that follow, if any.
        fields: Fields,
    },
    /// Every other command whose data is a BMP sequence: 06 01 authorisation,
    /// 06 22/23/24/25 pre-authorisation family, 06 02, 06 70, 06 B0, 06 18, 06 C0 …
    Command {
        /// The APDU's class byte.
        class: u8,
        /// The APDU's instruction byte.
        instr: u8,
        /// Its BMPs.
        fields: Fields,
    },
    /// Commands whose data this codec does not interpret (file transfer, vendor 0F xx).
    Other(Apdu),
}

fn bad(a: &Apdu, reason: impl Into<String>) -> ZvtError {
    ZvtError::BadMessage {
        class: a.class,
        instr: a.instr,
        reason: reason.into(),
    }
}

/// How many bytes of fixed parameters come before a message's BMPs: the one table
/// the decoder's description of a broken frame and the card-data masker read (the
/// decoder itself parses each fixed part by its rules).
pub(crate) fn fixed_part(code: crate::Code) -> usize {
    match code {
        cmd::INTERMEDIATE_STATUS => 2,                      // status, timeout
        cmd::ABORT | cmd::READ_CARD | cmd::PRINT_LINE => 1, // result code / timeout / attribute
        cmd::REGISTRATION => 4, // password (3), config (1); 6 with a currency
        cmd::TURNOVER_TOTALS
        | cmd::SET_TERMINAL_ID
        | cmd::REPEAT_RECEIPT
        | cmd::REVERSAL
        | cmd::REFUND
        | cmd::END_OF_DAY
        | cmd::INITIALISATION
        | cmd::WRITE_FILE => 3, // password
        _ => 0,
    }
}

/// Every place BMPs can start: each [`fixed_part`], and 6 for a registration that
/// carries its currency. The masker tries them all, whatever the command says: a
/// terminal's variant must not leave a card number unmasked.
pub(crate) const BMP_STARTS: [usize; 6] = [0, 1, 2, 3, 4, 6];

impl Message {
    /// Reads the fixed fields of `a`'s command and then its BMPs; an error names the
    /// command and what is wrong.
    pub fn decode(a: &Apdu) -> Result<Message, ZvtError> {
        let d = &a.data[..];
        Ok(match (a.class, a.instr) {
            cmd::ACK | cmd::ACK_84 => Message::Ack(Fields::parse(d, 0)?),
            (0x84, code) => Message::Nack {
                code,
                fields: Fields::parse(d, 0)?,
            },
            (0x04, 0x0F) => Message::StatusInformation(Fields::parse(d, 0)?),
            (0x04, 0xFF) => {
                let status = *d.first().ok_or_else(|| bad(a, "status byte missing"))?;
                let timeout = d.get(1).copied();
                let fields = if d.len() > 2 {
                    Fields::parse(&d[2..], 2)?
                } else {
                    Fields::default()
                };
                Message::IntermediateStatus {
                    status,
                    timeout,
                    fields,
                }
            }
            (0x06, 0xD1) => Message::PrintLine(print_line(a)?),
            (0x06, 0xD3) => Message::PrintTextBlock(Fields::parse(d, 0)?),
            (0x06, 0x0F) => Message::Completion(completion(d)),
            (0x06, 0x1E) => match d.first() {
                None => Message::Abort {
                    result_code: None,
                    fields: Fields::default(),
                },
                Some(&rc) => Message::Abort {
                    result_code: Some(rc),
                    fields: Fields::parse(&d[1..], 1)?,
                },
            },
            (0x06, 0x00) => {
                if d.len() < 4 {
                    return Err(bad(
                        a,
                        "registration needs password (3) and config byte (1)",
                    ));
                }
                let password = bcd_digits(&d[..3], "password")?;
                let config = d[3];
                // The currency here is positional (no 49 tag). 09 is no BMP id, so a
                // following 2-byte BCD starting with 0x0N… is taken as the currency.
                let (currency, rest) = match d.get(4..6) {
                    Some(cc)
                        if crate::bcd_u64(cc, "currency").is_ok()
                            && !matches!(cc[0], 0x03 | 0x06) =>
                    {
                        (Some(crate::bcd_u64(cc, "currency")? as u16), 6)
                    }
                    _ => (None, 4),
                };
                Message::Registration {
                    password,
                    config,
                    currency,
                    fields: Fields::parse(&d[rest..], rest)?,
                }
            }
            (0x06, 0x10 | 0x1B | 0x20 | 0x30 | 0x31 | 0x50 | 0x93) | (0x08, 0x14) => {
                if d.len() < 3 {
                    return Err(bad(a, "password (3 bytes) missing"));
                }
                Message::WithPassword {
                    class: a.class,
                    instr: a.instr,
                    password: bcd_digits(&d[..3], "password")?,
                    fields: Fields::parse(&d[3..], 3)?,
                }
            }
            (0x05, 0x01) => {
                // Optional password first: three BCD bytes that are not a BMP sequence.
                match Fields::parse(d, 0) {
                    Ok(fields) if d.len() < 3 || bcd_digits(&d[..3], "password").is_err() => {
                        Message::StatusEnquiry {
                            password: None,
                            fields,
                        }
                    }
                    _ => {
                        if d.len() < 3 {
                            return Err(bad(a, "neither BMPs nor a password"));
                        }
                        Message::StatusEnquiry {
                            password: Some(bcd_digits(&d[..3], "password")?),
                            fields: Fields::parse(&d[3..], 3)?,
                        }
                    }
                }
            }
            (
                0x06,
                0x01 | 0x02 | 0x18 | 0x1A | 0x22 | 0x23 | 0x24 | 0x25 | 0x70 | 0x79 | 0xB0 | 0xE0,
            )
            | (0x04, 0x0C) => Message::Command {
                class: a.class,
                instr: a.instr,
                fields: Fields::parse(d, 0)?,
            },
            (0x06, 0xC0) => {
                // Read card: timeout byte, then BMPs.
                let fields = if d.len() > 1 {
                    Fields::parse(&d[1..], 1)?
                } else {
                    Fields::default()
                };
                Message::Command {
                    class: a.class,
                    instr: a.instr,
                    fields,
                }
            }
            _ => Message::Other(a.clone()),
        })
    }
}

fn print_line(a: &Apdu) -> Result<PrintLine, ZvtError> {
    let d = &a.data;
    let attribute = *d.first().ok_or_else(|| bad(a, "attribute byte missing"))?;
    let mut text = d[1..].to_vec();
    let mut tlv = Vec::new();
    // Some terminals append `06 <len> <TLV>` exactly filling the end of the APDU.
    if let Some(pos) = (1..d.len().saturating_sub(1))
        .rev()
        .find(|&i| d[i] == 0x06 && usize::from(d[i + 1]) == d.len() - i - 2)
    {
        if let Ok(t) = parse_tlvs(&d[pos + 2..], pos + 2) {
            tlv = t;
            text = d[1..pos].to_vec();
        }
    }
    Ok(PrintLine {
        attribute,
        text,
        tlv,
    })
}

fn completion(d: &[u8]) -> Completion {
    if d.is_empty() {
        return Completion::Fields(Fields::default());
    }
    // Status-enquiry form: LLLVAR software version (F0–F9 ×3), status byte, [06 TLV].
    let lll = d.len() >= 4 && d[..3].iter().all(|b| b >> 4 == 0xF && b & 0x0F <= 9);
    if lll {
        let n = d[..3]
            .iter()
            .fold(0usize, |a, b| a * 10 + usize::from(b & 0x0F));
        if let Some(&status) = d.get(3 + n) {
            let rest = &d[4 + n..];
            let tlv = match rest {
                [] => Some(Vec::new()),
                [0x06, ..] => Fields::parse(rest, 4 + n).ok().map(|f| f.tlv),
                _ => None,
            };
            if let Some(tlv) = tlv {
                return Completion::Status {
                    sw_version: Some(d[3..3 + n].to_vec()),
                    terminal_status: status,
                    tlv,
                };
            }
        }
    }
    if let Ok(f) = Fields::parse(d, 0) {
        return Completion::Fields(f);
    }
    // Without a version: status byte, then optional TLV.
    if let Ok(f) = Fields::parse(&d[1..], 1) {
        if f.raw.iter().all(|b| b.id == 0x06) {
            return Completion::Status {
                sw_version: None,
                terminal_status: d[0],
                tlv: f.tlv,
            };
        }
    }
    Completion::Raw(d.to_vec())
}

#[cfg(test)]
mod fixed_parts {
    /// The masker tries every place BMPs can start: none may be missing from its list.
    #[test]
    fn every_fixed_part_is_a_place_the_masker_tries() {
        for class in 0..=255u8 {
            for instr in 0..=255u8 {
                if crate::names::command_name((class, instr)).is_some() {
                    let n = super::fixed_part((class, instr));
                    assert!(
                        super::BMP_STARTS.contains(&n),
                        "{class:02X} {instr:02X}: {n}"
                    );
                }
            }
        }
    }
}
