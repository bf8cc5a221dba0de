//! Where the terminal is reached: TCP (bare APDUs) or a serial line (framed and
//! line-acknowledged), one connection at a time, sharing one terminal.

use super::*;

/// Reads one APDU from a TCP stream.
pub async fn read_apdu<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Apdu>> {
    loop {
        match Apdu::read(buf) {
            Ok(Some((a, used))) => {
                buf.drain(..used);
                return Ok(Some(a));
            }
            Ok(None) => {}
            Err(e) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    e.to_string(),
                ))
            }
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The terminal as the network sees it: its state, a bell for customers arriving at
/// the counter, and the faults it commits.
#[derive(Debug)]
pub struct Shared {
    /// The terminal's state machine and ledger, one connection at a time.
    pub terminal: Mutex<Terminal>,
    pub(crate) customer: tokio::sync::Notify,
    pub(crate) faults: Faults,
}

impl Shared {
    /// `terminal` with `faults` on the wire, shared by the ports that serve it.
    pub fn new(terminal: Terminal, faults: Faults) -> Arc<Shared> {
        Arc::new(Shared {
            terminal: Mutex::new(terminal),
            customer: tokio::sync::Notify::new(),
            faults,
        })
    }

    /// A customer keys in `amount` at the counter.
    pub fn customer(&self, amount: u64) {
        if let Ok(mut t) = self.terminal.lock() {
            t.queue_customer(amount);
        }
        self.customer.notify_waiters();
    }

    /// The terminal's own journal.
    pub fn ledger(&self) -> Vec<Booked> {
        self.terminal.lock().map(|t| t.ledger()).unwrap_or_default()
    }

    /// Writes the terminal's ledger to `path` whenever it changes, one `line` per
    /// booking, checked every `every`; through a temporary file renamed over it, so a
    /// reader never sees half of it. A write that fails is tried again at the next
    /// check and logged once per failing stretch. Runs until its task is dropped.
    pub async fn keep_ledger(
        self: Arc<Self>,
        path: std::path::PathBuf,
        every: std::time::Duration,
        line: fn(&Booked) -> String,
    ) {
        let mut last = None;
        let mut failing = false;
        loop {
            let text: String = self.ledger().iter().map(line).collect();
            if last.as_ref() != Some(&text) {
                let tmp = path.with_extension("tmp");
                match std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &path)) {
                    Ok(()) => {
                        last = Some(text);
                        failing = false;
                    }
                    Err(e) if !failing => {
                        tracing::warn!(path = %path.display(), error = %e, "simulated terminal: the ledger could not be written");
                        failing = true;
                    }
                    Err(_) => {}
                }
            }
            tokio::time::sleep(every).await;
        }
    }

    /// How many customers are still waiting at the counter.
    pub fn customers_waiting(&self) -> usize {
        self.terminal
            .lock()
            .map(|t| t.customers_waiting())
            .unwrap_or(0)
    }
}

/// How APDUs cross one connection: bare on TCP, framed and line-acknowledged on a
/// serial line.
#[allow(async_fn_in_trait)] // used with concrete types inside this crate
pub trait Port {
    /// The next APDU from the ECR; None when the line closed.
    async fn recv(&mut self) -> std::io::Result<Option<Apdu>>;
    /// Sends one APDU (encoded bytes). `corrupt`: a byte index to flip in the first
    /// attempt (serial).
    async fn send(&mut self, apdu: &[u8], corrupt: Option<usize>) -> std::io::Result<()>;
    /// Sends the first half of it and nothing more (the line dies mid-frame).
    async fn send_half(&mut self, apdu: &[u8]);
    /// Reads and discards until the peer hangs up.
    async fn drain(&mut self);
}

/// ZVT over TCP.
pub struct TcpPort<S> {
    pub(crate) s: S,
    pub(crate) buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> TcpPort<S> {
    /// A TCP port over the stream `s` (APDUs back to back, no framing).
    pub fn new(s: S) -> Self {
        TcpPort { s, buf: Vec::new() }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Port for TcpPort<S> {
    async fn recv(&mut self) -> std::io::Result<Option<Apdu>> {
        read_apdu(&mut self.s, &mut self.buf).await
    }
    async fn send(&mut self, apdu: &[u8], _corrupt: Option<usize>) -> std::io::Result<()> {
        self.s.write_all(apdu).await
    }
    async fn send_half(&mut self, apdu: &[u8]) {
        let _ = self.s.write_all(&apdu[..apdu.len() / 2]).await;
    }
    async fn drain(&mut self) {
        let mut sink = [0u8; 1024];
        while matches!(self.s.read(&mut sink).await, Ok(n) if n > 0) {}
    }
}

/// ZVT over a serial line: DLE STX … DLE ETX CRC frames, each answered with one ACK
/// or NAK byte, at most three attempts.
pub struct SerialPort<S> {
    pub(crate) s: S,
    pub(crate) rx: std::collections::VecDeque<u8>,
    pub(crate) deframer: slipkeeper_zvt::serial::Deframer,
    pub(crate) rng: Rng,
    pub(crate) nak_p: f64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> SerialPort<S> {
    /// A serial port over `s`: DLE STX framing with CRC, ACK/NAK; `nak_p` is the
    /// probability of answering a good frame with NAK, drawn from `seed`.
    pub fn new(s: S, seed: u64, nak_p: f64) -> Self {
        SerialPort {
            s,
            rx: Default::default(),
            deframer: Default::default(),
            rng: Rng::new(seed ^ 0x5E71A1),
            nak_p,
        }
    }

    pub(crate) async fn byte(&mut self) -> std::io::Result<Option<u8>> {
        if self.rx.is_empty() {
            let mut chunk = [0u8; 1024];
            let n = self.s.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.rx.extend(&chunk[..n]);
        }
        Ok(self.rx.pop_front())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Port for SerialPort<S> {
    async fn recv(&mut self) -> std::io::Result<Option<Apdu>> {
        use slipkeeper_zvt::serial::{ACK, NAK};
        loop {
            let Some(b) = self.byte().await? else {
                return Ok(None);
            };
            match self.deframer.push(b) {
                None => {}
                Some(Err(_)) => self.s.write_all(&[NAK]).await?,
                Some(Ok(_)) if self.rng.unit() < self.nak_p => {
                    // Pretend it arrived damaged: the ECR must send it again.
                    self.s.write_all(&[NAK]).await?
                }
                Some(Ok(apdu)) => {
                    self.s.write_all(&[ACK]).await?;
                    match Apdu::decode_exact(&apdu) {
                        Ok(a) => return Ok(Some(a)),
                        Err(e) => {
                            return Err(std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                e.to_string(),
                            ))
                        }
                    }
                }
            }
        }
    }

    async fn send(&mut self, apdu: &[u8], corrupt: Option<usize>) -> std::io::Result<()> {
        use slipkeeper_zvt::serial::{frame, ACK, MAX_ATTEMPTS, NAK, T3_ACK};
        let good = frame(apdu);
        for attempt in 0..MAX_ATTEMPTS {
            let mut bytes = good.clone();
            if attempt == 0 {
                if let Some(i) = corrupt {
                    // Inside the data, past DLE STX, so the CRC (not the framing) fails.
                    let i = 2 + i % apdu.len().max(1);
                    if bytes[i] != slipkeeper_zvt::serial::DLE {
                        bytes[i] ^= 0x01;
                    }
                }
            }
            self.s.write_all(&bytes).await?;
            loop {
                match tokio::time::timeout(T3_ACK, self.byte()).await {
                    Ok(Ok(Some(ACK))) => return Ok(()),
                    Ok(Ok(Some(NAK))) | Err(_) => break, // send again
                    Ok(Ok(Some(_))) => continue,         // noise between frames
                    Ok(Ok(None)) => {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                    Ok(Err(e)) => return Err(e),
                }
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no ACK after three attempts",
        ))
    }

    async fn send_half(&mut self, apdu: &[u8]) {
        let f = slipkeeper_zvt::serial::frame(apdu);
        let _ = self.s.write_all(&f[..f.len() / 2]).await;
    }

    async fn drain(&mut self) {
        // A serial line never hangs up: the terminal is silent for a while, then
        // (the caller) listens again, like one that was switched off and on.
        let quiet = async { while matches!(self.byte().await, Ok(Some(_))) {} };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), quiet).await;
        self.rx.clear();
        self.deframer = Default::default();
    }
}

/// Serves one ECR connection until it closes (or a fault ends it).
pub async fn serve_connection(
    s: TcpStream,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    serve_port(TcpPort::new(s), shared, clock).await
}

/// Serves the ECR on a serial line (e.g. one end of a pseudo-terminal pair).
pub async fn serve_serial<S: AsyncRead + AsyncWrite + Unpin>(
    s: S,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    let nak_p = shared.faults.nak_p;
    let seed = shared.faults.seed;
    serve_port(SerialPort::new(s, seed, nak_p), shared, clock).await
}

/// Serves one ECR on any port until it closes (or a fault ends it).
pub async fn serve_port<P: Port>(
    mut port: P,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<()> {
    let generation = match shared.terminal.lock() {
        Ok(mut t) => {
            t.generation += 1;
            t.generation
        }
        Err(_) => {
            return Err(std::io::Error::other(
                "the simulated terminal's state was left half-changed by a failed session",
            ))
        }
    };
    let faults = shared.faults.clone();
    let mut rng = Rng::new(faults.seed ^ generation.wrapping_mul(0xA076_1D64_78BD_642F));
    let drop_at = faults
        .drop_within
        .map(|n| 1 + rng.below(u64::from(n)) as u32);
    let result = {
        let mut wire = Wire {
            port: &mut port,
            rng,
            faults: &faults,
            sent: 0,
            drop_at,
        };
        serve_loop(&mut wire, &shared, generation, clock).await
    };
    match result {
        Err(WireFault::Silence) => {
            // Stop answering, keep the line open, until the ECR gives up on it.
            port.drain().await;
            Ok(())
        }
        Err(WireFault::Io(e)) => Err(e),
        Err(WireFault::Drop) | Ok(()) => Ok(()),
    }
}

pub(crate) async fn serve_loop<P: Port>(
    wire: &mut Wire<'_, P>,
    shared: &Shared,
    generation: u64,
    clock: fn() -> NaiveDateTime,
) -> Result<(), WireFault> {
    while let Some(cmd) = wire.port.recv().await? {
        if matches!(cmd.class, 0x80 | 0x84) {
            continue; // a stray acknowledgement
        }
        let current = |t: &Terminal| t.generation == generation;
        let mut answers = match shared.terminal.lock() {
            Ok(mut t) if current(&t) => t.handle(&cmd, clock()),
            _ => return Ok(()), // superseded by a newer connection
        };
        if is_armed(&cmd) && answers.len() == 1 && answers[0].class == 0x80 {
            // Acknowledge, then wait for a customer at the counter.
            wire.write(&answers.remove(0)).await?;
            let deadline = tokio::time::Instant::now() + armed_wait(&cmd);
            loop {
                let bell = shared.customer.notified();
                let booked = match shared.terminal.lock() {
                    Ok(mut t) if current(&t) => t.take_customer(clock()),
                    _ => return Ok(()),
                };
                if let Some(b) = booked {
                    answers = b;
                    break;
                }
                if tokio::time::timeout_at(deadline, bell).await.is_err() {
                    answers = vec![abort(RC_NO_CUSTOMER)];
                    break;
                }
            }
            for a in answers {
                wire.write(&a).await?;
                if !wire.acknowledged().await {
                    return Ok(());
                }
            }
            continue;
        }
        let mut it = answers.into_iter();
        if let Some(first) = it.next() {
            wire.write(&first).await?;
        }
        for a in it {
            wire.write(&a).await?;
            if !wire.acknowledged().await {
                if (a.class, a.instr) == cmd::STATUS_INFORMATION {
                    if let Ok(mut t) = shared.terminal.lock() {
                        t.reverse_unacknowledged(clock());
                    }
                }
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Listens on `addr` and serves every connection with one shared terminal.
/// Returns the bound address (use port 0 for a free one) and the server task.
pub async fn serve(
    addr: SocketAddr,
    term: Terminal,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    serve_shared(addr, Shared::new(term, Faults::default()), clock).await
}

/// [`serve`] for a terminal the caller keeps a handle on (customers, ledger, faults).
pub async fn serve_shared(
    addr: SocketAddr,
    shared: Arc<Shared>,
    clock: fn() -> NaiveDateTime,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let (s, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then listen on,
                    // as a terminal on the counter would.
                    tracing::error!(error = %e, "simulated terminal: cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    continue;
                }
            };
            if let Err(e) = s.set_nodelay(true) {
                tracing::debug!(%peer, error = %e, "simulated terminal: TCP_NODELAY refused");
            }
            let t = shared.clone();
            tokio::spawn(async move {
                if let Err(e) = serve_connection(s, t, clock).await {
                    tracing::warn!(%peer, error = %e, "simulated terminal: a session ended in an error");
                }
            });
        }
    });
    Ok((bound, task))
}
