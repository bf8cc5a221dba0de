//! ESC/POS for thermal receipt printers: GB18030 text in Chinese mode, wrapped to the
//! printer's columns (a CJK character takes two), centring and bold, then a cut.

use crate::text::wrap;
use crate::{Align, Slip};
use std::io::{self, Write};

/// Characters per line of the paper roll in the printer's standard font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// 58 mm paper.
    C32,
    /// 80 mm paper.
    C48,
}

impl Columns {
    /// Characters per line at this width (the printer's font A).
    pub fn count(self) -> usize {
        match self {
            Columns::C32 => 32,
            Columns::C48 => 48,
        }
    }
}

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;

/// Writes the slips as ESC/POS bytes, each followed by a partial cut.
pub fn write_escpos(slips: &[Slip], cols: Columns, out: &mut dyn Write) -> io::Result<()> {
    // Initialise; FS & selects the Chinese (GB18030) character mode.
    out.write_all(&[ESC, b'@', FS, b'&'])?;
    for slip in slips {
        for line in &slip.lines {
            out.write_all(&[ESC, b'a', if line.align == Align::Center { 1 } else { 0 }])?;
            out.write_all(&[ESC, b'E', u8::from(line.bold)])?;
            for piece in wrap(&line.text, cols.count()) {
                let (bytes, _, _) = encoding_rs::GB18030.encode(&piece);
                out.write_all(&bytes)?;
                out.write_all(b"\n")?;
            }
        }
        out.write_all(&[ESC, b'E', 0, ESC, b'a', 0])?;
        // Feed past the cutter, then cut.
        out.write_all(&[ESC, b'd', 4, GS, b'V', 1])?;
    }
    out.flush()
}
