//! Diagnosis: find the transaction the shop owner means, gather what the journal
//! knows about it, and let the domain rules say what happened and what to do.

use crate::{closest_vouchers, App, AppError, ErrorCode};
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{
    diagnose, AuthCode, BatchNo, Complaint, Diagnosis, Facts, Outcome, Recorded, Rrn, TerminalId,
    TraceNo, TxnKind,
};
use slipkeeper_journal::{TxnQuery, TxnRow};

/// How the owner identifies the transaction.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Lookup {
    Voucher {
        voucher: TraceNo,
        #[serde(default)]
        #[ts(optional = nullable)]
        terminal: Option<TerminalId>,
        #[serde(default)]
        #[ts(optional = nullable)]
        batch: Option<BatchNo>,
    },
    Rrn {
        rrn: Rrn,
    },
    Auth {
        auth: AuthCode,
        #[serde(default)]
        #[ts(optional = nullable)]
        terminal: Option<TerminalId>,
    },
    /// Amount (minor units) and roughly when, optionally the card's last four digits.
    AmountTime {
        amount_minor: i64,
        at: NaiveDateTime,
        #[serde(default)]
        #[ts(optional = nullable)]
        last4: Option<String>,
        #[serde(default)]
        #[ts(optional = nullable)]
        terminal: Option<TerminalId>,
    },
}

impl Lookup {
    fn terminal(&self) -> Option<&TerminalId> {
        match self {
            Lookup::Voucher { terminal, .. }
            | Lookup::Auth { terminal, .. }
            | Lookup::AmountTime { terminal, .. } => terminal.as_ref(),
            Lookup::Rrn { .. } => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Lookup::Voucher { voucher, .. } => format!("voucher {voucher}"),
            Lookup::Rrn { rrn } => format!("RRN {rrn}"),
            Lookup::Auth { auth, .. } => format!("auth code {auth}"),
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
const AROUND: TimeDelta = TimeDelta::minutes(15);
/// How close two identical charges must be to count as a duplicate.
const DUPLICATE_WINDOW: TimeDelta = TimeDelta::minutes(10);

fn recorded(r: &TxnRow) -> Recorded {
    Recorded {
        id: r.id,
        txn: r.txn.clone(),
    }
}

impl App {
    fn all(&self, q: TxnQuery) -> Result<Vec<TxnRow>, AppError> {
        Ok(self.journal.search(&TxnQuery { limit: 100, ..q })?.items)
    }

    /// Everything the journal knows about the transaction `lookup` points at.
    pub fn facts(&self, lookup: &Lookup) -> Result<Facts, AppError> {
        let asked_terminal = lookup.terminal().cloned();
        let mut facts = Facts {
            asked_terminal: asked_terminal.clone(),
            ..Facts::default()
        };
        let mut found: Vec<TxnRow> = match lookup {
            Lookup::Voucher {
                voucher,
                terminal,
                batch,
            } => self.all(TxnQuery {
                voucher: Some(voucher.clone()),
                terminal: terminal.clone(),
                batch: batch.clone(),
                ..Default::default()
            })?,
            Lookup::Rrn { rrn } => self.all(TxnQuery {
                rrn: Some(rrn.clone()),
                ..Default::default()
            })?,
            Lookup::Auth { auth, terminal } => self.all(TxnQuery {
                auth_code: Some(auth.clone()),
                terminal: terminal.clone(),
                ..Default::default()
            })?,
            Lookup::AmountTime {
                amount_minor,
                at,
                last4,
                terminal,
            } => {
                let mut v = self.all(TxnQuery {
                    amount_minor: Some(*amount_minor),
                    from: Some(*at - AROUND),
                    to: Some(*at + AROUND),
                    last4: last4.clone(),
                    terminal: terminal.clone(),
                    ..Default::default()
                })?;
                // Closest in time first; the others stay as duplicates or look-alikes.
                v.sort_by_key(|r| ((r.txn.occurred_at - *at).abs(), r.id));
                v
            }
        };
        // A voucher number of one terminal only names one transaction; the original
        // sale is the one meant, not a void or refund that reuses nothing but its number.
        found.sort_by_key(|r| (r.txn.kind != TxnKind::Sale, r.id));
        let amount_lookup = matches!(lookup, Lookup::AmountTime { .. });
        if !amount_lookup {
            let terminals: std::collections::BTreeSet<&str> =
                found.iter().map(|r| r.txn.terminal_id.as_str()).collect();
            if terminals.len() > 1 {
                let which: Vec<&str> = terminals.into_iter().collect();
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    format!(
                        "{} is on terminals {}: say which with --terminal",
                        lookup.describe(),
                        which.join(", ")
                    ),
                ));
            }
        }
        if let Some(first) = found.first() {
            let d = self.detail(first.id)?;
            facts.batch = Some(d.batch.clone());
            facts.related = d.related.iter().map(recorded).collect();
            if amount_lookup {
                facts.duplicates = found[1..].iter().map(recorded).collect();
            }
            let t = &first.txn;
            if t.kind.is_debit() && t.outcome == Outcome::Approved && t.pan.is_some() {
                let dupes = self.all(TxnQuery {
                    amount_minor: Some(t.amount.minor()),
                    last4: t.pan.as_ref().map(|p| p.last4().to_owned()),
                    from: Some(t.occurred_at - DUPLICATE_WINDOW),
                    to: Some(t.occurred_at + DUPLICATE_WINDOW),
                    ..Default::default()
                })?;
                for r in dupes {
                    if r.id != first.id
                        && r.txn.kind.is_debit()
                        && r.txn.outcome == Outcome::Approved
                        && !facts.duplicates.iter().any(|d| d.id == r.id)
                    {
                        facts.duplicates.push(recorded(&r));
                    }
                }
                // What undoes a duplicate matters too: a voided twin is no double charge.
                for i in 0..facts.duplicates.len() {
                    let id = facts.duplicates[i].id;
                    for r in self.detail(id)?.related {
                        if !facts.related.iter().any(|x| x.id == r.id) && r.id != first.id {
                            facts.related.push(recorded(&r));
                        }
                    }
                }
            }
            facts.found = Some(recorded(first));
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
                for t in &terminals {
                    if let (Some(below), Some(above)) = self.journal.trace_neighbours(t, voucher)? {
                        facts.gap = Some(format!(
                            "terminal {t}: vouchers {below} and {above} are recorded, {voucher} between them is not"
                        ));
                        break;
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
                            before.txn.trace_no.as_str().parse::<u32>().unwrap_or(0),
                            after.txn.trace_no.as_str().parse::<u32>().unwrap_or(0),
                        );
                        if b > a + 1 && b - a < 10_000 {
                            facts.gap = Some(format!(
                                "terminal {t}: vouchers {:06} to {:06} around {at} are not in the journal",
                                a + 1,
                                b - 1
                            ));
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
                        facts.gap = self.batch_totals_finding(&b)?.map(|f| f.to_string());
                    }
                }
            }
            Lookup::Rrn { .. } | Lookup::Auth { .. } => {}
        }
        Ok(facts)
    }

    /// What happened to the transaction `lookup` points at, and what to do.
    pub fn diagnose(&self, complaint: Complaint, lookup: &Lookup) -> Result<Diagnosis, AppError> {
        Ok(diagnose(complaint, &self.facts(lookup)?))
    }
}
