//! Evidence packs: a ZIP the shop owner sends the acquirer, byte-for-byte the same
//! for the same inputs, that anyone can check with standard tools (`unzip -t`,
//! `sha256sum -c MANIFEST.sha256`) and `slipkeeper evidence verify`.

use crate::{missing_profile_fields, App, AppError, ErrorCode};
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use slipkeeper_domain::{CopyType, Transaction};
use slipkeeper_journal::{check_proof, ChainProof, TxnQuery, TxnRow};
use slipkeeper_slip::{layout, write_document_pdf, write_pdf, Line, Paper};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

/// The largest attachment a pack takes: photos of a slip are well under this.
pub const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;

/// What building an evidence pack wrote.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct PackReport {
    /// The pack.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Hex SHA-256 of the whole pack, to quote in the letter or on the phone.
    pub sha256: String,
    /// The files inside, in order.
    pub files: Vec<String>,
}

/// What checking a pack found.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct PackCheck {
    /// Files checked against the manifest.
    pub files: usize,
    /// Chain entries recomputed.
    pub proofs: usize,
    /// Each thing that does not match; empty when the pack is as built.
    pub problems: Vec<String>,
}

impl PackCheck {
    /// Nothing found wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Serialize)]
struct ManifestEntry {
    name: String,
    bytes: u64,
    sha256: String,
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::BadInput, m)
}

fn internal(e: impl ToString) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

/// Accepts photos and scans of the signed slip or chat screenshots: JPEG, PNG, PDF.
fn attachment_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpg", "image/jpeg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("png", "image/png"))
    } else if bytes.starts_with(b"%PDF-") {
        Some(("pdf", "application/pdf"))
    } else {
        None
    }
}

fn safe_stem(p: &Path) -> String {
    let stem: String = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if stem.is_empty() {
        "attachment".into()
    } else {
        stem
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn excerpt_csv(rows: &[(&str, &TxnRow)]) -> String {
    let mut out = String::from("\u{feff}role,id,terminal,batch,voucher,kind,outcome,amount,currency,time,rrn,auth_code,card,original_voucher\n");
    for (role, r) in rows {
        let t = &r.txn;
        let o = |v: Option<&str>| v.unwrap_or("").to_owned();
        let cells = [
            role.to_string(),
            r.id.to_string(),
            t.terminal_id.to_string(),
            t.batch_no.to_string(),
            t.trace_no.to_string(),
            t.kind.as_str().to_owned(),
            t.outcome.as_str().to_owned(),
            t.amount.major_string(),
            t.amount.currency().as_str().to_owned(),
            t.occurred_at.to_string(),
            o(t.rrn.as_ref().map(|v| v.as_str())),
            o(t.auth_code.as_ref().map(|v| v.as_str())),
            o(t.pan.as_ref().map(|v| v.as_str())),
            o(t.original_trace_no.as_ref().map(|v| v.as_str())),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

struct Eml<'a> {
    from: &'a str,
    to: &'a str,
    subject: &'a str,
    body: &'a str,
    date: DateTime<Utc>,
    id: &'a str,
    attachments: &'a [(String, &'static str, Vec<u8>)],
}

/// An address header: a real address through the builder (RFC 5322), a group with no
/// members ("undisclosed-recipients:;", when the owner has not said one) as written.
fn address<'a>(
    m: mail_builder::MessageBuilder<'a>,
    name: &'static str,
    value: &'a str,
) -> mail_builder::MessageBuilder<'a> {
    use mail_builder::headers::{address::Address, raw::Raw};
    if value.ends_with(":;") {
        m.header(name, Raw::new(value))
    } else {
        m.header(name, Address::new_address(None::<&str>, value))
    }
}

/// The draft e-mail, built by a MIME library so that headers and Chinese attachment
/// names are encoded by the RFCs (2047 for the subject, 2231 for file names). The
/// boundary comes from the message id, so the same pack is the same bytes.
fn eml(m: &Eml) -> Result<Vec<u8>, AppError> {
    use mail_builder::headers::{content_type::ContentType, raw::Raw};
    use mail_builder::mime::MimePart;
    let boundary = format!("=_slipkeeper_{}", &sha(m.id.as_bytes())[..16]);
    let body = m.body.replace('\n', "\r\n");
    let mut parts = vec![MimePart::new("text/plain", body.as_str())];
    for (name, mime, bytes) in m.attachments {
        parts.push(MimePart::new(*mime, bytes.as_slice()).attachment(name.as_str()));
    }
    let root = MimePart::new(
        ContentType::new("multipart/mixed").attribute("boundary", boundary.as_str()),
        parts,
    );
    let message_id = format!("{}@slipkeeper.invalid", m.id);
    let mut b = mail_builder::MessageBuilder::new();
    b = address(b, "From", m.from);
    b = address(b, "To", m.to);
    b.subject(m.subject)
        .date(m.date.timestamp())
        .message_id(message_id.as_str())
        // Mail programs open a message marked this way as a draft to review and send.
        .header("X-Unsent", Raw::new("1"))
        .body(root)
        .write_to_vec()
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("draft e-mail: {e}")))
}

fn mime_of(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("txt") => "text/plain",
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

pub(crate) fn zip_bytes(
    files: &[(String, Vec<u8>)],
    at: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    use zip::write::SimpleFileOptions;
    let t = at.naive_utc();
    let mtime = zip::DateTime::from_date_and_time(
        t.year().clamp(1980, 2107) as u16,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .map_err(internal)?;
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(mtime)
        .unix_permissions(0o644);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts).map_err(internal)?;
        w.write_all(bytes).map_err(internal)?;
    }
    Ok(w.finish().map_err(internal)?.into_inner())
}

impl App {
    /// Builds the evidence pack of case `case_id` at `out`. Attachments are checked
    /// first (type and size); nothing is written unless everything is in order, and the
    /// file appears whole or not at all.
    pub fn build_evidence(
        &mut self,
        case_id: i64,
        attachments: &[PathBuf],
        out: &Path,
    ) -> Result<PackReport, AppError> {
        let mut attached = Vec::new();
        for (i, p) in attachments.iter().enumerate() {
            let bytes =
                crate::files::read_limited(p, MAX_ATTACHMENT, "an attachment").map_err(|e| {
                    AppError::new(e.code, format!("{}; nothing was written", e.message))
                })?;
            let Some((ext, mime)) = attachment_type(&bytes) else {
                return Err(bad(format!(
                    "{}: not a JPEG, PNG or PDF file (attach photos or scans of the slip, or screenshots); nothing was written",
                    p.display()
                ))
                .with_zh(format!(
                    "{}：不是 JPEG、PNG 或 PDF 文件（请附签购单的照片、扫描件或截图）；什么都没有写",
                    p.display()
                )));
            };
            attached.push((
                format!("05_attachments/{:02}_{}.{ext}", i + 1, safe_stem(p)),
                mime,
                bytes,
            ));
        }
        let profile = self.merchant_profile()?;
        let missing = missing_profile_fields(&profile);
        if !missing.is_empty() {
            return Err(bad(format!(
                "the letter needs your {}: set them with `slipkeeper merchant set`; nothing was written",
                missing.join(", ")
            ))
            .with_zh(format!(
                "信函需要填写商户资料（{}）：请在设置里填好；什么都没有写",
                missing.join("、")
            )));
        }
        let plan = self.contact_plan(case_id)?;
        let view = self.case(case_id)?;
        let now = self.clock.now();
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();

        // 00: the letter, both languages.
        let mut letter: Vec<Line> = vec![
            Line::title("交易核查申请 / TRANSACTION INQUIRY"),
            Line::plain(""),
        ];
        letter.extend(plan.letter.zh.lines().map(Line::plain));
        letter.push(Line::plain(""));
        letter.push(Line::plain("-".repeat(80)));
        letter.push(Line::plain(""));
        letter.extend(plan.letter.en.lines().map(Line::plain));
        let mut pdf = Vec::new();
        write_document_pdf(&letter, &format!("Slipkeeper case SK-{case_id}"), &mut pdf)
            .map_err(internal)?;
        files.push(("00_cover_letter.pdf".into(), pdf));

        let mut proofs: Vec<ChainProof> = Vec::new();
        let detail = view
            .summary
            .case
            .txn_id
            .map(|id| self.detail(id))
            .transpose()?;
        if let Some(d) = &detail {
            let txn_id = d.row.id;
            let t: &Transaction = &d.row.txn;
            // 01: the slip, both copies, marked as reprints.
            let slips: Vec<_> = [CopyType::Merchant, CopyType::Cardholder]
                .into_iter()
                .map(|c| {
                    layout(
                        t,
                        &d.slips,
                        c,
                        profile.shop_name.as_deref(),
                        self.clock.local_now(),
                    )
                })
                .collect();
            let mut pdf = Vec::new();
            write_pdf(&slips, Paper::Roll80, "Slipkeeper reprint", &mut pdf).map_err(internal)?;
            files.push(("01_slip_reprint.pdf".into(), pdf));

            // 02: the transaction, what refers to it, its neighbours, its settlement.
            let around = self.journal.search(&TxnQuery {
                terminal: Some(t.terminal_id.clone()),
                from: Some(t.occurred_at - chrono::TimeDelta::minutes(30)),
                to: Some(t.occurred_at + chrono::TimeDelta::minutes(30)),
                limit: 200,
                ..Default::default()
            })?;
            let mut neighbours: Vec<&TxnRow> = around
                .items
                .iter()
                .filter(|r| r.id != txn_id && !d.related.iter().any(|x| x.id == r.id))
                .collect();
            neighbours.sort_by_key(|r| ((r.txn.occurred_at - t.occurred_at).abs(), r.id));
            neighbours.truncate(6);
            neighbours.sort_by_key(|r| (r.txn.occurred_at, r.id));
            let mut rows: Vec<(&str, &TxnRow)> = vec![("this", &d.row)];
            rows.extend(d.related.iter().map(|r| ("related", r)));
            rows.extend(neighbours.iter().map(|r| ("neighbour", *r)));
            files.push((
                "02_journal_excerpt.csv".into(),
                excerpt_csv(&rows).into_bytes(),
            ));
            let statement_line = view
                .summary
                .case
                .statement_line_id
                .map(|id| self.journal.statement_line(id))
                .transpose()?;
            let excerpt = serde_json::json!({
                "transaction": &d.row,
                "batch": &d.batch,
                "related": &d.related,
                "neighbours": neighbours,
                "statement_line": statement_line.map(|(l, file)| serde_json::json!({"file": file, "line": l})),
            });
            files.push((
                "02_journal_excerpt.json".into(),
                serde_json::to_vec_pretty(&excerpt).map_err(internal)?,
            ));

            // 03: the bytes the terminal sent: proof it came from the terminal.
            let mut raw = format!("# Terminal frames of transaction #{txn_id} (terminal {}, voucher {}), hex, UTC time\n", t.terminal_id, t.trace_no);
            for f in &d.frames {
                let hex: Vec<String> = f.bytes.iter().map(|b| format!("{b:02X}")).collect();
                raw.push_str(&format!(
                    "{} {} {}\n",
                    f.at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                    f.direction.as_str(),
                    hex.join(" ")
                ));
            }
            if d.frames.is_empty() {
                raw.push_str(
                    "# none: this transaction was imported, not mirrored from the terminal\n",
                );
            }
            files.push(("03_raw_frames.txt".into(), raw.into_bytes()));

            // 04: chain entries of everything quoted above.
            let mut ids = vec![txn_id];
            ids.extend(d.related.iter().map(|r| r.id));
            for id in ids {
                for (kind, row) in self.journal.records_of_transaction(id)? {
                    proofs.push(self.journal.chain_proof(&kind, row)?);
                }
            }
            if let Some(sid) = self.journal.settlement_id(&t.terminal_id, &t.batch_no)? {
                proofs.push(self.journal.chain_proof("settlement", sid)?);
            }
        }
        // The acquirer's own statement line, when the case came from a reconciliation:
        // with or without a journal transaction (a line the mirror never saw has none).
        if let Some(id) = view.summary.case.statement_line_id {
            let stored = self.journal.statement_line_by_id(id)?;
            let doc = serde_json::json!({ "statement_line_id": id, "file": &stored.file_name, "line": &stored.line });
            files.push((
                "02_statement_line.json".into(),
                serde_json::to_vec_pretty(&doc).map_err(internal)?,
            ));
            // No journal record to reprint: the slip rebuilt from the acquirer's own
            // line, titled as such and naming the file and line.
            if detail.is_none() {
                let w = self.witness(stored);
                let slips =
                    self.statement_line_slips(&w, &[CopyType::Merchant, CopyType::Cardholder])?;
                let mut pdf = Vec::new();
                write_pdf(
                    &slips,
                    Paper::Roll80,
                    "Slipkeeper slip rebuilt from the acquirer's statement",
                    &mut pdf,
                )
                .map_err(internal)?;
                files.push(("01_slip_from_statement.pdf".into(), pdf));
            }
        }
        let integrity = serde_json::json!({
            "algorithm": "hash = SHA-256(bytes of prev_hash, hex-decoded || UTF-8 bytes of line)",
            "how_to_check": "For every entry, hash the previous hash and the line as stated and compare with hash; `slipkeeper evidence verify PACK.zip` does this.",
            "entries": proofs,
        });
        files.push((
            "04_integrity.json".into(),
            serde_json::to_vec_pretty(&integrity).map_err(internal)?,
        ));
        for (name, _, bytes) in &attached {
            files.push((name.clone(), bytes.clone()));
        }

        // The draft e-mail carries the evidence itself.
        let txn = detail.as_ref().map(|d| &d.row.txn);
        let mid = crate::cases::merchant_no(&profile, txn).unwrap_or_default();
        let voucher = match &view.lookup {
            crate::Lookup::Voucher { voucher, .. } => voucher.to_string(),
            _ => txn.map(|t| t.trace_no.to_string()).unwrap_or_default(),
        };
        let subject =
            format!("交易核查 Transaction inquiry — 商户号 {mid} 凭证号 {voucher} (SK-{case_id})");
        let body = format!("{}\n\n----\n\n{}\n", plan.letter.zh, plan.letter.en);
        let mail_attachments: Vec<(String, &'static str, Vec<u8>)> = files
            .iter()
            .map(|(n, b)| {
                (
                    n.rsplit('/').next().unwrap_or(n).to_owned(),
                    mime_of(n),
                    b.clone(),
                )
            })
            .collect();
        let to = if plan.acquirer.dispute_email.is_empty() {
            "undisclosed-recipients:;".to_owned()
        } else {
            plan.acquirer.dispute_email.clone()
        };
        let from = profile
            .email
            .clone()
            .unwrap_or_else(|| "undisclosed-recipients:;".into());
        let mail = eml(&Eml {
            from: &from,
            to: &to,
            subject: &subject,
            body: &body,
            date: now,
            id: &format!("sk-{case_id}-{}", now.timestamp()),
            attachments: &mail_attachments,
        })?;
        files.push(("draft.eml".into(), mail));

        let manifest: Vec<ManifestEntry> = files
            .iter()
            .map(|(n, b)| ManifestEntry {
                name: n.clone(),
                bytes: b.len() as u64,
                sha256: sha(b),
            })
            .collect();
        let sums: String = manifest
            .iter()
            .map(|m| format!("{}  {}\n", m.sha256, m.name))
            .collect();
        let manifest_json = serde_json::to_vec_pretty(&serde_json::json!({
            "case": format!("SK-{case_id}"),
            "built_at": now,
            "program": concat!("Slipkeeper ", env!("CARGO_PKG_VERSION")),
            "files": manifest,
        }))
        .map_err(internal)?;
        files.push(("manifest.json".into(), manifest_json));
        // Last, so it can list manifest.json too.
        let sums = format!("{sums}{}  manifest.json\n", sha(&files[files.len() - 1].1));
        files.push(("MANIFEST.sha256".into(), sums.into_bytes()));

        let bytes = zip_bytes(&files, now)?;
        crate::files::write_atomic(out, &bytes)?;
        let digest = sha(&bytes);
        self.journal.add_case_event(
            case_id,
            "pack",
            &format!("{} sha256 {digest}", out.display()),
            now,
        )?;
        Ok(PackReport {
            path: out.to_owned(),
            bytes: bytes.len() as u64,
            sha256: digest,
            files: files.into_iter().map(|(n, _)| n).collect(),
        })
    }
}

/// Checks a pack on its own: every file against MANIFEST.sha256, nothing extra or
/// missing, and every chain entry in 04_integrity.json.
/// Limits on a pack being checked, so a hostile ZIP is a one-line error in bounded
/// memory: entries are hashed as they are unpacked, only the manifest and the chain
/// proofs are kept.
pub mod pack_limits {
    /// Entries in a pack (a real one has a dozen).
    pub const ENTRIES: usize = 200;
    /// One entry, unpacked: the largest attachment plus room.
    pub const ENTRY_BYTES: u64 = super::MAX_ATTACHMENT * 2;
    /// The manifest and 04_integrity.json, kept in memory to be read.
    pub const KEPT_BYTES: u64 = 16 * 1024 * 1024;
}

/// Checks every hash in the pack at `path` (files against the manifest, chain entries
/// against each other); needs no journal.
pub fn verify_evidence(path: &Path) -> Result<PackCheck, AppError> {
    let (mut f, _) = crate::files::open_regular(path, "an evidence pack")?;
    // Two entries of one name: a reader shows one, and the ZIP library keeps only one
    // of them, so the names are read from the central directory itself. A pack
    // Slipkeeper writes never has them.
    let names = central_directory_names(&mut f).map_err(|e| {
        bad(format!("{}: not a readable ZIP: {e}", path.display()))
            .with_zh(format!("{}：不是可读的 ZIP 文件（{e}）", path.display()))
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for n in &names {
        if !seen.insert(n) {
            return Err(bad(format!(
                "{}: two entries named {n}: a forged pack",
                path.display()
            ))
            .with_zh(format!(
                "{}：有两个同名文件 {n}：这个证据包被人动过",
                path.display()
            )));
        }
    }
    let mut z = zip::ZipArchive::new(f).map_err(|e| {
        bad(format!("{}: not a readable ZIP: {e}", path.display()))
            .with_zh(format!("{}：不是可读的 ZIP 文件（{e}）", path.display()))
    })?;
    if z.len() > pack_limits::ENTRIES {
        return Err(bad(format!(
            "{}: {} entries (a pack has at most {}): not an evidence pack",
            path.display(),
            z.len(),
            pack_limits::ENTRIES
        )));
    }
    // name → SHA-256 of the unpacked entry; the two documents read are kept too.
    let mut contents = std::collections::BTreeMap::new();
    let mut kept: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    for i in 0..z.len() {
        let mut entry = z
            .by_index(i)
            .map_err(|e| bad(format!("{}: entry {i}: {e}", path.display())))?;
        let name = entry.name().to_owned();
        let keep = name == "MANIFEST.sha256" || name == "04_integrity.json";
        let limit = if keep {
            pack_limits::KEPT_BYTES
        } else {
            pack_limits::ENTRY_BYTES
        };
        let mut hasher = Sha256::new();
        let mut body = Vec::new();
        let mut sink = HashInto {
            hasher: &mut hasher,
            keep: keep.then_some(&mut body),
        };
        let n = std::io::copy(&mut (&mut entry).take(limit + 1), &mut sink)
            .map_err(|e| bad(format!("{}: {name}: {e}", path.display())))?;
        if n > limit {
            return Err(bad(format!(
                "{}: {name} unpacks to more than {} MB: not an evidence pack",
                path.display(),
                limit >> 20
            )));
        }
        // Two entries of one name: a reader would show one, a checker could hash the
        // other. A pack Slipkeeper writes never has them.
        if contents
            .insert(name.clone(), hex::encode(hasher.finalize()))
            .is_some()
        {
            return Err(bad(format!(
                "{}: two entries named {name}: a forged pack",
                path.display()
            ))
            .with_zh(format!(
                "{}：有两个同名文件 {name}：这个证据包被人动过",
                path.display()
            )));
        }
        if keep {
            kept.insert(name, body);
        }
    }
    let mut problems = Vec::new();
    let Some(sums) = kept.get("MANIFEST.sha256") else {
        return Err(bad(format!(
            "{}: no MANIFEST.sha256: not an evidence pack",
            path.display()
        ))
        .with_zh(format!(
            "{}：没有校验清单 MANIFEST.sha256，不是签购单管家的证据包",
            path.display()
        )));
    };
    let sums = String::from_utf8_lossy(sums).into_owned();
    let mut listed = std::collections::BTreeSet::new();
    for (n, line) in sums.lines().enumerate() {
        let Some((hash, name)) = line.split_once("  ") else {
            problems.push(format!(
                "MANIFEST.sha256:{}: not \"<sha256>  <name>\"",
                n + 1
            ));
            continue;
        };
        listed.insert(name.to_owned());
        match contents.get(name) {
            None => problems.push(format!("{name}: listed but missing")),
            Some(b) if *b != hash => problems.push(format!(
                "{name}: changed (SHA-256 does not match the manifest)"
            )),
            Some(_) => {}
        }
    }
    for name in contents.keys() {
        if name != "MANIFEST.sha256" && !listed.contains(name) {
            problems.push(format!("{name}: not in the manifest"));
        }
    }
    let mut proofs = 0;
    if let Some(b) = kept.get("04_integrity.json") {
        #[derive(serde::Deserialize)]
        struct Integrity {
            entries: Vec<ChainProof>,
        }
        match serde_json::from_slice::<Integrity>(b) {
            Ok(i) => {
                for p in i.entries {
                    proofs += 1;
                    if !check_proof(&p) {
                        problems.push(format!("04_integrity.json: chain entry {} ({}) does not hash to its stated value", p.seq, p.label));
                    }
                }
            }
            Err(e) => problems.push(format!("04_integrity.json: {e}")),
        }
    }
    Ok(PackCheck {
        files: contents.len(),
        proofs,
        problems,
    })
}

/// Hashes what is written, keeping a copy when asked.
struct HashInto<'a> {
    hasher: &'a mut Sha256,
    keep: Option<&'a mut Vec<u8>>,
}

impl std::io::Write for HashInto<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.hasher.update(buf);
        if let Some(k) = &mut self.keep {
            k.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The entry names of a ZIP's central directory, in order, duplicates included.
/// Packs are small: no ZIP64, and the directory is at most 1 MB.
fn central_directory_names(f: &mut std::fs::File) -> std::io::Result<Vec<String>> {
    use std::io::{Seek, SeekFrom};
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let len = f.seek(SeekFrom::End(0))?;
    // The end record is 22 bytes plus a comment of up to 64 KiB.
    let tail_len = len.min(22 + 65_535);
    f.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    f.read_exact(&mut tail)?;
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4B, 0x05, 0x06])
        .ok_or_else(|| bad("no end of central directory"))?;
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as usize;
    let u32_at =
        |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64;
    let end = &tail[at..];
    let (count, size, offset) = (u16_at(end, 10), u32_at(end, 12), u32_at(end, 16));
    if size > 1024 * 1024 || offset.saturating_add(size) > len {
        return Err(bad("central directory out of bounds"));
    }
    f.seek(SeekFrom::Start(offset))?;
    let mut cd = vec![0u8; size as usize];
    f.read_exact(&mut cd)?;
    let mut names = Vec::with_capacity(count.min(1024));
    let mut i = 0;
    while i + 46 <= cd.len() && cd[i..i + 4] == [0x50, 0x4B, 0x01, 0x02] {
        let (n, x, c) = (
            u16_at(&cd, i + 28),
            u16_at(&cd, i + 30),
            u16_at(&cd, i + 32),
        );
        let name = cd
            .get(i + 46..i + 46 + n)
            .ok_or_else(|| bad("entry name out of bounds"))?;
        names.push(String::from_utf8_lossy(name).into_owned());
        i += 46 + n + x + c;
    }
    f.seek(SeekFrom::Start(0))?;
    Ok(names)
}
