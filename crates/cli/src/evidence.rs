//! `slipkeeper evidence build|verify`: the evidence pack for a case, and checking one
//! (which needs no journal: anyone can check a pack they were sent).

use crate::ctx::{done, Ctx, Done};
use crate::output::{json, print_json, Out};
use clap::Subcommand;
use slipkeeper_app::{App, AppError, ErrorCode};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum EvidenceCmd {
    /// Build the ZIP for a case: letter, reprint, journal excerpt, raw frames,
    /// integrity data, attachments, manifest and a draft e-mail.
    Build {
        case: i64,
        #[arg(long, value_name = "PACK.zip")]
        out: PathBuf,
        /// Photos or scans (JPEG, PNG, PDF; up to 10 MB each).
        #[arg(long = "attach", value_name = "FILE")]
        attach: Vec<PathBuf>,
    },
    /// Check every hash in a pack.
    Verify { pack: PathBuf },
}

pub fn run(ctx: &Ctx, cmd: EvidenceCmd) -> Done {
    match cmd {
        EvidenceCmd::Verify { pack } => verify(&ctx.out, &pack)?,
        build_cmd => build(&mut ctx.journal()?, &ctx.out, build_cmd)?,
    }
    done()
}

fn build(app: &mut App, out: &Out, cmd: EvidenceCmd) -> Result<(), AppError> {
    match cmd {
        EvidenceCmd::Build {
            case,
            out: file,
            attach,
        } => {
            let r = app.build_evidence(case, &attach, &file)?;
            out.message(
                &format!(
                    "{}: {} files, {} bytes, sha256 {}",
                    r.path.display(),
                    r.files.len(),
                    r.bytes,
                    r.sha256
                ),
                json(&r),
            );
        }
        EvidenceCmd::Verify { pack } => verify(out, &pack)?,
    }
    Ok(())
}

pub fn verify(out: &Out, pack: &std::path::Path) -> Result<(), AppError> {
    let r = slipkeeper_app::verify_evidence(pack)?;
    if out.json {
        print_json(&json(&r));
    } else {
        for p in &r.problems {
            say!("  ✗ {p}");
        }
        say!(
            "{}: {} files, {} chain entries checked: {}",
            pack.display(),
            r.files,
            r.proofs,
            if r.ok() {
                "all hashes match"
            } else {
                "PROBLEMS FOUND"
            }
        );
    }
    if r.ok() {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Corrupt,
            format!(
                "{}: {} problem(s); the pack was changed after it was built",
                pack.display(),
                r.problems.len()
            ),
        ))
    }
}
