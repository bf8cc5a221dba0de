//! `slipkeeper diagnose | contact | case | evidence | merchant | acquirer`.

use crate::args::{AcquirerCmd, CaseCmd, EvidenceCmd, LookupArgs, MerchantCmd};
use crate::output::{print_json, Out};
use slipkeeper_app::{App, AppError, CaseSummary, ContactPlan, ErrorCode, Lookup};
use slipkeeper_domain::{CaseStatus, Complaint, Diagnosis};
use std::io::{BufRead, Write};
use std::path::PathBuf;

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub fn print_diagnosis(d: &Diagnosis) {
    say!("[{}] {}", d.code.as_str(), d.title.zh);
    say!("{}", d.title.en);
    say!();
    say!("{}", d.explanation.zh);
    say!("{}", d.explanation.en);
    if !d.facts.is_empty() {
        say!("\n依据 Facts:");
        for f in &d.facts {
            say!("  - {}", f.text.zh);
            say!("    {}", f.text.en);
        }
    }
    say!("\n下一步 Next steps:");
    for s in &d.next_steps {
        say!("  - {}", s.zh);
        say!("    {}", s.en);
    }
    if !d.prepare.is_empty() {
        say!("\n准备 Have ready:");
        for s in &d.prepare {
            say!("  - {}", s.zh);
            say!("    {}", s.en);
        }
    }
}

pub fn diagnose(
    app: &App,
    out: &Out,
    find: &LookupArgs,
    c: slipkeeper_domain::Complaint,
) -> Result<(), AppError> {
    let d = app.diagnose(c, &find.to_lookup()?)?;
    if out.json {
        print_json(&json(&d));
    } else {
        print_diagnosis(&d);
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

fn print_plan(p: &ContactPlan) {
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

pub fn case(app: &mut App, out: &Out, cmd: CaseCmd) -> Result<(), AppError> {
    match cmd {
        CaseCmd::New {
            find,
            complaint: c,
            acquirer,
            statement_line,
        } => {
            let lookup = find.to_lookup()?;
            let id = app.open_case(c, &lookup, acquirer.as_deref(), statement_line)?;
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

pub fn evidence(app: &mut App, out: &Out, cmd: EvidenceCmd) -> Result<(), AppError> {
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

pub fn merchant(app: &App, out: &Out, cmd: MerchantCmd) -> Result<(), AppError> {
    let mut p = app.merchant_profile()?;
    if let MerchantCmd::Set {
        shop_name,
        merchant_no,
        address,
        contact,
        phone,
        email,
    } = cmd
    {
        let keep = |new: Option<String>, old: Option<String>| new.or(old);
        p.shop_name = keep(shop_name, p.shop_name);
        p.merchant_id = merchant_no.or(p.merchant_id);
        p.address = keep(address, p.address);
        p.contact_person = keep(contact, p.contact_person);
        p.phone = keep(phone, p.phone);
        p.email = keep(email, p.email);
        app.set_merchant_profile(&p)?;
    }
    if out.json {
        print_json(&json(&p));
    } else {
        let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        say!("商户名称 shop name:      {}", o(&p.shop_name));
        say!(
            "商户编号 merchant no.:   {}",
            p.merchant_id
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| "—".into())
        );
        say!("地址 address:            {}", o(&p.address));
        say!("联系人 contact person:   {}", o(&p.contact_person));
        say!("电话 phone:              {}", o(&p.phone));
        say!("邮箱 e-mail:             {}", o(&p.email));
        let missing = slipkeeper_app::missing_profile_fields(&p);
        if !missing.is_empty() {
            say!(
                "letters need: {} (slipkeeper merchant set --shop-name … --contact … --phone …)",
                missing.join(", ")
            );
        }
    }
    Ok(())
}

pub fn acquirer(app: &App, out: &Out, cmd: AcquirerCmd) -> Result<(), AppError> {
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

/// The guided flow, one question at a time on the terminal.
pub fn contact(app: &mut App) -> Result<(), AppError> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut ask = |q: &str| -> Result<String, AppError> {
        let mut o = std::io::stdout().lock();
        if let Err(e) = write!(o, "{q} ").and_then(|()| o.flush()) {
            crate::quit_on_write_error(e);
        }
        std::io::stdout().flush().ok();
        match lines.next() {
            Some(Ok(l)) => Ok(l.trim().to_owned()),
            _ => Err(AppError::new(
                ErrorCode::BadInput,
                "input ended; nothing was recorded",
            )),
        }
    };
    say!("出了什么问题？ What is the problem?");
    for (i, c) in Complaint::ALL.iter().enumerate() {
        say!("  {}. {} / {}", i + 1, c.text().zh, c.text().en);
    }
    let complaint = loop {
        let a = ask("> 1-6:")?;
        if let Some(c) = a
            .parse::<usize>()
            .ok()
            .and_then(|n| Complaint::ALL.get(n.wrapping_sub(1)))
        {
            break *c;
        }
        say!("请输入 1 到 6 / please answer 1 to 6");
    };
    say!("怎么找到这笔交易？ How do we find the transaction?\n  1. 凭证号 voucher no.\n  2. 参考号 RRN\n  3. 授权码 auth code\n  4. 金额和时间 amount and time");
    let lookup = loop {
        let how = ask("> 1-4:")?;
        let parsed: Result<Lookup, AppError> = match how.as_str() {
            "1" => {
                let v = ask("凭证号 voucher no.:")?;
                let t = ask("终端号 terminal no. (Enter to skip):")?;
                (|| {
                    Ok(Lookup::Voucher {
                        voucher: v.parse().map_err(|e: slipkeeper_domain::DomainError| {
                            AppError::new(ErrorCode::BadInput, e.to_string())
                        })?,
                        terminal: (!t.is_empty()).then(|| t.parse()).transpose().map_err(
                            |e: slipkeeper_domain::DomainError| {
                                AppError::new(ErrorCode::BadInput, e.to_string())
                            },
                        )?,
                        batch: None,
                    })
                })()
            }
            "2" => ask("参考号 RRN:")?
                .parse()
                .map(|rrn| Lookup::Rrn { rrn })
                .map_err(|e: slipkeeper_domain::DomainError| {
                    AppError::new(ErrorCode::BadInput, e.to_string())
                }),
            "3" => ask("授权码 auth code:")?
                .parse()
                .map(|auth| Lookup::Auth {
                    auth,
                    terminal: None,
                })
                .map_err(|e: slipkeeper_domain::DomainError| {
                    AppError::new(ErrorCode::BadInput, e.to_string())
                }),
            "4" => {
                let amount = ask("金额 amount (e.g. 128.50):")?;
                let at = ask("大约时间 about when (YYYY-MM-DD HH:MM):")?;
                let last4 = ask("卡号后四位 card last 4 (Enter to skip):")?;
                LookupArgs {
                    voucher: None,
                    rrn: None,
                    auth: None,
                    amount: Some(amount),
                    at: Some(at),
                    last4: (!last4.is_empty()).then_some(last4),
                    terminal: None,
                    batch: None,
                }
                .to_lookup()
            }
            _ => Err(AppError::new(ErrorCode::BadInput, "please answer 1 to 4")),
        };
        match parsed {
            Ok(l) => break l,
            Err(e) => say!("{}", e.message),
        }
    };
    let d = app.diagnose(complaint, &lookup)?;
    say!();
    print_diagnosis(&d);
    if !d.code.needs_acquirer() {
        say!("\n这个问题不需要联系收单机构。 No need to contact the acquirer for this.");
        return Ok(());
    }
    let mut p = app.merchant_profile()?;
    for field in slipkeeper_app::missing_profile_fields(&p) {
        let (q, slot) = match field {
            "shop_name" => ("商户名称 shop name:", &mut p.shop_name),
            "contact_person" => ("联系人 contact person:", &mut p.contact_person),
            _ => ("电话 phone:", &mut p.phone),
        };
        loop {
            let a = ask(q)?;
            if !a.is_empty() {
                *slot = Some(a);
                break;
            }
        }
    }
    app.set_merchant_profile(&p)?;
    let all = app.acquirers()?;
    say!("\n哪家收单机构？ Which acquirer? (the name on your terminal's sticker)");
    for (i, a) in all.iter().enumerate() {
        say!("  {}. {} / {} {}", i + 1, a.name.zh, a.name.en, a.hotline);
    }
    let acquirer = loop {
        let a = ask(&format!("> 1-{}:", all.len()))?;
        if let Some(x) = a
            .parse::<usize>()
            .ok()
            .and_then(|n| all.get(n.wrapping_sub(1)))
        {
            break x.id.clone();
        }
    };
    let id = app.open_case(complaint, &lookup, Some(&acquirer), None)?;
    print_plan(&app.contact_plan(id)?);
    let default = format!("SK-{id}.zip");
    let file = ask(&format!(
        "\n证据包保存到 Save the evidence pack as [{default}]:"
    ))?;
    let file = PathBuf::from(if file.is_empty() { default } else { file });
    let r = app.build_evidence(id, &[], &file)?;
    let v = app.case(id)?;
    say!(
        "\n案件 SK-{id} 已记录 recorded ({}); 证据包 evidence pack: {} ({} bytes)",
        match v.summary.days_left {
            Some(d) => format!("{d} day(s) to the deadline"),
            None => "no deadline".into(),
        },
        r.path.display(),
        r.bytes
    );
    Ok(())
}
