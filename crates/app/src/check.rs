//! What the mirror may have missed: holes in the voucher numbers of a terminal, and
//! settlements whose totals disagree with the transactions the journal holds.

use crate::{App, AppError};
use serde::Serialize;
use slipkeeper_domain::{expected_debits, BatchState, TraceGaps};

/// What the home screen warns about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Alerts {
    pub findings: Vec<Finding>,
    pub unknown_outcomes: u64,
    /// When the journal was checked for them.
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Something the journal is missing or that does not add up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// Vouchers `from..=to` of `terminal` are not in the journal.
    Gap {
        /// The terminal.
        terminal: String,
        /// The first missing voucher.
        from: u32,
        /// The last missing voucher.
        to: u32,
    },
    /// When last asked, the terminal's turnover totals for its open batch disagreed
    /// with the journal: bookings the mirror did not get ("lost transmission").
    OpenBatchMismatch {
        /// The terminal.
        terminal: String,
        /// Its open batch.
        batch: String,
        /// Bookings the terminal counted.
        terminal_count: u32,
        /// Their sum on the terminal, minor units.
        terminal_minor: i64,
        /// Bookings in the journal.
        journal_count: u32,
        /// Their sum in the journal, minor units.
        journal_minor: i64,
        /// When the terminal was asked.
        checked_at: String,
    },
    /// The terminal settled `batch` with other totals than the journal adds up to.
    TotalsMismatch {
        /// The terminal.
        terminal: String,
        /// The batch.
        batch: String,
        /// Bookings the settlement counted.
        settled_count: u32,
        /// Their sum, minor units.
        settled_minor: i64,
        /// Bookings in the journal.
        journal_count: u32,
        /// Their sum in the journal, minor units.
        journal_minor: i64,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Gap { terminal, from, to } if from == to => {
                write!(f, "terminal {terminal}: voucher {from:06} is missing from the journal")
            }
            Finding::Gap { terminal, from, to } => {
                write!(f, "terminal {terminal}: vouchers {from:06} to {to:06} are missing from the journal")
            }
            Finding::OpenBatchMismatch { terminal, batch, terminal_count, terminal_minor, journal_count, journal_minor, checked_at } => write!(
                f,
                "terminal {terminal} batch {batch} (open): the terminal counted {terminal_count} sales for {} but the journal has {journal_count} for {} (checked {checked_at})",
                minor(*terminal_minor),
                minor(*journal_minor)
            ),
            Finding::TotalsMismatch { terminal, batch, settled_count, settled_minor, journal_count, journal_minor } => write!(
                f,
                "terminal {terminal} batch {batch}: settled {settled_count} sales for {} but the journal has {journal_count} for {}",
                minor(*settled_minor),
                minor(*journal_minor)
            ),
        }
    }
}

impl Finding {
    /// The finding in the shop owner's words, in Chinese and English.
    pub fn text(&self) -> slipkeeper_domain::Text {
        let zh = match self {
            Finding::Gap { terminal, from, to } if from == to => {
                format!("终端 {terminal}：日志中缺少凭证号 {from:06}")
            }
            Finding::Gap { terminal, from, to } => {
                format!("终端 {terminal}：日志中缺少凭证号 {from:06} 至 {to:06}")
            }
            Finding::OpenBatchMismatch { terminal, batch, terminal_count, terminal_minor, journal_count, journal_minor, checked_at } if journal_count > terminal_count => format!(
                "终端 {terminal} 批次 {batch}（未结算）：终端记录 {terminal_count} 笔消费共 {}，本机日志却有 {journal_count} 笔共 {}，比终端多（核对于 {checked_at}）",
                minor(*terminal_minor),
                minor(*journal_minor)
            ),
            Finding::OpenBatchMismatch { terminal, batch, terminal_count, terminal_minor, journal_count, journal_minor, checked_at } => format!(
                "终端 {terminal} 批次 {batch}（未结算）：终端记录 {terminal_count} 笔消费共 {}，本机日志只有 {journal_count} 笔共 {}（核对于 {checked_at}）",
                minor(*terminal_minor),
                minor(*journal_minor)
            ),
            Finding::TotalsMismatch { terminal, batch, settled_count, settled_minor, journal_count, journal_minor } => format!(
                "终端 {terminal} 批次 {batch}：结算 {settled_count} 笔消费共 {}，但本机日志有 {journal_count} 笔共 {}",
                minor(*settled_minor),
                minor(*journal_minor)
            ),
        };
        slipkeeper_domain::Text::new(zh, self.to_string())
    }
}

fn minor(m: i64) -> String {
    format!("{}.{:02}", m / 100, (m % 100).abs())
}

impl App {
    /// `check()` and the count of transactions with an unknown outcome, reused while
    /// no record has been stored since (both scan the whole journal).
    pub(crate) fn alerts(&self) -> Result<Alerts, AppError> {
        let stored = self.journal().records_stored()?;
        if let Ok(cache) = self.findings.lock() {
            if let Some((_, a)) = cache.as_ref().filter(|(at, _)| *at == stored) {
                return Ok(a.clone());
            }
        }
        let unknown = self
            .journal()
            .search(&slipkeeper_journal::TxnQuery {
                outcome: Some(slipkeeper_domain::Outcome::Unknown),
                limit: 1,
                ..Default::default()
            })?
            .total;
        let a = Alerts {
            findings: self.check()?,
            unknown_outcomes: unknown,
            checked_at: Some(self.clock.now()),
        };
        if let Ok(mut cache) = self.findings.lock() {
            *cache = Some((stored, a.clone()));
        }
        Ok(a)
    }

    /// Findings as of now, computed again only when records were stored since.
    pub fn check_cached(&self) -> Result<Vec<Finding>, AppError> {
        Ok(self.alerts()?.findings)
    }

    /// What the journal is missing or what does not add up, per terminal.
    pub fn check(&self) -> Result<Vec<Finding>, AppError> {
        let j = self.journal();
        let mut out = Vec::new();
        let batches = j.batches()?;
        let mut terminals: Vec<_> = batches.iter().map(|b| b.terminal_id.clone()).collect();
        terminals.dedup();
        for t in &terminals {
            let mut gaps = TraceGaps::default();
            j.each_trace(t, |n| gaps.push(n))?;
            for (from, to) in gaps.finish() {
                out.push(Finding::Gap {
                    terminal: t.to_string(),
                    from,
                    to,
                });
            }
        }
        for b in &batches {
            out.extend(self.batch_totals_finding(b)?);
        }
        for c in self.totals_checks()? {
            // Only the batch still open: a settled one is judged by its settlement.
            let open = !batches.iter().any(|b| {
                b.terminal_id.as_str() == c.terminal
                    && b.batch_no.as_str() == c.batch
                    && matches!(b.state, BatchState::Settled { .. })
            });
            if !open {
                continue;
            }
            // The journal's side as it is now, not as it was when the terminal
            // answered: what was filled in since (a statement, an import, the
            // catch-up) no longer counts as missing. The terminal's figure is from
            // then; payments only add to a batch, so a journal with fewer than the
            // terminal had is short whatever happened since, and one with more has
            // payments the terminal has not reported yet: no alert.
            let (Ok(terminal), Ok(batch)) = (
                slipkeeper_domain::TerminalId::new(&c.terminal),
                slipkeeper_domain::BatchNo::new(&c.batch),
            ) else {
                continue;
            };
            let txns = j.batch_transactions(&terminal, &batch)?;
            let (journal_count, total) = expected_debits(&txns)?;
            let journal_minor = total.map_or(0, |m| m.minor());
            let short = journal_count < c.terminal_count
                || (journal_count == c.terminal_count && journal_minor != c.terminal_minor);
            // More than the terminal counted, at the same moment: from the check itself.
            let more_then = c.journal_count > c.terminal_count;
            let (journal_count, journal_minor) = match (short, more_then) {
                (true, _) => (journal_count, journal_minor),
                (false, true) => (c.journal_count, c.journal_minor),
                (false, false) => continue,
            };
            out.push(Finding::OpenBatchMismatch {
                terminal: c.terminal,
                batch: c.batch,
                terminal_count: c.terminal_count,
                terminal_minor: c.terminal_minor,
                journal_count,
                journal_minor,
                checked_at: c.checked_at.format("%Y-%m-%d %H:%M").to_string(),
            });
        }
        Ok(out)
    }

    /// A settled batch whose totals disagree with the journal's transactions.
    pub(crate) fn batch_totals_finding(
        &self,
        b: &slipkeeper_domain::Batch,
    ) -> Result<Option<Finding>, AppError> {
        let BatchState::Settled { totals, .. } = &b.state else {
            return Ok(None);
        };
        let txns = self
            .journal()
            .batch_transactions(&b.terminal_id, &b.batch_no)?;
        let (count, total) = expected_debits(&txns)?;
        let journal_minor = total.map(|m| m.minor()).unwrap_or(0);
        Ok(
            (count != totals.debit_count || journal_minor != totals.debit_amount.minor()).then(
                || Finding::TotalsMismatch {
                    terminal: b.terminal_id.to_string(),
                    batch: b.batch_no.to_string(),
                    settled_count: totals.debit_count,
                    settled_minor: totals.debit_amount.minor(),
                    journal_count: count,
                    journal_minor,
                },
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{start_demo_terminal, App, FixedClock, TerminalCommand};

    #[test]
    fn cached_findings_follow_new_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        app.seed_demo(20).unwrap();
        assert_eq!(app.check_cached().unwrap(), app.check().unwrap());
        assert!(app.check_cached().unwrap().is_empty());
        // Voucher 40 on a terminal that has 1..=10: vouchers 11..=39 are now missing.
        let mut t = slipkeeper_domain::sample::transaction(0);
        t.trace_no = slipkeeper_domain::TraceNo::new("40").unwrap();
        app.journal_mut()
            .ingest(&[slipkeeper_journal::Record {
                body: slipkeeper_journal::RecordBody::Transaction(t),
                recorded_at: chrono::DateTime::UNIX_EPOCH,
            }])
            .unwrap();
        let f = app.check_cached().unwrap();
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].to_string().contains("vouchers 000011 to 000039"),
            "{}",
            f[0]
        );
    }

    #[test]
    fn a_clean_mirror_has_no_findings_and_a_lost_record_shows_up_twice() {
        let demo = start_demo_terminal().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let mut app = App::open(&path, FixedClock::at("2026-11-22T03:00:00Z")).unwrap();
        for amount in [1000, 2000, 3000] {
            app.terminal(
                &demo.addr,
                TerminalCommand::DemoPayment {
                    amount_minor: amount,
                },
                0,
            )
            .unwrap();
        }
        app.terminal(&demo.addr, TerminalCommand::EndOfDay, 0)
            .unwrap();
        assert_eq!(
            app.check().unwrap(),
            vec![],
            "everything seen, totals agree"
        );

        // Lose voucher 2 (as if the mirror had been down), by writing a journal
        // without it: export, drop that transaction and its slips/frames, import.
        let mut all = Vec::new();
        app.export(&mut all).unwrap();
        let kept: String = String::from_utf8(all)
            .unwrap()
            .lines()
            .filter(|l| !l.contains(r#""trace_no":"000002""#))
            .map(|l| format!("{l}\n"))
            .collect();
        let file = dir.path().join("partial.jsonl");
        std::fs::write(&file, kept).unwrap();
        let mut other = App::open(
            &dir.path().join("k.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        other.import(&file).unwrap();
        let findings = other.check().unwrap();
        let text: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
        assert_eq!(text, vec![
            "terminal 52523535: voucher 000002 is missing from the journal".to_owned(),
            "terminal 52523535 batch 000001: settled 3 sales for 60.00 but the journal has 2 for 40.00".to_owned(),
        ]);
    }
}
