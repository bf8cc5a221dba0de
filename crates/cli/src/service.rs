//! `slipkeeper serve | service …`: the link service — run it, install it to start with
//! the OS, start, stop, ask how it is.

use crate::ctx::{Ctx, Done};
use crate::link::describe;
use crate::output::print_json;
use clap::Subcommand;
use slipkeeper_app::agent::{self, ServiceStatus};
use slipkeeper_app::{clock_from_env, AppError, ErrorCode};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum ServiceCmd {
    /// Whether the service runs, and each link's state.
    Status,
    /// Start it (through systemd when it is installed there).
    Start,
    /// Stop it; the links stop with it.
    Stop,
    /// Have the OS start it at logon (systemd user unit) or at boot (--system).
    Install {
        /// A system unit for a headless box next to the terminal (run as root);
        /// the service runs as --user.
        #[arg(long)]
        system: bool,
        /// The account a system unit runs as.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Write the unit only; do not enable or start it.
        #[arg(long)]
        no_enable: bool,
    },
    /// Remove what `install` wrote (and stop it).
    Uninstall {
        #[arg(long)]
        system: bool,
    },
}

/// The systemd unit's name.
const UNIT: &str = "slipkeeper.service";

/// Runs the service in the foreground until asked to stop.
pub fn serve(ctx: &Ctx) -> Done {
    let (db, out) = (ctx.db.as_path(), &ctx.out);
    let _log = match slipkeeper_app::logs::start_logging(db, "service", "info") {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("slipkeeper: no log file: {}", e.message);
            None
        }
    };
    let stop = AtomicBool::new(false);
    let result = agent::serve(db, clock_from_env()?, &stop, |info| {
        out.message(
            &format!(
                "service running for {} (process {}, control on 127.0.0.1:{}); `slipkeeper service stop` ends it",
                db.display(),
                info.pid,
                info.port
            ),
            serde_json::json!({"pid": info.pid, "port": info.port}),
        );
    });
    if let Err(e) = &result {
        tracing::error!(error = %e.message, "service ended with an error");
    }
    result.map(|()| ExitCode::SUCCESS)
}

fn print_status(s: &ServiceStatus) {
    say!(
        "service running (process {}, version {}, since {})",
        s.pid,
        s.version,
        s.started_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if s.links.is_empty() {
        say!("no links configured: `slipkeeper link add --tcp HOST` adds one");
    }
    for l in &s.links {
        let st = &l.status;
        let mut line = format!("  link {}: {} — {}", l.id, describe(&l.link), st.state);
        if let Some(r) = st.reason.as_ref().or(st.error.as_ref()) {
            line.push_str(&format!(" ({r})"));
        }
        if let Some(p) = &st.progress {
            line.push_str(&format!(", {} transactions mirrored", p.transactions));
        }
        say!("{line}");
    }
}

/// How long `service start` waits for the service to answer.
const START_WAIT: Duration = Duration::from_secs(15);

fn wait_for(db: &Path, running: bool) -> Result<Option<ServiceStatus>, AppError> {
    let until = std::time::Instant::now() + START_WAIT;
    loop {
        let s = agent::service_status(db)?;
        if s.is_some() == running || std::time::Instant::now() > until {
            return Ok(s);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn systemctl(system: bool, args: &[&str]) -> Result<(), String> {
    let mut c = Command::new("systemctl");
    if !system {
        c.arg("--user");
    }
    let out = c
        .args(args)
        .output()
        .map_err(|e| format!("systemctl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

fn unit_path(system: bool) -> Result<PathBuf, AppError> {
    if system {
        return Ok(PathBuf::from("/etc/systemd/system").join(UNIT));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "no HOME to install a user unit in"))?;
    Ok(config.join("systemd/user").join(UNIT))
}

/// A path in a unit's ExecStart: quoted, with what systemd would expand escaped.
fn unit_quote(p: &Path) -> String {
    let s = p.display().to_string();
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('%', "%%")
            .replace('$', "$$")
    )
}

/// The unit: restarted after a crash (a clean `service stop` stays stopped).
pub fn unit_text(exe: &Path, db: &Path, system: bool, user: Option<&str>) -> String {
    let mut s = String::from(
        "[Unit]\nDescription=Slipkeeper link service (terminal mirror and cash-register proxy)\n\
         After=network-online.target\nWants=network-online.target\n\n[Service]\nType=simple\n",
    );
    if let (true, Some(u)) = (system, user) {
        s.push_str(&format!("User={u}\n"));
    }
    s.push_str(&format!(
        "ExecStart={} --db {} serve\nRestart=on-failure\nRestartSec=3\n\n[Install]\nWantedBy={}\n",
        unit_quote(exe),
        unit_quote(db),
        if system {
            "multi-user.target"
        } else {
            "default.target"
        }
    ));
    s
}

pub fn run(ctx: &Ctx, cmd: ServiceCmd) -> Done {
    let (db, out) = (ctx.db.as_path(), &ctx.out);
    match cmd {
        ServiceCmd::Status => match agent::service_status(db)? {
            Some(s) => {
                if out.json {
                    print_json(&serde_json::json!({"running": true, "status": s}));
                } else {
                    print_status(&s);
                }
                Ok(ExitCode::SUCCESS)
            }
            None => {
                out.message(
                    &format!(
                        "the service is not running for {}; `slipkeeper service start` starts it",
                        db.display()
                    ),
                    serde_json::json!({"running": false}),
                );
                // As `systemctl status` does for a stopped unit.
                Ok(ExitCode::from(3))
            }
        },
        ServiceCmd::Start => {
            if let Some(s) = agent::service_status(db)? {
                out.message(
                    &format!("already running (process {})", s.pid),
                    serde_json::json!({"running": true, "pid": s.pid}),
                );
                return Ok(ExitCode::SUCCESS);
            }
            let managed = unit_path(false).is_ok_and(|p| p.exists())
                && systemctl(false, &["start", UNIT]).is_ok();
            if !managed {
                let exe = std::env::current_exe().map_err(|e| {
                    AppError::new(ErrorCode::Io, format!("where this program is: {e}"))
                })?;
                // Not waited for: this command ends, the service runs on.
                drop(agent::spawn_service(&exe, db)?);
            }
            match wait_for(db, true)? {
                Some(s) => {
                    out.message(
                        &format!(
                            "service started (process {}{})",
                            s.pid,
                            if managed { ", by systemd" } else { "" }
                        ),
                        serde_json::json!({"running": true, "pid": s.pid}),
                    );
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(AppError::new(
                    ErrorCode::Internal,
                    format!(
                        "the service did not come up within {} s; its log is in {}",
                        START_WAIT.as_secs(),
                        slipkeeper_app::logs::log_dir(db).display()
                    ),
                )),
            }
        }
        ServiceCmd::Stop => {
            if agent::request(db, "POST", "/stop")?.is_none() {
                out.message(
                    "the service was not running",
                    serde_json::json!({"running": false}),
                );
                return Ok(ExitCode::SUCCESS);
            }
            match wait_for(db, false)? {
                None => {
                    out.message("service stopped", serde_json::json!({"running": false}));
                    Ok(ExitCode::SUCCESS)
                }
                Some(s) => Err(AppError::new(
                    ErrorCode::Internal,
                    format!("the service (process {}) did not stop", s.pid),
                )),
            }
        }
        ServiceCmd::Install {
            system,
            user,
            no_enable,
        } => {
            #[cfg(target_os = "macos")]
            {
                let _ = (system, user);
                return install_launchd(db, out, no_enable);
            }
            #[cfg(windows)]
            {
                let _ = (system, user);
                return install_task(db, out, no_enable);
            }
            #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
            {
                let _ = (system, user, no_enable);
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    "service install knows systemd, launchd and the Windows Task Scheduler; start the service here with `slipkeeper serve`",
                ));
            }
            #[cfg(target_os = "linux")]
            {
                if system && user.is_none() {
                    return Err(AppError::new(
                        ErrorCode::BadInput,
                        "a system unit needs --user NAME: the account it runs as",
                    ));
                }
                let exe = std::env::current_exe().map_err(|e| {
                    AppError::new(ErrorCode::Io, format!("where this program is: {e}"))
                })?;
                let db = std::path::absolute(db).map_err(|e| AppError::io(db, e))?;
                let path = unit_path(system)?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| AppError::io(dir, e))?;
                }
                std::fs::write(&path, unit_text(&exe, &db, system, user.as_deref()))
                    .map_err(|e| AppError::io(&path, e))?;
                let enabled = if no_enable {
                    Ok(())
                } else {
                    systemctl(system, &["daemon-reload"])
                        .and_then(|()| systemctl(system, &["enable", "--now", UNIT]))
                };
                let note = match (&enabled, no_enable) {
                    (_, true) => "written; not enabled (--no-enable)".to_owned(),
                    (Ok(()), _) => "enabled and started: it starts again at every logon and after a crash".to_owned(),
                    (Err(e), _) => format!("written, but systemd did not take it ({e}); start it with `slipkeeper service start`"),
                };
                out.message(
                    &format!("{}: {note}", path.display()),
                    serde_json::json!({"unit": path, "enabled": enabled.is_ok() && !no_enable}),
                );
                Ok(ExitCode::SUCCESS)
            }
        }
        ServiceCmd::Uninstall { system } => {
            let path = unit_path(system)?;
            if let Err(e) = systemctl(system, &["disable", "--now", UNIT]) {
                tracing::info!(error = %e, "systemctl disable");
            }
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(AppError::io(&path, e)),
            }
            if let Err(e) = systemctl(system, &["daemon-reload"]) {
                tracing::info!(error = %e, "systemctl daemon-reload");
            }
            out.message(
                &format!("{} removed", path.display()),
                serde_json::json!({"unit": path, "removed": true}),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The launchd agent (macOS): started at logon, kept alive after a crash.
// Built and tested everywhere; installed where the OS is.
#[cfg_attr(not(any(target_os = "macos", windows)), allow(dead_code))]
pub fn launchd_plist(exe: &Path, db: &Path) -> String {
    let esc = |p: &Path| {
        p.display()
            .to_string()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>{LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array><string>{}</string><string>--db</string><string>{}</string><string>serve</string></array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
</dict>
</plist>
"#,
        esc(exe),
        esc(db)
    )
}

// Built and tested everywhere; installed where the OS is.
#[cfg_attr(not(any(target_os = "macos", windows)), allow(dead_code))]
const LAUNCHD_LABEL: &str = "com.slipkeeper.service";

/// The Task Scheduler entry (Windows): `slipkeeper serve` at logon, restarted by
/// the scheduler's own retry when it fails.
// Built and tested everywhere; installed where the OS is.
#[cfg_attr(not(any(target_os = "macos", windows)), allow(dead_code))]
pub fn schtasks_args(exe: &Path, db: &Path) -> Vec<String> {
    vec![
        "/Create".into(),
        "/F".into(),
        "/SC".into(),
        "ONLOGON".into(),
        "/TN".into(),
        "Slipkeeper link service".into(),
        "/TR".into(),
        format!("\"{}\" --db \"{}\" serve", exe.display(), db.display()),
    ]
}

#[cfg(target_os = "macos")]
fn install_launchd(
    db: &Path,
    out: &crate::output::Out,
    no_enable: bool,
) -> Result<ExitCode, AppError> {
    let exe = std::env::current_exe()
        .map_err(|e| AppError::new(ErrorCode::Io, format!("where this program is: {e}")))?;
    let db = std::path::absolute(db).map_err(|e| AppError::io(db, e))?;
    let home =
        std::env::var_os("HOME").ok_or_else(|| AppError::new(ErrorCode::NotFound, "no HOME"))?;
    let path = PathBuf::from(home).join(format!("Library/LaunchAgents/{LAUNCHD_LABEL}.plist"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::io(dir, e))?;
    }
    std::fs::write(&path, launchd_plist(&exe, &db)).map_err(|e| AppError::io(&path, e))?;
    let loaded = no_enable
        || Command::new("launchctl")
            .args(["load", "-w"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
    out.message(
        &format!(
            "{}: {}",
            path.display(),
            if loaded {
                "installed"
            } else {
                "written, but launchctl did not load it"
            }
        ),
        serde_json::json!({"agent": path, "loaded": loaded && !no_enable}),
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(windows)]
fn install_task(
    db: &Path,
    out: &crate::output::Out,
    no_enable: bool,
) -> Result<ExitCode, AppError> {
    let exe = std::env::current_exe()
        .map_err(|e| AppError::new(ErrorCode::Io, format!("where this program is: {e}")))?;
    let db = std::path::absolute(db).map_err(|e| AppError::io(db, e))?;
    let args = schtasks_args(&exe, &db);
    if no_enable {
        out.message(
            &format!("schtasks {}", args.join(" ")),
            serde_json::json!({"schtasks": args}),
        );
        return Ok(ExitCode::SUCCESS);
    }
    let ok = Command::new("schtasks")
        .args(&args)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return Err(AppError::new(
            ErrorCode::Internal,
            "schtasks did not create the task",
        ));
    }
    out.message(
        "installed: the service starts at every logon",
        serde_json::json!({"task": args[5]}),
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launchd_agent_is_a_property_list_plistlib_reads() {
        let text = launchd_plist(
            Path::new("/Applications/Slipkeeper & Co/slipkeeper"),
            Path::new("/Users/a/j.db"),
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.plist");
        std::fs::write(&f, text).unwrap();
        let out = Command::new("python3")
            .args([
                "-c",
                "import plistlib, sys, json; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
            ])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["Label"], LAUNCHD_LABEL);
        assert_eq!(
            v["ProgramArguments"],
            serde_json::json!([
                "/Applications/Slipkeeper & Co/slipkeeper",
                "--db",
                "/Users/a/j.db",
                "serve"
            ])
        );
        assert_eq!(
            v["KeepAlive"]["SuccessfulExit"], false,
            "restarted after a crash, not after a stop"
        );
    }

    #[test]
    fn the_windows_task_runs_serve_at_logon() {
        let a = schtasks_args(
            Path::new(r"C:\Program Files\Slipkeeper\slipkeeper.exe"),
            Path::new(r"C:\Users\a\j.db"),
        );
        assert_eq!(&a[2..4], ["/SC", "ONLOGON"]);
        assert_eq!(
            a[7],
            r#""C:\Program Files\Slipkeeper\slipkeeper.exe" --db "C:\Users\a\j.db" serve"#
        );
    }

    #[test]
    fn the_systemd_unit_quotes_what_systemd_would_expand() {
        let u = unit_text(
            Path::new("/opt/sk/slipkeeper"),
            Path::new("/srv/100%/$HOME/j.db"),
            true,
            Some("shop"),
        );
        assert!(u.contains("User=shop\n"), "{u}");
        assert!(u.contains(r#"--db "/srv/100%%/$$HOME/j.db" serve"#), "{u}");
        assert!(u.contains("WantedBy=multi-user.target"), "{u}");
    }
}
