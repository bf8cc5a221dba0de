//! Reprinting a lost slip: find the voucher, lay out the copies marked as a reprint,
//! and send them to a printer. A voucher that is not in the journal prints nothing and
//! names the closest ones instead (a transposed or mistyped digit is the usual cause).

use crate::{App, AppError, ErrorCode};
use chrono::NaiveDateTime;
use slipkeeper_domain::SlipOrigin;
use slipkeeper_domain::{BatchNo, CopyType, TerminalId, TraceNo};
use slipkeeper_journal::TxnQuery;
use slipkeeper_slip::{layout, write_escpos, write_pdf, Columns, Paper, Slip};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The most slips one document may hold: a month of a busy shop fits; a typo in a
/// date range that would produce a 500 MB file does not.
pub const MAX_RANGE_SLIPS: usize = 20_000;

/// Where ESC/POS bytes go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EscposTarget {
    /// A network printer's raw port, usually 9100.
    Tcp(String),
    /// A USB printer device (/dev/usb/lp0) or a serial port.
    Device(PathBuf),
}

/// Voucher numbers one slip of the pen away from `v`: two neighbouring digits swapped,
/// or one digit off by one.
pub fn closest_vouchers(v: &TraceNo) -> Vec<TraceNo> {
    let d: Vec<u8> = v.as_str().bytes().collect();
    let mut out = Vec::new();
    for i in 0..d.len() {
        if i + 1 < d.len() && d[i] != d[i + 1] {
            let mut s = d.clone();
            s.swap(i, i + 1);
            out.push(s);
        }
        for delta in [1i8, -1] {
            let n = d[i] as i8 + delta;
            if (b'0' as i8..=b'9' as i8).contains(&n) {
                let mut s = d.clone();
                s[i] = n as u8;
                out.push(s);
            }
        }
    }
    out.into_iter()
        .filter_map(|s| TraceNo::new(&String::from_utf8_lossy(&s)).ok())
        .collect()
}

impl App {
    /// The shop name a rebuilt copy carries: the terminal's own (from the slip it
    /// printed), else the profile's. Never blank: without either, nothing is printed
    /// and the owner is sent to Settings.
    fn merchant_name_for(
        &self,
        printed: &[slipkeeper_domain::SlipText],
    ) -> Result<String, AppError> {
        if let Some(n) = slipkeeper_slip::printed_merchant_name(printed) {
            return Ok(n);
        }
        match self.journal.merchant_profile()?.shop_name {
            Some(n) if !n.trim().is_empty() => Ok(n.trim().to_owned()),
            _ => Err(AppError::new(
                ErrorCode::NotSetUp,
                "a slip needs the shop's name: fill it in under Settings → shop details; nothing was printed / 签购单上要有商户名称：请先在“设置 → 商户信息”里填写；没有打印",
            )
            .with_field("shop_name")),
        }
    }

    /// The reprinted slips of one voucher (narrowed by terminal and batch when given).
    pub fn reprint(
        &self,
        voucher: &TraceNo,
        terminal: Option<&TerminalId>,
        batch: Option<&BatchNo>,
        copies: &[CopyType],
    ) -> Result<Vec<Slip>, AppError> {
        let found = match self.by_voucher(voucher, terminal, batch) {
            Ok(f) => f,
            Err(e) if e.code == ErrorCode::NotFound => {
                // The acquirer's record, when the journal has none (no terminal link,
                // or the mirror missed it): a slip rebuilt from the statement. A batch
                // picked from a list means a journal row; statements name no batch.
                if batch.is_none() {
                    if let Some(slips) = self.statement_slips(voucher, terminal, copies)? {
                        return Ok(slips);
                    }
                }
                let near: Vec<String> = closest_vouchers(voucher)
                    .into_iter()
                    .filter(|c| self.by_voucher(c, terminal, batch).is_ok())
                    .map(|c| c.to_string())
                    .collect();
                let hint = if near.is_empty() {
                    "no voucher with a similar number either".to_owned()
                } else {
                    format!("did you mean {}?", near.join(", "))
                };
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("{}; nothing was printed; {hint}", e.message),
                ));
            }
            Err(e) => return Err(e),
        };
        if found.len() > 1 {
            let which: Vec<(String, String)> = found
                .iter()
                .map(|d| {
                    let (t, b) = (&d.row.txn.terminal_id, &d.row.txn.batch_no);
                    (
                        format!("终端 {t} 批次 {b}"),
                        format!("terminal {t} batch {b}"),
                    )
                })
                .collect();
            let (zh, en): (Vec<String>, Vec<String>) = which.into_iter().unzip();
            return Err(AppError::new(
                ErrorCode::BadInput,
                format!(
                    "凭证号 {voucher} 有 {n} 笔（{}）：请用查找选出要重打印的那一笔 / voucher {voucher} exists {n} times ({}): pick the one to reprint (the terminal, and the batch); nothing was printed",
                    zh.join("；"),
                    en.join("; "),
                    n = found.len()
                ),
            ));
        }
        let d = &found[0];
        let shop = self.merchant_name_for(&d.slips)?;
        let now = self.clock.local_now();
        Ok(copies
            .iter()
            .map(|c| layout(&d.row.txn, &d.slips, *c, Some(&shop), now))
            .collect())
    }

    /// The slips rebuilt from the statement line for `voucher`, when an imported
    /// statement has exactly one; `None` when none has it.
    fn statement_slips(
        &self,
        voucher: &TraceNo,
        terminal: Option<&TerminalId>,
        copies: &[CopyType],
    ) -> Result<Option<Vec<Slip>>, AppError> {
        let lines = self
            .journal
            .find_statement_lines(&slipkeeper_journal::LineQuery {
                voucher: Some(voucher.clone()),
                terminal: terminal.cloned(),
                limit: 20,
                ..Default::default()
            })?;
        match lines.len() {
            0 => Ok(None),
            1 => {
                let w = self.witness(lines.into_iter().next().expect("one line"));
                Ok(Some(self.statement_line_slips(&w, copies)?))
            }
            n => {
                let which: Vec<String> = lines
                    .iter()
                    .map(|l| {
                        format!(
                            "{} {}",
                            l.line
                                .terminal_id
                                .as_ref()
                                .map(|t| t.as_str())
                                .unwrap_or("—"),
                            l.line.occurred_at.format("%Y-%m-%d %H:%M")
                        )
                    })
                    .collect();
                Err(AppError::new(
                    ErrorCode::BadInput,
                    format!(
                        "凭证号 {voucher} 在收单机构对账单上有 {n} 笔（{}）：请在日志页的对账单结果里选出要打印的那一笔 / voucher {voucher} is on the acquirer's statements {n} times ({}): pick the one to print from the statement results on the journal screen; nothing was printed",
                        which.join("；"),
                        which.join("; ")
                    ),
                ))
            }
        }
    }

    /// The slips rebuilt from one statement line: the shop's name from the profile
    /// (a statement carries none the slip could print).
    pub(crate) fn statement_line_slips(
        &self,
        w: &slipkeeper_domain::Witness,
        copies: &[CopyType],
    ) -> Result<Vec<Slip>, AppError> {
        let shop = self.merchant_name_for(&[])?;
        let now = self.clock.local_now();
        Ok(copies
            .iter()
            .map(|c| slipkeeper_slip::layout_statement(w, *c, Some(&shop), now))
            .collect())
    }

    /// The slips rebuilt from statement line `line_id`.
    pub fn reprint_statement_line(
        &self,
        line_id: i64,
        copies: &[CopyType],
    ) -> Result<Vec<Slip>, AppError> {
        let line = self.journal.statement_line_by_id(line_id)?;
        let w = self.witness(line);
        self.statement_line_slips(&w, copies)
    }

    /// Every transaction with `from <= time < to` (terminal local time), oldest first,
    /// each as the given copies: for a batch printout or an evidence folder.
    pub fn reprint_range(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        terminal: Option<&TerminalId>,
        copies: &[CopyType],
    ) -> Result<Vec<Slip>, AppError> {
        if from >= to {
            return Err(AppError::new(
                ErrorCode::BadInput,
                format!("--from {from} is not before --to {to}; nothing was printed"),
            ));
        }
        let mut ids = Vec::new();
        let mut q = TxnQuery {
            from: Some(from),
            to: Some(to),
            terminal: terminal.cloned(),
            limit: slipkeeper_journal::MAX_PAGE,
            ..Default::default()
        };
        loop {
            let page = self.journal.search(&q)?;
            ids.extend(page.items.iter().map(|r| r.id));
            if ids.len() * copies.len() > MAX_RANGE_SLIPS {
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    format!("more than {MAX_RANGE_SLIPS} slips between {from} and {to}; choose a shorter range; nothing was printed"),
                ));
            }
            if page.items.len() < q.limit as usize {
                break;
            }
            q.offset += q.limit;
        }
        if ids.is_empty() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("no transaction between {from} and {to}; nothing was printed"),
            ));
        }
        ids.reverse(); // search gives newest first
        let now = self.clock.local_now();
        let mut slips = Vec::with_capacity(ids.len() * copies.len());
        for id in ids {
            let d = self.detail(id)?;
            let shop = self.merchant_name_for(&d.slips)?;
            for c in copies {
                slips.push(layout(&d.row.txn, &d.slips, *c, Some(&shop), now));
            }
        }
        Ok(slips)
    }

    /// Writes slips as a PDF at `path`. The file appears whole or not at all: it is
    /// written beside the target and renamed into place.
    pub fn save_pdf(&self, slips: &[Slip], paper: Paper, path: &Path) -> Result<u64, AppError> {
        let bytes = pdf_bytes(slips, paper)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| AppError::io(dir, e))?;
        tmp.write_all(&bytes).map_err(|e| AppError::io(path, e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| AppError::io(path, e))?;
        tmp.persist(path).map_err(|e| AppError::io(path, e.error))?;
        Ok(bytes.len() as u64)
    }

    /// Prints slips as a PDF on a system printer (`None`: the default one).
    pub fn print_on_system_printer(
        &self,
        slips: &[Slip],
        paper: Paper,
        printer: Option<&str>,
    ) -> Result<(), AppError> {
        // The spool gets its own file, removed afterwards; a user's saved PDF stays theirs.
        let dir = tempfile::tempdir().map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
        let file = dir.path().join("slipkeeper-reprint.pdf");
        self.save_pdf(slips, paper, &file)?;
        print_pdf_on_system_printer(&file, printer)
    }

    /// Sends slips to an ESC/POS printer. The bytes are built first, so a printer that
    /// cannot be reached gets nothing rather than half a slip.
    pub fn print_escpos(
        &self,
        slips: &[Slip],
        cols: Columns,
        target: &EscposTarget,
    ) -> Result<usize, AppError> {
        let mut bytes = Vec::new();
        write_escpos(slips, cols, &mut bytes)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        match target {
            EscposTarget::Tcp(addr) => {
                let sock = addr.parse::<std::net::SocketAddr>().map_err(|e| {
                    AppError::new(
                        ErrorCode::BadInput,
                        format!("printer address {addr:?}: {e}"),
                    )
                    .with_zh(format!(
                        "打印机地址“{addr}”不对（应为 IP:端口，如 192.168.1.50:9100）"
                    ))
                    .with_field("receipt")
                })?;
                let mut s = std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(5))
                    .map_err(|e| {
                        AppError::new(
                            ErrorCode::Io,
                            format!("cannot reach the printer at {addr}: {e}"),
                        )
                        .with_zh(format!(
                            "连不上 {addr} 的小票打印机：请确认打印机开着、网线插好、地址没变"
                        ))
                        .with_field("receipt")
                    })?;
                s.write_all(&bytes).map_err(|e| {
                    AppError::new(ErrorCode::Io, format!("printer {addr}: {e}")).with_zh(format!(
                        "发给 {addr} 的小票打印机时断开了：请检查打印机后再试"
                    ))
                })?;
            }
            EscposTarget::Device(path) => {
                let mut f = open_printer_device(path)?;
                f.write_all(&bytes).map_err(|e| AppError::io(path, e))?;
            }
        }
        Ok(bytes.len())
    }
}

fn pdf_title(slips: &[Slip]) -> String {
    let terminal = slips
        .iter()
        .filter(|s| s.origin == SlipOrigin::Terminal)
        .count();
    format!(
        "Slipkeeper 重打印凭证 REPRINT ({} slip(s), {terminal} from the terminal's own text)",
        slips.len()
    )
}

/// Prints a PDF on a system printer: CUPS `lp` on Linux and macOS, the shell's print
/// verb on Windows. `printer` None means the default printer.
pub fn print_pdf_on_system_printer(pdf: &Path, printer: Option<&str>) -> Result<(), AppError> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("powershell");
        c.args(["-NoProfile", "-Command"]);
        let file = pdf.display().to_string().replace('\'', "''");
        c.arg(match printer {
            Some(p) => format!(
                "Start-Process -FilePath '{file}' -Verb PrintTo -ArgumentList '\"{}\"'",
                p.replace('\'', "''")
            ),
            None => format!("Start-Process -FilePath '{file}' -Verb Print"),
        });
        c
    } else {
        let mut c = Command::new("lp");
        if let Some(p) = printer {
            c.arg("-d").arg(p);
        }
        c.arg("-t").arg("Slipkeeper reprint").arg("--").arg(pdf);
        c
    };
    let out = cmd.output().map_err(|e| {
        AppError::new(
            ErrorCode::Io,
            format!("cannot start the system print command ({e}); is CUPS (lp) installed?"),
        )
        .with_zh("启动不了系统的打印命令：这台电脑上好像没有安装打印服务")
    })?;
    if !out.status.success() {
        return Err(AppError::new(
            ErrorCode::Io,
            format!(
                "the printer {} refused the job: {}",
                printer.unwrap_or("(default)"),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        )
        .with_zh(format!(
            "打印机 {} 没有接受这份打印：{}",
            printer.unwrap_or("（默认打印机）"),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Opens a file (a PDF, a folder) with the program the OS chooses for it.
pub fn open_with_os(path: &Path) -> Result<(), AppError> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("explorer");
        c.arg(path);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(path);
        c
    } else {
        let mut c = Command::new("xdg-open");
        c.arg(path);
        c
    };
    cmd.spawn().map(|_| ()).map_err(|e| {
        AppError::new(
            ErrorCode::Io,
            format!("cannot open {}: {e}", path.display()),
        )
        .with_zh(format!(
            "打不开 {}：这台电脑上没有能打开它的程序",
            path.display()
        ))
    })
}

/// The PDF of `slips`, as [`App::save_pdf`] writes it.
pub fn pdf_bytes(slips: &[Slip], paper: Paper) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    write_pdf(slips, paper, &pdf_title(slips), &mut bytes)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("PDF: {e}")))?;
    Ok(bytes)
}

/// Opens a receipt printer's device for writing: only a path that resolves to a printer
/// port of the platform (see `printers::device_name_ok`; a link such as
/// /dev/serial/by-id/… is followed first), never creating or truncating anything, and on
/// Unix only if what was opened is a character device. A shop name crafted into a
/// reprint must not end up at the start of a shell's start-up file.
pub(crate) fn open_printer_device(path: &Path) -> Result<std::fs::File, AppError> {
    let refuse = |why: &str| {
        AppError::new(
            ErrorCode::BadInput,
            format!(
                "{}: {why}; a receipt printer is a device such as /dev/usb/lp0, /dev/ttyUSB0 or COM3",
                path.display()
            ),
        )
        .with_zh(format!(
            "{}：不是打印机设备；小票打印机应是 /dev/usb/lp0、/dev/ttyUSB0 或 COM3 这样的设备",
            path.display()
        ))
        .with_field("receipt")
    };
    let resolved = if cfg!(windows) {
        path.to_path_buf()
    } else {
        path.canonicalize().map_err(|e| AppError::io(path, e))?
    };
    if !crate::printers::device_name_ok(&resolved.to_string_lossy()) {
        return Err(refuse("not a printer device"));
    }
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create(false)
        .truncate(false)
        .open(&resolved)
        .map_err(|e| AppError::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = f.metadata().map_err(|e| AppError::io(path, e))?.file_type();
        if !t.is_char_device() {
            return Err(refuse("not a device"));
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;
    use std::io::Read;

    #[test]
    fn typos_lead_to_the_voucher() {
        let near: Vec<String> = closest_vouchers(&TraceNo::new("000042").unwrap())
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert!(near.contains(&"000024".to_owned()), "transposed: {near:?}");
        assert!(near.contains(&"000043".to_owned()) && near.contains(&"000041".to_owned()));
    }

    #[test]
    fn a_reprint_reaches_a_network_printer_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        app.seed_demo(30).unwrap();
        let printer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = printer.local_addr().unwrap().to_string();
        let got = std::thread::spawn(move || {
            let (mut s, _) = printer.accept().unwrap();
            let mut b = Vec::new();
            s.read_to_end(&mut b).unwrap();
            b
        });
        let t = TerminalId::new("10000001").unwrap();
        let slips = app
            .reprint(
                &TraceNo::new("7").unwrap(),
                Some(&t),
                None,
                &[CopyType::Merchant, CopyType::Cardholder],
            )
            .unwrap();
        let n = app
            .print_escpos(&slips, Columns::C48, &EscposTarget::Tcp(addr))
            .unwrap();
        let received = got.join().unwrap();
        let mut expected = Vec::new();
        write_escpos(&slips, Columns::C48, &mut expected).unwrap();
        assert_eq!(received, expected);
        assert_eq!(n, expected.len());
        assert_eq!(
            slips[0].origin,
            slipkeeper_domain::SlipOrigin::Terminal,
            "the terminal's own text was mirrored"
        );
    }

    #[test]
    fn an_unknown_voucher_names_the_closest_and_prints_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        app.seed_demo(30).unwrap();
        let t = TerminalId::new("10000001").unwrap();
        // 15 demo vouchers per terminal: 000015 exists, 000051 (transposed) does not.
        let e = app
            .reprint(
                &TraceNo::new("51").unwrap(),
                Some(&t),
                None,
                &[CopyType::Merchant],
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        assert!(
            e.message.contains("nothing was printed") && e.message.contains("did you mean 000015"),
            "{}",
            e.message
        );
        let e = app
            .reprint(
                &TraceNo::new("7").unwrap(),
                None,
                None,
                &[CopyType::Merchant],
            )
            .unwrap_err();
        assert!(
            e.message.contains("2 times"),
            "two terminals have voucher 7: {}",
            e.message
        );
    }
}
