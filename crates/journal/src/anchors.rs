//! Anchors: the chain's head written outside the database after every commit, so that
//! dropping the newest records together with their chain entries — which leaves a
//! chain that checks out on its own — is still found by `verify`.
//!
//! The file sits beside the journal (`journal.db.anchors`), one line per commit:
//! `<seq> <hash hex>`. It is appended without a sync after the database commit (which
//! is synced: `synchronous = FULL`), so an anchor never names a record the database
//! could lose. Opening a journal whose anchors file passed [`COMPACT_AT`] keeps only
//! the newest line. Someone who can rewrite both the database and this file can still
//! hide a change; so the head is also written to the log at every commit, anchored
//! beside every backup (`backup.db.anchors`, checked by `verify` of the copy and by a
//! restore from it) and put in every evidence pack, and `verify` prints it so it can
//! be kept elsewhere.

use crate::JournalError;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Size past which opening the journal keeps only the newest anchor.
const COMPACT_AT: u64 = 256 * 1024;

/// The anchors file beside the journal (or backup) at `journal`.
pub fn path_of(journal: &Path) -> PathBuf {
    let mut p = journal.as_os_str().to_owned();
    p.push(".anchors");
    PathBuf::from(p)
}

/// One anchor: the chain had `seq` entries and its head was `hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub seq: i64,
    pub hash: [u8; 32],
}

impl From<&crate::chain::Head> for Anchor {
    fn from(h: &crate::chain::Head) -> Anchor {
        Anchor {
            seq: h.seq,
            hash: h.hash,
        }
    }
}

fn line(a: Anchor) -> String {
    format!("{} {}\n", a.seq, hex::encode(a.hash))
}

/// A failure to read or write the anchors file of the journal at `journal`.
fn io(journal: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path_of(journal),
        source,
    }
}

pub(crate) fn append(journal: &Path, a: Anchor) -> Result<(), JournalError> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path_of(journal))
        .map_err(io(journal))?;
    // One write of one whole line: a crash leaves at most a torn last line, which
    // `read` skips.
    f.write_all(line(a).as_bytes()).map_err(io(journal))
}

/// Replaces the anchors with one (after a restore: the journal's history is now the
/// backup's).
pub(crate) fn reset(journal: &Path, a: Anchor) -> Result<(), JournalError> {
    let p = path_of(journal);
    let mut tmp = p.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, line(a)).map_err(io(journal))?;
    std::fs::rename(&tmp, &p).map_err(io(journal))
}

/// Keeps only the newest anchor (and the longest, if another) once the file has grown past [`COMPACT_AT`].
pub(crate) fn compact(journal: &Path) -> Result<(), JournalError> {
    let p = path_of(journal);
    match std::fs::metadata(&p) {
        Ok(m) if m.len() > COMPACT_AT => {}
        _ => return Ok(()),
    }
    // The longest chain ever vouched for must survive compaction, or dropping the
    // newest records before a compaction would go unseen.
    let r = read(journal)?;
    let (Some(longest), Some(last)) = (r.anchors.iter().max_by_key(|a| a.seq), r.anchors.last())
    else {
        return Ok(());
    };
    reset(journal, *longest)?;
    if last != longest {
        append(journal, *last)?;
    }
    Ok(())
}

/// What the anchors file holds: anchors in file order, and lines that are not anchors
/// (named by number; the last line may be torn by a crash and is not counted).
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub anchors: Vec<Anchor>,
    pub bad_lines: Vec<u64>,
}

pub(crate) fn read(journal: &Path) -> Result<Read, JournalError> {
    let text = match std::fs::read(path_of(journal)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::default()),
        Err(e) => return Err(io(journal)(e)),
    };
    let mut out = Read::default();
    let complete = text.ends_with(b"\n");
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        let parsed = std::str::from_utf8(line).ok().and_then(|l| {
            let (seq, hash) = l.split_once(' ')?;
            let hash: [u8; 32] = hex::decode(hash).ok()?.try_into().ok()?;
            Some(Anchor {
                seq: seq.parse().ok()?,
                hash,
            })
        });
        match parsed {
            Some(a) => out.anchors.push(a),
            None if i + 1 == lines.len() && !complete => {} // torn by a crash
            None => out.bad_lines.push(i as u64 + 1),
        }
    }
    Ok(out)
}
