//! The command line as a whole: the global flags and the list of subcommands. Each
//! subcommand's own arguments live in its module, beside its `run`.

use crate::*;
use clap::{Parser, Subcommand};
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
        cmd: service::ServiceCmd,
    },
    /// The terminal links the service runs (mirrors and cash-register proxies).
    Link {
        #[command(subcommand)]
        cmd: link::LinkCmd,
    },
    /// For a support person: `support bundle OUT.zip` (logs, check and verify results,
    /// versions, links; never slip text or card data).
    Support {
        #[command(subcommand)]
        cmd: support::SupportCmd,
    },
    /// Head office (a chain's PostgreSQL): set it up, add shops and readers, list
    /// shops, verify every shop's chain. Needs --hq.
    Hq {
        #[command(subcommand)]
        cmd: hq::HqCmd,
    },
    /// Send this journal's records to head office (--hq, or the one joined with `hq
    /// join`): what it lacks, in batches, resumable; with --every, keep sending until
    /// stopped (the link service does this by itself for a shop that joined).
    Sync(sync::SyncArgs),
    /// Look at and check the journal.
    Journal {
        #[command(subcommand)]
        cmd: journal::JournalCmd,
    },
    /// Import a JSON Lines file (the format `journal export` writes). All or nothing.
    Import(import::ImportArgs),
    /// Back up and restore the journal file.
    Db {
        #[command(subcommand)]
        cmd: db::DbCmd,
    },
    /// Back-office commands to the counter terminal (ZVT over LAN); everything it
    /// answers is mirrored into the journal.
    Terminal(terminal::TerminalArgs),
    /// ECR mode: stay connected to the terminal and mirror everything it says, until
    /// stopped (reconnects by itself).
    Connect(connect::ConnectArgs),
    /// ZVT tools for support.
    Zvt {
        #[command(subcommand)]
        cmd: zvt::ZvtCmd,
    },
    /// Reprint slips, marked 重打印 REPRINT: one voucher, or every transaction from
    /// --from to --to; to a PDF, an ESC/POS printer, a system printer, or as text.
    Reprint(reprint::ReprintArgs),
    /// Proxy mode: sit between the cash register and the terminal, relay every byte
    /// unchanged, and mirror each transaction into the journal. Runs until stopped.
    Proxy(proxy::ProxyArgs),
    /// The acquirer's statements (对账单): import them, and manage column mappings.
    Statement {
        #[command(subcommand)]
        cmd: statement::StatementCmd,
    },
    /// Compare the journal with the imported statements: what matched, what is missing
    /// on either side, totals per day, terminal and card type.
    Reconcile(reconcile::ReconcileArgs),
    /// What happened to a transaction and what to do about it.
    Diagnose(diagnose::DiagnoseArgs),
    /// Step by step: the problem, the diagnosis, what the acquirer will ask, a phone
    /// script and a letter, the evidence pack, and a case to follow it up (interactive).
    Contact,
    /// Cases with the acquirer.
    Case {
        #[command(subcommand)]
        cmd: case::CaseCmd,
    },
    /// Evidence packs for a case.
    Evidence {
        #[command(subcommand)]
        cmd: evidence::EvidenceCmd,
    },
    /// The shop's details used in letters to the acquirer.
    Merchant {
        #[command(subcommand)]
        cmd: merchant::MerchantCmd,
    },
    /// The acquirer directory (hotlines, addresses, documents, response times).
    Acquirer {
        #[command(subcommand)]
        cmd: acquirer::AcquirerCmd,
    },
    /// Demo data for trying Slipkeeper without a terminal.
    Demo {
        #[command(subcommand)]
        cmd: demo::DemoCmd,
    },
}

impl Command {
    /// The commands that may start a journal — importing, seeding the demo, statements,
    /// linking to a terminal (a new shop's first command) — so that a mistyped --db is
    /// an error for every other command, not a new empty journal that "verifies". Their
    /// `run` opens the journal with `Ctx::start_journal`; no other command's does.
    pub fn starts_journal(&self) -> bool {
        matches!(
            self,
            Command::Import(_)
                | Command::Statement { .. }
                | Command::Terminal(_)
                | Command::Connect(_)
                | Command::Proxy(_)
                | Command::Link { .. }
                | Command::Demo {
                    cmd: demo::DemoCmd::Seed { .. }
                        | demo::DemoCmd::Pay { .. }
                        | demo::DemoCmd::Story,
                }
        )
    }

    /// Commands that change the journal or talk to a terminal log what they do into the
    /// journal's log folder; reading commands leave no trace (and run in folders they
    /// cannot write to).
    pub fn logs_to_file(&self) -> bool {
        self.starts_journal()
            || matches!(
                self,
                Command::Db { .. }
                    | Command::Sync(_)
                    | Command::Case { .. }
                    | Command::Evidence {
                        cmd: evidence::EvidenceCmd::Build { .. },
                    }
            )
    }
}
