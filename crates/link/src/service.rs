//! The long-running connection to one terminal: connect, register, keep it alive with a
//! status enquiry as heartbeat (a terminal that stops answering is a dead peer: drop
//! and reconnect), reconnect with exponential backoff, and run the back-office
//! commands sent to it. Every exchange and every state change goes out as an event, so
//! the app can mirror the first and show the second.

use crate::{commands, Clock, Exchange, Link, LinkError};
use slipkeeper_zvt::Apdu;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Exponential backoff between connection attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay after a failure.
    pub initial: Duration,
    /// The longest delay, however many failures.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// Delay before attempt `n` (0-based) after failures: initial × 2ⁿ, capped.
    pub fn delay(&self, n: u32) -> Duration {
        self.initial
            .saturating_mul(1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX))
            .min(self.max)
    }
}

/// Where the terminal is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// host:port (ZVT's usual port is 20007).
    Tcp(String),
    /// A serial device (RS-232 or USB CDC-ACM) and its speed.
    Serial {
        /// The device: /dev/ttyACM0, /dev/ttyUSB0, COM3.
        path: String,
        /// Its speed in baud (ZVT terminals: 9600 or 115200).
        baud: u32,
    },
}

impl Endpoint {
    /// `HOST[:PORT]` with ZVT's port 20007 when none is given.
    pub fn tcp(addr: &str) -> Endpoint {
        if addr
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            Endpoint::Tcp(addr.to_owned())
        } else {
            Endpoint::Tcp(format!("{addr}:20007"))
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp(a) => write!(f, "{a}"),
            Endpoint::Serial { path, baud } => write!(f, "{path} at {baud} baud"),
        }
    }
}

/// How the service keeps a terminal link: where, how it registers, how it watches.
#[derive(Clone, Debug)]
pub struct Config {
    /// host:port of the terminal (used when `endpoint` is None).
    pub addr: String,
    /// The terminal's endpoint (TCP or serial); None: `addr` over TCP.
    pub endpoint: Option<Endpoint>,
    /// The terminal's merchant password (registration).
    pub password: u32,
    /// Registration config byte (see [`commands::MIRROR_CONFIG`]).
    pub config: u8,
    /// ISO 4217 numeric currency registered with (156 for CNY).
    pub currency: u16,
    /// Quiet time after which a status enquiry checks that the terminal is alive
    /// (when the terminal is not armed).
    pub heartbeat: Duration,
    /// How long to wait for the terminal's acknowledgement of a command (ZVT T3).
    pub ack_timeout: Duration,
    /// The delays between connection attempts.
    pub backoff: Backoff,
    /// Mirror a terminal nobody else drives: keep an authorisation without amount
    /// open for this long (the cashier keys amounts in at the counter), again and
    /// again. `None`: only heartbeats and the commands sent in.
    pub arm: Option<Duration>,
    /// On every (re)connect, fetch the last receipt again (the booking that may have
    /// been cut off) and the turnover totals (to compare with the journal).
    pub catch_up: bool,
    /// Hand every status information, completion and abort to the journal and wait
    /// for its answer before acknowledging it (see [`Event::Exchange`]).
    pub commit_before_ack: bool,
}

impl Config {
    /// The defaults for a terminal at `addr`: CNY, password 0, heartbeat every 30 s,
    /// no arming, no catch-up.
    pub fn new(addr: &str) -> Config {
        Config {
            addr: addr.to_owned(),
            endpoint: None,
            password: 0,
            config: commands::MIRROR_CONFIG,
            currency: 156,
            heartbeat: Duration::from_secs(30),
            ack_timeout: crate::ACK_TIMEOUT,
            backoff: Backoff::default(),
            arm: None,
            catch_up: false,
            commit_before_ack: false,
        }
    }
}

/// The link's state, as the window and the tray show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Opening the connection and registering.
    Connecting {
        /// Which attempt since the last success (1 for the first).
        attempt: u32,
    },
    /// Registered and mirroring.
    Connected,
    /// Lost or refused; the next attempt comes after `retry_in`.
    Disconnected {
        /// Why, in words for the owner.
        reason: String,
        /// When the next attempt comes.
        retry_in: Duration,
    },
}

/// The journal's answer to a checkpoint: Ok once it is stored (or durably spooled).
pub type Commit = oneshot::Sender<Result<(), String>>;

/// What a running link reports.
#[derive(Debug)]
pub enum Event {
    /// Its state changed.
    State(State),
    /// An exchange. With `Some(commit)` it is a checkpoint taken before the
    /// terminal's last message was acknowledged: the acknowledgement waits for the
    /// answer, and without one the terminal is not acknowledged at all.
    Exchange(Exchange, Option<Commit>),
    /// Turnover totals (06 10) read during the catch-up, to compare with the open batch.
    Totals(Exchange),
}

/// A command for the terminal and where its result goes.
pub type Request = (Apdu, oneshot::Sender<Result<Exchange, LinkError>>);

/// Runs until `requests` is closed.
pub async fn run(
    cfg: Config,
    clock: Clock,
    mut requests: mpsc::Receiver<Request>,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut failures: u32 = 0;
    loop {
        let _ = events.send(Event::State(State::Connecting { attempt: failures }));
        let reason = match session(&cfg, &clock, &mut requests, &events).await {
            Ok(()) => return, // no more requests: the app is shutting down
            Err((e, was_connected)) => {
                if was_connected {
                    failures = 0;
                }
                e.to_string()
            }
        };
        let retry_in = cfg.backoff.delay(failures);
        failures = failures.saturating_add(1);
        let _ = events.send(Event::State(State::Disconnected { reason, retry_in }));
        // Wait, but answer requests meanwhile: the terminal is not there.
        let sleep = tokio::time::sleep(retry_in);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                r = requests.recv() => match r {
                    Some((_, reply)) => { let _ = reply.send(Err(LinkError::Closed)); }
                    None => return,
                },
            }
        }
    }
}

/// Runs one command, with checkpoints when the config asks for them; the whole
/// exchange goes out as an event too.
async fn run_command<S>(
    link: &mut Link<S>,
    cfg: &Config,
    events: &mpsc::UnboundedSender<Event>,
    cmd: &Apdu,
) -> Result<Exchange, LinkError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let ex = if cfg.commit_before_ack {
        link.command_with(cmd, |so_far| {
            let (tx, rx) = oneshot::channel();
            let sent = events.send(Event::Exchange(so_far.clone(), Some(tx)));
            async move {
                if sent.is_err() {
                    return Err(LinkError::NotStored("the journal is closed".into()));
                }
                match rx.await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(LinkError::NotStored(e)),
                    Err(_) => Err(LinkError::NotStored("the journal is closed".into())),
                }
            }
        })
        .await?
    } else {
        link.command(cmd).await?
    };
    let _ = events.send(Event::Exchange(ex.clone(), None));
    Ok(ex)
}

/// How often an armed mirror compares the terminal's totals with the journal.
const TOTALS_EVERY: Duration = Duration::from_secs(60);

/// Turnover totals (06 10), handed out for the comparison with the open batch.
async fn check_totals<S>(
    link: &mut Link<S>,
    cfg: &Config,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<(), (LinkError, bool)>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let totals =
        commands::turnover_totals(cfg.password).map_err(|e| (LinkError::Command(e), true))?;
    match link.command(&totals).await {
        Ok(ex) => {
            let _ = events.send(Event::Totals(ex));
            Ok(())
        }
        Err(LinkError::Refused(_)) => Ok(()),
        Err(e) => Err((e, true)),
    }
}

/// Errors after which the connection cannot be trusted any more.
fn is_lost(e: &LinkError) -> bool {
    !matches!(e, LinkError::Refused(_))
}

/// One connection's life. Err carries the reason and whether it had been up.
async fn session(
    cfg: &Config,
    clock: &Clock,
    requests: &mut mpsc::Receiver<Request>,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<(), (LinkError, bool)> {
    match cfg
        .endpoint
        .clone()
        .unwrap_or(Endpoint::Tcp(cfg.addr.clone()))
    {
        Endpoint::Tcp(addr) => {
            let link = Link::connect_tcp(&addr, clock.clone())
                .await
                .map_err(|e| (e, false))?;
            session_on(link, cfg, requests, events).await
        }
        Endpoint::Serial { path, baud } => {
            let link = Link::open_serial(&path, baud, clock.clone()).map_err(|e| (e, false))?;
            session_on(link, cfg, requests, events).await
        }
    }
}

async fn session_on<S>(
    mut link: Link<S>,
    cfg: &Config,
    requests: &mut mpsc::Receiver<Request>,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<(), (LinkError, bool)>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    // An armed authorisation is answered when the customer comes or its wait ends.
    let completion = cfg
        .arm
        .map_or(crate::COMPLETION_TIMEOUT, |w| w + cfg.ack_timeout);
    link.set_timeouts(cfg.ack_timeout, completion);
    let reg = commands::registration(cfg.password, cfg.config, cfg.currency)
        .map_err(|e| (LinkError::Command(e), false))?;
    run_command(&mut link, cfg, events, &reg)
        .await
        .map_err(|e| (e, false))?;
    let _ = events.send(Event::State(State::Connected));
    if cfg.catch_up {
        // The booking a dropped link may have cut off is the terminal's last one.
        let repeat =
            commands::repeat_receipt(cfg.password).map_err(|e| (LinkError::Command(e), true))?;
        match run_command(&mut link, cfg, events, &repeat).await {
            Ok(_) | Err(LinkError::Refused(_)) => {}
            Err(e) => return Err((e, true)),
        }
        check_totals(&mut link, cfg, events).await?;
    }
    let mut armed = cfg.arm;
    let mut last_totals = tokio::time::Instant::now();
    loop {
        if let Some(wait) = armed {
            // Back-office commands go first; then the terminal is armed again.
            match requests.try_recv() {
                Ok((cmd, reply)) => {
                    let result = run_command(&mut link, cfg, events, &cmd).await;
                    let lost = result
                        .as_ref()
                        .err()
                        .filter(|e| is_lost(e))
                        .map(|e| e.to_string());
                    let _ = reply.send(result);
                    if let Some(reason) = lost {
                        return Err((LinkError::Io(std::io::Error::other(reason)), true));
                    }
                }
                Err(mpsc::error::TryRecvError::Disconnected) => return Ok(()),
                Err(mpsc::error::TryRecvError::Empty) => {
                    let secs = u8::try_from(wait.as_secs().max(1)).unwrap_or(u8::MAX);
                    let arm = commands::armed_authorisation(secs, cfg.currency)
                        .map_err(|e| (LinkError::Command(e), true))?;
                    match run_command(&mut link, cfg, events, &arm).await {
                        Ok(_) => {
                            // Between customers, now and then: do the totals still agree?
                            if cfg.catch_up && last_totals.elapsed() >= TOTALS_EVERY {
                                check_totals(&mut link, cfg, events).await?;
                                last_totals = tokio::time::Instant::now();
                            }
                        }
                        // This terminal takes no amount entry: fall back to heartbeats.
                        Err(LinkError::Refused(_)) => armed = None,
                        Err(e) => return Err((e, true)),
                    }
                }
            }
            continue;
        }
        tokio::select! {
            r = requests.recv() => {
                let Some((cmd, reply)) = r else { return Ok(()) };
                let result = run_command(&mut link, cfg, events, &cmd).await;
                let lost = result.as_ref().err().filter(|e| is_lost(e)).map(|e| e.to_string());
                let _ = reply.send(result);
                if let Some(reason) = lost {
                    return Err((LinkError::Io(std::io::Error::other(reason)), true));
                }
            }
            _ = tokio::time::sleep(cfg.heartbeat) => {
                // Dead-peer detection: a terminal that does not answer is gone. One
                // that refuses the enquiry ("function not possible") has answered.
                match run_command(&mut link, cfg, events, &commands::status_enquiry()).await {
                    Ok(_) | Err(LinkError::Refused(_)) => {}
                    Err(e) => return Err((e, true)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let d: Vec<u128> = (0..6).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(d, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            b.delay(200),
            Duration::from_secs(1),
            "no overflow on long outages"
        );
    }
}
