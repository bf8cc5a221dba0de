//! The ZVT crate's integration tests, one binary: the public packet vectors, the
//! readable decoder's snapshot, masking, robustness properties and the fuzzer.

#![allow(clippy::unwrap_used)] // a test: fail loudly

mod decode;
mod fuzz;
mod masking;
mod robustness;
mod support;
mod vectors;
