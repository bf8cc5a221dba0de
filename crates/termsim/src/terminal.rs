//! The terminal itself: the state machine — a command in, the APDUs a real terminal
//! would answer with out — with its batch, receipts and ledger.

use super::*;

/// Result codes used here (FACTS.md §5).
pub const RC_DECLINED: u8 = 0x05;
/// Result code 83: the function is not possible (e.g. an unknown command).
pub const RC_NOT_POSSIBLE: u8 = 0x83;
/// Result code B5: reversal not possible (no booking to reverse under that receipt).
pub const RC_REVERSAL_NOT_POSSIBLE: u8 = 0xB5;
/// Result code 6B: function deactivated (the PT is not registered).
pub const RC_NOT_REGISTERED: u8 = 0x6B;

/// What kind of booking a ledger entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A payment (06 01).
    Sale,
    /// Money back to the card (06 31).
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
    /// The receipt number (BMP 87), counted in the batch.
    pub receipt: u16,
    /// The trace number (BMP 0B), counted across batches.
    pub trace: u32,
    /// The amount in minor units.
    pub amount: u64,
    /// What kind of booking.
    pub kind: Kind,
    /// Reversed (voided) since.
    pub reversed: bool,
}

/// What a slip says about one booking.
pub(crate) struct Booking<'a> {
    pub(crate) title: &'a str,
    pub(crate) amount: u64,
    pub(crate) trace: u32,
    pub(crate) receipt: u16,
    pub(crate) auth: &'a str,
    pub(crate) now: NaiveDateTime,
}

/// The terminal's state.
#[derive(Debug)]
pub struct Terminal {
    /// The terminal id (TID, BMP 29), eight digits.
    pub terminal_id: String,
    /// The merchant's VU number (BMP 2A), as printed on slips.
    pub vu_number: String,
    /// ISO 4217 numeric currency (156 for CNY).
    pub currency: u16,
    pub(crate) registered: bool,
    pub(crate) config: u8,
    pub(crate) trace: u32,
    pub(crate) receipt: u16,
    pub(crate) batch_no: u32,
    pub(crate) batch: Vec<Booked>,
    pub(crate) settled: Vec<Booked>,
    /// Status information and receipts of the last booking, for repeat receipt.
    pub(crate) last_status: Option<Apdu>,
    pub(crate) last_receipts: Vec<Apdu>,
    /// Amounts keyed in at the counter, waiting for an armed authorisation.
    pub(crate) customers: std::collections::VecDeque<u64>,
    /// The ECR connection the terminal serves; a new one supersedes the old.
    pub(crate) generation: u64,
    /// Reverse a booking whose status information the ECR never acknowledged, as
    /// terminals do after their timeout (off by default).
    pub auto_reverse: bool,
    /// Answers the status enquiry (05 01). Some terminals know only registration,
    /// authorisation and end-of-day and refuse it with 0x83, "function not possible".
    pub knows_status_enquiry: bool,
}

pub(crate) fn bcd(v: u64, len: usize) -> Vec<u8> {
    bcd_encode(v % 10u64.pow(2 * len as u32), len).unwrap_or_else(|| vec![0; len])
}

/// A message of BMPs. A BMP this simulator built wrong is answered as what it is, a
/// protocol error (`84 9A`), never as the message with its data left out.
pub(crate) fn apdu(code: Code, bmps: &[Bmp]) -> Apdu {
    match encode_bmps(bmps) {
        Ok(data) => Apdu::command(code, data),
        Err(_) => Apdu::new(0x84, 0x9A, Vec::new()),
    }
}

pub(crate) fn b(id: u8, value: Vec<u8>) -> Bmp {
    Bmp { id, value }
}

pub(crate) fn time_bmps(now: NaiveDateTime) -> Vec<Bmp> {
    let t = now.format("%H%M%S").to_string().parse().unwrap_or(0);
    let d = now.format("%m%d").to_string().parse().unwrap_or(0);
    vec![b(0x0C, bcd(t, 3)), b(0x0D, bcd(d, 2))]
}

pub(crate) fn abort(rc: u8) -> Apdu {
    Apdu::command(cmd::ABORT, vec![rc])
}

pub(crate) fn completion() -> Apdu {
    Apdu::command(cmd::COMPLETION, Vec::new())
}

impl Terminal {
    /// A terminal with an empty ledger in its first batch, not registered yet.
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
    pub(crate) fn take_customer(&mut self, now: NaiveDateTime) -> Option<Vec<Apdu>> {
        let amount = self.customers.pop_front()?;
        Some(self.book(amount, false, now))
    }

    pub(crate) fn tid(&self) -> Bmp {
        b(0x29, bcd(self.terminal_id.parse().unwrap_or(0), 4))
    }

    pub(crate) fn vu(&self) -> Bmp {
        b(
            0x2A,
            format!("{:<15}", self.vu_number).into_bytes()[..15].to_vec(),
        )
    }

    pub(crate) fn receipt_block(&self, kind: u8, lines: &[String]) -> Apdu {
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

    pub(crate) fn slip_lines(&self, copy: &str, b: &Booking<'_>) -> Vec<String> {
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
    pub(crate) fn book(&mut self, amount: u64, refund: bool, now: NaiveDateTime) -> Vec<Apdu> {
        let kind = if refund { Kind::Refund } else { Kind::Sale };
        self.book_as(amount, kind, None, now)
    }

    /// Books `kind`; `original` is the receipt a completion or reversal refers to.
    pub(crate) fn book_as(
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

    pub(crate) fn totals(&self, now: NaiveDateTime) -> Apdu {
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
