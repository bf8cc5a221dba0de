//! Finding a transaction the way a shop owner remembers it: "255", "255.31元", the
//! card's last four, "about 255 around 13:00". One function for the journal screen,
//! the reprint screen, the problem solver and `slipkeeper journal find`.
//!
//! The search box is read as every field the text could be (a voucher, the last four
//! digits of a card, an amount in yuan, an RRN, an auth code) and rows matching any of
//! them come back, each labelled with what it matched. An amount typed without fen is
//! "about" that many yuan; amounts close to the one typed are offered beside the
//! matches, nearest first. Nothing here refuses what was typed in the guessing mode:
//! text that is no number is looked for in the slips.

use crate::casework::Lookup;
use crate::forms::{parse_amount, parse_when, JournalForm, SearchMode};
use crate::{App, AppError};
use chrono::{NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{AuthCode, Rrn, TraceNo};
use slipkeeper_journal::{Page, Probe, TxnRow};

/// What part of a transaction a search matched.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The voucher number.
    Voucher,
    /// The reference number.
    Rrn,
    /// The authorisation code.
    Auth,
    /// The card's last four digits.
    Last4,
    /// The amount, to the fen.
    Amount,
    /// The amount in whole yuan ("255" matches 255.00 to 255.99).
    AboutAmount,
    /// The slip's text.
    Text,
}

/// One transaction found, with what it matched.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The transaction.
    #[serde(flatten)]
    pub row: TxnRow,
    /// What it matched.
    pub matched: Vec<Field>,
}

/// The answer to a search: the page of matches, how the text was read, the amounts
/// close to the one typed, and, when nothing matched, the lookup the text stands for
/// (the problem solver diagnoses a voucher the journal lacks with it).
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The page of matches.
    #[serde(flatten)]
    pub page: Page<Hit>,
    /// Each field the text was read as, in the order tried.
    pub read_as: Vec<Field>,
    /// Transactions whose amount is close to the one typed but not it, nearest first
    /// (only with the first page).
    pub near: Vec<Hit>,
    /// When nothing matched: the lookup the text stands for.
    pub lookup: Option<Lookup>,
    /// Lines of the acquirer's imported statements matching the same search that the
    /// journal has no transaction for (a shop without a terminal link, a payment the
    /// mirror missed), newest first (only with the first page).
    pub statement: Vec<StatementRow>,
}

/// A statement line listed beside the journal's transactions, with its source.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementRow {
    /// The stored line's id.
    pub line_id: i64,
    /// The statement file, without its folder.
    pub file_name: String,
    /// Its row in the file.
    pub line_no: u32,
    /// The day the file was imported.
    pub imported_on: chrono::NaiveDate,
    /// The terminal id, when the statement lists it.
    #[ts(optional = nullable)]
    pub terminal_id: Option<slipkeeper_domain::TerminalId>,
    /// The voucher number, when listed.
    #[ts(optional = nullable)]
    pub voucher: Option<TraceNo>,
    /// The reference number, when listed.
    #[ts(optional = nullable)]
    pub rrn: Option<Rrn>,
    /// The authorisation code, when listed.
    #[ts(optional = nullable)]
    pub auth_code: Option<AuthCode>,
    /// The card as the statement prints it (masked).
    #[ts(optional = nullable)]
    pub card: Option<String>,
    /// Sale, refund, …
    pub kind: slipkeeper_domain::TxnKind,
    /// The amount.
    pub amount: slipkeeper_domain::Money,
    /// When, the terminal's local time.
    pub occurred_at: NaiveDateTime,
    /// The day the acquirer settled it.
    #[ts(optional = nullable)]
    pub settle_date: Option<chrono::NaiveDate>,
    /// What it matched.
    pub matched: Vec<Field>,
}

/// How many statement lines a search lists.
pub const STATEMENT_ROWS: u64 = 50;

/// How far either side of "around 13:00" a search looks.
pub const AROUND: TimeDelta = TimeDelta::hours(2);
/// How many near amounts are offered.
pub const NEAR: usize = 5;
/// How far from the amount typed a near amount may be: 5 yuan, or 5 % of it.
fn tolerance(minor: i64) -> i64 {
    (minor / 20).max(500)
}

/// An amount as typed: exactly (with fen) or in whole yuan (255 → 255.00..=255.99).
fn amount_reading(s: &str) -> Option<(Probe, Field)> {
    let bare: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '元' | ' '))
        .collect();
    if bare.is_empty() || bare.len() > 12 {
        return None;
    }
    if bare.bytes().all(|b| b.is_ascii_digit()) {
        // "0733" is a card or a voucher, not 733 yuan.
        if bare.len() > 1 && bare.starts_with('0') {
            return None;
        }
        let yuan: i64 = bare.parse().ok()?;
        let lo = yuan.checked_mul(100)?;
        return Some((Probe::Amount(lo, lo + 99), Field::AboutAmount));
    }
    let minor = parse_amount("search", &bare).ok()?;
    Some((Probe::Amount(minor, minor), Field::Amount))
}

/// Every field `s` could be, in the order they are tried. Empty: only slip text.
pub fn readings(s: &str) -> Vec<(Probe, Field)> {
    let s = s.trim();
    let mut out = Vec::new();
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // A card as a slip prints it, "622848******0123": its last four.
    if s.contains(['*', 'x', 'X']) {
        if let Ok(l4) = crate::forms::parse_last4("search", s) {
            out.push((Probe::Last4(l4), Field::Last4));
        }
        return out;
    }
    if digits && s.len() <= 6 {
        if let Ok(v) = TraceNo::new(s) {
            out.push((Probe::Voucher(v), Field::Voucher));
        }
    }
    if digits && s.len() == 4 {
        out.push((Probe::Last4(s.to_owned()), Field::Last4));
    }
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        if let Ok(a) = AuthCode::new(s) {
            out.push((Probe::Auth(a), Field::Auth));
        }
    }
    if digits && s.len() == 12 {
        if let Ok(r) = Rrn::new(s) {
            out.push((Probe::Rrn(r), Field::Rrn));
        }
    }
    if !digits || s.len() <= 7 {
        if let Some(a) = amount_reading(s) {
            out.push(a);
        }
    }
    out
}

/// "13:00" on `day`, or a date and time as [`parse_when`] reads it.
fn parse_around(s: &str, day: chrono::NaiveDate) -> Result<NaiveDateTime, AppError> {
    let s = s.trim();
    for f in ["%H:%M", "%H:%M:%S", "%H点%M分", "%H点", "%H時%M分"] {
        if let Ok(t) = NaiveTime::parse_from_str(s, f) {
            return Ok(day.and_time(t));
        }
    }
    if let Some(h) = s.strip_suffix('点').and_then(|h| h.parse::<u32>().ok()) {
        if let Some(t) = NaiveTime::from_hms_opt(h, 0, 0) {
            return Ok(day.and_time(t));
        }
    }
    parse_when("around", s, false).map_err(|_| {
        crate::forms::field_error(
            "around",
            s,
            "is not a time: expected HH:MM or YYYY-MM-DD HH:MM",
            "不是时间，请写成 13:00 或 2026-11-20 13:00",
        )
    })
}

impl JournalForm {
    /// The readings of the search box under this form's mode (see [`readings`]).
    fn probes(&self) -> Vec<(Probe, Field)> {
        let s = self.search.trim();
        if s.is_empty() {
            return Vec::new();
        }
        match self.mode {
            SearchMode::Auto => readings(s),
            SearchMode::Amount => amount_reading(s).into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

impl App {
    /// The search of [`JournalForm`], forgiving: see the module's documentation.
    pub fn find(&self, form: &JournalForm) -> Result<Found, AppError> {
        let probes = self.probe_form(form)?;
        let mut q = match &probes {
            // Read here: the exact readings of the strict modes stay `query`'s.
            Some(_) => JournalForm {
                search: String::new(),
                ..form.clone()
            }
            .query()?,
            None => form.query()?,
        };
        let day = match q.from {
            Some(f) => f.date(),
            None => self.clock.local_now().date(),
        };
        let around = match form.around.trim() {
            "" => None,
            s => Some(parse_around(s, day)?),
        };
        if let Some(at) = around {
            q.from = Some(at - AROUND);
            q.to = Some(at + AROUND);
        }
        let probes = probes.unwrap_or_default();
        q.any_of = probes.iter().map(|(p, _)| p.clone()).collect();
        let page = self.journal.search(&q)?;
        let label = |row: TxnRow| {
            let mut matched: Vec<Field> = probes
                .iter()
                .filter(|(p, _)| p.matches(&row.txn))
                .map(|(_, f)| *f)
                .collect();
            if matched.is_empty() && q.text.is_some() {
                matched.push(Field::Text);
            }
            Hit { row, matched }
        };
        let mut items: Vec<Hit> = page.items.into_iter().map(label).collect();
        if let Some(at) = around {
            items.sort_by_key(|h| ((h.row.txn.occurred_at - at).abs(), -h.row.id));
        }
        let mut read_as: Vec<Field> = probes.iter().map(|(_, f)| *f).collect();
        if q.text.is_some() {
            read_as.push(Field::Text);
        }
        let amount = probes.iter().find_map(|(p, _)| match p {
            Probe::Amount(lo, hi) => Some((*lo, *hi)),
            _ => None,
        });
        let near = match amount {
            Some((lo, hi)) if form.offset == 0 => {
                let tol = tolerance(hi);
                let mut nq = q.clone();
                nq.any_of = Vec::new();
                nq.amount_between = Some((lo.saturating_sub(tol).max(0), hi.saturating_add(tol)));
                nq.offset = 0;
                nq.limit = 200;
                nq.upto_id = Some(page.upto_id);
                let mut near: Vec<Hit> = self
                    .journal
                    .search(&nq)?
                    .items
                    .into_iter()
                    .filter(|r| !(lo..=hi).contains(&r.txn.amount.minor()))
                    .map(|row| Hit {
                        row,
                        matched: Vec::new(),
                    })
                    .collect();
                let off = |m: i64| if m < lo { lo - m } else { m - hi };
                near.sort_by_key(|h| {
                    let when = around.map(|at| (h.row.txn.occurred_at - at).abs());
                    (off(h.row.txn.amount.minor()), when, -h.row.id)
                });
                near.truncate(NEAR);
                near
            }
            _ => Vec::new(),
        };
        let statement = if form.offset == 0 && q.text.is_none() {
            self.statement_rows(&q, &probes, around)?
        } else {
            Vec::new()
        };
        let lookup = if page.total == 0 {
            self.lookup_for(&probes, &q, around)
        } else {
            None
        };
        Ok(Found {
            page: Page {
                total: page.total,
                more: page.more,
                offset: page.offset,
                upto_id: page.upto_id,
                items,
            },
            read_as,
            near,
            lookup,
            statement,
        })
    }

    /// The statement lines for a search, minus those the journal has (by RRN, else
    /// by terminal, voucher and day).
    fn statement_rows(
        &self,
        q: &slipkeeper_journal::TxnQuery,
        probes: &[(Probe, Field)],
        around: Option<NaiveDateTime>,
    ) -> Result<Vec<StatementRow>, AppError> {
        if q.rrn.is_some() || q.voucher.is_some() || q.auth_code.is_some() || q.batch.is_some() {
            // The strict modes and the batch filter speak of journal rows.
            return Ok(Vec::new());
        }
        let lines = self
            .journal
            .find_statement_lines(&slipkeeper_journal::LineQuery {
                terminal: q.terminal.clone(),
                any_of: probes.iter().map(|(p, _)| p.clone()).collect(),
                from: q.from,
                to: q.to,
                limit: STATEMENT_ROWS * 2,
                newest_first: true,
                ..Default::default()
            })?;
        let mut out = Vec::new();
        for s in lines {
            if out.len() as u64 >= STATEMENT_ROWS {
                break;
            }
            if self.journal_has(&s.line)? {
                continue;
            }
            let w = self.witness(s);
            let l = &w.line;
            let matched = probes
                .iter()
                .filter(|(p, _)| match p {
                    Probe::Voucher(v) => l.trace_no.as_ref() == Some(v),
                    Probe::Rrn(r) => l.rrn.as_ref() == Some(r),
                    Probe::Auth(a) => l.auth_code.as_ref() == Some(a),
                    Probe::Last4(x) => l.last4().as_deref() == Some(x.as_str()),
                    Probe::Amount(lo, hi) => (*lo..=*hi).contains(&l.amount.minor()),
                })
                .map(|(_, f)| *f)
                .collect();
            out.push(StatementRow {
                line_id: w.line_id,
                file_name: w.file_name,
                line_no: l.line_no,
                imported_on: w.imported_on,
                terminal_id: l.terminal_id.clone(),
                voucher: l.trace_no.clone(),
                rrn: l.rrn.clone(),
                auth_code: l.auth_code.clone(),
                card: l.card.clone(),
                kind: l.kind,
                amount: l.amount,
                occurred_at: l.occurred_at,
                settle_date: l.settle_date,
                matched,
            });
        }
        if let Some(at) = around {
            out.sort_by_key(|r| (r.occurred_at - at).abs());
        }
        Ok(out)
    }

    /// Whether the journal has the transaction a statement line speaks of.
    fn journal_has(&self, l: &slipkeeper_domain::StatementLine) -> Result<bool, AppError> {
        let q = match (&l.rrn, &l.trace_no, &l.terminal_id) {
            (Some(rrn), ..) => slipkeeper_journal::TxnQuery {
                rrn: Some(rrn.clone()),
                limit: 1,
                ..Default::default()
            },
            (None, Some(v), Some(t)) => {
                let day = l.occurred_at.date().and_time(NaiveTime::MIN);
                slipkeeper_journal::TxnQuery {
                    voucher: Some(v.clone()),
                    terminal: Some(t.clone()),
                    from: Some(day - TimeDelta::days(1)),
                    to: Some(day + TimeDelta::days(2)),
                    limit: 1,
                    ..Default::default()
                }
            }
            _ => return Ok(false),
        };
        Ok(self.journal.search(&q)?.total > 0)
    }

    /// `Some(readings)` when the box is read forgivingly (auto or amount mode with
    /// something the readings understand); `None` for the strict modes and for text.
    fn probe_form(&self, form: &JournalForm) -> Result<Option<Vec<(Probe, Field)>>, AppError> {
        let probes = form.probes();
        if probes.is_empty() {
            if form.mode == SearchMode::Amount && !form.search.trim().is_empty() {
                // Say why an amount does not read.
                parse_amount("search", &form.search)?;
            }
            return Ok(None);
        }
        Ok(Some(probes))
    }

    /// What a search that found nothing was asking about, for a diagnosis of
    /// something the journal lacks: the voucher, RRN or auth code, or an exact amount
    /// around a time.
    fn lookup_for(
        &self,
        probes: &[(Probe, Field)],
        q: &slipkeeper_journal::TxnQuery,
        around: Option<NaiveDateTime>,
    ) -> Option<Lookup> {
        let first = |want: fn(&Probe) -> bool| probes.iter().map(|(p, _)| p).find(|p| want(p));
        if let Some(Probe::Rrn(rrn)) = first(|p| matches!(p, Probe::Rrn(_))) {
            return Some(Lookup::Rrn { rrn: rrn.clone() });
        }
        if let Some(Probe::Voucher(v)) = first(|p| matches!(p, Probe::Voucher(_))) {
            return Some(Lookup::Voucher {
                voucher: v.clone(),
                terminal: q.terminal.clone(),
                batch: q.batch.clone(),
            });
        }
        if let Some(Probe::Auth(a)) = first(|p| matches!(p, Probe::Auth(_))) {
            return Some(Lookup::Auth {
                auth: a.clone(),
                terminal: q.terminal.clone(),
            });
        }
        match (first(|p| matches!(p, Probe::Amount(..))), around) {
            (Some(Probe::Amount(lo, _)), Some(at)) => Some(Lookup::AmountTime {
                amount_minor: *lo,
                at,
                last4: None,
                terminal: q.terminal.clone(),
            }),
            _ => None,
        }
    }
}
