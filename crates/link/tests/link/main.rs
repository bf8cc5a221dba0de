//! The link's integration tests, one binary: the simulator over real TCP sockets on
//! 127.0.0.1 and pseudo-terminals, mirrored into real journal files.

#![allow(clippy::unwrap_used)] // a test: fail loudly

mod link;
mod proxy;
mod serial;
mod service;
