//! A mirror running in the background for the desktop app: its own thread and its
//! own connection to the journal (a terminal exchange never waits on the window),
//! with the latest state, progress and totals check kept for the screens to read.

use crate::{App, AppError, Clock, ConnectOptions, MirrorEvent, MirrorProgress, TotalsCheck};
use serde::Serialize;
use slipkeeper_link::service::{Endpoint, State};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the Connect and Home screens show about the link.
#[derive(ts_rs::TS, Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct LinkStatus {
    /// "idle", "connecting", "connected", "disconnected" or "stopped"; a proxy is
    /// "starting" and then "listening".
    pub state: String,
    /// Where: "192.168.1.20:20007" or "/dev/ttyACM0 at 9600 baud".
    pub endpoint: String,
    /// Why the link is down, in the link's words.
    pub reason: Option<String>,
    /// When the next attempt comes, while down.
    pub retry_in_ms: Option<u64>,
    /// Which attempt since the last success.
    pub attempt: u32,
    /// Counts since the mirror started.
    pub progress: Option<MirrorProgress>,
    /// Transactions per minute since the mirror started.
    pub per_minute: f64,
    /// The terminal's totals of its open batch against the journal's, when last asked.
    pub totals: Option<TotalsCheck>,
    /// The mirror stopped with this error.
    pub error: Option<String>,
    /// The built-in demo terminal.
    pub demo: bool,
    /// Proxy mode: the cash register connects here and `endpoint` is the terminal.
    pub proxy: bool,
    /// Where the proxy listens for the cash register, once it does.
    pub listening_on: Option<String>,
}

impl LinkStatus {
    /// One line for the tray icon: how the link is, in both languages.
    pub fn summary(&self) -> slipkeeper_domain::Text {
        let (zh, en) = match self.state.as_str() {
            "connected" => ("已连接，正在同步", "connected, mirroring"),
            "connecting" => ("正在连接", "connecting"),
            "disconnected" => ("连接中断", "connection lost"),
            "listening" => ("代理运行中", "proxy running"),
            "starting" => ("正在启动", "starting"),
            "stopped" => ("已停止", "stopped"),
            "no_service" => ("后台同步服务未运行", "link service not running"),
            _ => ("未连接", "not connected"),
        };
        slipkeeper_domain::Text::new(format!("终端：{zh}"), format!("Terminal: {en}"))
    }
}

/// What runs in the background: a mirror of a terminal, or a proxy between a cash
/// register and its terminal.
#[derive(Clone, Debug)]
enum Job {
    Mirror {
        opts: ConnectOptions,
        demo: bool,
    },
    Proxy {
        listen: String,
        terminal: String,
    },
    ProxySerial {
        register: String,
        terminal: String,
        baud: u32,
    },
}

/// A counter bumped on every change of a link's status, for those waiting on it.
#[derive(Debug, Default)]
struct Changes {
    seen: Mutex<u64>,
    changed: std::sync::Condvar,
}

impl Changes {
    fn bump(&self) {
        if let Ok(mut n) = self.seen.lock() {
            *n += 1;
        }
        self.changed.notify_all();
    }

    /// The counter once it differs from `since`, or after `within` as it is.
    fn after(&self, since: u64, within: std::time::Duration) -> u64 {
        let Ok(n) = self.seen.lock() else {
            return since;
        };
        match self.changed.wait_timeout_while(n, within, |n| *n == since) {
            Ok((n, _)) => *n,
            Err(_) => since,
        }
    }
}

/// The running mirror; stops when dropped.
#[derive(Debug)]
pub struct LiveMirror {
    /// What it was started with, so that [`LinkSlot::paused`] can start it again.
    job: Job,
    stop: Arc<AtomicBool>,
    status: Arc<Mutex<LinkStatus>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LiveMirror {
    /// Starts mirroring `opts` into the journal at `journal`.
    pub fn start(
        journal: &Path,
        opts: ConnectOptions,
        clock: impl Clock + 'static,
        demo: bool,
    ) -> Result<LiveMirror, AppError> {
        Self::run(
            journal,
            Job::Mirror { opts, demo },
            clock,
            Arc::new(Changes::default()),
        )
    }

    fn run(
        journal: &Path,
        job: Job,
        clock: impl Clock + 'static,
        changes: Arc<Changes>,
    ) -> Result<LiveMirror, AppError> {
        let mut app = App::open(journal, clock)?;
        // It appends a few rows a minute; the window's connection keeps the big cache.
        app.journal().limit_cache(8)?;
        let stop = Arc::new(AtomicBool::new(false));
        let status = Arc::new(Mutex::new(match &job {
            Job::Mirror { opts, demo } => LinkStatus {
                state: "connecting".into(),
                endpoint: opts.endpoint.to_string(),
                demo: *demo,
                ..Default::default()
            },
            Job::Proxy { terminal, .. } => LinkStatus {
                state: "starting".into(),
                endpoint: terminal.clone(),
                proxy: true,
                ..Default::default()
            },
            Job::ProxySerial { terminal, baud, .. } => LinkStatus {
                state: "starting".into(),
                endpoint: format!("{terminal} at {baud} baud"),
                proxy: true,
                ..Default::default()
            },
        }));
        let thread = {
            let (stop, status) = (stop.clone(), status.clone());
            let job = job.clone();
            std::thread::spawn(move || {
                let update = |f: &mut dyn FnMut(&mut LinkStatus)| {
                    if let Ok(mut s) = status.lock() {
                        f(&mut s);
                    }
                    changes.bump();
                };
                let result = match &job {
                    Job::Mirror { opts, .. } => app.connect(opts, &stop, |ev| {
                        if let Ok(mut s) = status.lock() {
                            apply(&mut s, ev);
                        }
                        changes.bump();
                    }),
                    Job::Proxy { listen, terminal } => app.run_proxy_until(
                        listen,
                        terminal,
                        &stop,
                        |bound| {
                            update(&mut |s| {
                                s.state = "listening".into();
                                s.listening_on = Some(bound.to_owned());
                            })
                        },
                        |p| {
                            update(&mut |s| {
                                s.per_minute = p.per_minute();
                                s.progress = Some(p.clone());
                            })
                        },
                    ),
                    Job::ProxySerial {
                        register,
                        terminal,
                        baud,
                    } => app.run_proxy_serial_until(
                        register,
                        terminal,
                        *baud,
                        &stop,
                        || {
                            update(&mut |s| {
                                s.state = "listening".into();
                                s.listening_on = Some(register.clone());
                            })
                        },
                        |p| {
                            update(&mut |s| {
                                s.per_minute = p.per_minute();
                                s.progress = Some(p.clone());
                            })
                        },
                    ),
                };
                match &result {
                    Ok(()) => tracing::info!("link stopped"),
                    Err(e) => tracing::error!(error = %e.message, "link stopped with an error"),
                }
                update(&mut |s| {
                    s.state = "stopped".into();
                    s.error = result.as_ref().err().map(|e| e.message.clone());
                });
            })
        };
        Ok(LiveMirror {
            job,
            stop,
            status,
            thread: Some(thread),
        })
    }

    /// How the link is now.
    pub fn status(&self) -> LinkStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn apply(s: &mut LinkStatus, ev: MirrorEvent<'_>) {
    match ev {
        MirrorEvent::State(State::Connecting { attempt }) => {
            s.state = "connecting".into();
            s.attempt = *attempt;
        }
        MirrorEvent::State(State::Connected) => {
            s.state = "connected".into();
            s.reason = None;
            s.retry_in_ms = None;
        }
        MirrorEvent::State(State::Disconnected { reason, retry_in }) => {
            s.state = "disconnected".into();
            s.reason = Some(reason.clone());
            s.retry_in_ms = Some(retry_in.as_millis() as u64);
        }
        MirrorEvent::Progress(p) => {
            s.per_minute = p.per_minute();
            s.progress = Some(p.clone());
        }
        MirrorEvent::Totals(t) => s.totals = Some(t.clone()),
    }
}

impl Drop for LiveMirror {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::error!("the link's thread panicked");
            }
        }
    }
}

pub use slipkeeper_link::PortInfo;

/// The serial ports present (for the Connect screen's picker).
pub fn serial_ports() -> Vec<PortInfo> {
    slipkeeper_link::serial_ports()
}

/// The desktop app's one terminal link: at most one mirror at a time, and the
/// built-in demo terminal when asked for.
#[derive(Debug)]
pub struct LinkSlot {
    journal: std::path::PathBuf,
    current: Mutex<Option<LiveMirror>>,
    demo: Mutex<Option<crate::DemoTerminal>>,
    /// Every status change of whichever mirror runs, and of the slot itself.
    changes: Arc<Changes>,
    /// The token of the one [`LinkSlot::stream`] that runs (0: none); an older one
    /// ends when this moves on.
    streaming: std::sync::atomic::AtomicU64,
}

/// How often a stream of the link's status sends at most: a bulk catch-up changes it
/// thousands of times a second, a progress bar needs a few.
pub const STREAM_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

impl LinkSlot {
    /// An empty slot for the journal at `journal`.
    pub fn new(journal: &Path) -> LinkSlot {
        LinkSlot {
            journal: journal.to_owned(),
            current: Mutex::new(None),
            demo: Mutex::new(None),
            changes: Default::default(),
            streaming: Default::default(),
        }
    }

    /// Sends the link's status to `send` now and after every change (at most every
    /// `STREAM_EVERY`, the latest one), until `send` says the receiver is gone, or
    /// another stream starts, or [`LinkSlot::stop_streaming`] with the same `token`
    /// (the caller's own name for this stream, not 0). Blocks the calling thread
    /// meanwhile.
    pub fn stream(
        &self,
        token: u64,
        mut send: impl FnMut(LinkStatus) -> bool,
    ) -> Result<(), AppError> {
        let me = token.max(1);
        self.streaming.store(me, Ordering::SeqCst);
        let mut seen = *self.changes.seen.lock().map_err(|_| poisoned())?;
        loop {
            if self.streaming.load(Ordering::SeqCst) != me || !send(self.status()?) {
                return Ok(());
            }
            std::thread::sleep(STREAM_EVERY);
            // Waits in slices, so that a stream replaced or stopped ends soon.
            loop {
                let now = self
                    .changes
                    .after(seen, std::time::Duration::from_millis(500));
                if now != seen {
                    seen = now;
                    break;
                }
                if self.streaming.load(Ordering::SeqCst) != me {
                    return Ok(());
                }
            }
        }
    }

    /// Ends the stream named `token` if it still runs (the Connect screen was left);
    /// a stream started since is not touched.
    pub fn stop_streaming(&self, token: u64) {
        let _ =
            self.streaming
                .compare_exchange(token.max(1), 0, Ordering::SeqCst, Ordering::SeqCst);
        self.changes.bump();
    }

    fn slot(&self) -> Result<std::sync::MutexGuard<'_, Option<LiveMirror>>, AppError> {
        self.current.lock().map_err(|_| poisoned())
    }

    /// How the slot's link is ("idle" with none).
    pub fn status(&self) -> Result<LinkStatus, AppError> {
        Ok(match self.slot()?.as_ref() {
            Some(m) => m.status(),
            None => LinkStatus {
                state: "idle".into(),
                ..Default::default()
            },
        })
    }

    /// Stops the current mirror (if any) and mirrors the terminal asked for.
    pub fn connect(&self, req: &ConnectRequest) -> Result<LinkStatus, AppError> {
        if *req == ConnectRequest::Demo {
            return self.connect_demo();
        }
        self.replace(req.job()?)
    }

    /// Mirrors the built-in demo terminal, where customers pay every few seconds.
    pub fn connect_demo(&self) -> Result<LinkStatus, AppError> {
        let addr = {
            let mut demo = self.demo.lock().map_err(|_| {
                AppError::new(
                    crate::ErrorCode::Internal,
                    "the demo terminal failed; restart Slipkeeper",
                )
            })?;
            if demo.is_none() {
                let d = crate::start_demo_terminal()?;
                d.customers(15);
                // For end-to-end tests: the terminal's own bookings, to compare with.
                if let Some(p) = std::env::var_os("SLIPKEEPER_DEMO_LEDGER") {
                    d.keep_ledger(p.into());
                }
                *demo = Some(d);
            }
            demo.as_ref().map(|d| d.addr.clone()).unwrap_or_default()
        };
        let mut opts = ConnectOptions::new(Endpoint::Tcp(addr));
        opts.arm = Some(std::time::Duration::from_secs(10));
        self.replace(Job::Mirror { opts, demo: true })
    }

    /// Stops the slot's link, if any; returns how it ended.
    pub fn disconnect(&self) -> Result<LinkStatus, AppError> {
        // Dropping the mirror stops it (outside the lock: it may take a moment).
        let old = self.slot()?.take();
        drop(old);
        self.changes.bump();
        self.status()
    }

    /// Runs `f` with the mirror stopped — a restore must not interleave with a live
    /// write — and starts it again afterwards on the same terminal, whatever `f` did.
    pub fn paused<T>(&self, f: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
        let running = self.slot()?.take();
        let resume = running.as_ref().map(|m| m.job.clone());
        drop(running);
        let out = f();
        if let Some(job) = resume {
            self.replace(job)?;
        }
        out
    }

    fn replace(&self, job: Job) -> Result<LinkStatus, AppError> {
        self.disconnect()?;
        let m = LiveMirror::run(&self.journal, job, crate::SystemClock, self.changes.clone())?;
        let status = m.status();
        *self.slot()? = Some(m);
        self.changes.bump();
        Ok(status)
    }
}

/// How the Connect screen asks for a terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectRequest {
    /// A terminal on the network.
    Lan {
        /// Its host name or address.
        host: String,
        /// Its port (20007 when none is given).
        port: Option<u16>,
    },
    /// A terminal on a serial line or USB.
    Serial {
        /// The device (/dev/ttyACM0, COM3).
        path: String,
        /// Its speed (9600 when none is given).
        baud: Option<u32>,
    },
    /// Proxy mode: the cash register is pointed at this PC (`listen_port`, on every
    /// network interface) and Slipkeeper relays to the terminal at `host:port`.
    Proxy {
        /// The port the cash register connects to (20007 when none is given).
        listen_port: Option<u16>,
        /// The terminal's host name or address.
        host: String,
        /// The terminal's port (20007 when none is given).
        port: Option<u16>,
    },
    /// Proxy mode on serial lines: the cash register's cable on `register`, the
    /// terminal's on `terminal` (both at `baud`).
    SerialProxy {
        /// The cash register's serial device.
        register: String,
        /// The terminal's serial device.
        terminal: String,
        /// Their speed (9600 when none is given).
        baud: Option<u32>,
    },
    /// The built-in demo terminal, customers paying every few seconds.
    Demo,
}

fn host_of(host: &str) -> Result<&str, AppError> {
    let host = host.trim();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(AppError::new(
            crate::ErrorCode::BadInput,
            format!("terminal address {host:?}: expected a host name or IP address"),
        ));
    }
    Ok(host)
}

impl ConnectRequest {
    /// Checks the request as connecting would, without connecting.
    pub fn validate(&self) -> Result<(), AppError> {
        match self {
            ConnectRequest::Demo => Ok(()),
            _ => self.job().map(|_| ()),
        }
    }

    fn job(&self) -> Result<Job, AppError> {
        Ok(match self {
            ConnectRequest::SerialProxy {
                register,
                terminal,
                baud,
            } => {
                let (register, terminal) = (register.trim(), terminal.trim());
                if register.is_empty() || terminal.is_empty() || register == terminal {
                    return Err(AppError::new(
                        crate::ErrorCode::BadInput,
                        format!("a serial proxy needs two different ports: the register's ({register:?}) and the terminal's ({terminal:?})"),
                    ));
                }
                Job::ProxySerial {
                    register: register.to_owned(),
                    terminal: terminal.to_owned(),
                    baud: baud.unwrap_or(9600),
                }
            }
            ConnectRequest::Proxy {
                listen_port,
                host,
                port,
            } => Job::Proxy {
                listen: format!("0.0.0.0:{}", listen_port.unwrap_or(20007)),
                terminal: format!("{}:{}", host_of(host)?, port.unwrap_or(20007)),
            },
            _ => Job::Mirror {
                opts: self.options()?,
                demo: false,
            },
        })
    }

    /// The mirror's options for this request; a proxy or the demo terminal has none
    /// (an error says so).
    pub fn options(&self) -> Result<ConnectOptions, AppError> {
        let endpoint = match self {
            ConnectRequest::Lan { host, port } => {
                Endpoint::Tcp(format!("{}:{}", host_of(host)?, port.unwrap_or(20007)))
            }
            ConnectRequest::Serial { path, baud } => Endpoint::Serial {
                path: path.trim().to_owned(),
                baud: baud.unwrap_or(9600),
            },
            ConnectRequest::Proxy { .. } => {
                return Err(AppError::new(
                    crate::ErrorCode::BadInput,
                    "a proxy relays between a cash register and a terminal; it is not a terminal address",
                ))
            }
            ConnectRequest::Demo => {
                return Err(AppError::new(
                    crate::ErrorCode::BadInput,
                    "the demo terminal is started by the link itself; it has no address",
                ))
            }
            ConnectRequest::SerialProxy { .. } => {
                return Err(AppError::new(
                    crate::ErrorCode::BadInput,
                    "a proxy relays between a cash register and a terminal; it is not a terminal address",
                ))
            }
        };
        Ok(ConnectOptions::new(endpoint))
    }
}

fn poisoned() -> AppError {
    AppError::new(
        crate::ErrorCode::Internal,
        "the terminal link failed; restart Slipkeeper",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SystemClock;
    use slipkeeper_testkit::sim::Simulator;

    #[test]
    fn a_live_mirror_reports_state_progress_and_totals_then_stops_when_dropped() {
        let Simulator {
            rt: _serving,
            sim,
            addr,
            ..
        } = Simulator::start();
        let dir = tempfile::tempdir().unwrap();
        let req: ConnectRequest = serde_json::from_str(&format!(
            r#"{{"kind":"lan","host":"127.0.0.1","port":{}}}"#,
            addr.port()
        ))
        .unwrap();
        let live = LiveMirror::start(
            &dir.path().join("j.db"),
            req.options().unwrap(),
            SystemClock,
            false,
        )
        .unwrap();
        sim.customer(2500);
        sim.customer(3100);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            let s = live.status();
            if s.progress.as_ref().is_some_and(|p| p.transactions == 2)
                || std::time::Instant::now() > deadline
            {
                break s;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.state, "connected");
        assert_eq!(status.progress.unwrap().transactions, 2);
        assert!(
            status.totals.unwrap().agrees(),
            "fresh terminal, empty journal: they agree"
        );
        drop(live); // must return: the mirror thread stops
    }

    /// The Connect screen's live progress: pushed as it changes, not polled; the
    /// stream ends when its receiver goes, or when it is stopped or replaced.
    #[test]
    fn the_link_status_streams_its_changes_until_stopped() {
        let Simulator {
            rt: _serving,
            sim,
            addr,
            ..
        } = Simulator::start();
        let dir = tempfile::tempdir().unwrap();
        let slot = Arc::new(LinkSlot::new(&dir.path().join("j.db")));
        let (tx, rx) = std::sync::mpsc::channel::<LinkStatus>();
        let streaming = {
            let slot = slot.clone();
            std::thread::spawn(move || slot.stream(7, |s| tx.send(s).is_ok()))
        };
        let first = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        assert_eq!(first.state, "idle", "the status as it is, at once");

        slot.connect(&ConnectRequest::Lan {
            host: "127.0.0.1".into(),
            port: Some(addr.port()),
        })
        .unwrap();
        for amount in [2500, 3100, 4200] {
            sim.customer(amount);
        }
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::time::Instant::now() < deadline {
            let Ok(s) = rx.recv_timeout(std::time::Duration::from_secs(1)) else {
                continue;
            };
            let done = s.progress.as_ref().is_some_and(|p| p.transactions == 3);
            seen.push(s);
            if done {
                break;
            }
        }
        let last = seen.last().unwrap();
        assert_eq!(last.state, "connected", "{seen:?}");
        assert_eq!(last.progress.as_ref().unwrap().transactions, 3);
        // Pushed as the bookings arrived, not only at the end; never more often
        // than every STREAM_EVERY.
        let counts: Vec<u64> = seen
            .iter()
            .filter_map(|s| s.progress.as_ref().map(|p| p.transactions))
            .collect();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
        assert!(seen
            .iter()
            .any(|s| s.state == "connecting" || s.state == "connected"));

        slot.stop_streaming(6); // another stream's name: this one goes on
        assert!(rx.recv_timeout(std::time::Duration::from_secs(3)).is_ok());
        slot.stop_streaming(7);
        streaming.join().unwrap().unwrap(); // ends: it was stopped
        slot.disconnect().unwrap();

        // A new stream replaces the running one.
        let (tx2, rx2) = std::sync::mpsc::channel::<LinkStatus>();
        let first = {
            let slot = slot.clone();
            std::thread::spawn(move || slot.stream(8, |s| tx2.send(s).is_ok()))
        };
        rx2.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        let second = {
            let slot = slot.clone();
            std::thread::spawn(move || slot.stream(9, |_| true))
        };
        first.join().unwrap().unwrap(); // ends: replaced
        slot.stop_streaming(9);
        second.join().unwrap().unwrap();

        // A receiver that is gone ends the stream by itself.
        let mut sent = 0;
        slot.stream(10, |_| {
            sent += 1;
            false
        })
        .unwrap();
        assert_eq!(sent, 1);
    }

    #[test]
    fn a_blank_address_is_refused_before_connecting() {
        let e = ConnectRequest::Lan {
            host: " ".into(),
            port: None,
        }
        .options()
        .unwrap_err();
        assert!(e.message.contains("terminal address"), "{}", e.message);
    }
}
