//! `slipkeeper acquirer list|show|set`: the acquirer directory (hotlines, addresses,
//! documents, response times).

use crate::ctx::{done, Ctx, Done};
use crate::output::{json, print_json, Out};
use clap::Subcommand;
use slipkeeper_app::{App, AppError};
use std::path::PathBuf;

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

pub fn run(ctx: &Ctx, cmd: AcquirerCmd) -> Done {
    acquirer(&ctx.journal()?, &ctx.out, cmd)?;
    done()
}

fn acquirer(app: &App, out: &Out, cmd: AcquirerCmd) -> Result<(), AppError> {
    match cmd {
        AcquirerCmd::List => {
            let all = app.acquirers()?;
            if out.json {
                print_json(&json(&all));
            } else {
                for a in &all {
                    say!(
                        "{:<10} {:<8} {} / {} ({} days){}",
                        a.id,
                        if a.hotline.is_empty() {
                            "—"
                        } else {
                            &a.hotline
                        },
                        a.name.zh,
                        a.name.en,
                        a.response_days,
                        if a.verified {
                            ""
                        } else {
                            "  [check against your contract]"
                        }
                    );
                }
                let n = slipkeeper_app::directory_note();
                say!("\n{}\n{}", n.zh, n.en);
            }
        }
        AcquirerCmd::Show { id } => {
            let a = app.acquirer(&id)?;
            print_json(&json(&a));
        }
        AcquirerCmd::Set { file } => {
            let a = app.save_acquirer(&file)?;
            out.message(&format!("acquirer {} saved", a.id), json(&a));
        }
    }
    Ok(())
}
