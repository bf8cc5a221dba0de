//! A reconciliation as CSV, for a spreadsheet or the accountant.

use slipkeeper_domain::{Money, Reconciliation};
use std::io::{self, Write};

fn yuan(minor: i64) -> String {
    Money::cny(minor).major_string()
}

/// One row per discrepancy, then one per matched pair, then the totals; UTF-8 with a
/// byte-order mark so Excel opens the Chinese text correctly.
pub fn write_reconciliation_csv(r: &Reconciliation, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| io::Error::other(e.to_string());
    w.write_record([
        "section",
        "status",
        "time",
        "amount",
        "txn_id",
        "statement_line_id",
        "rule",
        "confidence",
        "detail",
    ])
    .map_err(io)?;
    for d in &r.discrepancies {
        w.write_record([
            "discrepancy".to_owned(),
            d.kind.as_str().to_owned(),
            d.at.to_string(),
            yuan(d.amount_minor),
            d.txn_id.map(|v| v.to_string()).unwrap_or_default(),
            d.line_id.map(|v| v.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            d.detail.en.clone(),
        ])
        .map_err(io)?;
    }
    for m in &r.matches {
        w.write_record([
            "match".to_owned(),
            "matched".to_owned(),
            String::new(),
            String::new(),
            m.txn_id.to_string(),
            m.line_id.to_string(),
            serde_json::to_value(m.rule)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            m.confidence.to_string(),
            m.reason.clone(),
        ])
        .map_err(io)?;
    }
    for t in &r.totals {
        w.write_record([
            "totals".to_owned(),
            if t.difference_minor == 0 {
                "equal"
            } else {
                "different"
            }
            .to_owned(),
            t.day.to_string(),
            yuan(t.difference_minor),
            String::new(),
            String::new(),
            format!("terminal {} / {}", t.terminal, t.card_type),
            String::new(),
            format!(
                "journal {} × {}; statement {} × {}; fee {}; net {}",
                t.journal_count,
                yuan(t.journal_minor),
                t.statement_count,
                yuan(t.statement_minor),
                yuan(t.fee_minor),
                yuan(t.net_minor)
            ),
        ])
        .map_err(io)?;
    }
    w.flush()
}
