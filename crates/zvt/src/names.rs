//! Names for what travels on the wire: commands, BMPs, TLV tags, result and
//! intermediate-status codes (from `shared/zvt/FACTS.md` §1.1, §3, §4.1, §5). The
//! decoder shows them; the link and the simulator use the command constants so that no
//! raw `(0x06, 0x..)` pair lives outside this crate.

/// A command or message: CLASS and INSTR.
pub type Code = (u8, u8);

/// Command codes by name.
// Each constant is the specification's own name for its code, and `COMMANDS` holds
// the text the decoder shows: a doc line per constant would only repeat the two.
#[allow(missing_docs)]
pub mod cmd {
    use super::Code;
    pub const ACK: Code = (0x80, 0x00);
    pub const SET_DATE_TIME: Code = (0x04, 0x01);
    pub const REQUEST_FILE: Code = (0x04, 0x0C);
    pub const STATUS_INFORMATION: Code = (0x04, 0x0F);
    pub const INTERMEDIATE_STATUS: Code = (0x04, 0xFF);
    pub const STATUS_ENQUIRY: Code = (0x05, 0x01);
    pub const REGISTRATION: Code = (0x06, 0x00);
    pub const AUTHORISATION: Code = (0x06, 0x01);
    pub const LOG_OFF: Code = (0x06, 0x02);
    pub const COMPLETION: Code = (0x06, 0x0F);
    pub const TURNOVER_TOTALS: Code = (0x06, 0x10);
    pub const PRINT_TURNOVER_RECEIPTS: Code = (0x06, 0x12);
    pub const RESET_TERMINAL: Code = (0x06, 0x18);
    pub const PRINT_SYSTEM_CONFIGURATION: Code = (0x06, 0x1A);
    pub const SET_TERMINAL_ID: Code = (0x06, 0x1B);
    pub const ABORT: Code = (0x06, 0x1E);
    pub const REPEAT_RECEIPT: Code = (0x06, 0x20);
    pub const PRE_AUTHORISATION: Code = (0x06, 0x22);
    pub const PARTIAL_REVERSAL: Code = (0x06, 0x23);
    pub const BOOK_TOTAL: Code = (0x06, 0x24);
    pub const PRE_AUTH_REVERSAL: Code = (0x06, 0x25);
    pub const REVERSAL: Code = (0x06, 0x30);
    pub const REFUND: Code = (0x06, 0x31);
    pub const END_OF_DAY: Code = (0x06, 0x50);
    pub const DIAGNOSIS: Code = (0x06, 0x70);
    pub const SELF_TEST: Code = (0x06, 0x79);
    pub const INITIALISATION: Code = (0x06, 0x93);
    pub const ECR_ABORT: Code = (0x06, 0xB0);
    pub const READ_CARD: Code = (0x06, 0xC0);
    pub const PRINT_LINE: Code = (0x06, 0xD1);
    pub const PRINT_TEXT_BLOCK: Code = (0x06, 0xD3);
    pub const DISPLAY_TEXT: Code = (0x06, 0xE0);
    pub const CHANGE_CONFIGURATION: Code = (0x08, 0x13);
    pub const WRITE_FILE: Code = (0x08, 0x14);
    pub const SOFTWARE_UPDATE: Code = (0x08, 0x10);
    /// 84 xx answers with a meaning: positive acknowledgement some terminals send instead of 80 00.
    pub const ACK_84: Code = (0x84, 0x00);
    /// 84 xx answers with a meaning: the ECR asks for more time.
    pub const PLEASE_WAIT: Code = (0x84, 0x9C);
    /// 84 xx answers with a meaning: the ECR issued part of the goods.
    pub const PARTIAL_ISSUE_OF_GOODS: Code = (0x84, 0x9D);
    /// 84 xx answers with a meaning: the ECR issued no goods.
    pub const GOODS_NOT_ISSUED: Code = (0x84, 0x66);
}

/// Which way a message goes: from the cash register (ECR) or from the payment terminal (PT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the cash register to the terminal.
    EcrToPt,
    /// From the terminal to the cash register.
    PtToEcr,
    /// Sent either way.
    Both,
}

impl Direction {
    /// "ECR → PT", "PT → ECR" or "either way".
    pub fn label(self) -> &'static str {
        match self {
            Direction::EcrToPt => "ECR → PT",
            Direction::PtToEcr => "PT → ECR",
            Direction::Both => "either way",
        }
    }
}

/// Every command the fact sheet names, one row each, keyed by the constants above.
const COMMANDS: &[(Code, &str, Direction)] = &[
    (cmd::ACK, "Acknowledgement", Direction::Both),
    (
        cmd::ACK_84,
        "Acknowledgement (84 00, positive)",
        Direction::PtToEcr,
    ),
    (
        cmd::PLEASE_WAIT,
        "Please wait (ask for more time)",
        Direction::EcrToPt,
    ),
    (
        cmd::PARTIAL_ISSUE_OF_GOODS,
        "Partial issue of goods",
        Direction::EcrToPt,
    ),
    (
        cmd::GOODS_NOT_ISSUED,
        "Goods not issued",
        Direction::EcrToPt,
    ),
    (cmd::SET_DATE_TIME, "Set Date and Time", Direction::PtToEcr),
    (cmd::REQUEST_FILE, "Request File", Direction::PtToEcr),
    (
        cmd::STATUS_INFORMATION,
        "Status Information",
        Direction::PtToEcr,
    ),
    (
        cmd::INTERMEDIATE_STATUS,
        "Intermediate Status Information",
        Direction::PtToEcr,
    ),
    (cmd::STATUS_ENQUIRY, "Status Enquiry", Direction::EcrToPt),
    (cmd::REGISTRATION, "Registration", Direction::EcrToPt),
    (cmd::AUTHORISATION, "Authorisation", Direction::EcrToPt),
    (cmd::LOG_OFF, "Log-off", Direction::EcrToPt),
    (cmd::COMPLETION, "Completion", Direction::PtToEcr),
    (
        cmd::TURNOVER_TOTALS,
        "Send Turnover Totals",
        Direction::EcrToPt,
    ),
    (
        cmd::PRINT_TURNOVER_RECEIPTS,
        "Print Turnover Receipts",
        Direction::EcrToPt,
    ),
    (cmd::RESET_TERMINAL, "Reset Terminal", Direction::EcrToPt),
    (
        cmd::PRINT_SYSTEM_CONFIGURATION,
        "Print System Configuration",
        Direction::EcrToPt,
    ),
    (
        cmd::SET_TERMINAL_ID,
        "Set/Reset Terminal ID",
        Direction::EcrToPt,
    ),
    (cmd::ABORT, "Abort", Direction::PtToEcr),
    (cmd::REPEAT_RECEIPT, "Repeat Receipt", Direction::EcrToPt),
    (
        cmd::PRE_AUTHORISATION,
        "Pre-Authorisation / Reservation",
        Direction::EcrToPt,
    ),
    (
        cmd::PARTIAL_REVERSAL,
        "Partial Reversal of a Pre-Authorisation",
        Direction::EcrToPt,
    ),
    (cmd::BOOK_TOTAL, "Book Total", Direction::EcrToPt),
    (
        cmd::PRE_AUTH_REVERSAL,
        "Pre-Authorisation Reversal",
        Direction::EcrToPt,
    ),
    (cmd::REVERSAL, "Reversal", Direction::EcrToPt),
    (cmd::REFUND, "Refund", Direction::EcrToPt),
    (cmd::END_OF_DAY, "End-of-Day", Direction::EcrToPt),
    (cmd::DIAGNOSIS, "Diagnosis", Direction::EcrToPt),
    (cmd::SELF_TEST, "Self-Test", Direction::EcrToPt),
    (cmd::INITIALISATION, "Initialisation", Direction::EcrToPt),
    (cmd::ECR_ABORT, "Abort (from the ECR)", Direction::EcrToPt),
    (cmd::READ_CARD, "Read Card", Direction::EcrToPt),
    (cmd::PRINT_LINE, "Print Line", Direction::PtToEcr),
    (
        cmd::PRINT_TEXT_BLOCK,
        "Print Text Block",
        Direction::PtToEcr,
    ),
    (cmd::DISPLAY_TEXT, "Display Text", Direction::EcrToPt),
    (cmd::SOFTWARE_UPDATE, "Software Update", Direction::EcrToPt),
    (
        cmd::CHANGE_CONFIGURATION,
        "Change Configuration",
        Direction::EcrToPt,
    ),
    (cmd::WRITE_FILE, "Write File", Direction::EcrToPt),
];

/// The name of a command and the way it goes; `None` for codes the fact sheet does not list.
pub fn command_name(code: Code) -> Option<(&'static str, Direction)> {
    if let Some(&(_, name, way)) = COMMANDS.iter().find(|(c, ..)| *c == code) {
        return Some((name, way));
    }
    // Whole classes: any other 84 xx refuses, 0F xx belongs to a vendor.
    match code.0 {
        0x84 => Some(("Negative acknowledgement", Direction::Both)),
        0x0F => Some(("Vendor-specific command", Direction::Both)),
        _ => None,
    }
}

/// How a BMP's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BmpFormat {
    /// One binary byte (a count, a flag, a code).
    Byte,
    /// Packed BCD read as a number.
    BcdNumber,
    /// Packed BCD kept as digits (terminal id, password).
    BcdDigits,
    /// Six BCD bytes of minor units.
    Amount,
    /// BCD HHMMSS.
    Time,
    /// BCD MMDD.
    DateMmdd,
    /// BCD YYMMDD.
    DateYymmdd,
    /// BCD YYMM.
    Expiry,
    /// Card number in BCD nibbles (E masked, F fill).
    Pan,
    /// Track data: card number, separator, expiry and more.
    Track,
    /// Text in the terminal's character set.
    Text,
    /// ASCII, padded (merchant number, AID attribute).
    Ascii,
    /// The TLV container.
    Tlv,
    /// Bytes this decoder shows as hex.
    Binary,
}

/// The name and format of a BMP id; `None` for ids the fact sheet does not list.
pub fn bmp_name(id: u8) -> Option<(&'static str, BmpFormat)> {
    use BmpFormat::*;
    Some(match id {
        0x01 => ("time-out (s)", Byte),
        0x02 => ("max. number of status informations", Byte),
        0x03 => ("service byte", Byte),
        0x04 => ("amount", Amount),
        0x05 => ("pump number", Byte),
        0x06 => ("TLV container", Tlv),
        0x0B => ("trace number", BcdNumber),
        0x0C => ("time", Time),
        0x0D => ("date (MMDD)", DateMmdd),
        0x0E => ("expiry date (YYMM)", Expiry),
        0x17 => ("card sequence number", BcdNumber),
        0x19 => ("payment type / status byte / card type", Byte),
        0x22 => ("card number (PAN)", Pan),
        0x23 => ("track 2 data", Track),
        0x24 => ("track 3 data", Track),
        0x27 => ("result code", Byte),
        0x29 => ("terminal ID", BcdDigits),
        0x2A => ("VU number (merchant)", Ascii),
        0x2D => ("track 1 data", Track),
        0x2E => ("synchronous chip data", Binary),
        0x37 => ("trace number of the original transaction", BcdNumber),
        0x3A => ("CVV/CVC", Binary),
        0x3B => ("AID authorisation attribute", Ascii),
        0x3C => ("additional text", Text),
        0x3D => ("password", BcdDigits),
        0x49 => ("currency code", BcdNumber),
        0x60 => ("individual totals", Binary),
        0x70 => ("display image: request id", Binary),
        0x71 => ("display image: size", Binary),
        0x72 => ("display image: MIME type", Byte),
        0x73 => ("display image: encoding", Byte),
        0x74 => ("display image: chunk count", Byte),
        0x75 => ("display image: chunk index", Byte),
        0x87 => ("receipt number", BcdNumber),
        0x88 => ("turnover record number", BcdNumber),
        0x8A => ("card type (ZVT card number)", Byte),
        0x8B => ("card name", Text),
        0x8C => ("card type ID of the network operator", Byte),
        0x92 => ("additional data ec-Cash chip offline", Binary),
        0x9A => ("Geldkarte records", Binary),
        0xA0 => ("result code of the host", Byte),
        0xA7 => ("chip data EF_ID", Binary),
        0xAA => ("date (YYMMDD)", DateYymmdd),
        0xAF => ("EF_Info", Binary),
        0xBA => ("AID parameter", Binary),
        0xD0 => ("algorithm key", Byte),
        0xD1 => ("card offset / PIN data", Binary),
        0xD2 => ("direction (card output)", Byte),
        0xD3 => ("key position", Byte),
        0xE0 => ("min. input length", Byte),
        0xE1..=0xE8 => ("text2 line", Text),
        0xE9 => ("max. input length", Byte),
        0xEA => ("echo input", Byte),
        0xEB => ("MAC over text1/2", Binary),
        0xF0 => ("display duration (s)", Byte),
        0xF1..=0xF8 => ("text1 line", Text),
        0xF9 => ("number of beeps", Byte),
        0xFA => ("card-reader activation", Byte),
        0xFB => ("confirmation with OK required", Byte),
        0xFC => ("dialog control", Byte),
        0xFD => ("display device", Byte),
        _ => return None,
    })
}

/// How a TLV tag's primitive value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlvFormat {
    /// Text in the message's character set.
    Text,
    /// ASCII text.
    Ascii,
    /// One byte with a meaning of its own.
    Byte,
    /// Big-endian unsigned number.
    Number,
    /// BCD digits, shown as a digit string.
    BcdDigits,
    /// A ZVT command code (CLASS INSTR).
    Command,
    /// BCD YYYYMMDD.
    Date,
    /// BCD HHMMSS.
    Time,
    /// A card number (masked before it is shown).
    Pan,
    /// Track data (masked before it is shown).
    Track,
    /// Bytes shown as hex.
    Binary,
}

/// The name and value format of a TLV tag; `None` for tags the fact sheet does not list.
pub fn tlv_name(tag: u32) -> Option<(&'static str, TlvFormat)> {
    use TlvFormat::*;
    Some(match tag {
        0x07 => ("text line", Text),
        0x08 => ("receipt number", BcdDigits),
        0x09 => ("line attribute", Byte),
        0x0A => ("permitted command", Command),
        0x10 => ("merchant display: columns, lines", Binary),
        0x11 => ("customer display: columns, lines", Binary),
        0x12 => ("printer characters per line", Byte),
        0x14 => ("character set", Byte),
        0x15 => ("language code", Ascii),
        0x1A => ("max. APDU length", Number),
        0x1B => ("diagnosis type", Byte),
        0x1C => ("file data", Binary),
        0x1D => ("file id", Byte),
        0x1E => ("file offset", Number),
        0x1F00 => ("file size", Number),
        0x1F04 => ("receipt parameter", Binary),
        0x1F05 => ("transaction parameter", Binary),
        0x1F07 => ("receipt type", Byte),
        0x1F0B => ("max. pre-authorisation amount", BcdDigits),
        0x1F0E => ("date", Date),
        0x1F0F => ("time", Time),
        0x1F10 => ("cardholder authentication", Byte),
        0x1F11 => ("online flag", Byte),
        0x1F12 => ("card technology", Byte),
        0x1F14 => ("card identification item", Binary),
        0x1F15 => ("card reading control", Byte),
        0x1F16 => ("extended error code", Binary),
        0x1F17 => ("extended error text", Text),
        0x1F2B => ("trace number (long)", Binary),
        0x1F37 => ("receipt information", Byte),
        0x1F40 => ("device name", Ascii),
        0x1F41 => ("software version", Ascii),
        0x1F42 => ("serial number", Binary),
        0x1F43 => ("device state", Byte),
        0x1F44 => ("terminal ID", BcdDigits),
        0x1F45 => ("ATS", Binary),
        0x1F4C => ("card type", Byte),
        0x1F4D => ("card sub type", Binary),
        0x1F4F => ("ATQA", Binary),
        0x1F50 => ("SAK", Byte),
        0x1F60 => ("card type to read", Byte),
        0x1F62 => ("BMP 60 prefix", Ascii),
        0x1F63 => ("BMP 60 data", Ascii),
        0x4C => ("UID", Binary),
        0x23 => ("receipt numbers", Binary),
        0x24 => ("display texts", Binary),
        0x25 => ("print texts", Binary),
        0x26 => ("permitted commands", Binary),
        0x27 => ("supported character sets", Binary),
        0x28 => ("supported languages", Binary),
        0x2D => ("file", Binary),
        0x2F => ("payment type", Binary),
        0x34 => ("date and time", Binary),
        0x40 => ("EMV configuration parameter", Binary),
        0x41 => ("card type", Number),
        0x42 => ("application label", Ascii),
        0x43 => ("application ID (AID)", Binary),
        0x44 => ("application preferred name", Ascii),
        0x46 => ("EMV print data, customer receipt", Ascii),
        0x47 => ("EMV print data, merchant receipt", Ascii),
        0x60 => ("application", Binary),
        0x62 => ("applications on the card", Binary),
        0xE4 => ("device information", Binary),
        0xE9 => ("BMP 60 container", Binary),
        0x5A => ("card number (PAN)", Pan),
        0x57 => ("track 2 equivalent data", Track),
        0x56 => ("track 1 data", Track),
        0x9F6B => ("track 2 data (contactless)", Track),
        0x9F1F => ("track 1 discretionary data", Track),
        0x9F20 => ("track 2 discretionary data", Track),
        0xFF40 => ("service password (Feig)", BcdDigits),
        0xFF41 => ("host configuration (Feig)", Binary),
        0xFF48 => ("screensaver (Feig)", Binary),
        _ => return None,
    })
}

/// What a result code (BMP 27, the 06 1E byte, 84 xx) means.
pub fn result_text(code: u8) -> &'static str {
    match code {
        0x00 => "success",
        0x01..=0x63 => "error from the host (network operator), passed through",
        0x64 => "card not readable (LRC/parity error)",
        0x65 => "card data not present",
        0x66 => "processing error",
        0x67 => "function not permitted for ec and Maestro cards",
        0x68 => "function not permitted for credit and tank cards",
        0x6A => "turnover file full",
        0x6B => "function deactivated (terminal not registered)",
        0x6C => "abort via time-out or abort key",
        0x6E => "card in blocked list",
        0x6F => "wrong currency",
        0x71 => "credit not sufficient (chip)",
        0x72 => "chip error",
        0x73 => "card data incorrect",
        0x74 => "DUKPT engine exhausted",
        0x75 => "text not authentic",
        0x76 => "PAN not in white list",
        0x77 => "end-of-day batch not possible",
        0x78 => "card expired",
        0x79 => "card not yet valid",
        0x7A => "card unknown",
        0x7B..=0x7C => "fallback to magnetic stripe not possible",
        0x7D => "communication error",
        0x7E => "fallback to magnetic stripe not possible, debit advice possible",
        0x83 => "function not possible",
        0x85 => "key missing",
        0x89 | 0xED => "PIN pad defective",
        0x9A => "ZVT protocol error",
        0x9B => "error from dial-up / communication fault",
        0x9C => "please wait",
        0xA0 => "receiver not ready",
        0xA1 => "remote station does not respond",
        0xA3 => "no connection",
        0xA4 => "submission of Geldkarte not possible",
        0xA5 => "function not allowed due to PCI-DSS/P2PE",
        0xB1 => "memory full",
        0xB2 => "merchant journal full",
        0xB4 => "already reversed",
        0xB5 => "reversal not possible",
        0xB7 => "pre-authorisation incorrect (amount too high)",
        0xB8 => "error pre-authorisation",
        0xBF => "voltage supply too low",
        0xC0 => "card locking mechanism defective",
        0xC1 => "merchant card locked",
        0xC2 => "diagnosis required",
        0xC3 => "maximum amount exceeded",
        0xC4 => "card profile invalid",
        0xC5 => "payment method not supported",
        0xC6 => "currency not applicable",
        0xC8 => "amount too small",
        0xC9 => "max. transaction amount too small",
        0xCB => "function only allowed in EURO",
        0xCC => "printer not ready",
        0xCD => "cashback not possible",
        0xD2 => "function not permitted for service cards",
        0xDC => "card inserted",
        0xDD => "error during card eject",
        0xDE => "error during card insertion",
        0xE0 => "remote maintenance activated",
        0xE2 => "card reader defective",
        0xE3 => "shutter closed",
        0xE4 => "terminal activation required",
        0xE7 => "goods group not found",
        0xE8 => "no goods-group table loaded",
        0xE9 => "restriction code not permitted",
        0xEA => "card code not permitted",
        0xEB => "PIN algorithm unknown",
        0xEC => "PIN processing not possible",
        0xF0 => "open end-of-day batch present",
        0xF1 => "ec-cash/Maestro offline error",
        0xF5 => "OPT error",
        0xF6 => "OPT data not available",
        0xFA => "error transmitting offline transactions",
        0xFB => "turnover data set defective",
        0xFC => "necessary device not present",
        0xFD => "baud rate not supported",
        0xFE => "register unknown",
        0xFF => "system error (details in TLV 1F16 / 1F17)",
        _ => "not in the result-code table",
    }
}

/// What an intermediate status (04 FF, first byte) tells the cashier.
pub fn intermediate_text(code: u8) -> &'static str {
    match code {
        0x00 => "waiting for amount confirmation",
        0x01 | 0x02 => "please watch PIN pad",
        0x03 => "not accepted",
        0x04 => "waiting for response from FEP",
        0x05 => "sending auto-reversal",
        0x06 => "sending post-bookings",
        0x07 => "card not admitted",
        0x08 => "card unknown / undefined",
        0x09 => "expired card",
        0x0A => "insert card",
        0x0B => "please remove card",
        0x0C => "card not readable",
        0x0D => "processing error",
        0x0E => "please wait",
        0x0F => "terminal runs an automatic end-of-day batch",
        0x10 => "invalid card",
        0x11 => "balance display",
        0x12 => "system malfunction",
        0x13 => "payment not possible",
        0x14 => "credit not sufficient",
        0x15 => "incorrect PIN",
        0x16 => "limit not sufficient",
        0x17 => "please wait",
        0x18 => "PIN try limit exceeded",
        0x19 => "card data incorrect",
        0x1A => "service mode",
        0x1B => "approved, please fill up",
        0x1C => "approved, please take goods",
        0x1D => "declined",
        0x26 | 0x27 => "mobile number input",
        0x41..=0x67 => "as the code 40 lower, then please remove card",
        0xD2 => "connecting dial-up",
        0xD3 => "dial-up connection made",
        0xE0 => "application selection",
        0xE1 => "language selection",
        0xF1 => "offline",
        0xF2 => "online",
        0xF3 => "offline transaction",
        0xFF => "no matching code: see the display text (TLV 24/07)",
        _ => "not in the intermediate-status table",
    }
}

/// The card brand of a ZVT card number (BMP 8A), for the numbers the fact sheet lists.
pub fn card_type_text(n: u8) -> Option<&'static str> {
    Some(match n {
        5 => "girocard",
        6 => "Mastercard",
        10 => "Visa",
        46 => "Maestro",
        _ => return None,
    })
}

/// Meanings of one-byte TLV values that have them.
pub fn tlv_byte_text(tag: u32, v: u8) -> Option<&'static str> {
    Some(match (tag, v) {
        (0x1F07, 0x01) => "merchant receipt",
        (0x1F07, 0x02) => "customer receipt",
        (0x1F07, 0x03) => "administration receipt",
        (0x1F10, 0x00) => "no cardholder authentication",
        (0x1F10, 0x01) => "signature",
        (0x1F10, 0x02) => "online PIN",
        (0x1F10, 0x03) => "offline encrypted PIN",
        (0x1F10, 0x04) => "offline plaintext PIN",
        (0x1F10, 0x05 | 0x06) => "offline PIN and signature",
        (0x1F10, 0x07) => "online PIN and signature",
        (0x1F10, 0xFF) => "unknown",
        (0x1F11, 0x00) => "offline",
        (0x1F11, 0x01) => "online",
        (0x1F12, 0x00) => "magnetic stripe",
        (0x1F12, 0x01) => "chip",
        (0x1F12, 0x02) => "contactless",
        (0x14, 0x00) => "ZVT 7-bit",
        (0x14, 0x01..=0x10) => "ISO-8859-n",
        (0x14, 0xFE) => "UTF-8",
        (0x14, 0xFF) => "CP437",
        (0x1B, 0x01) => "line diagnosis",
        (0x1B, 0x02) => "extended diagnosis",
        (0x1B, 0x03) => "configuration diagnosis",
        (0x1B, 0x04) => "EMV configuration diagnosis",
        (0x1B, 0x05) => "ep2 configuration diagnosis",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_constant_has_a_name() {
        for c in [
            cmd::ACK,
            cmd::STATUS_INFORMATION,
            cmd::INTERMEDIATE_STATUS,
            cmd::STATUS_ENQUIRY,
            cmd::REGISTRATION,
            cmd::AUTHORISATION,
            cmd::COMPLETION,
            cmd::ABORT,
            cmd::REVERSAL,
            cmd::REFUND,
            cmd::END_OF_DAY,
            cmd::PRINT_LINE,
            cmd::PRINT_TEXT_BLOCK,
            cmd::WRITE_FILE,
        ] {
            assert!(command_name(c).is_some(), "{c:02X?}");
        }
        assert_eq!(
            command_name((0x04, 0x0F)).map(|n| n.0),
            Some("Status Information")
        );
        assert_eq!(command_name((0x33, 0x33)), None);
    }
}
