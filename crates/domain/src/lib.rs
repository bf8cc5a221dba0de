//! The shop's language as types, with the invariants checked at construction.
//!
//! Nothing here does I/O or reads the clock: the journal, the terminal link and the UI
//! all build on these types, so they must stay cheap to construct and easy to test.
//!
//! ```
//! use slipkeeper_domain::{Money, MaskedPan, TraceNo};
//! let amount = Money::parse_major("12.50", "CNY").unwrap();
//! assert_eq!(amount.minor(), 1250);
//! // A full card number is never kept: it is masked on the way in.
//! let pan = MaskedPan::new("6225880212345678").unwrap();
//! assert_eq!(pan.as_str(), "622588******5678");
//! assert_eq!(TraceNo::new("42").unwrap().as_str(), "000042");
//! ```

#![warn(missing_docs)]

mod casework;
mod diagnose;
mod error;
mod ids;
mod money;
mod pan;
mod rules;
pub mod sample;
mod statement;
pub mod story;
mod txn;

pub use casework::{
    days_left, AcquirerRules, CaseStatus, Check, Complaint, Diagnosis, DiagnosisCode, Fact, Facts,
    Recorded, Text,
};
pub use diagnose::{diagnose, DUPLICATE_WINDOW};
pub use error::DomainError;
pub use ids::{
    AuthCode, BatchNo, MerchantId, OperatorNo, ReceiptNo, Rrn, TerminalId, TraceNo, VoucherNo,
};
pub use money::{Currency, Money};
pub use pan::{
    digit_value, looks_like_pan, mask_pans, mask_pans_in_bytes, mask_pans_in_text, MaskedPan,
};
pub use rules::{
    business_day, cancelled_by, expected_debits, hole_around, missing_between,
    refundable_remainder, refunded_total, remedy_for, remedy_within, same_charge_twice, Remedy,
    TraceGaps,
};
pub use statement::{
    reconcile, settles, Discrepancy, DiscrepancyKind, Match, MatchRule, Reconciliation,
    StatementLine, TotalsRow, Witness, TIME_WINDOW,
};
pub use txn::{
    Batch, BatchState, CardScheme, CopyType, EntryMode, Expiry, Link, Outcome, Settlement,
    SlipOrigin, SlipText, Terminal, Totals, Transaction, TxnKey, TxnKind,
};
