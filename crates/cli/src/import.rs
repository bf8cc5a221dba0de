//! `slipkeeper import FILE`: a JSON Lines file (the format `journal export` writes),
//! all or nothing.

use crate::ctx::{done, Ctx, Done};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The JSON Lines file.
    pub file: PathBuf,
}

/// An import may be a new shop's first file: it starts the journal.
pub fn run(ctx: &Ctx, a: ImportArgs) -> Done {
    let r = ctx.start_journal()?.import(&a.file)?;
    ctx.out.ingest(&a.file, &r);
    done()
}
