//! A small mutation fuzzer that runs on the stable toolchain inside `cargo test`, so
//! every parser that reads outside input is fuzzed on every CI run, for a bounded time.
//! Each crate's fuzz tests name their targets; their seed corpora are committed beside
//! them (`tests/corpus/<target>/`).
//!
//! It is not coverage-guided (libFuzzer needs nightly; `crates/zvt/fuzz` keeps a
//! cargo-fuzz target for deeper runs): it mutates the seeds — bit flips, byte and
//! length-byte changes, inserts, deletes, splices between seeds, truncation — with a
//! seeded generator, so a failure names the seed and iteration that reproduce it.
//!
//! `SLIPKEEPER_FUZZ_SECONDS` (default 3) is the budget per target; `SLIPKEEPER_FUZZ_SEED`
//! replays one run.

use std::path::Path;
use std::time::{Duration, Instant};

/// The mutator's generator (xorshift64*): seeded, so a failure can be replayed.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is taken as 1).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Every file of `dir` (a committed corpus), in name order.
pub fn corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("seed"))
        .collect();
    assert!(!seeds.is_empty(), "corpus {} is empty", dir.display());
    seeds
}

/// One mutation of `input`, sometimes spliced with `other`.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let at = rng.below(b.len().max(1));
        match rng.below(9) {
            0 if !b.is_empty() => b[at] ^= 1 << rng.below(8),
            1 if !b.is_empty() => b[at] = rng.next_u64() as u8,
            2 => b.insert(at.min(b.len()), rng.next_u64() as u8),
            3 if !b.is_empty() => {
                b.remove(at);
            }
            4 if !b.is_empty() => {
                // Lengths and counts are where parsers trust their input.
                b[at] = [0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0xFE, 0xFF][rng.below(8)];
            }
            5 => {
                let cut = rng.below(b.len() + 1);
                b.truncate(cut);
            }
            6 if !other.is_empty() => {
                let from = rng.below(other.len());
                let len = 1 + rng.below(other.len() - from);
                let at = at.min(b.len());
                b.splice(at..at, other[from..from + len].iter().copied());
            }
            7 if !b.is_empty() => {
                // Repeat a piece: long runs, deep nesting.
                let len = 1 + rng.below((b.len() - at).min(16));
                let piece = b[at..at + len].to_vec();
                for _ in 0..1 + rng.below(8) {
                    b.splice(at..at, piece.iter().copied());
                }
            }
            _ => {
                if !b.is_empty() {
                    let (i, j) = (at.min(b.len() - 1), rng.below(b.len()));
                    b.swap(i, j);
                }
            }
        }
    }
    b
}

/// Runs `target` over the seeds and their mutations until the budget is spent (at
/// least `min_runs` times). A panic in the target fails the test with the input that
/// caused it, in hex.
pub fn run(name: &str, seeds: &[Vec<u8>], min_runs: usize, target: impl Fn(&[u8])) {
    let seconds: u64 = std::env::var("SLIPKEEPER_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("SLIPKEEPER_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_0000 ^ name.len() as u64);
    let mut rng = Rng::new(seed);
    let budget = Duration::from_secs(seconds);
    let start = Instant::now();
    let mut runs = 0usize;
    let check = |input: &[u8], what: &str| {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(input)));
        if r.is_err() {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("fuzz target {name} panicked on {what} (SLIPKEEPER_FUZZ_SEED={seed}): {hex}");
        }
    };
    for s in seeds {
        check(s, "a seed");
    }
    while runs < min_runs || start.elapsed() < budget {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, a, b);
        runs += 1;
        check(&input, &format!("iteration {runs}"));
    }
    eprintln!(
        "fuzz {name}: {runs} inputs in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}
