//! Settings kept in the journal file: terminals, merchant profile, sync cursors.
//! They are configuration, not evidence, so they are not part of the hash chain.

use crate::{Journal, JournalError};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{BatchNo, Link, MerchantId, Terminal, TerminalId};

/// Who the shop is, for letters to the acquirer.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct MerchantProfile {
    /// The shop's name, as on its sign.
    pub shop_name: Option<String>,
    /// The acquirer's merchant number (商户编号).
    pub merchant_id: Option<MerchantId>,
    /// The shop's address.
    pub address: Option<String>,
    /// Who the acquirer should ask for.
    pub contact_person: Option<String>,
    /// Their phone.
    pub phone: Option<String>,
    /// Their e-mail.
    pub email: Option<String>,
}

fn corrupt(what: &str, e: impl ToString) -> JournalError {
    JournalError::Corrupt {
        what: what.into(),
        reason: e.to_string(),
    }
}

impl Journal {
    /// The terminal links the service runs: (id, JSON), oldest first.
    pub fn links(&self) -> Result<Vec<(i64, String)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, config FROM links ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a link; returns its id.
    pub fn add_link(
        &self,
        config: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, JournalError> {
        self.conn.execute(
            "INSERT INTO links (config, updated_at) VALUES (?1, ?2)",
            rusqlite::params![config, at.to_rfc3339()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Replaces every link with `configs`, in one transaction.
    pub fn set_links(
        &self,
        configs: &[String],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), JournalError> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        tx.execute("DELETE FROM links", [])?;
        for c in configs {
            tx.execute(
                "INSERT INTO links (config, updated_at) VALUES (?1, ?2)",
                rusqlite::params![c, at.to_rfc3339()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes a link; false when there was none with that id.
    pub fn remove_link(&self, id: i64) -> Result<bool, JournalError> {
        Ok(self.conn.execute("DELETE FROM links WHERE id = ?1", [id])? > 0)
    }

    /// The shop's details (empty fields where none are set).
    pub fn merchant_profile(&self) -> Result<MerchantProfile, JournalError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT profile FROM merchant_profile WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| corrupt("merchant profile", e)))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Saves the shop's details.
    pub fn set_merchant_profile(&self, p: &MerchantProfile) -> Result<(), JournalError> {
        let json = serde_json::to_string(p).map_err(|e| corrupt("merchant profile", e))?;
        let json = crate::scrub::json(json);
        self.conn.execute(
            "INSERT INTO merchant_profile (id, profile) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET profile = excluded.profile",
            [json],
        )?;
        Ok(())
    }

    /// Saves a terminal the journal knows (by its id), replacing what was known of it.
    pub fn upsert_terminal(&self, t: &Terminal) -> Result<(), JournalError> {
        let link = serde_json::to_string(&t.link).map_err(|e| corrupt("terminal link", e))?;
        self.conn.execute(
            "INSERT INTO terminals (id, merchant_id, model, link) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET merchant_id = excluded.merchant_id, model = excluded.model, link = excluded.link",
            rusqlite::params![t.id.as_str(), t.merchant_id.as_str(), t.model, link],
        )?;
        Ok(())
    }

    /// Every terminal the journal knows.
    pub fn terminals(&self) -> Result<Vec<Terminal>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, merchant_id, model, link FROM terminals ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, m, model, link) = r?;
            out.push(Terminal {
                id: TerminalId::new(&id).map_err(|e| corrupt("terminal", e))?,
                merchant_id: MerchantId::new(&m).map_err(|e| corrupt("terminal", e))?,
                model,
                link: serde_json::from_str::<Link>(&link)
                    .map_err(|e| corrupt("terminal link", e))?,
            });
        }
        Ok(out)
    }

    /// A named position kept for a terminal (e.g. the last receipt caught up to).
    pub fn cursor(
        &self,
        terminal: &TerminalId,
        name: &str,
    ) -> Result<Option<String>, JournalError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_cursors WHERE terminal_id = ?1 AND name = ?2",
                [terminal.as_str(), name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets a named position for a terminal at `at`.
    pub fn set_cursor(
        &self,
        terminal: &TerminalId,
        name: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn.execute(
            "INSERT INTO sync_cursors (terminal_id, name, value, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (terminal_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            rusqlite::params![terminal.as_str(), name, value, crate::sql::utc(&at)],
        )?;
        Ok(())
    }
}

/// A terminal the journal has records of, known by its own id (however it was reached).
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TerminalOverview {
    /// The terminal's id.
    pub terminal_id: TerminalId,
    /// Batches seen, settled or not.
    pub batches: u64,
    /// The newest batch not settled yet: vouchers in it can still be voided.
    pub open_batch: Option<BatchNo>,
    /// Terminal local time of the last settlement.
    pub last_settled_at: Option<chrono::NaiveDateTime>,
}

impl Journal {
    /// Every terminal with records, from the batch table (small: one row per batch),
    /// so it answers at once on a journal of millions of transactions.
    pub fn terminal_overview(&self) -> Result<Vec<TerminalOverview>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT b.terminal_id, count(*),
                    max(CASE WHEN s.id IS NULL THEN b.batch_no END),
                    max(s.settled_at)
             FROM batches b
             LEFT JOIN settlements s ON s.terminal_id = b.terminal_id AND s.batch_no = b.batch_no
             GROUP BY b.terminal_id ORDER BY b.terminal_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (t, batches, open, settled) = row?;
            out.push(TerminalOverview {
                terminal_id: TerminalId::new(&t).map_err(|e| corrupt("batch", e))?,
                batches: batches as u64,
                open_batch: open
                    .map(|b| BatchNo::new(&b))
                    .transpose()
                    .map_err(|e| corrupt("batch", e))?,
                last_settled_at: settled
                    .map(|s| crate::sql::parse_local(&s, "settlement time"))
                    .transpose()?,
            });
        }
        Ok(out)
    }
}
