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
    Second {
        /// The process of the window that is open.
        pid: u32,
    },
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

/// The window's size as the owner left it (logical pixels), kept beside the journal
/// in `journal.db.window` so the window opens as it was closed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowSize {
    /// Width in logical pixels.
    pub width: f64,
    /// Height in logical pixels.
    pub height: f64,
    /// The window was maximised.
    #[serde(default)]
    pub maximized: bool,
}

/// The size the window opens at when none was kept: wide enough for the journal's
/// nine columns, low enough for a 1366×768 screen with a taskbar.
pub const FIRST_SIZE: WindowSize = WindowSize {
    width: 1180.0,
    height: 680.0,
    maximized: false,
};
/// Below this the screens do not fit (tested at 1024×700 with room for the frame).
pub const MIN_SIZE: (f64, f64) = (800.0, 520.0);

/// The size to open at: the kept one (or [`FIRST_SIZE`]) shrunk to fit the screen's
/// work area (`work` = its width and height without the taskbar, logical pixels) with
/// room for the title bar, never below [`MIN_SIZE`].
pub fn fit_window(kept: Option<WindowSize>, work: (f64, f64)) -> WindowSize {
    // The title bar and frame the work area must also hold.
    const FRAME: (f64, f64) = (16.0, 48.0);
    let want = kept.unwrap_or(FIRST_SIZE);
    let clamp = |v: f64, room: f64, min: f64| {
        let v = if v.is_finite() { v } else { min };
        v.min(room).max(min)
    };
    WindowSize {
        width: clamp(want.width, work.0 - FRAME.0, MIN_SIZE.0),
        height: clamp(want.height, work.1 - FRAME.1, MIN_SIZE.1),
        maximized: want.maximized,
    }
}

fn size_file(journal: &Path) -> PathBuf {
    beside(journal, "window")
}

/// The size kept for the journal's window; None when none was (or it does not read).
pub fn kept_size(journal: &Path) -> Option<WindowSize> {
    let text = std::fs::read_to_string(size_file(journal)).ok()?;
    match serde_json::from_str(&text) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::debug!(error = %e, "kept window size ignored");
            None
        }
    }
}

/// Keeps the window's size for the next start.
pub fn keep_size(journal: &Path, size: WindowSize) -> Result<(), AppError> {
    let text = serde_json::to_string(&size)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    crate::files::write_atomic(&size_file(journal), text.as_bytes())
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn the_window_fits_the_screen_it_opens_on_and_keeps_its_size() {
        // 1366×768 with a 40 px taskbar: the first size is lowered to fit.
        let w = fit_window(None, (1366.0, 728.0));
        assert_eq!((w.width, w.height), (1180.0, 680.0));
        let small = fit_window(None, (1024.0, 728.0));
        assert_eq!((small.width, small.height), (1008.0, 680.0));
        // A size kept on a big screen, opened on a small one.
        let kept = WindowSize {
            width: 1800.0,
            height: 1000.0,
            maximized: true,
        };
        let w = fit_window(Some(kept), (1366.0, 728.0));
        assert_eq!((w.width, w.height, w.maximized), (1350.0, 680.0, true));
        // Never below the smallest size the screens are made for, nor from nonsense.
        let odd = WindowSize {
            width: f64::NAN,
            height: 10.0,
            maximized: false,
        };
        assert_eq!(fit_window(Some(odd), (640.0, 480.0)).width, MIN_SIZE.0);
        assert_eq!(fit_window(Some(odd), (1920.0, 1040.0)).height, MIN_SIZE.1);

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let journal = dir.path().join("journal.db");
        assert_eq!(kept_size(&journal), None);
        keep_size(&journal, kept).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(kept_size(&journal), Some(kept));
        std::fs::write(size_file(&journal), "{not json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept_size(&journal), None);
    }
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
