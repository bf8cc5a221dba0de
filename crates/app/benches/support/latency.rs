//! Latency a relay adds: the same command straight to a terminal and through the
//! relay, alternately, so both see the same machine at the same moments.

use slipkeeper_link::{commands, Link};
use std::time::{Duration, Instant};

/// `n` status enquiries on `direct` and on `relayed`, alternately.
pub async fn alternate<S, T>(
    direct: &mut Link<S>,
    relayed: &mut Link<T>,
    n: usize,
) -> (Vec<Duration>, Vec<Duration>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut da, mut db) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let t = Instant::now();
        direct.command(&commands::status_enquiry()).await.unwrap();
        da.push(t.elapsed());
        let t = Instant::now();
        relayed.command(&commands::status_enquiry()).await.unwrap();
        db.push(t.elapsed());
    }
    (da, db)
}

fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    s[((s.len() as f64 - 1.0) * p) as usize]
}

/// Median and p99 of both, and what the relay adds per frame (a status enquiry
/// crosses it as 4 frames, 2 each way).
pub fn report(what: &str, direct: &[Duration], relayed: &[Duration]) {
    for (name, p) in [("median", 0.5), ("p99", 0.99)] {
        let added = percentile(relayed, p).saturating_sub(percentile(direct, p));
        eprintln!(
            "{what}: {name} status enquiry {:?} direct, {:?} relayed: {:?} added per frame",
            percentile(direct, p),
            percentile(relayed, p),
            added / 4
        );
    }
}
