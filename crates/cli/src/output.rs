//! Human tables or JSON, one place for both.

use serde::Serialize;
use slipkeeper_app::{IngestReport, Page, TerminalReport, TxnDetail, TxnRow, VerifyReport};
use slipkeeper_domain::Transaction;
use std::path::Path;

pub struct Out {
    pub json: bool,
}

/// A value as JSON for `--json` output (every value the CLI prints serialises).
pub fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub fn print_json<T: Serialize + ?Sized>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => say!("{s}"),
        Err(e) => eprintln!("slipkeeper: cannot format output: {e}"),
    }
}

/// Display width: CJK characters take two columns in a terminal.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut w: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    let line = |cells: Vec<&str>| {
        let s: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(w[i] - width(c))))
            .collect();
        say!("{}", s.join("  ").trim_end());
    };
    line(headers.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

fn cells(r: &TxnRow) -> Vec<String> {
    let t = &r.txn;
    let o = |v: Option<&str>| v.unwrap_or("-").to_owned();
    vec![
        r.id.to_string(),
        t.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        t.terminal_id.to_string(),
        format!(
            "{}{}",
            t.batch_no,
            if r.settled { " (settled)" } else { "" }
        ),
        t.trace_no.to_string(),
        t.kind.to_string(),
        t.outcome.to_string(),
        t.amount.to_string(),
        o(t.pan.as_ref().map(|p| p.as_str())),
        o(t.rrn.as_ref().map(|p| p.as_str())),
        o(t.auth_code.as_ref().map(|p| p.as_str())),
    ]
}

const HEADERS: &[&str] = &[
    "ID",
    "DATE/TIME",
    "TERMINAL",
    "BATCH",
    "VOUCHER",
    "TYPE",
    "OUTCOME",
    "AMOUNT",
    "CARD",
    "REF NO.",
    "AUTH",
];

fn describe(t: &Transaction) -> String {
    format!(
        "{} {} voucher {} {} {}",
        t.occurred_at.format("%Y-%m-%d %H:%M:%S"),
        t.kind,
        t.trace_no,
        t.outcome,
        t.amount
    )
}

impl Out {
    pub fn page(&self, p: &Page<TxnRow>) {
        if self.json {
            return print_json(p);
        }
        let rows: Vec<_> = p.items.iter().map(cells).collect();
        table(HEADERS, &rows);
        let shown = p.items.len() as u64;
        say!(
            "{} of {} shown (from {})",
            shown,
            p.total,
            p.offset + u64::from(shown > 0)
        );
    }

    /// A forgiving search's answer: each row with what it matched, then the near amounts.
    pub fn found(&self, f: &slipkeeper_app::Found) {
        if self.json {
            return print_json(f);
        }
        let field = |m: &slipkeeper_app::Field| match m {
            slipkeeper_app::Field::Voucher => "凭证号 voucher",
            slipkeeper_app::Field::Rrn => "参考号 RRN",
            slipkeeper_app::Field::Auth => "授权码 auth",
            slipkeeper_app::Field::Last4 => "卡号后四位 last 4",
            slipkeeper_app::Field::Amount => "金额 amount",
            slipkeeper_app::Field::AboutAmount => "约金额 about amount",
            slipkeeper_app::Field::Text => "签购单文字 slip text",
        };
        let read: Vec<&str> = f.read_as.iter().map(field).collect();
        say!("read as / 按: {}", read.join(", "));
        let mut headers = HEADERS.to_vec();
        headers.push("matched 匹配");
        let rows: Vec<Vec<String>> = f
            .page
            .items
            .iter()
            .map(|h| {
                let mut c = cells(&h.row);
                c.push(h.matched.iter().map(field).collect::<Vec<_>>().join(", "));
                c
            })
            .collect();
        table(&headers, &rows);
        say!("{} of {} found", f.page.items.len(), f.page.total);
        if !f.near.is_empty() {
            say!();
            say!("close amounts / 相近金额:");
            let rows: Vec<_> = f.near.iter().map(|h| cells(&h.row)).collect();
            table(HEADERS, &rows);
        }
        if !f.statement.is_empty() {
            say!();
            say!("on the acquirer's statements, not in the journal / 收单机构对账单上有、日志里没有:");
            let o = |v: Option<&str>| v.unwrap_or("—").to_owned();
            let rows: Vec<Vec<String>> = f
                .statement
                .iter()
                .map(|r| {
                    vec![
                        r.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        o(r.terminal_id.as_ref().map(|v| v.as_str())),
                        o(r.voucher.as_ref().map(|v| v.as_str())),
                        r.kind.as_str().to_owned(),
                        r.amount.major_string(),
                        o(r.rrn.as_ref().map(|v| v.as_str())),
                        format!("{} #{}", r.file_name, r.line_no),
                        r.matched.iter().map(field).collect::<Vec<_>>().join(", "),
                    ]
                })
                .collect();
            table(
                &[
                    "time 时间",
                    "terminal 终端",
                    "voucher 凭证号",
                    "type 类型",
                    "amount 金额",
                    "RRN 参考号",
                    "source 来源",
                    "matched 匹配",
                ],
                &rows,
            );
        }
    }

    pub fn details(&self, ds: &[TxnDetail]) {
        if self.json {
            return print_json(ds);
        }
        for (i, d) in ds.iter().enumerate() {
            if i > 0 {
                say!();
            }
            let t = &d.row.txn;
            let o = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            let fields = [
                ("终端号 Terminal", t.terminal_id.to_string()),
                ("商户号 Merchant", t.merchant_id.to_string()),
                (
                    "批次号 Batch",
                    format!(
                        "{} ({})",
                        t.batch_no,
                        if d.batch.is_open() {
                            "open 未结算"
                        } else {
                            "settled 已结算"
                        }
                    ),
                ),
                ("凭证号 Voucher", t.trace_no.to_string()),
                ("类型 Type", format!("{} {}", t.kind.slip_label().0, t.kind)),
                ("结果 Outcome", t.outcome.to_string()),
                ("金额 Amount", t.amount.to_string()),
                (
                    "时间 Date/time",
                    t.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                ),
                ("卡号 Card", o(t.pan.as_ref().map(|p| p.to_string()))),
                ("参考号 RRN", o(t.rrn.as_ref().map(|p| p.to_string()))),
                (
                    "授权码 Auth code",
                    o(t.auth_code.as_ref().map(|p| p.to_string())),
                ),
                (
                    "原凭证号 Original",
                    o(t.original_trace_no.as_ref().map(|p| p.to_string())),
                ),
            ];
            for (k, v) in fields {
                say!("{k}{}  {v}", " ".repeat(18usize.saturating_sub(width(k))));
            }
            for r in &d.related {
                say!("related: {}", describe(&r.txn));
            }
            for s in &d.slips {
                say!("--- slip: {} copy, printed by {} ---", s.copy, s.origin);
                for l in &s.lines {
                    say!("  {l}");
                }
            }
            if !d.frames.is_empty() {
                say!("raw frames: {}", d.frames.len());
            }
        }
    }

    pub fn verify(&self, r: &VerifyReport) {
        if self.json {
            return print_json(r);
        }
        if r.is_clean() {
            say!(
                "journal verified: {} records, chain head {}",
                r.checked,
                r.head
            );
        } else {
            say!(
                "journal NOT intact: {} problem(s) in {} records",
                r.problems.len(),
                r.checked
            );
            for p in &r.problems {
                say!("  {p}");
            }
        }
        for w in &r.rewrites {
            say!(
                "  note: the chain was recomputed by Slipkeeper on {} from entry {} ({} record(s) changed): {}; head before {}",
                w.at, w.from_seq, w.records, w.reason, w.old_head
            );
        }
        match r.anchored {
            Some(n) => say!("  anchors beside the journal vouch for {n} record(s)"),
            None => say!("  no anchors file beside the journal (a copy?): dropped newest records cannot be seen"),
        }
        say!("  {}", slipkeeper_app::VERIFY_LIMITS);
    }

    pub fn ingest(&self, source: &Path, r: &IngestReport) {
        if self.json {
            return print_json(r);
        }
        say!(
            "{}: {} new, {} already present (skipped), {} conflicting (kept the stored version)",
            source.display(),
            r.inserted,
            r.duplicates,
            r.conflicts
        );
        for c in &r.conflict_examples {
            say!("  conflict: {c}");
        }
    }

    pub fn terminal(&self, r: &TerminalReport) {
        if self.json {
            return print_json(r);
        }
        let tid = r.terminal_id.as_deref().unwrap_or("?");
        match (r.end.as_str(), r.result_code) {
            ("not_supported", rc) => say!(
                "terminal {tid}: there, but it does not support the status enquiry (result code {})",
                rc.map(|c| format!("{c:02X}"))
                    .unwrap_or_else(|| "none".into())
            ),
            ("aborted", rc) => say!(
                "terminal {tid}: refused or failed (result code {})",
                rc.map(|c| format!("{c:02X}"))
                    .unwrap_or_else(|| "none".into())
            ),
            _ => say!("terminal {tid}: done"),
        }
        if let Some(s) = r.terminal_status {
            say!(
                "  status {s:02X}{}, software {}",
                if s == 0 { " (ready)" } else { "" },
                r.software.as_deref().unwrap_or("?")
            );
        }
        if r.settled {
            say!("  batch settled; the next batch has begun");
        }
        say!(
            "  stored: {} new records, {} already present",
            r.stored.inserted,
            r.stored.duplicates
        );
    }

    pub fn message(&self, text: &str, json: serde_json::Value) {
        if self.json {
            print_json(&json);
        } else {
            say!("{text}");
        }
    }
}
