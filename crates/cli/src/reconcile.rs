//! `slipkeeper reconcile`: the journal against the imported statements — what matched,
//! what is missing on either side, totals per day, terminal and card type; at head
//! office (`--hq`), statement files against every shop.

use crate::ctx::{done, Ctx, Done};
use crate::output::{print_json, Out};
use clap::{Args, Subcommand};
use slipkeeper_app::forms::parse_when;
use slipkeeper_app::{App, AppError, ErrorCode};
use slipkeeper_domain::Money;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// From this date or time (default: the start of the imported statements).
    #[arg(long)]
    pub from: Option<String>,
    /// To this date (inclusive) or time (default: their end).
    #[arg(long)]
    pub to: Option<String>,
    /// At head office (--hq): the acquirer's statement file(s), covering any number
    /// of shops and merchant numbers.
    #[arg(long, value_name = "FILE")]
    pub statement: Vec<PathBuf>,
    /// At head office: the statement's column mapping (as `statement import`).
    #[arg(long)]
    pub mapping: Option<String>,
    /// At head office: the acquirer (as `statement import`).
    #[arg(long)]
    pub acquirer: Option<String>,
    #[command(subcommand)]
    pub cmd: Option<ReconcileCmd>,
}

#[derive(Debug, Subcommand)]
pub enum ReconcileCmd {
    /// Write the reconciliation as CSV (discrepancies, matches, totals).
    Export {
        #[arg(long, value_name = "OUT.csv")]
        csv: PathBuf,
    },
}

pub fn run(ctx: &Ctx, a: ReconcileArgs) -> Done {
    if let (Some(url), None) = (ctx.hq(), &a.cmd) {
        let period = period(a.from, a.to)?;
        return crate::hq::reconcile(
            url,
            &ctx.out,
            &a.statement,
            a.mapping.as_deref(),
            a.acquirer.as_deref(),
            period,
        );
    }
    if !a.statement.is_empty() || a.mapping.is_some() || a.acquirer.is_some() {
        return Err(AppError::new(
            ErrorCode::BadInput,
            "--statement, --mapping and --acquirer are for head office (--hq); here, import the statement with `statement import FILE` first",
        )
        .with_field("statement"));
    }
    reconcile(&ctx.journal()?, &ctx.out, a.from, a.to, a.cmd)?;
    done()
}

fn yuan(minor: i64) -> String {
    Money::cny(minor).major_string()
}

/// `--from`/`--to` read as a period: both, or neither (None).
pub fn period(
    from: Option<String>,
    to: Option<String>,
) -> Result<Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>, AppError> {
    match (from, to) {
        (Some(f), Some(t)) => Ok(Some((
            parse_when("from", &f, false)?,
            parse_when("to", &t, true)?,
        ))),
        (None, None) => Ok(None),
        _ => Err(AppError::new(
            ErrorCode::BadInput,
            "give both --from and --to, or neither (the statements' own period)",
        )),
    }
}

fn reconcile(
    app: &App,
    out: &Out,
    from: Option<String>,
    to: Option<String>,
    cmd: Option<ReconcileCmd>,
) -> Result<(), AppError> {
    let (from, to) = match period(from, to)? {
        Some(p) => p,
        None => app.statement_period()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "no statement imported yet: slipkeeper statement import FILE",
            )
        })?,
    };
    let r = app.reconcile(from, to)?;
    if let Some(ReconcileCmd::Export { csv }) = cmd {
        let mut bytes = Vec::new();
        slipkeeper_statement::write_reconciliation_csv(&r.result, &mut bytes)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        std::fs::write(&csv, &bytes).map_err(|e| AppError::io(&csv, e))?;
        out.message(
            &format!(
                "{}: {} discrepancies, {} matches, {} totals rows",
                csv.display(),
                r.result.discrepancies.len(),
                r.result.matches.len(),
                r.result.totals.len()
            ),
            serde_json::json!({ "file": csv, "discrepancies": r.result.discrepancies.len() }),
        );
        return Ok(());
    }
    if out.json {
        print_json(&serde_json::to_value(&r).unwrap_or_default());
        return Ok(());
    }
    say!(
        "{} to {}: {} journal transactions, {} statement lines, {} matched",
        r.from,
        r.to,
        r.journal_transactions,
        r.statement_lines,
        r.result.matches.len()
    );
    if r.result.discrepancies.is_empty() {
        say!("no discrepancies");
    } else {
        say!("{} discrepancies:", r.result.discrepancies.len());
        for d in &r.result.discrepancies {
            say!("  {:<22} {}", d.kind.as_str(), d.detail.en);
        }
    }
    say!("totals (day, terminal, card type: journal / statement / fee / difference):");
    for t in &r.result.totals {
        say!(
            "  {} {} {:<10} {:>4} × {:>12} / {:>4} × {:>12} / {:>9} / {:>10}",
            t.day,
            t.terminal,
            t.card_type,
            t.journal_count,
            yuan(t.journal_minor),
            t.statement_count,
            yuan(t.statement_minor),
            yuan(t.fee_minor),
            yuan(t.difference_minor)
        );
    }
    Ok(())
}
