//! `slipkeeper hq …` (head office), `slipkeeper sync` (a shop sends its journal) and
//! `slipkeeper --hq URL journal list|search` (search every shop).

use crate::journal::{Filters, JournalCmd};
use crate::output::{print_json, Out};
use clap::Subcommand;
use slipkeeper_app::head_office::{self, HeadOffice};
use slipkeeper_app::{AppError, ErrorCode};
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum HqCmd {
    /// Create or update head office's tables and roles (run once, as the database's owner).
    Init,
    /// Add a shop and the login role it sends with; prints the password once (or reads
    /// it from stdin with --password-stdin).
    AddShop {
        /// 1–40 lower-case letters, digits, '-' or '_', e.g. nanjing-rd.
        id: String,
        /// The shop's name as head office calls it, e.g. 南京路店.
        #[arg(long)]
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Add a login role that reads every shop and changes nothing (an owner, an accountant).
    AddReader {
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// The shops, how much each has sent and when last.
    Shops,
    /// Re-check every shop's hash chain as head office holds it (exit 1 on a problem).
    Verify {
        #[arg(long)]
        shop: Option<String>,
    },
    /// At a shop: join head office with the role and password it gave (the password
    /// in SLIPKEEPER_HQ_PASSWORD, once). The address is kept beside the journal, the
    /// password in the OS keyring; the link service then sends by itself.
    Join {
        /// How often the link service sends.
        #[arg(long, value_name = "SECONDS", default_value_t = slipkeeper_app::head_office::DEFAULT_EVERY)]
        every: u64,
    },
    /// At a shop: stop sending to head office; the kept address and password go.
    Leave,
    /// At a shop: the head office it joined, if any.
    Joined,
}

fn need_hq(hq: Option<&str>) -> Result<&str, AppError> {
    hq.ok_or_else(|| {
        AppError::new(
            ErrorCode::BadInput,
            "say where head office is: --hq postgres://USER@HOST/DATABASE (or SLIPKEEPER_HQ)",
        )
        .with_field("hq")
    })
}

fn password(from_stdin: bool) -> Result<(String, bool), AppError> {
    if !from_stdin {
        return Ok((head_office::new_password()?, true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("stdin: {e}")))?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

pub fn run(ctx: &crate::ctx::Ctx, cmd: HqCmd) -> Result<ExitCode, AppError> {
    let (hq, db, out) = (ctx.hq(), ctx.db.as_path(), &ctx.out);
    match cmd {
        HqCmd::Join { every } => {
            let j = head_office::join(db, need_hq(hq)?, None, every)?;
            out.message(
                &format!(
                    "joined head office {} as shop {}; the link service sends every {} s (slipkeeper service start), or run `slipkeeper sync`",
                    j.address, j.shop_id, j.every_seconds
                ),
                serde_json::to_value(&j).unwrap_or_default(),
            );
            return Ok(ExitCode::SUCCESS);
        }
        HqCmd::Leave => {
            let left = head_office::leave(db)?;
            out.message(
                if left {
                    "left head office: nothing more is sent; what it has stays there"
                } else {
                    "this shop had not joined a head office"
                },
                serde_json::json!({ "left": left }),
            );
            return Ok(ExitCode::SUCCESS);
        }
        HqCmd::Joined => {
            let link = match head_office::joined(db)? {
                Some(joined) => Some(head_office::HeadOfficeLink {
                    joined,
                    sending: head_office::sending(db)?,
                }),
                None => None,
            };
            match (&link, out.json) {
                (_, true) => print_json(&link),
                (Some(l), false) => {
                    say!(
                        "shop {} sends to {} every {} s",
                        l.joined.shop_id,
                        l.joined.address,
                        l.joined.every_seconds
                    );
                    match &l.sending.last_ok_at {
                        Some(at) => say!(
                            "last sent {}; head office holds {} of {} records",
                            at.format("%Y-%m-%d %H:%M:%S UTC"),
                            l.sending.head_office_seq,
                            l.sending.journal_seq
                        ),
                        None => say!("the link service has not sent yet"),
                    }
                    if let Some(e) = &l.sending.last_error {
                        say!("last attempt failed: {e}");
                    }
                }
                (None, false) => say!("this shop has not joined a head office"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let mut h = HeadOffice::connect(need_hq(hq)?)?;
    match cmd {
        HqCmd::Join { .. } | HqCmd::Leave | HqCmd::Joined => {}
        HqCmd::Init => {
            let applied = h.init()?;
            out.message(
                &if applied.is_empty() {
                    "head office's schema is up to date".to_owned()
                } else {
                    format!(
                        "head office's schema created or updated: {}",
                        applied.join(", ")
                    )
                },
                serde_json::json!({ "applied": applied }),
            );
        }
        HqCmd::AddShop {
            id,
            name,
            password_stdin,
        } => {
            let (pw, made) = password(password_stdin)?;
            let role = h.add_shop(&id, &name, &pw)?;
            let shown = if made { Some(pw.as_str()) } else { None };
            out.message(
                &match shown {
                    Some(pw) => format!(
                        "shop {id} ({name}) added; it sends as role {role} with password {pw}\n\
                         (shown once: give it to the shop, which runs `slipkeeper --hq postgres://{role}@HOST/DB sync`\n\
                         with the password in SLIPKEEPER_HQ_PASSWORD)"
                    ),
                    None => format!("shop {id} ({name}) added; it sends as role {role}"),
                },
                serde_json::json!({ "shop_id": id, "name": name, "role": role, "password": shown }),
            );
        }
        HqCmd::AddReader {
            role,
            password_stdin,
        } => {
            let (pw, made) = password(password_stdin)?;
            h.add_reader(&role, &pw)?;
            let shown = if made { Some(pw.as_str()) } else { None };
            out.message(
                &match shown {
                    Some(pw) => format!("reader {role} added, password {pw} (shown once)"),
                    None => format!("reader {role} added"),
                },
                serde_json::json!({ "role": role, "password": shown }),
            );
        }
        HqCmd::Shops => {
            let shops = h.shops()?;
            if out.json {
                print_json(&shops);
            } else {
                for s in &shops {
                    say!(
                        "{}  {}  {} records, {} transactions, last received {}",
                        s.shop_id,
                        s.name,
                        s.records,
                        s.transactions,
                        s.last_received_at
                            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                            .unwrap_or_else(|| "never".into())
                    );
                }
            }
        }
        HqCmd::Verify { shop } => {
            let checks = h.verify(shop.as_deref())?;
            let clean = checks.iter().all(|c| c.is_clean());
            if out.json {
                print_json(&checks);
            } else {
                for c in &checks {
                    say!(
                        "{} ({}): {} entries, head {}: {}",
                        c.shop_id,
                        c.name,
                        c.checked,
                        c.head,
                        if c.is_clean() {
                            "verified".to_owned()
                        } else {
                            format!("{} problem(s)", c.problems.len())
                        }
                    );
                    for p in &c.problems {
                        say!("  {p}");
                    }
                }
            }
            if !clean {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `slipkeeper --hq URL sync [--every SECONDS]`.
pub fn sync(
    hq: Option<&str>,
    db: &Path,
    out: &Out,
    every: Option<u64>,
    batch: usize,
) -> Result<ExitCode, AppError> {
    let Some(every) = every else {
        let mut h = match hq {
            Some(url) => HeadOffice::connect(url)?,
            None => HeadOffice::connect_joined(db)?,
        };
        let r = h.sync(db, batch)?;
        out.message(
            &format!(
                "shop {}: sent {} record(s); head office holds {} of {}",
                r.shop_id, r.sent, r.head_office_seq, r.journal_seq
            ),
            serde_json::to_value(&r).unwrap_or_default(),
        );
        return Ok(ExitCode::SUCCESS);
    };
    let url = need_hq(hq)?;
    // Runs until stopped (Ctrl-C, SIGTERM, the service manager): a batch is one
    // transaction at head office, so ending mid-way sends nothing half.
    head_office::sync_forever(
        db,
        url,
        batch,
        Duration::from_secs(every.max(1)),
        &|| false,
        &mut |r| match r {
            Ok(r) if r.sent > 0 => out.message(
                &format!(
                    "shop {}: sent {}; head office holds {} of {}",
                    r.shop_id, r.sent, r.head_office_seq, r.journal_seq
                ),
                serde_json::to_value(r).unwrap_or_default(),
            ),
            Ok(_) => {}
            Err(e) => eprintln!("slipkeeper: sync: {} (retrying)", e.message),
        },
    );
    Ok(ExitCode::SUCCESS)
}

/// `--hq URL journal list|search`: every shop's transactions, each with its shop.
pub fn journal(hq: &str, out: &Out, cmd: JournalCmd) -> Result<ExitCode, AppError> {
    let (q, shop) = match cmd {
        JournalCmd::List { filters } => {
            let shop = filters.shop.clone();
            (to_query(filters)?, shop)
        }
        JournalCmd::Search { text, filters } => {
            let shop = filters.shop.clone();
            (head_office::text_query(&text, to_query(filters)?), shop)
        }
        _ => {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "at head office, `journal list` and `journal search` are available; the other journal commands work on a shop's journal (--db)",
            )
            .with_field("hq"))
        }
    };
    let rows = HeadOffice::connect(hq)?.search(&q, shop.as_deref())?;
    if out.json {
        print_json(&rows);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        say!("no transactions found at head office");
    }
    for r in &rows {
        say!(
            "{}  {}  {}  terminal {} batch {} voucher {}  {} {}  {}.{:02} {}  RRN {}  card {}",
            r.shop_id,
            r.shop_name,
            r.occurred_at.format("%Y-%m-%d %H:%M:%S"),
            r.terminal_id,
            r.batch_no,
            r.trace_no,
            r.kind,
            r.outcome,
            r.amount_minor / 100,
            (r.amount_minor % 100).abs(),
            r.currency,
            r.rrn.as_deref().unwrap_or("-"),
            r.pan.as_deref().unwrap_or("-"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn to_query(f: Filters) -> Result<slipkeeper_app::TxnQuery, AppError> {
    crate::journal::to_query(f, None)
}

/// `--hq URL diagnose … [--shop ID]`: one shop's transaction, diagnosed from that
/// shop's records as the shop would, with the shop named.
pub fn diagnose(
    hq: &str,
    out: &Out,
    find: &crate::diagnose::LookupArgs,
    complaint: slipkeeper_domain::Complaint,
    shop: Option<&str>,
) -> Result<ExitCode, AppError> {
    let clock = slipkeeper_app::clock_from_env()?;
    let d = HeadOffice::connect(hq)?.diagnose(shop, complaint, &find.to_lookup()?, clock)?;
    if out.json {
        print_json(&d);
    } else {
        say!("店铺 Shop: {} ({})", d.shop_name, d.shop_id);
        crate::diagnose::print_diagnosis(&d.diagnosis);
    }
    Ok(ExitCode::SUCCESS)
}

/// `--hq URL reconcile --statement FILE…`: the acquirer's statement against every
/// shop's transactions, split by shop.
pub fn reconcile(
    hq: &str,
    out: &Out,
    files: &[std::path::PathBuf],
    mapping: Option<&str>,
    acquirer: Option<&str>,
    period: Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>,
) -> Result<ExitCode, AppError> {
    let clock = slipkeeper_app::clock_from_env()?;
    let r = HeadOffice::connect(hq)?.reconcile(files, mapping, acquirer, period, clock)?;
    if out.json {
        print_json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    let yuan = |m: i64| slipkeeper_domain::Money::cny(m).major_string();
    say!(
        "{} to {}: {} transactions from the shops, {} statement lines, {} matched",
        r.report.from,
        r.report.to,
        r.report.journal_transactions,
        r.report.statement_lines,
        r.matched
    );
    say!("by shop (transactions / statement lines, amounts, difference, discrepancies):");
    for s in &r.shops {
        say!(
            "  {:<12} {}  merchant {}  terminals {}: {} × {} / {} × {}, difference {}, {} discrepancies",
            if s.shop_id.is_empty() { "-" } else { &s.shop_id },
            s.shop_name,
            if s.merchant_ids.is_empty() { "-".to_owned() } else { s.merchant_ids.join(", ") },
            s.terminals.join(", "),
            s.journal_count,
            yuan(s.journal_minor),
            s.statement_count,
            yuan(s.statement_minor),
            yuan(s.difference_minor),
            s.discrepancies
        );
    }
    if r.report.result.discrepancies.is_empty() {
        say!("no discrepancies");
    } else {
        say!("{} discrepancies:", r.report.result.discrepancies.len());
        for (d, shop) in r
            .report
            .result
            .discrepancies
            .iter()
            .zip(&r.discrepancy_shops)
        {
            say!(
                "  {:<12} {:<22} {}",
                shop.as_ref().map(|s| s.shop_id.as_str()).unwrap_or("-"),
                d.kind.as_str(),
                d.detail.en
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--hq URL case list [--due-within DAYS]`: every shop's cases, soonest deadline first.
pub fn cases(hq: &str, out: &Out, due_within: Option<i64>) -> Result<ExitCode, AppError> {
    use slipkeeper_app::Clock;
    let today = slipkeeper_app::clock_from_env()?.local_now().date();
    let cases = HeadOffice::connect(hq)?.cases(due_within, today)?;
    if out.json {
        print_json(&cases);
        return Ok(ExitCode::SUCCESS);
    }
    if cases.is_empty() {
        say!("no cases at head office");
    }
    for c in &cases {
        let due = match c.due_on {
            Some(d) => {
                let left = (d - today).num_days();
                if left < 0 {
                    format!("due {d}, overdue by {} day(s)", -left)
                } else {
                    format!("due {d}, {left} day(s) left")
                }
            }
            None => "no deadline".to_owned(),
        };
        say!(
            "{} {}  case #{}  {}  {}  {}  {}{}",
            c.shop_id,
            c.shop_name,
            c.case_id,
            c.status,
            c.complaint,
            c.code,
            due,
            c.acquirer_ref
                .as_deref()
                .map(|r| format!("  acquirer ref {r}"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
