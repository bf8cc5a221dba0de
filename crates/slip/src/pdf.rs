//! PDF slips: one page per slip on 58 mm or 80 mm roll paper, or many slips per A4
//! page (batches, evidence packs). Set in a monospaced CJK font on the same cell grid
//! as the thermal printer, so a reprint lines up the way the terminal's paper did.
//!
//! The font (assets/fonts/SlipMonoSC.otf, OFL) is compiled in and subset per document:
//! a PDF carries only the glyphs it shows. No clock, no random ids: the same slips give
//! the same bytes.

use crate::text::{width, wrap};
use crate::{Align, Slip};
use printpdf::{
    Color, FontId, Line as PdfLine, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rgb, TextItem, TextRenderingMode,
};
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::sync::OnceLock;

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/SlipMonoSC.otf");

/// One grid cell (a Latin character; a CJK character takes two).
const CELL_MM: f32 = 1.5;
/// The monospaced face is 1 em per CJK character: two cells.
const FONT_MM: f32 = 2.0 * CELL_MM;
const LINE_MM: f32 = 3.8;

/// The paper a PDF is laid out for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub enum Paper {
    /// 58 mm roll, 32 cells per line, one slip per page.
    #[serde(rename = "58mm")]
    Roll58,
    /// 80 mm roll, 48 cells per line, one slip per page.
    #[serde(rename = "80mm")]
    Roll80,
    /// A4 portrait, three 32-cell columns of slips per page.
    #[serde(rename = "a4")]
    A4,
}

impl Paper {
    /// The paper's name in settings and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::Roll58 => "58mm",
            Paper::Roll80 => "80mm",
            Paper::A4 => "a4",
        }
    }

    /// A paper by its name (`as_str`); None for any other.
    pub fn parse(s: &str) -> Option<Paper> {
        match s.to_ascii_lowercase().as_str() {
            "58" | "58mm" => Some(Paper::Roll58),
            "80" | "80mm" => Some(Paper::Roll80),
            "a4" => Some(Paper::A4),
            _ => None,
        }
    }

    /// Cells per slip line.
    pub fn columns(self) -> usize {
        match self {
            Paper::Roll58 | Paper::A4 => 32,
            Paper::Roll80 => 48,
        }
    }
}

fn font() -> io::Result<&'static ParsedFont> {
    static FONT: OnceLock<Option<ParsedFont>> = OnceLock::new();
    FONT.get_or_init(|| ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new()))
        .as_ref()
        .ok_or_else(|| io::Error::other("the built-in slip font could not be read"))
}

/// Parses the built-in font now rather than on the first reprint.
pub fn warm_up() -> io::Result<()> {
    font().map(|_| ())
}

/// A slip line wrapped to the paper: what a renderer places, cell by cell.
struct Row {
    text: String,
    align: Align,
    bold: bool,
}

fn rows(slip: &Slip, cols: usize) -> Vec<Row> {
    slip.lines
        .iter()
        .flat_map(|l| {
            wrap(&l.text, cols).into_iter().map(|text| Row {
                text,
                align: l.align,
                bold: l.bold,
            })
        })
        .collect()
}

/// The font's resource name. printpdf takes its first six characters as the subset
/// tag (`XXXXXX+Name`), which must be six capital letters for viewers (and pdffonts) to
/// see the font as a subset.
const FONT_ID: &str = "SKSLIP";

/// Cell size, font size and line pitch of a page's text grid.
#[derive(Clone, Copy)]
struct Grid {
    cell: f32,
    font: f32,
    line: f32,
    /// Baseline height above the bottom of the line box.
    baseline: f32,
}

const SLIP_GRID: Grid = Grid {
    cell: CELL_MM,
    font: FONT_MM,
    line: LINE_MM,
    baseline: 0.9,
};

fn text_ops(ops: &mut Vec<Op>, rows: &[Row], left_mm: f32, top_mm: f32, cols: usize) {
    grid_text_ops(ops, rows, left_mm, top_mm, cols, SLIP_GRID)
}

fn grid_text_ops(ops: &mut Vec<Op>, rows: &[Row], left_mm: f32, top_mm: f32, cols: usize, g: Grid) {
    for (i, row) in rows.iter().enumerate() {
        if row.text.trim().is_empty() {
            continue;
        }
        let indent = match row.align {
            Align::Left => 0,
            Align::Center => cols.saturating_sub(width(&row.text)) / 2,
        };
        let x = left_mm + indent as f32 * g.cell;
        // Baseline a little above the bottom of the line box, like the printer's font.
        let y = top_mm - (i as f32 + 1.0) * g.line + g.baseline;
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(FontId(FONT_ID.to_string())),
            size: Mm(g.font).into_pt(),
        });
        if row.bold {
            // The face has no bold weight; stroking the outline too thickens it.
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::FillStroke,
            });
            ops.push(Op::SetOutlineThickness { pt: Pt(0.35) });
        }
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Mm(x).into_pt(),
                y: Mm(y).into_pt(),
            },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(row.text.clone())],
        });
        if row.bold {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::Fill,
            });
        }
        ops.push(Op::EndTextSection);
    }
}

fn frame_ops(ops: &mut Vec<Op>, left: f32, top: f32, w: f32, h: f32) {
    let p = |x: f32, y: f32| LinePoint {
        p: Point {
            x: Mm(x).into_pt(),
            y: Mm(y).into_pt(),
        },
        bezier: false,
    };
    ops.push(Op::SetOutlineColor {
        col: Color::Rgb(Rgb::new(0.6, 0.6, 0.6, None)),
    });
    ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
    ops.push(Op::DrawLine {
        line: PdfLine {
            points: vec![
                p(left, top),
                p(left + w, top),
                p(left + w, top - h),
                p(left, top - h),
            ],
            is_closed: true,
        },
    });
    ops.push(Op::SetOutlineColor {
        col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)),
    });
}

fn roll_pages(slips: &[Slip], paper: Paper, paper_mm: f32) -> Vec<PdfPage> {
    let cols = paper.columns();
    let margin_x = (paper_mm - cols as f32 * CELL_MM) / 2.0;
    let margin_y = 6.0;
    slips
        .iter()
        .map(|slip| {
            let rows = rows(slip, cols);
            let height = 2.0 * margin_y + rows.len() as f32 * LINE_MM;
            let mut ops = Vec::new();
            text_ops(&mut ops, &rows, margin_x, height - margin_y, cols);
            PdfPage::new(Mm(paper_mm), Mm(height), ops)
        })
        .collect()
}

fn a4_pages(slips: &[Slip]) -> Vec<PdfPage> {
    const W: f32 = 210.0;
    const H: f32 = 297.0;
    const MARGIN_Y: f32 = 12.0;
    const GAP: f32 = 9.0;
    const PAD: f32 = 2.0;
    const PER_COLUMN: usize = 3;
    let cols = Paper::A4.columns();
    let slip_w = cols as f32 * CELL_MM;
    let margin_x = (W - PER_COLUMN as f32 * (slip_w + 2.0 * PAD) - 2.0 * GAP) / 2.0;
    let column_rows = ((H - 2.0 * MARGIN_Y - 2.0 * PAD) / LINE_MM) as usize;

    let mut pages = Vec::new();
    let mut ops = Vec::new();
    let mut column = 0;
    let mut top = H - MARGIN_Y;
    for slip in slips {
        let all = rows(slip, cols);
        // A slip longer than a column continues in the next one.
        for chunk in all.chunks(column_rows.max(1)) {
            let h = chunk.len() as f32 * LINE_MM + 2.0 * PAD;
            if top - h < MARGIN_Y {
                column += 1;
                top = H - MARGIN_Y;
                if column == PER_COLUMN {
                    pages.push(PdfPage::new(Mm(W), Mm(H), std::mem::take(&mut ops)));
                    column = 0;
                }
            }
            let left = margin_x + column as f32 * (slip_w + 2.0 * PAD + GAP);
            frame_ops(&mut ops, left, top, slip_w + 2.0 * PAD, h);
            text_ops(&mut ops, chunk, left + PAD, top - PAD, cols);
            top -= h + GAP / 2.0;
        }
    }
    if !ops.is_empty() || pages.is_empty() {
        pages.push(PdfPage::new(Mm(W), Mm(H), ops));
    }
    pages
}

/// Writes `slips` as one PDF document titled `title`.
pub fn write_pdf(slips: &[Slip], paper: Paper, title: &str, out: &mut dyn Write) -> io::Result<()> {
    let pages = match paper {
        Paper::Roll58 => roll_pages(slips, paper, 58.0),
        Paper::Roll80 => roll_pages(slips, paper, 80.0),
        Paper::A4 => a4_pages(slips),
    };
    save(pages, title, out)
}

/// Writes a text document (a letter) on A4 pages: 80 cells per line, wrapped, with
/// page numbers.
pub fn write_document_pdf(
    lines: &[crate::Line],
    title: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    const W: f32 = 210.0;
    const H: f32 = 297.0;
    const COLS: usize = 80;
    const G: Grid = Grid {
        cell: 2.1,
        font: 4.2,
        line: 6.0,
        baseline: 1.4,
    };
    let margin_x = (W - COLS as f32 * G.cell) / 2.0;
    let (top, bottom) = (H - 20.0, 20.0);
    let per_page = ((top - bottom) / G.line) as usize;
    let rows: Vec<Row> = lines
        .iter()
        .flat_map(|l| {
            wrap(&l.text, COLS).into_iter().map(|text| Row {
                text,
                align: l.align,
                bold: l.bold,
            })
        })
        .collect();
    let chunks: Vec<&[Row]> = rows.chunks(per_page.max(1)).collect();
    let n = chunks.len().max(1);
    let mut pages = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut ops = Vec::new();
        grid_text_ops(&mut ops, chunk, margin_x, top, COLS, G);
        let footer = [Row {
            text: format!("{} / {}", i + 1, n),
            align: Align::Center,
            bold: false,
        }];
        grid_text_ops(&mut ops, &footer, margin_x, bottom, COLS, G);
        pages.push(PdfPage::new(Mm(W), Mm(H), ops));
    }
    if pages.is_empty() {
        pages.push(PdfPage::new(Mm(W), Mm(H), Vec::new()));
    }
    save(pages, title, out)
}

fn save(pages: Vec<PdfPage>, title: &str, out: &mut dyn Write) -> io::Result<()> {
    let font = font()?;
    let mut doc = PdfDocument::new(title);
    // A fixed resource name instead of add_font's random one: same slips, same bytes.
    doc.resources
        .fonts
        .map
        .insert(FontId(FONT_ID.to_string()), PdfFont::new(font.clone()));
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut bytes = doc.with_pages(pages).save(&options, &mut Vec::new());
    fix_document_id(&mut bytes)?;
    out.write_all(&bytes)?;
    out.flush()
}

/// printpdf writes a random trailer `/ID`; this replaces it, in place and at the same
/// length, with a digest of the document, so that the same slips give the same bytes.
fn fix_document_id(pdf: &mut [u8]) -> io::Result<()> {
    const MARK: &[u8] = b"/ID[(";
    const LEN: usize = 32;
    let at = pdf
        .windows(MARK.len())
        .rposition(|w| w == MARK)
        .map(|i| i + MARK.len())
        .filter(|&i| pdf.len() >= i + 2 * LEN + 3 && &pdf[i + LEN..i + LEN + 2] == b")(")
        .ok_or_else(|| io::Error::other("PDF trailer without the expected /ID"))?;
    let second = at + LEN + 2;
    pdf[at..at + LEN].fill(b'0');
    pdf[second..second + LEN].fill(b'0');
    let digest = hex::encode_upper(&Sha256::digest(&*pdf)[..LEN / 2]);
    pdf[at..at + LEN].copy_from_slice(digest.as_bytes());
    pdf[second..second + LEN].copy_from_slice(digest.as_bytes());
    Ok(())
}
