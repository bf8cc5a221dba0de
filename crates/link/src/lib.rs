//! Slipkeeper's side of the wire: a [`Link`] moves ZVT APDUs over a byte stream (TCP
//! today), [`Link::command`] runs one ECR command to its end the way a cash register
//! does (acknowledging every message), and [`mirror`] turns what the terminal said into
//! journal records, raw bytes included.

#![warn(missing_docs)]

pub mod commands;
pub mod mirror;
pub mod proxy;
pub mod service;
pub mod spool;

use chrono::{DateTime, Utc};
use slipkeeper_journal::Direction;
use slipkeeper_zvt::{cmd, Apdu, Completion, Message, ZvtError};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Waiting for the terminal's acknowledgement of a command (ZVT T3).
pub const ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Waiting for the terminal to finish a command (ZVT T4).
pub const COMPLETION_TIMEOUT: Duration = Duration::from_secs(180);
/// Waiting for a TCP connection to the terminal to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a link to the terminal failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The terminal's address could not be reached.
    #[error("cannot reach the terminal at {addr}: {source}")]
    Connect {
        /// The address tried.
        addr: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The terminal did not answer in time: how long was waited, and for what.
    #[error("no answer from the terminal within {0:?} ({1})")]
    Timeout(Duration, &'static str),
    /// The terminal ended the connection.
    #[error("the terminal closed the connection")]
    Closed,
    /// Reading or writing the connection failed.
    #[error("connection error: {0}")]
    Io(#[from] std::io::Error),
    /// The terminal's bytes do not decode as ZVT.
    #[error("the terminal sent bytes that are not ZVT: {0}")]
    Protocol(#[from] ZvtError),
    /// A command Slipkeeper was asked to send cannot be built (a value too large for
    /// its field): nothing was sent.
    #[error("the command cannot be sent: {0}")]
    Command(ZvtError),
    /// The terminal answered the command with 84 xx: this result code.
    #[error("the terminal refused the command (code {0:02X})")]
    Refused(u8),
    /// The journal could not take what the terminal sent, so it was not acknowledged.
    #[error("not acknowledged, the journal could not store it: {0}")]
    NotStored(String),
}

/// Bytes as they crossed the wire, with their time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Which way: to the terminal, or from it.
    pub direction: Direction,
    /// When the frame was complete.
    pub at: DateTime<Utc>,
    /// The frame's bytes.
    pub bytes: Vec<u8>,
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// 06 0F.
    Completed,
    /// 06 1E with its result code.
    Aborted(Option<u8>),
    /// Commands that end with the acknowledgement (log-off, abort).
    Acknowledged,
    /// Still running: a checkpoint handed out before the exchange ended.
    Open,
}

/// One command and everything the terminal sent for it.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The command sent.
    pub command: Apdu,
    /// In order, each with its raw frame.
    pub messages: Vec<(Message, Frame)>,
    /// How it ended.
    pub end: End,
    /// All frames both ways, in order.
    pub frames: Vec<Frame>,
}

/// The wall clock frames are timed by, passed in so that tests can fix it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A ZVT connection to a terminal over any byte stream.
pub struct Link<S> {
    stream: S,
    buf: Vec<u8>,
    clock: Clock,
    ack_timeout: Duration,
    completion_timeout: Duration,
    last_at: Option<DateTime<Utc>>,
    /// Serial lines wrap each APDU in DLE STX … DLE ETX CRC and ACK every frame with
    /// one byte; TCP sends bare APDUs.
    serial: Option<slipkeeper_zvt::serial::Deframer>,
}

/// Opens a serial device (e.g. /dev/ttyUSB0, /dev/ttyACM0, COM3) with ZVT's line
/// settings: 8 data bits, no parity, 2 stop bits, no flow control. Needs a runtime.
pub fn open_serial_port(path: &str, baud: u32) -> Result<tokio_serial::SerialStream, LinkError> {
    use tokio_serial::SerialPortBuilderExt;
    tokio_serial::new(path, baud)
        .data_bits(tokio_serial::DataBits::Eight)
        .parity(tokio_serial::Parity::None)
        .stop_bits(tokio_serial::StopBits::Two)
        .flow_control(tokio_serial::FlowControl::None)
        .open_native_async()
        .map_err(|e| LinkError::Connect {
            addr: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })
}

impl Link<tokio_serial::SerialStream> {
    /// A link on a serial device, see [`open_serial_port`].
    pub fn open_serial(path: &str, baud: u32, clock: Clock) -> Result<Self, LinkError> {
        Ok(Link::serial(open_serial_port(path, baud)?, clock))
    }
}

impl Link<TcpStream> {
    /// Connects over TCP (the terminal is the server; ZVT's usual port is 20007).
    pub async fn connect_tcp(addr: &str, clock: Clock) -> Result<Self, LinkError> {
        let s = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| LinkError::Timeout(CONNECT_TIMEOUT, "connecting"))?
            .map_err(|e| LinkError::Connect {
                addr: addr.to_owned(),
                source: e,
            })?;
        s.set_nodelay(true)?;
        Ok(Link::new(s, clock))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Link<S> {
    /// A link over `stream` (connected already), timing frames by `clock`.
    pub fn new(stream: S, clock: Clock) -> Self {
        Link {
            stream,
            buf: Vec::new(),
            clock,
            ack_timeout: ACK_TIMEOUT,
            completion_timeout: COMPLETION_TIMEOUT,
            last_at: None,
            serial: None,
        }
    }

    /// A link over a serial line (RS-232 or USB CDC-ACM): framing, CRC and the
    /// one-byte ACK/NAK handshake with up to three attempts per frame.
    pub fn serial(stream: S, clock: Clock) -> Self {
        let mut l = Link::new(stream, clock);
        l.serial = Some(slipkeeper_zvt::serial::Deframer::default());
        l
    }

    async fn read_more(&mut self) -> Result<(), LinkError> {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(LinkError::Closed);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Serial: waits for the receiver's ACK byte; resends on NAK or silence.
    async fn send_framed(&mut self, framed: &[u8]) -> Result<(), LinkError> {
        use slipkeeper_zvt::serial::{ACK, MAX_ATTEMPTS, NAK, T3_ACK};
        for _ in 0..MAX_ATTEMPTS {
            self.stream.write_all(framed).await?;
            let wait = T3_ACK.min(self.ack_timeout);
            let answer = tokio::time::timeout(wait, async {
                while self.buf.is_empty() {
                    self.read_more().await?;
                }
                Ok::<u8, LinkError>(self.buf[0])
            })
            .await;
            match answer {
                Ok(Ok(ACK)) => {
                    self.buf.remove(0);
                    return Ok(());
                }
                Ok(Ok(NAK)) => {
                    self.buf.remove(0);
                }
                Ok(Ok(other)) => {
                    return Err(LinkError::Protocol(ZvtError::BadFrame(format!(
                        "expected ACK or NAK after a frame, got {other:02X}"
                    ))))
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => {} // silence: try again
            }
        }
        Err(LinkError::Timeout(
            T3_ACK,
            "acknowledging a serial frame (3 attempts)",
        ))
    }

    /// Serial: the next good frame; a bad CRC is answered with NAK (three at most).
    async fn recv_framed(&mut self) -> Result<Vec<u8>, LinkError> {
        use slipkeeper_zvt::serial::{ACK, MAX_ATTEMPTS, NAK};
        let mut bad = 0;
        let mut raw = Vec::new();
        loop {
            while !self.buf.is_empty() {
                let b = self.buf.remove(0);
                raw.push(b);
                let Some(d) = self.serial.as_mut() else {
                    return Err(LinkError::Closed);
                };
                match d.push(b) {
                    None => {}
                    Some(Ok(_apdu)) => {
                        self.stream.write_all(&[ACK]).await?;
                        // Keep only the frame itself (noise before it is not part of it).
                        let start = raw.windows(2).rposition(|w| w == [0x10, 0x02]).unwrap_or(0);
                        return Ok(raw.split_off(start));
                    }
                    Some(Err(e)) => {
                        self.stream.write_all(&[NAK]).await?;
                        bad += 1;
                        raw.clear();
                        if bad >= MAX_ATTEMPTS {
                            return Err(LinkError::Protocol(e));
                        }
                    }
                }
            }
            self.read_more().await?;
        }
    }

    /// Shorter waits, for tests and for an impatient UI.
    pub fn set_timeouts(&mut self, ack: Duration, completion: Duration) {
        self.ack_timeout = ack;
        self.completion_timeout = completion;
    }

    /// Frame times strictly increase on a link, even when the clock is coarse: two
    /// identical acknowledgements are two frames, never one stored twice or one lost.
    fn stamp(&mut self) -> DateTime<Utc> {
        let mut at = (self.clock)();
        if let Some(last) = self.last_at {
            if at <= last {
                at = last + chrono::TimeDelta::microseconds(1);
            }
        }
        self.last_at = Some(at);
        at
    }

    async fn send(&mut self, a: &Apdu, frames: &mut Vec<Frame>) -> Result<(), LinkError> {
        let mut bytes = a.encode()?;
        if self.serial.is_some() {
            bytes = slipkeeper_zvt::serial::frame(&bytes);
            self.send_framed(&bytes).await?;
        } else {
            self.stream.write_all(&bytes).await?;
        }
        let at = self.stamp();
        frames.push(Frame {
            direction: Direction::Tx,
            at,
            bytes,
        });
        Ok(())
    }

    async fn recv(
        &mut self,
        wait: Duration,
        what: &'static str,
        frames: &mut Vec<Frame>,
    ) -> Result<(Apdu, Frame), LinkError> {
        let read = async {
            if self.serial.is_some() {
                let framed = self.recv_framed().await?;
                let apdu = Apdu::decode_exact(&slipkeeper_zvt::serial::deframe(&framed)?)?;
                return Ok::<_, LinkError>((apdu, framed));
            }
            loop {
                if let Some((a, used)) = Apdu::read(&self.buf)? {
                    let bytes: Vec<u8> = self.buf.drain(..used).collect();
                    return Ok((a, bytes));
                }
                self.read_more().await?;
            }
        };
        let (a, bytes) = tokio::time::timeout(wait, read)
            .await
            .map_err(|_| LinkError::Timeout(wait, what))??;
        let f = Frame {
            direction: Direction::Rx,
            at: self.stamp(),
            bytes,
        };
        frames.push(f.clone());
        Ok((a, f))
    }

    /// Sends one APDU (framed and line-acknowledged on serial). Either side of the
    /// protocol can use this: the simulator's serial loop does.
    pub async fn send_apdu(&mut self, a: &Apdu) -> Result<Frame, LinkError> {
        let mut frames = Vec::new();
        self.send(a, &mut frames).await?;
        frames.pop().ok_or(LinkError::Closed)
    }

    /// Receives one APDU within `wait`.
    pub async fn recv_apdu(&mut self, wait: Duration) -> Result<(Apdu, Frame), LinkError> {
        let mut frames = Vec::new();
        self.recv(wait, "receiving", &mut frames).await
    }

    /// Sends `cmd` and follows the terminal until it completes or aborts, answering
    /// every message with `80 00 00`. Every byte both ways is in the result.
    pub async fn command(&mut self, cmd: &Apdu) -> Result<Exchange, LinkError> {
        self.command_with(cmd, |_| std::future::ready(Ok(()))).await
    }

    /// [`Link::command`], calling `before_ack` with the exchange so far whenever the
    /// terminal sends a message that changes what the journal must hold (status
    /// information, completion, abort), before that message is acknowledged. If it
    /// fails, the message is not acknowledged and the command fails: the terminal
    /// still owns the record and repeats it (or the catch-up fetches it).
    pub async fn command_with<F, Fut>(
        &mut self,
        cmd: &Apdu,
        mut before_ack: F,
    ) -> Result<Exchange, LinkError>
    where
        F: FnMut(&Exchange) -> Fut,
        Fut: std::future::Future<Output = Result<(), LinkError>>,
    {
        let mut frames = Vec::new();
        self.send(cmd, &mut frames).await?;
        let (ack, _) = self
            .recv(self.ack_timeout, "acknowledging the command", &mut frames)
            .await?;
        match (ack.class, ack.instr) {
            // 84 00 is sent as positive by some terminals (FACTS.md §12).
            (0x80, _) | cmd::ACK_84 => {}
            (0x84, code) => return Err(LinkError::Refused(code)),
            _ => {
                return Err(LinkError::Protocol(ZvtError::BadMessage {
                    class: ack.class,
                    instr: ack.instr,
                    reason: "expected an acknowledgement".into(),
                }))
            }
        }
        let mut messages = Vec::new();
        if matches!((cmd.class, cmd.instr), cmd::LOG_OFF | cmd::ECR_ABORT) {
            return Ok(Exchange {
                command: cmd.clone(),
                messages,
                end: End::Acknowledged,
                frames,
            });
        }
        loop {
            let (a, frame) = self
                .recv(
                    self.completion_timeout,
                    "finishing the command",
                    &mut frames,
                )
                .await?;
            let m = Message::decode(&a)?;
            let end = match &m {
                Message::Completion(_) => Some(End::Completed),
                Message::Abort { result_code, .. } => Some(End::Aborted(*result_code)),
                _ => None,
            };
            let checkpoint = end.is_some() || matches!(m, Message::StatusInformation(_));
            messages.push((m, frame));
            if checkpoint {
                let so_far = Exchange {
                    command: cmd.clone(),
                    messages: messages.clone(),
                    end: end.clone().unwrap_or(End::Open),
                    frames: frames.clone(),
                };
                before_ack(&so_far).await?;
            }
            self.send(&Apdu::ack(), &mut frames).await?;
            if let Some(end) = end {
                return Ok(Exchange {
                    command: cmd.clone(),
                    messages,
                    end,
                    frames,
                });
            }
        }
    }
}

impl Exchange {
    /// The software version and status of a status-enquiry completion.
    pub fn terminal_status(&self) -> Option<(Option<String>, u8)> {
        self.messages.iter().find_map(|(m, _)| match m {
            Message::Completion(Completion::Status {
                sw_version,
                terminal_status,
                ..
            }) => Some((
                sw_version
                    .as_ref()
                    .map(|v| String::from_utf8_lossy(v).into_owned()),
                *terminal_status,
            )),
            _ => None,
        })
    }
}

/// A serial port present on this computer.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PortInfo {
    /// What to open (e.g. /dev/ttyACM0, COM3).
    pub path: String,
    /// "USB 1234:5678 Ingenico …", "PCI", "Bluetooth" or "".
    pub description: String,
}

/// The serial ports the operating system lists (USB CDC-ACM terminals included).
pub fn serial_ports() -> Vec<PortInfo> {
    let mut out: Vec<PortInfo> = tokio_serial::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let description = match p.port_type {
                tokio_serial::SerialPortType::UsbPort(u) => format!(
                    "USB {:04x}:{:04x} {} {}",
                    u.vid,
                    u.pid,
                    u.manufacturer.unwrap_or_default(),
                    u.product.unwrap_or_default()
                )
                .trim()
                .to_owned(),
                tokio_serial::SerialPortType::PciPort => "PCI".into(),
                tokio_serial::SerialPortType::BluetoothPort => "Bluetooth".into(),
                tokio_serial::SerialPortType::Unknown => String::new(),
            };
            PortInfo {
                path: p.port_name,
                description,
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
