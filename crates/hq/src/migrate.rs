//! Versioned, append-only migrations of the head-office schema, applied under an
//! advisory lock so two shops joining at once do not both apply them.

use crate::HqError;
use postgres::Client;
use sha2::{Digest, Sha256};

/// (name, SQL). Append only: a released entry never changes (tests pin its hash, and
/// `migrate` refuses a database whose applied entry hashes differently).
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_head_office",
        include_str!("../migrations/0001_head_office.sql"),
    ),
    ("0002_cases", include_str!("../migrations/0002_cases.sql")),
];

/// An arbitrary constant naming this schema's advisory lock.
const LOCK: i64 = 0x5_1195_0ffe;

/// Each migration's name and the SHA-256 of its SQL, in order: pinned by a test so an
/// applied migration is never changed.
pub fn migration_hashes() -> Vec<(&'static str, String)> {
    MIGRATIONS
        .iter()
        .map(|(n, sql)| (*n, hex::encode(Sha256::digest(sql.as_bytes()))))
        .collect()
}

/// Brings the schema up to date; returns the names applied now.
pub fn migrate(client: &mut Client) -> Result<Vec<&'static str>, HqError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS hq_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             sha256     text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let applied: Vec<(i32, String, String)> = tx
        .query(
            "SELECT version, name, sha256 FROM hq_migrations ORDER BY version",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let hashes = migration_hashes();
    if let Some((v, _, _)) = applied
        .iter()
        .find(|(v, _, _)| *v as usize > MIGRATIONS.len())
    {
        return Err(HqError::Invalid(format!(
            "head office's schema is version {v}, newer than this Slipkeeper knows ({}); update Slipkeeper",
            MIGRATIONS.len()
        )));
    }
    for (v, name, sha) in &applied {
        let (want_name, want_sha) = &hashes[*v as usize - 1];
        if name != want_name || sha != want_sha {
            return Err(HqError::Invalid(format!(
                "head office's migration {v} ({name}) is not the one this Slipkeeper ships ({want_name}); the schema was changed by hand"
            )));
        }
    }
    let mut done = Vec::new();
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied.len()) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO hq_migrations (version, name, sha256) VALUES ($1, $2, $3)",
            &[&(i as i32 + 1), name, &hashes[i].1],
        )?;
        done.push(*name);
    }
    tx.commit()?;
    Ok(done)
}
