use clap::{Args, Parser, Subcommand};
use slipkeeper_app::{AppError, ErrorCode};
use slipkeeper_domain::{AuthCode, BatchNo, MerchantId, Rrn, TerminalId, TraceNo};
use std::path::PathBuf;

/// Slipkeeper (签购单管家): the card-terminal journal of your shop.
#[derive(Debug, Parser)]
#[command(name = "slipkeeper", version, about)]
pub struct Cli {
    /// Journal file (default: the platform data folder, e.g. ~/.local/share/slipkeeper/journal.db).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Machine-readable JSON output (errors as {"code","message"} on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Head office's database (postgres://USER@HOST/DB[?sslmode=require&sslrootcert=FILE]):
    /// for `hq`, `sync` and `journal list|search` across every shop. The password comes
    /// from SLIPKEEPER_HQ_PASSWORD, so it is not kept in shell history or files.
    #[arg(long, global = true, env = "SLIPKEEPER_HQ", value_name = "URL")]
    pub hq: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[allow(clippy::large_enum_variant)] // parsed once per run
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the link service in the foreground: every link of `slipkeeper link list`,
    /// reconnecting, with a control channel on 127.0.0.1. What the OS starts.
    Serve,
    /// The link service: install it to start with the OS, start, stop, ask how it is.
    Service {
        #[command(subcommand)]
        cmd: ServiceCmd,
    },
    /// The terminal links the service runs (mirrors and cash-register proxies).
    Link {
        #[command(subcommand)]
        cmd: LinkCmd,
    },
    /// For a support person: `support bundle OUT.zip` (logs, check and verify results,
    /// versions, links; never slip text or card data).
    Support {
        #[command(subcommand)]
        cmd: SupportCmd,
    },
    /// Head office (a chain's PostgreSQL): set it up, add shops and readers, list
    /// shops, verify every shop's chain. Needs --hq.
    Hq {
        #[command(subcommand)]
        cmd: crate::hq::HqCmd,
    },
    /// Send this journal's records to head office (--hq, or the one joined with `hq
    /// join`): what it lacks, in batches, resumable; with --every, keep sending until
    /// stopped (the link service does this by itself for a shop that joined).
    Sync {
        /// Send again every this many seconds, until stopped.
        #[arg(long, value_name = "SECONDS")]
        every: Option<u64>,
        /// Records per batch (one transaction at head office each).
        #[arg(long, default_value_t = slipkeeper_app::head_office::DEFAULT_BATCH)]
        batch: usize,
    },
    /// Look at and check the journal.
    Journal {
        #[command(subcommand)]
        cmd: crate::journal::JournalCmd,
    },
    /// Import a JSON Lines file (the format `journal export` writes). All or nothing.
    Import { file: PathBuf },
    /// Back up and restore the journal file.
    Db {
        #[command(subcommand)]
        cmd: crate::back_office::DbCmd,
    },
    /// Back-office commands to the counter terminal (ZVT over LAN); everything it
    /// answers is mirrored into the journal.
    Terminal {
        /// The terminal's address, e.g. 192.168.1.50:20007.
        #[arg(long, value_name = "HOST:PORT")]
        tcp: String,
        /// The terminal's merchant password (6 digits).
        #[arg(long, default_value_t = 0)]
        password: u32,
        #[command(subcommand)]
        cmd: crate::back_office::TerminalCmd,
    },
    /// ECR mode: stay connected to the terminal and mirror everything it says, until
    /// stopped (reconnects by itself).
    Connect(crate::counter::ConnectArgs),
    /// ZVT tools for support.
    Zvt {
        #[command(subcommand)]
        cmd: crate::zvt::ZvtCmd,
    },
    /// Reprint slips, marked 重打印 REPRINT: one voucher, or every transaction from
    /// --from to --to; to a PDF, an ESC/POS printer, a system printer, or as text.
    Reprint(crate::reprint::ReprintArgs),
    /// Proxy mode: sit between the cash register and the terminal, relay every byte
    /// unchanged, and mirror each transaction into the journal. Runs until stopped.
    Proxy(crate::counter::ProxyArgs),
    /// The acquirer's statements (对账单): import them, and manage column mappings.
    Statement {
        #[command(subcommand)]
        cmd: StatementCmd,
    },
    /// Compare the journal with the imported statements: what matched, what is missing
    /// on either side, totals per day, terminal and card type.
    Reconcile {
        /// From this date or time (default: the start of the imported statements).
        #[arg(long)]
        from: Option<String>,
        /// To this date (inclusive) or time (default: their end).
        #[arg(long)]
        to: Option<String>,
        /// At head office (--hq): the acquirer's statement file(s), covering any number
        /// of shops and merchant numbers.
        #[arg(long, value_name = "FILE")]
        statement: Vec<PathBuf>,
        /// At head office: the statement's column mapping (as `statement import`).
        #[arg(long)]
        mapping: Option<String>,
        /// At head office: the acquirer (as `statement import`).
        #[arg(long)]
        acquirer: Option<String>,
        #[command(subcommand)]
        cmd: Option<ReconcileCmd>,
    },
    /// What happened to a transaction and what to do about it.
    Diagnose {
        #[command(flatten)]
        find: LookupArgs,
        /// void-failed, receipt-lost, charged-twice, not-in-acquirer-back-end, dispute, other.
        #[arg(long, default_value = "other", value_parser = complaint)]
        complaint: slipkeeper_domain::Complaint,
        /// At head office (--hq): the shop, when the transaction is found in several.
        #[arg(long)]
        shop: Option<String>,
    },
    /// Step by step: the problem, the diagnosis, what the acquirer will ask, a phone
    /// script and a letter, the evidence pack, and a case to follow it up (interactive).
    Contact,
    /// Cases with the acquirer.
    Case {
        #[command(subcommand)]
        cmd: CaseCmd,
    },
    /// Evidence packs for a case.
    Evidence {
        #[command(subcommand)]
        cmd: EvidenceCmd,
    },
    /// The shop's details used in letters to the acquirer.
    Merchant {
        #[command(subcommand)]
        cmd: MerchantCmd,
    },
    /// The acquirer directory (hotlines, addresses, documents, response times).
    Acquirer {
        #[command(subcommand)]
        cmd: AcquirerCmd,
    },
    /// Demo data for trying Slipkeeper without a terminal.
    Demo {
        #[command(subcommand)]
        cmd: DemoCmd,
    },
}

/// How to find the transaction: one of voucher, RRN, auth code, or amount and time.
#[derive(Debug, Args, Clone)]
pub struct LookupArgs {
    /// Voucher number (凭证号).
    #[arg(long, conflicts_with_all = ["rrn", "auth", "amount"])]
    pub voucher: Option<TraceNo>,
    /// Reference number (参考号).
    #[arg(long, conflicts_with_all = ["auth", "amount"])]
    pub rrn: Option<Rrn>,
    /// Authorisation code (授权码).
    #[arg(long, conflicts_with = "amount")]
    pub auth: Option<AuthCode>,
    /// Amount in yuan, with --at.
    #[arg(long, requires = "at")]
    pub amount: Option<String>,
    /// About when ("YYYY-MM-DD HH:MM"), with --amount.
    #[arg(long, requires = "amount")]
    pub at: Option<String>,
    /// Last four digits of the card, with --amount.
    #[arg(long, requires = "amount")]
    pub last4: Option<String>,
    #[arg(long)]
    pub terminal: Option<TerminalId>,
    #[arg(long, requires = "voucher")]
    pub batch: Option<BatchNo>,
}

#[derive(Debug, Subcommand)]
pub enum CaseCmd {
    /// Open a case: diagnoses the transaction and sets the deadline from the acquirer.
    New {
        #[command(flatten)]
        find: LookupArgs,
        /// void-failed, receipt-lost, charged-twice, not-in-acquirer-back-end, dispute, other.
        #[arg(long, default_value = "other", value_parser = complaint)]
        complaint: slipkeeper_domain::Complaint,
        /// Acquirer id (`acquirer list`).
        #[arg(long)]
        acquirer: Option<String>,
        /// A reconciliation's statement line this case is about.
        #[arg(long)]
        statement_line: Option<i64>,
    },
    /// Cases with status and days left.
    List {
        /// Only open cases due within this many days (or overdue).
        #[arg(long)]
        due_within: Option<i64>,
    },
    Show {
        id: i64,
    },
    /// Change status (open, submitted, waiting, won, lost, withdrawn), the acquirer's
    /// reference, the deadline, or add a note.
    Update {
        id: i64,
        #[arg(long)]
        status: Option<String>,
        #[arg(long = "ref")]
        reference: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCmd {
    /// Build the ZIP for a case: letter, reprint, journal excerpt, raw frames,
    /// integrity data, attachments, manifest and a draft e-mail.
    Build {
        case: i64,
        #[arg(long, value_name = "PACK.zip")]
        out: PathBuf,
        /// Photos or scans (JPEG, PNG, PDF; up to 10 MB each).
        #[arg(long = "attach", value_name = "FILE")]
        attach: Vec<PathBuf>,
    },
    /// Check every hash in a pack.
    Verify { pack: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum MerchantCmd {
    Show,
    /// Set fields of the profile (the others stay).
    Set {
        #[arg(long)]
        shop_name: Option<String>,
        #[arg(long)]
        merchant_no: Option<MerchantId>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AcquirerCmd {
    List,
    Show {
        id: String,
    },
    /// Save an entry from a JSON file (as `acquirer show ID --json` prints), e.g. with
    /// the numbers from your contract.
    Set {
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum StatementCmd {
    /// Import a statement file (CSV in UTF-8 or GBK, or XLSX). All or nothing; the same
    /// file twice imports nothing.
    Import {
        file: PathBuf,
        /// Which acquirer sent it (kept with the statement).
        #[arg(long)]
        acquirer: Option<String>,
        /// A mapping id (`statement mappings` lists them); default: the first whose
        /// header the file has.
        #[arg(long)]
        mapping: Option<String>,
    },
    /// Imported statement files.
    List,
    /// Column mappings: built in and saved.
    Mappings,
    /// Propose a mapping from a file's header row (prints JSON to review and save).
    Propose {
        file: PathBuf,
        #[arg(long, default_value = "custom")]
        id: String,
    },
    /// Save a mapping (JSON, as `propose` prints) for later imports.
    SaveMapping { file: PathBuf },
    /// A folder (e.g. Downloads) from which the link service imports new statement
    /// files as they appear; without arguments, shows the folder and what it did last.
    Watch {
        /// The folder to watch.
        #[arg(conflicts_with = "off")]
        folder: Option<PathBuf>,
        /// Stop watching.
        #[arg(long)]
        off: bool,
        /// Import what is new in the folder now, once.
        #[arg(long)]
        scan: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReconcileCmd {
    /// Write the reconciliation as CSV (discrepancies, matches, totals).
    Export {
        #[arg(long, value_name = "OUT.csv")]
        csv: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCmd {
    /// Add COUNT demo transactions (idempotent).
    Seed {
        #[arg(long, default_value_t = 500)]
        count: u64,
    },
    /// The demo shop's week as of today: two terminals, nightly settlements, today's
    /// open batch, a failed void to try, a payment the mirror missed, and the
    /// acquirer's statement saved in the exports folder (idempotent).
    Story,
    /// Run the built-in demo terminal (a ZVT simulator) until interrupted.
    Terminal,
    /// Make a demo payment of AMOUNT yuan on a (demo) terminal.
    Pay {
        #[arg(long, value_name = "HOST:PORT")]
        tcp: String,
        amount: String,
    },
    /// Write COUNT demo transactions as JSON Lines, without a journal.
    Jsonl {
        #[arg(long, default_value_t = 500)]
        count: u64,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub use slipkeeper_app::forms::parse_when;

impl LookupArgs {
    pub fn to_lookup(&self) -> Result<slipkeeper_app::Lookup, AppError> {
        use slipkeeper_app::forms::{field_error, parse_amount};
        use slipkeeper_app::Lookup;
        if let Some(v) = &self.voucher {
            return Ok(Lookup::Voucher {
                voucher: v.clone(),
                terminal: self.terminal.clone(),
                batch: self.batch.clone(),
            });
        }
        if let Some(r) = &self.rrn {
            return Ok(Lookup::Rrn { rrn: r.clone() });
        }
        if let Some(a) = &self.auth {
            return Ok(Lookup::Auth {
                auth: a.clone(),
                terminal: self.terminal.clone(),
            });
        }
        if let (Some(amount), Some(at)) = (&self.amount, &self.at) {
            if let Some(l) = &self.last4 {
                if l.len() != 4 || !l.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(field_error(
                        "last4",
                        l,
                        "needs the card's last four digits",
                        "只要卡号的后四位",
                    ));
                }
            }
            return Ok(Lookup::AmountTime {
                amount_minor: parse_amount("amount", amount)?,
                at: parse_when("at", at, false)?,
                last4: self.last4.clone(),
                terminal: self.terminal.clone(),
            });
        }
        Err(AppError::new(
            ErrorCode::BadInput,
            "say which transaction: --voucher N, --rrn R, --auth A, or --amount X --at TIME [--last4 D]",
        ))
    }
}

/// `--complaint`: void-failed as well as void_failed (the domain's own reading).
pub fn complaint(s: &str) -> Result<slipkeeper_domain::Complaint, String> {
    slipkeeper_domain::Complaint::parse(&s.replace('-', "_")).ok_or_else(|| {
        format!("{s:?}: expected void-failed, receipt-lost, charged-twice, not-in-acquirer-back-end, dispute or other")
    })
}

#[derive(Debug, Subcommand)]
pub enum ServiceCmd {
    /// Whether the service runs, and each link's state.
    Status,
    /// Start it (through systemd when it is installed there).
    Start,
    /// Stop it; the links stop with it.
    Stop,
    /// Have the OS start it at logon (systemd user unit) or at boot (--system).
    Install {
        /// A system unit for a headless box next to the terminal (run as root);
        /// the service runs as --user.
        #[arg(long)]
        system: bool,
        /// The account a system unit runs as.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Write the unit only; do not enable or start it.
        #[arg(long)]
        no_enable: bool,
    },
    /// Remove what `install` wrote (and stop it).
    Uninstall {
        #[arg(long)]
        system: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LinkCmd {
    /// The configured links.
    List,
    /// Add a link: a terminal on the network or a serial line, or a proxy between a
    /// cash register and its terminal. The running service picks it up.
    Add {
        /// The terminal on the network, HOST[:PORT] (port 20007 when none is given).
        #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "serial")]
        tcp: Option<String>,
        /// The terminal on a serial line or USB (e.g. /dev/ttyACM0, COM3).
        #[arg(long, value_name = "DEVICE")]
        serial: Option<String>,
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// Proxy mode: the cash register connects to this port on every interface,
        /// and Slipkeeper relays to --tcp.
        #[arg(long, value_name = "PORT", requires = "tcp")]
        proxy_listen: Option<u16>,
        /// Proxy mode on serial lines: the cash register's cable on this port, the
        /// terminal's on --serial.
        #[arg(long, value_name = "DEVICE", requires = "serial")]
        register_serial: Option<String>,
    },
    /// Remove a link by its id (from `link list`).
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SupportCmd {
    /// Write the support bundle to OUT (a ZIP).
    Bundle { out: PathBuf },
}
