//! `slipkeeper journal …`: list, search, show, verify, check and export the journal.

use crate::ctx::{Ctx, Done};
use crate::output::Out;
use crate::QuietStdout;
use clap::{Args, Subcommand, ValueEnum};
use slipkeeper_app::forms::parse_when;
use slipkeeper_app::{App, AppError, ErrorCode, TxnQuery};
use slipkeeper_domain::{AuthCode, BatchNo, Outcome, Rrn, TerminalId, TraceNo, TxnKind};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum JournalCmd {
    /// List transactions, newest first.
    List {
        #[command(flatten)]
        filters: Filters,
    },
    /// Search slip text (Chinese or English) and filter.
    Search {
        text: String,
        #[command(flatten)]
        filters: Filters,
    },
    /// Find a transaction as remembered: a voucher, the card's last four, an amount in
    /// yuan ("255" is about 255 yuan, "255.31元" exact), an RRN or an auth code; each
    /// match says what it matched, and amounts close to the one given are listed.
    Find {
        text: String,
        /// Roughly when: "13:00" (today, or on --from's day) or "YYYY-MM-DD HH:MM".
        #[arg(long)]
        around: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        terminal: Option<String>,
        #[arg(long)]
        batch: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Everything about a voucher (凭证号): slips, related voids/refunds, raw frames.
    Show {
        voucher: TraceNo,
        #[arg(long)]
        terminal: Option<TerminalId>,
        #[arg(long)]
        batch: Option<BatchNo>,
    },
    /// Check the hash chain: names any record altered, removed or added outside Slipkeeper.
    Verify,
    /// What the mirror may have missed: missing voucher numbers, settlements whose
    /// totals disagree with the journal.
    Check,
    /// Write every record as JSON Lines (to stdout, or --out FILE).
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct Filters {
    /// Voucher number (凭证号).
    #[arg(long)]
    pub voucher: Option<TraceNo>,
    /// Reference number (参考号).
    #[arg(long)]
    pub rrn: Option<Rrn>,
    /// Authorisation code (授权码).
    #[arg(long)]
    pub auth: Option<AuthCode>,
    /// Last four digits of the card.
    #[arg(long)]
    pub last4: Option<String>,
    /// Amount in yuan, e.g. 12.50.
    #[arg(long)]
    pub amount: Option<String>,
    /// From this date or time (YYYY-MM-DD or "YYYY-MM-DD HH:MM"), inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// To this date (inclusive, whole day) or time (exclusive).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub terminal: Option<TerminalId>,
    #[arg(long)]
    pub batch: Option<BatchNo>,
    /// How it ended.
    #[arg(long, value_enum)]
    pub outcome: Option<OutcomeArg>,
    /// What kind of transaction.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// At head office (--hq): only this shop's transactions.
    #[arg(long)]
    pub shop: Option<String>,
}

/// `--outcome`, spelled as the journal and its exports spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    Approved,
    Declined,
    Reversed,
    Voided,
    /// The terminal's answer never arrived.
    Unknown,
}

impl From<OutcomeArg> for Outcome {
    fn from(o: OutcomeArg) -> Outcome {
        match o {
            OutcomeArg::Approved => Outcome::Approved,
            OutcomeArg::Declined => Outcome::Declined,
            OutcomeArg::Reversed => Outcome::Reversed,
            OutcomeArg::Voided => Outcome::Voided,
            OutcomeArg::Unknown => Outcome::Unknown,
        }
    }
}

/// `--kind`, spelled as the journal and its exports spell it (snake case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum KindArg {
    Sale,
    Void,
    Refund,
    PreAuth,
    PreAuthCompletion,
    Reversal,
    /// 预授权撤销.
    PreAuthCancel,
    /// 预授权完成撤销.
    PreAuthCompletionVoid,
    BalanceInquiry,
    Settlement,
}

impl From<KindArg> for TxnKind {
    fn from(k: KindArg) -> TxnKind {
        match k {
            KindArg::Sale => TxnKind::Sale,
            KindArg::Void => TxnKind::Void,
            KindArg::Refund => TxnKind::Refund,
            KindArg::PreAuth => TxnKind::PreAuth,
            KindArg::PreAuthCompletion => TxnKind::PreAuthCompletion,
            KindArg::Reversal => TxnKind::Reversal,
            KindArg::PreAuthCancel => TxnKind::PreAuthCancel,
            KindArg::PreAuthCompletionVoid => TxnKind::PreAuthCompletionVoid,
            KindArg::BalanceInquiry => TxnKind::BalanceInquiry,
            KindArg::Settlement => TxnKind::Settlement,
        }
    }
}

/// The filter flags as a query, read by the same rules as the desktop's journal form.
pub fn to_query(f: Filters, text: Option<String>) -> Result<TxnQuery, AppError> {
    use slipkeeper_app::forms::{parse_amount, parse_last4};
    Ok(TxnQuery {
        voucher: f.voucher,
        rrn: f.rrn,
        auth_code: f.auth,
        last4: f
            .last4
            .as_deref()
            .map(|s| parse_last4("last4", s))
            .transpose()?,
        amount_minor: f
            .amount
            .as_deref()
            .map(|a| parse_amount("amount", a))
            .transpose()?,
        from: f
            .from
            .as_deref()
            .map(|s| parse_when("from", s, false))
            .transpose()?,
        to: f
            .to
            .as_deref()
            .map(|s| parse_when("to", s, true))
            .transpose()?,
        terminal: f.terminal,
        batch: f.batch,
        upto_id: None,
        outcome: f.outcome.map(Into::into),
        kind: f.kind.map(Into::into),
        text,
        amount_between: None,
        any_of: Vec::new(),
        offset: f.offset,
        limit: f.limit,
    })
}

impl Filters {
    fn query(self, text: Option<String>) -> Result<TxnQuery, AppError> {
        if self.shop.is_some() {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "--shop picks a shop at head office: give --hq too (this journal is one shop's)",
            )
            .with_field("shop"));
        }
        to_query(self, text)
    }
}

pub fn run(ctx: &Ctx, cmd: JournalCmd) -> Done {
    if let Some(url) = ctx.hq() {
        return crate::hq::journal(url, &ctx.out, cmd);
    }
    let app = match &cmd {
        JournalCmd::List { .. }
        | JournalCmd::Search { .. }
        | JournalCmd::Show { .. }
        | JournalCmd::Verify
        | JournalCmd::Check
        | JournalCmd::Export { .. } => ctx.reading()?,
        _ => ctx.journal()?,
    };
    journal(&app, &ctx.out, cmd)
}

fn journal(app: &App, out: &Out, cmd: JournalCmd) -> Result<ExitCode, AppError> {
    match cmd {
        JournalCmd::List { filters } => {
            let page = app.search(&filters.query(None)?)?;
            out.page(&page);
        }
        JournalCmd::Search { text, filters } => {
            let page = app.search(&filters.query(Some(text))?)?;
            out.page(&page);
        }
        JournalCmd::Find {
            text,
            around,
            from,
            to,
            terminal,
            batch,
            limit,
        } => {
            let form = slipkeeper_app::JournalForm {
                search: text,
                around: around.unwrap_or_default(),
                from: from.unwrap_or_default(),
                to: to.unwrap_or_default(),
                terminal: terminal.unwrap_or_default(),
                batch: batch.unwrap_or_default(),
                limit,
                ..Default::default()
            };
            out.found(&app.find(&form)?);
        }
        JournalCmd::Show {
            voucher,
            terminal,
            batch,
        } => {
            let details = app.by_voucher(&voucher, terminal.as_ref(), batch.as_ref())?;
            out.details(&details);
        }
        JournalCmd::Check => {
            let findings = app.check()?;
            if out.json {
                crate::output::print_json(&findings);
            } else if findings.is_empty() {
                say!("nothing missing: voucher numbers are continuous and settlements agree");
            } else {
                for f in &findings {
                    say!("{f}");
                }
            }
            if !findings.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        JournalCmd::Verify => {
            let report = app.verify()?;
            out.verify(&report);
            if !report.is_clean() {
                return Ok(ExitCode::FAILURE);
            }
        }
        JournalCmd::Export { out: file } => match file {
            Some(f) => {
                let n = app.export_to_file(&f)?;
                out.message(
                    &format!("exported {n} records to {}", f.display()),
                    serde_json::json!({ "exported": n }),
                );
            }
            None => {
                let mut w = std::io::BufWriter::new(QuietStdout);
                app.export(&mut w)?;
                w.flush()
                    .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every outcome and kind the domain knows has its flag value, spelled as the
    /// domain (and so the journal's exports) spell it.
    #[test]
    fn every_outcome_and_kind_has_its_flag_value() {
        let outcomes: Vec<Outcome> = OutcomeArg::value_variants()
            .iter()
            .map(|&o| o.into())
            .collect();
        assert_eq!(outcomes, Outcome::ALL.to_vec());
        for o in OutcomeArg::value_variants() {
            let name = o.to_possible_value().unwrap();
            assert_eq!(Outcome::parse(name.get_name()), Some((*o).into()));
        }
        let kinds: Vec<TxnKind> = KindArg::value_variants()
            .iter()
            .map(|&k| k.into())
            .collect();
        assert_eq!(kinds, TxnKind::ALL.to_vec());
        for k in KindArg::value_variants() {
            let name = k.to_possible_value().unwrap();
            assert_eq!(TxnKind::parse(name.get_name()), Some((*k).into()));
        }
    }
}
