//! What people type into forms and flags, read in one place for the desktop and the CLI:
//! the journal search box that guesses its field, dates (an end date includes its
//! day), amounts (exact decimal, never floating point), and the voucher, batch and
//! terminal numbers printed on a slip. Every error names the field it is about.

use crate::{AppError, ErrorCode};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{AuthCode, BatchNo, Money, Outcome, Rrn, TerminalId, TraceNo, TxnKind};
use slipkeeper_journal::TxnQuery;

/// A bad value in a named field: `{code: BAD_INPUT, field, message}`, the message in
/// English and Chinese ("batch: "abc" is not a batch number … / “abc”不是批次号…").
pub fn field_error(field: &str, value: &str, why: &str, why_zh: &str) -> AppError {
    AppError::new(
        ErrorCode::BadInput,
        format!("{field}: {value:?} {why} / “{value}”{why_zh}"),
    )
    .with_field(field)
}

/// A date or a date and time. A bare date is the start of that day, or with `end` the
/// start of the next one (so an end date of the 20th includes all of the 20th).
pub fn parse_when(field: &str, s: &str, end: bool) -> Result<NaiveDateTime, AppError> {
    let s = s.trim();
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t);
        }
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        field_error(
            field,
            s,
            "is not a date: expected YYYY-MM-DD or YYYY-MM-DD HH:MM",
            "不是日期，请写成 2026-11-20 或 2026-11-20 13:00",
        )
    })?;
    let start = d
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| field_error(field, s, "is not a date", "不是日期"))?;
    Ok(if end {
        start + TimeDelta::days(1)
    } else {
        start
    })
}

/// An amount in yuan as typed ("255.31", "1,234.5", "¥255.31", "255.31元"), in fen.
pub fn parse_amount(field: &str, s: &str) -> Result<i64, AppError> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '元' | ' '))
        .collect();
    let m = Money::parse_major(&t, "CNY").map_err(|e| match e {
        slipkeeper_domain::DomainError::Invalid { reason, .. } => {
            field_error(field, s, reason, "不是金额，请写成 255 或 255.31")
        }
        other => field_error(
            field,
            s,
            &other.to_string(),
            "不是金额，请写成 255 或 255.31",
        ),
    })?;
    Ok(m.minor())
}

/// A voucher (trace) number: up to six digits, "42" is 000042.
pub fn parse_voucher(field: &str, s: &str) -> Result<TraceNo, AppError> {
    TraceNo::new(s).map_err(|_| {
        field_error(
            field,
            s,
            "is not a voucher number (1 to 6 digits)",
            "不是凭证号（1 到 6 位数字）",
        )
    })
}

/// A batch number: up to six digits, "3" is 000003.
pub fn parse_batch(field: &str, s: &str) -> Result<BatchNo, AppError> {
    BatchNo::new(s).map_err(|_| {
        field_error(
            field,
            s,
            "is not a batch number (1 to 6 digits)",
            "不是批次号（1 到 6 位数字）",
        )
    })
}

/// A terminal id as printed on the slip (letters and digits, up to 16).
pub fn parse_terminal(field: &str, s: &str) -> Result<TerminalId, AppError> {
    TerminalId::new(s).map_err(|_| {
        field_error(
            field,
            s,
            "is not a terminal number (letters and digits)",
            "不是终端号（字母和数字）",
        )
    })
}

/// An RRN typed into `field`; the error names the field.
pub fn parse_rrn(field: &str, s: &str) -> Result<Rrn, AppError> {
    Rrn::new(s).map_err(|_| field_error(field, s, "is not a reference number (RRN)", "不是参考号"))
}

/// An authorisation code typed into `field`; the error names the field.
pub fn parse_auth(field: &str, s: &str) -> Result<AuthCode, AppError> {
    AuthCode::new(s)
        .map_err(|_| field_error(field, s, "is not an authorisation code", "不是授权码"))
}

/// The last four digits of a card: "0733", or a masked number as a slip prints it
/// ("552233******0733"). A whole card number is refused: it is never asked for.
pub fn parse_last4(field: &str, s: &str) -> Result<String, AppError> {
    let t = s.trim();
    let masked = t.contains(['*', 'x', 'X']);
    let tail: String = t.chars().rev().take_while(char::is_ascii_digit).collect();
    let ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '*' | 'x' | 'X' | ' '));
    if !ok || tail.len() < 4 || (!masked && t.len() != 4) {
        return Err(field_error(
            field,
            s,
            "needs the card's last four digits only",
            "只要卡号的后四位",
        ));
    }
    Ok(tail
        .chars()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect())
}

/// An outcome typed into `field` (approved, declined, …); the error names the field.
pub fn parse_outcome(field: &str, s: &str) -> Result<Outcome, AppError> {
    Outcome::parse(s).ok_or_else(|| {
        field_error(
            field,
            s,
            "is not an outcome: approved, declined, reversed, voided or unknown",
            "不是交易结果",
        )
    })
}

/// A kind typed into `field` (sale, void, …); the error names the field.
pub fn parse_kind(field: &str, s: &str) -> Result<TxnKind, AppError> {
    TxnKind::parse(s).ok_or_else(|| {
        field_error(
            field,
            s,
            "is not a kind: sale, void, refund, pre_auth, pre_auth_completion, …",
            "不是交易类型",
        )
    })
}

/// Which field the journal's search box searches.
#[derive(ts_rs::TS, Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Guess from what was typed.
    #[default]
    Auto,
    /// The voucher number.
    Voucher,
    /// The reference number.
    Rrn,
    /// The authorisation code.
    Auth,
    /// The card's last four digits.
    Last4,
    /// The amount.
    Amount,
    /// The slip's text.
    Text,
}

/// The journal screen's form as typed: the search box, its mode, and the filters.
/// Empty strings are filters not set.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JournalForm {
    /// The search box as typed.
    pub search: String,
    /// What the search box searches.
    pub mode: SearchMode,
    /// YYYY-MM-DD, inclusive.
    pub from: String,
    /// YYYY-MM-DD, inclusive.
    pub to: String,
    /// Only this terminal's.
    pub terminal: String,
    /// Only this batch's.
    pub batch: String,
    /// Only with this outcome.
    pub outcome: Option<Outcome>,
    /// Only of this kind.
    pub kind: Option<TxnKind>,
    /// Roughly when: "13:00" (on the `from` day, else today) or "YYYY-MM-DD HH:MM";
    /// the search then looks two hours either side and lists the closest first.
    pub around: String,
    /// Rows to skip.
    pub offset: u64,
    /// Rows per page (0: the default).
    pub limit: u64,
    /// The newest row the list is made of (see `Page::upto_id`).
    pub upto_id: Option<i64>,
}

fn is_auth_like(s: &str) -> bool {
    s.len() == 6
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_amount_like(s: &str) -> bool {
    match s.split_once('.') {
        Some((i, f)) => {
            !i.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && (1..=2).contains(&f.len())
                && f.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

impl JournalForm {
    /// The form as a query to the journal, or the first field that does not read.
    pub fn query(&self) -> Result<TxnQuery, AppError> {
        let mut q = TxnQuery {
            offset: self.offset,
            limit: self.limit,
            upto_id: self.upto_id,
            outcome: self.outcome,
            kind: self.kind,
            ..TxnQuery::default()
        };
        self.search_into(&mut q)?;
        let set = |s: &str| !s.trim().is_empty();
        if set(&self.from) {
            q.from = Some(parse_when("from", &self.from, false)?);
        }
        if set(&self.to) {
            q.to = Some(parse_when("to", &self.to, true)?);
        }
        if set(&self.terminal) {
            q.terminal = Some(parse_terminal("terminal", &self.terminal)?);
        }
        if set(&self.batch) {
            q.batch = Some(parse_batch("batch", &self.batch)?);
        }
        Ok(q)
    }

    fn search_into(&self, q: &mut TxnQuery) -> Result<(), AppError> {
        let s = self.search.trim();
        if s.is_empty() {
            return Ok(());
        }
        let digits = s.bytes().all(|b| b.is_ascii_digit());
        match self.mode {
            SearchMode::Voucher => q.voucher = Some(parse_voucher("search", s)?),
            SearchMode::Rrn => q.rrn = Some(parse_rrn("search", s)?),
            SearchMode::Auth => q.auth_code = Some(parse_auth("search", s)?),
            SearchMode::Last4 => q.last4 = Some(parse_last4("search", s)?),
            SearchMode::Amount => q.amount_minor = Some(parse_amount("search", s)?),
            SearchMode::Text => q.text = Some(s.to_owned()),
            SearchMode::Auto if digits && s.len() <= 6 => {
                q.voucher = Some(parse_voucher("search", s)?)
            }
            SearchMode::Auto if digits && s.len() == 12 => q.rrn = Some(parse_rrn("search", s)?),
            SearchMode::Auto if is_amount_like(s) => {
                q.amount_minor = Some(parse_amount("search", s)?)
            }
            SearchMode::Auto if is_auth_like(s) => q.auth_code = Some(parse_auth("search", s)?),
            SearchMode::Auto => q.text = Some(s.to_owned()),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(search: &str, mode: SearchMode) -> JournalForm {
        JournalForm {
            search: search.into(),
            mode,
            ..JournalForm::default()
        }
    }

    #[test]
    fn the_search_box_guesses_its_field() {
        let q = |s: &str| form(s, SearchMode::Auto).query().unwrap_or_default();
        assert_eq!(
            q(" 7 ").voucher.map(|v| v.as_str().to_owned()),
            Some("000007".into())
        );
        assert!(q("600000000012").rrn.is_some());
        assert_eq!(q("255.05").amount_minor, Some(25505));
        assert_eq!(
            q("a1b2c3").auth_code.map(|a| a.as_str().to_owned()),
            Some("A1B2C3".into())
        );
        assert_eq!(q("演示商店").text.as_deref(), Some("演示商店"));
        assert_eq!(q("").text, None);
    }

    #[test]
    fn a_chosen_field_is_read_as_that_field() {
        let q = |s: &str, m| form(s, m).query();
        assert_eq!(
            q("552233******0733", SearchMode::Last4)
                .unwrap_or_default()
                .last4
                .as_deref(),
            Some("0733")
        );
        assert_eq!(
            q("1,234.5", SearchMode::Amount)
                .unwrap_or_default()
                .amount_minor,
            Some(123450)
        );
        assert_eq!(
            q("￥255.31元", SearchMode::Amount)
                .unwrap_or_default()
                .amount_minor,
            Some(25531)
        );
        assert_eq!(
            q("12", SearchMode::Text)
                .unwrap_or_default()
                .text
                .as_deref(),
            Some("12")
        );
        // Exact decimals: no 0.1 + 0.2 surprises.
        assert_eq!(
            q("0.29", SearchMode::Amount)
                .unwrap_or_default()
                .amount_minor,
            Some(29)
        );
        assert_eq!(
            q("1.005", SearchMode::Amount).unwrap_err().field.as_deref(),
            Some("search")
        );
        assert_eq!(
            q("07", SearchMode::Last4).unwrap_err().field.as_deref(),
            Some("search")
        );
        let whole = q("6228480000000000125", SearchMode::Last4).unwrap_err();
        assert!(
            !whole.message.contains("6228480000000000125"),
            "{}",
            whole.message
        );
    }

    #[test]
    fn dates_include_the_end_day_and_filters_name_their_field() {
        let f = JournalForm {
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            batch: "3".into(),
            terminal: "52523535".into(),
            ..JournalForm::default()
        };
        let q = f.query().unwrap_or_default();
        assert_eq!(
            q.from.map(|d| d.to_string()).as_deref(),
            Some("2026-11-01 00:00:00")
        );
        assert_eq!(
            q.to.map(|d| d.to_string()).as_deref(),
            Some("2026-12-01 00:00:00")
        );
        assert_eq!(
            q.batch.map(|b| b.as_str().to_owned()),
            Some("000003".into())
        );
        for (f, field) in [
            (
                JournalForm {
                    batch: "abc".into(),
                    ..JournalForm::default()
                },
                "batch",
            ),
            (
                JournalForm {
                    batch: "1234567".into(),
                    ..JournalForm::default()
                },
                "batch",
            ),
            (
                JournalForm {
                    terminal: "52-52".into(),
                    ..JournalForm::default()
                },
                "terminal",
            ),
            (
                JournalForm {
                    from: "2026-13-01".into(),
                    ..JournalForm::default()
                },
                "from",
            ),
            (
                JournalForm {
                    to: "yesterday".into(),
                    ..JournalForm::default()
                },
                "to",
            ),
        ] {
            let e = f.query().unwrap_err();
            assert_eq!(e.code, ErrorCode::BadInput);
            assert_eq!(e.field.as_deref(), Some(field));
            assert!(
                e.message.starts_with(&format!("{field}: ")),
                "{}",
                e.message
            );
            // And in Chinese, for the window's Chinese screens.
            assert!(
                e.message.contains(" / “") && e.message.contains('不'),
                "{}",
                e.message
            );
        }
    }
}
