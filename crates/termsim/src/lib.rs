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
use slipkeeper_zvt::{bcd_encode, cmd, encode_bmps, encode_tlvs, Apdu, Bmp, Code, Message, Tlv};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Result codes used here (FACTS.md §5).
pub const RC_DECLINED: u8 = 0x05;
pub const RC_NOT_POSSIBLE: u8 = 0x83;
pub const RC_REVERSAL_NOT_POSSIBLE: u8 = 0xB5;
pub const RC_NOT_REGISTERED: u8 = 0x6B;

/// What kind of booking a ledger entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Sale,
    Refund,
    /// A reversal (void) of an earlier receipt of the same batch.
    Void,
    /// Pre-authorisation (06 22): an amount reserved on the card.
    PreAuth,
    /// Book total (06 24): the final amount of a pre-authorisation taken.
    PreAuthCompletion,
    /// Pre-authorisation reversal (06 25), or the terminal reversing a booking the
    /// ECR never acknowledged.
    Reversal,
}

impl Kind {
    /// The same names the journal uses for these kinds, so the two can be compared.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sale => "sale",
            Kind::Refund => "refund",
            Kind::Void => "void",
            Kind::PreAuth => "pre_auth",
            Kind::PreAuthCompletion => "pre_auth_completion",
            Kind::Reversal => "reversal",
        }
    }
}

/// One booking in the terminal's own journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked {
    /// Batches are counted from 1; end-of-day moves on to the next.
    pub batch_no: u32,
    pub receipt: u16,
    pub trace: u32,
    pub amount: u64,
    pub kind: Kind,
    pub reversed: bool,
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
    batch_no: u32,
    batch: Vec<Booked>,
    settled: Vec<Booked>,
    /// Status information and receipts of the last booking, for repeat receipt.
    last_status: Option<Apdu>,
    last_receipts: Vec<Apdu>,
    /// Amounts keyed in at the counter, waiting for an armed authorisation.
    customers: std::collections::VecDeque<u64>,
    /// The ECR connection the terminal serves; a new one supersedes the old.
    generation: u64,
    /// Reverse a booking whose status information the ECR never acknowledged, as
    /// terminals do after their timeout (off by default).
    pub auto_reverse: bool,
    /// Answers the status enquiry (05 01). Some terminals know only registration,
    /// authorisation and end-of-day and refuse it with 0x83, "function not possible".
    pub knows_status_enquiry: bool,
}

fn bcd(v: u64, len: usize) -> Vec<u8> {
    bcd_encode(v % 10u64.pow(2 * len as u32), len).unwrap_or_else(|| vec![0; len])
}

/// A message of BMPs. A BMP this simulator built wrong is answered as what it is, a
/// protocol error (`84 9A`), never as the message with its data left out.
fn apdu(code: Code, bmps: &[Bmp]) -> Apdu {
    match encode_bmps(bmps) {
        Ok(data) => Apdu::command(code, data),
        Err(_) => Apdu::new(0x84, 0x9A, Vec::new()),
    }
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
    Apdu::command(cmd::ABORT, vec![rc])
}

fn completion() -> Apdu {
    Apdu::command(cmd::COMPLETION, Vec::new())
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
            batch_no: 1,
            batch: Vec::new(),
            settled: Vec::new(),
            last_status: None,
            last_receipts: Vec::new(),
            customers: Default::default(),
            generation: 0,
            auto_reverse: false,
            knows_status_enquiry: true,
        }
    }

    /// The ECR did not acknowledge the status information of the last booking in
    /// time: the terminal reverses it (new trace number, BMP 37 the original).
    pub fn reverse_unacknowledged(&mut self, now: NaiveDateTime) -> Option<Apdu> {
        if !self.auto_reverse {
            return None;
        }
        let last = self
            .batch
            .iter()
            .rposition(|x| !x.reversed && x.kind != Kind::Reversal)?;
        self.batch[last].reversed = true;
        let original = self.batch[last].clone();
        let answers = self.book_as(original.amount, Kind::Reversal, Some(&original), now);
        answers.into_iter().next()
    }

    /// Every booking the terminal made, settled batches first, in order.
    pub fn ledger(&self) -> Vec<Booked> {
        self.settled.iter().chain(&self.batch).cloned().collect()
    }

    /// A customer keys `amount` (minor units) in at the counter; it is booked when the
    /// ECR has an authorisation without amount open (see [`is_armed`]).
    pub fn queue_customer(&mut self, amount: u64) {
        self.customers.push_back(amount);
    }

    /// Customers still waiting.
    pub fn customers_waiting(&self) -> usize {
        self.customers.len()
    }

    /// Books the next waiting customer: status information, receipts, completion.
    fn take_customer(&mut self, now: NaiveDateTime) -> Option<Vec<Apdu>> {
        let amount = self.customers.pop_front()?;
        Some(self.book(amount, false, now))
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
        apdu(cmd::PRINT_TEXT_BLOCK, &[b(0x06, encode_tlvs(&tlv))])
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
        let kind = if refund { Kind::Refund } else { Kind::Sale };
        self.book_as(amount, kind, None, now)
    }

    /// Books `kind`; `original` is the receipt a completion or reversal refers to.
    fn book_as(
        &mut self,
        amount: u64,
        kind: Kind,
        original: Option<&Booked>,
        now: NaiveDateTime,
    ) -> Vec<Apdu> {
        if amount % 100 == 13 {
            let mut bmps = vec![
                b(0x27, vec![RC_DECLINED]),
                b(0x04, bcd(amount, 6)),
                self.tid(),
            ];
            bmps.extend(time_bmps(now));
            return vec![apdu(cmd::STATUS_INFORMATION, &bmps), abort(RC_DECLINED)];
        }
        self.trace += 1;
        self.receipt += 1;
        let (trace, receipt) = (self.trace, self.receipt);
        let auth = format!("{:06}", (u64::from(trace) * 7919 + amount) % 1_000_000);
        self.batch.push(Booked {
            batch_no: self.batch_no,
            receipt,
            trace,
            amount,
            kind,
            reversed: false,
        });
        let mut bmps = vec![
            b(0x27, vec![0]),
            b(0x04, bcd(amount, 6)),
            b(0x0B, bcd(trace.into(), 3)),
        ];
        if let Some(o) = original {
            bmps.push(b(0x37, bcd(o.trace.into(), 3)));
        }
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
        let title = match kind {
            Kind::Refund => "退货 REFUND",
            Kind::PreAuth => "预授权 PRE-AUTH",
            Kind::PreAuthCompletion => "预授权完成 AUTH COMPLETE",
            Kind::Reversal => "预授权撤销 PRE-AUTH VOID",
            Kind::Sale | Kind::Void => "消费 SALE",
        };
        let status = apdu(cmd::STATUS_INFORMATION, &bmps);
        self.last_status = Some(status.clone());
        let mut out = vec![status];
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
            .filter(|x| !x.reversed && matches!(x.kind, Kind::Sale | Kind::PreAuthCompletion))
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
        apdu(cmd::STATUS_INFORMATION, &bmps)
    }

    /// The terminal's answer to one command from the ECR: first the acknowledgement,
    /// then the messages it sends as master (each to be acknowledged by the ECR).
    pub fn handle(&mut self, cmd: &Apdu, now: NaiveDateTime) -> Vec<Apdu> {
        let msg = match Message::decode(cmd) {
            Ok(m) => m,
            Err(_) => return vec![Apdu::new(0x84, 0x9A, Vec::new())],
        };
        let ack = Apdu::ack();
        if (cmd.class, cmd.instr) == cmd::STATUS_ENQUIRY && !self.knows_status_enquiry {
            return vec![Apdu::new(0x84, RC_NOT_POSSIBLE, Vec::new())];
        }
        let needs_registration = !matches!(
            (cmd.class, cmd.instr),
            cmd::REGISTRATION | cmd::STATUS_ENQUIRY | cmd::LOG_OFF | cmd::DIAGNOSIS
        );
        if needs_registration && !self.registered {
            return vec![Apdu::new(0x84, RC_NOT_POSSIBLE, Vec::new())];
        }
        let mut out = vec![ack];
        match (cmd.code(), msg) {
            (cmd::REGISTRATION, Message::Registration { config, .. }) => {
                self.registered = true;
                self.config = config;
                out.push(apdu(
                    cmd::COMPLETION,
                    &[
                        b(0x19, vec![0]),
                        self.tid(),
                        b(0x49, bcd(self.currency.into(), 2)),
                    ],
                ));
            }
            (cmd::STATUS_ENQUIRY, _) => {
                let mut data = vec![0xF0, 0xF0, 0xF8];
                data.extend(b"SIM-1.00");
                data.push(0x00);
                out.push(Apdu::command(cmd::COMPLETION, data));
            }
            (cmd::AUTHORISATION, Message::Command { fields, .. }) => match fields.amount {
                Some(a) if a > 0 => out.extend(self.book(a, false, now)),
                // No amount: the cashier keys it in at the terminal.
                None => out.extend(self.take_customer(now).unwrap_or_default()),
                _ => out.push(abort(0x9A)),
            },
            (cmd::PRE_AUTHORISATION, Message::Command { fields, .. }) => match fields.amount {
                Some(a) if a > 0 => out.extend(self.book_as(a, Kind::PreAuth, None, now)),
                _ => out.push(abort(0x9A)),
            },
            (cmd::BOOK_TOTAL | cmd::PRE_AUTH_REVERSAL, Message::Command { fields, .. }) => {
                let open = fields.receipt_no.and_then(|r| {
                    self.batch
                        .iter()
                        .position(|x| x.receipt == r && x.kind == Kind::PreAuth && !x.reversed)
                });
                match open {
                    Some(i) => {
                        // Taken or cancelled, the reservation is closed either way.
                        self.batch[i].reversed = true;
                        let original = self.batch[i].clone();
                        let (kind, amount) = if cmd.instr == 0x24 {
                            (
                                Kind::PreAuthCompletion,
                                fields.amount.unwrap_or(original.amount),
                            )
                        } else {
                            (Kind::Reversal, original.amount)
                        };
                        if amount > original.amount {
                            out.push(abort(0xB7)); // more than was reserved
                            self.batch[i].reversed = false;
                        } else {
                            out.extend(self.book_as(amount, kind, Some(&original), now));
                        }
                    }
                    None => out.push(abort(0xB8)), // no such open pre-authorisation
                }
            }
            (cmd::REFUND, Message::WithPassword { fields, .. }) => match fields.amount {
                Some(a) if a > 0 => out.extend(self.book(a, true, now)),
                _ => out.push(abort(0x9A)),
            },
            (cmd::REVERSAL, Message::WithPassword { fields, .. }) => {
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
                        self.batch.push(Booked {
                            batch_no: self.batch_no,
                            receipt,
                            trace: self.trace,
                            amount,
                            kind: Kind::Void,
                            reversed: false,
                        });
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
                        let status = apdu(cmd::STATUS_INFORMATION, &bmps);
                        self.last_status = Some(status.clone());
                        self.last_receipts.clear();
                        out.push(status);
                        out.push(completion());
                    }
                    // Settled, already reversed or never booked: the original is not in this batch.
                    _ => out.push(abort(RC_REVERSAL_NOT_POSSIBLE)),
                }
            }
            (cmd::REPEAT_RECEIPT, _) => match &self.last_status {
                // Like some real terminals, the status information of the last booking
                // comes with the copy of its receipts (FACTS.md §2: a client accepts it).
                Some(status) => {
                    out.push(status.clone());
                    out.extend(self.last_receipts.clone());
                    out.push(completion());
                }
                None => out.push(abort(RC_NOT_POSSIBLE)),
            },
            (cmd::TURNOVER_TOTALS, _) => {
                out.push(self.totals(now));
                out.push(completion());
            }
            (cmd::END_OF_DAY, _) => {
                out.push(self.totals(now));
                let lines = vec![
                    "结算 SETTLEMENT".to_owned(),
                    format!("笔数 COUNT: {}", self.batch.len()),
                ];
                out.push(self.receipt_block(0x03, &lines));
                out.push(completion());
                self.settled.append(&mut self.batch);
                self.batch_no += 1;
            }
            (cmd::DIAGNOSIS, _) => out.push(completion()),
            (cmd::LOG_OFF, _) => self.registered = false,
            _ => return vec![Apdu::new(0x84, RC_NOT_POSSIBLE, Vec::new())],
        }
        out
    }
}

/// Reads one APDU from a TCP stream.
pub async fn read_apdu<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Apdu>> {
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

/// Faults a test can ask the simulator to commit, each decided by a seeded generator
/// so that a failing seed can be replayed.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub seed: u64,
    /// Close the connection after a random number (1..=n) of frames sent.
    pub drop_within: Option<u32>,
    /// Probability that a frame is held back for `delay` first.
    pub delay_p: f64,
    pub delay: std::time::Duration,
    /// Probability that the terminal stops answering altogether on this connection.
    pub silence_p: f64,
    /// Serial only (TCP has its own checksums): probability that a frame goes out
    /// with one byte flipped (the CRC catches it, the ECR answers NAK, it is resent).
    pub corrupt_p: f64,
    /// Serial only: probability that a good frame from the ECR is answered with NAK.
    pub nak_p: f64,
}

/// xorshift64*: small, deterministic, good enough to pick faults.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The terminal as the network sees it: its state, a bell for customers arriving at
/// the counter, and the faults it commits.
#[derive(Debug)]
pub struct Shared {
    pub terminal: Mutex<Terminal>,
    customer: tokio::sync::Notify,
    faults: Faults,
}

impl Shared {
    pub fn new(terminal: Terminal, faults: Faults) -> Arc<Shared> {
        Arc::new(Shared {
            terminal: Mutex::new(terminal),
            customer: tokio::sync::Notify::new(),
            faults,
        })
    }

    /// A customer keys in `amount` at the counter.
    pub fn customer(&self, amount: u64) {
        if let Ok(mut t) = self.terminal.lock() {
            t.queue_customer(amount);
        }
        self.customer.notify_waiters();
    }

    /// The terminal's own journal.
    pub fn ledger(&self) -> Vec<Booked> {
        self.terminal.lock().map(|t| t.ledger()).unwrap_or_default()
    }

    pub fn customers_waiting(&self) -> usize {
        self.terminal
            .lock()
            .map(|t| t.customers_waiting())
            .unwrap_or(0)
    }
}

/// An authorisation without amount: the terminal waits for the cashier to key it in.
pub fn is_armed(cmd: &Apdu) -> bool {
    (cmd.class, cmd.instr) == cmd::AUTHORISATION
        && matches!(Message::decode(cmd), Ok(Message::Command { fields, .. }) if fields.amount.is_none())
}

/// How long an armed authorisation waits: BMP 01 (seconds), else 60 s.
fn armed_wait(cmd: &Apdu) -> std::time::Duration {
    let secs = match Message::decode(cmd) {
        Ok(Message::Command { fields, .. }) => fields
            .raw
            .iter()
            .find(|b| b.id == 0x01)
            .and_then(|b| b.value.first().copied())
            .map(u64::from),
        _ => None,
    };
    std::time::Duration::from_secs(secs.unwrap_or(60).max(1))
}

/// Result code of an armed authorisation that ended with no customer.
pub const RC_NO_CUSTOMER: u8 = 0x6C;

/// How APDUs cross one connection: bare on TCP, framed and line-acknowledged on a
/// serial line.
#[allow(async_fn_in_trait)] // used with concrete types inside this crate
pub trait Port {
    /// The next APDU from the ECR; None when the line closed.
    async fn recv(&mut self) -> std::io::Result<Option<Apdu>>;
    /// Sends one APDU (encoded bytes). `corrupt`: a byte index to flip in the first
    /// attempt (serial).
    async fn send(&mut self, apdu: &[u8], corrupt: Option<usize>) -> std::io::Result<()>;
    /// Sends the first half of it and nothing more (the line dies mid-frame).
    async fn send_half(&mut self, apdu: &[u8]);
    /// Reads and discards until the peer hangs up.
    async fn drain(&mut self);
}

/// ZVT over TCP.
pub struct TcpPort<S> {
    s: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> TcpPort<S> {
    pub fn new(s: S) -> Self {
        TcpPort { s, buf: Vec::new() }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Port for TcpPort<S> {
    async fn recv(&mut self) -> std::io::Result<Option<Apdu>> {
        read_apdu(&mut self.s, &mut self.buf).await
    }
    async fn send(&mut self, apdu: &[u8], _corrupt: Option<usize>) -> std::io::Result<()> {
        self.s.write_all(apdu).await
    }
    async fn send_half(&mut self, apdu: &[u8]) {
        let _ = self.s.write_all(&apdu[..apdu.len() / 2]).await;
    }
    async fn drain(&mut self) {
        let mut sink = [0u8; 1024];
        while matches!(self.s.read(&mut sink).await, Ok(n) if n > 0) {}
    }
}

/// ZVT over a serial line: DLE STX … DLE ETX CRC frames, each answered with one ACK
/// or NAK byte, at most three attempts.
pub struct SerialPort<S> {
    s: S,
    rx: std::collections::VecDeque<u8>,
    deframer: slipkeeper_zvt::serial::Deframer,
    rng: Rng,
    nak_p: f64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> SerialPort<S> {
    pub fn new(s: S, seed: u64, nak_p: f64) -> Self {
        SerialPort {
            s,
            rx: Default::default(),
            deframer: Default::default(),
            rng: Rng::new(seed ^ 0x5E71A1),
            nak_p,
        }
    }

    async fn byte(&mut self) -> std::io::Result<Option<u8>> {
        if self.rx.is_empty() {
            let mut chunk = [0u8; 1024];
            let n = self.s.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.rx.extend(&chunk[..n]);
        }
        Ok(self.rx.pop_front())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Port for SerialPort<S> {
    async fn recv(&mut self) -> std::io::Result<Option<Apdu>> {
        use slipkeeper_zvt::serial::{ACK, NAK};
        loop {
            let Some(b) = self.byte().await? else {
                return Ok(None);
            };
            match self.deframer.push(b) {
                None => {}
                Some(Err(_)) => self.s.write_all(&[NAK]).await?,
                Some(Ok(_)) if self.rng.unit() < self.nak_p => {
                    // Pretend it arrived damaged: the ECR must send it again.
                    self.s.write_all(&[NAK]).await?
                }
                Some(Ok(apdu)) => {
                    self.s.write_all(&[ACK]).await?;
                    match Apdu::decode_exact(&apdu) {
                        Ok(a) => return Ok(Some(a)),
                        Err(e) => {
                            return Err(std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                e.to_string(),
                            ))
                        }
                    }
                }
            }
        }
    }

    async fn send(&mut self, apdu: &[u8], corrupt: Option<usize>) -> std::io::Result<()> {
        use slipkeeper_zvt::serial::{frame, ACK, MAX_ATTEMPTS, NAK, T3_ACK};
        let good = frame(apdu);
        for attempt in 0..MAX_ATTEMPTS {
            let mut bytes = good.clone();
            if attempt == 0 {
                if let Some(i) = corrupt {
                    // Inside the data, past DLE STX, so the CRC (not the framing) fails.
                    let i = 2 + i % apdu.len().max(1);
                    if bytes[i] != slipkeeper_zvt::serial::DLE {
                        bytes[i] ^= 0x01;
                    }
                }
            }
            self.s.write_all(&bytes).await?;
            loop {
                match tokio::time::timeout(T3_ACK, self.byte()).await {
                    Ok(Ok(Some(ACK))) => return Ok(()),
                    Ok(Ok(Some(NAK))) | Err(_) => break, // send again
                    Ok(Ok(Some(_))) => continue,         // noise between frames
                    Ok(Ok(None)) => {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                    Ok(Err(e)) => return Err(e),
                }
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no ACK after three attempts",
        ))
    }

    async fn send_half(&mut self, apdu: &[u8]) {
        let f = slipkeeper_zvt::serial::frame(apdu);
        let _ = self.s.write_all(&f[..f.len() / 2]).await;
    }

    async fn drain(&mut self) {
        // A serial line never hangs up: the terminal is silent for a while, then
        // (the caller) listens again, like one that was switched off and on.
        let quiet = async { while matches!(self.byte().await, Ok(Some(_))) {} };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), quiet).await;
        self.rx.clear();
        self.deframer = Default::default();
    }
}

/// One connection's writer, committing the configured faults.
struct Wire<'a, P> {
    port: &'a mut P,
    rng: Rng,
    faults: &'a Faults,
    sent: u32,
    drop_at: Option<u32>,
}

#[derive(Debug)]
enum WireFault {
    Drop,
    Silence,
    Io(std::io::Error),
}

impl From<std::io::Error> for WireFault {
    fn from(e: std::io::Error) -> Self {
        WireFault::Io(e)
    }
}

impl<P: Port> Wire<'_, P> {
    async fn write(&mut self, a: &Apdu) -> Result<(), WireFault> {
        if self.rng.unit() < self.faults.silence_p {
            return Err(WireFault::Silence);
        }
        if self.rng.unit() < self.faults.delay_p {
            tokio::time::sleep(self.faults.delay).await;
        }
        let bytes = a
            .encode()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        self.sent += 1;
        if self.drop_at == Some(self.sent) {
            // Half a frame, then the line goes dead.
            self.port.send_half(&bytes).await;
            return Err(WireFault::Drop);
        }
        let corrupt = (self.rng.unit() < self.faults.corrupt_p)
            .then(|| self.rng.below(bytes.len() as u64) as usize);
        self.port.send(&bytes, corrupt).await?;
        Ok(())
    }

    /// The ECR acknowledges each message; a connection that does not is given up.
    async fn acknowledged(&mut self) -> bool {
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(5), self.port.recv()).await,
            Ok(Ok(Some(ack))) if ack.class == 0x80 || ack.class == 0x84
        )
    }
}

/// Serves one ECR connection until it closes (or a fault ends it).
pub async fn serve_connection(
    s: TcpStream,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    serve_port(TcpPort::new(s), shared, clock).await
}

/// Serves the ECR on a serial line (e.g. one end of a pseudo-terminal pair).
pub async fn serve_serial<S: AsyncRead + AsyncWrite + Unpin>(
    s: S,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    let nak_p = shared.faults.nak_p;
    let seed = shared.faults.seed;
    serve_port(SerialPort::new(s, seed, nak_p), shared, clock).await
}

/// Serves one ECR on any port until it closes (or a fault ends it).
pub async fn serve_port<P: Port>(
    mut port: P,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    let generation = match shared.terminal.lock() {
        Ok(mut t) => {
            t.generation += 1;
            t.generation
        }
        Err(_) => return Ok(()),
    };
    let faults = shared.faults.clone();
    let mut rng = Rng::new(faults.seed ^ generation.wrapping_mul(0xA076_1D64_78BD_642F));
    let drop_at = faults
        .drop_within
        .map(|n| 1 + rng.below(u64::from(n)) as u32);
    let result = {
        let mut wire = Wire {
            port: &mut port,
            rng,
            faults: &faults,
            sent: 0,
            drop_at,
        };
        serve_loop(&mut wire, &shared, generation, clock).await
    };
    match result {
        Err(WireFault::Silence) => {
            // Stop answering, keep the line open, until the ECR gives up on it.
            port.drain().await;
            Ok(())
        }
        Err(WireFault::Io(e)) => Err(e),
        Err(WireFault::Drop) | Ok(()) => Ok(()),
    }
}

async fn serve_loop<P: Port>(
    wire: &mut Wire<'_, P>,
    shared: &Shared,
    generation: u64,
    clock: fn() -> NaiveDateTime,
) -> Result<(), WireFault> {
    while let Some(cmd) = wire.port.recv().await? {
        if matches!(cmd.class, 0x80 | 0x84) {
            continue; // a stray acknowledgement
        }
        let current = |t: &Terminal| t.generation == generation;
        let mut answers = match shared.terminal.lock() {
            Ok(mut t) if current(&t) => t.handle(&cmd, clock()),
            _ => return Ok(()), // superseded by a newer connection
        };
        if is_armed(&cmd) && answers.len() == 1 && answers[0].class == 0x80 {
            // Acknowledge, then wait for a customer at the counter.
            wire.write(&answers.remove(0)).await?;
            let deadline = tokio::time::Instant::now() + armed_wait(&cmd);
            loop {
                let bell = shared.customer.notified();
                let booked = match shared.terminal.lock() {
                    Ok(mut t) if current(&t) => t.take_customer(clock()),
                    _ => return Ok(()),
                };
                if let Some(b) = booked {
                    answers = b;
                    break;
                }
                if tokio::time::timeout_at(deadline, bell).await.is_err() {
                    answers = vec![abort(RC_NO_CUSTOMER)];
                    break;
                }
            }
            for a in answers {
                wire.write(&a).await?;
                if !wire.acknowledged().await {
                    return Ok(());
                }
            }
            continue;
        }
        let mut it = answers.into_iter();
        if let Some(first) = it.next() {
            wire.write(&first).await?;
        }
        for a in it {
            wire.write(&a).await?;
            if !wire.acknowledged().await {
                if (a.class, a.instr) == cmd::STATUS_INFORMATION {
                    if let Ok(mut t) = shared.terminal.lock() {
                        t.reverse_unacknowledged(clock());
                    }
                }
                return Ok(());
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
    serve_shared(addr, Shared::new(term, Faults::default()), clock).await
}

/// [`serve`] for a terminal the caller keeps a handle on (customers, ledger, faults).
pub async fn serve_shared(
    addr: SocketAddr,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let _ = s.set_nodelay(true);
            let t = shared.clone();
            tokio::spawn(async move {
                let _ = serve_connection(s, t, clock).await;
            });
        }
    });
    Ok((bound, task))
}

/// A scripted stream of customers: `count` amounts at `per_minute`, from `seed`
/// (about one in fifteen ends in .13 and is declined).
pub async fn customer_flow(shared: Arc<Shared>, per_minute: u32, count: u64, seed: u64) {
    let mut rng = Rng::new(seed);
    let gap = std::time::Duration::from_secs_f64(60.0 / f64::from(per_minute.max(1)));
    for _ in 0..count {
        tokio::time::sleep(gap).await;
        shared.customer(customer_amount(&mut rng));
    }
}

/// One customer's amount in minor units.
pub fn customer_amount(rng: &mut Rng) -> u64 {
    let yuan = 1 + rng.below(500);
    if rng.below(15) == 0 {
        yuan * 100 + 13
    } else {
        yuan * 100 + rng.below(100) / 10 * 10
    }
}
