//! `slipkeeper sync`: send this journal's records to head office — what it lacks, in
//! batches, resumable; with --every, until stopped.

use crate::ctx::{Ctx, Done};
use clap::Args;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Send again every this many seconds, until stopped.
    #[arg(long, value_name = "SECONDS")]
    pub every: Option<u64>,
    /// Records per batch (one transaction at head office each).
    #[arg(long, default_value_t = slipkeeper_app::head_office::DEFAULT_BATCH)]
    pub batch: usize,
}

/// Head office needs no local journal here: sync only reads it.
pub fn run(ctx: &Ctx, a: SyncArgs) -> Done {
    crate::hq::sync(ctx.hq(), &ctx.db, &ctx.out, a.every, a.batch)
}
