//! The support bundle: what a support person needs to see what went wrong at a shop,
//! in one ZIP the owner sends when they choose to. Logs (masked on the way in), the
//! results of the journal's check and verify, versions, the OS, the configured links
//! and how many frames the link exchanged per day. Never slip text, card data, the
//! merchant profile or a password.

use crate::{App, AppError, ErrorCode};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `support_bundle` wrote.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct BundleReport {
    /// The bundle.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// The files inside.
    pub files: Vec<String>,
}

/// A log file bigger than this goes in as its last part only.
const LOG_TAIL: u64 = 8 * 1024 * 1024;

fn os_release() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_default()
}

fn tail(path: &Path) -> Result<Vec<u8>, AppError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| AppError::io(path, e))?;
    let len = f.metadata().map_err(|e| AppError::io(path, e))?.len();
    if len > LOG_TAIL {
        f.seek(SeekFrom::Start(len - LOG_TAIL))
            .map_err(|e| AppError::io(path, e))?;
    }
    let mut out = Vec::new();
    f.read_to_end(&mut out).map_err(|e| AppError::io(path, e))?;
    // Whatever an older build may have logged, it leaves masked.
    slipkeeper_domain::mask_pans_in_bytes(&mut out);
    Ok(out)
}

impl App {
    /// Sets the level the logs are kept at (see [`crate::logs::set_level`]).
    pub fn set_log_level(&self, level: crate::logs::LogLevel) -> Result<(), AppError> {
        crate::logs::set_level(self.journal.path(), level)?;
        tracing::info!(level = level.as_str(), "log level set");
        Ok(())
    }

    /// Writes the support bundle of this journal to `out` (whole or not at all).
    pub fn support_bundle(&self, out: &Path) -> Result<BundleReport, AppError> {
        let journal = self.journal.path().to_owned();
        let now = self.clock.now();
        let json = |v: &serde_json::Value| {
            serde_json::to_vec_pretty(v)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
        };
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let check: Vec<String> = match self.check() {
            Ok(f) => f.iter().map(|x| x.to_string()).collect(),
            Err(e) => vec![format!("check failed: {}", e.message)],
        };
        files.push(("journal-check.txt".into(), {
            let mut t = if check.is_empty() {
                "nothing missing, totals agree\n".to_owned()
            } else {
                String::new()
            };
            check.iter().for_each(|l| t.push_str(&format!("{l}\n")));
            t.into_bytes()
        }));
        let verify = match self.verify() {
            Ok(r) => serde_json::to_value(&r)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?,
            Err(e) => serde_json::json!({"error": e.message}),
        };
        files.push(("journal-verify.json".into(), json(&verify)?));
        let links = self.links().unwrap_or_default();
        let service = crate::agent::service_status(&journal).ok().flatten();
        let frames = self
            .journal
            .frames_per_day(now - chrono::TimeDelta::days(7))
            .unwrap_or_default();
        let size = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
        let about = serde_json::json!({
            "program": concat!("Slipkeeper ", env!("CARGO_PKG_VERSION")),
            "made_at": now,
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "os_release": os_release(),
            "journal": {
                "path": journal.display().to_string(),
                "bytes": size,
                "schema": self.journal.schema_version().ok(),
                "records": self.journal.records_stored().ok(),
            },
            "links": links,
            "service": service,
            "frames_per_day": frames.iter().map(|(d, n)| serde_json::json!({"day": d, "frames": n})).collect::<Vec<_>>(),
        });
        files.push(("about.json".into(), json(&about)?));
        for log in crate::logs::log_files(&journal) {
            let name = log
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((format!("logs/{name}"), tail(&log)?));
        }
        let bytes = crate::evidence::zip_bytes(&files, now)?;
        let dir: PathBuf = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| AppError::io(&dir, e))?;
        tmp.write_all(&bytes).map_err(|e| AppError::io(out, e))?;
        tmp.as_file().sync_all().map_err(|e| AppError::io(out, e))?;
        tmp.persist(out).map_err(|e| AppError::io(out, e.error))?;
        tracing::info!(path = %out.display(), bytes = bytes.len(), "support bundle written");
        Ok(BundleReport {
            path: out.display().to_string(),
            bytes: bytes.len() as u64,
            files: files.into_iter().map(|(n, _)| n).collect(),
        })
    }
}
