//! `slipkeeper diagnose`: what happened to a transaction and what to do about it, here
//! or at head office (`--hq`, `--shop`).

use crate::ctx::{done, Ctx, Done};
use crate::output::{json, print_json, Out};
use clap::{Args, ValueEnum};
use slipkeeper_app::forms::parse_when;
use slipkeeper_app::{App, AppError, ErrorCode};
use slipkeeper_domain::{AuthCode, BatchNo, Complaint, Diagnosis, Rrn, TerminalId, TraceNo};

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub find: LookupArgs,
    /// What the customer or the terminal said.
    #[arg(long, value_enum, default_value_t = ComplaintArg::Other)]
    pub complaint: ComplaintArg,
    /// At head office (--hq): the shop, when the transaction is found in several.
    #[arg(long)]
    pub shop: Option<String>,
}

/// `--complaint`, as the domain names them (void-failed or void_failed alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ComplaintArg {
    /// 撤销失败 “原交易不存在”: a void the terminal refused.
    #[value(alias = "void_failed")]
    VoidFailed,
    /// 签购单丢失: the customer wants a copy.
    #[value(alias = "receipt_lost")]
    ReceiptLost,
    /// 重复扣款: the customer says they paid twice.
    #[value(alias = "charged_twice")]
    ChargedTwice,
    /// 票不可用: the acquirer's back end does not show it.
    #[value(alias = "not_in_acquirer_back_end")]
    NotInAcquirerBackEnd,
    /// 持卡人争议: the cardholder disputes the charge.
    Dispute,
    /// Anything else.
    Other,
}

impl From<ComplaintArg> for Complaint {
    fn from(c: ComplaintArg) -> Complaint {
        match c {
            ComplaintArg::VoidFailed => Complaint::VoidFailed,
            ComplaintArg::ReceiptLost => Complaint::ReceiptLost,
            ComplaintArg::ChargedTwice => Complaint::ChargedTwice,
            ComplaintArg::NotInAcquirerBackEnd => Complaint::NotInAcquirerBackEnd,
            ComplaintArg::Dispute => Complaint::Dispute,
            ComplaintArg::Other => Complaint::Other,
        }
    }
}

pub fn run(ctx: &Ctx, a: DiagnoseArgs) -> Done {
    if let Some(url) = ctx.hq() {
        return crate::hq::diagnose(
            url,
            &ctx.out,
            &a.find,
            a.complaint.into(),
            a.shop.as_deref(),
        );
    }
    if a.shop.is_some() {
        return Err(AppError::new(
            ErrorCode::BadInput,
            "--shop picks a shop at head office: give --hq too (this journal is one shop's)",
        )
        .with_field("shop"));
    }
    diagnose(&ctx.journal()?, &ctx.out, &a.find, a.complaint.into())?;
    done()
}

pub fn diagnose(
    app: &App,
    out: &Out,
    find: &LookupArgs,
    c: slipkeeper_domain::Complaint,
) -> Result<(), AppError> {
    let d = app.diagnose(c, &find.to_lookup()?)?;
    if out.json {
        print_json(&json(&d));
    } else {
        print_diagnosis(&d);
    }
    Ok(())
}

pub fn print_diagnosis(d: &Diagnosis) {
    say!("[{}] {}", d.code.as_str(), d.title.zh);
    say!("{}", d.title.en);
    say!();
    say!("{}", d.explanation.zh);
    say!("{}", d.explanation.en);
    if !d.facts.is_empty() {
        say!("\n依据 Facts:");
        for f in &d.facts {
            say!("  - {}", f.text.zh);
            say!("    {}", f.text.en);
        }
    }
    say!("\n下一步 Next steps:");
    for s in &d.next_steps {
        say!("  - {}", s.zh);
        say!("    {}", s.en);
    }
    if !d.prepare.is_empty() {
        say!("\n准备 Have ready:");
        for s in &d.prepare {
            say!("  - {}", s.zh);
            say!("    {}", s.en);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every complaint the domain knows has its flag value, spelled as the domain
    /// spells it (kebab or snake case).
    #[test]
    fn every_complaint_has_its_flag_value() {
        let flags: Vec<Complaint> = ComplaintArg::value_variants()
            .iter()
            .map(|&c| c.into())
            .collect();
        assert_eq!(flags, Complaint::ALL.to_vec());
        for c in ComplaintArg::value_variants() {
            let name = c.to_possible_value().unwrap();
            assert_eq!(
                Complaint::parse(&name.get_name().replace('-', "_")),
                Some((*c).into())
            );
        }
    }
}
