//! The slip's character grid: a Latin character takes one cell, a CJK character two,
//! as on a thermal printer (and in the monospaced font of the PDF).

pub(crate) fn cells(c: char) -> usize {
    if (c as u32) >= 0x1100 {
        2
    } else {
        1
    }
}

pub(crate) fn width(s: &str) -> usize {
    s.chars().map(cells).sum()
}

/// Splits `text` into pieces of at most `cols` cells, at a space where one is near
/// enough (so "2026-11-22 15:04:05" stays readable), else inside the word.
pub(crate) fn wrap(text: &str, cols: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    loop {
        let mut w = 0;
        let mut fit = 0;
        while fit < rest.len() && w + cells(rest[fit]) <= cols {
            w += cells(rest[fit]);
            fit += 1;
        }
        if fit == rest.len() {
            out.push(rest.into_iter().collect());
            return out;
        }
        // Break after the last space of the piece, unless that leaves it under a third full.
        let cut = match rest[..=fit].iter().rposition(|&c| c == ' ') {
            Some(sp) if width_of(&rest[..sp]) * 3 >= cols => sp + 1,
            _ => fit.max(1),
        };
        let piece: String = rest[..cut].iter().collect();
        out.push(piece.trim_end().to_string());
        rest.drain(..cut);
        // A continuation line starts at its first word, not with the space that ended
        // the line before.
        let spaces = rest.iter().take_while(|&&c| c == ' ').count();
        rest.drain(..spaces);
    }
}

fn width_of(s: &[char]) -> usize {
    s.iter().copied().map(cells).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_cells() {
        assert_eq!(wrap("商户名称 MERCHANT", 8), vec!["商户名称", "MERCHANT"]);
        assert_eq!(wrap("ABCDEFGHIJ", 4), vec!["ABCD", "EFGH", "IJ"]);
        assert_eq!(
            wrap("重打印时间 REPRINTED: 2026-11-22 15:04:05", 32),
            vec!["重打印时间 REPRINTED: 2026-11-22", "15:04:05"]
        );
        // A space too early on the line does not waste it.
        assert_eq!(wrap("A BCDEFGHIJ", 6), vec!["A BCDE", "FGHIJ"]);
        // A card number stays whole.
        assert_eq!(
            wrap("卡号 CARD NO.: 622202*********0128 C", 32),
            vec!["卡号 CARD NO.:", "622202*********0128 C"]
        );
        assert_eq!(wrap("", 32), vec![""]);
        assert_eq!(width("金额 AMOUNT"), 11);
    }
}
