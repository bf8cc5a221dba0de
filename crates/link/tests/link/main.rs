//! The link's integration tests, one binary: the simulator over real TCP sockets on
//! 127.0.0.1 and pseudo-terminals, mirrored into real journal files.

#![allow(clippy::unwrap_used)] // a test: fail loudly

mod link;
mod proxy;
mod serial;
mod service;

/// Registers `link` as the mirror registers (its config byte, currency 156 CNY), as every test's session
/// opens, and checks the terminal accepted it.
pub async fn register<S>(link: &mut slipkeeper_link::Link<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use slipkeeper_link::{commands, End};
    let reg = commands::registration(0, commands::MIRROR_CONFIG, 156).unwrap();
    assert_eq!(link.command(&reg).await.unwrap().end, End::Completed);
}

/// What the code under test logs from now until the guard drops, on this thread —
/// which, under `#[tokio::test]`'s current-thread runtime, runs the spawned tasks too.
pub fn capture_logs() -> (Logged, tracing::subscriber::DefaultGuard) {
    let logged = Logged::default();
    let sink = logged.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    (logged, tracing::subscriber::set_default(subscriber))
}

/// The text logged so far (see [`capture_logs`]).
#[derive(Clone, Default)]
pub struct Logged(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Logged {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
