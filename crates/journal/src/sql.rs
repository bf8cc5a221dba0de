//! Rows ↔ domain values. Text formats are fixed here because the hash chain depends on
//! reading back exactly what was written.

use crate::record::{Direction, RawFrame, Record, RecordBody, SlipRecord};
use crate::JournalError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use slipkeeper_domain::*;

pub(crate) const LOCAL_TIME: &str = "%Y-%m-%d %H:%M:%S%.f";
pub(crate) const DATE: &str = "%Y-%m-%d";
pub(crate) const UTC_TIME: &str = "%Y-%m-%dT%H:%M:%S%.fZ";

pub(crate) fn local(t: &NaiveDateTime) -> String {
    fast_time(t, ' ', "").unwrap_or_else(|| t.format(LOCAL_TIME).to_string())
}
pub(crate) fn utc(t: &DateTime<Utc>) -> String {
    fast_time(&t.naive_utc(), 'T', "Z").unwrap_or_else(|| t.format(UTC_TIME).to_string())
}

/// `LOCAL_TIME` / `UTC_TIME` written directly: chrono parses its format string on every
/// call, and every stored row formats two or three times. Same text as chrono's
/// (`%.f`: no fraction when zero, else 3, 6 or 9 digits); years outside 0–9999 and
/// leap seconds are left to chrono.
fn fast_time(t: &NaiveDateTime, sep: char, suffix: &str) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut out = String::with_capacity(32);
    let two = |out: &mut String, v: u32| {
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    };
    let y = year as u32;
    two(&mut out, y / 100);
    two(&mut out, y % 100);
    out.push('-');
    two(&mut out, t.month());
    out.push('-');
    two(&mut out, t.day());
    out.push(sep);
    two(&mut out, t.hour());
    out.push(':');
    two(&mut out, t.minute());
    out.push(':');
    two(&mut out, t.second());
    let (digits, value) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (3, nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        (6, nanos / 1_000)
    } else {
        (9, nanos)
    };
    if digits > 0 {
        out.push('.');
        let mut buf = [b'0'; 9];
        let mut v = value;
        for d in buf[..digits].iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.extend(buf[..digits].iter().map(|&b| char::from(b)));
    }
    out.push_str(suffix);
    Some(out)
}

fn bad(what: &str, reason: impl ToString) -> JournalError {
    JournalError::Corrupt {
        what: what.to_owned(),
        reason: reason.to_string(),
    }
}

pub(crate) fn parse_local(s: &str, what: &str) -> Result<NaiveDateTime, JournalError> {
    NaiveDateTime::parse_from_str(s, LOCAL_TIME).map_err(|e| bad(what, format!("time {s:?}: {e}")))
}
fn parse_utc(s: &str, what: &str) -> Result<DateTime<Utc>, JournalError> {
    NaiveDateTime::parse_from_str(s, UTC_TIME)
        .map(|t| t.and_utc())
        .map_err(|e| bad(what, format!("time {s:?}: {e}")))
}

fn opt<T>(
    v: Option<String>,
    f: impl FnOnce(&str) -> Result<T, DomainError>,
    what: &str,
) -> Result<Option<T>, JournalError> {
    v.map(|s| f(&s).map_err(|e| bad(what, e))).transpose()
}

fn enum_of<T>(s: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T, JournalError> {
    parse(s).ok_or_else(|| bad(what, format!("unknown value {s:?}")))
}

pub(crate) const INSERT_TXN: &str =
    "INSERT INTO transactions (terminal_id, batch_no, trace_no, kind, merchant_id, outcome, amount_minor,
        currency, occurred_at, receipt_no, pan, pan_last4, scheme, entry_mode, expiry, rrn, auth_code,
        operator_no, issuer, acquirer, original_trace_no, original_rrn, original_date, recorded_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
        ?21, ?22, ?23, ?24)
     ON CONFLICT (trace_no, terminal_id, batch_no, kind) DO NOTHING";

/// Inserts unless the key exists (`stmt` is [`INSERT_TXN`]); returns the new row id, or
/// None for a replay.
pub(crate) fn insert_txn(
    conn: &Connection,
    stmt: &mut rusqlite::Statement<'_>,
    t: &Transaction,
    recorded_at: &str,
) -> Result<Option<i64>, JournalError> {
    let n = stmt.execute(rusqlite::params![
        t.terminal_id.as_str(),
        t.batch_no.as_str(),
        t.trace_no.as_str(),
        t.kind.as_str(),
        t.merchant_id.as_str(),
        t.outcome.as_str(),
        t.amount.minor(),
        t.amount.currency().as_str(),
        local(&t.occurred_at),
        t.receipt_no.as_ref().map(|v| v.as_str()),
        t.pan.as_ref().map(|v| v.as_str()),
        t.pan.as_ref().map(|v| v.last4()),
        t.scheme.map(|v| v.as_str()),
        t.entry_mode.map(|v| v.as_str()),
        t.expiry.as_ref().map(|v| v.as_str()),
        t.rrn.as_ref().map(|v| v.as_str()),
        t.auth_code.as_ref().map(|v| v.as_str()),
        t.operator_no.as_ref().map(|v| v.as_str()),
        t.issuer.as_deref(),
        t.acquirer.as_deref(),
        t.original_trace_no.as_ref().map(|v| v.as_str()),
        t.original_rrn.as_ref().map(|v| v.as_str()),
        t.original_date.map(|d| d.format(DATE).to_string()),
        recorded_at,
    ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

pub(crate) const TXN_COLUMNS: &str = "t.id, t.terminal_id, t.batch_no, t.trace_no, t.kind, t.merchant_id, t.outcome,
    t.amount_minor, t.currency, t.occurred_at, t.receipt_no, t.pan, t.scheme, t.entry_mode, t.expiry, t.rrn,
    t.auth_code, t.operator_no, t.issuer, t.acquirer, t.original_trace_no, t.original_rrn, t.original_date,
    t.recorded_at";

/// Reads a row selected with [`TXN_COLUMNS`]. Returns (id, transaction, recorded_at).
pub(crate) fn txn_from_row(r: &Row<'_>) -> Result<(i64, Transaction, DateTime<Utc>), JournalError> {
    let id: i64 = r.get(0)?;
    let what = format!("transaction #{id}");
    let w = what.as_str();
    let s = |i: usize| -> Result<String, JournalError> { Ok(r.get::<_, String>(i)?) };
    let o =
        |i: usize| -> Result<Option<String>, JournalError> { Ok(r.get::<_, Option<String>>(i)?) };
    let e = |x: DomainError| bad(w, x);
    let txn = Transaction {
        terminal_id: TerminalId::new(&s(1)?).map_err(e)?,
        batch_no: BatchNo::new(&s(2)?).map_err(e)?,
        trace_no: TraceNo::new(&s(3)?).map_err(e)?,
        kind: enum_of(&s(4)?, TxnKind::parse, w)?,
        merchant_id: MerchantId::new(&s(5)?).map_err(e)?,
        outcome: enum_of(&s(6)?, Outcome::parse, w)?,
        amount: Money::new(r.get(7)?, Currency::new(&s(8)?).map_err(e)?),
        occurred_at: parse_local(&s(9)?, w)?,
        receipt_no: opt(o(10)?, ReceiptNo::new, w)?,
        pan: opt(o(11)?, MaskedPan::new, w)?,
        scheme: o(12)?
            .map(|v| enum_of(&v, CardScheme::parse, w))
            .transpose()?,
        entry_mode: o(13)?
            .map(|v| enum_of(&v, EntryMode::parse, w))
            .transpose()?,
        expiry: opt(o(14)?, Expiry::new, w)?,
        rrn: opt(o(15)?, Rrn::new, w)?,
        auth_code: opt(o(16)?, AuthCode::new, w)?,
        operator_no: opt(o(17)?, OperatorNo::new, w)?,
        issuer: o(18)?,
        acquirer: o(19)?,
        original_trace_no: opt(o(20)?, TraceNo::new, w)?,
        original_rrn: opt(o(21)?, Rrn::new, w)?,
        original_date: o(22)?
            .map(|d| {
                NaiveDate::parse_from_str(&d, DATE).map_err(|x| bad(w, format!("date {d:?}: {x}")))
            })
            .transpose()?,
    };
    Ok((id, txn, parse_utc(&s(23)?, w)?))
}

pub(crate) fn txn_id_by_key(conn: &Connection, k: &TxnKey) -> Result<Option<i64>, JournalError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM transactions WHERE terminal_id = ?1 AND batch_no = ?2 AND trace_no = ?3 AND kind = ?4",
        )?
        .query_row([k.terminal_id.as_str(), k.batch_no.as_str(), k.trace_no.as_str(), k.kind.as_str()], |r| r.get(0))
        .optional()?)
}

pub(crate) fn load_txn(
    conn: &Connection,
    id: i64,
) -> Result<Option<(Transaction, DateTime<Utc>)>, JournalError> {
    let sql = format!("SELECT {TXN_COLUMNS} FROM transactions t WHERE t.id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => txn_from_row(r).map(|(_, t, at)| Some((t, at))),
        None => Ok(None),
    }
}

pub(crate) fn key_of_txn(conn: &Connection, id: i64) -> Result<Option<TxnKey>, JournalError> {
    let row = conn
        .prepare_cached(
            "SELECT terminal_id, batch_no, trace_no, kind FROM transactions WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    let Some((t, b, tr, k)) = row else {
        return Ok(None);
    };
    let w = format!("transaction #{id}");
    Ok(Some(TxnKey {
        terminal_id: TerminalId::new(&t).map_err(|e| bad(&w, e))?,
        batch_no: BatchNo::new(&b).map_err(|e| bad(&w, e))?,
        trace_no: TraceNo::new(&tr).map_err(|e| bad(&w, e))?,
        kind: enum_of(&k, TxnKind::parse, &w)?,
    }))
}

/// Slip lines are stored joined by '\n', so a line itself must not contain one.
pub(crate) fn check_slip_lines(slip: &SlipText) -> Result<(), DomainError> {
    match slip.lines.iter().find(|l| l.contains(['\n', '\r'])) {
        Some(l) => Err(DomainError::Invalid {
            field: "lines",
            value: l.chars().take(40).collect(),
            reason: "a slip line must not contain a line break",
        }),
        None => Ok(()),
    }
}

pub(crate) const INSERT_SLIP: &str =
    "INSERT INTO slips (txn_id, copy, origin, text, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (txn_id, copy, origin) DO NOTHING";

/// `stmt` is [`INSERT_SLIP`].
pub(crate) fn insert_slip(
    conn: &Connection,
    stmt: &mut rusqlite::Statement<'_>,
    txn_id: i64,
    slip: &SlipText,
    recorded_at: &str,
) -> Result<Option<i64>, JournalError> {
    let n = stmt.execute(rusqlite::params![
        txn_id,
        slip.copy.as_str(),
        slip.origin.as_str(),
        slip.lines.join("\n"),
        recorded_at
    ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

fn slip_from_parts(
    copy: &str,
    origin: &str,
    text: &str,
    w: &str,
) -> Result<SlipText, JournalError> {
    Ok(SlipText {
        copy: enum_of(copy, CopyType::parse, w)?,
        origin: enum_of(origin, SlipOrigin::parse, w)?,
        lines: if text.is_empty() {
            Vec::new()
        } else {
            text.split('\n').map(str::to_owned).collect()
        },
    })
}

pub(crate) fn load_slip(conn: &Connection, id: i64) -> Result<Option<Record>, JournalError> {
    let row = conn
        .prepare_cached("SELECT txn_id, copy, origin, text, recorded_at FROM slips WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    let Some((txn_id, copy, origin, text, at)) = row else {
        return Ok(None);
    };
    let w = format!("slip #{id}");
    let txn = key_of_txn(conn, txn_id)?
        .ok_or_else(|| bad(&w, format!("its transaction #{txn_id} is missing")))?;
    let slip = slip_from_parts(&copy, &origin, &text, &w)?;
    Ok(Some(Record {
        body: RecordBody::Slip(SlipRecord { txn, slip }),
        recorded_at: parse_utc(&at, &w)?,
    }))
}

pub(crate) fn slips_of_txn(conn: &Connection, txn_id: i64) -> Result<Vec<SlipText>, JournalError> {
    let mut stmt = conn
        .prepare_cached("SELECT id, copy, origin, text FROM slips WHERE txn_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([txn_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (id, c, o, t) = r?;
        out.push(slip_from_parts(&c, &o, &t, &format!("slip #{id}"))?);
    }
    Ok(out)
}

pub(crate) fn insert_settlement(
    conn: &Connection,
    s: &Settlement,
    recorded_at: &str,
) -> Result<Option<i64>, JournalError> {
    if s.totals.debit_amount.currency() != s.totals.credit_amount.currency() {
        return Err(JournalError::Invalid(DomainError::CurrencyMismatch {
            left: s.totals.debit_amount.currency().to_string(),
            right: s.totals.credit_amount.currency().to_string(),
        }));
    }
    let n = conn
        .prepare_cached(
            "INSERT INTO settlements (terminal_id, batch_no, settled_at, debit_count, debit_minor, credit_count,
                credit_minor, currency, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (terminal_id, batch_no) DO NOTHING",
        )?
        .execute(rusqlite::params![
            s.terminal_id.as_str(),
            s.batch_no.as_str(),
            local(&s.settled_at),
            s.totals.debit_count,
            s.totals.debit_amount.minor(),
            s.totals.credit_count,
            s.totals.credit_amount.minor(),
            s.totals.debit_amount.currency().as_str(),
            recorded_at
        ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

pub(crate) fn load_settlement_where(
    conn: &Connection,
    clause: &str,
    p: impl rusqlite::Params,
) -> Result<Option<(i64, Settlement, DateTime<Utc>)>, JournalError> {
    let sql = format!(
        "SELECT id, terminal_id, batch_no, settled_at, debit_count, debit_minor, credit_count, credit_minor, currency,
                recorded_at FROM settlements WHERE {clause}"
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row(p, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })
        .optional()?;
    let Some((id, t, b, at, dc, dm, cc, cm, cur, rec)) = row else {
        return Ok(None);
    };
    let w = format!("settlement #{id}");
    let currency = Currency::new(&cur).map_err(|e| bad(&w, e))?;
    let s = Settlement {
        terminal_id: TerminalId::new(&t).map_err(|e| bad(&w, e))?,
        batch_no: BatchNo::new(&b).map_err(|e| bad(&w, e))?,
        settled_at: parse_local(&at, &w)?,
        totals: Totals {
            debit_count: dc,
            debit_amount: Money::new(dm, currency),
            credit_count: cc,
            credit_amount: Money::new(cm, currency),
        },
    };
    Ok(Some((id, s, parse_utc(&rec, &w)?)))
}

pub(crate) fn insert_frame(
    conn: &Connection,
    f: &RawFrame,
    txn_id: Option<i64>,
    recorded_at: &str,
) -> Result<Option<i64>, JournalError> {
    let n = conn
        .prepare_cached(
            "INSERT INTO raw_frames (terminal_id, direction, at, bytes, txn_id, recorded_at, masked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (terminal_id, at, direction, bytes) DO NOTHING",
        )?
        .execute(rusqlite::params![f.terminal_id.as_str(), f.direction.as_str(), utc(&f.at), f.bytes, txn_id, recorded_at, f.masked])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

pub(crate) fn load_frame(conn: &Connection, id: i64) -> Result<Option<Record>, JournalError> {
    let row = conn
        .prepare_cached("SELECT terminal_id, direction, at, bytes, txn_id, recorded_at, masked FROM raw_frames WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Vec<u8>>(3)?, r.get::<_, Option<i64>>(4)?, r.get::<_, String>(5)?, r.get::<_, bool>(6)?))
        })
        .optional()?;
    let Some((t, d, at, bytes, txn_id, rec, masked)) = row else {
        return Ok(None);
    };
    let w = format!("raw frame #{id}");
    let direction = match d.as_str() {
        "rx" => Direction::Rx,
        "tx" => Direction::Tx,
        other => return Err(bad(&w, format!("direction {other:?}"))),
    };
    let txn = match txn_id {
        Some(tid) => Some(
            key_of_txn(conn, tid)?
                .ok_or_else(|| bad(&w, format!("its transaction #{tid} is missing")))?,
        ),
        None => None,
    };
    let frame = RawFrame {
        terminal_id: TerminalId::new(&t).map_err(|e| bad(&w, e))?,
        direction,
        at: parse_utc(&at, &w)?,
        bytes,
        txn,
        masked,
    };
    Ok(Some(Record {
        body: RecordBody::RawFrame(frame),
        recorded_at: parse_utc(&rec, &w)?,
    }))
}

/// Loads any chained record by kind and row id, in its canonical form.
pub(crate) fn load_record(
    conn: &Connection,
    kind: &str,
    id: i64,
) -> Result<Option<Record>, JournalError> {
    match kind {
        "transaction" => Ok(load_txn(conn, id)?.map(|(t, at)| Record {
            body: RecordBody::Transaction(t),
            recorded_at: at,
        })),
        "slip" => load_slip(conn, id),
        "settlement" => Ok(
            load_settlement_where(conn, "id = ?1", [id])?.map(|(_, s, at)| Record {
                body: RecordBody::Settlement(s),
                recorded_at: at,
            }),
        ),
        "raw_frame" => load_frame(conn, id),
        other => Err(bad(
            &format!("chain entry for row {id}"),
            format!("unknown record kind {other:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test: fail loudly
    use super::*;
    use chrono::{NaiveDate, TimeDelta};
    use proptest::prelude::*;

    fn chrono_local(t: &NaiveDateTime) -> String {
        t.format(LOCAL_TIME).to_string()
    }

    proptest! {
        // The chain hashes these strings back from the rows: they must not change.
        #[test]
        fn time_text_is_chronos_own(secs in -70_000_000_000i64..260_000_000_000i64,
                                    nanos in prop_oneof![Just(0u32), 0u32..1000, (0u32..1000).prop_map(|m| m * 1_000_000),
                                                         (0u32..1_000_000).prop_map(|u| u * 1000), 0u32..1_000_000_000]) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            prop_assert_eq!(utc(&t), t.format(UTC_TIME).to_string());
            let n = t.naive_utc();
            prop_assert_eq!(local(&n), chrono_local(&n));
        }
    }

    #[test]
    fn time_text_edges() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        assert_eq!(local(&d), "2026-01-02 03:04:05");
        assert_eq!(
            local(&(d + TimeDelta::milliseconds(7))),
            "2026-01-02 03:04:05.007"
        );
        assert_eq!(
            local(&(d + TimeDelta::microseconds(70))),
            "2026-01-02 03:04:05.000070"
        );
        assert_eq!(
            local(&(d + TimeDelta::nanoseconds(1))),
            "2026-01-02 03:04:05.000000001"
        );
        assert_eq!(utc(&d.and_utc()), "2026-01-02T03:04:05Z");
        let far = NaiveDate::from_ymd_opt(12_026, 1, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(local(&far), chrono_local(&far));
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap();
        assert_eq!(local(&leap), chrono_local(&leap));
    }
}
