//! Receipt and display text in the encodings terminals use.

/// Character set of terminal text (TLV 14 negotiates it; CP437 is ZVT's default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// Code page 437, "ZVT 8-bit": the default for all PT texts.
    Cp437,
    /// "ZVT 7-bit": ASCII with German letters at 5B–5D and 7B–7E.
    Zvt7,
    /// ISO-8859-n (1–16).
    Iso8859(u8),
    /// UTF-8.
    Utf8,
    /// Chinese terminals print GB18030 (a superset of GBK/GB2312).
    Gb18030,
}

impl Charset {
    /// From the TLV 14 code: 00 ASCII-7, 01–10 ISO-8859-n, FE UTF-8, FF CP437.
    pub fn from_zvt_code(code: u8) -> Option<Charset> {
        match code {
            0x00 => Some(Charset::Zvt7),
            0x01..=0x10 => Some(Charset::Iso8859(code)),
            0xFE => Some(Charset::Utf8),
            0xFF => Some(Charset::Cp437),
            _ => None,
        }
    }
}

/// Decodes text; bytes with no mapping become U+FFFD, never an error.
pub fn decode_text(bytes: &[u8], charset: Charset) -> String {
    match charset {
        Charset::Cp437 => bytes
            .iter()
            .map(|&b| {
                if b < 0x80 {
                    b as char
                } else {
                    CP437_HIGH[usize::from(b - 0x80)]
                }
            })
            .collect(),
        Charset::Zvt7 => bytes
            .iter()
            .map(|&b| match b {
                0x5B => 'Ä',
                0x5C => 'Ö',
                0x5D => 'Ü',
                0x7B => 'ä',
                0x7C => 'ö',
                0x7D => 'ü',
                0x7E => 'ß',
                b if b < 0x80 => b as char,
                _ => '\u{FFFD}',
            })
            .collect(),
        // Latin-1 maps each byte to the code point of the same number; encoding_rs
        // would treat the label as windows-1252 (the WHATWG rule), which differs at 80–9F.
        Charset::Iso8859(1) => bytes.iter().map(|&b| b as char).collect(),
        Charset::Iso8859(n) => {
            let enc = match n {
                2 => encoding_rs::ISO_8859_2,
                3 => encoding_rs::ISO_8859_3,
                4 => encoding_rs::ISO_8859_4,
                5 => encoding_rs::ISO_8859_5,
                6 => encoding_rs::ISO_8859_6,
                7 => encoding_rs::ISO_8859_7,
                8 => encoding_rs::ISO_8859_8,
                10 => encoding_rs::ISO_8859_10,
                13 => encoding_rs::ISO_8859_13,
                14 => encoding_rs::ISO_8859_14,
                15 => encoding_rs::ISO_8859_15,
                16 => encoding_rs::ISO_8859_16,
                _ => encoding_rs::WINDOWS_1252,
            };
            enc.decode_without_bom_handling(bytes).0.into_owned()
        }
        Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Charset::Gb18030 => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

#[rustfmt::skip]
const CP437_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}', '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}', '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00A5}', '\u{20A7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}', '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}', '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}', '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}', '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}',
    '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}', '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}',
    '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}', '\u{2248}', '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_chinese_receipt_text() {
        assert_eq!(
            decode_text(&[0x84, 0x94, 0x81, 0xE1, 0x8E], Charset::Cp437),
            "äöüßÄ"
        );
        assert_eq!(decode_text(b"Test {|}~", Charset::Zvt7), "Test äöüß");
        assert_eq!(decode_text(&[0xC4, 0xE4], Charset::Iso8859(1)), "Ää");
        assert_eq!(decode_text(&[0xA4], Charset::Iso8859(15)), "€");
        // 签购单 in GB18030.
        assert_eq!(
            decode_text(&[0xC7, 0xA9, 0xB9, 0xBA, 0xB5, 0xA5], Charset::Gb18030),
            "签购单"
        );
        assert_eq!(Charset::from_zvt_code(0xFF), Some(Charset::Cp437));
    }
}
