//! The shop's printers for reprints from the desktop app: a receipt (ESC/POS) printer
//! on the network or on USB/serial, and the system printer that takes PDFs. They belong
//! to this PC, not to the journal (a restored backup must not point the shop at another
//! shop's printer), so they live in `printers.json` in the data folder, written whole:
//! a temporary file renamed over the old one.

use crate::{App, AppError, ErrorCode, EscposTarget};
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{CopyType, TerminalId, TraceNo};
use slipkeeper_slip::{Columns, Paper};
use std::path::PathBuf;

/// The raw-printing port of network receipt printers (JetDirect / AppSocket).
pub const RECEIPT_PORT: u16 = 9100;

/// Settings → printers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct Printers {
    /// The receipt printer: an IP address with an optional port ("192.168.1.30",
    /// "192.168.1.30:9100") or a device ("/dev/usb/lp0", "/dev/ttyUSB0", "COM3").
    pub receipt: Option<String>,
    /// Width of its paper roll in millimetres: 58 or 80.
    pub receipt_width_mm: u16,
    /// The system printer for PDF reprints by name; none: the system's default printer.
    pub system: Option<String>,
}

impl Default for Printers {
    fn default() -> Self {
        Printers {
            receipt: None,
            receipt_width_mm: 80,
            system: None,
        }
    }
}

fn bad(message: String) -> AppError {
    AppError::new(ErrorCode::BadInput, message)
}

fn is_device(s: &str) -> bool {
    s.starts_with('/')
        || s.starts_with("\\\\")
        || s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("COM"))
}

/// Whether a device path names a printer port of the platform: USB printers
/// (`/dev/usb/lp*`, `/dev/lp*`), serial and USB-serial lines (`/dev/tty*`, `/dev/cu.*`,
/// `/dev/serial/…`, `/dev/rfcomm*`, `/dev/pts/*`), `COMn` and `\\.\…` on Windows.
/// Nothing else: a reprint must never be written into an ordinary file.
pub(crate) fn device_name_ok(s: &str) -> bool {
    if s.split(['/', '\\']).any(|c| c == "..") {
        return false;
    }
    if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("COM")) {
        return s.len() > 3 && s[3..].bytes().all(|b| b.is_ascii_digit());
    }
    if let Some(rest) = s.strip_prefix("\\\\.\\") {
        return !rest.is_empty() && !rest.contains(['\\', '/']);
    }
    [
        "/dev/usb/lp",
        "/dev/lp",
        "/dev/tty",
        "/dev/cu.",
        "/dev/serial/",
        "/dev/rfcomm",
        "/dev/pts/",
    ]
    .iter()
    .any(|p| s.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
}

impl Printers {
    /// Checked and tidied: blanks become none, a network printer gets its port.
    pub fn normalised(&self) -> Result<Printers, AppError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let receipt = match blank(&self.receipt) {
            Some(r) if is_device(&r) => {
                if !device_name_ok(&r) {
                    return Err(bad(format!(
                        "receipt printer {r:?}: not a printer device (expected e.g. /dev/usb/lp0, /dev/ttyUSB0, COM3 or \\\\.\\COM3)"
                    )));
                }
                Some(r)
            }
            Some(r) => {
                let with_port = if r.parse::<std::net::IpAddr>().is_ok() {
                    format!("{r}:{RECEIPT_PORT}")
                } else {
                    r.clone()
                };
                with_port.parse::<std::net::SocketAddr>().map_err(|_| {
                    bad(format!(
                        "receipt printer {r:?}: expected the printer's IP address (e.g. 192.168.1.30, port {RECEIPT_PORT} unless given) or a device such as /dev/usb/lp0 or COM3"
                    ))
                })?;
                Some(with_port)
            }
            None => None,
        };
        if !matches!(self.receipt_width_mm, 58 | 80) {
            return Err(bad(format!(
                "receipt paper width {} mm: receipt printers take 58 or 80 mm rolls",
                self.receipt_width_mm
            )));
        }
        Ok(Printers {
            receipt,
            receipt_width_mm: self.receipt_width_mm,
            system: blank(&self.system),
        })
    }

    pub(crate) fn receipt_target(&self) -> Result<(EscposTarget, Columns), AppError> {
        let r = self.receipt.as_deref().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotSetUp,
                "no receipt printer is set up yet: enter its address in Settings → Printers / 还没有设置小票打印机：请在“设置 → 打印机”里填写它的地址",
            )
            .with_field("receipt")
        })?;
        let target = if is_device(r) {
            EscposTarget::Device(PathBuf::from(r))
        } else {
            EscposTarget::Tcp(r.to_owned())
        };
        let cols = if self.receipt_width_mm == 58 {
            Columns::C32
        } else {
            Columns::C48
        };
        Ok((target, cols))
    }
}

impl App {
    fn printers_file(&self) -> PathBuf {
        self.folder().join("printers.json")
    }

    /// The printers set in Settings (defaults when none are).
    pub fn printers(&self) -> Result<Printers, AppError> {
        let file = self.printers_file();
        match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                bad(format!(
                    "{}: {e}; set the printers again in Settings",
                    file.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Printers::default()),
            Err(e) => Err(AppError::io(&file, e)),
        }
    }

    /// Stores the printers (checked first: nothing is written when one is wrong) and
    /// returns them as stored.
    pub fn set_printers(&self, printers: &Printers) -> Result<Printers, AppError> {
        let p = printers.normalised()?;
        let file = self.printers_file();
        let tmp = file.with_extension("json.partial");
        let text = serde_json::to_string_pretty(&p)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| AppError::io(&tmp, e))?;
        std::fs::rename(&tmp, &file).map_err(|e| AppError::io(&file, e))?;
        Ok(p)
    }

    /// Reprints a voucher on the receipt printer; returns the bytes sent.
    pub fn reprint_on_receipt_printer(
        &self,
        voucher: &TraceNo,
        terminal: Option<&TerminalId>,
        batch: Option<&slipkeeper_domain::BatchNo>,
        copies: &[CopyType],
    ) -> Result<usize, AppError> {
        let (target, cols) = self.printers()?.receipt_target()?;
        let slips = self.reprint(voucher, terminal, batch, copies)?;
        self.print_escpos(&slips, cols, &target)
    }

    /// Reprints a voucher as a PDF on the system printer of Settings → Printers.
    pub fn reprint_on_system_printer(
        &self,
        voucher: &TraceNo,
        terminal: Option<&TerminalId>,
        batch: Option<&slipkeeper_domain::BatchNo>,
        copies: &[CopyType],
        paper: Paper,
    ) -> Result<(), AppError> {
        let printer = self.printers()?.system;
        let slips = self.reprint(voucher, terminal, batch, copies)?;
        self.print_on_system_printer(&slips, paper, printer.as_deref())
    }
}

#[cfg(test)]
mod device_tests {
    #[test]
    fn only_printer_ports_are_devices() {
        for ok in [
            "/dev/usb/lp0",
            "/dev/lp1",
            "/dev/ttyUSB0",
            "/dev/ttyACM0",
            "/dev/cu.usbserial-1410",
            "/dev/serial/by-id/usb-Printer-if00",
            "/dev/pts/3",
            "COM3",
            "\\\\.\\COM12",
        ] {
            assert!(super::device_name_ok(ok), "{ok}");
        }
        for bad in [
            "/home/shop/.bashrc",
            "/dev/sda",
            "/dev/mem",
            "/dev/null",
            "/dev/usb/lp0/../../../etc/profile",
            "/dev/tty",
            "COM",
            "COM1.txt",
            "\\\\server\\share\\file",
            "\\\\.\\..\\C:\\x",
        ] {
            assert!(!super::device_name_ok(bad), "{bad}");
        }
    }
}
