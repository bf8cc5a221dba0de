//! `slipkeeper`: the journal from the command line. Headless: it links no GUI library,
//! so it runs on a server, in a script or over SSH.

/// `println!` for everything the CLI prints: a closed stdout (`slipkeeper … | head`)
/// means the reader has what it wanted, so the program ends quietly, as one killed by
/// SIGPIPE would, instead of panicking.
macro_rules! say {
    () => { $crate::say_line(format_args!("")) };
    ($($t:tt)*) => { $crate::say_line(format_args!($($t)*)) };
}

mod args;
mod back_office;
mod cases;
mod counter;
mod hq;
mod journal;
mod output;
mod recon;
mod reprint;
mod service;
mod zvt;

use args::{Cli, Command, DemoCmd};
use clap::Parser;
use journal::JournalCmd;
use slipkeeper_app::{clock_from_env, App, AppError, ErrorCode, TerminalCommand};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if json {
                eprintln!(
                    "{}",
                    serde_json::to_string(&e).unwrap_or_else(|_| e.message.clone())
                );
            } else {
                eprintln!("slipkeeper: {}", e.message);
            }
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn say_line(line: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        quit_on_write_error(e);
    }
}

/// Where stdout cannot be written: a reader that went away ends the program quietly
/// (exit 0, nothing half-written is left: every write was committed before it is
/// reported); any other failure is said on stderr.
pub(crate) fn quit_on_write_error(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("slipkeeper: cannot write the output: {e}");
    std::process::exit(1);
}

/// Stdout for long outputs (exports): a reader gone away ends the program quietly.
pub(crate) struct QuietStdout;

impl Write for QuietStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stdout()
            .write(buf)
            .or_else(|e| quit_on_write_error(e))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout()
            .flush()
            .or_else(|e| quit_on_write_error(e))
    }
}

/// The commands that may start a journal — importing, seeding the demo, statements,
/// linking to a terminal (a new shop's first command) — so that a mistyped --db is an
/// error for every other command, not a new empty journal that "verifies".
fn starts_journal(c: &Command) -> bool {
    matches!(
        c,
        Command::Import { .. }
            | Command::Statement { .. }
            | Command::Terminal { .. }
            | Command::Connect(_)
            | Command::Proxy(_)
            | Command::Link { .. }
            | Command::Demo {
                cmd: DemoCmd::Seed { .. } | DemoCmd::Pay { .. } | DemoCmd::Story,
            }
    )
}

/// Commands that change the journal or talk to a terminal log what they do into the
/// journal's log folder; reading commands leave no trace (and run in folders they
/// cannot write to).
fn logs_to_file(c: &Command) -> bool {
    starts_journal(c)
        || matches!(
            c,
            Command::Db { .. }
                | Command::Sync { .. }
                | Command::Case { .. }
                | Command::Evidence {
                    cmd: args::EvidenceCmd::Build { .. },
                }
        )
}

fn run(cli: Cli) -> Result<ExitCode, AppError> {
    let db = match &cli.db {
        Some(p) => p.clone(),
        None => slipkeeper_app::default_db_path()?,
    };
    let folder_exists = db
        .parent()
        .is_none_or(|p| p.as_os_str().is_empty() || p.is_dir());
    let _log = if logs_to_file(&cli.command) && folder_exists {
        match slipkeeper_app::logs::start_logging(&db, "cli", "info") {
            Ok(g) => Some(g),
            Err(e) => {
                eprintln!("slipkeeper: no log file: {}", e.message);
                None
            }
        }
    } else {
        None
    };
    let result = run_on(cli, db);
    if let Err(e) = &result {
        tracing::warn!(code = ?e.code, error = %e.message, "command failed");
    }
    result
}

fn run_on(cli: Cli, db: std::path::PathBuf) -> Result<ExitCode, AppError> {
    let out = output::Out { json: cli.json };
    // Checking an evidence pack needs no journal: anyone can run it on a pack.
    if let Command::Evidence {
        cmd: args::EvidenceCmd::Verify { pack },
    } = &cli.command
    {
        cases::verify(&out, pack)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Demo JSONL needs no journal.
    if let Command::Demo {
        cmd: DemoCmd::Jsonl { count, out: file },
    } = &cli.command
    {
        let mut w: Box<dyn Write> = match file {
            Some(f) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(f).map_err(|e| AppError::io(f, e))?,
            )),
            None => Box::new(std::io::BufWriter::new(QuietStdout)),
        };
        slipkeeper_app::write_demo_jsonl(*count, &mut w)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Demo {
        cmd: DemoCmd::Terminal,
    } = &cli.command
    {
        let demo = slipkeeper_app::start_demo_terminal()?;
        say!(
            "demo terminal 52523535 listening on {} (Ctrl-C to stop)",
            demo.addr
        );
        loop {
            std::thread::park();
        }
    }
    if let Command::Zvt { cmd } = cli.command {
        return zvt::run(cmd, &out);
    }
    // Head office needs no local journal (sync only reads one).
    match cli.command {
        Command::Hq { cmd } => return hq::run(cli.hq.as_deref(), &db, &out, cmd),
        Command::Sync { every, batch } => {
            return hq::sync(cli.hq.as_deref(), &db, &out, every, batch)
        }
        Command::Journal { cmd } if cli.hq.is_some() => {
            return hq::journal(cli.hq.as_deref().unwrap_or_default(), &out, cmd)
        }
        Command::Case {
            cmd: args::CaseCmd::List { due_within },
        } if cli.hq.is_some() => {
            return hq::cases(cli.hq.as_deref().unwrap_or_default(), &out, due_within);
        }
        Command::Reconcile {
            from,
            to,
            statement,
            mapping,
            acquirer,
            cmd: None,
        } if cli.hq.is_some() => {
            let url = cli.hq.as_deref().unwrap_or_default();
            let period = recon::period(from, to)?;
            return hq::reconcile(
                url,
                &out,
                &statement,
                mapping.as_deref(),
                acquirer.as_deref(),
                period,
            );
        }
        Command::Diagnose {
            find,
            complaint,
            shop,
        } if cli.hq.is_some() => {
            let url = cli.hq.as_deref().unwrap_or_default();
            return hq::diagnose(url, &out, &find, complaint, shop.as_deref());
        }
        _ => {}
    }
    match cli.command {
        Command::Serve => return service::serve(&db, &out),
        Command::Service { cmd } => return service::service(&db, &out, cmd),
        _ => {}
    }
    // Only `starts_journal` commands may create one. Reading commands take no write
    // lock (they run beside a mirror, and on a journal in a read-only folder).
    let clock = clock_from_env()?;
    let mut app = match &cli.command {
        c if starts_journal(c) => App::open(&db, clock)?,
        Command::Journal {
            cmd:
                JournalCmd::List { .. }
                | JournalCmd::Search { .. }
                | JournalCmd::Show { .. }
                | JournalCmd::Verify
                | JournalCmd::Check
                | JournalCmd::Export { .. },
        } => App::open_read_only(&db, clock)?,
        _ => App::open_existing(&db, clock)?,
    };
    match cli.command {
        Command::Link { cmd } => return service::link(&app, &db, &out, cmd),
        Command::Support {
            cmd: args::SupportCmd::Bundle { out: file },
        } => {
            let r = app.support_bundle(&file)?;
            out.message(
                &format!(
                    "support bundle written: {} ({} bytes: {})",
                    r.path,
                    r.bytes,
                    r.files.join(", ")
                ),
                serde_json::to_value(&r).unwrap_or_default(),
            );
        }
        // Answered before a journal is opened.
        Command::Serve | Command::Service { .. } | Command::Hq { .. } | Command::Sync { .. } => {
            return Err(AppError::new(
                ErrorCode::Internal,
                "service commands are answered before a journal is opened",
            ))
        }
        Command::Journal { cmd } => return journal::run(&app, &out, cmd),
        Command::Import { file } => {
            let r = app.import(&file)?;
            out.ingest(&file, &r);
        }
        Command::Db { cmd } => back_office::db(&mut app, &out, &db, cmd)?,
        Command::Demo {
            cmd: DemoCmd::Seed { count },
        } => {
            let r = app.seed_demo(count)?;
            out.ingest(std::path::Path::new("demo"), &r);
        }
        Command::Demo {
            cmd: DemoCmd::Story,
        } => {
            let r = app.seed_story()?;
            out.message(
                &format!(
                    "demo shop: {} transactions, {} settled batches\nstatement to reconcile: {}\ntry it: a customer wants voucher {} of terminal {} ({}, {}) voided — 撤销失败“原交易不存在”",
                    r.transactions,
                    r.settlements,
                    r.statement.display(),
                    r.try_voucher,
                    r.try_terminal,
                    r.try_amount,
                    r.try_at
                ),
                serde_json::to_value(&r).unwrap_or_default(),
            );
        }
        Command::Terminal { tcp, password, cmd } => {
            return back_office::terminal(&mut app, &out, &tcp, password, cmd)
        }
        Command::Reprint(a) => reprint::run(&app, &out, a)?,
        Command::Statement { cmd } => recon::statement(&mut app, &out, cmd)?,
        Command::Diagnose {
            find,
            complaint,
            shop,
        } => {
            if shop.is_some() {
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    "--shop picks a shop at head office: give --hq too (this journal is one shop's)",
                )
                .with_field("shop"));
            }
            cases::diagnose(&app, &out, &find, complaint)?
        }
        Command::Contact => cases::contact(&mut app)?,
        Command::Case { cmd } => cases::case(&mut app, &out, cmd)?,
        Command::Evidence { cmd } => cases::evidence(&mut app, &out, cmd)?,
        Command::Merchant { cmd } => cases::merchant(&app, &out, cmd)?,
        Command::Acquirer { cmd } => cases::acquirer(&app, &out, cmd)?,
        Command::Reconcile {
            from,
            to,
            cmd,
            statement,
            mapping,
            acquirer,
        } => {
            if !statement.is_empty() || mapping.is_some() || acquirer.is_some() {
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    "--statement, --mapping and --acquirer are for head office (--hq); here, import the statement with `statement import FILE` first",
                )
                .with_field("statement"));
            }
            recon::reconcile(&app, &out, from, to, cmd)?
        }
        Command::Connect(a) => counter::connect(&mut app, &out, a)?,
        Command::Proxy(a) => counter::proxy(&mut app, a)?,
        Command::Demo {
            cmd: DemoCmd::Pay { tcp, amount },
        } => {
            let minor = slipkeeper_domain::Money::parse_major(&amount, "CNY")?.minor();
            let minor = u64::try_from(minor)
                .ok()
                .filter(|m| *m > 0)
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::BadInput,
                        format!("amount {amount:?} must be positive"),
                    )
                })?;
            let r = app.terminal(
                &tcp,
                TerminalCommand::DemoPayment {
                    amount_minor: minor,
                },
                0,
            )?;
            out.terminal(&r);
            if r.end == "aborted" {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Demo {
            cmd: DemoCmd::Jsonl { .. } | DemoCmd::Terminal,
        }
        | Command::Zvt { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}
