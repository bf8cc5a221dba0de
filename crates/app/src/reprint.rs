//! Reprinting a lost slip: find the voucher, lay out the copies marked as a reprint,
//! and send them to a printer. A voucher that is not in the journal prints nothing and
//! names the closest ones instead (a transposed or mistyped digit is the usual cause).

use crate::{App, AppError, ErrorCode};
use slipkeeper_domain::{BatchNo, CopyType, TerminalId, TraceNo};
use slipkeeper_slip::{layout, write_escpos, Columns, Slip};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

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
            let which: Vec<String> = found
                .iter()
                .map(|d| {
                    format!(
                        "terminal {} batch {}",
                        d.row.txn.terminal_id, d.row.txn.batch_no
                    )
                })
                .collect();
            return Err(AppError::new(
                ErrorCode::BadInput,
                format!("voucher {voucher} exists {} times ({}); choose with --terminal and --batch; nothing was printed", found.len(), which.join("; ")),
            ));
        }
        let d = &found[0];
        let shop = self.journal.merchant_profile()?.shop_name;
        let now = self.clock.local_now();
        Ok(copies
            .iter()
            .map(|c| layout(&d.row.txn, &d.slips, *c, shop.as_deref(), now))
            .collect())
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
                })?;
                let mut s = std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(5))
                    .map_err(|e| {
                        AppError::new(
                            ErrorCode::Io,
                            format!("cannot reach the printer at {addr}: {e}"),
                        )
                    })?;
                s.write_all(&bytes)
                    .map_err(|e| AppError::new(ErrorCode::Io, format!("printer {addr}: {e}")))?;
            }
            EscposTarget::Device(path) => {
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| AppError::io(path, e))?;
                f.write_all(&bytes).map_err(|e| AppError::io(path, e))?;
            }
        }
        Ok(bytes.len())
    }
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
