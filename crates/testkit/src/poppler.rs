//! PDFs read back with poppler's tools (`pdftotext`, `pdfinfo`, `pdffonts`), as a
//! person's PDF reader would see them rather than as the writer meant them.

use std::path::Path;
use std::process::Command;

/// Runs a poppler tool and returns what it printed.
///
/// # Panics
/// When the tool is missing (scripts/bootstrap installs poppler-utils) or fails.
pub fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (poppler-utils installed?)"));
    assert!(out.status.success(), "{cmd} {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("poppler prints UTF-8")
}

/// The PDF's text as `pdftotext` lays it out.
pub fn text(pdf: &Path) -> String {
    tool("pdftotext", &[path(pdf), "-"])
}

/// The PDF's text with every run of white space (line ends included) as one space:
/// narrow paper wraps a long line at a space.
pub fn squashed_text(pdf: &Path) -> String {
    text(pdf).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `pdfinfo` says of a PDF.
pub struct Info {
    /// Its pages.
    pub pages: usize,
    /// The first page's size as pdfinfo gives it ("595.276 x 841.89 pts (A4)").
    pub page_size: String,
    /// Everything pdfinfo printed.
    pub raw: String,
}

/// `pdfinfo` of the PDF at `pdf`.
pub fn info(pdf: &Path) -> Info {
    let raw = tool("pdfinfo", &[path(pdf)]);
    let field = |name: &str| {
        raw.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("pdfinfo printed no {name}\n{raw}"))
            .trim()
            .to_owned()
    };
    Info {
        pages: field("Pages:").parse().expect("a page count"),
        page_size: field("Page size:"),
        raw: raw.clone(),
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
