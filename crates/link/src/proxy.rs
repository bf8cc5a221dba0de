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
    spool: Option<Arc<Mutex<Spooled>>>,
    /// Set once the tap's receiver is gone, so that is logged once, not per frame.
    tap_lost: Arc<std::sync::atomic::AtomicBool>,
}

/// The spool and, per connection and direction, the bytes of a unit not yet complete.
#[derive(Debug)]
struct Spooled {
    spool: Spool,
    serial: bool,
    pending: std::collections::HashMap<(u64, Direction), Units>,
}

impl Recorder {
    /// For a TCP proxy: its bytes are bare APDUs.
    pub fn new(tap: Tap, spool: Spool) -> Recorder {
        Recorder::with(tap, spool, false)
    }

    /// For a serial proxy: its bytes are DLE-framed APDUs and line control.
    pub fn serial(tap: Tap, spool: Spool) -> Recorder {
        Recorder::with(tap, spool, true)
    }

    fn with(tap: Tap, spool: Spool, serial: bool) -> Recorder {
        Recorder {
            tap,
            spool: Some(Arc::new(Mutex::new(Spooled {
                spool,
                serial,
                pending: Default::default(),
            }))),
            tap_lost: Arc::default(),
        }
    }

    /// Without a spool (tests of the relay itself).
    pub fn tap_only(tap: Tap) -> Recorder {
        Recorder {
            tap,
            spool: None,
            tap_lost: Arc::default(),
        }
    }

    fn record(&self, conn: u64, f: Frame) {
        if let Some(s) = &self.spool {
            // Nothing in here panics by design; were it to, the spool goes on with
            // what it holds rather than stop taking frames.
            let mut s = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Only whole units are spooled, masked: the spool never holds a card
            // number. The start of a unit not yet complete stays in memory until
            // its end arrives; if the process dies meanwhile, the other side never
            // received that unit whole either, so nothing it acted on is lost.
            let serial = s.serial;
            let units = s
                .pending
                .entry((conn, f.direction))
                .or_insert_with(|| Units::new(serial))
                .push(&f.bytes);
            let frames: Vec<Frame> = units
                .into_iter()
                .map(|bytes| Frame {
                    direction: f.direction,
                    at: f.at,
                    bytes,
                })
                .collect();
            let refs: Vec<(u64, &Frame)> = frames.iter().map(|x| (conn, x)).collect();
            // A full disk must not stop the shop taking cards: the tap still gets
            // it (the journal is written from the tap).
            if !refs.is_empty() {
                if let Err(e) = s.spool.append(&refs, false) {
                    warn_spool_failed(&e);
                }
            }
        }
        if self.tap.send((conn, f)).is_err()
            && !self
                .tap_lost
                .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            // The relay goes on: a payment must not wait for the journal. What the
            // spool holds is stored from it when the service starts again.
            tracing::error!(
                conn,
                "proxy: the journal side stopped taking frames; relaying on without it"
            );
        }
    }
}

/// The spool could not be written; the payment goes on and the journal still gets
/// the frame from the tap. Logged: the service's stderr goes nowhere.
fn warn_spool_failed(e: &crate::spool::SpoolError) {
    tracing::warn!(error = %e, "proxy: the spool could not be written; relaying on");
}

/// A unit that never completes (a peer sending garbage) is spooled as it stands once
/// this many bytes wait.
const MAX_PENDING: usize = 70_000;

/// Cuts one direction's byte stream into whole units for the spool: APDUs (TCP), or
/// DLE-framed APDUs and the bytes between frames (serial).
#[derive(Debug)]
pub struct Units {
    serial: bool,
    buf: Vec<u8>,
}

impl Units {
    /// An empty cutter: for a serial line when `serial`, else for TCP.
    pub fn new(serial: bool) -> Units {
        Units {
            serial,
            buf: Vec::new(),
        }
    }

    /// Takes a chunk; returns the units it completed, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        loop {
            let n = if self.serial {
                serial_unit(&self.buf)
            } else {
                match Apdu::read(&self.buf) {
                    Ok(Some((_, n))) => Some(n),
                    Ok(None) => None,
                    // Not an APDU header: nothing to wait for.
                    Err(_) => Some(self.buf.len()),
                }
            };
            match n {
                Some(n) if n > 0 => out.push(self.buf.drain(..n).collect()),
                _ => break,
            }
        }
        if self.buf.len() > MAX_PENDING {
            out.push(std::mem::take(&mut self.buf));
        }
        out
    }
}

/// The length of the first unit of a serial byte stream, if it is complete: a whole
/// `DLE STX … DLE ETX crc crc` frame, or the run of bytes before the next DLE.
fn serial_unit(b: &[u8]) -> Option<usize> {
    const DLE: u8 = 0x10;
    match b {
        [] => None,
        [DLE] => None,
        [DLE, 0x02, ..] => {
            let mut i = 2;
            while i + 1 < b.len() {
                match (b[i], b[i + 1]) {
                    (DLE, DLE) => i += 2,
                    (DLE, 0x03) => return (b.len() >= i + 4).then_some(i + 4),
                    _ => i += 1,
                }
            }
            None
        }
        [DLE, ..] => Some(1),
        _ => Some(b.iter().position(|&x| x == DLE).unwrap_or(b.len())),
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
    for (side, task) in [("register to terminal", up), ("terminal to register", down)] {
        if let Err(e) = task.await {
            tracing::error!(conn, side, error = %e, "proxy: a relay task failed");
        }
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::spool::Spool;

    /// A 04 0F carrying the full card number 4111111111111111 in BMP 22.
    fn status_with_pan() -> Vec<u8> {
        let mut data = vec![0x27, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x25, 0x50];
        data.extend([
            0x22, 0xF0, 0xF8, 0x41, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        ]);
        data.extend([0x0B, 0x00, 0x00, 0x42]);
        Apdu::command(slipkeeper_zvt::cmd::STATUS_INFORMATION, data)
            .encode()
            .unwrap()
    }

    fn at() -> DateTime<Utc> {
        DateTime::UNIX_EPOCH
    }

    /// Whatever chunks the bytes come in, the spool holds whole APDUs only, their card
    /// data masked — even while the rest of a unit is still on its way — and reading it
    /// back rebuilds the same messages.
    #[test]
    fn the_spool_never_holds_a_card_number_however_the_bytes_are_cut() {
        let ack = Apdu::ack().encode().unwrap();
        let stream: Vec<u8> = [status_with_pan(), ack.clone(), status_with_pan()].concat();
        for cut in 1..stream.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.spool");
            let (tap, mut taken) = tokio::sync::mpsc::unbounded_channel();
            let rec = Recorder::new(tap, Spool::open(&path).unwrap());
            for chunk in stream.chunks(cut) {
                rec.record(
                    1,
                    Frame {
                        direction: Direction::Rx,
                        at: at(),
                        bytes: chunk.to_vec(),
                    },
                );
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!text.contains("4111111111111111"), "cut {cut}: {text}");
                assert!(!text.contains("41111111"), "cut {cut}: {text}");
            }
            let spooled = Spool::read(&path).unwrap();
            let units: Vec<Vec<u8>> = spooled.iter().map(|(_, f)| f.bytes.clone()).collect();
            assert_eq!(units.len(), 3, "cut {cut}: whole APDUs");
            assert_eq!(units[1], ack);
            for u in [&units[0], &units[2]] {
                assert_eq!(u.len(), status_with_pan().len());
                assert!(hex_of(u).contains("411111EEEEEE1111"), "{}", hex_of(u));
                Apdu::decode_exact(u).unwrap();
            }
            // The tap (the journal's copy) got the bytes as relayed.
            let mut relayed = Vec::new();
            while let Ok((_, f)) = taken.try_recv() {
                relayed.extend(f.bytes);
            }
            assert_eq!(relayed, stream);
        }
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    #[test]
    fn serial_units_are_frames_and_the_bytes_between() {
        let framed = slipkeeper_zvt::serial::frame(&status_with_pan());
        let stream: Vec<u8> = [&[0x06][..], &framed, &[0x06, 0x15], &framed].concat();
        for cut in 1..stream.len() {
            let mut u = Units::new(true);
            let mut got = Vec::new();
            for chunk in stream.chunks(cut) {
                got.extend(u.push(chunk));
            }
            assert_eq!(got.concat(), stream, "cut {cut}: nothing lost or doubled");
            assert!(got.contains(&framed), "cut {cut}: the frame is one unit");
        }
    }
}
