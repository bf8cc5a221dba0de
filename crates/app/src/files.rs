//! Reading a file the user named: only an ordinary file (a FIFO would hang, a device
//! would never end), and never more than a limit, checked before reading and while
//! reading (a file can grow, and a size can lie).

use crate::{AppError, ErrorCode};
use std::io::Read;
use std::path::Path;

fn bad(path: &Path, m: String) -> AppError {
    AppError::new(ErrorCode::BadInput, format!("{}: {m}", path.display()))
}

/// Opens `path` for reading if it is an ordinary file, with its size.
pub(crate) fn open_regular(path: &Path, what: &str) -> Result<(std::fs::File, u64), AppError> {
    // Look before opening: opening a FIFO for reading waits for a writer.
    let meta = std::fs::metadata(path).map_err(|e| AppError::io(path, e))?;
    if !meta.is_file() {
        return Err(bad(
            path,
            format!("not an ordinary file (a folder, a pipe or a device cannot be {what})"),
        ));
    }
    let f = std::fs::File::open(path).map_err(|e| AppError::io(path, e))?;
    // The path could have been swapped for something else since it was looked at.
    let meta = f.metadata().map_err(|e| AppError::io(path, e))?;
    if !meta.is_file() {
        return Err(bad(
            path,
            format!("not an ordinary file; it cannot be {what}"),
        ));
    }
    Ok((f, meta.len()))
}

/// Reads `path` whole if it is an ordinary file of at most `limit` bytes. `what` names
/// it in errors ("a statement", "an attachment").
pub(crate) fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, AppError> {
    let (f, len) = open_regular(path, what)?;
    let too_big = |n: u64| {
        bad(
            path,
            format!(
                "{} MB is more than the {} MB {what} may have",
                n.div_ceil(1024 * 1024),
                limit / 1024 / 1024
            ),
        )
    };
    if len > limit {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| AppError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, synced,
/// then renamed over it.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| AppError::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| AppError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| AppError::io(path, e))?;
    tmp.persist(path).map_err(|e| AppError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_ordinary_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read_limited(&f, 5, "a statement").unwrap(), b"12345");
        let e = read_limited(&f, 4, "a statement").unwrap_err();
        assert!(e.message.contains("more than"), "{}", e.message);
        let e = read_limited(dir.path(), 5, "a statement").unwrap_err();
        assert!(e.message.contains("not an ordinary file"), "{}", e.message);
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let e = read_limited(&fifo, 5, "an attachment").unwrap_err();
                assert!(e.message.contains("pipe"), "{}", e.message);
            }
        }
    }
}
