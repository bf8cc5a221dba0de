//! Faults on the wire, drawn from a seeded generator: frames held back, a terminal that
//! goes silent, a line that drops mid-frame, corrupted bytes and NAKs on serial.

use super::*;

/// Faults a test can ask the simulator to commit, each decided by a seeded generator
/// so that a failing seed can be replayed.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// The generator's seed: the same seed commits the same faults.
    pub seed: u64,
    /// Close the connection after a random number (1..=n) of frames sent.
    pub drop_within: Option<u32>,
    /// Probability that a frame is held back for `delay` first.
    pub delay_p: f64,
    /// How long a delayed frame is held back.
    pub delay: std::time::Duration,
    /// Probability that the terminal stops answering altogether on this connection.
    pub silence_p: f64,
    /// Serial only (TCP has its own checksums): probability that a frame goes out
    /// with one byte flipped (the CRC catches it, the ECR answers NAK, it is resent).
    pub corrupt_p: f64,
    /// Serial only: probability that a good frame from the ECR is answered with NAK.
    pub nak_p: f64,
}

/// xorshift64*: small, deterministic, good enough to pick faults.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`; any seed will do (the state is kept odd, never zero).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A number in 0..n (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// One connection's writer, committing the configured faults.
pub(crate) struct Wire<'a, P> {
    pub(crate) port: &'a mut P,
    pub(crate) rng: Rng,
    pub(crate) faults: &'a Faults,
    pub(crate) sent: u32,
    pub(crate) drop_at: Option<u32>,
}

#[derive(Debug)]
pub(crate) enum WireFault {
    Drop,
    Silence,
    Io(std::io::Error),
}

impl From<std::io::Error> for WireFault {
    fn from(e: std::io::Error) -> Self {
        WireFault::Io(e)
    }
}

impl<P: Port> Wire<'_, P> {
    pub(crate) async fn write(&mut self, a: &Apdu) -> Result<(), WireFault> {
        if self.rng.unit() < self.faults.silence_p {
            return Err(WireFault::Silence);
        }
        if self.rng.unit() < self.faults.delay_p {
            tokio::time::sleep(self.faults.delay).await;
        }
        let bytes = a
            .encode()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        self.sent += 1;
        if self.drop_at == Some(self.sent) {
            // Half a frame, then the line goes dead.
            self.port.send_half(&bytes).await;
            return Err(WireFault::Drop);
        }
        let corrupt = (self.rng.unit() < self.faults.corrupt_p)
            .then(|| self.rng.below(bytes.len() as u64) as usize);
        self.port.send(&bytes, corrupt).await?;
        Ok(())
    }

    /// The ECR acknowledges each message; a connection that does not is given up.
    pub(crate) async fn acknowledged(&mut self) -> bool {
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(5), self.port.recv()).await,
            Ok(Ok(Some(ack))) if ack.class == 0x80 || ack.class == 0x84
        )
    }
}
