//! `slipkeeper serve | service … | link …`: the link service and its links.

use crate::args::{LinkCmd, ServiceCmd};
use crate::output::{print_json, Out};
use slipkeeper_app::agent::{self, SavedLink, ServiceStatus};
use slipkeeper_app::{clock_from_env, App, AppError, ConnectRequest, ErrorCode};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The systemd unit's name.
const UNIT: &str = "slipkeeper.service";

/// Runs the service in the foreground until asked to stop.
pub fn serve(db: &Path, out: &Out) -> Result<ExitCode, AppError> {
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

fn describe(link: &ConnectRequest) -> String {
    match link {
        ConnectRequest::Lan { host, port } => {
            format!("mirror terminal {host}:{}", port.unwrap_or(20007))
        }
        ConnectRequest::Serial { path, baud } => {
            format!("mirror terminal on {path} at {} baud", baud.unwrap_or(9600))
        }
        ConnectRequest::Proxy {
            listen_port,
            host,
            port,
        } => format!(
            "proxy: cash register on port {} ↔ terminal {host}:{}",
            listen_port.unwrap_or(20007),
            port.unwrap_or(20007)
        ),
        ConnectRequest::SerialProxy {
            register,
            terminal,
            baud,
        } => format!(
            "proxy: cash register on {register} ↔ terminal on {terminal} at {} baud",
            baud.unwrap_or(9600)
        ),
        ConnectRequest::Demo => "mirror the built-in demo terminal".to_owned(),
    }
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

pub fn service(db: &Path, out: &Out, cmd: ServiceCmd) -> Result<ExitCode, AppError> {
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
fn install_launchd(db: &Path, out: &Out, no_enable: bool) -> Result<ExitCode, AppError> {
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
fn install_task(db: &Path, out: &Out, no_enable: bool) -> Result<ExitCode, AppError> {
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

fn link_line(l: &SavedLink) -> String {
    format!("{:>3}  {}", l.id, describe(&l.link))
}

pub fn link(app: &App, db: &Path, out: &Out, cmd: LinkCmd) -> Result<ExitCode, AppError> {
    match cmd {
        LinkCmd::List => {
            let links = app.links()?;
            if out.json {
                print_json(&links);
            } else if links.is_empty() {
                say!("no links; `slipkeeper link add --tcp HOST` adds one");
            } else {
                links.iter().for_each(|l| say!("{}", link_line(l)));
            }
        }
        LinkCmd::Add {
            tcp,
            serial,
            baud,
            proxy_listen,
            register_serial,
        } => {
            let split = |hp: &str| -> Result<(String, Option<u16>), AppError> {
                match hp.rsplit_once(':') {
                    Some((h, p)) => p.parse().map(|p| (h.to_owned(), Some(p))).map_err(|_| {
                        AppError::new(
                            ErrorCode::BadInput,
                            format!("--tcp {hp:?}: the port is a number"),
                        )
                    }),
                    None => Ok((hp.to_owned(), None)),
                }
            };
            let link = match (tcp, serial, proxy_listen) {
                (None, Some(terminal), None) if register_serial.is_some() => {
                    ConnectRequest::SerialProxy {
                        register: register_serial.unwrap_or_default(),
                        terminal,
                        baud: Some(baud),
                    }
                }
                (Some(t), None, Some(listen)) => {
                    let (host, port) = split(&t)?;
                    ConnectRequest::Proxy {
                        listen_port: Some(listen),
                        host,
                        port,
                    }
                }
                (Some(t), None, None) => {
                    let (host, port) = split(&t)?;
                    ConnectRequest::Lan { host, port }
                }
                (None, Some(path), None) => ConnectRequest::Serial {
                    path,
                    baud: Some(baud),
                },
                _ => {
                    return Err(AppError::new(
                        ErrorCode::BadInput,
                        "say --tcp HOST[:PORT] (with --proxy-listen PORT for a proxy) or --serial DEVICE (with --register-serial DEVICE for a proxy)",
                    ))
                }
            };
            let saved = app.add_link(&link)?;
            let reloaded = agent::request(db, "POST", "/reload")?.is_some();
            out.message(
                &format!(
                    "added link {}{}",
                    link_line(&saved).trim_start(),
                    if reloaded {
                        "; the service runs it now"
                    } else {
                        "; it runs when the service starts (`slipkeeper service start`)"
                    }
                ),
                serde_json::json!({"link": saved, "running": reloaded}),
            );
        }
        LinkCmd::Remove { id } => {
            app.remove_link(id)?;
            let reloaded = agent::request(db, "POST", "/reload")?.is_some();
            out.message(
                &format!("removed link {id}"),
                serde_json::json!({"removed": id, "running": reloaded}),
            );
        }
    }
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
