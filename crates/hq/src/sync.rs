//! A shop's side: push the journal's chain entries that head office does not have yet.
//!
//! Head office is the cursor: each run asks it for the newest entry it holds from this
//! shop and sends what follows, a batch per transaction. A batch cut off mid-way is
//! rolled back by the server and sent again on the next run; an entry sent twice is
//! stored once (`ON CONFLICT DO NOTHING`), and the server refuses an entry that does
//! not follow from the one before. So a dropped connection loses and doubles nothing.
//! The journal is only read (a read-only connection in WAL mode), so the mirror and
//! the proxy never wait for head office.

use crate::HqError;
use postgres::Client;
use serde::Serialize;
use slipkeeper_journal::Journal;

/// Entries per batch (one server round trip and one transaction each).
pub const DEFAULT_BATCH: usize = 500;

/// What one sync run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The shop sent for.
    pub shop_id: String,
    /// Entries sent in this run.
    pub sent: u64,
    /// Batches sent (one transaction at head office each).
    pub batches: u64,
    /// The newest entry head office holds from this shop.
    pub head_office_seq: i64,
    /// The newest entry of the journal when the run ended.
    pub journal_seq: i64,
    /// Cases new or changed since head office last had them.
    pub cases: u64,
}

/// Called after every batch sent, with the run so far.
pub type SyncProgress<'a> = dyn FnMut(&SyncReport) + 'a;

/// The shop the connection's login role sends for.
pub fn shop_of(client: &mut Client) -> Result<String, HqError> {
    let row = client.query_one(
        "SELECT (SELECT shop_id FROM shops WHERE role_name = current_user), current_user::text",
        &[],
    )?;
    match row.get::<_, Option<String>>(0) {
        Some(s) => Ok(s),
        None => Err(HqError::NotAShop { role: row.get(1) }),
    }
}

/// The newest entry head office holds from `shop`: (seq, hash), (0, None) for none.
pub fn cursor(client: &mut Client, shop: &str) -> Result<(i64, Option<Vec<u8>>), HqError> {
    let row = client.query_opt(
        "SELECT seq, hash FROM records WHERE shop_id = $1 ORDER BY seq DESC LIMIT 1",
        &[&shop],
    )?;
    Ok(match row {
        Some(r) => (r.get(0), Some(r.get(1))),
        None => (0, None),
    })
}

/// Sends every entry head office lacks, `batch` at a time; `progress` hears after each.
pub fn sync(
    journal: &Journal,
    client: &mut Client,
    batch: usize,
    progress: &mut SyncProgress<'_>,
) -> Result<SyncReport, HqError> {
    let shop = shop_of(client)?;
    let (mut at, theirs) = cursor(client, &shop)?;
    let mut report = SyncReport {
        shop_id: shop.clone(),
        head_office_seq: at,
        journal_seq: journal.records_stored()?,
        ..SyncReport::default()
    };
    if let Some(theirs) = theirs {
        match journal.chain_hash_at(at)? {
            None => {
                return Err(HqError::AheadOfJournal {
                    shop,
                    theirs: at,
                    ours: report.journal_seq,
                })
            }
            Some(ours) if ours[..] != theirs[..] => {
                return Err(HqError::Diverged { shop, seq: at });
            }
            Some(_) => {}
        }
    }
    let insert = client.prepare(
        "INSERT INTO records (shop_id, seq, kind, label, line, hash)
         SELECT $1, seq, kind, label, line, hash
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bytea[])
              WITH ORDINALITY AS b(seq, kind, label, line, hash, n)
         ORDER BY n
         ON CONFLICT (shop_id, seq) DO NOTHING",
    )?;
    loop {
        let entries = journal.chained_after(at, batch.max(1))?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            break;
        };
        let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
        let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
        let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
        let lines: Vec<&str> = entries.iter().map(|e| e.line.as_str()).collect();
        let hashes: Vec<&[u8]> = entries.iter().map(|e| &e.hash[..]).collect();
        let mut tx = client.transaction()?;
        tx.execute(&insert, &[&shop, &seqs, &kinds, &labels, &lines, &hashes])?;
        tx.commit()?;
        at = last;
        report.sent += entries.len() as u64;
        report.batches += 1;
        report.head_office_seq = at;
        tracing::debug!(shop = %shop, upto = at, "sent to head office");
        progress(&report);
    }
    report.journal_seq = report.journal_seq.max(at);
    report.cases = send_cases(journal, client, &shop)?;
    Ok(report)
}

/// The shop's cases, each sent when head office lacks it or has an older copy (cases
/// are few: all are compared every run). Returns how many were new or newer.
fn send_cases(journal: &Journal, client: &mut Client, shop: &str) -> Result<u64, HqError> {
    let cases = journal.cases()?;
    if cases.is_empty() {
        return Ok(0);
    }
    let mut tx = client.transaction()?;
    let upsert = tx.prepare(
        "INSERT INTO cases (shop_id, case_id, opened_at, updated_at, status, complaint, code,
                            acquirer_id, acquirer_ref, due_on, lookup)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb)
         ON CONFLICT (shop_id, case_id) DO UPDATE SET
             updated_at = EXCLUDED.updated_at, status = EXCLUDED.status,
             acquirer_id = EXCLUDED.acquirer_id, acquirer_ref = EXCLUDED.acquirer_ref,
             due_on = EXCLUDED.due_on, received_at = now()
         WHERE cases.updated_at < EXCLUDED.updated_at",
    )?;
    let mut sent = 0;
    for c in &cases {
        sent += tx.execute(
            &upsert,
            &[
                &shop,
                &c.id,
                &c.opened_at,
                &c.updated_at,
                &c.status.as_str(),
                &c.complaint.as_str(),
                &c.code,
                &c.acquirer_id,
                &c.acquirer_ref,
                &c.due_on,
                &slipkeeper_domain::mask_pans_in_text(&c.lookup),
            ],
        )?;
    }
    tx.commit()?;
    Ok(sent)
}
