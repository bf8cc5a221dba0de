//! One window per journal: a second launch hands over to the first (which comes to
//! the front) and ends. An exclusive lock beside the journal says a window is open; a
//! loopback listener with a token, as the service's control channel, takes the
//! "come to the front" from the second launch. No D-Bus, the same on every OS.

use crate::agent::beside;
use crate::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Serialize, Deserialize)]
struct WindowInfo {
    pid: u32,
    port: u16,
    token: String,
}

/// Held while this process owns the window of the journal.
pub struct WindowClaim {
    _lock: std::fs::File,
    info: PathBuf,
}

impl Drop for WindowClaim {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.info) {
            tracing::debug!(error = %e, "window file not removed");
        }
    }
}

/// What became of a launch.
pub enum Launch {
    /// This is the journal's window; `raise` hears every later launch.
    First(WindowClaim, std::sync::mpsc::Receiver<()>),
    /// A window is open already and was asked to come to the front.
    Second { pid: u32 },
}

/// Claims the window of `journal`, or asks the one that has it to come forward.
pub fn claim_window(journal: &Path) -> Result<Launch, AppError> {
    let lock_path = beside(journal, "window.lock");
    let info_path = beside(journal, "window.json");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| AppError::io(&lock_path, e))?;
    if lock.try_lock().is_err() {
        let info: WindowInfo = std::fs::read_to_string(&info_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Internal,
                    "a Slipkeeper window is open for this journal but cannot be reached",
                )
            })?;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], info.port));
        let mut c = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .map_err(|e| AppError::new(ErrorCode::Io, format!("the open window: {e}")))?;
        writeln!(c, "{}", info.token)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("the open window: {e}")))?;
        let mut ok = String::new();
        c.set_read_timeout(Some(Duration::from_secs(2)))
            .and_then(|()| c.read_to_string(&mut ok))
            .map_err(|e| AppError::new(ErrorCode::Io, format!("the open window: {e}")))?;
        return Ok(Launch::Second { pid: info.pid });
    }
    let (listener, port, token) = crate::agent::loopback("window channel")?;
    let info = WindowInfo {
        pid: std::process::id(),
        port,
        token,
    };
    let json = serde_json::to_string(&info)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    crate::agent::write_private(&info_path, &json)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let token = info.token;
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            if conn.set_read_timeout(Some(Duration::from_secs(2))).is_err() {
                continue;
            }
            let mut line = String::new();
            let read = BufReader::new((&conn).take(256)).read_line(&mut line);
            if read.is_ok() && crate::agent::same(line.trim(), &token) {
                tracing::info!("a second launch: bringing the window to the front");
                if conn.write_all(b"ok\n").is_err() || tx.send(()).is_err() {
                    return;
                }
            } else {
                tracing::warn!("window channel: a request without the right token refused");
            }
        }
    });
    Ok(Launch::First(
        WindowClaim {
            _lock: lock,
            info: info_path,
        },
        rx,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_launch_raises_the_first_and_a_third_after_it_closes_is_first() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("j.db");
        let Launch::First(claim, raised) = claim_window(&j).unwrap() else {
            panic!("the first launch owns the window")
        };
        match claim_window(&j).unwrap() {
            Launch::Second { pid } => assert_eq!(pid, std::process::id()),
            Launch::First(..) => panic!("two windows for one journal"),
        }
        raised.recv_timeout(Duration::from_secs(5)).unwrap();
        drop(claim);
        assert!(matches!(claim_window(&j).unwrap(), Launch::First(..)));
    }
}

/// The OS's language ("zh-CN", "en-US"), when it says one.
pub fn os_language() -> Option<String> {
    sys_locale::get_locale()
}

/// A script run before the page, telling it the OS's language: the webview's own
/// `navigator.language` does not follow the OS everywhere (WebKitGTK), and the window's
/// first start should speak the shop owner's language. JSON keeps it a plain value.
pub fn locale_script(lang: Option<&str>) -> String {
    format!(
        "window.__OS_LOCALE__ = {};",
        serde_json::to_string(&lang).unwrap_or_else(|_| "null".into())
    )
}

#[cfg(test)]
mod locale_tests {
    use super::locale_script;

    #[test]
    fn the_script_carries_the_language_as_a_json_value() {
        assert_eq!(
            locale_script(Some("zh-CN")),
            "window.__OS_LOCALE__ = \"zh-CN\";"
        );
        assert_eq!(locale_script(None), "window.__OS_LOCALE__ = null;");
        // Nothing the environment holds can become code.
        let odd = locale_script(Some("\";alert(1)//"));
        assert!(odd.starts_with("window.__OS_LOCALE__ = \"\\\";"), "{odd}");
    }
}
