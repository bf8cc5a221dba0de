//! PDF slips read back with poppler: the text, the embedded font, and a render.

use chrono::NaiveDateTime;
use slipkeeper_domain::{sample, CopyType, SlipOrigin, SlipText};
use slipkeeper_slip::{layout, write_pdf, Paper, Slip};
use slipkeeper_testkit::poppler;
use std::path::Path;

fn reprint_time() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-22 15:04:05", "%Y-%m-%d %H:%M:%S").unwrap()
}

fn sale_slips() -> Vec<Slip> {
    let t = sample::transaction(2);
    [CopyType::Merchant, CopyType::Cardholder]
        .into_iter()
        .map(|c| layout(&t, &[], c, Some("演示商店 DEMO SHOP"), reprint_time()))
        .collect()
}

fn pdf(slips: &[Slip], paper: Paper) -> Vec<u8> {
    let mut out = Vec::new();
    write_pdf(slips, paper, "slip", &mut out).unwrap();
    out
}

/// The PDF's text with runs of white space (line ends included) as one space: a long
/// line wraps at a space on narrow paper.
fn pdftotext(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.pdf");
    std::fs::write(&f, bytes).unwrap();
    poppler::squashed_text(&f)
}

#[test]
fn pdftotext_gives_back_every_field_in_both_languages() {
    for paper in [Paper::Roll58, Paper::Roll80, Paper::A4] {
        let text = pdftotext(&pdf(&sale_slips(), paper));
        let t = sample::transaction(2);
        for expected in [
            "重打印凭证 REPRINT / DUPLICATE",
            "重打印时间 REPRINTED: 2026-11-22 15:04:05",
            "依据交易记录重建 REBUILT FROM THE RECORD",
            "商户存根 MERCHANT COPY",
            "持卡人存根 CARDHOLDER COPY",
            "商户名称 MERCHANT NAME: 演示商店 DEMO SHOP",
            "商户编号 MERCHANT NO.: 898310048990001",
            "终端编号 TERMINAL NO.: 10000001",
            "操作员号 OPERATOR NO.: 01",
            "收单行 ACQUIRER: 银联商务",
            "交易类型 TRANS TYPE:",
            "批次号 BATCH NO.: 000001",
            "凭证号 VOUCHER NO.: 000002",
            "参考号 REF NO.: 600000000002",
            "持卡人签名 CARDHOLDER SIGNATURE:",
            t.pan.as_ref().unwrap().as_str(),
            &format!("{}", t.amount),
            &t.auth_code.as_ref().unwrap().to_string(),
        ] {
            assert!(
                text.contains(expected),
                "{paper:?}: {expected:?} missing from\n{text}"
            );
        }
        assert_eq!(
            text.matches("重打印凭证 REPRINT / DUPLICATE").count(),
            4,
            "{paper:?}: marked at the top and bottom of both copies"
        );
    }
}

#[test]
fn the_font_is_embedded_and_subset() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.pdf");
    std::fs::write(&f, pdf(&sale_slips(), Paper::Roll80)).unwrap();
    let fonts = poppler::tool("pdffonts", &[f.to_str().unwrap()]);
    let row = fonts
        .lines()
        .find(|l| l.contains("NotoSansMonoCJK"))
        .unwrap_or_else(|| panic!("slip font missing:\n{fonts}"));
    // name type encoding emb sub uni object ID
    let cols: Vec<&str> = row.split_whitespace().collect();
    let n = cols.len();
    assert_eq!(
        &cols[n - 5..n - 2],
        ["yes", "yes", "yes"],
        "emb sub uni: {row}"
    );
    assert!(cols[0].contains('+'), "subset tag in the name: {row}");
    assert_eq!(fonts.lines().count(), 3, "one font only:\n{fonts}");
}

#[test]
fn the_same_slips_give_the_same_bytes_and_a_slip_stays_small() {
    let a = pdf(&sale_slips()[..1], Paper::Roll80);
    let b = pdf(&sale_slips()[..1], Paper::Roll80);
    assert!(a == b, "two renders of the same slip differ");
    assert!(a.len() <= 40 * 1024, "one 80 mm slip is {} bytes", a.len());
    assert!(a.starts_with(b"%PDF-"));
}

#[test]
fn a_full_card_number_never_reaches_the_pdf() {
    let t = sample::transaction(5);
    let printed = SlipText {
        copy: CopyType::Merchant,
        origin: SlipOrigin::Terminal,
        lines: vec![
            "银联POS签购单".into(),
            "卡号 CARD NO.: 6222021234567890128 C".into(),
        ],
    };
    let slip = layout(&t, &[printed], CopyType::Merchant, None, reprint_time());
    let text = pdftotext(&pdf(&[slip], Paper::Roll58));
    assert!(!text.contains("6222021234567890128"), "{text}");
    assert!(text.contains("622202*"), "first six kept: {text}");
    assert!(text.contains("*********0128"), "last four kept: {text}");
}

#[test]
fn many_slips_share_a4_pages() {
    let txns: Vec<_> = (1..=20).map(sample::transaction).collect();
    let slips: Vec<Slip> = txns
        .iter()
        .map(|t| layout(t, &[], CopyType::Merchant, None, reprint_time()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a4.pdf");
    std::fs::write(&f, pdf(&slips, Paper::A4)).unwrap();
    let info = poppler::info(&f);
    let pages = info.pages;
    assert!((3..=10).contains(&pages), "20 slips on {pages} A4 pages");
    assert!(
        info.raw.contains("595.276 x 841.89") || info.raw.contains("595.28 x 841.89"),
        "{}",
        info.raw
    );
    let text = poppler::text(&f);
    for t in &txns {
        let voucher = format!("凭证号 VOUCHER NO.: {}", t.trace_no);
        let amount = format!("金额 AMOUNT: {}", t.amount);
        assert!(
            text.contains(&voucher) && text.contains(&amount),
            "{voucher} {amount} missing"
        );
    }
}

/// Renders page 1 at 100 dpi in grey and compares it with the reviewed golden image.
#[test]
fn the_render_matches_the_reviewed_golden_image() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.pdf");
    std::fs::write(&f, pdf(&sale_slips()[..1], Paper::Roll80)).unwrap();
    let prefix = dir.path().join("r");
    poppler::tool(
        "pdftoppm",
        &[
            "-r",
            "100",
            "-gray",
            "-png",
            "-singlefile",
            f.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let rendered = dir.path().join("r.png");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sale_80mm.png");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::copy(&rendered, &golden).unwrap();
    }
    let (w1, h1, a) = grey(&rendered);
    let (w2, h2, b) = grey(&golden);
    assert_eq!((w1, h1), (w2, h2), "page size changed");
    let differing = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.abs_diff(**y) > 64)
        .count();
    let ink = b.iter().filter(|&&v| v < 128).count();
    assert!(ink > 2000, "the golden image has text on it");
    // Anti-aliasing may move between poppler versions; the text may not.
    assert!(
        differing * 100 <= ink * 3,
        "{differing} pixels differ from the golden image ({ink} ink pixels): review, then UPDATE_SNAPSHOTS=1"
    );
}

fn grey(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let px = match info.color_type {
        png::ColorType::Grayscale => buf,
        png::ColorType::Rgb => buf.chunks(3).map(|c| c[1]).collect(),
        other => panic!("unexpected {other:?}"),
    };
    (info.width, info.height, px)
}

/// Page 1 at 300 dpi in grey.
fn render(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.pdf");
    std::fs::write(&f, bytes).unwrap();
    let prefix = dir.path().join("r");
    poppler::tool(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-gray",
            "-png",
            "-singlefile",
            f.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    grey(&dir.path().join("r.png"))
}

/// Shop, street and people's names use characters beyond GB 2312 (喆, 堃, 犇) and
/// beyond the BMP (𠮷). Each comes back from the PDF's text, and each is drawn: its
/// page differs from the same page with a character the font lacks (the empty box).
#[test]
fn names_beyond_gb2312_print_every_character() {
    let t = sample::transaction(2);
    let name = "喆堃犇鑫便利店𠮷";
    let slip = |shop: &str| layout(&t, &[], CopyType::Merchant, Some(shop), reprint_time());
    let bytes = pdf(&[slip(name)], Paper::Roll80);
    let text = pdftotext(&bytes);
    assert!(text.contains(name), "{text}");
    assert!(bytes.len() <= 40 * 1024, "{} bytes", bytes.len());
    // U+E000 (private use) is in no font: the reference for "not drawn".
    let (w, h, missing) = render(&pdf(&[slip("店\u{E000}")], Paper::Roll80));
    for ch in ["喆", "堃", "犇", "𠮷", "鑫"] {
        let (w2, h2, page) = render(&pdf(&[slip(&format!("店{ch}"))], Paper::Roll80));
        assert_eq!((w, h), (w2, h2));
        let differing = page
            .iter()
            .zip(&missing)
            .filter(|(a, b)| a.abs_diff(**b) > 96)
            .count();
        // A 3 mm glyph at 300 dpi is about 35 × 35 pixels.
        assert!(
            differing > 60,
            "{ch} is drawn like a missing glyph ({differing} pixels differ)"
        );
    }
}
