//! What the crates' tests share, so that each real-world condition is staged one way:
//! another program holding the journal's lock ([`ForeignLock`]), a simulated terminal
//! on loopback (`sim`, with the feature of that name), a throwaway PostgreSQL cluster
//! ([`pg`]), PDFs read back with poppler ([`poppler`]) and the bounded mutation fuzzer
//! every parser of outside input runs under ([`fuzz`]).
//! A dev-dependency only: nothing here ships. Its functions panic where a test could
//! not stage what it asked for, naming what is missing.

#![warn(missing_docs)]
#![allow(clippy::unwrap_used)] // a test's setup fails loudly

pub mod fuzz;
pub mod pg;
pub mod poppler;
#[cfg(feature = "sim")]
pub mod sim;

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Another program (python's sqlite3) holding the journal's write lock until dropped:
/// a writer that blocks Slipkeeper's writes past their busy timeout, as a long import
/// or a backup tool would.
pub struct ForeignLock(Child);

impl ForeignLock {
    /// Takes the lock on the database at `db`; returns once it is held.
    ///
    /// # Panics
    /// When python3 is missing or cannot take the lock: the test cannot stage it.
    pub fn hold(db: &Path) -> ForeignLock {
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import sqlite3, sys\n\
                 c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)\n\
                 c.execute('BEGIN EXCLUSIVE')\n\
                 print('locked', flush=True)\n\
                 sys.stdin.read()\n",
            ])
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 to hold the journal's lock");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().expect("piped stdout"))
            .read_line(&mut line)
            .expect("python3's answer");
        assert_eq!(
            line.trim(),
            "locked",
            "python3 could not lock {}",
            db.display()
        );
        ForeignLock(child)
    }
}

impl Drop for ForeignLock {
    /// Releases the lock (the program ends when its input closes) and waits for it.
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        if self.0.wait().is_err() {
            let _ = self.0.kill();
        }
    }
}
