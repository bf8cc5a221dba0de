//! `slipkeeper contact`: step by step, the problem, the diagnosis, what the acquirer
//! will ask, a phone script and a letter, the evidence pack, and a case to follow it
//! up — one question at a time on the terminal.

use crate::case::print_plan;
use crate::ctx::{done, Ctx, Done};
use crate::diagnose::{print_diagnosis, LookupArgs};
use slipkeeper_app::{App, AppError, ErrorCode, Lookup};
use slipkeeper_domain::Complaint;
use std::io::{BufRead, Write};
use std::path::PathBuf;

pub fn run(ctx: &Ctx) -> Done {
    contact(&mut ctx.journal()?)?;
    done()
}

/// The guided flow, one question at a time on the terminal.
fn contact(app: &mut App) -> Result<(), AppError> {
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
