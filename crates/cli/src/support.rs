//! `slipkeeper support bundle OUT.zip`: for a support person — logs, check and verify
//! results, versions, links; never slip text or card data.

use crate::ctx::{done, Ctx, Done};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SupportCmd {
    /// Write the support bundle to OUT (a ZIP).
    Bundle { out: PathBuf },
}

pub fn run(ctx: &Ctx, cmd: SupportCmd) -> Done {
    let SupportCmd::Bundle { out: file } = cmd;
    let r = ctx.journal()?.support_bundle(&file)?;
    ctx.out.message(
        &format!(
            "support bundle written: {} ({} bytes: {})",
            r.path,
            r.bytes,
            r.files.join(", ")
        ),
        serde_json::to_value(&r).unwrap_or_default(),
    );
    done()
}
