//! Transactions, batches, slips and terminals as the journal records them.

use crate::{
    AuthCode, BatchNo, MaskedPan, MerchantId, Money, OperatorNo, ReceiptNo, Rrn, TerminalId,
    TraceNo,
};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
        pub enum $name { $(#[serde(rename = $s)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

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
        Sale = "sale",
        Void = "void",
        Refund = "refund",
        PreAuth = "pre_auth",
        PreAuthCompletion = "pre_auth_completion",
        Reversal = "reversal",
        // 预授权撤销: cancels a pre-authorisation, releasing the hold.
        PreAuthCancel = "pre_auth_cancel",
        // 预授权完成撤销: voids a completion (in the completion's open batch).
        PreAuthCompletionVoid = "pre_auth_completion_void",
        BalanceInquiry = "balance_inquiry",
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
        Approved = "approved",
        Declined = "declined",
        Reversed = "reversed",
        Voided = "voided",
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
        UnionPay = "unionpay",
        Visa = "visa",
        Mastercard = "mastercard",
        Jcb = "jcb",
        Amex = "amex",
        Discover = "discover",
        Diners = "diners",
        Girocard = "girocard",
        Maestro = "maestro",
        Other = "other",
    }
);

str_enum!(
    /// How the card was read; printed after the card number as S/I/C/M.
    EntryMode {
        Swipe = "swipe",
        Chip = "chip",
        Contactless = "contactless",
        Manual = "manual",
    }
);

impl EntryMode {
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
        Merchant = "merchant",
        Cardholder = "cardholder",
    }
);

str_enum!(
    /// Where slip text came from: the terminal printed it, Slipkeeper rebuilt it from
    /// the structured fields, or from a line of the acquirer's statement (the journal
    /// has no record). A reprint says which.
    SlipOrigin {
        Terminal = "terminal",
        Regenerated = "regenerated",
        Statement = "statement",
    }
);

/// 有效期 EXP DATE as the card gives it: YYMM.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct Expiry(String);

impl Expiry {
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
    pub terminal_id: TerminalId,
    pub batch_no: BatchNo,
    pub trace_no: TraceNo,
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
    pub terminal_id: TerminalId,
    pub merchant_id: MerchantId,
    pub batch_no: BatchNo,
    pub trace_no: TraceNo,
    pub kind: TxnKind,
    pub outcome: Outcome,
    pub amount: Money,
    pub occurred_at: NaiveDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_no: Option<ReceiptNo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan: Option<MaskedPan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<CardScheme>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_mode: Option<EntryMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrn: Option<Rrn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<AuthCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_no: Option<OperatorNo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
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
    pub debit_count: u32,
    pub debit_amount: Money,
    pub credit_count: u32,
    pub credit_amount: Money,
}

/// 结算: the terminal closed a batch with these totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    pub terminal_id: TerminalId,
    pub batch_no: BatchNo,
    pub settled_at: NaiveDateTime,
    pub totals: Totals,
}

#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BatchState {
    Open,
    Settled { at: NaiveDateTime, totals: Totals },
}

#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub terminal_id: TerminalId,
    pub batch_no: BatchNo,
    pub state: BatchState,
}

impl Batch {
    pub fn is_open(&self) -> bool {
        matches!(self.state, BatchState::Open)
    }
}

/// Printed text of one slip copy.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipText {
    pub copy: CopyType,
    pub origin: SlipOrigin,
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
    Tcp { host: String, port: u16 },
    Serial { device: String, baud: u32 },
    Proxy { listen: String, terminal: String },
    Demo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminal {
    pub id: TerminalId,
    pub merchant_id: MerchantId,
    pub model: Option<String>,
    pub link: Link,
}
