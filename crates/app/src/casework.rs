//! Diagnosis: find the transaction the shop owner means, gather what the journal
//! knows about it, and let the domain rules say what happened and what to do.

use crate::{closest_vouchers, App, AppError, ErrorCode, Finding};
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{
    diagnose, hole_around, missing_between, AuthCode, BatchNo, Complaint, Diagnosis, Facts,
    Outcome, Recorded, Rrn, TerminalId, TraceNo, TxnKind, DUPLICATE_WINDOW,
};
use slipkeeper_journal::{TxnQuery, TxnRow};
use std::collections::BTreeSet;

/// How the owner identifies the transaction.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Lookup {
    /// By voucher (凭证号).
    Voucher {
        /// The voucher number.
        voucher: TraceNo,
        /// The terminal, when the voucher is on several.
        #[serde(default)]
        #[ts(optional = nullable)]
        terminal: Option<TerminalId>,
        /// The batch, when the voucher is in several.
        #[serde(default)]
        #[ts(optional = nullable)]
        batch: Option<BatchNo>,
    },
    /// By reference number (参考号).
    Rrn {
        /// The reference number.
        rrn: Rrn,
    },
    /// By authorisation code (授权码).
    Auth {
        /// The authorisation code.
        auth: AuthCode,
        /// The terminal, when the code is on several.
        #[serde(default)]
        #[ts(optional = nullable)]
        terminal: Option<TerminalId>,
    },
    /// Amount (minor units) and roughly when, optionally the card's last four digits.
    AmountTime {
        /// The amount in minor units.
        amount_minor: i64,
        /// About when (the terminal's local time).
        at: NaiveDateTime,
        /// The card's last four digits, when known.
        #[serde(default)]
        #[ts(optional = nullable)]
        last4: Option<String>,
        /// The terminal, when known.
        #[serde(default)]
        #[ts(optional = nullable)]
        terminal: Option<TerminalId>,
    },
    /// One row the owner picked from a search's list.
    Txn {
        /// The journal's transaction id.
        id: i64,
    },
}

impl Lookup {
    fn terminal(&self) -> Option<&TerminalId> {
        match self {
            Lookup::Voucher { terminal, .. }
            | Lookup::Auth { terminal, .. }
            | Lookup::AmountTime { terminal, .. } => terminal.as_ref(),
            Lookup::Rrn { .. } | Lookup::Txn { .. } => None,
        }
    }

    /// The lookup in words ("voucher 000123").
    pub fn describe(&self) -> String {
        match self {
            Lookup::Voucher { voucher, .. } => format!("voucher {voucher}"),
            Lookup::Rrn { rrn } => format!("RRN {rrn}"),
            Lookup::Auth { auth, .. } => format!("auth code {auth}"),
            Lookup::Txn { id } => format!("transaction #{id}"),
            Lookup::AmountTime {
                amount_minor, at, ..
            } => format!(
                "{} around {at}",
                slipkeeper_domain::Money::cny(*amount_minor)
            ),
        }
    }
}

/// How far from the given time an amount lookup searches.
pub(crate) const AROUND: TimeDelta = TimeDelta::minutes(15);

impl Lookup {
    /// The journal query this lookup stands for (None for a transaction picked by its
    /// row id): the one reading of a lookup, used by the diagnosis here and at head
    /// office. An amount is looked for within [`AROUND`] of the time given.
    pub(crate) fn query(&self) -> Option<TxnQuery> {
        let mut q = TxnQuery::default();
        match self {
            Lookup::Voucher {
                voucher,
                terminal,
                batch,
            } => {
                q.voucher = Some(voucher.clone());
                q.terminal = terminal.clone();
                q.batch = batch.clone();
            }
            Lookup::Rrn { rrn } => q.rrn = Some(rrn.clone()),
            Lookup::Auth { auth, terminal } => {
                q.auth_code = Some(auth.clone());
                q.terminal = terminal.clone();
            }
            Lookup::AmountTime {
                amount_minor,
                at,
                last4,
                terminal,
            } => {
                q.amount_minor = Some(*amount_minor);
                q.from = Some(*at - AROUND);
                q.to = Some(*at + AROUND);
                q.last4 = last4.clone();
                q.terminal = terminal.clone();
            }
            Lookup::Txn { .. } => return None,
        }
        Some(q)
    }
}
/// How many records an answer takes into account around one transaction.
const MAX_RELATED: usize = 100;

fn recorded(r: &TxnRow) -> Recorded {
    Recorded {
        id: r.id,
        txn: r.txn.clone(),
    }
}

/// Amount lookups answer with an approved debit when there is one: a declined attempt,
/// a void or a reversal is a fact beside it, not the answer.
fn amount_rank(t: &slipkeeper_domain::Transaction) -> u8 {
    match (t.outcome, t.kind) {
        (Outcome::Approved, k) if k.is_debit() => 0,
        (Outcome::Approved, TxnKind::PreAuth | TxnKind::Refund) => 1,
        (Outcome::Unknown, _) => 2,
        _ => 3,
    }
}

fn trace_number(t: &TraceNo) -> u32 {
    t.as_str().parse().unwrap_or(0)
}

impl App {
    fn all(&self, q: TxnQuery) -> Result<Vec<TxnRow>, AppError> {
        Ok(self.journal.search(&TxnQuery { limit: 100, ..q })?.items)
    }

    /// Adds what refers to `id` (and what it refers to) to the facts, with the batches
    /// they were taken in.
    fn add_related(&self, facts: &mut Facts, id: i64, skip: i64) -> Result<Vec<i64>, AppError> {
        let mut added = Vec::new();
        for r in self.detail(id)?.related {
            if r.id == skip || facts.related.iter().any(|x| x.id == r.id) {
                continue;
            }
            if facts.related.len() >= MAX_RELATED {
                break;
            }
            let known = facts
                .related_batches
                .iter()
                .any(|b| b.terminal_id == r.txn.terminal_id && b.batch_no == r.txn.batch_no);
            if !known {
                facts
                    .related_batches
                    .push(self.journal.batch(&r.txn.terminal_id, &r.txn.batch_no)?);
            }
            added.push(r.id);
            facts.related.push(recorded(&r));
        }
        Ok(added)
    }

    /// The one row a voucher, RRN or auth-code lookup means. Several terminals: ask
    /// which. One terminal, several batches (the counter wrapped, or counts per batch):
    /// the one in the open batch when exactly one batch is open, the others named;
    /// otherwise ask which batch. Never pick one silently.
    fn pick_one(
        &self,
        lookup: &Lookup,
        found: Vec<TxnRow>,
        facts: &mut Facts,
    ) -> Result<Option<TxnRow>, AppError> {
        let terminals: BTreeSet<&str> = found.iter().map(|r| r.txn.terminal_id.as_str()).collect();
        if terminals.len() > 1 {
            let which: Vec<&str> = terminals.into_iter().collect();
            return Err(AppError::new(
                ErrorCode::BadInput,
                format!(
                    "{} is on terminals {}: say which terminal / {} 在多台终端上（{}）：请指定终端号",
                    lookup.describe(),
                    which.join(", "),
                    lookup.describe(),
                    which.join("、")
                ),
            ));
        }
        let mut batches: Vec<(BatchNo, slipkeeper_domain::Batch, NaiveDateTime)> = Vec::new();
        for r in &found {
            if !batches.iter().any(|(b, ..)| *b == r.txn.batch_no) {
                let b = self.journal.batch(&r.txn.terminal_id, &r.txn.batch_no)?;
                batches.push((r.txn.batch_no.clone(), b, r.txn.occurred_at));
            }
        }
        let chosen = if batches.len() > 1 {
            let open: Vec<&BatchNo> = batches
                .iter()
                .filter(|(_, b, _)| b.is_open())
                .map(|(n, ..)| n)
                .collect();
            let [one] = open[..] else {
                let list: Vec<String> = batches
                    .iter()
                    .map(|(n, b, at)| {
                        format!(
                            "{n} ({}, {})",
                            at.date(),
                            if b.is_open() { "open" } else { "settled" }
                        )
                    })
                    .collect();
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    format!(
                        "{} is in several batches of terminal {}: {}; say which batch / 该凭证号在终端的多个批次中：{}；请指定批次号",
                        lookup.describe(),
                        found[0].txn.terminal_id,
                        list.join(", "),
                        list.join("、")
                    ),
                ));
            };
            Some(one.clone())
        } else {
            None
        };
        let mut mine = Vec::new();
        for r in found {
            match &chosen {
                Some(b) if r.txn.batch_no != *b => {
                    // One line per other batch: its main record.
                    if !facts
                        .other_batches
                        .iter()
                        .any(|o| o.txn.batch_no == r.txn.batch_no)
                        && r.txn.kind != TxnKind::Reversal
                    {
                        facts.other_batches.push(recorded(&r));
                    }
                }
                _ => mine.push(r),
            }
        }
        // A reversal reuses its original's voucher number: the original is meant.
        mine.sort_by_key(|r| (r.txn.kind == TxnKind::Reversal, r.id));
        Ok(mine.into_iter().next())
    }

    /// Everything the journal knows about the transaction `lookup` points at.
    pub fn facts(&self, lookup: &Lookup) -> Result<Facts, AppError> {
        let asked_terminal = lookup.terminal().cloned();
        let mut facts = Facts {
            asked_terminal: asked_terminal.clone(),
            now: Some(self.clock.local_now()),
            ..Facts::default()
        };
        let amount_lookup = matches!(lookup, Lookup::AmountTime { .. });
        let found: Vec<TxnRow> = match lookup {
            Lookup::AmountTime { at, .. } => {
                let mut v = self.all(lookup.query().unwrap_or_default())?;
                v.sort_by_key(|r| (amount_rank(&r.txn), (r.txn.occurred_at - *at).abs(), r.id));
                v
            }
            Lookup::Txn { id } => vec![self.detail(*id)?.row],
            _ => self.all(lookup.query().unwrap_or_default())?,
        };
        let first = if amount_lookup {
            let mut it = found.into_iter();
            let first = it.next();
            // The other matches: twins to weigh, or attempts to name.
            facts.duplicates = it.map(|r| recorded(&r)).collect();
            first
        } else {
            self.pick_one(lookup, found, &mut facts)?
        };
        if let Some(first) = first {
            let t = first.txn.clone();
            facts.batch = Some(self.journal.batch(&t.terminal_id, &t.batch_no)?);
            // Two levels: a void's original and what else undid it; a pre-auth's
            // completion and that completion's void.
            for id in self.add_related(&mut facts, first.id, first.id)? {
                self.add_related(&mut facts, id, first.id)?;
            }
            if t.kind.is_debit() && t.outcome == Outcome::Approved && t.pan.is_some() {
                let twins = self.all(TxnQuery {
                    amount_minor: Some(t.amount.minor()),
                    last4: t.pan.as_ref().map(|p| p.last4().to_owned()),
                    from: Some(t.occurred_at - DUPLICATE_WINDOW),
                    to: Some(t.occurred_at + DUPLICATE_WINDOW),
                    ..Default::default()
                })?;
                for r in twins {
                    if r.id != first.id && !facts.duplicates.iter().any(|d| d.id == r.id) {
                        facts.duplicates.push(recorded(&r));
                    }
                }
            }
            // What undoes a twin matters too: a voided twin is no double charge.
            let twin_ids: Vec<i64> = facts.duplicates.iter().map(|d| d.id).collect();
            for id in twin_ids {
                self.add_related(&mut facts, id, first.id)?;
            }
            facts.rules = self.rules_for(&t)?;
            facts.statement = self.witness_for_txn(&t)?.into_iter().collect();
            facts.statement_covers =
                self.statements_cover(t.occurred_at.date(), Some(&t.terminal_id))?;
            facts.found = Some(recorded(&first));
            return Ok(facts);
        }

        // Not found: where else could it be, and could the mirror have missed it?
        let terminals: Vec<TerminalId> = match &asked_terminal {
            Some(t) => vec![t.clone()],
            None => {
                let mut v: Vec<TerminalId> = self.journal.known_terminals()?.into_iter().collect();
                v.sort();
                v
            }
        };
        match lookup {
            Lookup::Voucher { voucher, .. } => {
                if asked_terminal.is_some() {
                    facts.elsewhere = self
                        .all(TxnQuery {
                            voucher: Some(voucher.clone()),
                            ..Default::default()
                        })?
                        .iter()
                        .map(recorded)
                        .collect();
                }
                for near in closest_vouchers(voucher) {
                    for r in self.all(TxnQuery {
                        voucher: Some(near),
                        terminal: asked_terminal.clone(),
                        ..Default::default()
                    })? {
                        facts.near.push(recorded(&r));
                    }
                }
                let asked = trace_number(voucher);
                for t in &terminals {
                    let (below, above) = self.journal.trace_neighbours(t, voucher)?;
                    let (lowest, highest) = self.journal.trace_range(t)?;
                    let n = |v: &Option<TraceNo>| v.as_ref().map(trace_number);
                    if let Some((from, to)) =
                        hole_around(asked, n(&below), n(&above), n(&lowest), n(&highest))
                    {
                        facts.gap = Some(
                            Finding::Gap {
                                terminal: t.to_string(),
                                from,
                                to,
                            }
                            .text(),
                        );
                        break;
                    }
                }
                // A settlement that counted more than the journal holds, in the batch
                // where the voucher would be.
                for t in &terminals {
                    if facts.gap.is_some() {
                        break;
                    }
                    let (below, above) = self.journal.trace_neighbours(t, voucher)?;
                    for v in [below, above].into_iter().flatten() {
                        let Some(row) = self
                            .all(TxnQuery {
                                voucher: Some(v),
                                terminal: Some(t.clone()),
                                ..Default::default()
                            })?
                            .into_iter()
                            .next()
                        else {
                            continue;
                        };
                        let b = self.journal.batch(t, &row.txn.batch_no)?;
                        if let Some(f) = self.batch_totals_finding(&b)? {
                            facts.gap = Some(f.text());
                            break;
                        }
                    }
                }
            }
            Lookup::AmountTime {
                at, amount_minor, ..
            } => {
                // Same amount a little further off, for a misremembered time.
                facts.near = self
                    .all(TxnQuery {
                        amount_minor: Some(*amount_minor),
                        from: Some(*at - TimeDelta::hours(2)),
                        to: Some(*at + TimeDelta::hours(2)),
                        terminal: asked_terminal.clone(),
                        ..Default::default()
                    })?
                    .iter()
                    .map(recorded)
                    .collect();
                for t in &terminals {
                    if let (Some(before), Some(after)) = self.journal.time_neighbours(t, *at)? {
                        let (a, b) = (
                            trace_number(&before.txn.trace_no),
                            trace_number(&after.txn.trace_no),
                        );
                        if let Some((from, to)) = missing_between(a, b) {
                            facts.gap = Some(
                                Finding::Gap {
                                    terminal: t.to_string(),
                                    from,
                                    to,
                                }
                                .text(),
                            );
                            break;
                        }
                    }
                }
                // A settlement that counted more than the journal holds, around then.
                for t in &terminals {
                    if facts.gap.is_some() {
                        break;
                    }
                    if let (Some(before), _) = self.journal.time_neighbours(t, *at)? {
                        let b = self.journal.batch(t, &before.txn.batch_no)?;
                        facts.gap = self.batch_totals_finding(&b)?.map(|f| f.text());
                    }
                }
            }
            Lookup::Rrn { .. } | Lookup::Auth { .. } | Lookup::Txn { .. } => {}
        }
        facts.statement = self.witnesses_for_lookup(lookup)?;
        if let Lookup::AmountTime { at, .. } = lookup {
            facts.statement_covers = self.statements_cover(at.date(), asked_terminal.as_ref())?;
        }
        Ok(facts)
    }

    /// What happened to the transaction `lookup` points at, and what to do.
    pub fn diagnose(&self, complaint: Complaint, lookup: &Lookup) -> Result<Diagnosis, AppError> {
        Ok(diagnose(complaint, &self.facts(lookup)?))
    }
}
