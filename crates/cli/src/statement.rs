//! `slipkeeper statement …`: the acquirer's statements (对账单): import them, watch a
//! folder for them, and manage column mappings.

use crate::ctx::{done, Ctx, Done};
use crate::output::{print_json, Out};
use clap::Subcommand;
use slipkeeper_app::{App, AppError};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum StatementCmd {
    /// Import a statement file (CSV in UTF-8 or GBK, or XLSX). All or nothing; the same
    /// file twice imports nothing.
    Import {
        file: PathBuf,
        /// Which acquirer sent it (kept with the statement).
        #[arg(long)]
        acquirer: Option<String>,
        /// A mapping id (`statement mappings` lists them); default: the first whose
        /// header the file has.
        #[arg(long)]
        mapping: Option<String>,
    },
    /// Imported statement files.
    List,
    /// Column mappings: built in and saved.
    Mappings,
    /// Propose a mapping from a file's header row (prints JSON to review and save).
    Propose {
        file: PathBuf,
        #[arg(long, default_value = "custom")]
        id: String,
    },
    /// Save a mapping (JSON, as `propose` prints) for later imports.
    SaveMapping { file: PathBuf },
    /// A folder (e.g. Downloads) from which the link service imports new statement
    /// files as they appear; without arguments, shows the folder and what it did last.
    Watch {
        /// The folder to watch.
        #[arg(conflicts_with = "off")]
        folder: Option<PathBuf>,
        /// Stop watching.
        #[arg(long)]
        off: bool,
        /// Import what is new in the folder now, once.
        #[arg(long)]
        scan: bool,
    },
}

/// A statement may be a new shop's first file: it starts the journal.
pub fn run(ctx: &Ctx, cmd: StatementCmd) -> Done {
    statement(&mut ctx.start_journal()?, &ctx.out, cmd)?;
    done()
}

fn statement(app: &mut App, out: &Out, cmd: StatementCmd) -> Result<(), AppError> {
    match cmd {
        StatementCmd::Import {
            file,
            acquirer,
            mapping,
        } => {
            let r = app.import_statement(&file, mapping.as_deref(), acquirer.as_deref())?;
            out.message(&r.summary(), serde_json::to_value(&r).unwrap_or_default());
        }
        StatementCmd::List => {
            let files = app.journal().statements()?;
            if out.json {
                print_json(&serde_json::to_value(&files).unwrap_or_default());
            } else if files.is_empty() {
                say!("no statement imported yet: slipkeeper statement import FILE");
            } else {
                for f in files {
                    say!(
                        "#{} {} ({} lines, mapping {}, imported {})",
                        f.id,
                        f.file_name,
                        f.line_count,
                        f.mapping_id,
                        f.imported_at.format("%Y-%m-%d %H:%M")
                    );
                }
            }
        }
        StatementCmd::Mappings => {
            let all = app.statement_mappings()?;
            if out.json {
                print_json(&serde_json::to_value(&all).unwrap_or_default());
            } else {
                for m in all {
                    say!("{:<14} {} / {}", m.id, m.name.zh, m.name.en);
                }
            }
        }
        StatementCmd::Propose { file, id } => {
            let m = app.propose_statement_mapping(&file, &id)?;
            print_json(&serde_json::to_value(&m).unwrap_or_default());
        }
        StatementCmd::Watch { folder, off, scan } => {
            if off {
                app.set_watch_folder(None)?;
            } else if let Some(f) = &folder {
                app.set_watch_folder(Some(f))?;
            }
            let imported = if scan {
                app.scan_watch_folder()?
            } else {
                Vec::new()
            };
            let w = app.watch_status()?;
            if out.json {
                print_json(&serde_json::json!({ "watch": w, "imported": imported }));
            } else {
                match &w.folder {
                    Some(f) => say!("watching {} for statements", f.display()),
                    None => {
                        say!("no statements folder is watched: slipkeeper statement watch FOLDER")
                    }
                }
                for r in &imported {
                    say!("{}", r.summary());
                }
                if let Some(i) = &w.last_import {
                    say!(
                        "last imported: {} ({} new lines, {})",
                        i.file,
                        i.new_lines,
                        i.at.format("%Y-%m-%d %H:%M UTC")
                    );
                }
                if let Some(e) = &w.last_error {
                    say!("last problem: {e}");
                }
            }
        }
        StatementCmd::SaveMapping { file } => {
            let m = app.save_statement_mapping(&file)?;
            out.message(
                &format!("mapping {} saved; use it with --mapping {}", m.id, m.id),
                serde_json::json!({ "id": m.id }),
            );
        }
    }
    Ok(())
}
