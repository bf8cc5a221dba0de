//! Head office: every shop's journal in one PostgreSQL.
//!
//! Each shop pushes the entries of its journal's hash chain ([`sync`]); the database
//! accepts an entry only if it follows from the one before (a trigger recomputes the
//! hash) and only from the shop's own login role (row-level security). Head office
//! searches across shops ([`office::search`]) and re-checks every shop's chain
//! ([`office::verify`]). This crate is the only one that names `postgres`.

#![warn(missing_docs)]

mod connect;
mod error;
mod migrate;
pub mod office;
pub mod sync;

pub use connect::{connect, redact, without_password, HqAddress};
pub use error::HqError;
pub use migrate::{migrate, migration_hashes, MIGRATIONS};
pub use office::{HqRow, ShopCheck, ShopInfo};
pub use postgres::Client;
pub use sync::{SyncProgress, SyncReport};
