//! `slipkeeper zvt decode`: frames pasted from a log, read for a person (or as JSON).

use crate::output::print_json;
use clap::{Subcommand, ValueEnum};
use slipkeeper_app::{AppError, ErrorCode};
use slipkeeper_zvt::describe::{describe_frames, render_text, DecodeOptions, Frame};
use slipkeeper_zvt::Charset;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ZvtCmd {
    /// Decode frames pasted from a log: the command, every field named and read, TLV as
    /// a tree, anything unreadable as hex. Card data is masked. `--json` for the same as data.
    Decode {
        /// Hex of one frame each (spaces allowed inside quotes).
        hex: Vec<String>,
        /// The frames are serial (DLE STX … DLE ETX CRC); frames starting 10 02 are anyway.
        #[arg(long)]
        serial: bool,
        /// The terminal's character set for text, until a registration names one.
        #[arg(long, value_enum, default_value_t = TextSet::Cp437)]
        charset: TextSet,
    },
}

/// Character sets terminals print in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextSet {
    /// ZVT's default.
    Cp437,
    /// ZVT 7-bit (German letters at 5B–5D, 7B–7E).
    Zvt7,
    /// ISO-8859-1.
    Latin1,
    /// ISO-8859-15.
    Latin9,
    Utf8,
    /// Chinese terminals (a superset of GBK and GB2312).
    Gb18030,
}

impl From<TextSet> for Charset {
    fn from(t: TextSet) -> Charset {
        match t {
            TextSet::Cp437 => Charset::Cp437,
            TextSet::Zvt7 => Charset::Zvt7,
            TextSet::Latin1 => Charset::Iso8859(1),
            TextSet::Latin9 => Charset::Iso8859(15),
            TextSet::Utf8 => Charset::Utf8,
            TextSet::Gb18030 => Charset::Gb18030,
        }
    }
}

/// Needs no journal: a support person pastes frames from anywhere.
pub fn run(ctx: &crate::ctx::Ctx, cmd: ZvtCmd) -> Result<ExitCode, AppError> {
    let out = &ctx.out;
    let ZvtCmd::Decode {
        hex,
        serial,
        charset,
    } = cmd;
    let opts = DecodeOptions {
        serial,
        charset: charset.into(),
        charset_chosen: charset != TextSet::Cp437,
    };
    let mut frames: Vec<Frame> = Vec::with_capacity(hex.len());
    // Frames that are not hex are reported in place; the others are read in order.
    let mut readable = Vec::new();
    let mut slots = Vec::new();
    for (i, h) in hex.iter().enumerate() {
        let clean: String = h.chars().filter(|c| !c.is_whitespace()).collect();
        match hex_bytes(&clean) {
            Ok(b) => {
                slots.push(Ok(readable.len()));
                readable.push(b);
            }
            Err(e) => slots.push(Err(Frame::unreadable(i + 1, e))),
        }
    }
    let mut described = describe_frames(&readable, opts).into_iter();
    for (i, s) in slots.into_iter().enumerate() {
        match s {
            Ok(_) => {
                if let Some(mut f) = described.next() {
                    f.index = i + 1;
                    frames.push(f);
                }
            }
            Err(f) => frames.push(f),
        }
    }
    let failed = frames.iter().any(|f| f.error.is_some());
    if out.json {
        print_json(&serde_json::json!({ "frames": frames }));
    } else {
        let mut buf = Vec::new();
        render_text(&frames, &mut buf)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        say!("{}", String::from_utf8_lossy(&buf).trim_end());
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Hex digits to bytes, by characters: anything pasted (full-width digits, Chinese
/// text) is an error naming the character and where it is, never a panic.
fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<(usize, char)> = s.chars().enumerate().collect();
    if let Some((i, c)) = digits.iter().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!("{c:?} at position {} is not a hex digit", i + 1));
    }
    if !digits.len().is_multiple_of(2) {
        return Err("odd number of hex digits".into());
    }
    Ok(digits
        .chunks(2)
        .map(|p| {
            let v = |c: char| c.to_digit(16).unwrap_or(0) as u8;
            v(p[0].1) << 4 | v(p[1].1)
        })
        .collect())
}
