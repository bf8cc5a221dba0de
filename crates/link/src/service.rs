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
    pub initial: Duration,
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

#[derive(Clone, Debug)]
pub struct Config {
    /// host:port of the terminal.
    pub addr: String,
    pub password: u32,
    /// Registration config byte (see [`commands::MIRROR_CONFIG`]).
    pub config: u8,
    pub currency: u16,
    /// Quiet time after which a status enquiry checks that the terminal is alive.
    pub heartbeat: Duration,
    pub ack_timeout: Duration,
    pub backoff: Backoff,
}

impl Config {
    pub fn new(addr: &str) -> Config {
        Config {
            addr: addr.to_owned(),
            password: 0,
            config: commands::MIRROR_CONFIG,
            currency: 156,
            heartbeat: Duration::from_secs(30),
            ack_timeout: crate::ACK_TIMEOUT,
            backoff: Backoff::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Connecting {
        attempt: u32,
    },
    Connected,
    /// Lost or refused; the next attempt comes after `retry_in`.
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
}

#[derive(Debug)]
pub enum Event {
    State(State),
    Exchange(Exchange),
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

/// One connection's life. Err carries the reason and whether it had been up.
async fn session(
    cfg: &Config,
    clock: &Clock,
    requests: &mut mpsc::Receiver<Request>,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<(), (LinkError, bool)> {
    let mut link = Link::connect_tcp(&cfg.addr, clock.clone())
        .await
        .map_err(|e| (e, false))?;
    link.set_timeouts(cfg.ack_timeout, crate::COMPLETION_TIMEOUT);
    let reg = link
        .command(&commands::registration(
            cfg.password,
            cfg.config,
            cfg.currency,
        ))
        .await
        .map_err(|e| (e, false))?;
    let _ = events.send(Event::Exchange(reg));
    let _ = events.send(Event::State(State::Connected));
    loop {
        tokio::select! {
            r = requests.recv() => {
                let Some((cmd, reply)) = r else { return Ok(()) };
                let result = link.command(&cmd).await;
                let lost = matches!(result, Err(LinkError::Closed | LinkError::Timeout(..) | LinkError::Io(_)));
                let reason = result.as_ref().err().map(|e| e.to_string());
                if let Ok(ex) = &result {
                    let _ = events.send(Event::Exchange(ex.clone()));
                }
                let _ = reply.send(result);
                if lost {
                    return Err((LinkError::Io(std::io::Error::other(reason.unwrap_or_default())), true));
                }
            }
            _ = tokio::time::sleep(cfg.heartbeat) => {
                // Dead-peer detection: a terminal that does not answer is gone.
                let ex = link.command(&commands::status_enquiry()).await.map_err(|e| (e, true))?;
                let _ = events.send(Event::Exchange(ex));
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
