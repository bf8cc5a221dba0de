//! Proxy mode, for shops whose cash register already drives the terminal: Slipkeeper
//! listens where the register expects the terminal, forwards every byte unchanged in
//! both directions, and hands a copy to a recorder. Forwarding comes first and the copy
//! goes into an unbounded channel, so a payment never waits on the journal — if the
//! recorder is slow or gone, the shop still takes cards.

use crate::{End, Exchange, Frame};
use chrono::{DateTime, Utc};
use slipkeeper_journal::Direction;
use slipkeeper_zvt::{Apdu, Message};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::UnboundedSender;

/// Where the frames of one proxied connection go: (connection number, frame).
pub type Tap = UnboundedSender<(u64, Frame)>;

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    direction: Direction,
    conn: u64,
    tap: Tap,
    clock: crate::Clock,
) {
    let mut chunk = vec![0u8; 8192];
    loop {
        let n = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&chunk[..n]).await.is_err() {
            break;
        }
        // The copy is taken after forwarding; a closed recorder is ignored.
        let _ = tap.send((
            conn,
            Frame {
                direction,
                at: clock(),
                bytes: chunk[..n].to_vec(),
            },
        ));
    }
    let _ = to.shutdown().await;
}

/// Listens on `listen`; for every cash-register connection opens one to `terminal`
/// and relays. Returns the bound address and the accept task.
pub async fn run(
    listen: SocketAddr,
    terminal: String,
    tap: Tap,
    clock: crate::Clock,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(listen).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let mut conn = 0u64;
        while let Ok((ecr, _)) = listener.accept().await {
            conn += 1;
            let Ok(pt) = TcpStream::connect(&terminal).await else {
                // The terminal is unreachable: close, so the register reports it as it would.
                continue;
            };
            let _ = ecr.set_nodelay(true);
            let _ = pt.set_nodelay(true);
            let (er, ew) = ecr.into_split();
            let (pr, pw) = pt.into_split();
            tokio::spawn(pump(
                er,
                pw,
                Direction::Tx,
                conn,
                tap.clone(),
                clock.clone(),
            ));
            tokio::spawn(pump(
                pr,
                ew,
                Direction::Rx,
                conn,
                tap.clone(),
                clock.clone(),
            ));
        }
    });
    Ok((bound, task))
}

/// Rebuilds exchanges from the byte stream of one connection, as the ECR saw them.
/// Bytes that do not parse are kept in the frames; nothing is dropped.
#[derive(Debug, Default)]
pub struct Assembler {
    buf: [Vec<u8>; 2],
    /// Time of the first chunk still buffered, per direction.
    first_at: [Option<DateTime<Utc>>; 2],
    open: Option<Exchange>,
    ending: bool,
    /// Frames outside any exchange (e.g. stray acknowledgements).
    pub loose: Vec<Frame>,
}

fn idx(d: Direction) -> usize {
    match d {
        Direction::Tx => 0,
        Direction::Rx => 1,
    }
}

impl Assembler {
    /// Feeds one chunk; returns the exchanges it completed.
    pub fn push(&mut self, f: Frame) -> Vec<Exchange> {
        let i = idx(f.direction);
        if self.buf[i].is_empty() {
            self.first_at[i] = Some(f.at);
        }
        self.buf[i].extend_from_slice(&f.bytes);
        let mut done = Vec::new();
        loop {
            match Apdu::read(&self.buf[i]) {
                Ok(Some((a, used))) => {
                    let bytes: Vec<u8> = self.buf[i].drain(..used).collect();
                    let at = self.first_at[i].unwrap_or(f.at);
                    self.first_at[i] = if self.buf[i].is_empty() {
                        None
                    } else {
                        Some(f.at)
                    };
                    done.extend(self.apdu(
                        a,
                        Frame {
                            direction: f.direction,
                            at,
                            bytes,
                        },
                    ));
                }
                Ok(None) => break,
                Err(_) => {
                    // Not ZVT: keep the bytes as they are.
                    let bytes = std::mem::take(&mut self.buf[i]);
                    self.loose.push(Frame {
                        direction: f.direction,
                        at: f.at,
                        bytes,
                    });
                    self.first_at[i] = None;
                    break;
                }
            }
        }
        done
    }

    fn apdu(&mut self, a: Apdu, frame: Frame) -> Vec<Exchange> {
        let mut done = Vec::new();
        let is_ack = matches!(a.class, 0x80 | 0x84);
        match frame.direction {
            Direction::Tx if !is_ack => {
                // A new command: whatever was open is over.
                done.extend(self.finish());
                self.open = Some(Exchange {
                    command: a,
                    messages: Vec::new(),
                    end: End::Acknowledged,
                    frames: vec![frame],
                });
            }
            _ => match &mut self.open {
                Some(ex) => {
                    ex.frames.push(frame.clone());
                    if frame.direction == Direction::Rx && !is_ack {
                        if let Ok(m) = Message::decode(&a) {
                            match &m {
                                Message::Completion(_) => {
                                    ex.end = End::Completed;
                                    self.ending = true;
                                }
                                Message::Abort { result_code, .. } => {
                                    ex.end = End::Aborted(*result_code);
                                    self.ending = true;
                                }
                                _ => {}
                            }
                            ex.messages.push((m, frame));
                        }
                    } else if frame.direction == Direction::Tx && self.ending {
                        // The register's acknowledgement of the completion closes it.
                        done.extend(self.finish());
                    }
                }
                None => self.loose.push(frame),
            },
        }
        done
    }

    /// Ends the open exchange (connection closed, or a new command began).
    pub fn finish(&mut self) -> Option<Exchange> {
        self.ending = false;
        self.open.take()
    }
}
