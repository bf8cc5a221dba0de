//! Reading CSV (UTF-8 or GBK/GB18030) and XLSX statements into lines.

use crate::mapping::{AmountUnit, Field, Mapping};
use crate::{said, Said, StatementError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use slipkeeper_domain::{
    mask_pans_in_text, AuthCode, MerchantId, Money, Rrn, StatementLine, TerminalId, TraceNo,
    TxnKind,
};
use std::collections::BTreeMap;

/// How many rows from the top may hold titles and account details before the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// Limits that keep a hostile or broken file to a one-line error in bounded memory
/// (well under 500 MB, whatever it claims about itself). An acquirer's statement of
/// a month for a small chain is a few MB and a few hundred thousand cells.
pub mod limits {
    /// The statement file itself.
    pub const FILE_BYTES: u64 = 64 * 1024 * 1024;
    /// Cells of a statement (CSV fields or spreadsheet cells), all rows together.
    pub const CELLS: usize = 3_000_000;
    /// Columns: a statement has a few dozen; Excel's own limit is 16,384.
    pub const COLUMNS: u32 = 256;
    /// One part of an XLSX archive, unpacked (the sheet, the shared strings…).
    pub const XLSX_PART_BYTES: u64 = 128 * 1024 * 1024;
    /// All parts of an XLSX archive together, unpacked.
    pub const XLSX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
    /// Parts in an XLSX archive.
    pub const XLSX_PARTS: usize = 1_000;
    /// Distinct strings an XLSX may declare (calamine reserves room for them all).
    pub const XLSX_SHARED_STRINGS: usize = 2_000_000;
}

/// How a statement file is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text, UTF-8 or GBK.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// XLSX files are ZIP archives; anything else is read as CSV.
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// A statement file read: its lines and how it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedStatement {
    /// The mapping that read it.
    pub mapping_id: String,
    /// "utf-8", "gb18030" or "xlsx".
    pub encoding: &'static str,
    /// The header's row in the file, counted from 1.
    pub header_row: u32,
    /// The transaction lines, in file order.
    pub lines: Vec<StatementLine>,
}

/// A row as text cells, with its number as a spreadsheet shows it.
struct Row {
    no: u32,
    cells: Vec<String>,
}

/// A header: its cells, the row number of its (last) row, and where the detail
/// starts.
struct Header {
    no: u32,
    cells: Vec<String>,
    next: usize,
}

/// A cell as the statement means it: spaces and the text guards exports put in front
/// of numbers (`123, '000123) removed.
fn clean(c: &str) -> &str {
    c.trim().trim_start_matches(['`', '\'']).trim()
}

/// The rows near the top that may be the header: each row on its own, and each row
/// with the one below it, for spreadsheets whose header spans two rows (a merged
/// group title above the column names; a name merged down over both rows stays in
/// the upper one).
fn header_candidates(rows: &[Row]) -> Vec<Header> {
    let top = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
    let mut out = Vec::new();
    for (i, r) in top.iter().enumerate() {
        out.push(Header {
            no: r.no,
            cells: r.cells.clone(),
            next: i + 1,
        });
        if let Some(below) = rows.get(i + 1) {
            let n = r.cells.len().max(below.cells.len());
            let cells = (0..n)
                .map(|c| {
                    let lower = below.cells.get(c).map(|s| s.trim()).unwrap_or("");
                    if lower.is_empty() {
                        r.cells.get(c).cloned().unwrap_or_default()
                    } else {
                        lower.to_owned()
                    }
                })
                .collect();
            out.push(Header {
                no: below.no,
                cells,
                next: i + 2,
            });
        }
    }
    out
}

/// ": the most header-like row (3) has 日期, 金额, 备注" for an error about a file no
/// mapping fits, so the owner sees what the file calls its columns.
fn found_columns(rows: &[Row]) -> String {
    // Column names are words: the first row with the most cells holding no digit.
    let words = |r: &Row| {
        r.cells
            .iter()
            .filter(|c| !clean(c).is_empty() && !clean(c).bytes().any(|b| b.is_ascii_digit()))
            .count()
    };
    let mut best: Option<&Row> = None;
    for r in rows.iter().take(HEADER_SEARCH_ROWS) {
        if best.is_none_or(|b| words(r) > words(b)) {
            best = Some(r);
        }
    }
    match best {
        Some(r) if words(r) >= 2 => {
            let names: Vec<&str> = r
                .cells
                .iter()
                .map(|c| clean(c))
                .filter(|c| !c.is_empty())
                .take(40)
                .collect();
            format!(
                "; the file's columns (row {}) are: {}",
                r.no,
                names.join(", ")
            )
        }
        _ => "; the file has no row of column names".to_owned(),
    }
}

/// Reads a statement with the first of `mappings` whose header row the file has.
pub fn parse(
    bytes: &[u8],
    file: &str,
    mappings: &[Mapping],
) -> Result<ParsedStatement, StatementError> {
    let err = |row: Option<u32>, column: Option<String>, m: Said| StatementError {
        file: file.to_owned(),
        row,
        column,
        message: m.en,
        zh: m.zh,
        not_a_statement: false,
    };
    // The workbook itself unreadable or out of bounds: said in English by the
    // archive and spreadsheet readers, summed up in Chinese.
    let unreadable = |en: String| {
        let zh = format!("这个表格文件读不了或太大，不像对账单（{en}）");
        said(en, zh)
    };
    if bytes.len() as u64 > limits::FILE_BYTES {
        return Err(err(
            None,
            None,
            said(
                format!(
                    "the file is {} MB; a statement may be at most {} MB",
                    bytes.len() >> 20,
                    limits::FILE_BYTES >> 20
                ),
                format!(
                    "文件有 {} MB，对账单最大 {} MB",
                    bytes.len() >> 20,
                    limits::FILE_BYTES >> 20
                ),
            ),
        ));
    }
    let (rows, encoding) = match Format::sniff(bytes) {
        Format::Csv => {
            let (text, enc) = decode(bytes);
            (csv_rows(&text).map_err(|(row, m)| err(row, None, m))?, enc)
        }
        Format::Xlsx => (
            xlsx_rows(bytes).map_err(|m| err(None, None, unreadable(m)))?,
            "xlsx",
        ),
    };
    let candidates = header_candidates(&rows);
    let found = mappings.iter().find_map(|m| {
        let k = candidates.iter().position(|c| m.is_header(&c.cells))?;
        // A group title row ("金额" over 交易金额 and 手续费), alone or with a title
        // line above it, can pass for a header; with the row below it, the header
        // names more columns. Of the first match and the two after it, the one naming
        // the most columns is the header (the first of equals).
        let mut best = &candidates[k];
        for c in candidates.iter().skip(k + 1).take(2) {
            if m.is_header(&c.cells) && m.locate(&c.cells).len() > m.locate(&best.cells).len() {
                best = c;
            }
        }
        Some((m, best))
    });
    let Some((mapping, header)) = found else {
        let wanted: Vec<String> = mappings.iter().map(|m| m.required_names()).collect();
        return Err(StatementError {
            not_a_statement: true,
            ..err(
            None,
            None,
            said(
                format!(
                    "no header row found in the first {HEADER_SEARCH_ROWS} rows (looked for {}){}; choose a mapping with --mapping, or run `slipkeeper statement propose` on the file",
                    wanted.join("; or "),
                    found_columns(&rows)
                ),
                format!(
                    "前 {HEADER_SEARCH_ROWS} 行里没有认得的表头（找的是：{}）：这不像收单机构的交易明细；请确认下载的是交易明细，或为这种格式设置一个对照"
                    , wanted.join("；或 ")
                ),
            ),
        )
        });
    };
    let at = mapping.locate(&header.cells);
    let names: BTreeMap<Field, String> = at
        .iter()
        .map(|(f, i)| (*f, header.cells[*i].trim().to_owned()))
        .collect();
    let mut lines = Vec::new();
    let only: Vec<(usize, &Vec<String>)> = mapping
        .only_when
        .iter()
        .filter_map(|(name, values)| {
            let n = crate::mapping::norm(name);
            header
                .cells
                .iter()
                .position(|c| crate::mapping::norm(c) == n)
                .map(|i| (i, values))
        })
        .collect();
    let refund_at = mapping.refund_amount.iter().find_map(|name| {
        let n = crate::mapping::norm(name);
        header
            .cells
            .iter()
            .position(|c| crate::mapping::norm(c) == n)
    });
    for row in &rows[header.next..] {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // A totals line ends the detail: 合计 / 总计 / Total in the first cell, or a
        // summary block the mapping names.
        let first = clean(row.cells.first().map(String::as_str).unwrap_or(""));
        if ["合计", "总计", "小计", "Total", "TOTAL"]
            .iter()
            .copied()
            .chain(mapping.footer.iter().map(String::as_str))
            .any(|t| first.starts_with(t))
        {
            break;
        }
        if only.iter().any(|(i, values)| {
            !values
                .iter()
                .any(|v| row.cells.get(*i).is_some_and(|c| clean(c) == v.as_str()))
        }) {
            continue;
        }
        if let Some(&i) = at.get(&Field::Type) {
            let word = row.cells.get(i).map(|c| clean(c)).unwrap_or("");
            if mapping.skip_types.iter().any(|s| s == word) {
                continue;
            }
        }
        if matches!(Format::sniff(bytes), Format::Csv) && row.cells.len() != header.cells.len() {
            return Err(err(
                Some(row.no),
                None,
                said(
                    format!(
                        "expected {} columns like the header (row {}), found {}",
                        header.cells.len(),
                        header.no,
                        row.cells.len()
                    ),
                    format!(
                        "这一行有 {} 列，表头（第 {} 行）有 {} 列",
                        row.cells.len(),
                        header.no,
                        header.cells.len()
                    ),
                ),
            ));
        }
        let line = read_line(mapping, &at, refund_at, row)
            .map_err(|(field, m)| err(Some(row.no), names.get(&field).cloned(), m))?;
        lines.push(line);
    }
    Ok(ParsedStatement {
        mapping_id: mapping.id.clone(),
        encoding,
        header_row: header.no,
        lines,
    })
}

/// UTF-8 (with or without BOM) when it is valid UTF-8, else GB18030, the superset of
/// GBK and GB2312 that Chinese Excel writes.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), "utf-8"),
        Err(_) => {
            let (s, _, _) = encoding_rs::GB18030.decode(bytes);
            (s.into_owned(), "gb18030")
        }
    }
}

fn csv_rows(text: &str) -> Result<Vec<Row>, (Option<u32>, Said)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    // Line numbers are counted here: the reader's own count points a record that
    // follows a blank line at the blank line.
    let (mut line, mut counted_to) = (1u32, 0usize);
    let mut line_at = |mut offset: usize| {
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        line += bytes[counted_to..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        counted_to = offset;
        line
    };
    let mut rows = Vec::new();
    let mut cells = 0usize;
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as u32);
            (
                line,
                said(
                    format!("not valid CSV: {e}"),
                    format!("不是有效的 CSV 文件（{e}）"),
                ),
            )
        })?;
        let no = rec
            .position()
            .map(|p| line_at(p.byte() as usize))
            .unwrap_or(0);
        cells += rec.len();
        if rec.len() > limits::COLUMNS as usize || cells > limits::CELLS {
            return Err((
                Some(no),
                said(
                    format!(
                        "more than {} columns in a row or {} cells in the file: not a statement",
                        limits::COLUMNS,
                        limits::CELLS
                    ),
                    format!(
                        "一行超过 {} 列或全文件超过 {} 格：不像对账单",
                        limits::COLUMNS,
                        limits::CELLS
                    ),
                ),
            ));
        }
        rows.push(Row {
            no,
            cells: rec.iter().map(str::to_owned).collect(),
        });
    }
    Ok(rows)
}

/// The archive checked before any spreadsheet code sees it: how many parts, and how
/// big each is and all are once unpacked — counted while unpacking into nothing, since
/// the sizes an archive declares can lie.
fn check_xlsx_archive(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable XLSX workbook: {e}"))?;
    if zip.len() > limits::XLSX_PARTS {
        return Err(format!(
            "the workbook has {} parts (at most {}): not a statement",
            zip.len(),
            limits::XLSX_PARTS
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| format!("not a readable XLSX workbook: {e}"))?;
        let name = part.name().to_owned();
        let too_big = |n: u64| {
            format!(
                "part {name} unpacks to more than {} MB: not a statement",
                n >> 20
            )
        };
        if part.size() > limits::XLSX_PART_BYTES {
            return Err(too_big(limits::XLSX_PART_BYTES));
        }
        let mut head = Vec::new();
        let n = (&mut part)
            .take(4096)
            .read_to_end(&mut head)
            .and_then(|h| {
                std::io::copy(
                    &mut (&mut part).take(limits::XLSX_PART_BYTES + 1 - h as u64),
                    &mut std::io::sink(),
                )
                .map(|r| r + h as u64)
            })
            .map_err(|e| format!("part {name} cannot be unpacked: {e}"))?;
        if n > limits::XLSX_PART_BYTES {
            return Err(too_big(limits::XLSX_PART_BYTES));
        }
        total += n;
        if total > limits::XLSX_TOTAL_BYTES {
            return Err(format!(
                "the workbook unpacks to more than {} MB: not a statement",
                limits::XLSX_TOTAL_BYTES >> 20
            ));
        }
        if name.eq_ignore_ascii_case("xl/sharedStrings.xml") {
            // Each string takes at least `<si><t/></si>` (13 bytes); a count beyond
            // that is a lie that would make the reader reserve room for it.
            let claimed = declared_count(&head, b"uniqueCount=\"");
            if claimed > limits::XLSX_SHARED_STRINGS || claimed as u64 > n / 13 + 1 {
                return Err(format!(
                    "the workbook claims {claimed} distinct strings in {n} bytes: not a statement"
                ));
            }
        }
    }
    Ok(())
}

/// The number in `attr"…"` near the start of an XML part, or 0.
fn declared_count(head: &[u8], attr: &[u8]) -> usize {
    head.windows(attr.len())
        .position(|w| w == attr)
        .map(|at| {
            head[at + attr.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0usize, |n, b| {
                    n.saturating_mul(10).saturating_add(usize::from(b - b'0'))
                })
        })
        .unwrap_or(0)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Row>, String> {
    use calamine::{DataRef, Reader, Xlsx};
    check_xlsx_archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable XLSX workbook: {e}"))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or("the workbook has no worksheet")?;
    // Cell by cell into rows of their own: a whole-sheet range is allocated from its
    // corners, and two cells at A1 and XFD1048576 would ask for 17 billion.
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("first worksheet: {e}"))?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(c) = cells
        .next_cell()
        .map_err(|e| format!("first worksheet: {e}"))?
    {
        let (r, col) = c.get_position();
        if col >= limits::COLUMNS {
            return Err(format!(
                "a cell in column {} (at most {} columns): not a statement",
                col + 1,
                limits::COLUMNS
            ));
        }
        count += 1;
        if count > limits::CELLS {
            return Err(format!(
                "more than {} cells: not a statement",
                limits::CELLS
            ));
        }
        let text = match c.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => s.clone(),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.replace('T', " "),
            DataRef::SharedString(s) => (*s).to_owned(),
            // Ids typed as numbers come back as floats: 10000001.0 → "10000001".
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => format!("{f}"),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => d
                .as_datetime()
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_else(|| d.to_string()),
            DataRef::Error(e) => format!("#{e:?}"),
        };
        let row = rows.entry(r).or_default();
        if row.len() <= col as usize {
            row.resize(col as usize + 1, String::new());
        }
        row[col as usize] = text;
    }
    Ok(rows
        .into_iter()
        .map(|(r, cells)| Row { no: r + 1, cells })
        .collect())
}

type FieldError = (Field, Said);

/// A value the domain refuses as an identifier, said in both languages.
fn id_said(v: &str, what_zh: &str, e: slipkeeper_domain::DomainError) -> Said {
    said(e.to_string(), format!("“{v}”不是有效的{what_zh}"))
}

fn read_line(
    m: &Mapping,
    at: &BTreeMap<Field, usize>,
    refund_at: Option<usize>,
    row: &Row,
) -> Result<StatementLine, FieldError> {
    let cell = |f: Field| -> Option<&str> {
        at.get(&f)
            .and_then(|&i| row.cells.get(i))
            .map(|s| clean(s))
            .filter(|s| !s.is_empty() && !m.blank.iter().any(|b| b == s))
    };
    let money = |f: Field| -> Result<Option<Money>, FieldError> {
        cell(f)
            .map(|v| amount(v, m).map_err(|e| (f, e)))
            .transpose()
    };
    let occurred_at = when(m, &cell)?;
    let (amount_v, negative) = {
        let raw = cell(Field::Amount).ok_or((Field::Amount, said("no amount", "没有金额")))?;
        let money = amount(raw, m).map_err(|e| (Field::Amount, e))?;
        (
            Money::new(money.minor().abs(), money.currency()),
            money.minor() < 0,
        )
    };
    let kind = match cell(Field::Type) {
        Some(word) => {
            let k = m
                .types
                .get(word)
                .and_then(|k| TxnKind::parse(k))
                .ok_or_else(|| {
                    let known: Vec<&str> = m.types.keys().map(String::as_str).collect();
                    (
                        Field::Type,
                        said(
                            format!(
                                "unknown transaction type {word:?} (this mapping knows {})",
                                known.join(", ")
                            ),
                            format!("不认识的交易类型“{word}”（认得的有：{}）", known.join("、")),
                        ),
                    )
                })?;
            k
        }
        // Without a type column, a negative amount is money going back.
        None if negative => TxnKind::Refund,
        None => TxnKind::Sale,
    };
    // A refund's own amount, where the file keeps it apart from the order's.
    let refund = refund_at
        .filter(|_| kind == TxnKind::Refund)
        .and_then(|i| row.cells.get(i))
        .map(|c| clean(c))
        .filter(|c| !c.is_empty());
    let amount_v = match refund {
        Some(v) => {
            let r = amount(v, m).map_err(|e| (Field::Amount, e))?;
            Money::new(r.minor().abs(), r.currency())
        }
        None => amount_v,
    };
    // Spreadsheets keep leading zeros behind an apostrophe ('000123).
    let text = |f: Field| cell(f).map(str::to_owned);
    let merchant_id = text(Field::MerchantId)
        .map(|v| MerchantId::new(&v).map_err(|e| (Field::MerchantId, id_said(&v, "商户号", e))))
        .transpose()?;
    let terminal_id = text(Field::TerminalId)
        .map(|v| TerminalId::new(&v).map_err(|e| (Field::TerminalId, id_said(&v, "终端号", e))))
        .transpose()?;
    let rrn = text(Field::Rrn)
        .map(|v| Rrn::new(&v).map_err(|e| (Field::Rrn, id_said(&v, "参考号", e))))
        .transpose()?;
    let trace_no = text(Field::Trace)
        .map(|v| TraceNo::new(&v).map_err(|e| (Field::Trace, id_said(&v, "凭证号", e))))
        .transpose()?;
    let auth_code = text(Field::Auth)
        .map(|v| AuthCode::new(&v).map_err(|e| (Field::Auth, id_said(&v, "授权码", e))))
        .transpose()?;
    let settle_date = cell(Field::SettleDate)
        .map(|v| {
            date(v, &m.date_formats).ok_or_else(|| {
                (
                    Field::SettleDate,
                    said(
                        format!("{v:?} is not a date in {}", m.date_formats.join(" or ")),
                        format!("“{v}”不是日期（应为 {}）", m.date_formats.join(" 或 ")),
                    ),
                )
            })
        })
        .transpose()?;
    Ok(StatementLine {
        line_no: row.no,
        merchant_id,
        terminal_id,
        occurred_at,
        // A statement should never carry a full card number; if one does, it is masked
        // before it goes anywhere.
        card: cell(Field::Card).map(mask_pans_in_text),
        amount: amount_v,
        fee: money(Field::Fee)?.map(|f| Money::new(f.minor().abs(), f.currency())),
        net: money(Field::Net)?,
        rrn,
        trace_no,
        auth_code,
        kind,
        settle_date,
        card_type: cell(Field::CardType).map(str::to_owned),
    })
}

fn amount(v: &str, m: &Mapping) -> Result<Money, Said> {
    let cleaned: String = v
        .chars()
        .filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ' | '元'))
        .collect();
    let (neg, body) = match cleaned.strip_prefix('-') {
        Some(b) => (true, b.to_owned()),
        None => match cleaned.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
            Some(b) => (true, b.to_owned()),
            None => (false, cleaned.clone()),
        },
    };
    let bad = || said(format!("{v:?} is not an amount"), format!("“{v}”不是金额"));
    let minor = match m.amount_unit {
        AmountUnit::Yuan => Money::parse_major(&body, &m.currency)
            .map_err(|_| bad())?
            .minor(),
        AmountUnit::Fen => {
            if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
                return Err(said(
                    format!("{v:?} is not an amount in fen (分): digits only"),
                    format!("“{v}”不是以分为单位的金额（只能是数字）"),
                ));
            }
            body.parse::<i64>().map_err(|_| bad())?
        }
    };
    let currency = slipkeeper_domain::Currency::new(&m.currency)
        .map_err(|e| said(e.to_string(), format!("对照里的币种不对（{e}）")))?;
    Ok(Money::new(if neg { -minor } else { minor }, currency))
}

fn date(v: &str, formats: &[String]) -> Option<NaiveDate> {
    formats
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
        .or_else(|| {
            // A spreadsheet date cell comes back with a midnight time.
            v.strip_suffix(" 00:00:00")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
}

fn time(v: &str, formats: &[String]) -> Option<NaiveTime> {
    formats
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(v, f).ok())
}

fn when<'a>(
    m: &Mapping,
    cell: &dyn Fn(Field) -> Option<&'a str>,
) -> Result<NaiveDateTime, FieldError> {
    let full = |v: &str| {
        m.datetime_formats
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
            .or_else(|| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").ok())
    };
    if let Some(v) = cell(Field::Datetime) {
        if let Some(t) = full(v) {
            return Ok(t);
        }
        if cell(Field::Date).is_none() {
            return Err((
                Field::Datetime,
                said(
                    format!(
                        "{v:?} is not a date and time in the expected format ({})",
                        m.datetime_formats.join(" or ")
                    ),
                    format!(
                        "“{v}”不是日期时间（应为 {}）",
                        m.datetime_formats.join(" 或 ")
                    ),
                ),
            ));
        }
    }
    let d = cell(Field::Date).ok_or((Field::Date, said("no date", "没有日期")))?;
    if let Some(t) = full(d) {
        return Ok(t);
    }
    let day = date(d, &m.date_formats).ok_or_else(|| {
        (
            Field::Date,
            said(
                format!(
                    "{d:?} is not a date in the expected format ({})",
                    m.date_formats.join(" or ")
                ),
                format!("“{d}”不是日期（应为 {}）", m.date_formats.join(" 或 ")),
            ),
        )
    })?;
    // The time may sit in its own column, or in the date-time column of a file that
    // splits them.
    let (tf, tv) = match (cell(Field::Time), cell(Field::Datetime)) {
        (Some(v), _) => (Field::Time, Some(v)),
        (None, Some(v)) => (Field::Datetime, Some(v)),
        (None, None) => (Field::Time, None),
    };
    let t = match tv {
        Some(v) => time(v, &m.time_formats).ok_or_else(|| {
            (
                tf,
                said(
                    format!(
                        "{v:?} is not a time in the expected format ({})",
                        m.time_formats.join(" or ")
                    ),
                    format!("“{v}”不是时间（应为 {}）", m.time_formats.join(" 或 ")),
                ),
            )
        })?,
        None => NaiveTime::MIN,
    };
    Ok(day.and_time(t))
}

/// A mapping proposed from the first row of the file that looks like a header.
pub fn propose_for_file(bytes: &[u8], id: &str) -> Option<crate::Mapping> {
    let rows = match Format::sniff(bytes) {
        Format::Csv => csv_rows(&decode(bytes).0).ok()?,
        Format::Xlsx => xlsx_rows(bytes).ok()?,
    };
    // As for a parse: of the first header-like candidate and the two after it, the
    // one naming the most columns.
    let candidates = header_candidates(&rows);
    let k = candidates
        .iter()
        .position(|h| crate::propose(id, &h.cells).is_some())?;
    candidates
        .iter()
        .skip(k)
        .take(3)
        .filter_map(|h| crate::propose(id, &h.cells))
        .fold(None, |best: Option<crate::Mapping>, m| match best {
            Some(b) if b.columns.len() >= m.columns.len() => Some(b),
            _ => Some(m),
        })
}
