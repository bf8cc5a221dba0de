//! The acquirer directory: who to call or write to, what they ask for, how long they
//! take. Shipped as data (assets/acquirers.json); the user's edits live in the journal.

use crate::{App, AppError, ErrorCode};
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{AcquirerRules, Text, Transaction};
use std::path::Path;

/// An acquirer as the directory knows it: how to reach its dispute desk, what it asks
/// for, how long it takes.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acquirer {
    /// Its id (`acquirer list`).
    pub id: String,
    /// Its name in both languages.
    pub name: Text,
    /// The merchant hotline.
    #[serde(default)]
    pub hotline: String,
    /// Where disputes are sent.
    #[serde(default)]
    pub dispute_email: String,
    /// The merchant portal's address.
    #[serde(default)]
    pub portal: String,
    /// When the hotline answers.
    pub hours: Text,
    /// What they require with a case.
    #[serde(default)]
    pub documents: Vec<Text>,
    /// Days they take to answer (and the shop has to answer them): sets case deadlines.
    pub response_days: u32,
    /// False until the user has checked the entry against their contract.
    #[serde(default)]
    pub verified: bool,
    /// When the acquirer's business day turns (日切), "HH:MM" local time; a void is
    /// possible only before it. Unset: local midnight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub cutoff: Option<String>,
    /// Days a pre-authorisation holds money before it expires. Unset: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub pre_auth_hold_days: Option<u32>,
}

impl Acquirer {
    /// The rules the diagnosis applies for transactions through this acquirer.
    pub fn rules(&self) -> AcquirerRules {
        let defaults = AcquirerRules::default();
        AcquirerRules {
            name: Some(self.name.clone()),
            cutoff: self
                .cutoff
                .as_deref()
                .and_then(parse_cutoff)
                .unwrap_or(defaults.cutoff),
            pre_auth_hold_days: self
                .pre_auth_hold_days
                .unwrap_or(defaults.pre_auth_hold_days),
        }
    }

    /// Whether a transaction's acquirer field names this entry.
    fn named_by(&self, text: &str) -> bool {
        let text = text.trim();
        !text.is_empty()
            && (text.eq_ignore_ascii_case(&self.id)
                || [&self.name.zh, &self.name.en]
                    .iter()
                    .any(|n| !n.is_empty() && (text.contains(n.as_str()) || n.contains(text))))
    }
}

fn parse_cutoff(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

#[derive(Deserialize)]
struct Directory {
    note: Text,
    acquirers: Vec<Acquirer>,
}

const DIRECTORY: &str = include_str!("../../../assets/acquirers.json");

/// The warning every shipped entry carries.
pub fn directory_note() -> Text {
    serde_json::from_str::<Directory>(DIRECTORY)
        .map(|d| d.note)
        .unwrap_or_else(|_| Text::new("", ""))
}

fn shipped() -> Vec<Acquirer> {
    serde_json::from_str::<Directory>(DIRECTORY)
        .map(|d| d.acquirers)
        .unwrap_or_default()
}

impl App {
    /// Shipped entries, with the user's edits and own entries applied.
    pub fn acquirers(&self) -> Result<Vec<Acquirer>, AppError> {
        let mut all = shipped();
        for (id, json) in self.journal.acquirer_overrides()? {
            let a: Acquirer = serde_json::from_str(&json).map_err(|e| {
                AppError::new(ErrorCode::Corrupt, format!("saved acquirer {id}: {e}"))
            })?;
            match all.iter_mut().find(|x| x.id == a.id) {
                Some(x) => *x = a,
                None => all.push(a),
            }
        }
        Ok(all)
    }

    /// The rules for `t`'s acquirer, found by the name the terminal gave it; the
    /// defaults (local midnight, 30 days) when no directory entry matches.
    pub fn rules_for(&self, t: &Transaction) -> Result<AcquirerRules, AppError> {
        let Some(name) = t.acquirer.as_deref() else {
            return Ok(AcquirerRules::default());
        };
        Ok(self
            .acquirers()?
            .into_iter()
            .find(|a| a.id != "template" && a.named_by(name))
            .map(|a| a.rules())
            .unwrap_or_default())
    }

    /// The directory entry the terminal named on a transaction (its acquirer field),
    /// for the problem solver to preselect; None when no entry matches.
    pub fn acquirer_for(&self, txn_id: i64) -> Result<Option<String>, AppError> {
        let t = self.detail(txn_id)?.row.txn;
        let Some(name) = t.acquirer.as_deref() else {
            return Ok(None);
        };
        Ok(self
            .acquirers()?
            .into_iter()
            .find(|a| a.id != "template" && a.named_by(name))
            .map(|a| a.id))
    }

    /// One acquirer by id: the shop's own entry when it saved one, else the built-in.
    pub fn acquirer(&self, id: &str) -> Result<Acquirer, AppError> {
        self.acquirers()?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("acquirer {id:?} is not in the directory; `slipkeeper acquirer list` shows it"),
                )
            })
    }

    /// Saves an acquirer entry (JSON, as `acquirer show --json` prints it).
    pub fn save_acquirer(&self, file: &Path) -> Result<Acquirer, AppError> {
        let text = std::fs::read_to_string(file).map_err(|e| AppError::io(file, e))?;
        let a: Acquirer = serde_json::from_str(&text).map_err(|e| {
            AppError::new(
                ErrorCode::BadInput,
                format!("{}:{}: {e}", file.display(), e.line()),
            )
        })?;
        self.set_acquirer(&a)
            .map_err(|e| AppError::new(e.code, format!("{}: {}", file.display(), e.message)))
    }

    /// Saves an acquirer entry as edited in Settings (a shipped one is overridden, a
    /// new id is added), tidied: surrounding blanks dropped.
    pub fn set_acquirer(&self, a: &Acquirer) -> Result<Acquirer, AppError> {
        let trim = |s: &str| s.trim().to_owned();
        let a = Acquirer {
            id: trim(&a.id),
            name: Text::new(a.name.zh.trim(), a.name.en.trim()),
            hotline: trim(&a.hotline),
            dispute_email: trim(&a.dispute_email),
            portal: trim(&a.portal),
            hours: Text::new(a.hours.zh.trim(), a.hours.en.trim()),
            documents: a.documents.clone(),
            response_days: a.response_days,
            verified: a.verified,
            cutoff: a
                .cutoff
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            pre_auth_hold_days: a.pre_auth_hold_days,
        };
        let bad = |m: String| Err(AppError::new(ErrorCode::BadInput, m));
        if a.id.is_empty() || a.id.contains(char::is_whitespace) {
            return bad(format!("acquirer id {:?}: one word, e.g. \"cup\"", a.id));
        }
        if a.name.zh.is_empty() && a.name.en.is_empty() {
            return bad(format!("acquirer {}: a name is needed", a.id));
        }
        if !(1..=365).contains(&a.response_days) {
            return bad(format!(
                "acquirer {}: response days {} — between 1 and 365",
                a.id, a.response_days
            ));
        }
        if let Some(c) = &a.cutoff {
            if parse_cutoff(c).is_none() {
                return bad(format!(
                    "acquirer {}: cutoff {c:?} — a time of day as HH:MM, e.g. \"23:00\"",
                    a.id
                ));
            }
        }
        if a.pre_auth_hold_days
            .is_some_and(|d| !(1..=365).contains(&d))
        {
            return bad(format!(
                "acquirer {}: pre-authorisation hold of {} days — between 1 and 365",
                a.id,
                a.pre_auth_hold_days.unwrap_or(0)
            ));
        }
        let email_ok = a.dispute_email.is_empty()
            || a.dispute_email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                && !a.dispute_email.contains(char::is_whitespace);
        if !email_ok {
            return bad(format!(
                "acquirer {}: {:?} is not an e-mail address",
                a.id, a.dispute_email
            ));
        }
        if a.hotline
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
        {
            return bad(format!(
                "acquirer {}: hotline {:?} — digits, spaces, + - ( ) only",
                a.id, a.hotline
            ));
        }
        let json = serde_json::to_string(&a)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.journal.set_acquirer(&a.id, &json)?;
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_directory_reads_and_warns() {
        let all = shipped();
        assert!(all.iter().any(|a| a.id == "cup" && a.hotline == "95516"));
        assert!(all
            .iter()
            .any(|a| a.id == "template" && a.hotline.is_empty()));
        assert!(all.iter().all(|a| !a.verified && a.response_days > 0));
        assert!(directory_note()
            .en
            .contains("check them against your contract"));
    }
}
