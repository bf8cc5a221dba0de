//! `slipkeeper demo …`: demo data and the built-in demo terminal, for trying
//! Slipkeeper without a terminal.

use crate::ctx::{done, Ctx, Done};
use crate::QuietStdout;
use clap::Subcommand;
use slipkeeper_app::{AppError, ErrorCode, TerminalCommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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

pub fn run(ctx: &Ctx, cmd: DemoCmd) -> Done {
    let out = &ctx.out;
    match cmd {
        // Needs no journal.
        DemoCmd::Jsonl { count, out: file } => {
            let mut w: Box<dyn Write> = match &file {
                Some(f) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(f).map_err(|e| AppError::io(f, e))?,
                )),
                None => Box::new(std::io::BufWriter::new(QuietStdout)),
            };
            slipkeeper_app::write_demo_jsonl(count, &mut w)?;
        }
        DemoCmd::Terminal => {
            let demo = slipkeeper_app::start_demo_terminal()?;
            say!(
                "demo terminal 52523535 listening on {} (Ctrl-C to stop)",
                demo.addr
            );
            loop {
                std::thread::park();
            }
        }
        DemoCmd::Seed { count } => {
            let r = ctx.start_journal()?.seed_demo(count)?;
            out.ingest(std::path::Path::new("demo"), &r);
        }
        DemoCmd::Story => {
            let r = ctx.start_journal()?.seed_story()?;
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
        DemoCmd::Pay { tcp, amount } => {
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
            let r = ctx.start_journal()?.terminal(
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
    }
    done()
}
