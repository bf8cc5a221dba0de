//! `slipkeeper reprint`: one voucher, or every transaction of a period, marked
//! 重打印 REPRINT, to a PDF, a system printer, an ESC/POS printer or as text.

use crate::output::Out;
use clap::{Args, ValueEnum};
use slipkeeper_app::forms::parse_when;
use slipkeeper_app::{App, AppError, Columns, CopyChoice, ErrorCode, EscposTarget, Paper};
use slipkeeper_domain::{BatchNo, TerminalId, TraceNo};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReprintArgs {
    /// The voucher number (凭证号) on the slip.
    #[arg(required_unless_present = "from")]
    voucher: Option<TraceNo>,
    #[arg(long)]
    terminal: Option<TerminalId>,
    #[arg(long)]
    batch: Option<BatchNo>,
    /// Every transaction from this date or time (YYYY-MM-DD or "YYYY-MM-DD HH:MM").
    #[arg(long, requires = "to", conflicts_with_all = ["voucher", "batch"])]
    from: Option<String>,
    /// To this date (inclusive, whole day) or time (exclusive).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Which copies.
    #[arg(long, value_enum, default_value_t = CopyArg::Both)]
    copy: CopyArg,
    /// Write a PDF here.
    #[arg(long, value_name = "OUT.pdf")]
    pdf: Option<PathBuf>,
    /// PDF paper (a4 puts several slips on a page). Default: 80mm for one voucher, a4
    /// for a range.
    #[arg(long, value_enum)]
    paper: Option<PaperArg>,
    /// Print on a system printer (CUPS name; "default" for the default printer).
    #[arg(long, value_name = "NAME")]
    printer: Option<String>,
    /// Open the PDF in the system's viewer afterwards.
    #[arg(long, requires = "pdf")]
    open: bool,
    /// A network receipt printer, e.g. tcp://192.168.1.60:9100.
    #[arg(long, value_name = "tcp://HOST:PORT")]
    escpos: Option<String>,
    /// A USB or serial receipt printer device, e.g. /dev/usb/lp0.
    #[arg(long, value_name = "PATH")]
    escpos_device: Option<PathBuf>,
    /// ESC/POS paper width in characters: 32 (58 mm) or 48 (80 mm).
    #[arg(long, value_enum, default_value_t = ColumnsArg::C48)]
    columns: ColumnsArg,
    /// Print the slip text here.
    #[arg(long)]
    text: bool,
}

/// The copies, as the flag spells them (the window sends the same [`CopyChoice`]).
#[derive(Clone, Copy, Debug, ValueEnum)]
enum CopyArg {
    Merchant,
    Cardholder,
    Both,
}

impl From<CopyArg> for CopyChoice {
    fn from(c: CopyArg) -> CopyChoice {
        match c {
            CopyArg::Merchant => CopyChoice::Merchant,
            CopyArg::Cardholder => CopyChoice::Cardholder,
            CopyArg::Both => CopyChoice::Both,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PaperArg {
    #[value(name = "58mm", alias = "58")]
    Roll58,
    #[value(name = "80mm", alias = "80")]
    Roll80,
    #[value(name = "a4", alias = "A4")]
    A4,
}

impl From<PaperArg> for Paper {
    fn from(p: PaperArg) -> Paper {
        match p {
            PaperArg::Roll58 => Paper::Roll58,
            PaperArg::Roll80 => Paper::Roll80,
            PaperArg::A4 => Paper::A4,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColumnsArg {
    /// 58 mm paper.
    #[value(name = "32")]
    C32,
    /// 80 mm paper.
    #[value(name = "48")]
    C48,
}

pub fn run(ctx: &crate::ctx::Ctx, a: ReprintArgs) -> crate::ctx::Done {
    reprint(&ctx.journal()?, &ctx.out, a)?;
    crate::ctx::done()
}

fn reprint(app: &App, out: &Out, a: ReprintArgs) -> Result<(), AppError> {
    let copies = CopyChoice::from(a.copy).copies();
    let cols = match a.columns {
        ColumnsArg::C32 => Columns::C32,
        ColumnsArg::C48 => Columns::C48,
    };
    let paper = match a.paper {
        Some(p) => p.into(),
        None if a.from.is_some() => Paper::A4,
        None => Paper::Roll80,
    };
    let escpos = a
        .escpos
        .map(|url| {
            url.strip_prefix("tcp://")
                .map(|h| EscposTarget::Tcp(h.to_owned()))
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::BadInput,
                        format!("--escpos {url:?}: expected tcp://HOST:PORT"),
                    )
                })
        })
        .transpose()?
        .or(a.escpos_device.map(EscposTarget::Device));
    if a.pdf.is_none() && a.printer.is_none() && escpos.is_none() && !a.text {
        return Err(AppError::new(
            ErrorCode::BadInput,
            "say where the reprint goes: --pdf OUT.pdf, --printer NAME, --escpos tcp://HOST:9100, --escpos-device PATH or --text",
        ));
    }
    let slips = match (&a.voucher, &a.from, &a.to) {
        (Some(v), _, _) => app.reprint(v, a.terminal.as_ref(), a.batch.as_ref(), &copies)?,
        (None, Some(f), Some(t)) => app.reprint_range(
            parse_when("from", f, false)?,
            parse_when("to", t, true)?,
            a.terminal.as_ref(),
            &copies,
        )?,
        _ => {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "give a voucher number, or --from and --to",
            ))
        }
    };
    let mut done = Vec::new();
    if let Some(path) = &a.pdf {
        let n = app.save_pdf(&slips, paper, path)?;
        done.push(format!("{} ({n} bytes)", path.display()));
        if a.open {
            slipkeeper_app::open_with_os(path)?;
        }
    }
    if let Some(name) = &a.printer {
        let name = Some(name.as_str()).filter(|n| *n != "default");
        app.print_on_system_printer(&slips, paper, name)?;
        done.push(format!("printer {}", name.unwrap_or("(default)")));
    }
    if let Some(t) = &escpos {
        let n = app.print_escpos(&slips, cols, t)?;
        done.push(format!("receipt printer ({n} bytes)"));
    }
    if a.text {
        for s in &slips {
            for l in &s.lines {
                say!("{}", l.text);
            }
            say!();
        }
    }
    if !done.is_empty() {
        out.message(
            &format!("{} slip(s) to {}", slips.len(), done.join(", ")),
            serde_json::json!({ "slips": slips.len(), "to": done }),
        );
    }
    Ok(())
}
