//! Acquirer statements (对账单 / 交易明细) read into [`StatementLine`](slipkeeper_domain::StatementLine)s.
//!
//! Acquirers each lay their files out their own way, so the layout is data: a
//! [`Mapping`] names, for every field, the header texts it may go by, the date formats,
//! the amount unit and the words used for transaction types. A few ship built in
//! (`assets/statement-mappings/`); [`propose`] builds one from a file's header row.
//!
//! Reading is all or nothing: the first bad row stops the parse with its file, row and
//! column, and the caller writes nothing.

#![warn(missing_docs)]

mod mapping;
mod read;
mod report;

pub use mapping::{builtin, builtin_mappings, propose, Field, Mapping};
pub use read::{limits, parse, propose_for_file, Format, ParsedStatement};
pub use report::write_reconciliation_csv;

use std::fmt;

/// Where a statement went wrong: file, row (as a spreadsheet counts them) and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct StatementError {
    /// The file, as the user named it.
    pub file: String,
    /// The row, counted from 1 as a spreadsheet shows it; None for the file as a whole.
    pub row: Option<u32>,
    /// The column's header text, when one column is at fault.
    pub column: Option<String>,
    /// What is wrong, in English.
    pub message: String,
    /// The message in Chinese, for the shop owner's screen.
    pub zh: String,
    /// No row of the file looks like a statement header: not a statement at all
    /// (a watched folder holds other files too), rather than a broken one.
    pub not_a_statement: bool,
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.file.clone();
        if let Some(r) = self.row {
            text.push_str(&format!(":{r}"));
        }
        if let Some(c) = &self.column {
            text.push_str(&format!(":{c}"));
        }
        text.push_str(": ");
        text.push_str(&self.message);
        // A message may quote a cell, and a cell may hold a full card number (in the
        // card column, or anywhere in a careless export): never echo one.
        f.write_str(&slipkeeper_domain::mask_pans(&text))
    }
}

impl StatementError {
    /// Where and what in Chinese: "FILE 第 3 行「金额」列：…" (card numbers masked).
    pub fn zh_text(&self) -> String {
        let mut text = self.file.clone();
        if let Some(r) = self.row {
            text.push_str(&format!(" 第 {r} 行"));
        }
        if let Some(c) = &self.column {
            text.push_str(&format!("「{c}」列"));
        }
        text.push('：');
        text.push_str(&self.zh);
        slipkeeper_domain::mask_pans(&text).into_owned()
    }
}

/// A message in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Said {
    pub en: String,
    pub zh: String,
}

pub(crate) fn said(en: impl Into<String>, zh: impl Into<String>) -> Said {
    Said {
        en: en.into(),
        zh: zh.into(),
    }
}

#[cfg(test)]
mod display_tests {
    #[test]
    fn an_error_quoting_a_card_number_masks_it() {
        let e = super::StatementError {
            file: "s.csv".into(),
            row: Some(3),
            column: Some("卡号".into()),
            message: "\"6225880212345673\" is not an amount".into(),
            zh: "“6225880212345673”不是金额".into(),
            not_a_statement: false,
        };
        assert_eq!(
            e.to_string(),
            "s.csv:3:卡号: \"622588******5673\" is not an amount"
        );
    }
}
