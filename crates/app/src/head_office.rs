//! Head office (a shop chain's PostgreSQL): joining it, sending the journal to it,
//! and what head office does with it — shops, search across shops, verification.
//! The password never needs to be written into a file: it comes from
//! `SLIPKEEPER_HQ_PASSWORD` when the address carries none.

use crate::{AppError, ErrorCode};
use slipkeeper_hq::{office, sync, HqAddress, HqError, HqRow, ShopCheck, ShopInfo, SyncReport};
use slipkeeper_journal::{Journal, TxnQuery};
use std::path::Path;
use std::time::Duration;

pub use slipkeeper_hq::sync::DEFAULT_BATCH;

/// The environment variable a password is read from when the address has none.
pub const PASSWORD_ENV: &str = "SLIPKEEPER_HQ_PASSWORD";

impl From<HqError> for AppError {
    fn from(e: HqError) -> Self {
        let code = match e {
            HqError::Journal(j) => return AppError::from(j),
            HqError::BadAddress(_) | HqError::Invalid(_) => ErrorCode::BadInput,
            HqError::File { .. } => ErrorCode::Io,
            HqError::AheadOfJournal { .. } | HqError::Diverged { .. } => ErrorCode::Corrupt,
            _ => ErrorCode::HeadOffice,
        };
        AppError::new(code, e.to_string())
    }
}

/// Reads a head-office address, taking the password from [`PASSWORD_ENV`] when the
/// address has none.
pub fn address(url: &str) -> Result<HqAddress, AppError> {
    let a = HqAddress::parse(url).map_err(|e| AppError::from(e).with_field("hq"))?;
    Ok(match std::env::var(PASSWORD_ENV) {
        Ok(p) if !a.has_password() && !p.is_empty() => a.with_password(&p),
        _ => a,
    })
}

/// A connection to head office.
pub struct HeadOffice {
    client: slipkeeper_hq::Client,
    address: HqAddress,
}

impl std::fmt::Debug for HeadOffice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadOffice")
            .field("address", &self.address.shown())
            .finish()
    }
}

impl HeadOffice {
    pub fn connect(url: &str) -> Result<HeadOffice, AppError> {
        let address = address(url)?;
        let client = slipkeeper_hq::connect(&address)?;
        tracing::info!(hq = %address.shown(), "connected to head office");
        Ok(HeadOffice { client, address })
    }

    /// Creates or updates head office's schema (its administrator).
    pub fn init(&mut self) -> Result<Vec<&'static str>, AppError> {
        Ok(slipkeeper_hq::migrate(&mut self.client)?)
    }

    /// Adds a shop; returns the role it sends with.
    pub fn add_shop(&mut self, id: &str, name: &str, password: &str) -> Result<String, AppError> {
        Ok(office::add_shop(&mut self.client, id, name, password)?)
    }

    pub fn add_reader(&mut self, role: &str, password: &str) -> Result<(), AppError> {
        Ok(office::add_reader(&mut self.client, role, password)?)
    }

    pub fn shops(&mut self) -> Result<Vec<ShopInfo>, AppError> {
        Ok(office::shops(&mut self.client)?)
    }

    pub fn verify(&mut self, shop: Option<&str>) -> Result<Vec<ShopCheck>, AppError> {
        Ok(office::verify(&mut self.client, shop)?)
    }

    pub fn search(&mut self, q: &TxnQuery, shop: Option<&str>) -> Result<Vec<HqRow>, AppError> {
        Ok(office::search(&mut self.client, q, shop)?)
    }

    /// Sends what head office lacks of the journal at `db` (read only: the mirror and
    /// the proxy never wait for it).
    pub fn sync(&mut self, db: &Path, batch: usize) -> Result<SyncReport, AppError> {
        let journal = Journal::open_read_only(db)?;
        let r = sync::sync(&journal, &mut self.client, batch, &mut |p| {
            tracing::debug!(sent = p.sent, upto = p.head_office_seq, "sync progress");
        })?;
        tracing::info!(
            shop = %r.shop_id,
            sent = r.sent,
            head_office = r.head_office_seq,
            "synced with head office"
        );
        Ok(r)
    }
}

/// A search box's text read as every field it could be (voucher, card's last four,
/// amount, RRN, auth code), as the journal reads it: what `--hq journal search`
/// asks head office.
pub fn text_query(text: &str, mut q: TxnQuery) -> TxnQuery {
    q.any_of = crate::find::readings(text)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    q.text = None;
    q
}

/// Keeps sending, every `every`, until `stop` says so. Failures (head office down, a
/// dropped line) are logged and retried on the next round; the journal is untouched.
pub fn sync_forever(
    db: &Path,
    url: &str,
    batch: usize,
    every: Duration,
    stop: &dyn Fn() -> bool,
    report: &mut dyn FnMut(Result<&SyncReport, &AppError>),
) {
    let mut hq: Option<HeadOffice> = None;
    while !stop() {
        let result = (|| {
            if hq.is_none() {
                hq = Some(HeadOffice::connect(url)?);
            }
            let Some(h) = hq.as_mut() else {
                return Err(AppError::new(ErrorCode::Internal, "no connection"));
            };
            h.sync(db, batch)
        })();
        match &result {
            Ok(r) => report(Ok(r)),
            Err(e) => {
                tracing::warn!(code = ?e.code, error = %e.message, "sync with head office failed; retrying");
                hq = None;
                report(Err(e));
            }
        }
        let until = std::time::Instant::now() + every;
        while std::time::Instant::now() < until && !stop() {
            std::thread::sleep(Duration::from_millis(200).min(every));
        }
    }
}

/// A password for a new shop's role: 24 hex characters from the OS's random source,
/// shown once to the person adding the shop.
pub fn new_password() -> Result<String, AppError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("no random source for a password: {e}"),
        )
    })?;
    Ok(hex::encode(bytes))
}
