//! Head office's side: shops joining, searching across shops, re-checking every
//! shop's chain.

use crate::HqError;
use chrono::{DateTime, NaiveDateTime, Utc};
use postgres::types::ToSql;
use postgres::Client;
use serde::Serialize;
use sha2::{Digest, Sha256};
use slipkeeper_journal::{Probe, Problem, ProblemKind, TxnQuery};

/// Rows a search returns at most when the query does not say.
pub const DEFAULT_LIMIT: u64 = 50;

/// A shop as head office knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShopInfo {
    /// The shop's id (`hq add-shop ID`).
    pub shop_id: String,
    /// The shop's name.
    pub name: String,
    /// The login role the shop sends with.
    pub role: String,
    /// When head office added it.
    pub joined_at: DateTime<Utc>,
    /// Chain entries received from the shop.
    pub records: i64,
    /// Transactions received from it.
    pub transactions: i64,
    /// When head office last received something from it.
    pub last_received_at: Option<DateTime<Utc>>,
}

/// A shop id: what its role and every row are named by.
pub fn check_shop_id(id: &str) -> Result<(), HqError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && (b == b'-' || b == b'_'))
        });
    if ok {
        Ok(())
    } else {
        Err(HqError::Invalid(format!(
            "shop id {id:?}: use 1 to 40 lower-case letters, digits, '-' or '_' (e.g. nanjing-road-1)"
        )))
    }
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The role a shop sends with.
pub fn shop_role(shop_id: &str) -> String {
    format!("slipkeeper_shop_{shop_id}")
}

/// Adds a shop and the login role it sends with (needs a role allowed to create
/// roles: head office's administrator).
pub fn add_shop(
    client: &mut Client,
    shop_id: &str,
    name: &str,
    password: &str,
) -> Result<String, HqError> {
    check_shop_id(shop_id)?;
    if name.trim().is_empty() {
        return Err(HqError::Invalid("the shop needs a name".into()));
    }
    if password.len() < 12 {
        return Err(HqError::Invalid(
            "the shop's password must be at least 12 characters".into(),
        ));
    }
    let role = shop_role(shop_id);
    let mut tx = client.transaction()?;
    // CREATE ROLE takes no parameters: the name and password are quoted here.
    tx.batch_execute(&format!(
        "CREATE ROLE {} LOGIN PASSWORD {} IN ROLE slipkeeper_shop",
        quote_ident(&role),
        quote_literal(password)
    ))?;
    tx.execute(
        "INSERT INTO shops (shop_id, name, role_name) VALUES ($1, $2, $3)",
        &[&shop_id, &name.trim(), &role],
    )?;
    tx.commit()?;
    Ok(role)
}

/// Adds a login role that reads every shop (an owner, an accountant).
pub fn add_reader(client: &mut Client, role: &str, password: &str) -> Result<(), HqError> {
    if password.len() < 12 {
        return Err(HqError::Invalid(
            "the reader's password must be at least 12 characters".into(),
        ));
    }
    client.batch_execute(&format!(
        "CREATE ROLE {} LOGIN PASSWORD {} IN ROLE slipkeeper_office",
        quote_ident(role),
        quote_literal(password)
    ))?;
    Ok(())
}

/// Every shop, with what head office holds from each, by id.
pub fn shops(client: &mut Client) -> Result<Vec<ShopInfo>, HqError> {
    let rows = client.query(
        "SELECT s.shop_id, s.name, s.role_name, s.joined_at,
                coalesce((SELECT max(seq) FROM records r WHERE r.shop_id = s.shop_id), 0),
                (SELECT count(*) FROM transactions t WHERE t.shop_id = s.shop_id),
                (SELECT max(received_at) FROM records r WHERE r.shop_id = s.shop_id)
         FROM shops s ORDER BY s.shop_id",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| ShopInfo {
            shop_id: r.get(0),
            name: r.get(1),
            role: r.get(2),
            joined_at: r.get(3),
            records: r.get(4),
            transactions: r.get(5),
            last_received_at: r.get(6),
        })
        .collect())
}

/// One transaction found at head office, with the shop it came from.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HqRow {
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
    /// The entry of the shop's chain that holds it.
    pub seq: i64,
    /// The terminal id.
    pub terminal_id: String,
    /// The merchant number.
    pub merchant_id: String,
    /// The batch number.
    pub batch_no: String,
    /// The voucher (trace) number.
    pub trace_no: String,
    /// The kind, as the journal spells it (sale, void, refund, …).
    pub kind: String,
    /// The outcome, as the journal spells it.
    pub outcome: String,
    /// The amount in minor units (fen).
    pub amount_minor: i64,
    /// ISO 4217 code of the amount.
    pub currency: String,
    /// When it happened, the shop's local time.
    pub occurred_at: NaiveDateTime,
    /// The reference number, when the terminal gave one.
    pub rrn: Option<String>,
    /// The authorisation code, when the terminal gave one.
    pub auth_code: Option<String>,
    /// Masked as stored by the shop (first 6, last 4 at most).
    pub pan: Option<String>,
}

/// Transactions of every shop (or of `shop`) matching `q`, newest first. The query is
/// the journal's own, so the CLI's and the window's search text means the same here.
pub fn search(
    client: &mut Client,
    q: &TxnQuery,
    shop: Option<&str>,
) -> Result<Vec<HqRow>, HqError> {
    if q.text.is_some() {
        return Err(HqError::Invalid(
            "head office keeps no slip text index: search by voucher, RRN, card, amount or date"
                .into(),
        ));
    }
    let mut cond: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let arg = |v: Box<dyn ToSql + Sync>, args: &mut Vec<Box<dyn ToSql + Sync>>| {
        args.push(v);
        format!("${}", args.len())
    };
    if let Some(s) = shop {
        cond.push(format!(
            "t.shop_id = {}",
            arg(Box::new(s.to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.voucher {
        cond.push(format!(
            "t.trace_no = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.rrn {
        cond.push(format!(
            "t.rrn = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.auth_code {
        cond.push(format!(
            "t.auth_code = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.last4 {
        cond.push(format!(
            "t.pan_last4 = {}",
            arg(Box::new(v.clone()), &mut args)
        ));
    }
    if let Some(v) = q.amount_minor {
        cond.push(format!("t.amount_minor = {}", arg(Box::new(v), &mut args)));
    }
    if let Some((lo, hi)) = q.amount_between {
        let lo = arg(Box::new(lo), &mut args);
        let hi = arg(Box::new(hi), &mut args);
        cond.push(format!("t.amount_minor BETWEEN {lo} AND {hi}"));
    }
    if !q.any_of.is_empty() {
        let mut any = Vec::new();
        for p in &q.any_of {
            any.push(match p {
                Probe::Voucher(v) => {
                    format!(
                        "t.trace_no = {}",
                        arg(Box::new(v.as_str().to_owned()), &mut args)
                    )
                }
                Probe::Rrn(v) => format!(
                    "t.rrn = {}",
                    arg(Box::new(v.as_str().to_owned()), &mut args)
                ),
                Probe::Auth(v) => {
                    format!(
                        "t.auth_code = {}",
                        arg(Box::new(v.as_str().to_owned()), &mut args)
                    )
                }
                Probe::Last4(v) => format!("t.pan_last4 = {}", arg(Box::new(v.clone()), &mut args)),
                Probe::Amount(lo, hi) => {
                    let lo = arg(Box::new(*lo), &mut args);
                    let hi = arg(Box::new(*hi), &mut args);
                    format!("t.amount_minor BETWEEN {lo} AND {hi}")
                }
            });
        }
        cond.push(format!("({})", any.join(" OR ")));
    }
    if let Some(v) = q.from {
        cond.push(format!("t.occurred_at >= {}", arg(Box::new(v), &mut args)));
    }
    if let Some(v) = q.to {
        cond.push(format!("t.occurred_at < {}", arg(Box::new(v), &mut args)));
    }
    if let Some(v) = &q.terminal {
        cond.push(format!(
            "t.terminal_id = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.batch {
        cond.push(format!(
            "t.batch_no = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.outcome {
        cond.push(format!(
            "t.outcome = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    if let Some(v) = &q.kind {
        cond.push(format!(
            "t.kind = {}",
            arg(Box::new(v.as_str().to_owned()), &mut args)
        ));
    }
    let limit = if q.limit == 0 { DEFAULT_LIMIT } else { q.limit } as i64;
    let limit = arg(Box::new(limit), &mut args);
    let offset = arg(Box::new(q.offset as i64), &mut args);
    let sql = format!(
        "SELECT t.shop_id, s.name, t.seq, t.terminal_id, t.merchant_id, t.batch_no, t.trace_no,
                t.kind, t.outcome, t.amount_minor, t.currency, t.occurred_at, t.rrn, t.auth_code, t.pan
         FROM transactions t JOIN shops s USING (shop_id)
         {} ORDER BY t.occurred_at DESC, t.shop_id, t.seq DESC LIMIT {limit} OFFSET {offset}",
        if cond.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", cond.join(" AND "))
        }
    );
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
    let rows = client.query(&sql, &params)?;
    Ok(rows
        .iter()
        .map(|r| HqRow {
            shop_id: r.get(0),
            shop_name: r.get(1),
            seq: r.get(2),
            terminal_id: r.get(3),
            merchant_id: r.get(4),
            batch_no: r.get(5),
            trace_no: r.get(6),
            kind: r.get(7),
            outcome: r.get(8),
            amount_minor: r.get(9),
            currency: r.get(10),
            occurred_at: r.get(11),
            rrn: r.get(12),
            auth_code: r.get(13),
            pan: r.get(14),
        })
        .collect())
}

/// One shop's chain as head office holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShopCheck {
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name.
    pub name: String,
    /// Chain entries checked.
    pub checked: u64,
    /// Hex of the newest entry's hash: compare it with `journal verify` at the shop.
    pub head: String,
    /// What does not hold, entry by entry; empty when the chain is intact.
    pub problems: Vec<Problem>,
}

impl ShopCheck {
    /// No problem found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Re-checks every shop's chain (or `shop`'s): each entry follows from the one
/// before, each line is a record this version can read, and the rows searched say
/// what their line says. The database's own trigger refuses such entries when they
/// arrive; this finds what was changed afterwards by someone with the owner's rights.
pub fn verify(client: &mut Client, shop: Option<&str>) -> Result<Vec<ShopCheck>, HqError> {
    let shops: Vec<(String, String)> = client
        .query(
            "SELECT shop_id, name FROM shops WHERE $1::text IS NULL OR shop_id = $1 ORDER BY shop_id",
            &[&shop],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    if let (Some(s), true) = (shop, shops.is_empty()) {
        return Err(HqError::Invalid(format!("head office has no shop {s:?}")));
    }
    let mut out = Vec::new();
    for (shop_id, name) in shops {
        out.push(verify_shop(client, &shop_id, name)?);
    }
    Ok(out)
}

fn verify_shop(client: &mut Client, shop_id: &str, name: String) -> Result<ShopCheck, HqError> {
    let mut problems = Vec::new();
    let mut prev = [0u8; 32];
    let mut expected = 1i64;
    let mut checked = 0u64;
    // Streamed through a portal: a shop's chain can be millions of entries.
    let mut tx = client.transaction()?;
    let portal = tx.bind(
        "SELECT seq, kind, label, line, hash FROM records WHERE shop_id = $1 ORDER BY seq",
        &[&shop_id],
    )?;
    let now = DateTime::<Utc>::UNIX_EPOCH;
    loop {
        let rows = tx.query_portal(&portal, 5_000)?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let (seq, kind, label, line, hash): (i64, String, String, String, Vec<u8>) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            let record = format!("{shop_id} entry {seq}");
            if seq != expected {
                problems.push(Problem {
                    kind: ProblemKind::ChainGap,
                    record: format!("{shop_id} entries {expected}..{}", seq - 1),
                    label: "removed at head office".into(),
                    detail: String::new(),
                });
            }
            expected = seq + 1;
            checked += 1;
            let mut h = Sha256::new();
            h.update(prev);
            h.update(line.as_bytes());
            let want: [u8; 32] = h.finalize().into();
            if want[..] != hash[..] {
                problems.push(Problem {
                    kind: ProblemKind::Altered,
                    record: record.clone(),
                    label: label.clone(),
                    detail: "its line no longer matches its hash".into(),
                });
            }
            match slipkeeper_journal::parse_line(&line, shop_id, seq as u64, now) {
                Ok(rec) if rec.body.kind() != kind => problems.push(Problem {
                    kind: ProblemKind::Inconsistent,
                    record: record.clone(),
                    label: label.clone(),
                    detail: format!("filed as {kind} but the line is a {}", rec.body.kind()),
                }),
                Ok(_) => {}
                Err(e) => problems.push(Problem {
                    kind: ProblemKind::Unreadable,
                    record: record.clone(),
                    label: label.clone(),
                    detail: e.to_string(),
                }),
            }
            prev = hash.as_slice().try_into().unwrap_or([0; 32]);
        }
    }
    tx.commit()?;
    // Searched rows that no longer say what their line says (or are missing).
    let derived = client.query(
        "SELECT r.seq, r.label FROM records r
             CROSS JOIN LATERAL (SELECT r.line::jsonb -> 'data' AS d) j
             LEFT JOIN transactions t ON t.shop_id = r.shop_id AND t.seq = r.seq
             WHERE r.shop_id = $1 AND r.kind = 'transaction' AND (
                   t.seq IS NULL
                OR (t.terminal_id, t.merchant_id, t.batch_no, t.trace_no, t.kind, t.outcome,
                    t.amount_minor, t.currency, t.occurred_at)
                   IS DISTINCT FROM
                   (j.d ->> 'terminal_id', j.d ->> 'merchant_id', j.d ->> 'batch_no',
                    j.d ->> 'trace_no', j.d ->> 'kind', j.d ->> 'outcome',
                    (j.d -> 'amount' ->> 'minor')::bigint, j.d -> 'amount' ->> 'currency',
                    (j.d ->> 'occurred_at')::timestamp)
                OR t.rrn IS DISTINCT FROM j.d ->> 'rrn'
                OR t.auth_code IS DISTINCT FROM j.d ->> 'auth_code'
                OR t.pan IS DISTINCT FROM j.d ->> 'pan'
                OR t.pan_last4 IS DISTINCT FROM right(j.d ->> 'pan', 4))
             ORDER BY r.seq",
        &[&shop_id],
    )?;
    // The same for settlements and slips: each such record has its row, saying what
    // the line says.
    let others = client.query(
        "SELECT r.seq, r.label FROM records r
         CROSS JOIN LATERAL (SELECT r.line::jsonb -> 'data' AS d) j
         LEFT JOIN settlements s ON s.shop_id = r.shop_id AND s.seq = r.seq
         WHERE r.shop_id = $1 AND r.kind = 'settlement'
           AND (s.seq IS NULL
                OR (s.terminal_id, s.batch_no, s.settled_at)
                   IS DISTINCT FROM
                   (j.d ->> 'terminal_id', j.d ->> 'batch_no', (j.d ->> 'settled_at')::timestamp))
         UNION ALL
         SELECT r.seq, r.label FROM records r
         CROSS JOIN LATERAL (SELECT r.line::jsonb -> 'data' -> 'txn' AS k) j
         LEFT JOIN slips s ON s.shop_id = r.shop_id AND s.seq = r.seq
         WHERE r.shop_id = $1 AND r.kind = 'slip'
           AND (s.seq IS NULL
                OR (s.terminal_id, s.batch_no, s.trace_no, s.kind)
                   IS DISTINCT FROM
                   (j.k ->> 'terminal_id', j.k ->> 'batch_no', j.k ->> 'trace_no', j.k ->> 'kind'))
         ORDER BY 1",
        &[&shop_id],
    )?;
    for r in derived.into_iter().chain(others) {
        problems.push(Problem {
            kind: ProblemKind::Inconsistent,
            record: format!("{shop_id} entry {}", r.get::<_, i64>(0)),
            label: r.get(1),
            detail: "the searched row differs from the record (a search finds the wrong thing)"
                .into(),
        });
    }
    Ok(ShopCheck {
        shop_id: shop_id.to_owned(),
        name,
        checked,
        head: hex::encode(prev),
        problems,
    })
}

/// The lines of `shop`'s records a diagnosis of something on `terminal` between
/// `from` and `to` needs: its transactions from a while before to a while after (the
/// originals of voids and refunds, later voids, the batch around it), their slips, and
/// the terminal's settlements up to `settled_to`. In chain order.
pub fn lines_around(
    client: &mut Client,
    shop: &str,
    terminal: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
    settled_to: NaiveDateTime,
) -> Result<Vec<String>, HqError> {
    let rows = client.query(
        "WITH t AS (
             SELECT seq, terminal_id, batch_no, trace_no, kind FROM transactions
             WHERE shop_id = $1 AND terminal_id = $2 AND occurred_at BETWEEN $3 AND $4)
         SELECT r.line FROM records r
         WHERE r.shop_id = $1 AND r.seq IN (
               SELECT seq FROM t
               UNION ALL
               SELECT s.seq FROM slips s JOIN t USING (terminal_id, batch_no, trace_no, kind)
               WHERE s.shop_id = $1
               UNION ALL
               SELECT seq FROM settlements
               WHERE shop_id = $1 AND terminal_id = $2 AND settled_at BETWEEN $3 AND $5)
         ORDER BY r.seq",
        &[&shop, &terminal, &from, &to, &settled_to],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Every shop's transactions and settlements between `from` and `to` (lines, in each
/// shop's chain order): what a statement covering several shops is reconciled with.
pub fn lines_between(
    client: &mut Client,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<String>, HqError> {
    let rows = client.query(
        "SELECT r.line FROM records r
         JOIN (SELECT shop_id, seq FROM transactions WHERE occurred_at >= $1 AND occurred_at < $2
               UNION ALL
               SELECT shop_id, seq FROM settlements WHERE settled_at >= $1 AND settled_at < $2) w
           USING (shop_id, seq)
         ORDER BY r.shop_id, r.seq",
        &[&from, &to],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Which shop each terminal that did business between `from` and `to` belongs to:
/// (terminal, shop id, shop name, merchant number).
pub fn terminal_shops(
    client: &mut Client,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<(String, String, String, String)>, HqError> {
    let rows = client.query(
        "SELECT DISTINCT t.terminal_id, t.shop_id, s.name, t.merchant_id
         FROM transactions t JOIN shops s USING (shop_id)
         WHERE t.occurred_at >= $1 AND t.occurred_at < $2
         ORDER BY 1, 2",
        &[&from, &to],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect())
}

/// One shop's case as head office last received it.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Serialize)]
pub struct HqCase {
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
    /// The case's number at the shop (SK-n).
    pub case_id: i64,
    /// open, submitted, waiting, won, lost or withdrawn.
    pub status: String,
    /// The complaint, as the domain spells it.
    pub complaint: String,
    /// The diagnosis code the case was opened with.
    pub code: String,
    /// The acquirer it is with, when chosen.
    pub acquirer_id: Option<String>,
    /// The acquirer's own reference for it.
    pub acquirer_ref: Option<String>,
    /// The day an answer is due.
    pub due_on: Option<chrono::NaiveDate>,
    /// When the shop opened it.
    pub opened_at: DateTime<Utc>,
    /// When it last changed at the shop.
    pub updated_at: DateTime<Utc>,
    /// How the shop identified the transaction (voucher, RRN, …).
    #[ts(type = "unknown")]
    pub lookup: serde_json::Value,
}

/// Every shop's cases (or `shop`'s), soonest deadline first; with `open_due_by`, only
/// cases still open (not won, lost or withdrawn) due by that day or without a date.
pub fn cases(
    client: &mut Client,
    shop: Option<&str>,
    open_due_by: Option<chrono::NaiveDate>,
) -> Result<Vec<HqCase>, HqError> {
    let rows = client.query(
        "SELECT c.shop_id, s.name, c.case_id, c.status, c.complaint, c.code, c.acquirer_id,
                c.acquirer_ref, c.due_on, c.opened_at, c.updated_at, c.lookup
         FROM cases c JOIN shops s USING (shop_id)
         WHERE ($1::text IS NULL OR c.shop_id = $1)
           AND ($2::date IS NULL OR (c.status IN ('open', 'submitted', 'waiting')
                                     AND (c.due_on IS NULL OR c.due_on <= $2)))
         ORDER BY c.due_on NULLS LAST, c.shop_id, c.case_id",
        &[&shop, &open_due_by],
    )?;
    Ok(rows
        .iter()
        .map(|r| HqCase {
            shop_id: r.get(0),
            shop_name: r.get(1),
            case_id: r.get(2),
            status: r.get(3),
            complaint: r.get(4),
            code: r.get(5),
            acquirer_id: r.get(6),
            acquirer_ref: r.get(7),
            due_on: r.get(8),
            opened_at: r.get(9),
            updated_at: r.get(10),
            lookup: r.get(11),
        })
        .collect())
}
