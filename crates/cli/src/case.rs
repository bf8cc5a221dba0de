//! `slipkeeper case …`: cases with the acquirer, opened from a diagnosis, followed to
//! their deadline.

use crate::ctx::{done, Ctx, Done};
use crate::diagnose::{print_diagnosis, ComplaintArg, LookupArgs};
use crate::output::{json, print_json, Out};
use clap::Subcommand;
use slipkeeper_app::{App, AppError, CaseSummary, ContactPlan, ErrorCode};
use slipkeeper_domain::CaseStatus;

#[derive(Debug, Subcommand)]
pub enum CaseCmd {
    /// Open a case: diagnoses the transaction and sets the deadline from the acquirer.
    New {
        #[command(flatten)]
        find: LookupArgs,
        /// What the customer or the terminal said.
        #[arg(long, value_enum, default_value_t = ComplaintArg::Other)]
        complaint: ComplaintArg,
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

pub fn run(ctx: &Ctx, cmd: CaseCmd) -> Done {
    if let (Some(url), CaseCmd::List { due_within }) = (ctx.hq(), &cmd) {
        return crate::hq::cases(url, &ctx.out, *due_within);
    }
    case(&mut ctx.journal()?, &ctx.out, cmd)?;
    done()
}

fn case(app: &mut App, out: &Out, cmd: CaseCmd) -> Result<(), AppError> {
    match cmd {
        CaseCmd::New {
            find,
            complaint: c,
            acquirer,
            statement_line,
        } => {
            let lookup = find.to_lookup()?;
            let id = app.open_case(c.into(), &lookup, acquirer.as_deref(), statement_line)?;
            let v = app.case(id)?;
            out.message(
                &format!("opened case SK-{id}: {}", case_line(&v.summary)),
                json(&v.summary),
            );
        }
        CaseCmd::List { due_within } => {
            let all = match due_within {
                Some(d) => app.cases_due(d)?,
                None => app.cases()?,
            };
            if out.json {
                print_json(&json(&all));
            } else if all.is_empty() {
                say!("no cases");
            } else {
                for c in &all {
                    say!("{}", case_line(c));
                }
            }
        }
        CaseCmd::Show { id } => {
            let v = app.case(id)?;
            if out.json {
                print_json(&json(&v));
            } else {
                say!("{}", case_line(&v.summary));
                say!();
                print_diagnosis(&v.diagnosis);
                say!("\n经过 History:");
                for e in &v.events {
                    say!(
                        "  {} {:<9} {}",
                        e.at.format("%Y-%m-%d %H:%M"),
                        e.kind,
                        e.text
                    );
                }
                print_plan(&app.contact_plan(id)?);
            }
        }
        CaseCmd::Update {
            id,
            status,
            reference,
            due,
            note,
        } => {
            let status = status
                .map(|s| {
                    CaseStatus::parse(&s).ok_or_else(|| {
                        AppError::new(
                            ErrorCode::BadInput,
                            format!("--status {s:?}: expected open, submitted, waiting, won, lost or withdrawn"),
                        )
                    })
                })
                .transpose()?;
            let due = due
                .map(|d| {
                    chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                        AppError::new(
                            ErrorCode::BadInput,
                            format!("--due {d:?}: expected YYYY-MM-DD"),
                        )
                    })
                })
                .transpose()?;
            app.update_case(id, status, reference.as_deref(), due, note.as_deref())?;
            let v = app.case(id)?;
            out.message(&case_line(&v.summary), json(&v.summary));
        }
    }
    Ok(())
}

fn case_line(c: &CaseSummary) -> String {
    let days = match c.days_left {
        Some(d) if d < 0 => format!("overdue by {} day(s)", -d),
        Some(d) => format!("{d} day(s) left"),
        None => "no deadline".into(),
    };
    format!(
        "SK-{} {:<9} {:<22} {:<24} {} (acquirer {}, ref {})",
        c.case.id,
        c.case.status.as_str(),
        c.case.code,
        c.case.complaint.as_str(),
        days,
        c.case.acquirer_id.as_deref().unwrap_or("—"),
        c.case.acquirer_ref.as_deref().unwrap_or("—")
    )
}

pub fn print_plan(p: &ContactPlan) {
    say!(
        "\n收单机构 Acquirer: {} / {}",
        p.acquirer.name.zh,
        p.acquirer.name.en
    );
    say!(
        "  电话 hotline {}  邮箱 e-mail {}  时间 hours {} / {}",
        if p.acquirer.hotline.is_empty() {
            "—"
        } else {
            &p.acquirer.hotline
        },
        if p.acquirer.dispute_email.is_empty() {
            "—"
        } else {
            &p.acquirer.dispute_email
        },
        p.acquirer.hours.zh,
        p.acquirer.hours.en
    );
    if !p.acquirer.verified {
        say!("  ! {}", p.check_note.zh);
        say!("    {}", p.check_note.en);
    }
    say!("\n他们会要 They will ask for:");
    for a in &p.asks {
        say!("  - {} / {}", a.zh, a.en);
    }
    say!(
        "\n电话话术 Phone script:\n{}\n{}",
        p.phone_script.zh,
        p.phone_script.en
    );
    say!("\n信函 Letter:\n{}\n\n{}", p.letter.zh, p.letter.en);
}
