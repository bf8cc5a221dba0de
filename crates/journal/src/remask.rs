//! Masking what a journal written before masking covered everything already holds,
//! and re-chaining it with a recorded reason.
//!
//! The chain's hashes change only here. The rewrite keeps tamper-evidence: an entry
//! that did not verify before the rewrite is left not verifying (its stored hash is
//! kept), so masking can never launder an edit made outside Slipkeeper; and the head
//! before and after, the first entry that changed and the reason are recorded in
//! `chain_rewrites`, which `verify` reports.

use crate::chain::{self, GENESIS};
use crate::ingest::normalise;
use crate::record::RecordBody;
use crate::{scrub, sql, JournalError};
use rusqlite::Connection;
use std::borrow::Cow;

/// Masks every stored record and free-text field; re-chains from the first record
/// that changed. Returns how many chained records changed.
pub(crate) fn remask(conn: &Connection, reason: &str) -> Result<u64, JournalError> {
    let changed = mask_records(conn)?;
    mask_free_text(conn)?;
    if let Some((from_seq, records, ok_before)) = changed {
        rechain(conn, from_seq, &ok_before, records, reason)?;
        return Ok(records);
    }
    Ok(0)
}

type Verified = std::collections::HashSet<i64>;

/// Rewrites the chained records that hold card data. Returns the first chain entry
/// that changed, how many changed, and which entries verified before anything did.
fn mask_records(conn: &Connection) -> Result<Option<(i64, u64, Verified)>, JournalError> {
    let entries: Vec<(i64, String, i64, Vec<u8>)> = conn
        .prepare("SELECT seq, kind, row_id, hash FROM chain ORDER BY seq")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut ok_before = Verified::new();
    let mut first = None;
    let mut count = 0u64;
    let mut prev = GENESIS;
    for (seq, kind, row_id, stored) in entries {
        let Ok(Some(rec)) = sql::load_record(conn, &kind, row_id) else {
            prev = stored.as_slice().try_into().unwrap_or(GENESIS);
            continue;
        };
        if chain::link(&prev, &rec.to_line())[..] == stored[..] {
            ok_before.insert(seq);
        }
        prev = stored.as_slice().try_into().unwrap_or(GENESIS);
        let Cow::Owned(masked) = normalise(Cow::Borrowed(&rec)) else {
            continue;
        };
        match &masked.body {
            RecordBody::Slip(s) => {
                conn.execute(
                    "UPDATE slips SET text = ?2 WHERE id = ?1",
                    rusqlite::params![row_id, s.slip.lines.join("\n")],
                )?;
            }
            RecordBody::Transaction(t) => {
                conn.execute(
                    "UPDATE transactions SET issuer = ?2, acquirer = ?3 WHERE id = ?1",
                    rusqlite::params![row_id, t.issuer, t.acquirer],
                )?;
            }
            RecordBody::RawFrame(f) => {
                conn.execute(
                    "UPDATE raw_frames SET bytes = ?2, masked = 1 WHERE id = ?1",
                    rusqlite::params![row_id, f.bytes],
                )?;
            }
            RecordBody::Settlement(_) => continue,
        }
        first.get_or_insert(seq);
        count += 1;
    }
    Ok(first.map(|f| (f, count, ok_before)))
}

/// Recomputes the chain from `from_seq` on: entries that verified before get the hash
/// of what is stored now; the others keep theirs, so they still fail.
fn rechain(
    conn: &Connection,
    from_seq: i64,
    ok_before: &Verified,
    records: u64,
    reason: &str,
) -> Result<(), JournalError> {
    let old_head = chain::head(conn)?;
    let mut prev: [u8; 32] = conn
        .query_row(
            "SELECT hash FROM chain WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
            [from_seq],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .ok()
        .and_then(|h| h.as_slice().try_into().ok())
        .unwrap_or(GENESIS);
    let entries: Vec<(i64, String, i64, Vec<u8>)> = conn
        .prepare("SELECT seq, kind, row_id, hash FROM chain WHERE seq >= ?1 ORDER BY seq")?
        .query_map([from_seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut update = conn.prepare("UPDATE chain SET hash = ?2 WHERE seq = ?1")?;
    for (seq, kind, row_id, stored) in entries {
        let hash = match sql::load_record(conn, &kind, row_id) {
            Ok(Some(rec)) if ok_before.contains(&seq) => {
                let h = chain::link(&prev, &rec.to_line());
                update.execute(rusqlite::params![seq, &h[..]])?;
                h
            }
            _ => stored.as_slice().try_into().unwrap_or(GENESIS),
        };
        prev = hash;
    }
    conn.execute(
        "INSERT INTO chain_rewrites (at, reason, from_seq, head_seq, old_head, new_head, records)
         VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            reason,
            from_seq,
            old_head.seq,
            &old_head.hash[..],
            &prev[..],
            records as i64
        ],
    )?;
    Ok(())
}

/// Case text, the merchant profile, statements and acquirer entries: not chained,
/// masked in place.
fn mask_free_text(conn: &Connection) -> Result<(), JournalError> {
    let columns: &[(&str, &str, bool)] = &[
        ("case_events", "text", false),
        ("cases", "acquirer_ref", false),
        ("cases", "lookup", true),
        ("cases", "diagnosis", true),
        ("merchant_profile", "profile", true),
        ("statement_lines", "line", true),
        ("statements", "file_name", false),
    ];
    for &(table, column, json) in columns {
        let rows: Vec<(i64, Option<String>)> = conn
            .prepare(&format!("SELECT rowid, {column} FROM {table}"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, value) in rows {
            let Some(v) = value else { continue };
            let masked = if json {
                scrub::json(v.clone())
            } else {
                scrub::text(&v).into_owned()
            };
            if masked != v {
                conn.execute(
                    &format!("UPDATE {table} SET {column} = ?2 WHERE rowid = ?1"),
                    rusqlite::params![id, masked],
                )?;
            }
        }
    }
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT id, acquirer FROM acquirers")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, v) in rows {
        let masked = scrub::json(v.clone());
        if masked != v {
            conn.execute(
                "UPDATE acquirers SET acquirer = ?2 WHERE id = ?1",
                rusqlite::params![id, masked],
            )?;
        }
    }
    Ok(())
}
