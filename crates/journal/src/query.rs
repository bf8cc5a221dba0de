//! Lookups the shop owner makes: by voucher, RRN, auth code, card last-4, amount, time,
//! terminal, batch, outcome, and free text over slips. Always paged, ordered newest
//! first, and counted.

use crate::record::RawFrame;
use crate::{sql, Journal, JournalError};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use slipkeeper_domain::*;

#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
// Every filter may be left out by the caller (serde fills the default).
/// What to list: every field given must match.
#[ts(optional_fields = nullable)]
pub struct TxnQuery {
    /// The voucher (trace) number.
    pub voucher: Option<TraceNo>,
    /// The reference number.
    pub rrn: Option<Rrn>,
    /// The authorisation code.
    pub auth_code: Option<AuthCode>,
    /// Last four digits of the card.
    pub last4: Option<String>,
    /// Exact amount in minor units.
    pub amount_minor: Option<i64>,
    /// Amount in minor units from the first to the second, both included.
    pub amount_between: Option<(i64, i64)>,
    /// Rows matching at least one of these: a search box's text read as every field
    /// it could be. Empty: no such condition.
    pub any_of: Vec<Probe>,
    /// Terminal local time, inclusive.
    pub from: Option<NaiveDateTime>,
    /// Terminal local time, exclusive.
    pub to: Option<NaiveDateTime>,
    /// Only this terminal's.
    pub terminal: Option<TerminalId>,
    /// Only this batch's.
    pub batch: Option<BatchNo>,
    /// Only with this outcome.
    pub outcome: Option<Outcome>,
    /// Only of this kind.
    pub kind: Option<TxnKind>,
    /// Substring of the slip text.
    pub text: Option<String>,
    /// Only rows stored up to this row id: the pages of one list, asked for while a
    /// terminal adds rows, stay in place (see [`Page::upto_id`]). None: everything.
    pub upto_id: Option<i64>,
    /// Rows to skip (for the pages after the first).
    pub offset: u64,
    /// 0 means the default page size.
    pub limit: u64,
}

/// One reading of a searched text, for [`TxnQuery::any_of`].
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum Probe {
    /// A voucher number.
    Voucher(TraceNo),
    /// A reference number.
    Rrn(Rrn),
    /// An authorisation code.
    Auth(AuthCode),
    /// The card's last four digits.
    Last4(String),
    /// An amount in minor units, from the first to the second, both included.
    Amount(i64, i64),
}

impl Probe {
    /// Whether `t` is what this reading looks for.
    pub fn matches(&self, t: &Transaction) -> bool {
        match self {
            Probe::Voucher(v) => t.trace_no == *v,
            Probe::Rrn(r) => t.rrn.as_ref() == Some(r),
            Probe::Auth(a) => t.auth_code.as_ref() == Some(a),
            Probe::Last4(l) => t.pan.as_ref().is_some_and(|p| p.last4() == l),
            Probe::Amount(lo, hi) => (*lo..=*hi).contains(&t.amount.minor()),
        }
    }
}

fn check_last4(v: &str) -> Result<(), JournalError> {
    if v.len() != 4 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JournalError::Invalid(DomainError::Invalid {
            field: "last4",
            value: v.to_owned(),
            reason: "must be the last four digits of the card",
        }));
    }
    Ok(())
}

pub const DEFAULT_PAGE: u64 = 50;
/// The most rows one page holds, whatever was asked.
pub const MAX_PAGE: u64 = 1000;
/// How far a text search counts its matches.
pub const TEXT_COUNT_CAP: u64 = 1000;

/// One page of a list.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// Matching rows; for a text search at most `TEXT_COUNT_CAP` (see `more`).
    pub total: u64,
    /// The count stopped at the cap: there are more than `total`.
    pub more: bool,
    /// Rows skipped before this page.
    pub offset: u64,
    /// The highest row id the answer covers: the query's own `upto_id`, or the newest
    /// row when it had none. Asking for the next pages with it keeps their offsets
    /// meaning the same rows while new transactions arrive.
    pub upto_id: i64,
    /// This page's rows.
    pub items: Vec<T>,
}

/// A transaction as listed.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxnRow {
    /// Its row id (stable: the key for `show`).
    pub id: i64,
    /// The transaction.
    pub txn: Transaction,
    /// When Slipkeeper stored it.
    pub recorded_at: DateTime<Utc>,
    /// The batch has been settled: a void is no longer possible.
    pub settled: bool,
}

/// Everything the journal holds about one transaction.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxnDetail {
    /// The transaction.
    pub row: TxnRow,
    /// Its batch: settled or open, and its totals.
    pub batch: Batch,
    /// Its slip copies as the terminal printed them.
    pub slips: Vec<SlipText>,
    /// Voids, refunds and reversals that point at this transaction, and the original
    /// this one points at.
    pub related: Vec<TxnRow>,
    /// The frames that carried it, masked.
    pub frames: Vec<RawFrame>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The part of a search text to look up in the trigram index: its most selective
/// word. Every slip repeats labels like "AUTH NO.", whose trigrams match every row;
/// the number after it is what narrows the search. Prefers the longest word with a
/// digit, else the longest word; `None` when no word has three characters. A word is
/// a contiguous piece of the text, so its matches are a superset of the text's.
fn fts_probe(text: &str) -> Option<String> {
    let words = text.split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '*'));
    let words: Vec<&str> = words
        .filter(|w| w.chars().count() >= 3 && !w.contains(['%', '_']))
        .collect();
    // The first of the longest, so that the same text always gives the same probe.
    let best = |ws: &mut dyn Iterator<Item = &&str>| {
        ws.fold(None::<&str>, |b, w| match b {
            Some(b) if b.chars().count() >= w.chars().count() => Some(b),
            _ => Some(w),
        })
        .map(str::to_owned)
    };
    best(
        &mut words
            .iter()
            .filter(|w| w.chars().any(|c| c.is_ascii_digit())),
    )
    .or_else(|| best(&mut words.iter()))
}

/// How a text condition is evaluated: from the index's matches (few of them), or
/// newest transaction first, each slip tested, stopping at the page (many of them:
/// collecting a million matches only to show the newest hundred takes seconds).
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextPlan {
    FromIndex,
    NewestFirst,
}

/// Index matches beyond which a text is common enough for [`TextPlan::NewestFirst`].
const COMMON_TEXT: u64 = 20_000;

fn where_clause_with(q: &TxnQuery, plan: TextPlan) -> Result<(String, Vec<Value>), JournalError> {
    let mut w: Vec<String> = Vec::new();
    let mut p: Vec<Value> = Vec::new();
    let mut eq = |col: &str, v: Value| {
        p.push(v);
        w.push(format!("{col} = ?{}", p.len()));
    };
    let text = |s: &str| Value::Text(s.to_owned());
    if let Some(v) = &q.voucher {
        eq("t.trace_no", text(v.as_str()));
    }
    if let Some(v) = &q.rrn {
        eq("t.rrn", text(v.as_str()));
    }
    if let Some(v) = &q.auth_code {
        eq("t.auth_code", text(v.as_str()));
    }
    if let Some(v) = &q.last4 {
        check_last4(v)?;
        eq("t.pan_last4", text(v));
    }
    if let Some(v) = q.amount_minor {
        eq("t.amount_minor", Value::Integer(v));
    }
    if let Some(v) = &q.terminal {
        eq("t.terminal_id", text(v.as_str()));
    }
    if let Some(v) = &q.batch {
        eq("t.batch_no", text(v.as_str()));
    }
    if let Some(v) = q.outcome {
        eq("t.outcome", text(v.as_str()));
    }
    if let Some(v) = q.kind {
        eq("t.kind", text(v.as_str()));
    }
    if let Some((lo, hi)) = q.amount_between {
        p.push(Value::Integer(lo));
        p.push(Value::Integer(hi));
        w.push(format!(
            "t.amount_minor BETWEEN ?{} AND ?{}",
            p.len() - 1,
            p.len()
        ));
    }
    if !q.any_of.is_empty() {
        let mut any = Vec::new();
        for probe in &q.any_of {
            let mut one = |col: &str, v: Value| {
                p.push(v);
                any.push(format!("{col} = ?{}", p.len()));
            };
            match probe {
                Probe::Voucher(v) => one("t.trace_no", text(v.as_str())),
                Probe::Rrn(v) => one("t.rrn", text(v.as_str())),
                Probe::Auth(v) => one("t.auth_code", text(v.as_str())),
                Probe::Last4(v) => {
                    check_last4(v)?;
                    one("t.pan_last4", text(v))
                }
                Probe::Amount(lo, hi) => {
                    p.push(Value::Integer(*lo));
                    p.push(Value::Integer(*hi));
                    any.push(format!(
                        "t.amount_minor BETWEEN ?{} AND ?{}",
                        p.len() - 1,
                        p.len()
                    ));
                }
            }
        }
        w.push(format!("({})", any.join(" OR ")));
    }
    if let Some(v) = &q.from {
        p.push(Value::Text(sql::local(v)));
        w.push(format!("t.occurred_at >= ?{}", p.len()));
    }
    if let Some(v) = &q.to {
        p.push(Value::Text(sql::local(v)));
        w.push(format!("t.occurred_at < ?{}", p.len()));
    }
    if let Some(s) = q.text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // The exact test: a case-insensitive substring of the slip text.
        p.push(Value::Text(format!("%{}%", escape_like(s))));
        let exact = p.len();
        let unindexed = format!(
            "SELECT s.txn_id FROM slips s WHERE s.id > (SELECT upto FROM search_index) AND s.text LIKE ?{exact} ESCAPE '\\'"
        );
        if plan == TextPlan::NewestFirst {
            w.push(format!(
                "EXISTS (SELECT 1 FROM slips s WHERE s.txn_id = t.id AND s.text LIKE ?{exact} ESCAPE '\\')"
            ));
        } else {
            w.push(match fts_probe(s) {
            // The trigram index narrows the candidates (FTS5 only takes a plain LIKE
            // without ESCAPE), the exact test confirms them, and slips not yet indexed
            // are scanned.
            Some(probe) => {
                p.push(Value::Text(format!("%{probe}%")));
                let n = p.len();
                format!(
                    "t.id IN (SELECT s.txn_id FROM slips s WHERE s.id IN (SELECT rowid FROM slips_fts WHERE text LIKE ?{n})
                       AND s.text LIKE ?{exact} ESCAPE '\\' UNION ALL {unindexed})"
                )
            }
            // Fewer than three characters: trigrams cannot help (e.g. 退货), scan.
            None => format!("t.id IN (SELECT s.txn_id FROM slips s WHERE s.text LIKE ?{exact} ESCAPE '\\')"),
        });
        }
    }
    let clause = if w.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", w.join(" AND "))
    };
    Ok((clause, p))
}

/// What the owner's filters leave after [`where_clause_with`], with the list's bound
/// on row ids added; and whether there were no filters at all (then the bound itself
/// is the count: rows are only appended, ids from 1 without holes).
fn bounded(
    q: &TxnQuery,
    plan: TextPlan,
    upto: i64,
) -> Result<(String, Vec<Value>, bool), JournalError> {
    let (clause, mut p) = where_clause_with(q, plan)?;
    let unfiltered = clause.is_empty();
    p.push(Value::Integer(upto));
    // `+`: a filter only. As an index range on the row id it would tempt SQLite to
    // walk the table by id and sort a million rows instead of reading the time index.
    let bound = format!("+t.id <= ?{}", p.len());
    let clause = if unfiltered {
        format!("WHERE {bound}")
    } else {
        format!("{clause} AND {bound}")
    };
    Ok((clause, p, unfiltered))
}

const ROW_SELECT: &str = "EXISTS (SELECT 1 FROM settlements s WHERE s.terminal_id = t.terminal_id AND s.batch_no = t.batch_no)";

impl Journal {
    /// One page of transactions matching `q`, newest first.
    pub fn search(&self, q: &TxnQuery) -> Result<Page<TxnRow>, JournalError> {
        let plan = match q.text.as_deref().map(str::trim).and_then(fts_probe) {
            Some(probe) if self.index_matches_at_least(&probe, COMMON_TEXT)? => {
                TextPlan::NewestFirst
            }
            _ => TextPlan::FromIndex,
        };
        self.search_planned(q, plan)
    }

    fn search_planned(&self, q: &TxnQuery, plan: TextPlan) -> Result<Page<TxnRow>, JournalError> {
        // One read snapshot for the count and the rows: a mirror writing meanwhile
        // must not make "7 found" show six.
        let snapshot = self.conn.unchecked_transaction()?;
        let newest = self.transactions_stored()? as i64;
        let upto = q.upto_id.map_or(newest, |u| u.clamp(0, newest));
        let (clause, params, unfiltered) = bounded(q, plan, upto)?;
        // Counting every slip that mentions a common word would take seconds on a
        // large journal; a text search counts up to the cap and says "more".
        let cap = q.text.as_deref().is_some_and(|s| !s.trim().is_empty());
        let mut total: i64 = if unfiltered {
            // Everything up to the bound: the bound is the count (see
            // `transactions_stored`); `count(*)` would read a whole index, seconds on
            // a cold million-row file.
            upto
        } else {
            let count_sql = if cap {
                format!(
                    "SELECT count(*) FROM (SELECT 1 FROM transactions t {clause} LIMIT {})",
                    TEXT_COUNT_CAP + 1
                )
            } else {
                format!("SELECT count(*) FROM transactions t {clause}")
            };
            self.conn
                .prepare_cached(&count_sql)?
                .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
        };
        let more = cap && total > TEXT_COUNT_CAP as i64;
        if more {
            total = TEXT_COUNT_CAP as i64;
        }
        let limit = match q.limit {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        };
        let sql = format!(
            "SELECT {cols}, {ROW_SELECT} FROM transactions t {clause} ORDER BY t.occurred_at DESC, t.id DESC LIMIT {limit} OFFSET {off}",
            cols = sql::TXN_COLUMNS,
            off = q.offset
        );
        let items = self.rows(&sql, params)?;
        snapshot.finish()?;
        Ok(Page {
            total: total as u64,
            more,
            offset: q.offset,
            upto_id: upto,
            items,
        })
    }

    /// Whether the trigram index has at least `n` slips containing `probe`.
    fn index_matches_at_least(&self, probe: &str, n: u64) -> Result<bool, JournalError> {
        let found: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM slips_fts WHERE text LIKE ?1 LIMIT ?2)",
            )?
            .query_row(rusqlite::params![format!("%{probe}%"), n as i64], |r| {
                r.get(0)
            })?;
        Ok(found as u64 >= n)
    }

    fn rows(&self, sql: &str, params: Vec<Value>) -> Result<Vec<TxnRow>, JournalError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut items = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, txn, recorded_at) = sql::txn_from_row(r)?;
            let settled: bool = r.get(24)?;
            items.push(TxnRow {
                id,
                txn,
                recorded_at,
                settled,
            });
        }
        Ok(items)
    }

    /// Everything known about one transaction.
    pub fn detail(&self, id: i64) -> Result<TxnDetail, JournalError> {
        let not_found = || JournalError::NotFound {
            what: format!("transaction #{id}"),
        };
        let sql = format!(
            "SELECT {}, {ROW_SELECT} FROM transactions t WHERE t.id = ?1",
            sql::TXN_COLUMNS
        );
        let row = self
            .rows(&sql, vec![Value::Integer(id)])?
            .pop()
            .ok_or_else(not_found)?;
        let t = &row.txn;
        let batch = self.batch(&t.terminal_id, &t.batch_no)?;
        let related_sql = format!(
            "SELECT {}, {ROW_SELECT} FROM transactions t WHERE t.id != ?1 AND (
                (t.terminal_id = ?2 AND t.original_trace_no = ?3)
                OR (?4 IS NOT NULL AND t.original_rrn = ?4)
                OR (t.terminal_id = ?2 AND t.trace_no = ?5)
                OR (?6 IS NOT NULL AND t.rrn = ?6))
             ORDER BY t.occurred_at, t.id",
            sql::TXN_COLUMNS
        );
        let opt = |v: Option<&str>| v.map(|s| Value::Text(s.to_owned())).unwrap_or(Value::Null);
        let candidates = self.rows(
            &related_sql,
            vec![
                Value::Integer(id),
                Value::Text(t.terminal_id.as_str().to_owned()),
                Value::Text(t.trace_no.as_str().to_owned()),
                opt(t.rrn.as_ref().map(|r| r.as_str())),
                opt(t.original_trace_no.as_ref().map(|r| r.as_str())),
                opt(t.original_rrn.as_ref().map(|r| r.as_str())),
            ],
        )?;
        // The SQL finds candidates; the domain rule decides what really refers to what.
        let related = candidates
            .into_iter()
            .filter(|c| c.txn.refers_to(t) || t.refers_to(&c.txn))
            .collect();
        let slips = sql::slips_of_txn(&self.conn, id)?;
        let mut frames = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM raw_frames WHERE txn_id = ?1 ORDER BY at, id")?;
        let ids: Vec<i64> = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for fid in ids {
            if let Some(crate::Record {
                body: crate::record::RecordBody::RawFrame(f),
                ..
            }) = sql::load_frame(&self.conn, fid)?
            {
                frames.push(f);
            }
        }
        Ok(TxnDetail {
            row,
            batch,
            slips,
            related,
            frames,
        })
    }

    /// The state of a batch: open until its settlement is recorded.
    pub fn batch(&self, terminal: &TerminalId, batch_no: &BatchNo) -> Result<Batch, JournalError> {
        let s = sql::load_settlement_where(
            &self.conn,
            "terminal_id = ?1 AND batch_no = ?2",
            [terminal.as_str(), batch_no.as_str()],
        )?;
        Ok(Batch {
            terminal_id: terminal.clone(),
            batch_no: batch_no.clone(),
            state: match s {
                Some((_, s, _)) => BatchState::Settled {
                    at: s.settled_at,
                    totals: s.totals,
                },
                None => BatchState::Open,
            },
        })
    }

    /// Stored slips not yet in the free-text index (searches read them directly).
    pub fn slips_awaiting_index(&self) -> Result<u64, JournalError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM slips WHERE id > (SELECT upto FROM search_index)",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Adds up to `max` stored slips to the free-text index, in one transaction.
    /// Returns how many were indexed; 0 means the index is up to date.
    pub fn index_slips(&mut self, max: u64) -> Result<u64, JournalError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let upto: i64 = tx.query_row("SELECT upto FROM search_index", [], |r| r.get(0))?;
        let last: Option<i64> = tx.query_row(
            "SELECT max(id) FROM (SELECT id FROM slips WHERE id > ?1 ORDER BY id LIMIT ?2)",
            rusqlite::params![upto, max.min(i64::MAX as u64) as i64],
            |r| r.get(0),
        )?;
        let Some(last) = last else { return Ok(0) };
        let n = tx.execute(
            "INSERT INTO slips_fts (rowid, text) SELECT id, text FROM slips WHERE id > ?1 AND id <= ?2",
            [upto, last],
        )?;
        tx.execute("UPDATE search_index SET upto = ?1", [last])?;
        tx.commit()?;
        Ok(n as u64)
    }

    /// Every batch the journal knows, oldest terminal/batch first, with its state.
    pub fn batches(&self) -> Result<Vec<Batch>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT terminal_id, batch_no FROM batches ORDER BY terminal_id, batch_no")?;
        let keys: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        keys.iter()
            .map(|(t, b)| self.batch(&TerminalId::new(t)?, &BatchNo::new(b)?))
            .collect()
    }

    /// All transactions of one batch, in storage order.
    pub fn batch_transactions(
        &self,
        terminal: &TerminalId,
        batch: &BatchNo,
    ) -> Result<Vec<Transaction>, JournalError> {
        let sql = format!("SELECT {}, 0 FROM transactions t WHERE t.terminal_id = ?1 AND t.batch_no = ?2 ORDER BY t.id", sql::TXN_COLUMNS);
        Ok(self
            .rows(
                &sql,
                vec![
                    Value::Text(terminal.as_str().to_owned()),
                    Value::Text(batch.as_str().to_owned()),
                ],
            )?
            .into_iter()
            .map(|r| r.txn)
            .collect())
    }

    /// Every voucher (trace) number seen from a terminal, in ascending order, one at a
    /// time (read from the voucher index, not collected: half a million on a busy
    /// terminal). Voucher numbers are stored six digits wide, so their text order is
    /// their numeric order.
    pub fn each_trace(
        &self,
        terminal: &TerminalId,
        mut f: impl FnMut(u32),
    ) -> Result<(), JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT trace_no FROM transactions WHERE terminal_id = ?1 ORDER BY trace_no",
        )?;
        let mut rows = stmt.query([terminal.as_str()])?;
        while let Some(r) = rows.next()? {
            if let Ok(n) = r.get_ref(0)?.as_str().unwrap_or("").parse() {
                f(n);
            }
        }
        Ok(())
    }

    /// The nearest voucher numbers recorded below and above `trace` on `terminal`: when
    /// both exist, a missing `trace` sits in a hole of the mirror.
    pub fn trace_neighbours(
        &self,
        terminal: &TerminalId,
        trace: &TraceNo,
    ) -> Result<(Option<TraceNo>, Option<TraceNo>), JournalError> {
        let one = |sql: &str| -> Result<Option<TraceNo>, JournalError> {
            let v: Option<String> = self
                .conn
                .prepare_cached(sql)?
                .query_row([terminal.as_str(), trace.as_str()], |r| r.get(0))
                .optional()?;
            v.map(|s| TraceNo::new(&s).map_err(JournalError::from))
                .transpose()
        };
        Ok((
            one("SELECT trace_no FROM transactions WHERE terminal_id = ?1 AND trace_no < ?2 ORDER BY trace_no DESC LIMIT 1")?,
            one("SELECT trace_no FROM transactions WHERE terminal_id = ?1 AND trace_no > ?2 ORDER BY trace_no LIMIT 1")?,
        ))
    }

    /// The lowest and the highest voucher number recorded for `terminal`.
    pub fn trace_range(
        &self,
        terminal: &TerminalId,
    ) -> Result<(Option<TraceNo>, Option<TraceNo>), JournalError> {
        // Walks the voucher-first unique index from either end and stops at the
        // terminal's first row: min()/max() with a terminal filter would scan it all.
        let one = |sql: &str| -> Result<Option<String>, JournalError> {
            Ok(self
                .conn
                .prepare_cached(sql)?
                .query_row([terminal.as_str()], |r| r.get(0))
                .optional()?)
        };
        let lo = one("SELECT trace_no FROM transactions WHERE terminal_id = ?1 ORDER BY trace_no ASC LIMIT 1")?;
        let hi = one("SELECT trace_no FROM transactions WHERE terminal_id = ?1 ORDER BY trace_no DESC LIMIT 1")?;
        let parse = |v: Option<String>| {
            v.map(|s| TraceNo::new(&s).map_err(JournalError::from))
                .transpose()
        };
        Ok((parse(lo)?, parse(hi)?))
    }

    /// The transactions of `terminal` just before and just after `at`.
    pub fn time_neighbours(
        &self,
        terminal: &TerminalId,
        at: NaiveDateTime,
    ) -> Result<(Option<TxnRow>, Option<TxnRow>), JournalError> {
        let q = |cmp: &str, order: &str| -> Result<Option<TxnRow>, JournalError> {
            let sql = format!(
                "SELECT {}, {ROW_SELECT} FROM transactions t WHERE t.terminal_id = ?1 AND t.occurred_at {cmp} ?2 ORDER BY t.occurred_at {order}, t.id {order} LIMIT 1",
                sql::TXN_COLUMNS
            );
            Ok(self
                .rows(
                    &sql,
                    vec![
                        Value::Text(terminal.as_str().to_owned()),
                        Value::Text(sql::local(&at)),
                    ],
                )?
                .pop())
        };
        Ok((q("<", "DESC")?, q(">", "ASC")?))
    }

    /// The row id of a transaction by the terminal's key.
    pub fn find(&self, key: &TxnKey) -> Result<Option<i64>, JournalError> {
        sql::txn_id_by_key(&self.conn, key)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_probe;

    #[test]
    fn the_probe_is_the_most_selective_word() {
        assert_eq!(fts_probe("AUTH NO.: 723292").as_deref(), Some("723292"));
        assert_eq!(
            fts_probe("卡号 622588******5673").as_deref(),
            Some("622588******5673")
        );
        assert_eq!(fts_probe("演示商店 DEMO").as_deref(), Some("演示商店"));
        assert_eq!(fts_probe("退货"), None, "two characters: no trigram");
        assert_eq!(
            fts_probe("100%").as_deref(),
            Some("100"),
            "LIKE wildcards are never part of the probe"
        );
        assert_eq!(fts_probe("a_b%"), None);
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::{Record, RecordBody, SlipRecord};
    use slipkeeper_domain::{sample, CopyType, SlipOrigin, SlipText};

    #[test]
    fn both_text_plans_find_the_same_transactions_in_the_same_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T03:00:00Z")
            .unwrap()
            .to_utc();
        let mut recs = Vec::new();
        for i in 0..60 {
            let t = sample::transaction(i);
            let lines = vec![
                "银联POS签购单 UnionPay POS SLIP".to_owned(),
                format!("凭证号 VOUCHER NO.: {}", t.trace_no.as_str()),
                if i % 7 == 0 {
                    "退货 REFUND".into()
                } else {
                    "消费 SALE".into()
                },
            ];
            let key = t.key();
            recs.push(Record {
                body: RecordBody::Transaction(t),
                recorded_at: at,
            });
            recs.push(Record {
                body: RecordBody::Slip(SlipRecord {
                    txn: key,
                    slip: SlipText::new(CopyType::Merchant, SlipOrigin::Terminal, lines),
                }),
                recorded_at: at,
            });
        }
        j.ingest(&recs).unwrap();
        // Part indexed, part not: both plans must see the unindexed slips too.
        j.index_slips(40).unwrap();
        for text in [
            "UnionPay",
            "REFUND",
            "退货",
            "VOUCHER NO.: 0000",
            "no such text",
            "%_",
        ] {
            let q = TxnQuery {
                text: Some(text.into()),
                limit: 25,
                ..Default::default()
            };
            let ids = |plan| -> (u64, Vec<i64>) {
                let p = j.search_planned(&q, plan).unwrap();
                (p.total, p.items.iter().map(|r| r.id).collect())
            };
            let a = ids(TextPlan::FromIndex);
            assert!(
                text == "no such text" || text == "%_" || a.0 > 0,
                "{text}: nothing found"
            );
            assert_eq!(a, ids(TextPlan::NewestFirst), "{text}");
        }
    }
}
