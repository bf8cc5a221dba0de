//! `slipkeeper db backup|auto|restore`: the journal file, copied safely while in use,
//! backed up daily by the service, and restored.

use crate::ctx::{done, Ctx, Done};
use crate::output::Out;
use clap::Subcommand;
use slipkeeper_app::{App, AppError};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Copy the journal to DEST, safely while it is in use.
    Backup { dest: PathBuf },
    /// Automatic daily backups by the service: show them, or set the folder (another
    /// disk or a USB stick), the copies kept, or --off; --now makes one at once.
    Auto {
        #[arg(long)]
        folder: Option<PathBuf>,
        #[arg(long)]
        keep: Option<u32>,
        #[arg(long, conflicts_with = "folder")]
        off: bool,
        #[arg(long)]
        now: bool,
    },
    /// Replace the journal with a backup. Refuses files that are not Slipkeeper
    /// journals, and backups that do not verify (changed, damaged, or disagreeing with
    /// this journal's anchors) unless --force.
    Restore {
        src: PathBuf,
        /// Restore a backup that does not verify (its problems are printed after).
        #[arg(long)]
        force: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: DbCmd) -> Done {
    db(&mut ctx.journal()?, &ctx.out, &ctx.db, cmd)?;
    done()
}

fn db(app: &mut App, out: &Out, db: &Path, cmd: DbCmd) -> Result<(), AppError> {
    match cmd {
        DbCmd::Backup { dest } => {
            app.backup(&dest)?;
            out.message(
                &format!("backed up {} to {}", db.display(), dest.display()),
                serde_json::json!({ "backup": dest }),
            );
        }
        DbCmd::Auto {
            folder,
            keep,
            off,
            now,
        } => {
            if folder.is_some() || keep.is_some() || off {
                let mut plan = app.backups()?.plan;
                if let Some(f) = folder {
                    plan.folder = Some(f);
                }
                if off {
                    plan.folder = None;
                }
                if let Some(k) = keep {
                    plan.keep = k;
                }
                app.set_backup_plan(&plan)?;
            }
            if now {
                app.backup_now()?;
            }
            let s = app.backups()?;
            let text = format!(
                "automatic backups: {}, keeping {}\nlast backup: {}{}",
                s.plan
                    .folder
                    .as_ref()
                    .map(|f| format!("to {}", f.display()))
                    .unwrap_or_else(|| "off".into()),
                s.plan.keep,
                s.last_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "never".into()),
                s.last_error
                    .as_ref()
                    .map(|e| format!("\nlast attempt failed: {e}"))
                    .unwrap_or_default()
            );
            out.message(&text, serde_json::to_value(&s).unwrap_or_default());
        }
        DbCmd::Restore { src, force } => {
            if force {
                eprintln!(
                    "warning: --force restores the backup even if it does not verify; \
                     the journal then holds whatever changes were made to it"
                );
            }
            let report = app.restore(&src, force)?;
            out.message(
                &format!("restored {} from {}", db.display(), src.display()),
                serde_json::json!({ "restored": src }),
            );
            out.verify(&report);
        }
    }
    Ok(())
}
