//! Why a voucher is in trouble and what to do about it, decided from the journal's
//! facts. The app gathers the facts (the transaction, what refers to it, its batch,
//! look-alikes, gaps); this module only decides, so every code is testable without a
//! database and the same facts always give the same advice.

use crate::{Batch, Remedy, TerminalId, Transaction};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// What the shop owner says is wrong.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Complaint {
    /// 撤销失败 / "原交易不存在".
    VoidFailed,
    /// 签购单丢失: the customer wants a copy.
    ReceiptLost,
    /// 重复扣款: the customer says they were charged twice.
    ChargedTwice,
    /// 票不可用: the slip cannot be found in the acquirer's back end.
    NotInAcquirerBackEnd,
    /// 持卡人争议 / 调单: the customer disputes the charge.
    Dispute,
    /// Anything else.
    Other,
}

impl Complaint {
    /// Every complaint, in the order the guided flow offers them.
    pub const ALL: [Complaint; 6] = [
        Complaint::VoidFailed,
        Complaint::ReceiptLost,
        Complaint::ChargedTwice,
        Complaint::NotInAcquirerBackEnd,
        Complaint::Dispute,
        Complaint::Other,
    ];

    /// The name as stored and given on the command line (snake case).
    pub fn as_str(self) -> &'static str {
        match self {
            Complaint::VoidFailed => "void_failed",
            Complaint::ReceiptLost => "receipt_lost",
            Complaint::ChargedTwice => "charged_twice",
            Complaint::NotInAcquirerBackEnd => "not_in_acquirer_back_end",
            Complaint::Dispute => "dispute",
            Complaint::Other => "other",
        }
    }

    /// The complaint of a name as [`Complaint::as_str`] gives it.
    pub fn parse(s: &str) -> Option<Complaint> {
        Complaint::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Its label in both languages.
    pub fn text(self) -> Text {
        match self {
            Complaint::VoidFailed => Text::new(
                "撤销失败（原交易不存在）",
                "Void failed (\"original transaction does not exist\")",
            ),
            Complaint::ReceiptLost => Text::new(
                "签购单丢失，顾客要一张",
                "Slip lost; the customer wants a copy",
            ),
            Complaint::ChargedTwice => Text::new(
                "顾客说被扣了两次款",
                "Customer says they were charged twice",
            ),
            Complaint::NotInAcquirerBackEnd => Text::new(
                "收单机构后台查不到这笔（票不可用）",
                "The acquirer's back end does not show it",
            ),
            Complaint::Dispute => Text::new(
                "持卡人对交易有争议（调单）",
                "The cardholder disputes the charge",
            ),
            Complaint::Other => Text::new("其他问题", "Something else"),
        }
    }

    /// What the shop asks the acquirer to do about it: the letter's request and what
    /// the owner says on the phone. The owner's own steps (refund at the terminal…)
    /// stay on the owner's screen, not in what the acquirer reads.
    pub fn acquirer_request(self) -> Text {
        match self {
            Complaint::VoidFailed => Text::new(
                "请核实这笔交易是否已经清算；如已清算，请协助办理退货，或告诉我们退货的办法。",
                "Please confirm whether this transaction has been settled; if so, please help us refund it, or tell us how to.",
            ),
            Complaint::ReceiptLost => Text::new(
                "请提供这笔交易的交易凭证（签购单影像或交易明细证明）。",
                "Please provide proof of this transaction (an image of the slip or a transaction record).",
            ),
            Complaint::ChargedTwice => Text::new(
                "请核查持卡人是否被重复扣款；如确有重复，请将多扣的款项退还持卡人。",
                "Please check whether the cardholder was charged twice; if so, please return the extra charge to the cardholder.",
            ),
            Complaint::NotInAcquirerBackEnd => Text::new(
                "请按参考号和凭证号在贵方系统中核查这笔交易是否已上送、是否已清算入账，并告知结果。",
                "Please look this transaction up by its RRN and voucher number in your system: was it received, and was it settled to our account?",
            ),
            Complaint::Dispute => Text::new(
                "请将本函及附件作为我方对这笔争议（调单）的答复材料，这笔交易真实有效，请予以维持。",
                "Please take this letter and its enclosures as our answer to the dispute: the transaction is genuine and should stand.",
            ),
            Complaint::Other => Text::new(
                "请协助核查这笔交易，并告知处理结果。",
                "Please look into this transaction and tell us the outcome.",
            ),
        }
    }
}

/// A sentence in both languages.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A sentence from its Chinese and English.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// The stable answer codes. The UI and the docs key their texts on these.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DiagnosisCode {
    /// Approved, open batch, same business day: void (撤销) at the terminal that took it.
    Voidable,
    /// The batch is settled, so a void answers "原交易不存在": refund with RRN and
    /// original date.
    SettledUseRefund,
    /// Something already voided it (a void, a completion void or a reversal).
    AlreadyVoided,
    /// Refunds already add up to the whole amount.
    AlreadyRefunded,
    /// Part refunded; the rest can still be refunded.
    PartiallyRefunded,
    /// Reversed (冲正), also after an unknown outcome: the customer was not charged.
    Reversed,
    /// Declined: no money moved.
    Declined,
    /// The voucher is on another terminal of the shop: act there.
    OtherTerminal,
    /// Not in the journal, but near numbers are: most likely misread.
    NotInJournalTypo,
    /// Not in the journal, and the mirror has a hole or disagreeing totals there.
    NotInJournalGap,
    /// Not in the journal and nothing missing: most likely not paid on these terminals.
    NotInJournal,
    /// Two live approved debits, same card, same amount, minutes apart: keep the first.
    DuplicateCharge,
    /// The terminal never reported a result: do not charge again, confirm with the
    /// acquirer.
    UnknownOutcome,
    /// Approved and in order: reprint the slip.
    ReceiptLost,
    /// Approved and recorded with its RRN, yet the acquirer cannot find it.
    ApprovedAskAcquirer,
    /// Approved; the cardholder disputes it: answer with the signed slip and evidence.
    DisputeRespond,
    /// The asked voucher is itself a void (or pre-auth cancellation, completion void).
    IsVoid,
    /// The asked voucher is itself a refund.
    IsRefund,
    /// The asked voucher is itself a reversal (冲正).
    IsReversal,
    /// A pre-authorisation still holding money on the card: not a charge.
    PreAuthOpen,
    /// A pre-authorisation turned into a charge by its completion.
    PreAuthCompleted,
    /// A pre-authorisation cancelled at the terminal: the hold is released.
    PreAuthCancelled,
    /// A pre-authorisation past the acquirer's hold period, never completed.
    PreAuthExpired,
    /// The customer says "charged twice"; the journal shows one live charge.
    ChargedOnce,
    /// Refunds add up to more than the original.
    OverRefunded,
    /// The batch is still open but the acquirer's business day has turned: refund.
    VoidWindowClosed,
    /// A balance inquiry or settlement: no money moved.
    NotAPayment,
    /// "Not in the acquirer's back end", but the acquirer's own statement lists it:
    /// the acquirer has it; the back end's search hides it.
    OnAcquirerStatement,
    /// Approved at the terminal, yet the acquirer's statement for that day does not
    /// list it: the acquirer never received it (lost upload).
    NotOnAcquirerStatement,
}

impl DiagnosisCode {
    /// Every code.
    pub const ALL: [DiagnosisCode; 29] = [
        DiagnosisCode::Voidable,
        DiagnosisCode::SettledUseRefund,
        DiagnosisCode::AlreadyVoided,
        DiagnosisCode::AlreadyRefunded,
        DiagnosisCode::PartiallyRefunded,
        DiagnosisCode::Reversed,
        DiagnosisCode::Declined,
        DiagnosisCode::OtherTerminal,
        DiagnosisCode::NotInJournalTypo,
        DiagnosisCode::NotInJournalGap,
        DiagnosisCode::NotInJournal,
        DiagnosisCode::DuplicateCharge,
        DiagnosisCode::UnknownOutcome,
        DiagnosisCode::ReceiptLost,
        DiagnosisCode::ApprovedAskAcquirer,
        DiagnosisCode::DisputeRespond,
        DiagnosisCode::IsVoid,
        DiagnosisCode::IsRefund,
        DiagnosisCode::IsReversal,
        DiagnosisCode::PreAuthOpen,
        DiagnosisCode::PreAuthCompleted,
        DiagnosisCode::PreAuthCancelled,
        DiagnosisCode::PreAuthExpired,
        DiagnosisCode::ChargedOnce,
        DiagnosisCode::OverRefunded,
        DiagnosisCode::VoidWindowClosed,
        DiagnosisCode::NotAPayment,
        DiagnosisCode::OnAcquirerStatement,
        DiagnosisCode::NotOnAcquirerStatement,
    ];

    /// The code as the UI, the docs and the API spell it (SCREAMING_SNAKE_CASE).
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisCode::Voidable => "VOIDABLE",
            DiagnosisCode::SettledUseRefund => "SETTLED_USE_REFUND",
            DiagnosisCode::AlreadyVoided => "ALREADY_VOIDED",
            DiagnosisCode::AlreadyRefunded => "ALREADY_REFUNDED",
            DiagnosisCode::PartiallyRefunded => "PARTIALLY_REFUNDED",
            DiagnosisCode::Reversed => "REVERSED",
            DiagnosisCode::Declined => "DECLINED",
            DiagnosisCode::OtherTerminal => "OTHER_TERMINAL",
            DiagnosisCode::NotInJournalTypo => "NOT_IN_JOURNAL_TYPO",
            DiagnosisCode::NotInJournalGap => "NOT_IN_JOURNAL_GAP",
            DiagnosisCode::NotInJournal => "NOT_IN_JOURNAL",
            DiagnosisCode::DuplicateCharge => "DUPLICATE_CHARGE",
            DiagnosisCode::UnknownOutcome => "UNKNOWN_OUTCOME",
            DiagnosisCode::ReceiptLost => "RECEIPT_LOST",
            DiagnosisCode::ApprovedAskAcquirer => "APPROVED_ASK_ACQUIRER",
            DiagnosisCode::DisputeRespond => "DISPUTE_RESPOND",
            DiagnosisCode::IsVoid => "IS_VOID",
            DiagnosisCode::IsRefund => "IS_REFUND",
            DiagnosisCode::IsReversal => "IS_REVERSAL",
            DiagnosisCode::PreAuthOpen => "PRE_AUTH_OPEN",
            DiagnosisCode::PreAuthCompleted => "PRE_AUTH_COMPLETED",
            DiagnosisCode::PreAuthCancelled => "PRE_AUTH_CANCELLED",
            DiagnosisCode::PreAuthExpired => "PRE_AUTH_EXPIRED",
            DiagnosisCode::ChargedOnce => "CHARGED_ONCE",
            DiagnosisCode::OverRefunded => "OVER_REFUNDED",
            DiagnosisCode::VoidWindowClosed => "VOID_WINDOW_CLOSED",
            DiagnosisCode::NotAPayment => "NOT_A_PAYMENT",
            DiagnosisCode::OnAcquirerStatement => "ON_ACQUIRER_STATEMENT",
            DiagnosisCode::NotOnAcquirerStatement => "NOT_ON_ACQUIRER_STATEMENT",
        }
    }

    /// Whether the acquirer has to be contacted (a case is worth opening).
    pub fn needs_acquirer(self) -> bool {
        matches!(
            self,
            DiagnosisCode::SettledUseRefund
                | DiagnosisCode::NotInJournalGap
                | DiagnosisCode::DuplicateCharge
                | DiagnosisCode::UnknownOutcome
                | DiagnosisCode::ApprovedAskAcquirer
                | DiagnosisCode::DisputeRespond
                | DiagnosisCode::Reversed
                | DiagnosisCode::OverRefunded
                | DiagnosisCode::VoidWindowClosed
                | DiagnosisCode::NotOnAcquirerStatement
        )
    }
}

/// A stored transaction with its journal id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// Its id in the journal.
    pub id: i64,
    /// The transaction.
    pub txn: Transaction,
}

/// What the acquirer's own rules add to the journal: when its business day turns
/// (日切, which ends the void window) and how long it holds a pre-authorisation.
/// Kept as data in the acquirer directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcquirerRules {
    /// Whose rules these are, for the answer to name; `None` for the defaults.
    pub name: Option<Text>,
    /// When the acquirer's business day turns (日切), shop time.
    pub cutoff: NaiveTime,
    /// Days the acquirer holds a pre-authorisation before it lapses.
    pub pre_auth_hold_days: u32,
}

impl AcquirerRules {
    /// Local midnight and 30 days, when the acquirer is not known.
    pub const DEFAULT_HOLD_DAYS: u32 = 30;
}

impl Default for AcquirerRules {
    fn default() -> Self {
        AcquirerRules {
            name: None,
            cutoff: NaiveTime::MIN,
            pre_auth_hold_days: Self::DEFAULT_HOLD_DAYS,
        }
    }
}

/// What the journal knows that bears on the complaint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The transaction the owner means, when the journal has it.
    pub found: Option<Recorded>,
    /// Its batch (open or settled).
    pub batch: Option<Batch>,
    /// What refers to it or what it refers to, and what refers to those in turn (the
    /// void of a completion of a pre-authorisation), each with its batch state.
    pub related: Vec<Recorded>,
    /// Batches of the related transactions the answer depends on (a completion's).
    pub related_batches: Vec<Batch>,
    /// The terminal the owner is standing at, if said.
    pub asked_terminal: Option<TerminalId>,
    /// The same voucher found only on another terminal of the shop.
    pub elsewhere: Vec<Recorded>,
    /// The same voucher on the same terminal in other batches (the counter wrapped,
    /// or counts per batch): named, never silently chosen from.
    pub other_batches: Vec<Recorded>,
    /// Look-alikes: neighbouring or transposed digits, or same amount around that time.
    pub near: Vec<Recorded>,
    /// A recorded gap or totals mismatch covering the time or voucher asked about.
    pub gap: Option<Text>,
    /// Candidate twins: approved debits with the same card last-4 and amount, minutes
    /// apart. The rules decide which really are a double charge.
    pub duplicates: Vec<Recorded>,
    /// The shop's local time when asked; `None` leaves out what depends on it.
    pub now: Option<NaiveDateTime>,
    /// The acquirer's rules (or the defaults).
    pub rules: AcquirerRules,
    /// The acquirer's statement lines for the voucher asked about (or for the
    /// transaction found): a second witness, named as such in every answer.
    #[serde(default)]
    pub statement: Vec<crate::Witness>,
    /// An imported statement covers the day (and terminal) asked about: a payment
    /// missing from it is missing at the acquirer.
    #[serde(default)]
    pub statement_covers: bool,
}

/// One thing the answer rests on, with the record it comes from.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The journal's transaction id the fact is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_id: Option<i64>,
    /// The statement line the fact is about, when it is the acquirer's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i64>,
    /// The fact, in both languages.
    pub text: Text,
}

/// A question that tells apart causes the journal cannot see, with what a "yes"
/// means and who to call then.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What to find out.
    pub question: Text,
    /// What a "yes" means.
    pub if_yes: Text,
    /// Who to call then.
    pub call: Text,
}

/// The answer to "what happened to this voucher, and what do I do?".
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The stable code.
    pub code: DiagnosisCode,
    /// What the owner asked about.
    pub complaint: Complaint,
    /// The answer in a line.
    pub title: Text,
    /// Why, in a paragraph.
    pub explanation: Text,
    /// What the answer rests on.
    pub facts: Vec<Fact>,
    /// What to do, in order.
    pub next_steps: Vec<Text>,
    /// What to have ready when calling or writing to the acquirer.
    pub prepare: Vec<Text>,
    /// How to give the money back, when there is money to give back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
    /// Whether opening a case with the acquirer is the way on.
    #[serde(default)]
    pub needs_acquirer: bool,
    /// False when the journal alone cannot decide what happened: the `checks` then
    /// tell the possible causes apart.
    #[serde(default = "yes")]
    pub journal_decides: bool,
    /// Questions that tell apart what the journal cannot (see `journal_decides`).
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Things the owner must see even though they are not the answer (refunds above
    /// the sale amount, a voucher repeated in several batches).
    #[serde(default)]
    pub warnings: Vec<Text>,
}

fn yes() -> bool {
    true
}

/// The state of a case with the acquirer.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Opened, nothing sent yet.
    Open,
    /// Sent to the acquirer.
    Submitted,
    /// Waiting for the acquirer's answer.
    Waiting,
    /// Decided for the shop.
    Won,
    /// Decided against the shop.
    Lost,
    /// Given up by the shop.
    Withdrawn,
}

impl CaseStatus {
    /// Every status, in the order a case moves through them.
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Open,
        CaseStatus::Submitted,
        CaseStatus::Waiting,
        CaseStatus::Won,
        CaseStatus::Lost,
        CaseStatus::Withdrawn,
    ];

    /// The name as stored and given on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Waiting => "waiting",
            CaseStatus::Won => "won",
            CaseStatus::Lost => "lost",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status of a name as [`CaseStatus::as_str`] gives it.
    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Won, lost or withdrawn: nothing more to do.
    pub fn is_resolved(self) -> bool {
        matches!(
            self,
            CaseStatus::Won | CaseStatus::Lost | CaseStatus::Withdrawn
        )
    }

    /// Moves a case may make: forward through the process, or to a resolution.
    pub fn can_become(self, next: CaseStatus) -> bool {
        use CaseStatus::*;
        match (self, next) {
            (a, b) if a == b => false,
            (a, _) if a.is_resolved() => false,
            (Open, Submitted | Waiting) | (Submitted, Waiting) => true,
            (_, Won | Lost | Withdrawn) => true,
            _ => false,
        }
    }
}

/// Days from `today` to `due` (negative when overdue).
pub fn days_left(due: NaiveDate, today: NaiveDate) -> i64 {
    (due - today).num_days()
}
