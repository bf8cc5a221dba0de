//! The link service: a headless process that owns every terminal link configured
//! for a journal (mirrors and cash-register proxies), so that closing the window, a
//! crash of the UI or a logout does not cut the counter off. One per journal (an
//! exclusive lock beside it); the desktop and the CLI talk to it over a control
//! channel on the loopback interface, authenticated by a token in a file only the
//! user can read.
//!
//! Control channel: HTTP/1.1 on 127.0.0.1 (a port the OS picks), every request with
//! `Authorization: Bearer <token>`; `GET /status`, `POST /reload` (re-read the links
//! from the journal), `POST /stop`. Where to find it: `JOURNAL.service.json`
//! (`{pid, port, token, started_at, version}`, mode 0600), removed on a clean stop.

use crate::{App, AppError, Clock, ConnectRequest, ErrorCode, LinkSlot, LinkStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A link as saved in the journal, with its id.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLink {
    /// Its id (`link list`).
    pub id: i64,
    /// What it links to and how.
    pub link: ConnectRequest,
}

/// Where the running service can be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The service's process id.
    pub pid: u32,
    /// Its control channel's port on 127.0.0.1.
    pub port: u16,
    /// The secret a client sends with each request, kept in a file only the service's
    /// own account can read (mode 0600).
    pub token: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Its version.
    pub version: String,
}

/// What `GET /status` answers.
#[derive(ts_rs::TS, Clone, Debug, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// The service's process id.
    pub pid: u32,
    /// Its version.
    pub version: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// The journal it serves.
    pub journal: String,
    /// Each link and how it is.
    pub links: Vec<ServiceLink>,
}

/// One link the service runs.
#[derive(ts_rs::TS, Clone, Debug, Serialize, Deserialize)]
pub struct ServiceLink {
    /// Its id.
    pub id: i64,
    /// What it links to.
    pub link: ConnectRequest,
    /// How it is now.
    pub status: LinkStatus,
}

/// `JOURNAL.service.json`: how to reach the service of the journal at `journal`.
pub fn info_path(journal: &Path) -> PathBuf {
    beside(journal, "service.json")
}

fn lock_path(journal: &Path) -> PathBuf {
    beside(journal, "service.lock")
}

pub(crate) fn beside(journal: &Path, ext: &str) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(ext);
    journal.with_file_name(name)
}

impl App {
    /// The links the service runs for this journal.
    pub fn links(&self) -> Result<Vec<SavedLink>, AppError> {
        self.journal
            .links()?
            .into_iter()
            .map(|(id, json)| {
                let link = serde_json::from_str(&json).map_err(|e| {
                    AppError::new(ErrorCode::Corrupt, format!("saved link {id}: {e}"))
                })?;
                Ok(SavedLink { id, link })
            })
            .collect()
    }

    /// Saves a link for the service (checked as the Connect screen checks it).
    pub fn add_link(&self, link: &ConnectRequest) -> Result<SavedLink, AppError> {
        link.validate()?;
        let json = serde_json::to_string(link)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let id = self.journal.add_link(&json, self.clock.now())?;
        tracing::info!(id, link = %json, "link saved");
        Ok(SavedLink {
            id,
            link: link.clone(),
        })
    }

    /// Replaces every link with `links` (the desktop's Connect screen keeps one).
    pub fn set_links(&self, links: &[ConnectRequest]) -> Result<(), AppError> {
        let mut json = Vec::new();
        for l in links {
            l.validate()?;
            json.push(
                serde_json::to_string(l)
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?,
            );
        }
        self.journal.set_links(&json, self.clock.now())?;
        tracing::info!(links = ?json, "links replaced");
        Ok(())
    }

    /// Removes a saved link (a running service drops it on reload).
    pub fn remove_link(&self, id: i64) -> Result<(), AppError> {
        if !self.journal.remove_link(id)? {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("no link {id}; `slipkeeper link list` shows them"),
            ));
        }
        tracing::info!(id, "link removed");
        Ok(())
    }
}

/// The service's links, each in its own slot (its own thread and journal connection).
struct Running {
    journal: PathBuf,
    links: Vec<(SavedLink, LinkSlot)>,
}

impl Running {
    /// Starts what is configured and not running; stops what is running and no longer
    /// configured.
    fn reconcile(&mut self, wanted: Vec<SavedLink>) {
        self.links.retain(|(l, slot)| {
            let keep = wanted.contains(l);
            if !keep {
                tracing::info!(id = l.id, "link no longer configured: stopping it");
                if let Err(e) = slot.disconnect() {
                    tracing::warn!(id = l.id, error = %e.message, "link did not stop cleanly");
                }
            }
            keep
        });
        for l in wanted {
            if self.links.iter().any(|(x, _)| *x == l) {
                continue;
            }
            let slot = LinkSlot::new(&self.journal);
            tracing::info!(id = l.id, link = ?l.link, "starting link");
            if let Err(e) = slot.connect(&l.link) {
                tracing::error!(id = l.id, error = %e.message, "link did not start");
            }
            self.links.push((l, slot));
        }
    }

    fn status(&self, info: &ServiceInfo) -> ServiceStatus {
        ServiceStatus {
            pid: info.pid,
            version: info.version.clone(),
            started_at: info.started_at,
            journal: self.journal.display().to_string(),
            links: self
                .links
                .iter()
                .map(|(l, slot)| ServiceLink {
                    id: l.id,
                    link: l.link.clone(),
                    status: slot.status().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

pub(crate) fn token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("no randomness for the token: {e}"),
        )
    })?;
    Ok(hex::encode(bytes))
}

/// A channel on 127.0.0.1 for a local client (`what` names it in errors): the
/// listener, its port, and a fresh token the client must present.
pub(crate) fn loopback(what: &str) -> Result<(TcpListener, u16, String), AppError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{what} on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{what}: {e}")))?
        .port();
    Ok((listener, port, token()?))
}

/// Writes the file a client reads, readable by this user only.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<(), AppError> {
    let tmp = path.with_extension("json.tmp");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(&tmp).map_err(|e| AppError::io(&tmp, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| AppError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| AppError::io(path, e))
}

/// How often the service looks whether a backup is due (one is made a day).
pub const BACKUP_CHECK: Duration = Duration::from_secs(60);

/// The service's chores: the automatic backups, a look every [`BACKUP_CHECK`], and the
/// statements folder, every [`crate::watch::WATCH_CHECK`] (both at once on start),
/// until `stopping`. Failures are logged and recorded for Home.
fn backups(journal: &Path, clock: impl Clock + Clone + 'static, stopping: &dyn Fn() -> bool) {
    let mut app = match App::open(journal, clock) {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e.message, "automatic backups: cannot open the journal");
            return;
        }
    };
    let mut next = std::time::Instant::now();
    let mut next_watch = next;
    while !stopping() {
        if std::time::Instant::now() >= next {
            // `backup_if_due` logs and records its own failures.
            if let Err(e) = app.backup_if_due() {
                tracing::debug!(error = %e.message, "automatic backup not made");
            }
            next = std::time::Instant::now() + BACKUP_CHECK;
        }
        if std::time::Instant::now() >= next_watch {
            // `scan_watch_folder` logs each file and records failures for Home.
            if let Err(e) = app.scan_watch_folder() {
                tracing::warn!(error = %e.message, "statements folder not read");
            }
            next_watch = std::time::Instant::now() + crate::watch::WATCH_CHECK;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs the service for the journal at `journal` until `stop` is set or a client
/// asks it to stop. `on_ready` hears where it listens once the links are started.
pub fn serve(
    journal: &Path,
    clock: impl Clock + Clone + 'static,
    stop: &AtomicBool,
    on_ready: impl FnOnce(&ServiceInfo),
) -> Result<(), AppError> {
    let lock_file = lock_path(journal);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_file)
        .map_err(|e| AppError::io(&lock_file, e))?;
    if lock.try_lock().is_err() {
        let running = std::fs::read_to_string(info_path(journal))
            .ok()
            .and_then(|t| serde_json::from_str::<ServiceInfo>(&t).ok())
            .map(|i| format!(" (process {})", i.pid))
            .unwrap_or_default();
        return Err(AppError::new(
            ErrorCode::BadInput,
            format!(
                "the service already runs for {}{running}; one per journal",
                journal.display()
            ),
        )
        .with_zh(format!(
            "这本日志（{}）的后台同步服务已经在运行{running}；每本日志只运行一个",
            journal.display()
        )));
    }
    let app = App::open(journal, clock.clone())?;
    let (listener, port, token) = loopback("control channel")?;
    let info = ServiceInfo {
        pid: std::process::id(),
        port,
        token,
        started_at: clock.now(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let mut running = Running {
        journal: journal.to_owned(),
        links: Vec::new(),
    };
    running.reconcile(app.links()?);
    let json = serde_json::to_string(&info)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    write_private(&info_path(journal), &json)?;
    tracing::info!(
        port = info.port,
        links = running.links.len(),
        "service ready"
    );
    on_ready(&info);
    listener
        .set_nonblocking(true)
        .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
    let asked_to_stop = AtomicBool::new(false);
    let stopping = || stop.load(Ordering::Relaxed) || asked_to_stop.load(Ordering::Relaxed);
    std::thread::scope(|scope| {
        // The daily backup beside the links, on a connection of its own: copying a
        // large journal takes a while and must not hold up the control channel.
        scope.spawn(|| backups(journal, clock.clone(), &stopping));
        // Sending to head office, when the shop joined one: on its own thread, so a
        // slow or unreachable head office holds up nothing else.
        scope.spawn(|| crate::head_office::keep_sending(journal, clock.clone(), &stopping));
        while !stopping() {
            match listener.accept() {
                Ok((conn, _)) => {
                    if let Err(e) = handle(conn, &info, &mut running, &app, &asked_to_stop) {
                        tracing::warn!(error = %e, "control request failed");
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => tracing::warn!(error = %e, "control channel: accept failed"),
            }
        }
    });
    tracing::info!("service stopping");
    running.reconcile(Vec::new());
    if let Err(e) = std::fs::remove_file(info_path(journal)) {
        tracing::warn!(error = %e, "service file not removed");
    }
    drop(lock);
    Ok(())
}

fn respond(conn: &mut TcpStream, code: u16, body: &str) -> std::io::Result<()> {
    let reason = match code {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Error",
    };
    write!(
        conn,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    conn.flush()
}

/// Constant-time comparison: the token must not leak through timing.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn handle(
    mut conn: TcpStream,
    info: &ServiceInfo,
    running: &mut Running,
    app: &App,
    asked_to_stop: &AtomicBool,
) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut reader = BufReader::new(conn.try_clone()?.take(16 * 1024));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorised = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("authorization") {
                authorised = value
                    .trim()
                    .strip_prefix("Bearer ")
                    .is_some_and(|t| same(t.trim(), &info.token));
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !authorised {
        tracing::warn!(
            method,
            path,
            "control request without the right token refused"
        );
        return respond(
            &mut conn,
            401,
            r#"{"code":"UNAUTHORIZED","message":"no or wrong token"}"#,
        );
    }
    let status_json = |running: &Running| {
        serde_json::to_string(&running.status(info)).unwrap_or_else(|_| "{}".into())
    };
    match (method, path) {
        ("GET", "/status") => respond(&mut conn, 200, &status_json(running)),
        ("POST", "/reload") => {
            match app.links() {
                Ok(links) => running.reconcile(links),
                Err(e) => {
                    let body = serde_json::json!({"code": e.code, "message": e.message});
                    return respond(&mut conn, 500, &body.to_string());
                }
            }
            respond(&mut conn, 200, &status_json(running))
        }
        ("POST", "/stop") => {
            asked_to_stop.store(true, Ordering::Relaxed);
            respond(&mut conn, 200, r#"{"stopping":true}"#)
        }
        _ => respond(
            &mut conn,
            404,
            r#"{"code":"NOT_FOUND","message":"no such request"}"#,
        ),
    }
}

/// Sends one control request to the journal's service. `Ok(None)`: the service is not
/// running (no service file, or nobody answers where it says).
pub fn request(
    journal: &Path,
    method: &str,
    path: &str,
) -> Result<Option<serde_json::Value>, AppError> {
    let file = info_path(journal);
    let info: ServiceInfo = match std::fs::read_to_string(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AppError::io(&file, e)),
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| AppError::new(ErrorCode::Corrupt, format!("{}: {e}", file.display())))?,
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], info.port));
    // A service killed without cleaning up leaves its file behind: nobody answers.
    let Ok(mut conn) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return Ok(None);
    };
    let io = |e: std::io::Error| {
        AppError::new(ErrorCode::Io, format!("service at {addr}: {e}"))
            .with_zh("和后台同步服务的联系断了：请稍后再试，或在首页重新启动它")
    };
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    write!(
        conn,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        info.token
    )
    .map_err(io)?;
    let mut text = String::new();
    match conn.take(4 * 1024 * 1024).read_to_string(&mut text) {
        // Stopping, or killed while the request waited: not running any more.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(None),
        Err(e) => return Err(io(e)),
        Ok(0) => return Ok(None),
        Ok(_) => {}
    }
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let value: serde_json::Value = serde_json::from_str(body).map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("service at {addr} answered {code}: {e}"),
        )
    })?;
    if code != 200 {
        return Err(AppError::new(
            ErrorCode::Internal,
            format!(
                "service at {addr} answered {code}: {}",
                value["message"].as_str().unwrap_or("")
            ),
        ));
    }
    Ok(Some(value))
}

/// The service's status, or `None` when it is not running.
pub fn service_status(journal: &Path) -> Result<Option<ServiceStatus>, AppError> {
    request(journal, "GET", "/status")?
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| AppError::new(ErrorCode::Internal, format!("service status: {e}")))
        })
        .transpose()
}

/// The desktop's view of the terminal link when the service owns it: the same
/// operations as [`LinkSlot`], carried out by the service of the journal (started
/// when needed), so that closing the window leaves the link running.
pub struct ServiceClient {
    journal: PathBuf,
    /// The `slipkeeper` program that runs the service (`slipkeeper serve`).
    program: PathBuf,
    clock: std::sync::Arc<dyn Clock>,
    streaming: std::sync::atomic::AtomicU64,
}

/// How often a stream of the link's status asks the service.
const POLL_EVERY: Duration = Duration::from_millis(300);

impl ServiceClient {
    /// A client of the service for `journal`, starting `program` (`slipkeeper serve`)
    /// when none runs.
    pub fn new(journal: &Path, program: &Path, clock: impl Clock + 'static) -> ServiceClient {
        ServiceClient {
            journal: journal.to_owned(),
            program: program.to_owned(),
            clock: std::sync::Arc::new(clock),
            streaming: Default::default(),
        }
    }

    /// The link's status: the first configured link's, "idle" with none, and
    /// "no_service" when the service is not running.
    pub fn status(&self) -> Result<LinkStatus, AppError> {
        Ok(match service_status(&self.journal)? {
            None => LinkStatus {
                state: "no_service".into(),
                ..Default::default()
            },
            Some(s) => s
                .links
                .into_iter()
                .next()
                .map(|l| l.status)
                .unwrap_or_else(|| LinkStatus {
                    state: "idle".into(),
                    ..Default::default()
                }),
        })
    }

    /// Starts the service unless it runs; waits until it answers.
    pub fn start(&self) -> Result<LinkStatus, AppError> {
        if service_status(&self.journal)?.is_none() {
            let mut child = spawn_service(&self.program, &self.journal)?;
            // Reaped when it ends (stopped from the CLI while the window stays open),
            // so it does not linger as a zombie of the window's process.
            std::thread::spawn(move || match child.wait() {
                Ok(status) => tracing::info!(%status, "link service ended"),
                Err(e) => tracing::warn!(error = %e, "link service: wait failed"),
            });
            tracing::info!(program = %self.program.display(), "link service started");
            let until = std::time::Instant::now() + Duration::from_secs(15);
            while service_status(&self.journal)?.is_none() {
                if std::time::Instant::now() > until {
                    let logs = crate::logs::log_dir(&self.journal);
                    return Err(AppError::new(
                        ErrorCode::Internal,
                        format!(
                            "the link service did not come up; its log is in {}",
                            logs.display()
                        ),
                    )
                    .with_zh(format!(
                        "后台同步服务没有启动起来；它的日志在 {}（可在“设置”里保存支持包发给技术支持）",
                        logs.display()
                    )));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        self.status()
    }

    fn configure(&self, links: &[ConnectRequest]) -> Result<LinkStatus, AppError> {
        let app = App::open(&self.journal, ClockRef(self.clock.clone()))?;
        let saved: Vec<ConnectRequest> = app.links()?.into_iter().map(|l| l.link).collect();
        // The same links again (the window opened anew): left running as they are —
        // a link restarted for nothing would drop its terminal for a moment.
        if saved != links {
            app.set_links(links)?;
        }
        if service_status(&self.journal)?.is_some() {
            request(&self.journal, "POST", "/reload")?;
            self.status()
        } else {
            self.start()
        }
    }

    /// Has the service link to the terminal asked for (instead of any other).
    pub fn connect(&self, req: &ConnectRequest) -> Result<LinkStatus, AppError> {
        self.configure(std::slice::from_ref(req))
    }

    /// Links to the built-in demo terminal.
    pub fn connect_demo(&self) -> Result<LinkStatus, AppError> {
        self.connect(&ConnectRequest::Demo)
    }

    /// Removes the link; the service keeps running, linked to nothing.
    pub fn disconnect(&self) -> Result<LinkStatus, AppError> {
        self.configure(&[])
    }

    /// Runs `f` with the service stopped (a restore must not interleave with a live
    /// write), and starts it again afterwards if it ran.
    pub fn paused<T>(&self, f: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
        let was_running = request(&self.journal, "POST", "/stop")?.is_some();
        if was_running {
            let until = std::time::Instant::now() + Duration::from_secs(15);
            while service_status(&self.journal)?.is_some() && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let out = f();
        if was_running {
            self.start()?;
        }
        out
    }

    /// Sends the link's status to `send` now and every `POLL_EVERY` while it
    /// changes, until `send` says the receiver is gone, another stream starts, or
    /// [`ServiceClient::stop_streaming`] with the same `token`. Blocks meanwhile.
    pub fn stream(
        &self,
        token: u64,
        mut send: impl FnMut(LinkStatus) -> bool,
    ) -> Result<(), AppError> {
        let me = token.max(1);
        self.streaming.store(me, Ordering::SeqCst);
        let mut last: Option<String> = None;
        while self.streaming.load(Ordering::SeqCst) == me {
            let s = self.status()?;
            let now = serde_json::to_string(&s).unwrap_or_default();
            if last.as_ref() != Some(&now) {
                if !send(s) {
                    return Ok(());
                }
                last = Some(now);
            }
            std::thread::sleep(POLL_EVERY);
        }
        Ok(())
    }

    /// Ends the status stream numbered `token`, leaving any started since.
    pub fn stop_streaming(&self, token: u64) {
        // Only the named stream: one started since is not touched.
        let ended = self
            .streaming
            .compare_exchange(token.max(1), 0, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        tracing::debug!(token, ended, "link stream stopped");
    }
}

/// Starts `program --db journal serve` in the background, in its own process group:
/// it outlives whoever started it (the window, a terminal and its Ctrl-C).
pub fn spawn_service(program: &Path, journal: &Path) -> Result<std::process::Child, AppError> {
    let mut c = std::process::Command::new(program);
    c.arg("--db")
        .arg(journal)
        .arg("serve")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        c.process_group(0);
    }
    c.spawn().map_err(|e| {
        AppError::new(
            ErrorCode::NotFound,
            format!("the link service cannot start: {}: {e}", program.display()),
        )
        .with_zh(format!(
            "后台同步服务启动不了：找不到或打不开 {}；请重新安装签购单管家",
            program.display()
        ))
    })
}

/// A shared clock handed to an [`App`] opened for one call.
struct ClockRef(std::sync::Arc<dyn Clock>);

impl Clock for ClockRef {
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
    fn local_now(&self) -> chrono::NaiveDateTime {
        self.0.local_now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;

    #[test]
    fn one_service_per_journal_and_a_token_for_every_request() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.db");
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            let j = journal.clone();
            let stop = &stop;
            s.spawn(move || {
                serve(&j, FixedClock::at("2026-11-22T03:00:00Z"), stop, |i| {
                    tx.send(i.clone()).unwrap()
                })
                .unwrap()
            });
            let info = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            let second = serve(
                &journal,
                FixedClock::at("2026-11-22T03:00:00Z"),
                stop,
                |_| {},
            );
            assert!(
                second.unwrap_err().message.contains("already runs"),
                "a second service for the same journal"
            );
            let st = service_status(&journal).unwrap().unwrap();
            assert_eq!(st.pid, std::process::id());
            assert!(st.links.is_empty());
            // Without the token: refused.
            let mut c = TcpStream::connect(("127.0.0.1", info.port)).unwrap();
            c.write_all(b"GET /status HTTP/1.1\r\n\r\n").unwrap();
            let mut out = String::new();
            c.read_to_string(&mut out).unwrap();
            assert!(out.starts_with("HTTP/1.1 401"), "{out}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(info_path(&journal))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o077, 0, "the token file is the user's alone");
            }
            request(&journal, "POST", "/stop").unwrap().unwrap();
        });
        assert!(
            !info_path(&journal).exists(),
            "a clean stop removes the file"
        );
        assert!(service_status(&journal).unwrap().is_none());
    }

    #[test]
    fn the_window_configures_the_services_link_and_starts_nothing_it_cannot() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.db");
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            let (j, stop) = (journal.clone(), &stop);
            s.spawn(move || {
                serve(&j, FixedClock::at("2026-11-22T03:00:00Z"), stop, |_| {
                    tx.send(()).unwrap()
                })
                .unwrap()
            });
            rx.recv_timeout(Duration::from_secs(10)).unwrap();
            // The service runs: the client has nothing to start.
            let client = ServiceClient::new(
                &journal,
                Path::new("/nonexistent/slipkeeper"),
                FixedClock::at("2026-11-22T03:00:00Z"),
            );
            let lan = |port| ConnectRequest::Lan {
                host: "127.0.0.1".into(),
                port: Some(port),
            };
            // A failed assertion must not leave the service thread running.
            struct StopOnDrop<'a>(&'a AtomicBool);
            impl Drop for StopOnDrop<'_> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::Relaxed);
                }
            }
            let _stop = StopOnDrop(stop);
            let links = || -> Vec<(i64, ConnectRequest, DateTime<Utc>)> {
                let started = service_status(&journal).unwrap().unwrap();
                started
                    .links
                    .iter()
                    .map(|l| (l.id, l.link.clone(), started.started_at))
                    .collect()
            };
            client.connect(&lan(9)).unwrap();
            let first = links();
            assert_eq!(first.len(), 1);
            assert_eq!(first[0].1, lan(9));
            client.connect(&lan(9)).unwrap();
            assert_eq!(links(), first, "the same link again: the same one runs");
            client.connect(&lan(10)).unwrap();
            assert_eq!(links()[0].1, lan(10), "another link replaces it");
            client.disconnect().unwrap();
            assert!(links().is_empty());
            assert_eq!(client.status().unwrap().state, "idle");
            request(&journal, "POST", "/stop").unwrap();
        });
        let client = ServiceClient::new(
            &journal,
            Path::new("/nonexistent/slipkeeper"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        );
        assert_eq!(client.status().unwrap().state, "no_service");
        let e = client.start().unwrap_err();
        assert!(
            e.message.contains("/nonexistent/slipkeeper"),
            "{}",
            e.message
        );
        assert!(
            e.zh.as_deref()
                .is_some_and(|z| z.starts_with("后台同步服务启动不了")
                    && z.contains("/nonexistent/slipkeeper")),
            "{e:?}"
        );
    }
}
