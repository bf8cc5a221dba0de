//! Head office (a shop chain's PostgreSQL): joining it, sending the journal to it,
//! and what head office does with it — shops, search across shops, verification.
//! The password never needs to be written into a file: it comes from
//! `SLIPKEEPER_HQ_PASSWORD` when the address carries none.

use crate::{AppError, Clock, ErrorCode};
use slipkeeper_hq::{office, sync, HqAddress, HqError, ShopCheck, ShopInfo, SyncReport};
use slipkeeper_journal::{Journal, TxnQuery};
use std::path::Path;
use std::time::Duration;

pub use slipkeeper_hq::office::HqCase;
pub use slipkeeper_hq::sync::DEFAULT_BATCH;
pub use slipkeeper_hq::HqRow;

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
        let zh = match &e {
            HqError::BadAddress(_) => {
                "总部地址不对：应为 postgres://用户名@主机/数据库".to_owned()
            }
            HqError::Connect { target, .. } => {
                format!("连不上 {target} 的总部数据库：请确认网络通、地址对，再试一次")
            }
            HqError::Db(m) => format!("总部数据库拒绝了：{m}"),
            HqError::NotAShop { role } => {
                format!("账号 {role} 不是任何一家门店的账号：请总部用“添加门店”给本店开一个")
            }
            HqError::AheadOfJournal { shop, theirs, ours } => format!(
                "总部已有门店 {shop} 的 {theirs} 条记录，本机日志只有 {ours} 条：打开的是不是本店的日志？"
            ),
            HqError::Diverged { shop, seq } => format!(
                "总部存的门店 {shop} 第 {seq} 条记录和本机日志不一样：本机日志被换过，或从别的门店的备份恢复过；什么都没有发送"
            ),
            HqError::Invalid(m) => format!("输入不对：{m}"),
            HqError::File { path, reason } => format!("{path}：{reason}"),
            _ => format!("总部出错（{e}）"),
        };
        AppError::new(code, e.to_string()).with_zh(zh)
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
    /// Connects with a password given apart from the address (a window's field);
    /// an empty one leaves the address's own (or [`PASSWORD_ENV`]'s).
    pub fn connect_with(url: &str, password: &str) -> Result<HeadOffice, AppError> {
        let mut a = address(url)?;
        if !password.is_empty() {
            a = a.with_password(password);
        }
        HeadOffice::open(a)
    }

    /// Connects to head office at `url` (its password in the URL, or from
    /// [`PASSWORD_ENV`]).
    pub fn connect(url: &str) -> Result<HeadOffice, AppError> {
        HeadOffice::connect_with(url, "")
    }

    fn open(address: HqAddress) -> Result<HeadOffice, AppError> {
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

    /// Adds a login that reads every shop and changes nothing.
    pub fn add_reader(&mut self, role: &str, password: &str) -> Result<(), AppError> {
        Ok(office::add_reader(&mut self.client, role, password)?)
    }

    /// Every shop and what head office holds of it.
    pub fn shops(&mut self) -> Result<Vec<ShopInfo>, AppError> {
        Ok(office::shops(&mut self.client)?)
    }

    /// Checks every shop's chain (or one shop's) as head office holds it.
    pub fn verify(&mut self, shop: Option<&str>) -> Result<Vec<ShopCheck>, AppError> {
        Ok(office::verify(&mut self.client, shop)?)
    }

    /// Every shop's cases, soonest deadline first; `due_within` days of `today`: only
    /// those still open and due by then (or overdue).
    pub fn cases(
        &mut self,
        due_within: Option<i64>,
        today: chrono::NaiveDate,
    ) -> Result<Vec<slipkeeper_hq::office::HqCase>, AppError> {
        let by = due_within.map(|d| today + chrono::TimeDelta::days(d));
        Ok(office::cases(&mut self.client, None, by)?)
    }

    /// Transactions matching `q` across every shop (or one), each with its shop.
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

/// How far around the transactions found a diagnosis at head office gathers the
/// shop's records: voids and refunds of older sales, later voids, batches settled
/// days later.
const GATHER: chrono::TimeDelta = chrono::TimeDelta::days(45);

/// A diagnosis made at head office, naming the shop.
#[derive(ts_rs::TS, Clone, Debug, serde::Serialize)]
pub struct ShopDiagnosis {
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
    /// The diagnosis, as the shop would get it.
    pub diagnosis: slipkeeper_domain::Diagnosis,
}

impl HeadOffice {
    /// Diagnoses a transaction of one shop as the shop itself would: the shop's
    /// records around it are copied into a temporary journal and the same diagnosis
    /// runs there, so head office and shop never answer differently. Found in several
    /// shops and `shop` not given: the shops are named and one must be chosen.
    pub fn diagnose(
        &mut self,
        shop: Option<&str>,
        complaint: slipkeeper_domain::Complaint,
        lookup: &crate::Lookup,
        clock: impl crate::Clock + 'static,
    ) -> Result<ShopDiagnosis, AppError> {
        let Some(mut q) = lookup.query() else {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "at head office, look a transaction up by voucher, RRN, auth code or amount and time",
            ));
        };
        q.limit = 500;
        let rows = self.search(&q, shop)?;
        let mut shops: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.shop_id.as_str(), r.shop_name.as_str()))
            .collect();
        shops.sort();
        shops.dedup();
        let (shop_id, shop_name) = match (shops.as_slice(), shop) {
            ([one], _) => (one.0.to_owned(), one.1.to_owned()),
            ([], Some(s)) => {
                let name = self
                    .shops()?
                    .into_iter()
                    .find(|x| x.shop_id == s)
                    .map(|x| x.name)
                    .ok_or_else(|| {
                        AppError::new(ErrorCode::NotFound, format!("head office has no shop {s:?}"))
                            .with_field("shop")
                    })?;
                (s.to_owned(), name)
            }
            ([], None) => {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    "no shop has sent such a transaction to head office; name the shop with --shop to diagnose it from that shop's records",
                ))
            }
            (many, _) => {
                let names: Vec<String> = many.iter().map(|(id, n)| format!("{n} ({id})")).collect();
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    format!(
                        "found in {} shops: {}; say which with --shop",
                        many.len(),
                        names.join(", ")
                    ),
                )
                .with_field("shop"));
            }
        };
        let dir = tempfile::tempdir().map_err(|e| {
            AppError::new(
                ErrorCode::Io,
                format!("a temporary folder for the diagnosis: {e}"),
            )
        })?;
        let file = dir.path().join("shop.jsonl");
        let mut out = Vec::new();
        let mut terminals: Vec<&str> = rows.iter().map(|r| r.terminal_id.as_str()).collect();
        terminals.sort();
        terminals.dedup();
        for t in terminals {
            let on_t = rows.iter().filter(|r| r.terminal_id == t);
            let first = on_t.clone().map(|r| r.occurred_at).min();
            let last = on_t.map(|r| r.occurred_at).max();
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            for line in slipkeeper_hq::office::lines_around(
                &mut self.client,
                &shop_id,
                t,
                first - GATHER,
                last + GATHER,
                last + GATHER * 2,
            )? {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
        std::fs::write(&file, &out).map_err(|e| AppError::io(&file, e))?;
        let mut app = crate::App::open(&dir.path().join("shop.db"), clock)?;
        if !out.is_empty() {
            app.import(&file)?;
        }
        let mut diagnosis = app.diagnose(complaint, lookup)?;
        // Row ids of the temporary journal mean nothing at head office or at the shop.
        for f in &mut diagnosis.facts {
            if let Some(id) = f.txn_id.take() {
                let tag = format!("#{id} ");
                for t in [&mut f.text.zh, &mut f.text.en] {
                    if let Some(rest) = t.strip_prefix(&tag) {
                        *t = rest.to_owned();
                    }
                }
            }
        }
        Ok(ShopDiagnosis {
            shop_id,
            shop_name,
            diagnosis,
        })
    }
}

/// A shop as a reconciliation at head office names it.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ShopRef {
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
}

/// One shop's share of a statement: its terminals' totals on both sides.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ShopTotals {
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
    /// Its merchant numbers on the statement.
    pub merchant_ids: Vec<String>,
    /// Its terminals on the statement.
    pub terminals: Vec<String>,
    /// Its transactions at head office in the period.
    pub journal_count: u64,
    /// Their sum, minor units.
    pub journal_minor: i64,
    /// Its lines on the statement.
    pub statement_count: u64,
    /// Their sum, minor units.
    pub statement_minor: i64,
    /// statement − journal.
    pub difference_minor: i64,
    /// Disagreements found for it.
    pub discrepancies: u64,
}

/// A statement covering several shops (several merchant numbers), reconciled against
/// every shop's journal at head office.
#[derive(ts_rs::TS, Clone, Debug, serde::Serialize)]
pub struct ShopsReconciliation {
    /// Statement lines paired with a shop's transaction.
    pub matched: u64,
    /// As a shop's reconciliation reads, over all shops (row ids and the list of
    /// matches left out: they were those of a temporary journal).
    pub report: crate::ReconcileReport,
    /// The shop of each discrepancy, in the same order (None: a terminal no shop has
    /// sent anything from).
    pub discrepancy_shops: Vec<Option<ShopRef>>,
    /// Per shop, and a last row for terminals no shop has sent.
    pub shops: Vec<ShopTotals>,
}

impl HeadOffice {
    /// Imports the acquirer's statement file(s) into a temporary journal together with
    /// every shop's transactions of the period they cover (or `period`), reconciles
    /// them as a shop would, and splits the result by shop through the terminals.
    pub fn reconcile(
        &mut self,
        files: &[std::path::PathBuf],
        mapping: Option<&str>,
        acquirer: Option<&str>,
        period: Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>,
        clock: impl crate::Clock + 'static,
    ) -> Result<ShopsReconciliation, AppError> {
        if files.is_empty() {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "at head office, give the acquirer's statement with --statement FILE",
            )
            .with_field("statement"));
        }
        let dir = tempfile::tempdir().map_err(|e| {
            AppError::new(
                ErrorCode::Io,
                format!("a temporary folder for the reconciliation: {e}"),
            )
        })?;
        let mut app = crate::App::open(&dir.path().join("all-shops.db"), clock)?;
        for f in files {
            app.import_statement(f, mapping, acquirer)?;
        }
        let (from, to) = match period {
            Some(p) => p,
            None => app.statement_period()?.ok_or_else(|| {
                AppError::new(
                    ErrorCode::BadInput,
                    "the statement has no lines to reconcile",
                )
            })?,
        };
        let lines = slipkeeper_hq::office::lines_between(&mut self.client, from, to)?;
        let terminals = slipkeeper_hq::office::terminal_shops(&mut self.client, from, to)?;
        let file = dir.path().join("all-shops.jsonl");
        let mut bytes = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in &lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.push(b'\n');
        }
        std::fs::write(&file, &bytes).map_err(|e| AppError::io(&file, e))?;
        if !lines.is_empty() {
            app.import(&file).map_err(|e| {
                AppError::new(
                    e.code,
                    format!(
                        "the shops' records cannot be put side by side (two shops with the same terminal number?): {}",
                        e.message
                    ),
                )
            })?;
        }
        let mut report = app.reconcile(from, to)?;
        let shop_of = |terminal: &str| -> Option<ShopRef> {
            terminals
                .iter()
                .find(|(t, ..)| t == terminal)
                .map(|(_, id, name, _)| ShopRef {
                    shop_id: id.clone(),
                    shop_name: name.clone(),
                })
        };
        let mut discrepancy_shops = Vec::new();
        for d in &mut report.result.discrepancies {
            let terminal = match (d.txn_id.take(), d.line_id.take()) {
                (Some(id), _) => Some(app.detail(id)?.row.txn.terminal_id.to_string()),
                (None, Some(id)) => app
                    .journal()
                    .statement_line(id)?
                    .0
                    .terminal_id
                    .map(|t| t.to_string()),
                (None, None) => None,
            };
            discrepancy_shops.push(terminal.as_deref().and_then(shop_of));
        }
        // Pairs of row ids of a temporary journal mean nothing after it is gone: kept
        // as a count.
        let matched = report.result.matches.len() as u64;
        report.result.matches.clear();
        let mut shops: Vec<ShopTotals> = Vec::new();
        for row in &report.result.totals {
            let who = shop_of(&row.terminal);
            let (id, name) = match &who {
                Some(s) => (s.shop_id.clone(), s.shop_name.clone()),
                None => (String::new(), "(no shop)".to_owned()),
            };
            let i = match shops.iter().position(|s| s.shop_id == id) {
                Some(i) => i,
                None => {
                    shops.push(ShopTotals {
                        shop_id: id.clone(),
                        shop_name: name,
                        ..ShopTotals::default()
                    });
                    shops.len() - 1
                }
            };
            let s = &mut shops[i];
            if !s.terminals.contains(&row.terminal) {
                s.terminals.push(row.terminal.clone());
            }
            s.journal_count += row.journal_count;
            s.journal_minor += row.journal_minor;
            s.statement_count += row.statement_count;
            s.statement_minor += row.statement_minor;
            s.difference_minor += row.difference_minor;
        }
        for s in &mut shops {
            s.merchant_ids = terminals
                .iter()
                .filter(|(_, id, ..)| *id == s.shop_id)
                .map(|(.., m)| m.clone())
                .collect();
            s.merchant_ids.sort();
            s.merchant_ids.dedup();
            s.discrepancies = discrepancy_shops
                .iter()
                .filter(|d| d.as_ref().map(|x| x.shop_id.as_str()).unwrap_or("") == s.shop_id)
                .count() as u64;
        }
        shops.sort_by(|a, b| {
            (a.shop_id.is_empty(), &a.shop_id).cmp(&(b.shop_id.is_empty(), &b.shop_id))
        });
        Ok(ShopsReconciliation {
            matched,
            report,
            discrepancy_shops,
            shops,
        })
    }
}

/// Head office's password for `user` at `address`, kept in the OS keyring (the
/// Secret Service on Linux, the Keychain on macOS, the Credential Manager on Windows),
/// never in a file Slipkeeper writes.
pub mod secret {
    use crate::{AppError, ErrorCode};

    const SERVICE: &str = "slipkeeper-head-office";

    fn entry(account: &str) -> Result<keyring::Entry, AppError> {
        keyring::Entry::new(SERVICE, account).map_err(|e| unavailable(&e))
    }

    fn unavailable(e: &keyring::Error) -> AppError {
        AppError::new(
            ErrorCode::NotSetUp,
            format!(
                "the OS keyring cannot keep head office's password ({e}); unlock your desktop's keyring (on Linux a Secret Service such as GNOME Keyring), or give the password in SLIPKEEPER_HQ_PASSWORD"
            ),
        )
        .with_field("hq")
    }

    /// Keeps `password` in the OS keyring under `account`.
    pub fn store(account: &str, password: &str) -> Result<(), AppError> {
        entry(account)?
            .set_password(password)
            .map_err(|e| unavailable(&e))
    }

    /// None when nothing is kept for `account`.
    pub fn load(account: &str) -> Result<Option<String>, AppError> {
        match entry(account)?.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }

    /// Removes what the keyring keeps for `account` (nothing kept is fine).
    pub fn forget(account: &str) -> Result<(), AppError> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

/// What a shop that joined head office keeps beside its journal
/// (`JOURNAL.head-office.json`): the address without its password (that is in the OS
/// keyring) and how often the link service sends.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Joined {
    /// The address as given, less its password.
    pub address: String,
    /// The key of the password in the OS keyring.
    pub account: String,
    /// The shop's id at head office.
    pub shop_id: String,
    /// Seconds between sends.
    pub every_seconds: u64,
}

/// How often the link service sends to head office unless told otherwise.
pub const DEFAULT_EVERY: u64 = 60;

/// A file beside the journal: its name with `suffix`.
fn beside(journal: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = journal
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    journal.with_file_name(name)
}

/// Where a journal keeps what it joined (`JOURNAL.head-office.json`).
pub fn joined_path(journal: &Path) -> std::path::PathBuf {
    beside(journal, ".head-office.json")
}

/// The shop's head office, when it joined one.
pub fn joined(journal: &Path) -> Result<Option<Joined>, AppError> {
    let path = joined_path(journal);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| AppError::new(ErrorCode::Corrupt, format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AppError::io(&path, e)),
    }
}

/// The keyring key of `address`'s password: the user and where.
fn account_of(a: &HqAddress) -> String {
    let shown = a.shown();
    let tail = shown.split_once('@').map(|(_, t)| t).unwrap_or(shown);
    let tail = tail.split('?').next().unwrap_or(tail);
    format!("{}@{tail}", a.user())
}

/// Joins head office as the shop whose role `url` names: checks the address and
/// password by connecting, then keeps the address beside the journal and the
/// password in the OS keyring. From then on `sync` and the link service need neither.
pub fn join(
    journal: &Path,
    url: &str,
    password: Option<&str>,
    every_seconds: u64,
) -> Result<Joined, AppError> {
    let mut a = address(url)?;
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        a = a.with_password(p);
    }
    if !a.has_password() {
        return Err(AppError::new(
            ErrorCode::BadInput,
            format!("the shop's password is needed once to join: give it in {PASSWORD_ENV}"),
        )
        .with_field("password"));
    }
    let mut h = HeadOffice::open(a)?;
    let shop_id = sync::shop_of(&mut h.client)?;
    // The password kept is the one that just connected.
    let account = account_of(&h.address);
    secret::store(&account, h.address.password().unwrap_or_default())?;
    let j = Joined {
        address: slipkeeper_hq::without_password(url),
        account,
        shop_id,
        every_seconds: every_seconds.max(1),
    };
    let text = serde_json::to_string_pretty(&j)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let path = joined_path(journal);
    std::fs::write(&path, text).map_err(|e| AppError::io(&path, e))?;
    tracing::info!(shop = %j.shop_id, hq = %j.address, "joined head office");
    Ok(j)
}

/// Leaves head office: the address and the kept password are removed (what head
/// office has stays there).
pub fn leave(journal: &Path) -> Result<bool, AppError> {
    let Some(j) = joined(journal)? else {
        return Ok(false);
    };
    secret::forget(&j.account)?;
    let path = joined_path(journal);
    std::fs::remove_file(&path).map_err(|e| AppError::io(&path, e))?;
    let status = sending_path(journal);
    if let Err(e) = std::fs::remove_file(&status) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(AppError::io(&status, e));
        }
    }
    Ok(true)
}

impl HeadOffice {
    /// Connects to the head office the shop joined, with the password from
    /// [`PASSWORD_ENV`] or else the OS keyring.
    pub fn connect_joined(journal: &Path) -> Result<HeadOffice, AppError> {
        let j = joined(journal)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotSetUp,
                "this shop has not joined a head office: slipkeeper --hq URL hq join (or give --hq)",
            )
            .with_field("hq")
        })?;
        let mut a = address(&j.address)?;
        if !a.has_password() {
            let pw = secret::load(&j.account)?.ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotSetUp,
                    format!(
                        "the OS keyring holds no password for {}: join again (slipkeeper --hq URL hq join)",
                        j.account
                    ),
                )
                .with_field("hq")
            })?;
            a = a.with_password(&pw);
        }
        HeadOffice::open(a)
    }
}

/// How the link service's sending went (`JOURNAL.head-office-status.json`, written by
/// the service): what Settings shows beside the head office the shop joined.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sending {
    /// When a round last went through (sent, or found nothing to send).
    pub last_ok_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why the last round failed; None when it went through.
    pub last_error: Option<String>,
    /// The newest record head office held after the last round that went through.
    pub head_office_seq: i64,
    /// The journal's newest record then.
    pub journal_seq: i64,
}

/// The head office a shop joined and how sending to it goes.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HeadOfficeLink {
    /// What the shop joined.
    pub joined: Joined,
    /// How sending goes.
    pub sending: Sending,
}

fn sending_path(journal: &Path) -> std::path::PathBuf {
    beside(journal, ".head-office-status.json")
}

/// How the service's sending went; the default when it has not tried yet.
pub fn sending(journal: &Path) -> Result<Sending, AppError> {
    let path = sending_path(journal);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| AppError::new(ErrorCode::Corrupt, format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Sending::default()),
        Err(e) => Err(AppError::io(&path, e)),
    }
}

fn record_sending(journal: &Path, s: &Sending) {
    let path = sending_path(journal);
    let written = serde_json::to_string_pretty(s)
        .map_err(|e| e.to_string())
        .and_then(|t| std::fs::write(&path, t).map_err(|e| e.to_string()));
    if let Err(e) = written {
        tracing::warn!(file = %path.display(), error = %e, "head office status not written");
    }
}

/// The link service's part: while the shop has joined a head office, send to it every
/// `every_seconds`; failures are logged, recorded for Settings and tried again next
/// time. Reads the joining afresh each round, so `hq join`/`hq leave` take effect
/// without a restart.
pub fn keep_sending(journal: &Path, clock: impl Clock, stopping: &dyn Fn() -> bool) {
    let mut next = std::time::Instant::now();
    while !stopping() {
        if std::time::Instant::now() >= next {
            let every = match joined(journal) {
                Ok(Some(j)) => {
                    let mut status = sending(journal).unwrap_or_default();
                    match HeadOffice::connect_joined(journal)
                        .and_then(|mut h| h.sync(journal, DEFAULT_BATCH))
                    {
                        Ok(r) => {
                            status = Sending {
                                last_ok_at: Some(clock.now()),
                                last_error: None,
                                head_office_seq: r.head_office_seq,
                                journal_seq: r.journal_seq,
                            };
                        }
                        Err(e) => {
                            tracing::warn!(code = ?e.code, error = %e.message, "sending to head office failed; trying again later");
                            status.last_error = Some(e.message);
                        }
                    }
                    record_sending(journal, &status);
                    j.every_seconds
                }
                Ok(None) => DEFAULT_EVERY,
                Err(e) => {
                    tracing::warn!(error = %e.message, "head office settings unreadable");
                    DEFAULT_EVERY
                }
            };
            next = std::time::Instant::now() + Duration::from_secs(every);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl crate::App {
    /// The head office this shop joined, if any, and how sending to it goes.
    pub fn head_office(&self) -> Result<Option<HeadOfficeLink>, AppError> {
        let path = self.journal().path();
        let Some(joined) = joined(path)? else {
            return Ok(None);
        };
        Ok(Some(HeadOfficeLink {
            joined,
            sending: sending(path)?,
        }))
    }

    /// Joins head office; the password goes to the OS keyring.
    pub fn join_head_office(
        &self,
        address: &str,
        password: &str,
        every_seconds: u64,
    ) -> Result<Joined, AppError> {
        join(
            self.journal().path(),
            address,
            Some(password),
            every_seconds,
        )
    }

    /// Stops sending to head office; whether the shop had joined one.
    pub fn leave_head_office(&self) -> Result<bool, AppError> {
        leave(self.journal().path())
    }

    /// Every shop's transactions at head office that the search text could mean
    /// (voucher, card's last four, amount, RRN, auth code), newest first.
    pub fn search_head_office(
        &self,
        address: &str,
        password: &str,
        text: &str,
    ) -> Result<Vec<HqRow>, AppError> {
        let q = text_query(text, TxnQuery::default());
        if q.any_of.is_empty() {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "type a voucher, the card's last four, an amount, an RRN or an auth code",
            )
            .with_field("search"));
        }
        HeadOffice::connect_with(address, password)?.search(&q, None)
    }

    /// One shop's transaction diagnosed at head office, as the shop would.
    pub fn diagnose_at_head_office(
        &self,
        address: &str,
        password: &str,
        shop_id: &str,
        complaint: slipkeeper_domain::Complaint,
        lookup: &crate::Lookup,
    ) -> Result<ShopDiagnosis, AppError> {
        HeadOffice::connect_with(address, password)?.diagnose(
            Some(shop_id),
            complaint,
            lookup,
            self.clock.clone(),
        )
    }

    /// Every shop's cases at head office, soonest deadline first.
    pub fn head_office_cases(
        &self,
        address: &str,
        password: &str,
        due_within: Option<i64>,
    ) -> Result<Vec<HqCase>, AppError> {
        let today = self.clock.local_now().date();
        HeadOffice::connect_with(address, password)?.cases(due_within, today)
    }

    /// The acquirer's statement file(s) against every shop, split by shop.
    pub fn reconcile_at_head_office(
        &self,
        address: &str,
        password: &str,
        paths: &[std::path::PathBuf],
    ) -> Result<ShopsReconciliation, AppError> {
        HeadOffice::connect_with(address, password)?.reconcile(
            paths,
            None,
            None,
            None,
            self.clock.clone(),
        )
    }
}
