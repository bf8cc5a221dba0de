//! Embedded, append-only migrations, applied in one transaction and gated by
//! `PRAGMA user_version`.

use crate::{JournalError, APPLICATION_ID};
use rusqlite::Connection;
use std::path::Path;

/// (name, SQL). Append only; tests pin the hash of every released entry.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        "0002_statements",
        include_str!("../migrations/0002_statements.sql"),
    ),
    ("0003_cases", include_str!("../migrations/0003_cases.sql")),
    (
        "0004_amount_index",
        include_str!("../migrations/0004_amount_index.sql"),
    ),
    (
        "0005_masking",
        include_str!("../migrations/0005_masking.sql"),
    ),
    ("0006_links", include_str!("../migrations/0006_links.sql")),
    (
        "0007_statement_witness",
        include_str!("../migrations/0007_statement_witness.sql"),
    ),
];

/// The schema version from which card data is masked at the journal's boundary; a
/// journal migrated from before it has what it holds masked and re-chained.
const MASKING_FROM: u32 = 5;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the schema up to date. Returns whether the chain was rewritten (masking
/// what an older version stored).
pub(crate) fn migrate(conn: &Connection, path: &Path) -> Result<bool, JournalError> {
    // Read the version under the write lock: two processes opening a new journal at
    // once must not both create it (the second waits, then finds it current).
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let app_id: i32 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if app_id != 0 || version != 0 || tables != 0 {
            return Err(JournalError::NotAJournal {
                path: path.to_owned(),
                reason: "it is an SQLite database of another program".into(),
            });
        }
    }
    if version > SCHEMA_VERSION {
        return Err(JournalError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(false);
    }
    for (_, sql) in &MIGRATIONS[version as usize..] {
        tx.execute_batch(sql)?;
    }
    let mut rewritten = false;
    if version > 0 && version < MASKING_FROM {
        rewritten = crate::remask::remask(
            &tx,
            "card data masked by the migration to schema 5 (full card numbers in \
             slips, frames and free text are no longer kept)",
        )? > 0;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(rewritten)
}

/// Names and SHA-256 of the embedded migrations, for the append-only test.
pub fn migration_hashes() -> Vec<(String, String)> {
    use sha2::{Digest, Sha256};
    MIGRATIONS
        .iter()
        .map(|(n, sql)| (n.to_string(), hex::encode(Sha256::digest(sql.as_bytes()))))
        .collect()
}
