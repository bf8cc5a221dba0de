//! A ZVT payment terminal (PT) in software: the counterpart Slipkeeper's link talks to
//! in tests and in the demo. [`Terminal`] is the state machine — command in, the
//! APDUs a real terminal would answer with out — and [`serve`] puts it on a TCP port.
//!
//! What it does, as a real terminal does: registration (06 00), status enquiry (05 01),
//! authorisation (06 01) with status information, merchant and customer receipts as
//! print text blocks and completion; reversal (06 30) of a receipt in the open batch —
//! after end-of-day (06 50) that receipt is gone and the answer is an abort, the
//! "原交易不存在" of UnionPay terminals; refund (06 31); repeat receipt (06 20);
//! turnover totals (06 10); diagnosis (06 70); log-off (06 02). Amounts ending in
//! .13 are declined (result 05), so tests can ask for a decline.

use chrono::NaiveDateTime;
use slipkeeper_zvt::{bcd_encode, encode_bmps, encode_tlvs, Apdu, Bmp, Message, Tlv};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Result codes used here (FACTS.md §5).
pub const RC_DECLINED: u8 = 0x05;
pub const RC_NOT_POSSIBLE: u8 = 0x83;
pub const RC_REVERSAL_NOT_POSSIBLE: u8 = 0xB5;
pub const RC_NOT_REGISTERED: u8 = 0x6B;

#[derive(Clone, Debug)]
struct Booked {
    receipt: u16,
    trace: u32,
    amount: u64,
    reversed: bool,
    refund: bool,
}

/// What a slip says about one booking.
struct Booking<'a> {
    title: &'a str,
    amount: u64,
    trace: u32,
    receipt: u16,
    auth: &'a str,
    now: NaiveDateTime,
}

/// The terminal's state.
#[derive(Debug)]
pub struct Terminal {
    pub terminal_id: String,
    pub vu_number: String,
    pub currency: u16,
    registered: bool,
    config: u8,
    trace: u32,
    receipt: u16,
    batch: Vec<Booked>,
    last_receipts: Vec<Apdu>,
}

fn bcd(v: u64, len: usize) -> Vec<u8> {
    bcd_encode(v % 10u64.pow(2 * len as u32), len).unwrap_or_else(|| vec![0; len])
}

fn apdu(class: u8, instr: u8, bmps: &[Bmp]) -> Apdu {
    Apdu::new(class, instr, encode_bmps(bmps).unwrap_or_default())
}

fn b(id: u8, value: Vec<u8>) -> Bmp {
    Bmp { id, value }
}

fn time_bmps(now: NaiveDateTime) -> Vec<Bmp> {
    let t = now.format("%H%M%S").to_string().parse().unwrap_or(0);
    let d = now.format("%m%d").to_string().parse().unwrap_or(0);
    vec![b(0x0C, bcd(t, 3)), b(0x0D, bcd(d, 2))]
}

fn abort(rc: u8) -> Apdu {
    Apdu::new(0x06, 0x1E, vec![rc])
}

fn completion() -> Apdu {
    Apdu::new(0x06, 0x0F, Vec::new())
}

impl Terminal {
    pub fn new(terminal_id: &str, vu_number: &str, currency: u16) -> Terminal {
        Terminal {
            terminal_id: terminal_id.to_owned(),
            vu_number: vu_number.to_owned(),
            currency,
            registered: false,
            config: 0,
            trace: 0,
            receipt: 0,
            batch: Vec::new(),
            last_receipts: Vec::new(),
        }
    }

    fn tid(&self) -> Bmp {
        b(0x29, bcd(self.terminal_id.parse().unwrap_or(0), 4))
    }

    fn vu(&self) -> Bmp {
        b(
            0x2A,
            format!("{:<15}", self.vu_number).into_bytes()[..15].to_vec(),
        )
    }

    fn receipt_block(&self, kind: u8, lines: &[String]) -> Apdu {
        // UTF-8 (TLV 14 = FE) so that Chinese labels survive.
        let mut children: Vec<Tlv> = lines
            .iter()
            .map(|l| Tlv::primitive(0x07, l.as_bytes().to_vec()))
            .collect();
        children.push(Tlv::primitive(0x09, vec![0xFF]));
        let tlv = vec![
            Tlv::primitive(0x1F07, vec![kind]),
            Tlv::primitive(0x14, vec![0xFE]),
            Tlv::container(0x25, children),
        ];
        apdu(0x06, 0xD3, &[b(0x06, encode_tlvs(&tlv))])
    }

    fn slip_lines(&self, copy: &str, b: &Booking<'_>) -> Vec<String> {
        vec![
            "银联POS签购单 UnionPay POS SLIP".into(),
            copy.into(),
            format!("商户编号 MERCHANT NO.: {}", self.vu_number),
            format!("终端编号 TERMINAL NO.: {}", self.terminal_id),
            "卡号 CARD NO.: 622588******5673 I".into(),
            format!("交易类型 TRANS TYPE: {}", b.title),
            format!("凭证号 VOUCHER NO.: {:06}", b.trace),
            format!("收据号 RECEIPT NO.: {:04}", b.receipt),
            format!("授权码 AUTH NO.: {}", b.auth),
            format!("日期/时间 DATE/TIME: {}", b.now.format("%Y/%m/%d %H:%M:%S")),
            format!("金额 AMOUNT: {}.{:02}", b.amount / 100, b.amount % 100),
        ]
    }

    /// Books a transaction and returns status information, receipts and completion.
    fn book(&mut self, amount: u64, refund: bool, now: NaiveDateTime) -> Vec<Apdu> {
        if amount % 100 == 13 {
            let mut bmps = vec![
                b(0x27, vec![RC_DECLINED]),
                b(0x04, bcd(amount, 6)),
                self.tid(),
            ];
            bmps.extend(time_bmps(now));
            return vec![apdu(0x04, 0x0F, &bmps), abort(RC_DECLINED)];
        }
        self.trace += 1;
        self.receipt += 1;
        let (trace, receipt) = (self.trace, self.receipt);
        let auth = format!("{:06}", (u64::from(trace) * 7919 + amount) % 1_000_000);
        self.batch.push(Booked {
            receipt,
            trace,
            amount,
            reversed: false,
            refund,
        });
        let mut bmps = vec![
            b(0x27, vec![0]),
            b(0x04, bcd(amount, 6)),
            b(0x0B, bcd(trace.into(), 3)),
        ];
        bmps.extend(time_bmps(now));
        bmps.extend([
            b(0x0E, bcd(2912, 2)),
            b(0x22, vec![0x62, 0x25, 0x88, 0xEE, 0xEE, 0xEE, 0x56, 0x73]),
            self.tid(),
            self.vu(),
            b(0x3B, format!("{auth}\0\0").into_bytes()),
            b(0x49, bcd(self.currency.into(), 2)),
            b(0x87, bcd(receipt.into(), 2)),
            b(0x8A, vec![0x05]),
            b(0x8B, b"UnionPay\0".to_vec()),
        ]);
        let title = if refund {
            "退货 REFUND"
        } else {
            "消费 SALE"
        };
        let mut out = vec![apdu(0x04, 0x0F, &bmps)];
        let info = Booking {
            title,
            amount,
            trace,
            receipt,
            auth: &auth,
            now,
        };
        self.last_receipts = vec![
            self.receipt_block(0x01, &self.slip_lines("商户存根 MERCHANT COPY", &info)),
            self.receipt_block(0x02, &self.slip_lines("持卡人存根 CARDHOLDER COPY", &info)),
        ];
        // Config 0x80: receipts come as print commands; 0x02: the ECR prints them.
        if self.config & 0x82 == 0x82 {
            out.extend(self.last_receipts.clone());
        }
        out.push(completion());
        out
    }

    fn totals(&self, now: NaiveDateTime) -> Apdu {
        let live: Vec<&Booked> = self
            .batch
            .iter()
            .filter(|x| !x.reversed && !x.refund)
            .collect();
        let total: u64 = live.iter().map(|x| x.amount).sum();
        let mut bmps = vec![
            b(0x27, vec![0]),
            b(0x04, bcd(total, 6)),
            b(0x0B, bcd(self.trace.into(), 3)),
        ];
        bmps.extend(time_bmps(now));
        // BMP 60: first and last receipt, then count + total per card family (we book all as "others").
        let first = self.batch.first().map(|x| x.receipt).unwrap_or(0);
        let last = self.batch.last().map(|x| x.receipt).unwrap_or(0);
        let mut t = bcd(first.into(), 2);
        t.extend(bcd(last.into(), 2));
        for family in 0..7 {
            let (n, sum) = if family == 6 {
                (live.len() as u8, total)
            } else {
                (0, 0)
            };
            t.push(n);
            t.extend(bcd(sum, 6));
        }
        bmps.push(b(0x60, t));
        bmps.push(self.tid());
        apdu(0x04, 0x0F, &bmps)
    }

    /// The terminal's answer to one command from the ECR: first the acknowledgement,
    /// then the messages it sends as master (each to be acknowledged by the ECR).
    pub fn handle(&mut self, cmd: &Apdu, now: NaiveDateTime) -> Vec<Apdu> {
        let msg = match Message::decode(cmd) {
            Ok(m) => m,
            Err(_) => return vec![Apdu::new(0x84, 0x9A, Vec::new())],
        };
        let ack = Apdu::ack();
        let needs_registration = !matches!(
            (cmd.class, cmd.instr),
            (0x06, 0x00) | (0x05, 0x01) | (0x06, 0x02) | (0x06, 0x70)
        );
        if needs_registration && !self.registered {
            return vec![Apdu::new(0x84, RC_NOT_POSSIBLE, Vec::new())];
        }
        let mut out = vec![ack];
        match (cmd.class, cmd.instr, msg) {
            (0x06, 0x00, Message::Registration { config, .. }) => {
                self.registered = true;
                self.config = config;
                out.push(apdu(
                    0x06,
                    0x0F,
                    &[
                        b(0x19, vec![0]),
                        self.tid(),
                        b(0x49, bcd(self.currency.into(), 2)),
                    ],
                ));
            }
            (0x05, 0x01, _) => {
                let mut data = vec![0xF0, 0xF0, 0xF8];
                data.extend(b"SIM-1.00");
                data.push(0x00);
                out.push(Apdu::new(0x06, 0x0F, data));
            }
            (0x06, 0x01, Message::Command { fields, .. }) => match fields.amount {
                Some(a) if a > 0 => out.extend(self.book(a, false, now)),
                _ => out.push(abort(0x9A)),
            },
            (0x06, 0x31, Message::WithPassword { fields, .. }) => match fields.amount {
                Some(a) if a > 0 => out.extend(self.book(a, true, now)),
                _ => out.push(abort(0x9A)),
            },
            (0x06, 0x30, Message::WithPassword { fields, .. }) => {
                let found = fields
                    .receipt_no
                    .and_then(|r| self.batch.iter().position(|x| x.receipt == r));
                match found {
                    Some(i) if !self.batch[i].reversed => {
                        self.batch[i].reversed = true;
                        let (orig_trace, amount, receipt) = (
                            self.batch[i].trace,
                            self.batch[i].amount,
                            self.batch[i].receipt,
                        );
                        self.trace += 1;
                        let mut bmps = vec![
                            b(0x27, vec![0]),
                            b(0x04, bcd(amount, 6)),
                            b(0x0B, bcd(self.trace.into(), 3)),
                        ];
                        bmps.extend(time_bmps(now));
                        bmps.extend([
                            self.tid(),
                            b(0x37, bcd(orig_trace.into(), 3)),
                            b(0x87, bcd(receipt.into(), 2)),
                            b(0x49, bcd(self.currency.into(), 2)),
                        ]);
                        out.push(apdu(0x04, 0x0F, &bmps));
                        out.push(completion());
                    }
                    // Settled, already reversed or never booked: the original is not in this batch.
                    _ => out.push(abort(RC_REVERSAL_NOT_POSSIBLE)),
                }
            }
            (0x06, 0x20, _) => {
                if self.last_receipts.is_empty() {
                    out.push(abort(RC_NOT_POSSIBLE));
                } else {
                    out.extend(self.last_receipts.clone());
                    out.push(completion());
                }
            }
            (0x06, 0x10, _) => {
                out.push(self.totals(now));
                out.push(completion());
            }
            (0x06, 0x50, _) => {
                out.push(self.totals(now));
                let lines = vec![
                    "结算 SETTLEMENT".to_owned(),
                    format!("笔数 COUNT: {}", self.batch.len()),
                ];
                out.push(self.receipt_block(0x03, &lines));
                out.push(completion());
                self.batch.clear();
            }
            (0x06, 0x70, _) => out.push(completion()),
            (0x06, 0x02, _) => self.registered = false,
            _ => return vec![Apdu::new(0x84, RC_NOT_POSSIBLE, Vec::new())],
        }
        out
    }
}

/// Reads one APDU from a TCP stream.
pub async fn read_apdu(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<Apdu>> {
    loop {
        match Apdu::read(buf) {
            Ok(Some((a, used))) => {
                buf.drain(..used);
                return Ok(Some(a));
            }
            Ok(None) => {}
            Err(e) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    e.to_string(),
                ))
            }
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn write_apdu(s: &mut TcpStream, a: &Apdu) -> std::io::Result<()> {
    let bytes = a
        .encode()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
    s.write_all(&bytes).await
}

/// Serves one ECR connection until it closes.
pub async fn serve_connection(
    mut s: TcpStream,
    term: Arc<Mutex<Terminal>>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while let Some(cmd) = read_apdu(&mut s, &mut buf).await? {
        if matches!(cmd.class, 0x80 | 0x84) {
            continue; // a stray acknowledgement
        }
        let answers = match term.lock() {
            Ok(mut t) => t.handle(&cmd, clock()),
            Err(_) => return Ok(()),
        };
        let mut it = answers.into_iter();
        if let Some(first) = it.next() {
            write_apdu(&mut s, &first).await?;
        }
        for a in it {
            write_apdu(&mut s, &a).await?;
            // The ECR acknowledges each message; give up on this connection if it does not.
            match tokio::time::timeout(
                std::time::Duration::from_secs(5),
                read_apdu(&mut s, &mut buf),
            )
            .await
            {
                Ok(Ok(Some(ack))) if ack.class == 0x80 || ack.class == 0x84 => {}
                _ => return Ok(()),
            }
        }
    }
    Ok(())
}

/// Listens on `addr` and serves every connection with one shared terminal.
/// Returns the bound address (use port 0 for a free one) and the server task.
pub async fn serve(
    addr: SocketAddr,
    term: Terminal,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let term = Arc::new(Mutex::new(term));
    let task = tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let t = term.clone();
            tokio::spawn(async move {
                let _ = serve_connection(s, t, clock).await;
            });
        }
    });
    Ok((bound, task))
}
