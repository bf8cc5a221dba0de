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
