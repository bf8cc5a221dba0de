//! `slipkeeper statement …` and `slipkeeper reconcile`.

use crate::args::{parse_when, ReconcileCmd, StatementCmd};
use crate::output::{print_json, Out};
use slipkeeper_app::{App, AppError, ErrorCode};
use slipkeeper_domain::Money;

fn yuan(minor: i64) -> String {
    Money::cny(minor).major_string()
}

pub fn statement(app: &mut App, out: &Out, cmd: StatementCmd) -> Result<(), AppError> {
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

/// `--from`/`--to` read as a period: both, or neither (None).
pub fn period(
    from: Option<String>,
    to: Option<String>,
) -> Result<Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>, AppError> {
    match (from, to) {
        (Some(f), Some(t)) => Ok(Some((
            parse_when("from", &f, false)?,
            parse_when("to", &t, true)?,
        ))),
        (None, None) => Ok(None),
        _ => Err(AppError::new(
            ErrorCode::BadInput,
            "give both --from and --to, or neither (the statements' own period)",
        )),
    }
}

pub fn reconcile(
    app: &App,
    out: &Out,
    from: Option<String>,
    to: Option<String>,
    cmd: Option<ReconcileCmd>,
) -> Result<(), AppError> {
    let (from, to) = match period(from, to)? {
        Some(p) => p,
        None => app.statement_period()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "no statement imported yet: slipkeeper statement import FILE",
            )
        })?,
    };
    let r = app.reconcile(from, to)?;
    if let Some(ReconcileCmd::Export { csv }) = cmd {
        let mut bytes = Vec::new();
        slipkeeper_statement::write_reconciliation_csv(&r.result, &mut bytes)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        std::fs::write(&csv, &bytes).map_err(|e| AppError::io(&csv, e))?;
        out.message(
            &format!(
                "{}: {} discrepancies, {} matches, {} totals rows",
                csv.display(),
                r.result.discrepancies.len(),
                r.result.matches.len(),
                r.result.totals.len()
            ),
            serde_json::json!({ "file": csv, "discrepancies": r.result.discrepancies.len() }),
        );
        return Ok(());
    }
    if out.json {
        print_json(&serde_json::to_value(&r).unwrap_or_default());
        return Ok(());
    }
    say!(
        "{} to {}: {} journal transactions, {} statement lines, {} matched",
        r.from,
        r.to,
        r.journal_transactions,
        r.statement_lines,
        r.result.matches.len()
    );
    if r.result.discrepancies.is_empty() {
        say!("no discrepancies");
    } else {
        say!("{} discrepancies:", r.result.discrepancies.len());
        for d in &r.result.discrepancies {
            say!("  {:<22} {}", d.kind.as_str(), d.detail.en);
        }
    }
    say!("totals (day, terminal, card type: journal / statement / fee / difference):");
    for t in &r.result.totals {
        say!(
            "  {} {} {:<10} {:>4} × {:>12} / {:>4} × {:>12} / {:>9} / {:>10}",
            t.day,
            t.terminal,
            t.card_type,
            t.journal_count,
            yuan(t.journal_minor),
            t.statement_count,
            yuan(t.statement_minor),
            yuan(t.fee_minor),
            yuan(t.difference_minor)
        );
    }
    Ok(())
}
