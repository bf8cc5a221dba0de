//! Transactions, batches, slips and terminals as the journal records them.

use crate::{
    AuthCode, BatchNo, MaskedPan, MerchantId, Money, OperatorNo, ReceiptNo, Rrn, TerminalId,
    TraceNo,
};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
        pub enum $name { $($(#[$vdoc])* #[serde(rename = $s)] $variant),+ }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name as stored, exported and given on the command line.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            /// The value of a name as [`Self::as_str`] gives it; None for any other.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// 交易类型 TRANS TYPE.
    TxnKind {
        /// 消费: a payment.
        Sale = "sale",
        /// 撤销: takes back a sale of the open batch.
        Void = "void",
        /// 退货: money back to the card, after settlement too.
        Refund = "refund",
        /// 预授权: an amount held on the card.
        PreAuth = "pre_auth",
        /// 预授权完成: turns a hold into a charge.
        PreAuthCompletion = "pre_auth_completion",
        /// 冲正: the terminal undoes a booking whose outcome it could not confirm.
        Reversal = "reversal",
        /// 预授权撤销: cancels a pre-authorisation, releasing the hold.
        PreAuthCancel = "pre_auth_cancel",
        /// 预授权完成撤销: voids a completion (in the completion's open batch).
        PreAuthCompletionVoid = "pre_auth_completion_void",
        /// 余额查询: no money moves.
        BalanceInquiry = "balance_inquiry",
        /// 结算: the end of a batch, as a row of its own.
        Settlement = "settlement",
    }
);

impl TxnKind {
    /// Money moved from the card to the shop.
    pub fn is_debit(&self) -> bool {
        matches!(self, TxnKind::Sale | TxnKind::PreAuthCompletion)
    }

    /// Takes back (all or part of) an earlier transaction: the kinds `refers_to` links
    /// to an original.
    pub fn is_undo(&self) -> bool {
        matches!(
            self,
            TxnKind::Void
                | TxnKind::Refund
                | TxnKind::Reversal
                | TxnKind::PreAuthCancel
                | TxnKind::PreAuthCompletionVoid
        )
    }

    /// Cancels the original whole, inside the original's batch (a void, or the
    /// terminal's automatic reversal), as opposed to a refund, which may come later.
    pub fn cancels(&self) -> bool {
        matches!(
            self,
            TxnKind::Void | TxnKind::Reversal | TxnKind::PreAuthCompletionVoid
        )
    }

    /// The kind's name in running text: (Chinese, English).
    pub fn words(&self) -> (&'static str, &'static str) {
        match self {
            TxnKind::Sale => ("消费", "sale"),
            TxnKind::Void => ("撤销", "void"),
            TxnKind::Refund => ("退货", "refund"),
            TxnKind::PreAuth => ("预授权", "pre-authorisation"),
            TxnKind::PreAuthCompletion => ("预授权完成", "pre-auth completion"),
            TxnKind::Reversal => ("冲正", "reversal"),
            TxnKind::PreAuthCancel => ("预授权撤销", "pre-auth cancellation"),
            TxnKind::PreAuthCompletionVoid => ("预授权完成撤销", "completion void"),
            TxnKind::BalanceInquiry => ("余额查询", "balance inquiry"),
            TxnKind::Settlement => ("结算", "settlement"),
        }
    }

    /// 消费 SALE, 撤销 VOID …: the bilingual label a UnionPay slip prints.
    pub fn slip_label(&self) -> (&'static str, &'static str) {
        match self {
            TxnKind::Sale => ("消费", "SALE"),
            TxnKind::Void => ("消费撤销", "VOID"),
            TxnKind::Refund => ("退货", "REFUND"),
            TxnKind::PreAuth => ("预授权", "PRE-AUTH"),
            TxnKind::PreAuthCompletion => ("预授权完成", "AUTH COMPLETE"),
            TxnKind::Reversal => ("冲正", "REVERSAL"),
            TxnKind::PreAuthCancel => ("预授权撤销", "PRE-AUTH VOID"),
            TxnKind::PreAuthCompletionVoid => ("预授权完成撤销", "AUTH COMPLETE VOID"),
            TxnKind::BalanceInquiry => ("余额查询", "BALANCE INQUIRY"),
            TxnKind::Settlement => ("结算", "SETTLEMENT"),
        }
    }
}

str_enum!(
    /// What became of a transaction.
    Outcome {
        /// 成功: the money moved.
        Approved = "approved",
        /// 被拒绝: nothing moved.
        Declined = "declined",
        /// 已冲正: undone by a reversal.
        Reversed = "reversed",
        /// 已撤销: undone by a void.
        Voided = "voided",
        /// 结果未知: the terminal's answer never arrived.
        Unknown = "unknown",
    }
);

impl Outcome {
    /// The outcome in running text: (Chinese, English).
    pub fn words(&self) -> (&'static str, &'static str) {
        match self {
            Outcome::Approved => ("成功", "approved"),
            Outcome::Declined => ("被拒绝", "declined"),
            Outcome::Reversed => ("已冲正", "reversed"),
            Outcome::Voided => ("已撤销", "voided"),
            Outcome::Unknown => ("结果未知", "outcome unknown"),
        }
    }
}

str_enum!(
    /// Card scheme (卡组织).
    CardScheme {
        /// 银联.
        UnionPay = "unionpay",
        /// Visa.
        Visa = "visa",
        /// Mastercard.
        Mastercard = "mastercard",
        /// JCB.
        Jcb = "jcb",
        /// American Express.
        Amex = "amex",
        /// Discover.
        Discover = "discover",
        /// Diners Club.
        Diners = "diners",
        /// Germany's girocard.
        Girocard = "girocard",
        /// Maestro.
        Maestro = "maestro",
        /// Any other scheme.
        Other = "other",
    }
);

str_enum!(
    /// How the card was read; printed after the card number as S/I/C/M.
    EntryMode {
        /// Magnetic stripe (S).
        Swipe = "swipe",
        /// Chip inserted (I).
        Chip = "chip",
        /// Tapped (C).
        Contactless = "contactless",
        /// Keyed in (M).
        Manual = "manual",
    }
);

impl EntryMode {
    /// The letter printed after the card number: S, I, C or M.
    pub fn slip_letter(&self) -> char {
        match self {
            EntryMode::Swipe => 'S',
            EntryMode::Chip => 'I',
            EntryMode::Contactless => 'C',
            EntryMode::Manual => 'M',
        }
    }
}

str_enum!(
    /// 商户存根 / 持卡人存根.
    CopyType {
        /// 商户存根: the shop's copy, signed.
        Merchant = "merchant",
        /// 持卡人存根: the customer's copy.
        Cardholder = "cardholder",
    }
);

str_enum!(
    /// Where slip text came from: the terminal printed it, Slipkeeper rebuilt it from
    /// the structured fields, or from a line of the acquirer's statement (the journal
    /// has no record). A reprint says which.
    SlipOrigin {
        /// Printed by the terminal.
        Terminal = "terminal",
        /// Rebuilt by Slipkeeper from the transaction's fields.
        Regenerated = "regenerated",
        /// Rebuilt from a line of the acquirer's statement.
        Statement = "statement",
    }
);

/// 有效期 EXP DATE as the card gives it: YYMM.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct Expiry(String);

impl Expiry {
    /// An expiry from "YYMM" (month 01–12).
    pub fn new(yymm: &str) -> Result<Self, crate::DomainError> {
        let s = yymm.trim();
        let ok = s.len() == 4
            && s.bytes().all(|b| b.is_ascii_digit())
            && matches!(s[2..].parse::<u8>(), Ok(1..=12));
        if !ok {
            return Err(crate::DomainError::invalid("expiry", yymm, "must be YYMM"));
        }
        Ok(Expiry(s.to_owned()))
    }
    /// "YYMM".
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Expiry {
    type Error = crate::DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Expiry::new(&s)
    }
}
impl From<Expiry> for String {
    fn from(e: Expiry) -> String {
        e.0
    }
}

/// The terminal's own identity of a record. Two records with the same key are the
/// same record seen twice (a replay), never two transactions.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TxnKey {
    /// The terminal.
    pub terminal_id: TerminalId,
    /// Its batch.
    pub batch_no: BatchNo,
    /// The voucher (trace) number.
    pub trace_no: TraceNo,
    /// What kind of record (a void and its sale may share a voucher number).
    pub kind: TxnKind,
}

impl TxnKey {
    /// "terminal T batch B voucher V (kind)", the key's Display, from borrowed parts:
    /// the journal labels every stored record this way and need not build a key first.
    pub fn write_parts(
        out: &mut impl std::fmt::Write,
        terminal: &TerminalId,
        batch: &BatchNo,
        trace: &TraceNo,
        kind: TxnKind,
    ) -> std::fmt::Result {
        for part in [
            "terminal ",
            terminal.as_str(),
            " batch ",
            batch.as_str(),
            " voucher ",
            trace.as_str(),
            " (",
            kind.as_str(),
            ")",
        ] {
            out.write_str(part)?;
        }
        Ok(())
    }
}

impl std::fmt::Display for TxnKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        TxnKey::write_parts(
            f,
            &self.terminal_id,
            &self.batch_no,
            &self.trace_no,
            self.kind,
        )
    }
}

/// One card transaction as the terminal reported it. Times are the terminal's local
/// wall-clock time (what the slip prints), not UTC.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// 终端编号: the terminal.
    pub terminal_id: TerminalId,
    /// 商户编号: the merchant number it booked for.
    pub merchant_id: MerchantId,
    /// 批次号: its batch.
    pub batch_no: BatchNo,
    /// 凭证号: the voucher (trace) number.
    pub trace_no: TraceNo,
    /// 交易类型.
    pub kind: TxnKind,
    /// What became of it.
    pub outcome: Outcome,
    /// 金额: always positive; `kind` says which way it went.
    pub amount: Money,
    /// 日期时间: the terminal's local time.
    pub occurred_at: NaiveDateTime,
    /// The terminal's receipt number, when it counts one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_no: Option<ReceiptNo>,
    /// 卡号, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan: Option<MaskedPan>,
    /// 卡组织, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<CardScheme>,
    /// How the card was read, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_mode: Option<EntryMode>,
    /// 有效期, when printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    /// 参考号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrn: Option<Rrn>,
    /// 授权码.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<AuthCode>,
    /// 操作员号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_no: Option<OperatorNo>,
    /// 发卡行, as the terminal names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// 收单行, as the terminal names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquirer: Option<String>,
    /// 原凭证号 for voids and refunds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_trace_no: Option<TraceNo>,
    /// 原参考号: a refund after settlement is matched by the acquirer on this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_rrn: Option<Rrn>,
    /// 原交易日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_date: Option<NaiveDate>,
}

impl Transaction {
    /// The terminal's own identity of this transaction.
    pub fn key(&self) -> TxnKey {
        TxnKey {
            terminal_id: self.terminal_id.clone(),
            batch_no: self.batch_no.clone(),
            trace_no: self.trace_no.clone(),
            kind: self.kind,
        }
    }

    /// Whether `self` points back at `original`: an undo (void, refund, reversal,
    /// pre-auth cancellation, completion void) at what it takes back, or a completion
    /// at its pre-authorisation.
    ///
    /// By RRN when both sides have one. Otherwise by terminal and original voucher,
    /// scoped by the original date when `self` gives it, or else by the batch: voucher
    /// numbers wrap at 999999 (and restart per batch on some terminals), so a number
    /// alone may name a transaction of another day.
    pub fn refers_to(&self, original: &Transaction) -> bool {
        let target = match self.kind {
            TxnKind::Void | TxnKind::Refund => original.kind.is_debit(),
            TxnKind::Reversal => !matches!(
                original.kind,
                TxnKind::Reversal | TxnKind::Settlement | TxnKind::BalanceInquiry
            ),
            TxnKind::PreAuthCancel | TxnKind::PreAuthCompletion => {
                original.kind == TxnKind::PreAuth
            }
            TxnKind::PreAuthCompletionVoid => original.kind == TxnKind::PreAuthCompletion,
            _ => false,
        };
        if !target {
            return false;
        }
        if let (Some(r), Some(o)) = (&self.original_rrn, &original.rrn) {
            return r == o;
        }
        let same_batch = self.batch_no == original.batch_no;
        let in_scope = match self.original_date {
            // A void or reversal lives in the same batch as its original, whatever
            // else it says.
            Some(d) => d == original.occurred_at.date() && (!self.kind.cancels() || same_batch),
            None => same_batch,
        };
        self.original_trace_no.as_ref() == Some(&original.trace_no)
            && self.terminal_id == original.terminal_id
            && in_scope
    }
}

/// Per-direction totals of a batch, as a settlement reports them.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Payments (sales, completions) in the batch.
    pub debit_count: u32,
    /// Their sum.
    pub debit_amount: Money,
    /// Refunds in the batch.
    pub credit_count: u32,
    /// Their sum.
    pub credit_amount: Money,
}

/// 结算: the terminal closed a batch with these totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    /// The terminal.
    pub terminal_id: TerminalId,
    /// The batch it closed.
    pub batch_no: BatchNo,
    /// When, the terminal's local time.
    pub settled_at: NaiveDateTime,
    /// The totals it settled with.
    pub totals: Totals,
}

/// Whether a batch is still open.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BatchState {
    /// Not settled yet: its vouchers can still be voided.
    Open,
    /// Settled (结算).
    Settled {
        /// When, the terminal's local time.
        at: NaiveDateTime,
        /// The totals the terminal settled with.
        totals: Totals,
    },
}

/// A terminal's batch and whether it is settled.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The terminal.
    pub terminal_id: TerminalId,
    /// The batch number.
    pub batch_no: BatchNo,
    /// Open or settled.
    pub state: BatchState,
}

impl Batch {
    /// Not settled yet.
    pub fn is_open(&self) -> bool {
        matches!(self.state, BatchState::Open)
    }
}

/// Printed text of one slip copy.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipText {
    /// Merchant's or cardholder's copy.
    pub copy: CopyType,
    /// Who wrote the text.
    pub origin: SlipOrigin,
    /// The lines, card numbers masked.
    pub lines: Vec<String>,
}

impl SlipText {
    /// Builds slip text with any full card number in it masked.
    pub fn new(
        copy: CopyType,
        origin: SlipOrigin,
        lines: impl IntoIterator<Item = String>,
    ) -> Self {
        SlipText {
            copy,
            origin,
            lines: lines
                .into_iter()
                .map(|l| crate::mask_pans_in_text(&l))
                .collect(),
        }
    }
}

/// How Slipkeeper reaches a terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Link {
    /// On the network.
    Tcp {
        /// Its host name or address.
        host: String,
        /// Its ZVT port (20007 usually).
        port: u16,
    },
    /// On a serial line or USB.
    Serial {
        /// The device (/dev/ttyACM0, COM3).
        device: String,
        /// Its speed in baud.
        baud: u32,
    },
    /// Behind Slipkeeper's proxy, between the cash register and the terminal.
    Proxy {
        /// Where the cash register connects.
        listen: String,
        /// Where the terminal is.
        terminal: String,
    },
    /// The built-in demo terminal.
    Demo,
}

/// A terminal the shop has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminal {
    /// Its id.
    pub id: TerminalId,
    /// The merchant number it books for.
    pub merchant_id: MerchantId,
    /// Its model, when known.
    pub model: Option<String>,
    /// How Slipkeeper reaches it.
    pub link: Link,
}
