//! Frames described for a person: what `slipkeeper zvt decode` prints and its `--json`.
//!
//! A support person pastes a frame from a log; the answer names the command, every
//! field with its number, name and value read the way the field is meant (money,
//! dates, BCD numbers, text in its character set), TLV as a tree, and anything it
//! cannot read as hex with the reason. Card data is masked before anything is read, so
//! neither form ever shows more of a card number than its first six and last four.
//!
//! The JSON form ([`Frame`] serialised) is a documented, stable interface (see
//! `docs/zvt-decode.md`): fields may be added, none renamed or removed.

use crate::names::{self, cmd, BmpFormat, TlvFormat};
use crate::serial::{crc_of, DLE, ETX, STX};
use crate::tlv::{parse_tlvs, Tlv, TlvValue};
use crate::{bcd_digits, bcd_u64, decode_text, mask_card_data, Apdu, Bmp, Charset};
use crate::{Completion, Fields, Message};
use serde::Serialize;
use std::fmt::Write as _;
use std::io;

/// How frames are read when they do not say it themselves.
#[derive(Clone, Copy, Debug)]
pub struct DecodeOptions {
    /// Treat every frame as serial (`DLE STX … DLE ETX CRC`); frames starting with
    /// `10 02` are read as serial anyway.
    pub serial: bool,
    /// Character set of terminal text until a registration negotiates another.
    pub charset: Charset,
    /// The charset was chosen by the user (named as such).
    pub charset_chosen: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            serial: false,
            charset: Charset::Cp437,
            charset_chosen: false,
        }
    }
}

/// One frame, described.
#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    /// 1-based position in the input.
    pub index: usize,
    /// `tcp` (a bare APDU) or `serial`.
    pub transport: &'static str,
    /// Serial framing, for serial frames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<SerialFraming>,
    /// The APDU as read, upper-case hex, card data masked.
    pub hex: String,
    /// Whether card data was masked in `hex` and the fields.
    pub card_data_masked: bool,
    /// The command, when the bytes have at least a CLASS and INSTR.
    pub command: Option<CommandInfo>,
    /// The character set text was read in, and where that choice came from.
    pub charset: String,
    /// Fixed parameters, BMPs and TLV, in wire order.
    pub fields: Vec<Field>,
    /// Why (part of) the frame could not be read; `None` when all of it was.
    pub error: Option<String>,
}

impl Frame {
    /// A frame that could not even be read as bytes (the reason says why).
    pub fn unreadable(index: usize, error: String) -> Frame {
        Frame {
            index,
            transport: "tcp",
            serial: None,
            hex: String::new(),
            card_data_masked: false,
            command: None,
            charset: String::new(),
            fields: Vec::new(),
            error: Some(error),
        }
    }
}

/// The serial wrapping of a frame.
#[derive(Clone, Debug, Serialize)]
pub struct SerialFraming {
    /// The CRC sent equals the one computed.
    pub crc_ok: bool,
    /// The CRC as sent (two bytes, low first, as on the wire).
    pub crc_received: String,
    /// The CRC computed over the APDU and ETX, in the same byte order.
    pub crc_computed: String,
    /// How many `10` bytes of the APDU were doubled on the wire.
    pub doubled_dle: usize,
}

/// CLASS and INSTR with what they mean.
#[derive(Clone, Debug, Serialize)]
pub struct CommandInfo {
    /// "04 0F".
    pub code: String,
    /// "Status Information", or "unknown command".
    pub name: String,
    /// "ECR → PT", "PT → ECR", "either way", or "" when unknown.
    pub direction: String,
    /// Data bytes the length field declares.
    pub length: usize,
    /// The length used the three-byte form (`FF lo hi`).
    pub extended_length: bool,
}

/// What kind of part of the frame a [`Field`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A fixed parameter before the BMPs (password, status byte, print attribute …).
    Param,
    /// A BMP: its number, then a value of known length.
    Bmp,
    /// A TLV element (in BMP 06 or a TLV container).
    Tlv,
    /// Bytes that could not be read, as hex.
    Rest,
}

/// A typed value: a number, a string, or nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// No value (a container, or nothing to read).
    Null,
    /// A number: amounts in minor units, BCD numbers, counters.
    Number(u64),
    /// A string: digits as on the wire, text, or hex.
    Text(String),
}

/// One part of a frame.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    /// What kind of part it is.
    pub kind: FieldKind,
    /// BMP id or TLV tag in hex ("27", "1F07"); a parameter's key ("password").
    pub id: String,
    /// Its name as the fact sheet gives it ("amount", "trace number"), or "unknown".
    pub name: String,
    /// Its bytes, upper-case hex (masked where card data).
    pub hex: String,
    /// Its value, typed: amounts in minor units, BCD numbers as numbers, digit strings
    /// (terminal id, dates as on the wire) and text as strings, bytes without meaning as hex.
    pub value: Value,
    /// The value for a person: money with its decimals, times with colons, the
    /// meaning of a code.
    pub text: String,
    /// The elements inside a container (TLV constructed tags, BMP 06).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Field>,
}

/// Reads frames in order. A registration that names a character set (TLV 14) sets it
/// for the frames after it.
pub fn describe_frames(frames: &[Vec<u8>], opts: DecodeOptions) -> Vec<Frame> {
    let mut charset = opts.charset;
    let mut source = if opts.charset_chosen {
        "chosen".to_owned()
    } else {
        "default".to_owned()
    };
    let mut out = Vec::with_capacity(frames.len());
    for (i, bytes) in frames.iter().enumerate() {
        let f = describe(i + 1, bytes, opts.serial, charset, &source);
        if let Some(cs) = negotiated_charset(&f) {
            charset = cs;
            source = format!("negotiated in frame {}", i + 1);
        }
        out.push(f);
    }
    out
}

fn charset_name(c: Charset) -> String {
    match c {
        Charset::Cp437 => "CP437".into(),
        Charset::Zvt7 => "ZVT 7-bit".into(),
        Charset::Iso8859(n) => format!("ISO-8859-{n}"),
        Charset::Utf8 => "UTF-8".into(),
        Charset::Gb18030 => "GB18030".into(),
    }
}

fn negotiated_charset(f: &Frame) -> Option<Charset> {
    let c = f.command.as_ref()?;
    if c.code != "06 00" {
        return None;
    }
    let tlv = f
        .fields
        .iter()
        .find(|x| x.kind == FieldKind::Bmp && x.id == "06")?;
    let t14 = tlv.children.iter().find(|x| x.id == "14")?;
    match t14.value {
        Value::Number(n) => Charset::from_zvt_code(n as u8),
        _ => None,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn spaced(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Un-stuffs a serial frame without giving up on a bad CRC (the point is to show it).
fn unframe(b: &[u8]) -> Result<(Vec<u8>, SerialFraming), String> {
    if !b.starts_with(&[DLE, STX]) {
        return Err("a serial frame starts with 10 02 (DLE STX)".into());
    }
    let mut apdu = Vec::new();
    let mut doubled = 0;
    let mut i = 2;
    loop {
        match b.get(i) {
            None => return Err("no 10 03 (DLE ETX) at the end".into()),
            Some(&DLE) => match b.get(i + 1) {
                Some(&DLE) => {
                    apdu.push(DLE);
                    doubled += 1;
                    i += 2;
                }
                Some(&ETX) => {
                    i += 2;
                    break;
                }
                Some(other) => {
                    return Err(format!(
                        "byte {}: 10 (DLE) followed by {other:02X}, neither a doubled 10 nor ETX",
                        i + 1
                    ))
                }
                None => return Err("ends after a lone 10 (DLE)".into()),
            },
            Some(&x) => {
                apdu.push(x);
                i += 1;
            }
        }
    }
    let crc = b.get(i..).unwrap_or_default();
    if crc.len() != 2 {
        return Err(format!(
            "after DLE ETX come {} byte(s); the CRC is two",
            crc.len()
        ));
    }
    let computed = crc_of(&apdu).to_le_bytes();
    Ok((
        apdu,
        SerialFraming {
            crc_ok: crc == computed,
            crc_received: spaced(crc),
            crc_computed: spaced(&computed),
            doubled_dle: doubled,
        },
    ))
}

fn describe(index: usize, bytes: &[u8], serial: bool, cs: Charset, cs_source: &str) -> Frame {
    let mut frame = Frame {
        charset: format!("{} ({cs_source})", charset_name(cs)),
        error: None,
        ..Frame::unreadable(index, String::new())
    };
    let is_serial = serial || bytes.starts_with(&[DLE, STX]);
    let apdu_bytes = if is_serial {
        frame.transport = "serial";
        // On a serial line a lone 06 or 15 is the line's answer to a frame.
        match bytes {
            [0x06] | [0x15] => {
                frame.hex = hex(bytes);
                let (id, name) = if bytes[0] == 0x06 {
                    ("ACK", "line acknowledgement: frame received, CRC right")
                } else {
                    ("NAK", "line negative acknowledgement: send the frame again")
                };
                frame
                    .fields
                    .push(param(id, name, bytes, Value::Null, name.into()));
                return frame;
            }
            _ => {}
        }
        match unframe(bytes) {
            Ok((apdu, framing)) => {
                if !framing.crc_ok {
                    frame.error = Some(format!(
                        "CRC {} received, {} computed: the frame was damaged on the line",
                        framing.crc_received, framing.crc_computed
                    ));
                }
                frame.serial = Some(framing);
                apdu
            }
            Err(e) => {
                let m = mask_card_data(bytes);
                frame.hex = hex(&m.bytes);
                frame.card_data_masked = m.masked;
                frame.error = Some(format!("serial framing: {e}"));
                return frame;
            }
        }
    } else {
        bytes.to_vec()
    };
    let masked = mask_card_data(&apdu_bytes);
    frame.card_data_masked = masked.masked;
    frame.hex = hex(&masked.bytes);
    let b = masked.bytes;
    if b.len() < 2 {
        frame.error = Some(format!(
            "{} byte(s): an APDU has at least CLASS, INSTR and a length",
            b.len()
        ));
        return frame;
    }
    let code = (b[0], b[1]);
    let (len, extended, hdr) = match b.get(2) {
        Some(0xFF) if b.len() >= 5 => (usize::from(b[3]) | usize::from(b[4]) << 8, true, 5),
        Some(&n) => (usize::from(n), false, 3),
        None => (0, false, 2),
    };
    let (name, dir) = match names::command_name(code) {
        Some((n, d)) => (n.to_owned(), d.label().to_owned()),
        None => ("unknown command".to_owned(), String::new()),
    };
    frame.command = Some(CommandInfo {
        code: format!("{:02X} {:02X}", code.0, code.1),
        name,
        direction: dir,
        length: len,
        extended_length: extended,
    });
    let ctx = Ctx {
        cs,
        currency: None,
        code,
    };
    let apdu = match Apdu::decode_exact(&b) {
        Ok(a) => a,
        Err(e) => {
            frame.error = Some(e.to_string());
            // What is there is still worth reading: the declared bytes when more came,
            // as far as the BMPs go when fewer did.
            let data = b.get(hdr..).unwrap_or_default();
            let (body, extra) = data.split_at(len.min(data.len()));
            let a = Apdu::new(code.0, code.1, body.to_vec());
            frame.fields = match Message::decode(&a) {
                Ok(m) => message_fields(&m, &a, ctx),
                _ => lenient_fields(&a, ctx),
            };
            if !extra.is_empty() {
                frame
                    .fields
                    .push(rest(extra, "bytes after the declared length"));
            }
            return frame;
        }
    };
    match Message::decode(&apdu) {
        Ok(m) => frame.fields = message_fields(&m, &apdu, ctx),
        Err(e) => {
            frame.error = Some(e.to_string());
            frame.fields = lenient_fields(&apdu, ctx);
        }
    }
    frame
}

#[derive(Clone, Copy)]
struct Ctx {
    cs: Charset,
    currency: Option<u16>,
    code: (u8, u8),
}

fn param(id: &str, name: &str, bytes: &[u8], value: Value, text: String) -> Field {
    Field {
        kind: FieldKind::Param,
        id: id.into(),
        name: name.into(),
        hex: hex(bytes),
        value,
        text,
        children: Vec::new(),
    }
}

fn rest(bytes: &[u8], name: &str) -> Field {
    Field {
        kind: FieldKind::Rest,
        id: "rest".into(),
        name: name.into(),
        hex: hex(bytes),
        value: Value::Text(hex(bytes)),
        text: spaced(bytes),
        children: Vec::new(),
    }
}

/// A result code as a parameter: the code in hex and what it means.
fn result_param(id: &str, name: &str, code: u8) -> Field {
    param(
        id,
        name,
        &[code],
        Value::Number(u64::from(code)),
        format!("{code:02X} {}", names::result_text(code)),
    )
}

/// A time-out byte, in seconds.
fn timeout_param(t: u8) -> Field {
    param(
        "timeout",
        "time-out (s)",
        &[t],
        Value::Number(u64::from(t)),
        format!("{t} s"),
    )
}

fn byte_text(v: u8) -> String {
    format!("{v} (hex {v:02X})")
}

fn password(d: &[u8]) -> Field {
    let digits = bcd_digits(d, "password").unwrap_or_else(|_| hex(d));
    param(
        "password",
        "password",
        d,
        Value::Text(digits.clone()),
        digits,
    )
}

fn message_fields(m: &Message, a: &Apdu, mut ctx: Ctx) -> Vec<Field> {
    let d = &a.data[..];
    let mut out = Vec::new();
    let fields: Option<&Fields> = match m {
        Message::Ack(f) | Message::StatusInformation(f) | Message::PrintTextBlock(f) => Some(f),
        Message::Nack { code, fields } => {
            out.push(result_param("error_code", "error code", *code));
            Some(fields)
        }
        Message::IntermediateStatus {
            status,
            timeout,
            fields,
        } => {
            let meaning = match status {
                0x41..=0x67 => format!(
                    "{}, then please remove card",
                    names::intermediate_text(status - 0x40)
                ),
                s => names::intermediate_text(*s).to_owned(),
            };
            out.push(param(
                "status",
                "intermediate status",
                &[*status],
                Value::Number(u64::from(*status)),
                format!("{status:02X} {meaning}"),
            ));
            if let Some(t) = timeout {
                out.push(timeout_param(*t));
            }
            Some(fields)
        }
        Message::PrintLine(p) => {
            out.push(param(
                "attribute",
                "print attribute",
                &[p.attribute],
                Value::Number(u64::from(p.attribute)),
                attribute_text(p.attribute),
            ));
            let t = decode_text(&p.text, ctx.cs);
            out.push(param(
                "text",
                "text",
                &p.text,
                Value::Text(t.clone()),
                format!("{t:?}"),
            ));
            if !p.tlv.is_empty() {
                out.extend(p.tlv.iter().map(|t| tlv_field(t, ctx)));
            }
            None
        }
        Message::Completion(Completion::Fields(f)) => Some(f),
        Message::Completion(Completion::Status {
            sw_version,
            terminal_status,
            tlv,
        }) => {
            if let Some(v) = sw_version {
                let t = decode_text(v, ctx.cs);
                out.push(param(
                    "sw_version",
                    "software version",
                    v,
                    Value::Text(t.clone()),
                    format!("{t:?}"),
                ));
            }
            out.push(param(
                "terminal_status",
                "terminal status",
                &[*terminal_status],
                Value::Number(u64::from(*terminal_status)),
                match terminal_status {
                    0 => "00 ready".into(),
                    s => format!("{s:02X} not ready (the terminal's own code)"),
                },
            ));
            // The TLV as a BMP 06 (an empty one shows too: the terminal sent it).
            let at = sw_version.as_ref().map_or(1, |v| 4 + v.len());
            match d.get(at..).map(|r| crate::parse_bmps(r, at)) {
                Some(Ok(bmps)) if !bmps.is_empty() => {
                    out.extend(bmps.iter().map(|b| bmp_field(b, ctx)))
                }
                _ => out.extend(tlv.iter().map(|t| tlv_field(t, ctx))),
            }
            None
        }
        Message::Completion(Completion::Raw(v)) => {
            out.push(rest(v, "vendor data (not interpreted)"));
            None
        }
        Message::Abort {
            result_code,
            fields,
        } => {
            if let Some(rc) = result_code {
                out.push(result_param("result_code", "result code", *rc));
            }
            Some(fields)
        }
        Message::Registration {
            config,
            currency,
            fields,
            ..
        } => {
            out.push(password(&d[..3]));
            out.push(param(
                "config_byte",
                "config byte",
                &[*config],
                Value::Number(u64::from(*config)),
                byte_text(*config),
            ));
            if let Some(c) = currency {
                ctx.currency = Some(*c);
                out.push(param(
                    "currency",
                    "currency code",
                    &d[4..6],
                    Value::Number(u64::from(*c)),
                    currency_text(*c),
                ));
            }
            Some(fields)
        }
        Message::WithPassword { fields, .. } => {
            out.push(password(&d[..3]));
            Some(fields)
        }
        Message::StatusEnquiry {
            password: p,
            fields,
        } => {
            if p.is_some() {
                out.push(password(&d[..3]));
            }
            Some(fields)
        }
        Message::Command { fields, .. } => {
            if ctx.code == cmd::READ_CARD {
                if let Some(&t) = d.first() {
                    out.push(timeout_param(t));
                }
            }
            Some(fields)
        }
        Message::Other(a) => {
            if !a.data.is_empty() {
                out.push(rest(&a.data, "data (not interpreted for this command)"));
            }
            None
        }
    };
    if let Some(f) = fields {
        if ctx.currency.is_none() {
            ctx.currency = f.currency;
        }
        out.extend(f.raw.iter().map(|b| bmp_field(b, ctx)));
    }
    out
}

/// Where the BMPs start in a message whose strict decode failed.
fn bmp_start(code: (u8, u8), d: &[u8]) -> usize {
    crate::message::fixed_part(code).min(d.len())
}

/// What can be read of a message that does not decode: its fixed part as hex, every
/// BMP up to the one that breaks, then the rest as hex.
fn lenient_fields(a: &Apdu, ctx: Ctx) -> Vec<Field> {
    let d = &a.data[..];
    let start = bmp_start(ctx.code, d);
    let mut out = Vec::new();
    if start > 0 {
        out.push(param(
            "fixed",
            "fixed parameters",
            &d[..start],
            Value::Text(hex(&d[..start])),
            spaced(&d[..start]),
        ));
    }
    let (spans, err) = crate::bmp::bmp_walk(&d[start..], start);
    let mut end = start;
    for (id, r) in spans {
        let b = Bmp {
            id,
            value: d[start + r.start..start + r.end].to_vec(),
        };
        out.push(bmp_field(&b, ctx));
        end = start + r.end;
    }
    if err.is_some() && end < d.len() {
        out.push(rest(&d[end..], "not readable from here on"));
    }
    out
}

fn attribute_text(a: u8) -> String {
    let mut parts = Vec::new();
    if a == 0xFF {
        parts.push("line feed".to_owned());
    } else if a & 0x80 != 0 {
        parts.push("last line of the receipt".to_owned());
    } else if a == 0 {
        parts.push("normal".to_owned());
    } else {
        if a & 0x40 != 0 {
            parts.push("centred".to_owned());
        }
        if a & 0x20 != 0 {
            parts.push("double width".to_owned());
        }
        if a & 0x10 != 0 {
            parts.push("double height".to_owned());
        }
    }
    format!("{a:02X} {}", parts.join(", "))
}

fn currency_text(c: u16) -> String {
    match currency_code(c) {
        Some((alpha, _)) => format!("{c} ({alpha})"),
        None => format!("{c}"),
    }
}

/// ISO 4217 letters and decimals of the currencies a shop here meets.
fn currency_code(c: u16) -> Option<(&'static str, u32)> {
    Some(match c {
        156 => ("CNY", 2),
        344 => ("HKD", 2),
        446 => ("MOP", 2),
        978 => ("EUR", 2),
        840 => ("USD", 2),
        826 => ("GBP", 2),
        756 => ("CHF", 2),
        392 => ("JPY", 0),
        410 => ("KRW", 0),
        _ => return None,
    })
}

fn money(minor: u64, currency: Option<u16>) -> String {
    let (alpha, decimals) = currency.and_then(currency_code).unwrap_or(("", 2));
    let s = if decimals == 0 {
        minor.to_string()
    } else {
        let p = 10u64.pow(decimals);
        format!("{}.{:0w$}", minor / p, minor % p, w = decimals as usize)
    };
    if alpha.is_empty() {
        s
    } else {
        format!("{s} {alpha}")
    }
}

/// Card nibbles as text: digits, `*` for a masked digit (`E`), and the separator and
/// fill nibbles kept where they are (`D`, `F`, and any other letter).
fn nibbles(v: &[u8]) -> String {
    let mut s = String::with_capacity(v.len() * 2);
    for b in v {
        for n in [b >> 4, b & 0x0F] {
            s.push(match n {
                0..=9 => char::from(b'0' + n),
                0xE => '*',
                other => char::from(b"0123456789ABCDEF"[usize::from(other)]),
            });
        }
    }
    s
}

fn card_value(v: &[u8]) -> (Value, String) {
    let s = if crate::mask::is_text(v) {
        String::from_utf8_lossy(v).into_owned()
    } else {
        nibbles(v)
    };
    let s = mask_shown(&s);
    (Value::Text(s.clone()), s)
}

/// Masks card data as shown, whatever the frame masker could see (a frame whose BMPs
/// do not walk is masked only where its bytes look like a card number): the number
/// keeps at most its first six and last four digits, nothing after the separator.
fn mask_shown(s: &str) -> String {
    let cut = s.find(['D', '=', '^']).unwrap_or(s.len());
    let (number, after) = s.split_at(cut);
    let digits = number.chars().filter(char::is_ascii_digit).count()
        + number.chars().filter(|c| *c == '*').count();
    let head = crate::mask::visible_head(digits);
    let tail_from = digits.saturating_sub(4);
    let mut k = 0;
    let mut out: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_digit() || c == '*' {
                let shown = k < head || k >= tail_from;
                k += 1;
                if shown {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect();
    out.extend(
        after
            .chars()
            .map(|c| if c.is_ascii_digit() { '*' } else { c }),
    );
    out
}

/// BCD digits kept as a string, shown through `show` (its fixed length is the BMP's);
/// bytes that are not BCD as hex.
fn bcd_shown(v: &[u8], show: impl Fn(&str) -> String) -> (Value, String) {
    match bcd_digits(v, "digits") {
        Ok(s) => {
            let t = show(&s);
            (Value::Text(s), t)
        }
        Err(_) => (Value::Null, format!("not BCD: {}", spaced(v))),
    }
}

fn digits_or_hex(v: &[u8]) -> (Value, String) {
    match bcd_digits(v, "digits") {
        Ok(s) => (Value::Text(s.clone()), s),
        Err(_) => (Value::Null, format!("not BCD: {}", spaced(v))),
    }
}

fn bmp_field(b: &Bmp, ctx: Ctx) -> Field {
    let v = &b.value[..];
    let (name, format) = names::bmp_name(b.id).unwrap_or(("unknown BMP", BmpFormat::Binary));
    let mut children = Vec::new();
    let (value, text) = match format {
        BmpFormat::Byte => {
            let x = v[0];
            let text = match b.id {
                0x27 | 0xA0 => format!("{x:02X} {}", names::result_text(x)),
                0x8A => match names::card_type_text(x) {
                    Some(n) => format!("{x} {n}"),
                    None => byte_text(x),
                },
                _ => byte_text(x),
            };
            (Value::Number(u64::from(x)), text)
        }
        BmpFormat::BcdNumber => match bcd_u64(v, "number") {
            Ok(n) if b.id == 0x49 => (Value::Number(n), currency_text(n as u16)),
            Ok(n) => (
                Value::Number(n),
                bcd_digits(v, "number").unwrap_or_default(),
            ),
            Err(_) if b.id == 0x87 && v == [0xFF, 0xFF] => {
                (Value::Text("FFFF".into()), "FF FF (none / all)".into())
            }
            Err(_) => (Value::Null, format!("not BCD: {}", spaced(v))),
        },
        BmpFormat::BcdDigits => digits_or_hex(v),
        BmpFormat::Amount => match bcd_u64(v, "amount") {
            Ok(n) => (Value::Number(n), money(n, ctx.currency)),
            Err(_) => (Value::Null, format!("not BCD: {}", spaced(v))),
        },
        BmpFormat::Time => bcd_shown(v, |s| format!("{}:{}:{}", &s[0..2], &s[2..4], &s[4..6])),
        BmpFormat::DateMmdd => bcd_shown(v, |s| format!("month {}, day {}", &s[0..2], &s[2..4])),
        BmpFormat::DateYymmdd => {
            bcd_shown(v, |s| format!("20{}-{}-{}", &s[0..2], &s[2..4], &s[4..6]))
        }
        BmpFormat::Expiry => match bcd_digits(v, "expiry") {
            Ok(s)
                if matches!(
                    &s[2..4],
                    "01" | "02"
                        | "03"
                        | "04"
                        | "05"
                        | "06"
                        | "07"
                        | "08"
                        | "09"
                        | "10"
                        | "11"
                        | "12"
                ) =>
            {
                (
                    Value::Text(s.clone()),
                    format!("20{}-{}", &s[0..2], &s[2..4]),
                )
            }
            Ok(s) => (
                Value::Text(s.clone()),
                format!("{s} (not a date: not given)"),
            ),
            Err(_) => (
                Value::Text(nibbles(v)),
                format!("{} (masked or not BCD)", nibbles(v)),
            ),
        },
        BmpFormat::Pan | BmpFormat::Track => card_value(v),
        BmpFormat::Text => {
            let t = decode_text(trim_nul(v), ctx.cs);
            (Value::Text(t.clone()), format!("{t:?}"))
        }
        BmpFormat::Ascii => {
            let t = String::from_utf8_lossy(v).into_owned();
            let shown = t.trim_end_matches([' ', '\0']).to_owned();
            (Value::Text(t), format!("{shown:?}"))
        }
        BmpFormat::Tlv => match parse_tlvs(v, 0) {
            Ok(list) => {
                children = list.iter().map(|t| tlv_field(t, ctx)).collect();
                (Value::Null, format!("{} byte(s)", v.len()))
            }
            Err(e) => (Value::Text(hex(v)), format!("{} — {e}", spaced(v))),
        },
        BmpFormat::Binary => (Value::Text(hex(v)), spaced(v)),
    };
    Field {
        kind: FieldKind::Bmp,
        id: format!("{:02X}", b.id),
        name: name.into(),
        hex: hex(v),
        value,
        text,
        children,
    }
}

fn trim_nul(v: &[u8]) -> &[u8] {
    let end = v.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    &v[..end]
}

fn tlv_field(t: &Tlv, ctx: Ctx) -> Field {
    let (name, format) = names::tlv_name(t.tag).unwrap_or(("unknown tag", TlvFormat::Binary));
    let id = format!("{:02X}", t.tag);
    match &t.value {
        TlvValue::Constructed(c) => Field {
            kind: FieldKind::Tlv,
            id,
            name: name.into(),
            hex: hex(&crate::encode_tlvs(c)),
            value: Value::Null,
            text: format!("{} item(s)", c.len()),
            children: c.iter().map(|x| tlv_field(x, ctx)).collect(),
        },
        TlvValue::Primitive(v) => {
            let (value, text) = tlv_value(t.tag, format, v, ctx);
            Field {
                kind: FieldKind::Tlv,
                id,
                name: name.into(),
                hex: hex(v),
                value,
                text,
                children: Vec::new(),
            }
        }
    }
}

fn tlv_value(tag: u32, format: TlvFormat, v: &[u8], ctx: Ctx) -> (Value, String) {
    let binary = || (Value::Text(hex(v)), spaced(v));
    match format {
        TlvFormat::Text => {
            let t = decode_text(v, ctx.cs);
            (Value::Text(t.clone()), format!("{t:?}"))
        }
        TlvFormat::Ascii => {
            let t = String::from_utf8_lossy(v).into_owned();
            (Value::Text(t.clone()), format!("{t:?}"))
        }
        TlvFormat::Byte if v.len() == 1 => {
            let x = v[0];
            let text = match names::tlv_byte_text(tag, x) {
                Some(m) => format!("{x:02X} {m}"),
                None => byte_text(x),
            };
            (Value::Number(u64::from(x)), text)
        }
        TlvFormat::Number if !v.is_empty() && v.len() <= 8 => {
            let n = v.iter().fold(0u64, |a, b| a << 8 | u64::from(*b));
            (Value::Number(n), n.to_string())
        }
        TlvFormat::BcdDigits => digits_or_hex(v),
        TlvFormat::Command if v.len() == 2 => {
            let name = names::command_name((v[0], v[1])).map_or("unknown command", |n| n.0);
            (
                Value::Text(hex(v)),
                format!("{:02X} {:02X} {name}", v[0], v[1]),
            )
        }
        TlvFormat::Date => match bcd_digits(v, "date") {
            Ok(s) if s.len() == 8 => (
                Value::Text(s.clone()),
                format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8]),
            ),
            _ => binary(),
        },
        TlvFormat::Time => match bcd_digits(v, "time") {
            Ok(s) if s.len() == 6 => (
                Value::Text(s.clone()),
                format!("{}:{}:{}", &s[0..2], &s[2..4], &s[4..6]),
            ),
            _ => binary(),
        },
        TlvFormat::Pan | TlvFormat::Track => card_value(v),
        _ => binary(),
    }
}

/// The human form: one block per frame, one line per field, TLV indented as a tree.
pub fn render_text(frames: &[Frame], out: &mut dyn io::Write) -> io::Result<()> {
    let mut s = String::new();
    for f in frames {
        let _ = write!(s, "frame {} · {}", f.index, f.transport.to_uppercase());
        if let Some(sf) = &f.serial {
            let _ = write!(
                s,
                " · DLE STX … DLE ETX · CRC {} {}",
                sf.crc_received,
                if sf.crc_ok {
                    "correct".to_owned()
                } else {
                    format!("WRONG (computed {})", sf.crc_computed)
                }
            );
            if sf.doubled_dle > 0 {
                let _ = write!(s, " · {} doubled DLE", sf.doubled_dle);
            }
        }
        s.push('\n');
        if let Some(c) = &f.command {
            let _ = write!(s, "  {} {}", c.code, c.name);
            if !c.direction.is_empty() {
                let _ = write!(s, " ({})", c.direction);
            }
            let _ = writeln!(
                s,
                " · {} data byte(s){} · text in {}",
                c.length,
                if c.extended_length {
                    ", extended length"
                } else {
                    ""
                },
                f.charset
            );
        }
        for field in &f.fields {
            field_lines(field, 1, &mut s);
        }
        if f.card_data_masked {
            s.push_str("  card data masked (first 6 and last 4 digits at most)\n");
        }
        if let Some(e) = &f.error {
            let _ = writeln!(s, "  ! {e}");
        }
        if !f.hex.is_empty() {
            let _ = writeln!(s, "  hex {}", f.hex);
        }
        s.push('\n');
    }
    out.write_all(s.as_bytes())
}

fn field_lines(f: &Field, depth: usize, s: &mut String) {
    let label = match f.kind {
        FieldKind::Bmp => format!("BMP {} {}", f.id, f.name),
        FieldKind::Tlv => format!("{} {}", f.id, f.name),
        FieldKind::Param | FieldKind::Rest => f.name.clone(),
    };
    let indent = "  ".repeat(depth + 1);
    let width = 44usize.saturating_sub(indent.len());
    let text = if f.text.is_empty() {
        "(empty)"
    } else {
        &f.text
    };
    let _ = writeln!(s, "{indent}{label:<width$} {text}");
    for c in &f.children {
        field_lines(c, depth + 1, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Frame {
        describe_frames(&[bytes.to_vec()], DecodeOptions::default()).remove(0)
    }

    #[test]
    fn pan_keeps_fill_and_separator_nibbles_and_masks_the_middle() {
        // 23 LLVAR track 2: 4761 7390 0101 0119 D 2512 F (a test card) in a 04 0F.
        let mut f = vec![0x04, 0x0F, 0x00, 0x23, 0xF1, 0xF1];
        f.extend([
            0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19, 0xD2, 0x51, 0x2F,
        ]);
        f[2] = (f.len() - 3) as u8;
        let d = one(&f);
        let pan = &d.fields[0];
        assert_eq!(
            pan.value,
            Value::Text("476173******0119D****F".into()),
            "{pan:?}"
        );
        assert!(d.card_data_masked);
        assert!(!d.hex.contains("900101"), "{}", d.hex);
        // 22 PAN of 19 digits, F-filled.
        let d = one(&[
            0x04, 0x0F, 0x0D, 0x22, 0xF1, 0xF0, 0x62, 0x28, 0x48, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x12, 0x3F,
        ]);
        assert_eq!(
            d.fields[0].value,
            Value::Text("622848*********0123F".into())
        );
    }

    #[test]
    fn a_bad_crc_is_shown_and_the_apdu_still_read() {
        let mut f = crate::serial::frame(&[0x06, 0x0F, 0x02, 0x27, 0x00]);
        let n = f.len();
        f[n - 1] ^= 0xFF;
        let d = one(&f);
        assert_eq!(d.transport, "serial");
        assert!(!d.serial.as_ref().map(|s| s.crc_ok).unwrap_or(true));
        assert!(d.error.as_deref().unwrap_or("").contains("CRC"));
        assert_eq!(d.fields[0].id, "27");
    }

    #[test]
    fn an_unknown_bmp_leaves_the_rest_as_hex() {
        let d = one(&[0x04, 0x0F, 0x05, 0x27, 0x00, 0x5F, 0x01, 0x02]);
        assert_eq!(d.fields[0].id, "27");
        assert_eq!(d.fields[1].kind, FieldKind::Rest);
        assert_eq!(d.fields[1].hex, "5F0102");
        assert!(d.error.as_deref().unwrap_or("").contains("5F"));
    }
}
