//! `slipkeeper terminal --tcp HOST:PORT …`: one back-office command to the counter
//! terminal (ZVT over LAN); everything it answers is mirrored into the journal.

use crate::ctx::{Ctx, Done};
use crate::output::Out;
use clap::{Args, Subcommand};
use slipkeeper_app::{App, AppError, TerminalCommand};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TerminalArgs {
    /// The terminal's address, e.g. 192.168.1.50:20007.
    #[arg(long, value_name = "HOST:PORT")]
    pub tcp: String,
    /// The terminal's merchant password (6 digits).
    #[arg(long, default_value_t = 0)]
    pub password: u32,
    #[command(subcommand)]
    pub cmd: TerminalCmd,
}

#[derive(Debug, Subcommand)]
pub enum TerminalCmd {
    /// Is the terminal there and ready?
    Status,
    /// Turnover totals of the open batch.
    Totals,
    /// Settle the batch (end-of-day, 结算).
    Eod,
    /// Print the last receipt again, and store it.
    RepeatReceipt,
    /// Terminal diagnosis.
    Diagnosis,
}

/// A terminal may be a new shop's first contact: it starts the journal.
pub fn run(ctx: &Ctx, a: TerminalArgs) -> Done {
    terminal(
        &mut ctx.start_journal()?,
        &ctx.out,
        &a.tcp,
        a.password,
        a.cmd,
    )
}

fn terminal(
    app: &mut App,
    out: &Out,
    tcp: &str,
    password: u32,
    cmd: TerminalCmd,
) -> Result<ExitCode, AppError> {
    let c = match cmd {
        TerminalCmd::Status => TerminalCommand::Status,
        TerminalCmd::Totals => TerminalCommand::Totals,
        TerminalCmd::Eod => TerminalCommand::EndOfDay,
        TerminalCmd::RepeatReceipt => TerminalCommand::RepeatReceipt,
        TerminalCmd::Diagnosis => TerminalCommand::Diagnosis,
    };
    let r = app.terminal(tcp, c, password)?;
    out.terminal(&r);
    if r.end == "aborted" {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
