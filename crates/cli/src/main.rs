//! `slipkeeper`: the journal from the command line. Headless: it links no GUI library,
//! so it runs on a server, in a script or over SSH.

/// `println!` for everything the CLI prints: a closed stdout (`slipkeeper … | head`)
/// means the reader has what it wanted, so the program ends quietly, as one killed by
/// SIGPIPE would, instead of panicking.
macro_rules! say {
    () => { $crate::say_line(format_args!("")) };
    ($($t:tt)*) => { $crate::say_line(format_args!($($t)*)) };
}

mod acquirer;
mod case;
mod cli;
mod connect;
mod contact;
mod ctx;
mod db;
mod demo;
mod diagnose;
mod evidence;
mod hq;
mod import;
mod journal;
mod link;
mod merchant;
mod output;
mod proxy;
mod reconcile;
mod reprint;
mod service;
mod statement;
mod support;
mod sync;
mod terminal;
mod zvt;

use clap::Parser;
use cli::{Cli, Command};
use ctx::{Ctx, Done};
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

fn run(cli: Cli) -> Done {
    let db = match &cli.db {
        Some(p) => p.clone(),
        None => slipkeeper_app::default_db_path()?,
    };
    let folder_exists = db
        .parent()
        .is_none_or(|p| p.as_os_str().is_empty() || p.is_dir());
    let _log = if cli.command.logs_to_file() && folder_exists {
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
    let ctx = Ctx::new(db, output::Out { json: cli.json }, cli.hq);
    let result = dispatch(&ctx, cli.command);
    if let Err(e) = &result {
        tracing::warn!(code = ?e.code, error = %e.message, "command failed");
    }
    result
}

/// Each subcommand to its module; each opens the journal (or none) as it needs.
fn dispatch(ctx: &Ctx, command: Command) -> Done {
    match command {
        Command::Serve => service::serve(ctx),
        Command::Service { cmd } => service::run(ctx, cmd),
        Command::Link { cmd } => link::run(ctx, cmd),
        Command::Support { cmd } => support::run(ctx, cmd),
        Command::Hq { cmd } => hq::run(ctx, cmd),
        Command::Sync(a) => sync::run(ctx, a),
        Command::Journal { cmd } => journal::run(ctx, cmd),
        Command::Import(a) => import::run(ctx, a),
        Command::Db { cmd } => db::run(ctx, cmd),
        Command::Terminal(a) => terminal::run(ctx, a),
        Command::Connect(a) => connect::run(ctx, a),
        Command::Zvt { cmd } => zvt::run(ctx, cmd),
        Command::Reprint(a) => reprint::run(ctx, a),
        Command::Proxy(a) => proxy::run(ctx, a),
        Command::Statement { cmd } => statement::run(ctx, cmd),
        Command::Reconcile(a) => reconcile::run(ctx, a),
        Command::Diagnose(a) => diagnose::run(ctx, a),
        Command::Contact => contact::run(ctx),
        Command::Case { cmd } => case::run(ctx, cmd),
        Command::Evidence { cmd } => evidence::run(ctx, cmd),
        Command::Merchant { cmd } => merchant::run(ctx, cmd),
        Command::Acquirer { cmd } => acquirer::run(ctx, cmd),
        Command::Demo { cmd } => demo::run(ctx, cmd),
    }
}
