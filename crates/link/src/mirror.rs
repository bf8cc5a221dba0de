//! What the terminal said, as journal records: the transaction from its status
//! information (04 0F), the slips it printed (06 D3 / 06 D1) and every raw frame, so a
//! later version can re-read what this one could not.

use crate::{End, Exchange};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use slipkeeper_domain::*;
use slipkeeper_journal::{RawFrame, Record, RecordBody, SlipRecord};
use slipkeeper_zvt::{cmd, decode_text, Charset, Fields, Message, Tlv, TlvValue};

/// Who and where: what the bytes themselves do not say.
#[derive(Clone, Debug)]
pub struct Context {
    /// The terminal's id, for the records made from its messages.
    pub terminal_id: TerminalId,
    /// The merchant number the terminal books for.
    pub merchant_id: MerchantId,
    /// The batch open on the terminal (ZVT has no batch number; Slipkeeper counts
    /// settlements).
    pub batch_no: BatchNo,
    /// The currency amounts are in when the terminal does not say.
    pub currency: Currency,
    /// The shop's local time now: ZVT dates have no year.
    pub local_now: NaiveDateTime,
}

fn kind_of(class: u8, instr: u8) -> Option<TxnKind> {
    Some(match (class, instr) {
        cmd::AUTHORISATION => TxnKind::Sale,
        cmd::REVERSAL => TxnKind::Void,
        cmd::REFUND => TxnKind::Refund,
        cmd::PRE_AUTHORISATION => TxnKind::PreAuth,
        cmd::PARTIAL_REVERSAL | cmd::BOOK_TOTAL => TxnKind::PreAuthCompletion,
        cmd::PRE_AUTH_REVERSAL => TxnKind::PreAuthCancel,
        _ => return None,
    })
}

fn currency_of(numeric: Option<u16>, default: Currency) -> Currency {
    let code = match numeric {
        Some(156) => "CNY",
        Some(978) => "EUR",
        Some(840) => "USD",
        Some(344) => "HKD",
        Some(446) => "MOP",
        Some(392) => "JPY",
        _ => return default,
    };
    Currency::new(code).unwrap_or(default)
}

fn scheme_of(card_name: &str) -> CardScheme {
    let n = card_name.to_ascii_lowercase();
    if n.contains("unionpay") || card_name.contains("银联") {
        CardScheme::UnionPay
    } else if n.contains("visa") {
        CardScheme::Visa
    } else if n.contains("master") {
        CardScheme::Mastercard
    } else if n.contains("maestro") {
        CardScheme::Maestro
    } else if n.contains("girocard") {
        CardScheme::Girocard
    } else if n.contains("jcb") {
        CardScheme::Jcb
    } else if n.contains("amex") || n.contains("american") {
        CardScheme::Amex
    } else {
        CardScheme::Other
    }
}

/// MMDD + HHMMSS from the terminal, with the year that puts it not after `now`.
fn when(date: Option<&str>, time: Option<&str>, now: NaiveDateTime) -> NaiveDateTime {
    let parse = || -> Option<NaiveDateTime> {
        let d = date?;
        let (m, day) = (d.get(..2)?.parse().ok()?, d.get(2..4)?.parse().ok()?);
        let t = time
            .and_then(|t| NaiveTime::parse_from_str(t, "%H%M%S").ok())
            .unwrap_or_default();
        let this_year = NaiveDate::from_ymd_opt(now.year(), m, day)?.and_time(t);
        // A slip dated after today belongs to last year (the batch spans New Year).
        Some(if this_year > now + chrono::TimeDelta::days(1) {
            NaiveDate::from_ymd_opt(now.year() - 1, m, day)?.and_time(t)
        } else {
            this_year
        })
    };
    parse().unwrap_or(now)
}

fn charset_in(tlv: &[Tlv]) -> Charset {
    Tlv::find(tlv, 0x14)
        .and_then(|t| t.bytes())
        .and_then(|b| b.first().copied())
        .and_then(Charset::from_zvt_code)
        .unwrap_or(Charset::Cp437)
}

fn copy_in(tlv: &[Tlv]) -> Option<u8> {
    Tlv::find(tlv, 0x1F07)
        .and_then(|t| t.bytes())
        .and_then(|b| b.first().copied())
}

/// Slips printed in the exchange: (receipt type 1F07 if known, lines).
fn printed(ex: &Exchange) -> Vec<(Option<u8>, Vec<String>)> {
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for (m, _) in &ex.messages {
        match m {
            Message::PrintTextBlock(f) => {
                let cs = charset_in(&f.tlv);
                let mut lines = Vec::new();
                if let Some(Tlv {
                    value: TlvValue::Constructed(children),
                    ..
                }) = Tlv::find(&f.tlv, 0x25)
                {
                    for c in children.iter().filter(|c| c.tag == 0x07) {
                        lines.push(
                            decode_text(c.bytes().unwrap_or_default(), cs)
                                .trim_end()
                                .to_owned(),
                        );
                    }
                }
                out.push((copy_in(&f.tlv), lines));
            }
            Message::PrintLine(p) => {
                pending.push(decode_text(&p.text, Charset::Cp437).trim_end().to_owned());
                if p.is_last_line() {
                    out.push((copy_in(&p.tlv), std::mem::take(&mut pending)));
                }
            }
            _ => {}
        }
    }
    if !pending.is_empty() {
        out.push((None, pending));
    }
    out
}

fn transaction(ctx: &Context, kind: TxnKind, f: &Fields) -> Option<Transaction> {
    // Without a trace number the terminal gave the record no identity (typical for
    // declines): it is kept as raw frames only.
    let trace = TraceNo::new(&f.trace?.to_string()).ok()?;
    let outcome = if f.result_code == Some(0) {
        Outcome::Approved
    } else {
        Outcome::Declined
    };
    let card_name = f.card_name.as_ref().map(|n| decode_text(n, Charset::Cp437));
    Some(Transaction {
        terminal_id: f
            .terminal_id
            .as_deref()
            .and_then(|t| TerminalId::new(t).ok())
            .unwrap_or_else(|| ctx.terminal_id.clone()),
        merchant_id: f
            .vu_number
            .as_deref()
            .and_then(|v| MerchantId::new(v.trim()).ok())
            .unwrap_or_else(|| ctx.merchant_id.clone()),
        batch_no: ctx.batch_no.clone(),
        trace_no: trace,
        kind,
        outcome,
        amount: Money::new(
            i64::try_from(f.amount.unwrap_or(0)).unwrap_or(0),
            currency_of(f.currency, ctx.currency),
        ),
        occurred_at: when(f.date.as_deref(), f.time.as_deref(), ctx.local_now),
        receipt_no: f
            .receipt_no
            .and_then(|r| ReceiptNo::new(&r.to_string()).ok()),
        pan: f.pan.as_deref().and_then(|p| MaskedPan::new(p).ok()),
        scheme: card_name.as_deref().map(scheme_of),
        entry_mode: None,
        expiry: f.expiry.as_deref().and_then(|e| Expiry::new(e).ok()),
        rrn: None,
        auth_code: f.aid.as_deref().and_then(|a| AuthCode::new(a.trim()).ok()),
        operator_no: None,
        issuer: card_name,
        acquirer: None,
        original_trace_no: f
            .original_trace
            .and_then(|t| TraceNo::new(&t.to_string()).ok()),
        original_rrn: None,
        original_date: None,
    })
}

/// The number of bookings in BMP 60 (receipt range, then 7 × (count, total) per
/// card family), as end-of-day and turnover totals report them.
pub fn totals_count(f: &Fields) -> u32 {
    let families = f
        .totals
        .as_deref()
        .and_then(|t| t.get(4..))
        .unwrap_or_default();
    families.chunks(7).map(|family| u32::from(family[0])).sum()
}

fn settlement(ctx: &Context, f: &Fields) -> Settlement {
    let currency = currency_of(f.currency, ctx.currency);
    let count = totals_count(f);
    Settlement {
        terminal_id: ctx.terminal_id.clone(),
        batch_no: ctx.batch_no.clone(),
        settled_at: when(f.date.as_deref(), f.time.as_deref(), ctx.local_now),
        totals: Totals {
            debit_count: count,
            debit_amount: Money::new(i64::try_from(f.amount.unwrap_or(0)).unwrap_or(0), currency),
            credit_count: 0,
            credit_amount: Money::zero(currency),
        },
    }
}

/// What a repeated receipt (06 20) was a copy of: its status information names an
/// original trace for a reversal; a refund says so on its slip; anything else is a sale.
fn repeated_kind(f: &Fields, ex: &Exchange) -> TxnKind {
    if f.original_trace.is_some() {
        return TxnKind::Void;
    }
    let refund = printed(ex).iter().any(|(_, lines)| {
        lines
            .iter()
            .any(|l| l.contains("REFUND") || l.contains("退货"))
    });
    if refund {
        TxnKind::Refund
    } else {
        TxnKind::Sale
    }
}

/// The journal records for one exchange. `settled` is true when the terminal closed
/// its batch (the caller moves its batch counter on).
pub fn records(ctx: &Context, ex: &Exchange, recorded_at: DateTime<Utc>) -> (Vec<Record>, bool) {
    let rec = |body| Record { body, recorded_at };
    let mut out = Vec::new();
    let mut key = None;
    let mut settled = false;
    let status: Vec<&Fields> = ex
        .messages
        .iter()
        .filter_map(|(m, _)| {
            if let Message::StatusInformation(f) = m {
                Some(f)
            } else {
                None
            }
        })
        .collect();
    let armed_idle = (ex.command.class, ex.command.instr) == cmd::AUTHORISATION
        && matches!(ex.end, End::Aborted(_))
        && status.is_empty()
        && matches!(Message::decode(&ex.command), Ok(Message::Command { fields, .. }) if fields.amount.is_none());
    if armed_idle {
        // An armed authorisation that ended without a customer: nothing happened,
        // and a day of such waits is not worth keeping.
        return (out, false);
    }
    let kind = kind_of(ex.command.class, ex.command.instr).or_else(|| {
        ((ex.command.class, ex.command.instr) == cmd::REPEAT_RECEIPT)
            .then(|| status.first().map(|f| repeated_kind(f, ex)))
            .flatten()
    });
    if let Some(kind) = kind {
        if let Some(t) = status.iter().find_map(|f| transaction(ctx, kind, f)) {
            key = Some(t.key());
            out.push(rec(RecordBody::Transaction(t)));
        }
    } else if (ex.command.class, ex.command.instr) == cmd::END_OF_DAY && ex.end == End::Completed {
        if let Some(f) = status.first() {
            out.push(rec(RecordBody::Settlement(settlement(ctx, f))));
            settled = true;
        }
    }
    if let Some(k) = &key {
        for (copy, lines) in printed(ex) {
            let copy = match copy {
                Some(0x02) => CopyType::Cardholder,
                Some(0x03) => continue, // administration receipt: no card transaction
                _ => CopyType::Merchant,
            };
            out.push(rec(RecordBody::Slip(SlipRecord {
                txn: k.clone(),
                slip: SlipText::new(copy, SlipOrigin::Terminal, lines),
            })));
        }
    }
    for f in &ex.frames {
        out.push(rec(RecordBody::RawFrame(RawFrame {
            terminal_id: ctx.terminal_id.clone(),
            direction: f.direction,
            at: f.at,
            bytes: f.bytes.clone(),
            txn: key.clone(),
            masked: false,
        })));
    }
    (out, settled)
}
