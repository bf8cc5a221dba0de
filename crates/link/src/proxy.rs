//! Proxy mode, for shops whose cash register already drives the terminal: Slipkeeper
//! listens where the register expects the terminal, forwards every byte unchanged in
//! both directions, and hands a copy to a recorder. Forwarding comes first and the copy
//! goes into an unbounded channel, so a payment never waits on the journal — if the
//! recorder is slow or gone, the shop still takes cards.

use crate::spool::Spool;
use crate::{End, Exchange, Frame};
use chrono::{DateTime, Utc};
use slipkeeper_journal::Direction;
use slipkeeper_zvt::{Apdu, Message};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::UnboundedSender;

/// Where the frames of one proxied connection go: (connection number, frame).
pub type Tap = UnboundedSender<(u64, Frame)>;

/// Takes the copy of every chunk: first into the spool (one `write`, no sync: a
/// killed process loses nothing, and a payment does not wait for the disk), then to
/// the tap for the journal.
#[derive(Clone, Debug)]
pub struct Recorder {
    tap: Tap,
    spool: Option<Arc<Mutex<Spool>>>,
}

impl Recorder {
    pub fn new(tap: Tap, spool: Spool) -> Recorder {
        Recorder {
            tap,
            spool: Some(Arc::new(Mutex::new(spool))),
        }
    }

    /// Without a spool (tests of the relay itself).
    pub fn tap_only(tap: Tap) -> Recorder {
        Recorder { tap, spool: None }
    }

    fn record(&self, conn: u64, f: Frame) {
        if let Some(s) = &self.spool {
            if let Ok(mut s) = s.lock() {
                // A full disk must not stop the shop taking cards: the tap still gets it.
                let _ = s.append(&[(conn, &f)], false);
            }
        }
        let _ = self.tap.send((conn, f));
    }
}

async fn pump<R, W>(
    mut from: R,
    mut to: W,
    direction: Direction,
    conn: u64,
    rec: Recorder,
    clock: crate::Clock,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut chunk = vec![0u8; 8192];
    loop {
        let n = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // Spooled before it is forwarded: whatever the other side saw is on file.
        rec.record(
            conn,
            Frame {
                direction,
                at: clock(),
                bytes: chunk[..n].to_vec(),
            },
        );
        if to.write_all(&chunk[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Relays one cash-register connection to the terminal, both ways, until either
/// side closes.
pub async fn relay<A, B>(ecr: A, pt: B, conn: u64, rec: Recorder, clock: crate::Clock)
where
    A: AsyncRead + AsyncWrite + Send + 'static,
    B: AsyncRead + AsyncWrite + Send + 'static,
{
    let (er, ew) = tokio::io::split(ecr);
    let (pr, pw) = tokio::io::split(pt);
    let up = tokio::spawn(pump(
        er,
        pw,
        Direction::Tx,
        conn,
        rec.clone(),
        clock.clone(),
    ));
    let down = tokio::spawn(pump(pr, ew, Direction::Rx, conn, rec, clock));
    let _ = up.await;
    let _ = down.await;
}

/// Listens on `listen`; for every cash-register connection opens one to `terminal`
/// and relays. Returns the bound address and the accept task.
pub async fn run(
    listen: SocketAddr,
    terminal: String,
    rec: Recorder,
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
            tokio::spawn(relay(ecr, pt, conn, rec.clone(), clock.clone()));
        }
    });
    Ok((bound, task))
}

/// Serial proxy: the cash register on one serial device, the terminal on another,
/// bytes relayed unchanged (framing, CRC and line ACK/NAK included).
pub fn run_serial(
    ecr: tokio_serial::SerialStream,
    pt: tokio_serial::SerialStream,
    rec: Recorder,
    clock: crate::Clock,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(relay(ecr, pt, 1, rec, clock))
}

/// Rebuilds exchanges from the byte stream of one connection, as the ECR saw them.
/// Bytes that do not parse are kept in the frames; nothing is dropped.
#[derive(Debug, Default)]
pub struct Assembler {
    /// Serial line: APDUs come out of DLE STX … DLE ETX CRC frames; ACK/NAK bytes
    /// between them are line control, not messages.
    serial: Option<[slipkeeper_zvt::serial::Deframer; 2]>,
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
    /// For bytes relayed on a serial line.
    pub fn serial() -> Assembler {
        Assembler {
            serial: Some(Default::default()),
            ..Default::default()
        }
    }

    fn push_serial(&mut self, f: Frame) -> Vec<Exchange> {
        let i = idx(f.direction);
        let mut done = Vec::new();
        for &b in &f.bytes {
            let out = match self.serial.as_mut() {
                Some(d) => d[i].push(b),
                None => None,
            };
            match out {
                None => {}
                Some(Ok(apdu)) => match Apdu::decode_exact(&apdu) {
                    Ok(a) => done.extend(self.apdu(
                        a,
                        Frame {
                            direction: f.direction,
                            at: f.at,
                            bytes: slipkeeper_zvt::serial::frame(&apdu),
                        },
                    )),
                    Err(_) => self.loose.push(Frame {
                        direction: f.direction,
                        at: f.at,
                        bytes: apdu,
                    }),
                },
                // A damaged frame: the receiver NAKs it and the sender repeats it.
                Some(Err(_)) => {}
            }
        }
        done
    }

    /// Feeds one chunk; returns the exchanges it completed.
    pub fn push(&mut self, f: Frame) -> Vec<Exchange> {
        if self.serial.is_some() {
            return self.push_serial(f);
        }
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
