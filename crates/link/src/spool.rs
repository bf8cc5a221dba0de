//! The spool: frames written to a plain file before anything else happens to them,
//! so that neither a slow or broken journal nor a killed process loses what crossed
//! the wire. One line per frame: `conn TAB tx|rx TAB time TAB hex`. A line cut short by
//! a crash is the last one and is skipped; anything else that does not parse is an
//! error naming the line.
//!
//! Card data never reaches the spool: each frame is masked as it is written
//! (`slipkeeper_zvt::mask_card_data`), so a frame appended must be a whole unit — an
//! APDU, a serial frame or line-control bytes. The proxy's recorder cuts its byte
//! stream into such units first (see `proxy::Units`).

use crate::Frame;
use chrono::{DateTime, Utc};
use slipkeeper_journal::Direction;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The spool file, open for appending (see the module's notes).
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    file: std::fs::File,
}

/// Why the spool could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The file could not be opened, written or synced.
    #[error("{path}: {source}")]
    Io {
        /// The spool file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A line of the spool is not what the proxy writes.
    #[error("{path}:{line}: {reason}")]
    Bad {
        /// The spool file.
        path: String,
        /// The line, counted from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl Spool {
    /// Opens (creating) the spool at `path` for appending.
    pub fn open(path: &Path) -> Result<Spool, SpoolError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        Ok(Spool {
            path: path.to_owned(),
            file,
        })
    }

    /// Where the spool is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends frames with one write, their card data masked. The bytes are in the
    /// operating system once this returns (a killed process loses nothing); `sync` also
    /// waits for the disk.
    pub fn append(&mut self, frames: &[(u64, &Frame)], sync: bool) -> Result<(), SpoolError> {
        let mut text = String::new();
        for (conn, f) in frames {
            let dir = match f.direction {
                Direction::Tx => "tx",
                Direction::Rx => "rx",
            };
            text.push_str(&format!(
                "{conn}\t{dir}\t{}\t{}\n",
                f.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                hex(&slipkeeper_zvt::mask_card_data(&f.bytes).bytes)
            ));
        }
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| io(&self.path, e))?;
        if sync {
            self.file.sync_data().map_err(|e| io(&self.path, e))?;
        }
        Ok(())
    }

    /// Every frame in the spool, in the order written.
    pub fn read(path: &Path) -> Result<Vec<(u64, Frame)>, SpoolError> {
        let text = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(path, e)),
        };
        let complete = text.ends_with(b"\n");
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            match parse(line) {
                Ok(f) => out.push(f),
                // Cut off by a crash in the middle of a write: it was never forwarded.
                Err(_) if i + 1 == lines.len() && !complete => break,
                Err(reason) => {
                    return Err(SpoolError::Bad {
                        path: path.display().to_string(),
                        line: i + 1,
                        reason,
                    })
                }
            }
        }
        Ok(out)
    }

    /// Empties the spool once everything in it is in the journal.
    pub fn clear(&mut self) -> Result<(), SpoolError> {
        self.file.set_len(0).map_err(|e| io(&self.path, e))?;
        self.file.sync_all().map_err(|e| io(&self.path, e))
    }
}

fn io(path: &Path, source: std::io::Error) -> SpoolError {
    SpoolError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02X}");
            s
        })
}

fn parse(line: &str) -> Result<(u64, Frame), String> {
    let mut it = line.split('\t');
    let (Some(conn), Some(dir), Some(at), Some(hx), None) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return Err("expected 4 tab-separated fields".into());
    };
    let conn = conn
        .parse()
        .map_err(|_| format!("connection: {conn:?} is not a number"))?;
    let direction = match dir {
        "tx" => Direction::Tx,
        "rx" => Direction::Rx,
        other => return Err(format!("direction: {other:?} is neither tx nor rx")),
    };
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339(at)
        .map_err(|e| format!("time: {at:?}: {e}"))?
        .with_timezone(&Utc);
    // By bytes, not by slicing the text: a damaged byte (read back as U+FFFD) must be
    // an error naming the line, never a panic on a character boundary.
    let hx = hx.as_bytes();
    if hx.len() % 2 != 0 {
        return Err("bytes: odd number of hex digits".into());
    }
    let nibble = |c: u8| (c as char).to_digit(16).filter(|_| c.is_ascii());
    let bytes = hx
        .chunks(2)
        .enumerate()
        .map(|(i, p)| match (nibble(p[0]), nibble(p[1])) {
            (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
            _ => Err(format!("bytes: not hex at byte {}", i * 2)),
        })
        .collect::<Result<Vec<u8>, _>>()?;
    Ok((
        conn,
        Frame {
            direction,
            at,
            bytes,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn frame(d: Direction, b: &[u8]) -> Frame {
        Frame {
            direction: d,
            at: Utc.with_ymd_and_hms(2026, 11, 22, 1, 2, 3).unwrap(),
            bytes: b.to_vec(),
        }
    }

    #[test]
    fn frames_come_back_as_written_and_a_torn_last_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.spool");
        let mut s = Spool::open(&p).unwrap();
        let a = frame(Direction::Tx, &[0x06, 0x01, 0x00]);
        let b = frame(Direction::Rx, &[0x80, 0x00, 0x00]);
        s.append(&[(1, &a), (1, &b)], true).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"1\trx\t2026-11")
            .unwrap();
        assert_eq!(Spool::read(&p).unwrap(), vec![(1, a), (1, b)]);
        s.clear().unwrap();
        assert!(Spool::read(&p).unwrap().is_empty());
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.spool");
        std::fs::write(&p, "1\ttx\t2026-11-22T01:02:03Z\t0601\n1\tsideways\tx\t00\n1\trx\t2026-11-22T01:02:03Z\t800000\n").unwrap();
        let e = Spool::read(&p).unwrap_err().to_string();
        assert!(
            e.ends_with(":2: direction: \"sideways\" is neither tx nor rx"),
            "{e}"
        );
    }

    /// One damaged byte in the hex of a frame (read back as U+FFFD) is an error naming
    /// its line; it used to panic on a character boundary.
    #[test]
    fn a_damaged_byte_in_a_frame_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.spool");
        let mut bytes =
            b"1\ttx\t2026-11-22T01:02:03Z\t0601\n1\trx\t2026-11-22T01:02:03Z\t80".to_vec();
        bytes.extend([0xFF, b'0', b'0', b'0', b'\n']);
        std::fs::write(&p, bytes).unwrap();
        let e = Spool::read(&p).unwrap_err().to_string();
        assert!(e.contains(":2: bytes: not hex"), "{e}");
    }
}
